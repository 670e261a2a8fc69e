#!/bin/bash
# One mount per closure (issue 14): start cost of a read-only overlayfs
# that shows exactly the closure, bound into the service with one bind,
# side by side in one boot with today's methods, and the security checks.
# A PROTOTYPE bench: "overlay" here is tests/bench/overlay-layer.c's
# per-closure layer over the store's parent, with ReadOnlyPaths=+/ (which
# the generator does not write), not the shipped units; what ships is timed
# by tests/bench/start-cost.sh (its overlay lines, the generator's own
# confinement-layer@GEN.service) and tests/bench/boot-many.sh (issue 24).
#
# Usage: tests/bench/one-mount.sh [--suite bookworm|trixie] [--runs N]
#          [--sizes "10 100 1000 2000 5000"] [--ro-limit S] [--ro-budget S]
#          [--settings next|current] [--overlay-only] [--generator] [GENERATOR]
#
# For each closure size N, started round-robin (run 1 of each, then run 2):
#   overlay     the generator's drop-in (bindMethod "view") with its binds
#               replaced by one: BindReadOnlyPaths= of the store/ of an
#               overlay that ol-N.service (tests/bench/overlay-layer.c)
#               built and mounted under /run/confinement-layer/N (Requires=,
#               After=); what a bindMethod "overlay" would write
#   view        the generator's drop-in as it is (bindMethod "view")
#   unconfined  the same program without confinement
# then
#   read-only   bindMethod "read-only" (BindReadOnlyPaths= per path),
#               skipped past 2000 paths where predicted (quadratically from
#               the largest size measured) over --ro-limit s (default 120);
#               fewer runs where --runs would take more than --ro-budget s
#   floor       tests/bench/kernel-floor.c: N binds + read-only remounts
#   build       the layer's build time (overlay-layer -n, median of 7
#               builds on a tmpfs under /run) and what it holds (df, inodes)
# --overlay-only: only overlay and unconfined (and the floor, the build):
# many runs of the flat curve without the minutes of view and read-only.
# --settings next (default): every confined unit also gets the settings
# full-apivfs is going to have (zz-next.conf: systemd's own
# ProtectKernelTunables=, ProtectKernelModules=, ProtectControlGroups= in
# place of the generator's equivalent, a private /dev/shm,
# RestrictSUIDSGID=yes, a read-only root ReadOnlyPaths=+/); "current":
# the generator's drop-in as it is.
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
settings=next
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
cc -O2 -Wall -Wextra -o "$ROOT/usr/lib/bench/overlay-layer" "$here/overlay-layer.c" ||
        sc_die "compiling overlay-layer.c failed"

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
# layer_unit KEY CLOSURE: ol-KEY.service builds and mounts the overlay of
# CLOSURE under /run/confinement-layer/KEY
layer_unit() {
        cat > "$ROOT/etc/systemd/system/ol-$1.service" <<EOF
[Unit]
Description=Closure overlay $1
DefaultDependencies=no
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStartPre=-/bin/umount /run/confinement-layer/$1/root
ExecStartPre=/bin/rm -rf /run/confinement-layer/$1
ExecStartPre=/bin/mkdir -m 0700 -p /run/confinement-layer/$1
ExecStart=/usr/lib/bench/overlay-layer $2/store-paths /nix/store /run/confinement-layer/$1/layer /run/confinement-layer/$1/root
ExecStop=/bin/umount /run/confinement-layer/$1/root
EOF
}
# overlay_unit UNIT KEY: the service's binds replaced by the overlay's store
overlay_unit() {
        mkdir -p "$ROOT/etc/systemd/system/$1.d"
        cat > "$ROOT/etc/systemd/system/$1.d/zz-overlay.conf" <<EOF
[Unit]
Requires=ol-$2.service
After=ol-$2.service
[Service]
BindPaths=
BindReadOnlyPaths=
BindReadOnlyPaths=/run/confinement/%n:/run/confinement/%n:norbind
BindReadOnlyPaths=/run/confinement-layer/$2/root/store:/nix/store
EOF
}

first=SC_BIG_${size_list[0]}
sc_unit b-unconfined.service "${!first}/bin/true"
for n in "${size_list[@]}"; do
        big=SC_BIG_$n
        for method in view read-only overlay; do
                sc_unit "b-$n-$method.service" "${!big}/bin/true"
                confined "b-$n-$method.service" "$n" "${method/overlay/view}"
        done
        layer_unit "$n" "/usr/lib/bench/closures/big-$n"
        overlay_unit "b-$n-overlay.service" "$n"
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
layer_unit check /usr/lib/bench/closures/check
for pu in yes no; do
        u=c-overlay-pu-$pu.service
        sc_unit "$u" "$probe"
        confined "$u" check view
        sed -i "s|big-check|check|" "$ROOT/etc/confinement.d/$u.json"
        overlay_unit "$u" check
        printf '[Service]\nPrivateUsers=%s\n' "$pu" > "$ROOT/etc/systemd/system/$u.d/zz-users.conf"
done

# shellcheck disable=SC2119 # no extra nspawn arguments
sc_boot
cexec systemctl daemon-reload
started=$(date +%s)
for n in "${size_list[@]}"; do
        cexec systemctl show -p DropInPaths --value "b-$n-overlay.service" | grep -q zz-overlay.conf ||
                sc_die "b-$n-overlay.service has no overlay drop-in"
done

methods=(overlay view unconfined)
((overlay_only)) && methods=(overlay unconfined)
declare -A execs med n_runs floor build build_df build_inodes skipped
mounts_before=$(sc_pid1_mounts)
echo "systemd $SC_SYSTEMD_VERSION ($suite), settings $settings, $runs runs each, round-robin; load average $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
ro_n='' ro_ms=''
for n in "${size_list[@]}"; do
        # the layer first, so that its build is not in the first start
        cexec systemctl start "ol-$n.service" ||
                sc_die "ol-$n.service failed: $(cexec journalctl -b -q -o cat -u "ol-$n.service" | tail -n 5)"
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
        # the layer's build, 7 times on a tmpfs of its own (df, inodes)
        cexec sh -c "mkdir -p /run/ol-build && mount -t tmpfs -o mode=0700 tmpfs /run/ol-build"
        build[$n]=$(cexec /usr/lib/bench/overlay-layer -q -n -r 7 "/usr/lib/bench/closures/big-$n/store-paths" /nix/store /run/ol-build/x /run/ol-build/mnt)
        build_df[$n]=$(cexec df -k --output=used /run/ol-build | tail -n 1 | tr -d ' ')
        build_inodes[$n]=$(cexec df --output=iused /run/ol-build | tail -n 1 | tr -d ' ')
        cexec umount /run/ol-build
        printf '%-24s median ms: %s; layer build median ms (7 builds): %s; 7 layers on a tmpfs: %s KiB, %s inodes\n' \
                "kernel-floor $n" "${floor[$n]}" "${build[$n]}" "${build_df[$n]}" "${build_inodes[$n]}"
done
mounts_starts=$(sc_pid1_mounts)
finished=$(date +%s)

echo
echo "checks (closure: big-10, $probe a regular file, $link a symlink; $late made after the layer was mounted):"
cexec systemctl start ol-check.service
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
echo "host view of the layer of the check closure (/run/confinement-layer/check):"
cexec sh -c 'ls -ld /run/confinement-layer /run/confinement-layer/check /run/confinement-layer/check/layer /run/confinement-layer/check/layer/store' | sed 's/^/  /'
cexec grep ' /run/confinement-layer/check/root ' /proc/self/mountinfo | sed 's/^/  /'
mounts_end=$(sc_pid1_mounts)

ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.1f", a / b }'
}
echo
echo "median start ms (ExecMainExit - ExecMainStart), systemd $SC_SYSTEMD_VERSION ($suite), settings $settings:"
echo
echo "| paths | overlay | view | read-only | unconfined | kernel floor | view / overlay | read-only / overlay | overlay / overlay at ${size_list[0]} | layer build ms | build ms per 1000 paths |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${size_list[@]}"; do
        ro=${med[ro-$n]:-skipped} ro_ratio=-
        [[ $ro == skipped ]] || ro_ratio=$(ratio "$ro" "${med[overlay-$n]}")
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${med[overlay-$n]}" "${med[view-$n]:-skipped}" "$ro" \
                "${med[unconfined-$n]}" "${floor[$n]}" "$(ratio "${med[view-$n]}" "${med[overlay-$n]}")" "$ro_ratio" \
                "$(ratio "${med[overlay-$n]}" "${med[overlay-${size_list[0]}]}")" "${build[$n]}" \
                "$(awk -v t="${build[$n]}" -v n="$n" 'BEGIN { printf "%.1f", t * 1000 / n }')"
done
for n in "${size_list[@]}"; do
        [[ -n ${skipped[$n]:-} ]] && echo "read-only at $n paths skipped: ${skipped[$n]}"
        [[ -n ${n_runs[$n]:-} && ${n_runs[$n]} != "$runs" ]] && echo "read-only at $n paths: ${n_runs[$n]} runs"
done
echo
echo "layer memory: 7 layers of N paths on a tmpfs: $(for n in "${size_list[@]}"; do printf '%s: %s KiB, %s inodes; ' "$n" "${build_df[$n]}" "${build_inodes[$n]}"; done)"
echo "container PID 1 mount table lines: $mounts_before before the starts, $mounts_starts after them (${#size_list[@]} closure overlays, a view), $mounts_end after the checks (+1 overlay)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); the starts took $((finished - started)) s"
