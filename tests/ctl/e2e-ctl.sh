#!/bin/bash
# End-to-end tests of confinementctl verify and reload (and cat, check on a
# live system) against a real systemd: PID 1 in a systemd-nspawn container
# booted from the e2e suite's debootstrapped Debian (tests/e2e/lib), with
# the Nix fixtures of tests/fixtures/nix.
#
# Usage: tests/ctl/e2e-ctl.sh [--suite SUITE] [--keep] [GENERATOR [CONFINEMENTCTL [JSON-QUERY]]]
#   defaults: build/generator/confinement-generator,
#   build/confinementctl/confinementctl, build/tests/ctl/json-query
#
# Prints "PASS name" or "FAIL name: reason" per step, then "N passed, N
# failed"; exits non-zero when anything failed. Runs as root. Environment as
# for tests/e2e/run.sh (E2E_FIXTURES, CONFINEMENT_ROOTFS_CACHE, ...).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/e2e/lib/rootfs.sh
source "$repo/tests/e2e/lib/rootfs.sh"
# shellcheck source=tests/e2e/lib/container.sh
source "$repo/tests/e2e/lib/container.sh"
# shellcheck source=tests/e2e/lib/harness.sh
source "$repo/tests/e2e/lib/harness.sh"

suite=bookworm
keep=0
args=()
while (($#)); do
        case $1 in
        --suite) suite=${2:?--suite needs a value}; shift 2 ;;
        --suite=*) suite=${1#--suite=}; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) echo "$0: unknown option $1" >&2; exit 2 ;;
        *) args+=("$1"); shift ;;
        esac
done
generator=$(realpath "${args[0]:-$repo/build/generator/confinement-generator}")
ctl_bin=$(realpath "${args[1]:-$repo/build/confinementctl/confinementctl}")
jq=$(realpath "${args[2]:-$repo/build/tests/ctl/json-query}")

: "${E2E_FIXTURES:=/var/cache/confinement-generator/fixtures}"
CEXEC_TIMEOUT=60

trap cleanup EXIT
((EUID == 0)) || fail_all "must run as root" setup
for f in "$generator" "$ctl_bin" "$jq"; do
        [[ -x $f ]] || fail_all "no executable $f" setup
done

make_run_dir confinementctl-e2e
ROOT=

"$repo/tests/fixtures/nix/build-closures.sh" "$E2E_FIXTURES" 10 > "$logs/fixtures.log" 2>&1 ||
        fail_all "building the Nix fixtures failed (see $logs/fixtures.log)" setup
# shellcheck source=/dev/null
source "$E2E_FIXTURES/paths.env"
ROOT=$(rootfs_instance "$suite" "$run_dir" 2> "$logs/rootfs.log") ||
        fail_all "no rootfs for $suite (see $logs/rootfs.log)" setup

# --- setup: units and specs ------------------------------------------------

closures=/usr/lib/e2e-ctl/closures
etc=$ROOT/etc/confinement.d
units=$ROOT/etc/systemd/system
install -D -m 755 "$generator" "$ROOT/usr/lib/systemd/system-generators/confinement-generator"
install -D -m 755 "$ctl_bin" "$ROOT/usr/bin/confinementctl"
mkdir -p "$ROOT$closures" "$etc" "$units/multi-user.target.wants"
# shellcheck disable=SC2153 # CLOSURES is paths.env's
cp -a "$CLOSURES/busybox" "$ROOT$closures/busybox"

# service NAME [LINES]: a long-running busybox service, enabled (loaded at boot)
service() {
        local name=$1 lines=${2:-}
        {
                echo "[Unit]"
                echo "Description=confinementctl e2e $name"
                echo "[Service]"
                [[ -n $lines ]] && printf '%s\n' "$lines"
                echo "ExecStart=$BUSYBOX/bin/busybox sleep 3600"
                echo "[Install]"
                echo "WantedBy=multi-user.target"
        } > "$units/$name"
}
enable() {
        ln -sf "../$1" "$units/multi-user.target.wants/${2:-$1}"
}
# spec_json MODE [EXTRA-MEMBERS]
spec_json() {
        printf '{ "mode": "%s", "closureInfo": "%s/busybox"%s }\n' "$1" "$closures" "${2:+, $2}"
}

service c-ok.service
enable c-ok.service
spec_json full '"bindReadOnlyPaths": ["/etc/hostname", { "source": "/etc/e2e missing", "optional": true }]' \
        > "$etc/c-ok.service.json"
# full for a user that is not root: its filter and capabilities too
service c-user.service "DynamicUser=yes"
enable c-user.service
spec_json full > "$etc/c-user.service.json"
service c-tmpl@.service
enable c-tmpl@.service c-tmpl@a.service
spec_json chroot-only > "$etc/c-tmpl@.service.json"
service c-outdated.service
enable c-outdated.service
spec_json full-apivfs > "$etc/c-outdated.service.json"
service c-nospec.service
enable c-nospec.service
spec_json full-apivfs > "$etc/c-nospec.service.json"
service c-override.service
enable c-override.service
spec_json full-apivfs > "$etc/c-override.service.json"
mkdir -p "$units/c-override.service.d"
# PrivateDevices= is the unit's to choose (a note); RestrictSUIDSGID= is not
printf '[Service]\nPrivateDevices=no\nRestrictSUIDSGID=no\nBindReadOnlyPaths=/etc/os-release\n' \
        > "$units/c-override.service.d/90-admin.conf"
service c-bad.service
enable c-bad.service
echo '{ "mode": "fulll", "closureInfo": "/nowhere" }' > "$etc/c-bad.service.json"
# a drop-in after the generator's that undoes the confinement
service c-reset.service
enable c-reset.service
spec_json full-apivfs > "$etc/c-reset.service.json"
mkdir -p "$units/c-reset.service.d"
printf '[Service]\nRootDirectory=\nTemporaryFileSystem=\n' > "$units/c-reset.service.d/99-reset.conf"
# a spec whose unit does not exist
spec_json full-apivfs > "$etc/c-ghost.service.json"
# an unconfined unit without spec
service c-plain.service
enable c-plain.service

# valgrind from the host (same Debian), for the leak checks of verify and reload
vg=0
if command -v valgrind > /dev/null && [[ -d /usr/libexec/valgrind ]]; then
        mkdir -p "$ROOT/usr/libexec" "$ROOT/usr/lib/valgrind"
        cp -a /usr/bin/valgrind /usr/bin/valgrind.bin "$ROOT/usr/bin/"
        cp -a /usr/libexec/valgrind "$ROOT/usr/libexec/"
        cp -a /usr/lib/valgrind/. "$ROOT/usr/lib/valgrind/"
        # memcheck needs ld.so's symbols (libc6-dbg)
        if dpkg -L libc6-dbg > /dev/null 2>&1; then
                dpkg -L libc6-dbg | while read -r f; do
                        [[ -f $f ]] && install -D -m 644 "$f" "$ROOT$f"
                done
        fi
        vg=1
fi

CONTAINER_LOG=$logs/console.log
container_boot "ctl-$$" "$ROOT" --overlay=/nix::/nix 2> "$logs/boot.log" ||
        fail_all "the container did not boot (see $logs/boot.log, $logs/console.log)" setup

# --- steps -------------------------------------------------------------------

# ctl NAME EXPECTED-STATUS ARG...: confinementctl in the container; output in
# $out and $err; records a failure unless it exits with EXPECTED-STATUS
out=$run_dir/out
err=$run_dir/err
step_ok=1
ctl() {
        local name=$1 want=$2 rc=0
        shift 2
        cexec env SYSTEMD_COLORS=0 confinementctl "$@" > "$out" 2> "$err" || rc=$?
        cp "$out" "$logs/$name.out"
        cp "$err" "$logs/$name.err"
        if ((rc != want)); then
                fail "$name" "confinementctl $* exited $rc, expected $want: $(tr '\n' ' ' < "$out" | cut -c1-400) $(tr '\n' ' ' < "$err" | cut -c1-300)"
                step_ok=0
                return 1
        fi
}
expect() { # NAME FILE STRING
        if ! grep -qF -- "$3" "$2"; then
                fail "$1" "no \"$3\" in: $(tr '\n' ' ' < "$2" | cut -c1-500)"
                step_ok=0
                return 1
        fi
}
step() { # NAME: pass unless a check of the step failed
        if ((step_ok)); then pass "$1"; fi
        step_ok=1
}

# A live system: cat is exactly what the generator wrote at boot (and the
# generator's own drop-ins of the last run do not count as the unit's).
for u in c-ok.service c-tmpl@a.service c-bad.service; do
        ctl "cat-$u" 0 cat "$u" || continue
        gen=$(cpath /run/systemd/generator)
        t=${u/@a./@.}
        { echo "# /run/systemd/generator/$t.d/50-confinement.conf"; cat "$gen/$t.d/50-confinement.conf"
          if [[ $u != c-bad.service ]]; then
                  layer=confinement-layer@.service
                  echo; printf '# /run/systemd/generator/%s\n' "$layer"
                  cat "$gen/$layer"
                  # and the closure's list of names in its generation, which
                  # the generation unit reads: confinement-layer/GEN/ID
                  list=confinement-layer/$(sed -n 's|^BindReadOnlyPaths=/run/confinement-layer/\([0-9a-f]*\)/root/\([0-9a-f]*\):.*|\1/\2|p' \
                          "$gen/$t.d/50-confinement.conf")
                  echo; printf '# /run/systemd/generator/%s\n' "$list"
                  cat "$gen/$list"
          fi; } > "$run_dir/want"
        diff -u "$run_dir/want" "$out" > "$logs/cat-$u.diff" ||
                { fail "cat-$u" "differs from /run/systemd/generator (see $logs/cat-$u.diff)"; step_ok=0; }
        step "cat-$u"
done

ctl check-live 1 check && expect check-live "$err" 'c-bad.service.json: key "mode"' &&
        expect check-live "$out" "c-ok.service: valid, full"
step check-live

# What verify compares, and what it skips, for the logs.
cexec env SYSTEMD_LOG_LEVEL=debug confinementctl verify c-ok.service c-tmpl@a.service c-bad.service \
        > "$logs/verify-debug.log" 2>&1 || true

# No leaks, no memory errors in the bus verbs either.
valgrind_step() { # NAME EXPECTED-STATUS ARG...
        local name=$1 want=$2 rc=0
        shift 2
        ((vg)) || { fail "$name" "no valgrind on the host"; return; }
        cexec valgrind --quiet --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
                --error-exitcode=99 confinementctl "$@" > "$logs/$name.out" 2> "$logs/$name.err" || rc=$?
        if ((rc != want)); then
                fail "$name" "exit status $rc, expected $want: $(grep -v '^[^=]' "$logs/$name.err" | head -c 600 | tr '\n' ' ')"
        else
                pass "$name"
        fi
}
valgrind_step valgrind-verify 26 verify
valgrind_step valgrind-verify-json 26 --json verify
valgrind_step valgrind-verify-units 2 verify c-ok c-override c-tmpl@.service c-plain nothing

# Units as the spec says: 0.
ctl verify-ok 0 verify c-ok.service c-tmpl@a.service c-outdated c-nospec && expect verify-ok "$out" "4 units verified: 4 ok."
step verify-ok
ctl verify-template 0 verify c-tmpl@.service && expect verify-template "$out" "c-tmpl@a.service"
step verify-template
ctl verify-user 0 verify c-user.service && expect verify-user "$out" "1 unit verified: 1 ok."
step verify-user
ctl verify-plain 0 verify c-plain.service && expect verify-plain "$out" "unconfined"
step verify-plain

# Another setting of the unit undoes part of its confinement: 2.
ctl verify-override 2 verify c-override.service && expect verify-override "$out" "differs" &&
        expect verify-override "$out" "RestrictSUIDSGID: is no, the spec wants yes." &&
        expect verify-override "$out" "PrivateDevices=no is the unit's own (the mode's value is a default)." &&
        expect verify-override "$out" "BindReadOnlyPaths: /etc/os-release is bound by the unit's own settings"
step verify-override
# An invalid spec: 16; the unit is loaded with its fail-closed drop-in.
ctl verify-bad 16 verify c-bad.service && expect verify-bad "$out" "invalid" &&
        expect verify-bad "$out" 'key "mode"'
step verify-bad

ctl verify-reset 16 verify c-reset.service && expect verify-reset "$out" "invalid" &&
        expect verify-reset "$out" "resets the confinement (/etc/systemd/system/c-reset.service.d/99-reset.conf:2: RootDirectory=)"
step verify-reset
# A spec whose unit is not loaded: 8.
ctl verify-ghost 8 verify c-ghost.service && expect verify-ghost "$out" "not-loaded"
step verify-ghost
# Everything: 2|8|16.
ctl verify-all 26 verify
expect verify-all "$out" "c-ok.service" && expect verify-all "$out" "c-override.service"
if grep -q "c-plain" "$out"; then fail verify-all "lists the unconfined c-plain.service"; step_ok=0; fi
step verify-all
ctl verify-json 26 --json verify
if "$jq" "$out" > /dev/null 2>&1 && [[ $("$jq" "$out" status) == 26 ]]; then
        n=$("$jq" "$out" units '#')
        found=0
        for ((i = 0; i < n; i++)); do
                [[ $("$jq" "$out" units $i unit) == c-override.service ]] || continue
                [[ $("$jq" "$out" units $i state) == differs && $("$jq" "$out" units $i status) == 2 ]] && found=1
        done
        ((found)) || { fail verify-json "no c-override.service that differs"; step_ok=0; }
else
        fail verify-json "not JSON, or status is not 26"
        step_ok=0
fi
step verify-json

# Specs changed, no reload yet: outdated (2); removed: no-spec (4).
spec_json full-apivfs '"bindReadOnlyPaths": ["/etc/hostname"]' > "$(cpath /etc/confinement.d/c-outdated.service.json)"
rm "$(cpath /etc/confinement.d/c-nospec.service.json)"
ctl verify-outdated 2 verify c-outdated.service && expect verify-outdated "$out" "outdated" &&
        expect verify-outdated "$out" "is outdated: the spec changed since the last daemon-reload" &&
        expect verify-outdated "$out" "BindReadOnlyPaths: /etc/hostname is missing."
step verify-outdated
ctl verify-nospec 4 verify c-nospec.service && expect verify-nospec "$out" "no-spec" &&
        expect verify-nospec "$out" "no spec confines it"
step verify-nospec

# reload refuses while a spec is invalid ...
ctl reload-refused 1 reload && expect reload-refused "$err" "Not reloading: 2 specs cannot be honoured"
step reload-refused
# ... reloads with --force, and tells whose confinement changed.
ctl reload-force 0 reload --force && expect reload-force "$out" "Reloaded systemd." &&
        expect reload-force "$out" "c-outdated.service: confinement changed; running, restart to apply: c-outdated.service." &&
        expect reload-force "$out" "c-nospec.service: no longer confined; running, restart to apply: c-nospec.service."
if grep -q "c-ok.service" "$out"; then fail reload-force "lists the unchanged c-ok.service"; step_ok=0; fi
step reload-force
ctl verify-reloaded 0 verify c-outdated.service c-nospec.service c-ok.service
step verify-reloaded

# Once the invalid spec is gone, reload needs no --force.
rm "$(cpath /etc/confinement.d/c-bad.service.json)" "$(cpath /etc/confinement.d/c-reset.service.json)"
spec_json chroot-only > "$(cpath /etc/confinement.d/c-plain.service.json)"
ctl reload-clean 0 reload && expect reload-clean "$out" "c-bad.service: no longer confined" &&
        expect reload-clean "$out" "c-plain.service: now confined; running, restart to apply: c-plain.service."
step reload-clean
ctl reload-nothing 0 reload && expect reload-nothing "$out" "No confinement changed."
step reload-nothing
valgrind_step valgrind-reload 0 reload
cexec systemctl restart c-plain.service > "$logs/restart.log" 2>&1 || true
ctl verify-final 10 verify && expect verify-final "$out" "c-ghost.service" &&
        expect verify-final "$out" "c-override.service"
step verify-final

CEXEC_TIMEOUT=20 cexec journalctl -b --no-pager > "$logs/journal.txt" 2>&1 || true
# cleaned up first, so that the summary is the last line
cleanup
trap - EXIT
summary
