#!/bin/bash
# End-to-end tests of confinement-generator against a real systemd (PID 1 in
# a systemd-nspawn container booted from a debootstrapped Debian rootfs) and
# real Nix store paths (tests/fixtures/nix).
#
# Usage: tests/e2e/run.sh [--suite SUITE] [--vm] [--keep] [--case NAME]... [--deb FILE | [--generator] GENERATOR]
#   GENERATOR   the built binary (default: build/generator/confinement-generator)
#   --deb       install this .deb (dpkg-buildpackage's) into the rootfs
#               instance with its dpkg instead of copying the binary, and
#               check that the generator is where systemd looks
#   --suite     Debian suite of the rootfs: bookworm (systemd 252, the
#               default), trixie (257) or sid (the newest, 262 when written)
#   --case      run only the named cases (repeatable)
#   --vm        the VM lane: the same cases in a qemu machine that boots the
#               suite's own Debian kernel and initramfs, systemd as PID 1 on
#               cgroup v2 (lib/vm.sh); KVM when a probe shows that it works,
#               else TCG
#   --keep      keep the run directory (rootfs instance, logs) even when all pass
#   --list      print the names of the cases and exit
#
# After the cases, "generated-files-parse" fails when systemd logged that it
# could not parse or ignored a line of a generated file (in any case).
# Prints "PASS name" or "FAIL name: reason" per case and then "N passed,
# N failed" as the last line; exits non-zero when anything failed.  A missing
# tool or a failed setup step fails every case; nothing is skipped.  Where
# systemd versions differ, a case checks what its version does and says so:
# "PASS name [KNOWN DIFFERENCE, systemd V: why]"; where kernels differ,
# "[KNOWN DIFFERENCE, kernel V: why]"; where the container is not what a
# machine does, "[KNOWN DIFFERENCE, container: why]" (never in the VM
# lane).  Runs as root.
#
# Environment: E2E_FIXTURES (default /var/cache/confinement-generator/fixtures)
# where the Nix fixtures are built; CONFINEMENT_ROOTFS_CACHE, CONFINEMENT_MIRROR
# (lib/rootfs.sh); E2E_CASE_TIMEOUT (seconds per case, default 90);
# E2E_REASON_MAX (characters of a failure reason shown, default 1200);
# VM_ACCEL, VM_MEMORY, VM_RUN_TIMEOUT (lib/vm.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/e2e/lib/rootfs.sh
source "$here/lib/rootfs.sh"
# shellcheck source=tests/e2e/lib/container.sh
source "$here/lib/container.sh"
# shellcheck source=tests/e2e/lib/vm.sh
source "$here/lib/vm.sh"
# shellcheck source=tests/e2e/lib/harness.sh
source "$here/lib/harness.sh"
# shellcheck source=tests/e2e/lib/cases.sh
source "$here/lib/cases.sh"
# The case groups (cases/README.md); cases run in the order their groups
# register them.  First these, in this order (the order in which their
# cases ran when they still stood in lib/cases.sh), then every other group
# by file name.
first_groups=(closure fail-closed services specs units matrix)
for _group in "${first_groups[@]}"; do
        # shellcheck source=/dev/null
        source "$here/cases/$_group.sh"
done
for _group in "$here"/cases/*.sh; do
        [[ -f $_group && " ${first_groups[*]} " != *" $(basename "$_group" .sh) "* ]] || continue
        # shellcheck source=/dev/null
        source "$_group"
done
unset _group

suite=bookworm
keep=0
# container, vm (the host's side of the VM lane) or in-vm (run.sh in the
# machine, started by the VM lane's runner unit)
lane=container
only=()
deb=
generator=$repo/build/generator/confinement-generator
while (($#)); do
        case $1 in
        --suite) suite=${2:?--suite needs a value}; shift 2 ;;
        --suite=*) suite=${1#--suite=}; shift ;;
        --case) only+=("${2:?--case needs a value}"); shift 2 ;;
        --case=*) only+=("${1#--case=}"); shift ;;
        --generator) generator=${2:?--generator needs a value}; shift 2 ;;
        --generator=*) generator=${1#--generator=}; shift ;;
        --deb) deb=$(realpath "${2:?--deb needs a value}"); shift 2 ;;
        --keep) keep=1; shift ;;
        --vm) lane=vm; shift ;;
        --in-vm) lane=in-vm; shift ;;
        --list) printf '%s\n' "${ALL_CASES[@]}"; exit 0 ;;
        -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) echo "$0: unknown option $1" >&2; exit 2 ;;
        *) generator=$1; shift ;;
        esac
done

: "${E2E_FIXTURES:=/var/cache/confinement-generator/fixtures}"
: "${E2E_CASE_TIMEOUT:=90}"
CEXEC_TIMEOUT=30

cases=("${ALL_CASES[@]}")
if ((${#only[@]})); then
        for c in "${only[@]}"; do
                [[ " ${ALL_CASES[*]} " == *" $c "* ]] || { echo "$0: no case $c" >&2; exit 2; }
        done
        cases=("${only[@]}")
fi

known=0
start_time=$SECONDS
# the machine the cases see (lib/cases.sh): container or vm
E2E_MACHINE=container
[[ $lane == container ]] || E2E_MACHINE=vm
# before the counts of the summary (lib/harness.sh)
on_summary() {
        if ((known)); then
                echo "suite $suite (systemd ${SYSTEMD_VERSION:-?}): $known case(s) checked a KNOWN DIFFERENCE (above)"
        fi
        case $lane in
        container) echo "suite $suite (systemd ${SYSTEMD_VERSION:-?}): $((SECONDS - start_time)) s" ;;
        in-vm) echo "suite $suite (vm): cases $((SECONDS - start_time)) s" ;;
        vm) echo "suite $suite (vm, ${accel:-?}): image $image_seconds s, boot and cases $vm_seconds s, total $((SECONDS - start_time)) s" ;;
        esac
}
# fail every case with the same reason and stop
fail_all_cases() {
        fail_all "$1" "${cases[@]}"
}

# --- setup -------------------------------------------------------------------

run_dir=
ROOT=
# at cleanup (lib/harness.sh), with the container off: the probe results
# go with the logs (the VM lane fetches them from the image)
on_cleanup() {
        if [[ -n $ROOT && $lane == container ]]; then
                cp -a "$ROOT/var/lib/e2e-results" "$logs/results" 2>/dev/null || true
        fi
}
trap cleanup EXIT

# vm_lane: the host's side of the VM lane, after the setup: the image of
# the set-up rootfs instance, the boot, the guest's PASS and FAIL lines
# (shown as they come) counted here, its logs fetched; then the summary
vm_lane() {
        local base kernel initrd image=$run_dir/disk.img out=$logs/vm-output.txt t name
        base=$(vm_base_path "$suite")
        kernel=$(vm_kernel "$base")
        initrd=$(vm_initrd "$base")
        [[ -f $kernel && -f $initrd ]] || fail_all_cases "setup: no kernel and initramfs in $base/boot"
        vm_stage "$ROOT" "$repo" "$suite" /usr/lib/systemd/system-generators/confinement-generator "${cases[@]}" >> "$logs/setup.log" 2>&1 ||
                fail_all_cases "setup: staging the machine failed (see $logs/setup.log)"
        t=$SECONDS
        vm_image "$ROOT" "$image" > "$logs/image.log" 2>&1 || fail_all_cases "setup: mkfs.ext4 -d failed (see $logs/image.log)"
        image_seconds=$((SECONDS - t))
        accel=$(vm_accel "$kernel" "$initrd" 2> "$logs/accel.log") || fail_all_cases "setup: $(cat "$logs/accel.log")"
        echo "suite $suite (vm): booting ${kernel##*/} with $accel"
        t=$SECONDS
        vm_run "$image" "$kernel" "$initrd" "$accel" "$out" "$logs/console.log" ||
                echo "suite $suite (vm): the machine did not end cleanly (see $logs/console.log)"
        vm_seconds=$((SECONDS - t))
        vm_fetch "$image" "$VM_GUEST_DIR/logs" "$logs/guest" || echo "suite $suite (vm): no logs in the image" >&2
        vm_fetch "$image" /var/lib/e2e-results "$logs/results" || true
        ((keep)) || rm -f "$image"
        # the guest's counts are its PASS and FAIL lines; a case without
        # one failed
        for name in "${cases[@]}" generated-files-parse; do
                if grep -q -e "^PASS $name\$" -e "^PASS $name " "$out"; then
                        passed=$((passed + 1))
                elif grep -q "^FAIL $name: " "$out"; then
                        failed=$((failed + 1))
                else
                        fail "$name" "no result from the machine (see $logs/console.log, $logs/vm-output.txt)"
                fi
        done
        cleanup
        trap - EXIT
        summary
        exit
}

if [[ $lane == in-vm ]]; then
        # in the machine of the VM lane, which the host set up: ROOT is /
        logs=$VM_GUEST_DIR/logs
        mkdir -p "$logs"
        # shellcheck source=/dev/null
        source "$E2E_FIXTURES/paths.env"
        vm_guest_machine
        CEXEC_TIMEOUT=600 cexec systemctl is-system-running --wait > /dev/null || true
else
        ((EUID == 0)) || fail_all_cases "setup: must run as root"
        tools=(systemd-nspawn nsenter pgrep timeout flock mount nix-build nix-store busybox)
        [[ $lane == vm ]] && tools+=(qemu-system-x86_64 mkfs.ext4 debugfs)
        for tool in "${tools[@]}"; do
                command -v "$tool" >/dev/null || fail_all_cases "setup: missing tool $tool (scripts/install-deps)"
        done
        [[ -d $(rootfs_path "$suite") ]] || command -v debootstrap >/dev/null ||
                fail_all_cases "setup: missing tool debootstrap (scripts/install-deps)"
        [[ -n $deb || ( -f $generator && -x $generator ) ]] || fail_all_cases "setup: no generator binary at $generator"
        [[ -z $deb || -f $deb ]] || fail_all_cases "setup: no package at $deb"
        [[ $suite =~ ^[a-z]+$ ]] || fail_all_cases "setup: not a Debian suite name: $suite"

        make_run_dir confinement-e2e

        "$repo/tests/fixtures/nix/build-closures.sh" "$E2E_FIXTURES" 10 > "$logs/fixtures.log" 2>&1 ||
                fail_all_cases "setup: building the Nix fixtures failed (see $logs/fixtures.log)"
        # shellcheck source=/dev/null
        source "$E2E_FIXTURES/paths.env"

        if [[ $lane == vm ]]; then
                t=$SECONDS
                ROOT=$(vm_instance "$suite" "$run_dir" 2> "$logs/rootfs.log") ||
                        fail_all_cases "setup: no VM root for $suite (see $logs/rootfs.log)"
                ((SECONDS - t < 10)) || echo "suite $suite (vm): built the VM root in $((SECONDS - t)) s"
        else
                ROOT=$(rootfs_instance "$suite" "$run_dir" 2> "$logs/rootfs.log") ||
                        fail_all_cases "setup: no rootfs for $suite (see $logs/rootfs.log)"
        fi

        if [[ -n $deb ]]; then
                cp "$deb" "$ROOT/tmp/e2e.deb"
                chroot "$ROOT" dpkg -i /tmp/e2e.deb > "$logs/dpkg.log" 2>&1 || fail_all_cases "setup: dpkg -i $deb failed (see $logs/dpkg.log)"
                rm -f "$ROOT/tmp/e2e.deb"
                # where systemd runs generators from, whatever the package's layout
                [[ -x $ROOT/usr/lib/systemd/system-generators/confinement-generator ]] ||
                        fail_all_cases "setup: $deb installs no /usr/lib/systemd/system-generators/confinement-generator: $(chroot "$ROOT" dpkg -L confinement-generator | tr '\n' ' ')"
                echo "installed $(chroot "$ROOT" dpkg-query -W confinement-generator)"
                # the cases that run the generator or confinementctl on the host
                # (tests/e2e/cases/) take the package's
                generator=$ROOT/usr/lib/systemd/system-generators/confinement-generator
        else
                install -D -m 755 "$generator" "$ROOT/usr/lib/systemd/system-generators/confinement-generator"
        fi
        setup_cases "$ROOT" > "$logs/setup.log" 2>&1 || fail_all_cases "setup: installing the test units failed (see $logs/setup.log)"
fi

[[ $lane == vm ]] && vm_lane

if [[ $lane == container ]]; then
        CONTAINER_LOG=$logs/console.log
        container_boot "e2e-$$" "$ROOT" --overlay=/nix::/nix 2> "$logs/boot.log" ||
                fail_all_cases "setup: the container did not boot (see $logs/boot.log, $logs/console.log)"
fi
# "systemd 252 (252.39-1~deb12u1)": the cases check version differences
SYSTEMD_VERSION=$(cexec systemctl --version 2>/dev/null | awk 'NR == 1 { print $2 }') || true
[[ $SYSTEMD_VERSION =~ ^[0-9]+$ ]] || fail_all_cases "setup: cannot tell the systemd version in the $E2E_MACHINE: '$SYSTEMD_VERSION'"
KERNEL_VERSION=$(cexec uname -r)
echo "suite $suite: systemd $SYSTEMD_VERSION"
if [[ $lane == in-vm ]]; then
        echo "suite $suite (vm): $(vm_guest_kernel_line)"
        echo "suite $suite (vm): $(systemd-analyze time 2>&1 | head -n 1)"
else
        echo "suite $suite: kernel $KERNEL_VERSION (the host's, in systemd-nspawn)"
fi

# --- cases -------------------------------------------------------------------

# known_notes FILE: "[KNOWN DIFFERENCE, systemd V: why]" and the like for
# the kernel and the container, from what a case noted (lib/cases.sh)
known_notes() {
        local src label why notes=''
        for src in systemd kernel container; do
                why=$(awk -F '\t' -v s="$src" '$1 == s && !seen[$2]++ { print $2 }' "$1" | tr '\n' ' ' | sed 's/[; ]*$//')
                [[ -n $why ]] || continue
                case $src in
                systemd) label="systemd $SYSTEMD_VERSION" ;;
                kernel) label="kernel $KERNEL_VERSION" ;;
                container) label="container (systemd-nspawn)" ;;
                esac
                notes+="${notes:+ }[KNOWN DIFFERENCE, $label: $why]"
        done
        echo "$notes"
}

# run_case NAME: runs case_NAME in a subshell with a time limit; its output
# on failure is the reason; what it notes with known_difference is shown
# with its PASS or FAIL
run_case() {
        local name=$1 fn=case_${1//-/_} out=$logs/case-$1.log pid i note='' t=$SECONDS
        KNOWN_FILE=$logs/case-$1.known
        rm -f "$KNOWN_FILE"
        ( "$fn" ) > "$out" 2>&1 &
        pid=$!
        for ((i = 0; i < E2E_CASE_TIMEOUT * 10; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
        done
        echo "$((SECONDS - t)) $name" >> "$logs/case-times.txt"
        if kill -0 "$pid" 2>/dev/null; then
                pkill -KILL -P "$pid" 2>/dev/null || true
                kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                fail "$name" "timed out after ${E2E_CASE_TIMEOUT}s"
                return
        fi
        if [[ -s $KNOWN_FILE ]]; then
                known=$((known + 1))
                note=$(known_notes "$KNOWN_FILE")
        fi
        if wait "$pid"; then
                pass "$name" "$note"
        else
                fail "$name" "$(tr '\n' ' ' < "$out" | sed 's/ *$//' | cut -c1-"${E2E_REASON_MAX:-1200}")${note:+ $note}"
        fi
}

for c in "${cases[@]}"; do
        run_case "$c"
done

# what cases report besides PASS or FAIL (e.g. systemd-analyze security figures)
cat "$logs"/case-*.info 2>/dev/null || true
if [[ $lane == in-vm ]]; then
        echo "suite $suite (vm): slowest cases (s): $(sort -rn "$logs/case-times.txt" | head -n 8 | tr '\n' ' ')"
fi

CEXEC_TIMEOUT=20 cexec journalctl -b --no-pager > "$logs/journal.txt" 2>&1 || true

# Whatever the cases found, systemd must have read every line the generator
# wrote: a line it ignored ("Failed to parse BindReadOnlyPaths=, ignoring",
# "Unknown key", a path "is not absolute") means a setting lost, on every
# version. systemd reports them as FILE:LINE: message; any other message
# naming one of these files that says it failed or ignored something counts
# too.
parse_warnings=$(grep -E '(/50-confinement\.conf|/run-confinement\\x2dview[^ :]*\.mount)' "$logs/journal.txt" |
        grep -Ei '(\.conf|\.mount):[0-9]+: |ignor|fail|unknown|invalid|not absolute' |
        sed 's/^.*systemd\[1\]: //' | sort -u | head -n 20 || true)
if [[ ! -s $logs/journal.txt ]]; then
        fail generated-files-parse "no journal to check (see $logs/journal.txt)"
elif [[ -n $parse_warnings ]]; then
        fail generated-files-parse "systemd did not read every generated line: $(tr '\n' '|' <<< "$parse_warnings")"
else
        pass generated-files-parse
fi
for d in generator generator.early generator.late; do
        cp -a "$(cpath "/run/systemd/$d")" "$logs/$d" 2>/dev/null || true
done

# cleaned up first, so that the summary is the last line
cleanup
trap - EXIT
summary
