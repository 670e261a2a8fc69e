#!/bin/bash
# Tests of confinementctl new and refresh against a temporary root, with the
# fake store of lib.sh and a fake nix-store in $PATH (fake-nix-store), so
# that no Nix database is needed: the spec and closureInfo written, the
# options, --force, the failures that write nothing, refresh after the
# unit's store path changed. The e2e case ctl-new does the same with the
# real nix-store in a booted container.
#
# Usage: test-new.sh CONFINEMENTCTL JSON-QUERY
# With CTL_WRAP set (valgrind ...), as test-ctl.sh.
set -euo pipefail

ctl_bin=$(realpath "${1:?confinementctl}")
jq=$(realpath "${2:?json-query}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ctl/lib.sh
source "$here/lib.sh"

tmp=$(mktemp -d /tmp/confinementctl-new.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/etc/systemd/system" "$tmp/bin"
make_store "$root"
ln -s "$here/fake-nix-store" "$tmp/bin/nix-store"
CTL_PATH=$tmp/bin # ctl (lib.sh) finds the fake nix-store
units=$root/etc/systemd/system
printf '[Service]\nExecStartPre=%s/bin/sh -c true\nExecStart=%s/bin/hello --flag\n' "$BUSYBOX" "$HELLO" > "$units/app.service"
printf '[Service]\nExecStart=/usr/bin/true\nEnvironment=X=%s\n' "$DATA" > "$units/plain.service"
printf '[Service]\nExecStart=/nix/store/00000000000000000000000000000000-gone/bin/x\n' > "$units/gone.service"
printf '[Service]\nExecStart=%s/bin/hello\n' "$HELLO" > "$units/tmpl@.service"
closures=/var/lib/confinement/closures

# a listing of every file under the root with its contents' checksum
snapshot() {
        (
                cd "$root"
                find . -path ./nix -prune -o -type f -print0 | sort -z | xargs -0 -r md5sum
                find . -path ./nix -prune -o -print | sort
        ) > "$1"
}
# fails_cleanly MESSAGE ARG...: exit status 1, MESSAGE on stderr, nothing written
fails_cleanly() {
        local msg=$1
        shift
        snapshot "$tmp/before"
        ctl 1 --root="$root" "$@"
        has "$tmp/err" "$msg"
        snapshot "$tmp/after"
        cmp -s "$tmp/before" "$tmp/after" || { diff "$tmp/before" "$tmp/after" >&2; fail "confinementctl $*: wrote something"; }
}

# --- new ---------------------------------------------------------------------
ctl 0 --root="$root" new app
has "$tmp/out" "Running $here/fake-nix-store ($tmp/bin/nix-store, found in \$PATH; only root can change it)."
has "$tmp/out" "Wrote /etc/systemd/system/app.service.d/10-confinement-guard.conf"
has "$tmp/out" "Wrote $closures/app.service/store-paths (3 store paths from nix-store) and registration."
has "$tmp/out" "Wrote /etc/confinement.d/app.service.json"
has "$tmp/out" 'Run "systemctl daemon-reload"'
printf '%s\n' "$BUSYBOX" "$HELLO" "$LIBFOO" | LC_ALL=C sort > "$tmp/want"
cmp "$tmp/want" "$root$closures/app.service/store-paths" || fail "new: store-paths"
closure_info "$tmp" /want-ci "$HELLO" "$BUSYBOX"
cmp "$tmp/want-ci/registration" "$root$closures/app.service/registration" || fail "new: registration"
cat > "$tmp/want.json" <<JSON
{
  "version": 1,
  "mode": "full-apivfs",
  "closureInfo": "$closures/app.service",
  "unitRoots": "exec"
}
JSON
cmp "$tmp/want.json" "$root/etc/confinement.d/app.service.json" || fail "new: the spec"
[[ $(stat -c %a "$root/etc/confinement.d/app.service.json") == 644 ]] || fail "new: spec mode"
[[ $(stat -c %a "$root$closures/app.service") == 755 ]] || fail "new: closure directory mode"
# the generator takes it as it is: valid, the closure of the Exec*= roots
ctl 0 --root="$root" check
has "$tmp/out" "app.service: valid, full-apivfs, 3 closure paths."
# bindMethod "overlay", the default: the drop-in's one bind of the
# closure's overlay, and the layer unit it requires, which runs the
# installed generator (not confinementctl)
ctl 0 --root="$root" cat app
has "$tmp/out" "BindReadOnlyPaths=/run/confinement-layer/"
has "$tmp/out" "# /run/systemd/generator/confinement-layer@.service"
has "$tmp/out" "confinement-generator --closure-layer start /run/systemd/generator/confinement-layer/%i /run/confinement-layer/%i"
! grep -q -e confinement-view -e "confinementctl --closure-layer" "$tmp/out" || fail "cat app: not the overlay's files"
ctl 0 --root="$root" paths app
grep -q "^$HELLO  */run/confinement-layer/[0-9a-f]*/root/[0-9a-f]*/${HELLO##*/}  *closure  *ro$" "$tmp/out" ||
        { cat "$tmp/out" >&2; fail "paths app: the store path from the overlay"; }
has "$tmp/out" "Its store paths come through its closure's directory of the read-only overlay of every closure, one bind at /nix/store"

# the guard (issue 23): the unit refuses to start unless the generator's
# drop-in is in place, whatever a reload with a full /run left
guard=$root/etc/systemd/system/app.service.d/10-confinement-guard.conf
grep -qx 'AssertPathExists=/run/systemd/generator/app.service.d/50-confinement.conf' "$guard" ||
        fail "new: the guard drop-in"
# the store tool: found in $PATH, shown, and only root's (or ours) to change
mkdir -p "$tmp/open-bin"
cp "$here/fake-nix-store" "$tmp/open-bin/nix-store"
chmod 0777 "$tmp/open-bin"
snapshot "$tmp/before"
rc=0
PATH=$tmp/open-bin "$ctl_bin" --root="$root" new --force app > "$tmp/out" 2> "$tmp/err" || rc=$?
((rc == 1)) || fail "new with a nix-store others may replace: exit status $rc"
has "$tmp/err" "Refusing to run $tmp/open-bin/nix-store ($tmp/open-bin/nix-store, found in \$PATH): $tmp/open-bin is writable by anyone (mode 0777)."
snapshot "$tmp/after"
cmp -s "$tmp/before" "$tmp/after" || fail "new with an untrusted nix-store wrote something"
rm -rf "$tmp/open-bin"

# a spec in another spec directory (a vendor's, maybe stricter): not
# shadowed without --force
mkdir -p "$root/usr/lib/confinement.d"
printf '{"mode": "full", "closureInfo": "%s/app.service"}\n' "$closures" > "$root/usr/lib/confinement.d/tmpl@.service.json"
fails_cleanly "/usr/lib/confinement.d/tmpl@.service.json exists, which /etc/confinement.d/tmpl@.service.json would take the place of" new tmpl@.service
rm "$root/usr/lib/confinement.d/tmpl@.service.json"

# exists: refused without --force, replaced with it
fails_cleanly "/etc/confinement.d/app.service.json exists; \"confinementctl new --force\" replaces it." new app
ctl 0 --root="$root" new --force --mode=full --bin-sh="$BUSYBOX/bin/sh" --bind-ro=/etc/resolv.conf \
        --bind=-/var/lib/app:/srv/app app
j() { "$jq" "$root/etc/confinement.d/app.service.json" "$@"; }
[[ $(j mode) == full && $(j binSh) == "$BUSYBOX/bin/sh" && $(j unitRoots) == exec ]] || fail "new: options"
[[ $(j bindReadOnlyPaths 0) == /etc/resolv.conf ]] || fail "new: --bind-ro"
[[ $(j bindPaths 0 source) == /var/lib/app && $(j bindPaths 0 target) == /srv/app && $(j bindPaths 0 optional) == true ]] ||
        fail "new: --bind"
echo "nameserver 127.0.0.1" > "$root/etc/resolv.conf"
ctl 0 --root="$root" check
has "$tmp/out" "app.service: valid, full, 3 closure paths."

# --needs: comma-separated, repeatable, "-" optional; paths shows each need's origin
ctl 0 --root="$root" new --force --mode=full --bin-sh="$BUSYBOX/bin/sh" --bind=-/var/lib/app:/srv/app \
        --needs=-dns,time --needs=-journal app
[[ $(j needs 0) == -dns && $(j needs 1) == time && $(j needs 2) == -journal ]] || fail "new: --needs"
fails_cleanly 'need "time": /etc/localtime is missing' check
mkdir -p "$root/usr/share/zoneinfo"
echo TZif > "$root/usr/share/zoneinfo/UTC"
ln -s ../usr/share/zoneinfo/UTC "$root/etc/localtime"
ctl 0 --root="$root" check
has "$tmp/out" "app.service: valid"
ctl 0 --root="$root" paths app
grep -q "^/etc/resolv.conf  */etc/resolv.conf  *need:dns  *ro, optional" "$tmp/out" ||
        { cat "$tmp/out" >&2; fail "paths app: /etc/resolv.conf from need dns"; }
grep -q "^/etc/localtime  */usr/share/zoneinfo/UTC  *need:time  *ro$" "$tmp/out" ||
        { cat "$tmp/out" >&2; fail "paths app: /etc/localtime from need time"; }
# sockets are made at run time: bound as named, "-" when optional
grep -q "^/run/systemd/journal/socket  */run/systemd/journal/socket  *need:journal  *ro, optional$" "$tmp/out" ||
        { cat "$tmp/out" >&2; fail "paths app: the journal's socket"; }

# a template: its instances share the spec
ctl 0 --root="$root" new tmpl@.service
ctl 0 --root="$root" check
has "$tmp/out" "tmpl@.service: valid"

# --- failures write nothing ------------------------------------------------
fails_cleanly "Unit nosuch.service not found in the unit search path" new nosuch
fails_cleanly "plain.service (/etc/systemd/system/plain.service) names no store path of /nix/store or /gnu/store in ExecStart=" new plain
fails_cleanly "nix-store --query --requisites failed (exit status 1): error: path '/nix/store/00000000000000000000000000000000-gone' is not valid" new gone
fails_cleanly 'key "mode": expected "full-apivfs", "chroot-only" or "full", got "fulll"' new --mode=fulll --force app
fails_cleanly 'key "bindPaths[0]"' new --bind=relative --force app
fails_cleanly "binSh /usr/bin/nosh: cannot resolve it" new --bin-sh=/usr/bin/nosh --force app
fails_cleanly "is not in /nix/store" new --bin-sh=/etc/resolv.conf --force app
fails_cleanly '"new" expects 1 argument, got 0' new
fails_cleanly '--mode=, --bin-sh=, --bind=, --bind-ro= and --needs= apply to "new" only.' --mode=full refresh
fails_cleanly '--mode=, --bin-sh=, --bind=, --bind-ro= and --needs= apply to "new" only.' --needs=dns refresh
fails_cleanly 'key "needs[0]": expected a need' new --needs=dnss --force app
fails_cleanly 'key "needs[1]": need "dns" is named twice.' new --needs=dns,-dns --force app
# no nix-store at all: a store it cannot read
snapshot "$tmp/before"
rc=0
PATH=/nonexistent "$ctl_bin" --root="$root" new --force app > "$tmp/out" 2> "$tmp/err" || rc=$?
((rc == 1)) || fail "new without nix-store: exit status $rc"
has "$tmp/err" "nix-store --query --requisites failed (exit status 127): cannot run nix-store: No such file or directory"
snapshot "$tmp/after"
cmp -s "$tmp/before" "$tmp/after" || fail "new without nix-store wrote something"

# --- refresh -----------------------------------------------------------------
ctl 0 --root="$root" refresh
has "$tmp/out" "app.service: up to date (3 store paths)."
has "$tmp/out" "tmpl@.service: up to date (3 store paths)."
# the unit now runs another store path (a new version): its closure follows
printf '[Service]\nExecStart=%s/bin/data\n' "$DATA" > "$units/tmpl@.service"
ctl 1 --root="$root" check
has "$tmp/out" "tmpl@.service: invalid"
has "$tmp/err" "which is not in the store-paths of closureInfo"
ctl 0 --root="$root" refresh tmpl@.service
has "$tmp/out" "tmpl@.service: wrote $closures/tmpl@.service (1 store path)."
has "$tmp/out" 'Run "systemctl daemon-reload"'
[[ $(cat "$root$closures/tmpl@.service/store-paths") == "$DATA" ]] || fail "refresh: store-paths"
ctl 0 --root="$root" check
has "$tmp/out" "tmpl@.service: valid, full-apivfs, 1 closure path."
# app keeps its binSh in the closure: busybox stays after its Exec*= change
printf '[Service]\nExecStart=%s/bin/data\n' "$DATA" > "$units/app.service"
ctl 0 --root="$root" refresh
printf '%s\n' "$BUSYBOX" "$DATA" | LC_ALL=C sort > "$tmp/want"
cmp "$tmp/want" "$root$closures/app.service/store-paths" || fail "refresh: binSh stays a root"
# hand-written specs are left alone by refresh, and refused by name
printf '{ "closureInfo": "/etc/closures/x" }\n' > "$root/etc/confinement.d/plain.service.json"
ctl 0 --root="$root" refresh
# and a broken one too (check reports it), when refreshing all
echo '{ "mode": "fulll", "closureInfo": "/x" }' > "$root/etc/confinement.d/broken.service.json"
ctl 0 --root="$root" refresh
[[ ! -s $tmp/err ]] || fail "refresh: messages about specs not made by new"
fails_cleanly 'key "mode"' refresh broken
rm "$root/etc/confinement.d/broken.service.json"
fails_cleanly "plain.service.json was not made by \"confinementctl new\"" refresh plain
fails_cleanly "/etc/confinement.d/nosuch.service.json: no such spec" refresh nosuch
printf '[Service]\nExecStart=/usr/bin/true\n' > "$units/app.service"
fails_cleanly "app.service (/etc/systemd/system/app.service) names no store path of /nix/store in ExecStart=" refresh app

echo "PASS"
