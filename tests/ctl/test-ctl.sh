#!/bin/bash
# Tests of confinementctl list, check, cat and paths against temporary roots
# (no running systemd needed).
#
# Usage: test-ctl.sh CONFINEMENTCTL GENERATOR JSON-QUERY
#
# With CTL_WRAP set (e.g. "valgrind --error-exitcode=99 ..."), every
# confinementctl run goes through it, and a run that exits 99 fails the test.
set -euo pipefail

ctl_bin=$(realpath "${1:?confinementctl}")
generator=$(realpath "${2:?generator}")
jq=$(realpath "${3:?json-query}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ctl/lib.sh
source "$here/lib.sh"

tmp=$(mktemp -d /tmp/confinementctl-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir "$root"
make_root "$root"

lacks() {
        if grep -qF -- "$2" "$1"; then cat "$1" >&2; fail "$1 has: $2"; fi
}
# quiet_stderr: the last ctl wrote nothing to stderr (not checked under
# CTL_WRAP, whose valgrind writes there)
quiet_stderr() {
        if [[ -z ${CTL_WRAP:-} && -s $tmp/err ]]; then
                cat "$tmp/err" >&2
                fail "unexpected messages on stderr"
        fi
}

# --- usage -------------------------------------------------------------------
ctl 0 --help
has "$tmp/out" "Usage: confinementctl"
ctl 0 --version
has "$tmp/out" "confinementctl "
ctl 1
ctl 1 frobnicate
has "$tmp/err" 'Unknown command "frobnicate"'
ctl 1 --root=relative list
has "$tmp/err" "--root= expects an absolute path"
ctl 1 --root="$root" verify
has "$tmp/err" "--root= does not apply"
ctl 1 --root="$root" --json check
ctl 1 --root="$root" paths
ctl 1 --root="$root" paths a b
ctl 0 --root="$root" --no-pager --no-legend list

# --- list --------------------------------------------------------------------
ctl 0 --root="$root" --no-legend list
cat > "$tmp/want" <<EOF
README.json          ignored  -            -  /usr/lib/confinement.d/README.json
bad.service          invalid  -            -  /etc/confinement.d/bad.service.json
hello.service        valid    full         3  /etc/confinement.d/hello.service.json
                                              overrides /usr/lib/confinement.d/hello.service.json
legacy.service       masked   -            -  /etc/confinement.d/legacy.service.json
                                              masks /usr/lib/confinement.d/legacy.service.json
roots.service        valid    full-apivfs  4  /etc/confinement.d/roots.service.json
web@.service         valid    chroot-only  4  /usr/lib/confinement.d/web@.service.json
web@special.service  valid    full-apivfs  1  /run/confinement.d/web@special.service.json
EOF
diff -u "$tmp/want" "$tmp/out" || fail "list --no-legend"
quiet_stderr

ctl 0 --root="$root" list
has "$tmp/out" "UNIT                 STATE    MODE         PATHS  SPEC"
has "$tmp/out" "7 specs listed: 4 valid, 1 invalid, 1 masked, 1 ignored."
has "$tmp/out" 'bad.service: /etc/confinement.d/bad.service.json: key "mode": expected "full-apivfs", "chroot-only" or "full", got "fulll".'
lacks "$tmp/out" $'\e['
quiet_stderr

# colours only on request when not on a terminal
SYSTEMD_COLORS=1 ctl 0 --root="$root" list
has "$tmp/out" $'\e[0;1;32mvalid\e[0m'
NO_COLOR=1 ctl 0 --root="$root" list
lacks "$tmp/out" $'\e['

ctl 0 --root="$root" --json list
cp "$tmp/out" "$tmp/list.json"
"$jq" "$tmp/list.json" > /dev/null || fail "list --json is not JSON"
[[ $("$jq" "$tmp/list.json" root) == "$root" ]] || fail "list --json: root"
[[ $("$jq" "$tmp/list.json" specs '#') == 7 ]] || fail "list --json: 7 specs"
q() { "$jq" "$tmp/list.json" specs "$@"; }
[[ $(q 0 state) == ignored && $(q 0 unit) == null && $(q 0 valid) == false ]] || fail "list --json: README"
[[ $(q 1 state) == invalid && $(q 1 error) == *'key "mode"'* && $(q 1 mode) == null ]] || fail "list --json: bad"
[[ $(q 2 unit) == hello.service && $(q 2 mode) == full && $(q 2 closurePaths) == 3 && $(q 2 binds) == 6 ]] ||
        fail "list --json: hello"
[[ $(q 2 shadowed) == '["/usr/lib/confinement.d/hello.service.json"]' && $(q 2 masked) == false ]] ||
        fail "list --json: hello shadows"
[[ $(q 3 state) == masked && $(q 3 masked) == true && $(q 3 valid) == true ]] || fail "list --json: legacy"
[[ $(q 3 shadowed 0) == /usr/lib/confinement.d/legacy.service.json ]] || fail "list --json: legacy masks"
[[ $(q 4 storeDir) == /nix/store && $(q 4 error) == null ]] || fail "list --json: roots"
[[ $(q 6 file) == /run/confinement.d/web@special.service.json ]] || fail "list --json: instance"

# an empty root
mkdir "$tmp/empty"
ctl 0 --root="$tmp/empty" list
has "$tmp/out" "0 specs listed."
ctl 0 --root="$tmp/empty" --json list
[[ $("$jq" "$tmp/out" specs '#') == 0 ]] || fail "list --json of nothing"

# --- per-verb help ------------------------------------------------------------
ctl 0 check --help
has "$tmp/out" "Usage: confinementctl [OPTIONS...] check [FILE...]"
has "$tmp/out" "--no-trust-check"
ctl 0 --help cat
has "$tmp/out" "Usage: confinementctl [OPTIONS...] cat UNIT..."
ctl 0 --help
has "$tmp/out" "Usage: confinementctl [OPTIONS...] COMMAND ..."

# --- check -------------------------------------------------------------------
ctl 1 --root="$root" check
has "$tmp/err" '/etc/confinement.d/bad.service.json: key "mode": expected "full-apivfs", "chroot-only" or "full", got "fulll".'
has "$tmp/err" '/usr/lib/confinement.d/README.json: "README" is not a service unit name'
has "$tmp/out" "/etc/confinement.d/hello.service.json: hello.service: valid, full, 3 closure paths."
has "$tmp/out" "/etc/confinement.d/legacy.service.json: legacy.service: masked, not confined."
# the reason reaches stdout too
has "$tmp/out" '/etc/confinement.d/bad.service.json: bad.service: invalid, will not start: key "mode": expected "full-apivfs", "chroot-only" or "full", got "fulll".'
has "$tmp/out" '/usr/lib/confinement.d/README.json: ignored: "README" is not a service unit name'
has "$tmp/out" "7 specs checked: 4 valid, 1 invalid, 1 masked, 1 ignored."
ctl 1 --root="$root" --quiet check
[[ ! -s $tmp/out ]] || fail "check --quiet printed on stdout"

# every spec good: 0
good=$tmp/good
cp -a "$root" "$good"
rm "$good/etc/confinement.d/bad.service.json" "$good/usr/lib/confinement.d/README.json"
ctl 0 --root="$good" check
has "$tmp/out" "5 specs checked: 4 valid, 1 masked."
ctl 0 --root="$good" -q check
[[ ! -s $tmp/out ]] || fail "check -q printed on stdout"
ctl 0 --root="$tmp/empty" check
has "$tmp/out" "No specs found."

# files given: the unit from the file name, closures under --root
mkdir -p "$tmp/files"
cp "$root/etc/confinement.d/hello.service.json" "$tmp/files/"
cp "$root/etc/confinement.d/bad.service.json" "$tmp/files/"
cp "$root/etc/confinement.d/hello.service.json" "$tmp/files/hello.json"
: > "$tmp/files/masked.service.json"
ctl 0 --root="$root" check "$tmp/files/hello.service.json"
has "$tmp/out" "$tmp/files/hello.service.json: hello.service: valid, full, 3 closure paths."
(cd "$tmp/files" && ctl 0 --root="$root" check hello.service.json masked.service.json)
has "$tmp/out" "hello.service.json: hello.service: valid"
has "$tmp/out" "masked.service.json: masked.service: masked"
ctl 1 --root="$root" check "$tmp/files/hello.service.json" "$tmp/files/bad.service.json"
has "$tmp/err" "$tmp/files/bad.service.json: key \"mode\": expected \"full-apivfs\", \"chroot-only\" or \"full\", got \"fulll\"."
has "$tmp/out" "2 specs checked: 1 valid, 1 invalid."
ctl 1 --root="$root" check "$tmp/files/hello.json"
has "$tmp/err" '"hello" is not a service unit name'
ctl 1 --root="$root" check "$tmp/files/nonexistent.service.json"
# a missing file is named as missing, not judged by its name
has "$tmp/err" "nonexistent.service.json: cannot check: No such file or directory"
has "$tmp/out" "nonexistent.service.json: missing."
ctl 1 check /nonexistent.json
has "$tmp/out" "/nonexistent.json: missing."
has "$tmp/out" "1 spec checked: 1 missing."
# the closures are looked up under --root: not on this machine
ctl 1 check "$tmp/files/hello.service.json"
has "$tmp/err" 'key "closureInfo"'

# every kind of mistake names file, key and what was expected
spec_case() {
        local name=$1 json=$2 message=$3
        printf '%s\n' "$json" > "$tmp/files/$name.service.json"
        ctl 1 --root="$root" check "$tmp/files/$name.service.json"
        has "$tmp/err" "$tmp/files/$name.service.json: $message"
}
spec_case typo '{ "closureInfo": "/etc/closures/hello", "bindPath": [] }' 'key "bindPath": unknown key; expected one of'
spec_case noclosure '{ "mode": "full" }' 'key "closureInfo": missing; expected the path of a closureInfo output'
spec_case notjson '{ "mode": ' 'line 2, column 0: invalid JSON'
spec_case relpath '{ "closureInfo": "etc/closures/hello" }' 'key "closureInfo": expected an absolute, normalized path'
spec_case nosh "{ \"closureInfo\": \"/etc/closures/data\", \"binSh\": \"$BUSYBOX/bin/sh\" }" 'key "binSh": expected a program in the closure'
spec_case nobind '{ "closureInfo": "/etc/closures/data", "bindPaths": ["/var/lib/missing"] }' 'key "bindPaths": /var/lib/missing cannot be bound'
spec_case badroot '{ "closureInfo": "/etc/closures/hello", "packages": ["/usr/bin/foo"] }' 'key "packages[0]": expected a path in the store directory /nix/store'
spec_case version '{ "version": 2, "closureInfo": "/etc/closures/hello" }' 'key "version": expected 1'

# a spec an unprivileged user could change is refused, as by the generator
writable=$tmp/writable
cp -a "$good" "$writable"
chmod o+w "$writable/etc/confinement.d/hello.service.json"
ctl 1 --root="$writable" check
has "$tmp/err" "refusing a spec an unprivileged user could change"

# --no-trust-check (a build sandbox, where the store belongs to nobody):
# the same files count, spec and closureInfo alike; check only
chmod o+w "$writable/etc/closures/all/registration"
ctl 0 --root="$writable" --no-trust-check check
has "$tmp/out" "5 specs checked: 4 valid, 1 masked."
ctl 0 --root="$writable" --no-trust-check check "$writable/etc/confinement.d/roots.service.json"
has "$tmp/out" "roots.service: valid, full-apivfs, 4 closure paths."
ctl 1 --root="$writable" check "$writable/etc/confinement.d/roots.service.json"
has "$tmp/err" "registration, which an unprivileged user could change"
ctl 1 --root="$writable" --no-trust-check list
has "$tmp/err" '--no-trust-check applies to "check" only'

# --unit-path: units from these directories (under --root) only
mkdir -p "$good/srv/units"
printf '[Service]\nExecStart=%s/bin/sh\n' "$BUSYBOX" > "$good/srv/units/roots.service"
ctl 0 --root="$good" --unit-path=/srv/units check "$good/etc/confinement.d/roots.service.json"
has "$tmp/out" "roots.service: valid, full-apivfs, 2 closure paths."
ctl 0 --root="$good" --unit-path=/nonexistent:/srv/units: check "$good/etc/confinement.d/roots.service.json"
has "$tmp/out" "roots.service: valid, full-apivfs, 2 closure paths."
ctl 0 --root="$good" --unit-path=/nonexistent check "$good/etc/confinement.d/roots.service.json"
has "$tmp/err" "roots.service does not exist (yet)"
has "$tmp/out" "roots.service: valid, full-apivfs, 1 closure path."
# cat and paths look there too
ctl 0 --root="$good" --unit-path=/srv/units --no-legend cat roots
has "$tmp/out" "BindPaths=/run/confinement-view$BUSYBOX:$BUSYBOX"
lacks "$tmp/out" "$HELLO"
ctl 0 --root="$good" --no-legend cat roots
has "$tmp/out" "BindPaths=/run/confinement-view$HELLO:$HELLO"
ctl 1 --unit-path=relative check
has "$tmp/err" "--unit-path= expects absolute paths"
ctl 1 --unit-path=/srv verify
has "$tmp/err" "--unit-path= does not apply"

# --- cat: exactly what the generator writes ---------------------------------
gen=$tmp/generated
mkdir "$gen"
"$generator" --root="$root" "$gen" 2> /dev/null
# cat_expect FILE...: the files of $gen as cat prints them
cat_expect() {
        local first=1 f
        for f in "$@"; do
                ((first)) || echo
                first=0
                echo "# /run/systemd/generator/$f"
                cat "$gen/$f"
        done
}
view='run-confinement\x2dview-nix-store.mount'
check_cat() {
        local unit=$1
        shift
        ctl 0 --root="$root" cat "$unit"
        cat_expect "$@" > "$tmp/want"
        diff -u "$tmp/want" "$tmp/out" || fail "cat $unit differs from the generator's output"
}
check_cat hello hello.service.d/50-confinement.conf "$view"
check_cat hello.service hello.service.d/50-confinement.conf "$view"
check_cat roots.service roots.service.d/50-confinement.conf "$view"
# an instance without a spec of its own: the template's drop-in
check_cat web@foo.service web@.service.d/50-confinement.conf "$view"
check_cat web@.service web@.service.d/50-confinement.conf "$view"
# an instance with its own spec, read-only binds: no view
check_cat web@special.service web@special.service.d/50-confinement.conf
# an invalid spec: the fail-closed drop-in, and the reason on stderr
check_cat bad.service bad.service.d/50-confinement.conf
has "$tmp/err" 'key "mode"'
# several units: each file once
ctl 0 --root="$root" cat hello web@a web@b
cat_expect hello.service.d/50-confinement.conf "$view" web@.service.d/50-confinement.conf > "$tmp/want"
diff -u "$tmp/want" "$tmp/out" || fail "cat of several units"
# masked: nothing
ctl 0 --root="$root" cat legacy
[[ ! -s $tmp/out ]] || fail "cat of a masked unit printed something"
has "$tmp/err" "masked; legacy.service is not confined"
# no spec
ctl 1 --root="$root" cat nothing
has "$tmp/err" "No spec confines nothing.service"
ctl 1 --root="$root" cat other@x.service
has "$tmp/err" "none named other@x.service.json or other@.service.json"
ctl 1 --root="$root" cat foo.socket
has "$tmp/err" "specs confine service units only"
# the generator wrote nothing else
(cd "$gen" && find . -type f | sort) > "$tmp/files-generated"
cat > "$tmp/want" <<'EOF'
./bad.service.d/50-confinement.conf
./hello.service.d/50-confinement.conf
./roots.service.d/50-confinement.conf
./run-confinement\x2dview-nix-store.mount
./web@.service.d/50-confinement.conf
./web@special.service.d/50-confinement.conf
EOF
diff -u "$tmp/want" "$tmp/files-generated" || fail "the generator's files"

# --- paths -------------------------------------------------------------------
ctl 0 --root="$root" --no-legend paths hello
cat > "$tmp/want" <<EOF
/                 empty read-only tmpfs (TemporaryFileSystem=/:ro)                    root     ro
/bin/sh           /run/confinement-view$BUSYBOX/bin/busybox  binSh    ro
/dev              private /dev (PrivateDevices=yes)                                   mode     rw
/dev/shm          private tmpfs (TemporaryFileSystem=/dev/shm)                        mode     rw
/etc/resolv.conf  /etc/resolv.conf                                                    extra    ro
/etc/ssl/certs    /etc/ssl/certs                                                      extra    ro, optional
$BUSYBOX  /run/confinement-view$BUSYBOX              closure  ro
$HELLO  /run/confinement-view$HELLO                closure  ro
$LIBFOO  /run/confinement-view$LIBFOO               closure  ro
/proc             procfs, own processes only (ProtectProc=invisible, ProcSubset=pid)  mode     rw
/run              empty tmpfs (MountAPIVFS=yes)                                       mode     rw
/sys              sysfs, read-only (ProtectKernelTunables=yes)                        mode     ro
/tmp              private directory (PrivateTmp=yes)                                  mode     rw
/var/tmp          private directory (PrivateTmp=yes)                                  mode     rw
EOF
# compare without the padding, which depends on the longest path
tr -s ' ' < "$tmp/want" > "$tmp/want.squeezed"
tr -s ' ' < "$tmp/out" > "$tmp/out.squeezed"
diff -u "$tmp/want.squeezed" "$tmp/out.squeezed" || fail "paths hello"
quiet_stderr

ctl 0 --root="$root" paths web@x
has "$tmp/out" "PATH "
has "$tmp/out" "6 paths visible to web@x.service: 4 from the closure, 2 others (mode chroot-only, spec /usr/lib/confinement.d/web@.service.json)."
grep -q '^/srv/web dir:50% *\/var\/lib\/web *extra *rw$' "$tmp/out" || fail "paths web@x: the writable bind"
lacks "$tmp/out" "/proc"
lacks "$tmp/out" "/dev"

ctl 0 --root="$root" --json paths web@special
cp "$tmp/out" "$tmp/paths.json"
p() { "$jq" "$tmp/paths.json" "$@"; }
[[ $(p unit) == web@special.service && $(p mode) == full-apivfs && $(p closurePaths) == 1 ]] || fail "paths --json"
[[ $(p paths "#") == 9 ]] || fail "paths --json: 9 paths (/, 1 closure path, 7 of the mode)"
[[ $(p paths 3 path) == "$DATA" && $(p paths 3 source) == "$DATA" && $(p paths 3 origin) == closure ]] ||
        fail "paths --json: the read-only closure path"
[[ $(p paths 3 access) == ro && $(p paths 3 optional) == false ]] || fail "paths --json: access"

# the unit's own PrivateTmp= decides /tmp and /var/tmp
ptmp=$tmp/privatetmp
cp -a "$good" "$ptmp"
echo "PrivateTmp=yes" >> "$ptmp/etc/systemd/system/web@.service"
echo "PrivateTmp=no" >> "$ptmp/etc/systemd/system/hello.service"
ctl 0 --root="$ptmp" --no-legend paths web@x
grep -q '^/tmp  *private directory (the unit.s PrivateTmp=yes)  *unit  *rw$' "$tmp/out" || fail "paths: PrivateTmp=yes"
grep -q '^/var/tmp ' "$tmp/out" || fail "paths: PrivateTmp=yes, /var/tmp"
ctl 0 --root="$ptmp" --no-legend paths hello
lacks "$tmp/out" "/tmp"
has "$tmp/out" "/proc"

# the unit's own values of the mode's settings stand, and list shows them
echo "PrivateDevices=no" >> "$ptmp/etc/systemd/system/hello.service"
ctl 0 --root="$ptmp" --no-legend paths hello
grep -q "^/dev  *the host's /dev (the unit's PrivateDevices=no)  *unit  *rw$" "$tmp/out" || fail "paths: PrivateDevices=no"
ctl 0 --root="$ptmp" --no-legend list
has "$tmp/out" "(the unit's PrivateDevices=no PrivateTmp=no)"
ctl 0 --root="$ptmp" --json list
cp "$tmp/out" "$tmp/list-own.json"
grep -q '"PrivateDevices": "no"' "$tmp/list-own.json" || fail "list --json: unitSettings"
ctl 0 --root="$ptmp" cat hello
has "$tmp/out" "# PrivateDevices=no as the unit sets it."

ctl 1 --root="$root" paths bad
has "$tmp/err" "bad.service will not start"
ctl 1 --root="$root" paths legacy
has "$tmp/err" "legacy.service is not confined"
ctl 1 --root="$root" paths nothing

echo "PASS"
