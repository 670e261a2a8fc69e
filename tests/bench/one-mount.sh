#!/bin/bash
# One mount per closure (issues 14, 24): start cost of the generator's
# bindMethod "overlay" (one bind of the closure's directory of the read-only
# overlay of every closure of the run, mounted by its own
# confinement-layer@GEN.service) side by side in one boot with "view" and
# "read-only", and the security checks. tests/bench/boot-many.sh times a
# boot with many confined services.
#
# Usage: tests/bench/one-mount.sh [--suite bookworm|trixie] [--runs N]
#          [--sizes "10 100 1000 2000 5000"] [--ro-limit S] [--ro-budget S]
#          [--settings next|current] [--overlay-only] [--generator] [GENERATOR]
#
# For each closure size N, started round-robin (run 1 of each, then run 2):
#   overlay     the generator's drop-in and units (bindMethod "overlay");
#               the generation unit is started before the first start, so
#               that its build is not in it
#   view        the generator's drop-in (bindMethod "view")
#   unconfined  the same program without confinement
# then
#   read-only   bindMethod "read-only" (BindReadOnlyPaths= per path),
#               skipped past 2000 paths where predicted (quadratically from
#               the largest size measured) over --ro-limit s (default 120);
#               fewer runs where --runs would take more than --ro-budget s
#   floor       tests/bench/kernel-floor.c: N binds + read-only remounts
# and once, the generation unit's build of the layer of every closure of
# the run (ExecMainStart to ExecMainExit, median of 7 starts) and what its
# tmpfs holds (df, inodes); b-hold.service keeps the generation needed
# (it stops when unneeded) while the others are stopped and started.
# --overlay-only: only overlay and unconfined (and the floor, the build):
# many runs of the flat curve without the minutes of view and read-only.
# --settings current (default): the generator's drop-in as it is; "next":
# every confined unit also gets issue 14's proposal (zz-next.conf:
# systemd's own ProtectKernelTunables=, ProtectKernelModules=,
# ProtectControlGroups=, a private /dev/shm, RestrictSUIDSGID=yes, which
# the generator has written since, and a read-only root ReadOnlyPaths=+/,
# which it does not: its root is TemporaryFileSystem=/:ro).
# Checks, on a closure of 10 leaves plus a regular-file store path (the
# probe script, run as ExecStart: metacopy, exec) and a symlink store
# path (to busybox): as root in the service, with PrivateUsers=yes and
# with PrivateUsers=no, what it sees in /nix/store (a store path outside
# the closure, one added after the layer was mounted) and whether writes
# and a remount read-write are refused; and the lines of the container's
# PID 1 mount table before and after.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

suite=bookworm
runs=3
sizes="10 100 1000 2000 5000"
ro_limit=120
ro_budget=150
settings=current
overlay_only=0
generator=$repo/build/generator/confinement-generator
while (($#)); do
        case $1 in
        --suite) suite=${2:?}; shift 2 ;;
        --runs) runs=${2:?}; shift 2 ;;
        --sizes) sizes=${2:?}; shift 2 ;;
        --ro-limit) ro_limit=${2:?}; shift 2 ;;
        --ro-budget) ro_budget=${2:?}; shift 2 ;;
        --settings) settings=${2:?}; shift 2 ;;
        --overlay-only) overlay_only=1; shift ;;
        --generator) generator=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) echo "$0: unknown option $1" >&2; exit 2 ;;
        *) generator=$1; shift ;;
        esac
done
read -r -a size_list <<< "$sizes"
((${#size_list[@]})) || { echo "$0: no sizes" >&2; exit 2; }
[[ $settings == next || $settings == current ]] || { echo "$0: --settings next or current" >&2; exit 2; }

# shellcheck source=tests/bench/start-cost-lib.sh
source "$here/start-cost-lib.sh"

store_sizes=("${size_list[@]}")
[[ " ${size_list[*]} " == *" 10 "* ]] || store_sizes+=(10)
sc_prepare "$suite" synthetic "${store_sizes[@]}"

next_conf='[Service]
# full-apivfs as it is going to be: systemd'"'"'s own settings in place of
# the generator'"'"'s equivalent, a private /dev/shm, no setuid files, and
# a read-only root
ReadOnlyPaths=
InaccessiblePaths=
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
TemporaryFileSystem=/dev/shm:mode=1777,nosuid,nodev
RestrictSUIDSGID=yes
ReadOnlyPaths=+/'
# confined UNIT N METHOD: the generator's spec, the next settings
confined() {
        sc_spec "$1" "$2" "$3"
        if [[ $settings == next ]]; then
                mkdir -p "$ROOT/etc/systemd/system/$1.d"
                printf '%s\n' "$next_conf" > "$ROOT/etc/systemd/system/$1.d/zz-next.conf"
        fi
}
first=SC_BIG_${size_list[0]}
sc_unit b-unconfined.service "${!first}/bin/true"
# holds the generation (StopWhenUnneeded=) while the others stop and start
sc_unit b-hold.service "${!first}/bin/true"
confined b-hold.service "${size_list[0]}" overlay
for n in "${size_list[@]}"; do
        big=SC_BIG_$n
        for method in view read-only overlay; do
                sc_unit "b-$n-$method.service" "${!big}/bin/true"
                confined "b-$n-$method.service" "$n" "$method"
        done
done

# The check closure: big-10, a regular-file store path (the probe, run
# as the service's program) and a symlink store path to busybox.
h1=11111111111111111111111111111111 h2=22222222222222222222222222222222 h3=33333333333333333333333333333333
probe=/nix/store/$h1-probe link=/nix/store/$h2-busybox-link late=/nix/store/$h3-late
outside=$(comm -13 "$ROOT/usr/lib/bench/closures/big-10/store-paths" \
        <(sed -n 1,20p "$CLOSURES/big-$(printf '%s\n' "${store_sizes[@]}" | sort -n | tail -n 1)/store-paths") | head -n 1)
[[ -n $outside ]] || outside=/nix/store/$h3-none
leaf=$(grep -m 1 leaf "$ROOT/usr/lib/bench/closures/big-10/store-paths")
ln -s "$BUSYBOX" "$ROOT$link"
cat > "$ROOT$probe" <<EOF
#!$BUSYBOX/bin/sh
bb=$BUSYBOX/bin/busybox
echo "uid \$(\$bb id -u), uid_map: \$(\$bb cat /proc/self/uid_map | \$bb tr -s ' ' | \$bb tr '\n' ';'), /nix/store holds \$(\$bb ls -A /nix/store | \$bb wc -l) entries"
for p in $outside $late; do
        if [ -e "\$p" ]; then echo "VISIBLE \$p"; else echo "invisible: \$p"; fi
done
if $link/bin/true; then echo "symlink store path resolves: $link -> \$(\$bb readlink $link)"; else echo "symlink store path FAILED"; fi
echo "content through the overlay: \$(\$bb cat $leaf/id)"
w() {
        if out=\$("\$bb" "\$@" 2>&1); then echo "WRITABLE: \$*"; else echo "refused: \$* (\${out##*: })"; fi
}
w touch /nix/store/new
w mkdir /nix/store/newdir
w touch $leaf/x
w rm $leaf/id
w chmod 777 $leaf
w touch $probe
w mount -o remount,bind,rw /nix/store
w mount -o remount,rw /nix/store
w touch $leaf/after-remount
echo "the store in the service's mount table: \$(\$bb grep ' /nix/store ' /proc/self/mountinfo | \$bb cut -d' ' -f5-)"
echo "mount table lines in the service: \$(\$bb wc -l < /proc/self/mountinfo)"
EOF
chmod 555 "$ROOT$probe"
mkdir -p "$ROOT/usr/lib/bench/closures/check"
{ cat "$ROOT/usr/lib/bench/closures/big-10/store-paths"; echo "$probe"; echo "$link"; } | LC_ALL=C sort \
        > "$ROOT/usr/lib/bench/closures/check/store-paths"
awk '{ printf "%s\nsha256:0000000000000000000000000000000000000000000000000000\n4096\n\n0\n", $0 }' \
        "$ROOT/usr/lib/bench/closures/check/store-paths" > "$ROOT/usr/lib/bench/closures/check/registration"
for pu in yes no; do
        u=c-overlay-pu-$pu.service
        sc_unit "$u" "$probe"
        confined "$u" check overlay
        sed -i "s|big-check|check|" "$ROOT/etc/confinement.d/$u.json"
        mkdir -p "$ROOT/etc/systemd/system/$u.d"
        printf '[Service]\nPrivateUsers=%s\n' "$pu" > "$ROOT/etc/systemd/system/$u.d/zz-users.conf"
done

# shellcheck disable=SC2119 # no extra nspawn arguments
sc_boot
cexec systemctl daemon-reload
started=$(date +%s)
for n in "${size_list[@]}"; do
        cexec systemctl cat "b-$n-overlay.service" | grep -q '^BindReadOnlyPaths=/run/confinement-layer/' ||
                sc_die "b-$n-overlay.service: no bind of the generator's overlay"
done
# the one generation of the run (every closure: each size's, the check's)
gen=$(cexec systemctl show -p Requires --value "b-${size_list[0]}-overlay.service" | tr ' ' '\n' |
        grep '^confinement-layer@' || true)
[[ -n $gen ]] || sc_die "b-${size_list[0]}-overlay.service requires no generation unit"
gen_dir=/run/confinement-layer/${gen#confinement-layer@}
gen_dir=${gen_dir%.service}
entries=$(cexec sh -c "cat /run/systemd/generator/confinement-layer/${gen_dir##*/}/[0-9a-f]* | wc -l")
builds=()
for ((i = 0; i < 7; i++)); do
        cexec systemctl stop "$gen"
        cexec systemctl start b-hold.service || sc_die "$gen failed: $(cexec journalctl -b -q -o cat -u "$gen" | tail -n 5)"
        show=$(cexec systemctl show -p ExecMainStartTimestampMonotonic -p ExecMainExitTimestampMonotonic "$gen")
        builds+=("$(awk -F= '/Start/ { a = $2 } /Exit/ { b = $2 } END { printf "%.1f", (b - a) / 1000 }' <<< "$show")")
done
build=$(median "${builds[@]}")
build_df=$(cexec df -k --output=used "$gen_dir" | tail -n 1 | tr -d ' ')
build_inodes=$(cexec df --output=iused "$gen_dir" | tail -n 1 | tr -d ' ')
echo "generation $gen: $entries closure entries; build and mount ms: ${builds[*]}; its tmpfs: $build_df KiB, $build_inodes inodes"

methods=(overlay view unconfined)
((overlay_only)) && methods=(overlay unconfined)
declare -A execs med n_runs floor skipped
mounts_before=$(sc_pid1_mounts)
echo "systemd $SC_SYSTEMD_VERSION ($suite), settings $settings, $runs runs each, round-robin; load average $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
ro_n='' ro_ms=''
for n in "${size_list[@]}"; do
        for ((i = 0; i < runs; i++)); do
                for m in "${methods[@]}"; do
                        u=b-$n-$m.service
                        [[ $m == unconfined ]] && u=b-unconfined.service
                        sc_measure "$u"
                        execs[$m-$n]+="$exec_ms "
                done
        done
        for m in "${methods[@]}"; do
                read -r -a e <<< "${execs[$m-$n]}"
                med[$m-$n]=$(median "${e[@]}")
                printf '%-24s exec ms: %s\n' "$m $n" "${execs[$m-$n]}"
        done
        predicted=
        if [[ -n $ro_n ]]; then
                predicted=$(awk -v t="$ro_ms" -v a="$ro_n" -v b="$n" 'BEGIN { printf "%.0f", t * (b / a) ^ 2 / 1000 }')
        fi
        if ((overlay_only)); then
                skipped[$n]="--overlay-only"
        elif ((n > 2000)) && [[ -n $predicted ]] && ((predicted > ro_limit)); then
                skipped[$n]="predicted ${predicted} s > ${ro_limit} s (from $ro_n paths: $(awk -v t="$ro_ms" 'BEGIN { printf "%.1f", t / 1000 }') s, quadratic)"
                echo "read-only $n: skipped, ${skipped[$n]}"
        else
                want=$runs
                for ((i = 0; i < want; i++)); do
                        sc_measure "b-$n-read-only.service"
                        execs[ro-$n]+="$exec_ms "
                        if ((i == 0)); then
                                want=$(awk -v t="$exec_ms" -v b="$ro_budget" -v w="$want" \
                                        'BEGIN { k = int(b * 1000 / (t > 1 ? t : 1)); print k < 1 ? 1 : (k > w ? w : k) }')
                        fi
                done
                read -r -a e <<< "${execs[ro-$n]}"
                med[ro-$n]=$(median "${e[@]}")
                n_runs[$n]=$want
                ro_n=$n ro_ms=${med[ro-$n]}
                printf '%-24s exec ms: %s\n' "read-only $n" "${execs[ro-$n]}"
        fi
        floor[$n]=$(sc_floor "$n" "$((runs < 5 ? 5 : runs))")
        printf '%-24s median ms: %s\n' "kernel-floor $n" "${floor[$n]}"
done
mounts_starts=$(sc_pid1_mounts)
finished=$(date +%s)

echo
echo "checks (closure: big-10, $probe a regular file, $link a symlink; $late made after the layer was mounted):"
cexec systemctl start "$gen"
cexec mkdir "$late"
cexec sh -c "echo late > $late/id"
for pu in yes no; do
        u=c-overlay-pu-$pu.service
        echo "PrivateUsers=$pu:"
        if cexec systemctl start "$u"; then
                cexec journalctl -b -q -o cat -u "$u" | grep -v -e '^Start' -e '^Finish' -e 'Deactivated' | sed 's/^/  /'
        else
                echo "  FAILED to start: $(cexec systemctl show -p Result --value "$u")"
                cexec journalctl -b -q -o cat -u "$u" | tail -n 8 | sed 's/^/  /'
        fi
done
echo "host view of the generation ($gen_dir):"
cexec sh -c "ls -ld /run/confinement-layer $gen_dir $gen_dir/layer $gen_dir/root" | sed 's/^/  /'
cexec grep " $gen_dir/root " /proc/self/mountinfo | sed 's/^/  /'
mounts_end=$(sc_pid1_mounts)

ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.1f", a / b }'
}
echo
echo "median start ms (ExecMainExit - ExecMainStart), systemd $SC_SYSTEMD_VERSION ($suite), settings $settings:"
echo
echo "| paths | overlay | view | read-only | unconfined | kernel floor | view / overlay | read-only / overlay | overlay / overlay at ${size_list[0]} |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${size_list[@]}"; do
        ro=${med[ro-$n]:-skipped} ro_ratio=-
        [[ $ro == skipped ]] || ro_ratio=$(ratio "$ro" "${med[overlay-$n]}")
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${med[overlay-$n]}" "${med[view-$n]:-skipped}" "$ro" \
                "${med[unconfined-$n]}" "${floor[$n]}" "$(ratio "${med[view-$n]}" "${med[overlay-$n]}")" "$ro_ratio" \
                "$(ratio "${med[overlay-$n]}" "${med[overlay-${size_list[0]}]}")"
done
for n in "${size_list[@]}"; do
        [[ -n ${skipped[$n]:-} ]] && echo "read-only at $n paths skipped: ${skipped[$n]}"
        [[ -n ${n_runs[$n]:-} && ${n_runs[$n]} != "$runs" ]] && echo "read-only at $n paths: ${n_runs[$n]} runs"
done
echo
echo "the generation's layer: $entries closure entries, built and mounted in $build ms (median of 7, $(awk -v t="$build" -v n="$entries" 'BEGIN { printf "%.1f", t * 1000 / n }') ms per 1000 entries); its tmpfs: $build_df KiB, $build_inodes inodes"
echo "container PID 1 mount table lines: $mounts_before before the starts (the generation's tmpfs and overlay in), $mounts_starts after them (+ a view), $mounts_end after the checks"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); the starts took $((finished - started)) s"
