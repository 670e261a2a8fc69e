#!/bin/bash
# Boot with many confined services (issue 24): N long-running services of
# distinct, overlapping closures, booted in the nspawn container three ways
# side by side in one run, and an upgrade of every closure.
#
# Usage: tests/bench/boot-many.sh [--suite bookworm|trixie|sid]
#          [--sizes "50 200 400"] [--runs K] [--generator GENERATOR]
#
# Per N, K rounds (default 3) of one boot each, the variants interleaved
# in each round; the figures are the medians of the K:
#   unconfined  N services (busybox sleep), WantedBy=multi-user.target
#   sandboxed   the same with the settings of mode full-apivfs but no
#               confinement (MountAPIVFS, PrivateDevices, PrivateTmp,
#               PrivateUsers, ProtectControlGroups, ProtectKernelModules,
#               ProtectKernelTunables, /dev/shm, RestrictSUIDSGID,
#               ProtectHome): the floor of any confinement
#   confined    the same with a spec each (mode full-apivfs, the default
#               bindMethod "overlay")
# Boot: multi-user.target's ActiveEnterTimestampMonotonic minus the
# manager's UserspaceTimestampMonotonic, once every service is active.
# Generators: how long systemd ran the generators (ours among them) in that
# boot; layer (confined): how long the generation unit took to build and
# mount the layer of every closure (both within the boot's time).
# Mounts: lines of PID 1's mountinfo after the boot, and of those ours
# (under /run/confinement-layer). Confined only: an
# upgrade that changes every closure (each spec's closureInfo to another
# one, one path more), daemon-reload, a restart of all N in one systemctl
# call (timed), and PID 1's mount lines after it (and the active
# confinement-layer@ units).
# Closures: from tests/bench/make-bench-store.sh (Nix-style store paths):
# service I has busybox, 150 shared leaves and 150 + (I * 37 % 500) leaves
# of its own window: 300-800 paths, every closure distinct, overlapping.
# Prints one table and the ratios the acceptance of issue 24 names.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
suite=bookworm
sizes="50 200 400"
runs=3
generator=$repo/build/generator/confinement-generator
while (($#)); do
        case $1 in
        --suite) suite=${2:?}; shift 2 ;;
        --sizes) sizes=${2:?}; shift 2 ;;
        --runs) runs=${2:?}; shift 2 ;;
        --generator) generator=${2:?}; shift 2 ;;
        *) echo "usage: $0 [--suite S] [--sizes \"50 200 400\"] [--runs K] [--generator G]" >&2; exit 2 ;;
        esac
done
generator=$(realpath "$generator")
# shellcheck source=tests/bench/start-cost-lib.sh
source "$here/start-cost-lib.sh"

max=0
for n in $sizes; do ((n > max)) && max=$n; done
leaves=$((150 + 500 + 800 + max))
sc_prepare "$suite" synthetic "$leaves"
busybox=${BUSYBOX:?no BUSYBOX in paths.env}
mapfile -t all < <(grep -v -- "-busybox$" "$CLOSURES/big-$leaves/store-paths")

# closure I (V: 1 or 2, 2 with one path more) into usr/lib/bench/c/I.V
make_closures() {
        local i v own start
        for ((i = 1; i <= max; i++)); do
                own=$((150 + i * 37 % 500))
                start=$((150 + i % 800))
                for v in 1 2; do
                        mkdir -p "$ROOT/usr/lib/bench/c/$i.$v"
                        {
                                echo "$busybox"
                                printf '%s\n' "${all[@]:0:150}"
                                printf '%s\n' "${all[@]:start:own + v - 1}"
                        } > "$ROOT/usr/lib/bench/c/$i.$v/store-paths"
                done
        done
}

sandbox_settings='MountAPIVFS=yes
PrivateDevices=yes
PrivateTmp=yes
PrivateUsers=yes
ProtectControlGroups=yes
ProtectKernelModules=yes
ProtectKernelTunables=yes
TemporaryFileSystem=/dev/shm:mode=1777,nosuid,nodev
RestrictSUIDSGID=yes
ProtectHome=yes'

# services N VARIANT
services() {
        local n=$1 variant=$2 i wants=$ROOT/etc/systemd/system/multi-user.target.wants
        rm -rf "$ROOT"/etc/systemd/system/bench-* "$ROOT"/etc/confinement.d/bench-* "$wants"/bench-*
        mkdir -p "$wants" "$ROOT/etc/confinement.d"
        for ((i = 1; i <= n; i++)); do
                {
                        printf '[Unit]\nDescription=bench %d\n[Service]\nExecStart=%s/bin/busybox sleep 100000\n' \
                                "$i" "$busybox"
                        [[ $variant == sandboxed ]] && printf '%s\n' "$sandbox_settings"
                        printf '[Install]\nWantedBy=multi-user.target\n'
                } > "$ROOT/etc/systemd/system/bench-$i.service"
                ln -s "/etc/systemd/system/bench-$i.service" "$wants/bench-$i.service"
                [[ $variant == confined ]] && spec "$i" 1
        done
        return 0
}

# spec I V
spec() {
        printf '{ "mode": "full-apivfs", "closureInfo": "/usr/lib/bench/c/%s.%s", "binSh": null, "storeDir": "/nix/store" }\n' \
                "$1" "$2" > "$ROOT/etc/confinement.d/bench-$1.service.json"
}

# mount_points: PID 1's mount points with their file system type, sorted
mount_points() {
        awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1) }' "/proc/$CONTAINER_LEADER/mountinfo" | sort
}

boot_ms() {
        local u m
        u=$(cexec systemctl show -p UserspaceTimestampMonotonic --value)
        m=$(cexec systemctl show -p ActiveEnterTimestampMonotonic --value multi-user.target)
        echo $(((m - u) / 1000))
}

# generators_ms: how long the boot's generators ran (all of them)
generators_ms() {
        local a b
        a=$(cexec systemctl show -p GeneratorsStartTimestampMonotonic --value)
        b=$(cexec systemctl show -p GeneratorsFinishTimestampMonotonic --value)
        echo $(((b - a) / 1000))
}

# layer_ms: how long the generation unit took to build and mount its layer
layer_ms() {
        local u a b
        u=$(cexec systemctl list-units --plain --no-legend 'confinement-layer@*' | awk 'NR == 1 { print $1 }')
        [[ -n $u ]] || { echo 0; return; }
        a=$(cexec systemctl show -p ExecMainStartTimestampMonotonic --value "$u")
        b=$(cexec systemctl show -p ExecMainExitTimestampMonotonic --value "$u")
        echo $(((b - a) / 1000))
}

active_count() {
        cexec systemctl list-units --state=active --plain --no-legend 'bench-*' | grep -c '^bench-' || true
}

# ours: PID 1's mounts under /run/confinement-layer
ours() {
        awk '$5 ~ "^/run/confinement-layer(/|$)"' "/proc/$CONTAINER_LEADER/mountinfo" | wc -l
}

# median VALUE...
median() {
        printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# one_boot N VARIANT: boot, then (confined) the upgrade; appends to the
# lists of the round's figures
one_boot() {
        local n=$1 variant=$2 a t0 t1 i units=()
        services "$n" "$variant"
        sc_boot "--"
        a=$(active_count)
        ((a == n)) || sc_die "$variant $n: $a of $n services active"
        boots[$variant.$n]+=" $(boot_ms)"
        generators[$variant.$n]+=" $(generators_ms)"
        mounts[$variant.$n]=$(sc_pid1_mounts)
        [[ $variant == unconfined ]] && mount_points > "$run_dir/mounts-unconfined"
        if [[ $variant == confined ]]; then
                layers[$n]+=" $(layer_ms)"
                ours_before[$n]=$(ours)
                gens[$n]=$(cexec systemctl list-units --state=active --plain --no-legend 'confinement-layer@*' | wc -l)
                for ((i = 1; i <= n; i++)); do spec "$i" 2; done
                t0=$(sc_now_ns)
                cexec systemctl daemon-reload
                for ((i = 1; i <= n; i++)); do units+=("bench-$i.service"); done
                cexec systemctl restart "${units[@]}"
                t1=$(sc_now_ns)
                sleep 1
                a=$(active_count)
                ((a == n)) || sc_die "upgrade $n: $a of $n services active"
                mounts[upgrade.$n]=$(sc_pid1_mounts)
                ours_after[$n]=$(ours)
                gens2[$n]=$(cexec systemctl list-units --state=active --plain --no-legend 'confinement-layer@*' | wc -l)
                upgrades[$n]+=" $(((t1 - t0) / 1000000))"
                # what PID 1 has that the unconfined boot had not
                mount_points > "$run_dir/mounts-upgraded"
                echo "N=$n after the upgrade, mounts beyond the unconfined boot's:" \
                        "$(comm -13 "$run_dir/mounts-unconfined" "$run_dir/mounts-upgraded" | tr '\n' ';')" >&2
        fi
        echo "N=$n $variant: boots so far:${boots[$variant.$n]}" >&2
        container_poweroff
}

make_closures
declare -A boots boot mounts upgrades ours_before ours_after gens gens2 generators layers
results=()
for n in $sizes; do
        for ((k = 1; k <= runs; k++)); do
                for variant in unconfined sandboxed confined; do
                        one_boot "$n" "$variant"
                done
        done
        for variant in unconfined sandboxed confined; do
                # shellcheck disable=SC2086 # the list, split
                boot[$variant.$n]=$(median ${boots[$variant.$n]})
                # shellcheck disable=SC2086 # the list, split
                line=$(printf '%-4s %-10s boot %6d ms  generators %5d ms  mounts %4d' "$n" "$variant" \
                        "${boot[$variant.$n]}" "$(median ${generators[$variant.$n]})" "${mounts[$variant.$n]}")
                if [[ $variant == confined ]]; then
                        # shellcheck disable=SC2086 # the list, split
                        line+=$(printf '  layer %5d ms' "$(median ${layers[$n]})")
                        # shellcheck disable=SC2086 # the list, split
                        line+=$(printf '  ours %d  upgrade %6d ms  mounts after %4d  ours %d  generations %d -> %d' \
                                "${ours_before[$n]}" "$(median ${upgrades[$n]})" "${mounts[upgrade.$n]}" \
                                "${ours_after[$n]}" "${gens[$n]}" "${gens2[$n]}")
                fi
                results+=("$line")
        done
done

echo "# boot-many: systemd $SC_SYSTEMD_VERSION ($suite), $(nproc) CPUs, kernel $(uname -r), median of $runs boots each"
printf '%s\n' "${results[@]}"
read -ra ns <<< "$sizes"
set -- "${ns[@]}"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
if (($# >= 2)); then
        echo "Boot($2)/Boot($1) confined: $(ratio "${boot[confined.$2]}" "${boot[confined.$1]}")" \
                "(unconfined $(ratio "${boot[unconfined.$2]}" "${boot[unconfined.$1]}"), sandboxed $(ratio "${boot[sandboxed.$2]}" "${boot[sandboxed.$1]}"))"
fi
if (($# >= 3)); then
        echo "Boot($3)/Boot($2) confined: $(ratio "${boot[confined.$3]}" "${boot[confined.$2]}")" \
                "(unconfined $(ratio "${boot[unconfined.$3]}" "${boot[unconfined.$2]}"), sandboxed $(ratio "${boot[sandboxed.$3]}" "${boot[sandboxed.$2]}"))"
fi
for n in "$@"; do
        c=confined.$n u=unconfined.$n g=upgrade.$n
        echo "N=$n confined/sandboxed: $(ratio "${boot[$c]}" "${boot[sandboxed.$n]}")," \
                "PID 1 mounts confined - unconfined: $((mounts[$c] - mounts[$u])) (ours ${ours_before[$n]})," \
                "after upgrade + restart: $((mounts[$g] - mounts[$u])) (ours ${ours_after[$n]})"
done
