#!/bin/bash
# What confinement costs at service start, by closure size, measured in one
# boot of a real systemd (systemd-nspawn over the e2e suite's rootfs).
#
# Usage: tests/bench/start-cost.sh [--suite bookworm|trixie] [--runs N]
#          [--sizes "10 100 1000 2000 5000"] [--store synthetic|nix]
#          [--ro-limit S] [--ro-budget S] [--proposal DROPIN] [--data FILE]
#          [--method view|overlay]
#          [--generator] [GENERATOR]
#
# For each closure size N it starts, --runs times each (default 3):
#   ours        a confined oneshot "true" as the generator confines it
#               (bindMethod "view", or --method's, mode full-apivfs; with
#               "overlay" the first start also builds the layer)
#   read-only   the same with bindMethod "read-only" (BindReadOnlyPaths=);
#               past 2000 paths skipped where its start would exceed
#               --ro-limit seconds (default 120), predicted quadratically
#               from the largest size measured; fewer runs where --runs of
#               them would take more than --ro-budget seconds (default 150)
#   unconfined  the same program without confinement
#   proposal    with --proposal DROPIN: ours with DROPIN added (a drop-in
#               sorting after the generator's, e.g. tests/bench/proposal.conf)
#   floor       tests/bench/kernel-floor.c in the container: N bind mounts
#               plus a read-only remount each in a fresh mount namespace
# Clocks:
#   exec   ExecMainExitTimestamp - ExecMainStartTimestamp: from the fork of
#          the main process to its exit, i.e. the namespace set-up plus
#          running "true" (the table's numbers)
#   wall   `systemctl start` timed on the host around nsenter (about 20 ms of
#          nsenter and systemctl on top)
# Medians in the table; every raw run is printed above it.  It also prints
# the lines of the container PID 1's /proc/PID/mountinfo before and after
# (confinement should add one per store directory, not one per path) and
# PID 1's CPU time (its own, and that of its reaped children: the forked
# service processes), with ratios from this same run against the targets:
# at 1000 paths ours at least 25 times faster than read-only, at 2000
# paths ours minus unconfined within 5 times the floor.
#
# --store synthetic (default): tests/bench/make-bench-store.sh, any size,
# made in seconds.  --store nix: the big-N Nix fixtures
# (tests/fixtures/nix/build-closures.sh; about 35 s per 1000 new paths to
# build, and at most about 2100 paths).
# --data FILE writes the medians as a table for tests/bench/start-cost-plot.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

suite=bookworm
runs=3
sizes="10 100 1000 2000 5000"
store=synthetic
ro_limit=120
ro_budget=150
proposal=
data=
generator=$repo/build/generator/confinement-generator
method_ours=view
while (($#)); do
        case $1 in
        --suite) suite=${2:?}; shift 2 ;;
        --runs) runs=${2:?}; shift 2 ;;
        --sizes) sizes=${2:?}; shift 2 ;;
        --store) store=${2:?}; shift 2 ;;
        --ro-limit) ro_limit=${2:?}; shift 2 ;;
        --ro-budget) ro_budget=${2:?}; shift 2 ;;
        --data) data=${2:?}; shift 2 ;;
        --method) method_ours=${2:?}; shift 2 ;;
        --proposal) proposal=$(realpath "${2:?}"); shift 2 ;;
        --generator) generator=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) echo "$0: unknown option $1" >&2; exit 2 ;;
        *) generator=$1; shift ;;
        esac
done
[[ $method_ours == view || $method_ours == overlay ]] || { echo "$0: --method: view or overlay" >&2; exit 2; }
read -r -a size_list <<< "$sizes"
((${#size_list[@]})) || { echo "$0: no sizes" >&2; exit 2; }

# shellcheck source=tests/bench/start-cost-lib.sh
source "$here/start-cost-lib.sh"

sc_prepare "$suite" "$store" "${size_list[@]}"

first=SC_BIG_${size_list[0]}
sc_unit b-unconfined.service "${!first}/bin/true"
for n in "${size_list[@]}"; do
        big=SC_BIG_$n
        for method in view read-only; do
                sc_unit "b-$n-$method.service" "${!big}/bin/true"
                # "ours" keeps the unit name b-N-view whatever its method
                sc_spec "b-$n-$method.service" "$n" "${method/view/$method_ours}"
        done
        if [[ -n $proposal ]]; then
                sc_unit "b-$n-proposal.service" "${!big}/bin/true"
                sc_spec "b-$n-proposal.service" "$n" view
                install -D -m 644 "$proposal" "$ROOT/etc/systemd/system/b-$n-proposal.service.d/zz-proposal.conf"
        fi
done

# shellcheck disable=SC2119 # no extra nspawn arguments
sc_boot
started=$(date +%s)

declare -A med_wall med_exec n_runs cpu_self cpu_children
# bench KEY UNIT RUNS [BUDGET]: RUNS starts, fewer if BUDGET seconds would
# not do for them all, judged by the first
bench() {
        local key=$1 unit=$2 want=$3 budget=${4:-} walls=() execs=() i c0 c1
        read -r -a c0 <<< "$(sc_pid1_cpu)"
        for ((i = 0; i < want; i++)); do
                sc_measure "$unit"
                walls+=("$wall_ms")
                execs+=("$exec_ms")
                if ((i == 0)) && [[ -n $budget ]]; then
                        want=$(awk -v t="$wall_ms" -v b="$budget" -v w="$want" \
                                'BEGIN { k = int(b * 1000 / (t > 1 ? t : 1)); print k < 1 ? 1 : (k > w ? w : k) }')
                fi
        done
        read -r -a c1 <<< "$(sc_pid1_cpu)"
        cpu_self[${key#*-}]=$((${cpu_self[${key#*-}]:-0} + c1[0] - c0[0]))
        cpu_children[${key#*-}]=$((${cpu_children[${key#*-}]:-0} + c1[1] - c0[1]))
        med_wall[$key]=$(median "${walls[@]}")
        med_exec[$key]=$(median "${execs[@]}")
        n_runs[$key]=$want
        printf '%-26s exec ms: %-28s wall ms: %s\n' "$unit" "${execs[*]}" "${walls[*]}"
}

echo "systemd $SC_SYSTEMD_VERSION ($suite), $store store, ours: bindMethod \"$method_ours\", $runs runs each, raw values in run order; load average $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs):"
reloads=()
for ((i = 0; i < runs; i++)); do
        t0=$(sc_now_ns)
        cexec systemctl daemon-reload
        reloads+=($((($(sc_now_ns) - t0) / 1000000)))
done
printf '%-26s wall ms: %s\n' "daemon-reload" "${reloads[*]}"
for n in "${size_list[@]}"; do
        # confined for real: the generator wrote their drop-ins
        cexec systemctl show -p DropInPaths --value "b-$n-view.service" | grep -q 50-confinement.conf ||
                sc_die "b-$n-view.service has no confinement drop-in"
done

mounts_before=$(sc_pid1_mounts)
read -r -a cpu_before <<< "$(sc_pid1_cpu)"
declare -A mounts_after floor skipped
ro_n='' ro_ms=''
for n in "${size_list[@]}"; do
        bench "$n-unconfined" b-unconfined.service "$runs"
        bench "$n-view" "b-$n-view.service" "$runs"
        [[ -z $proposal ]] || bench "$n-proposal" "b-$n-proposal.service" "$runs"
        mounts_after[$n]=$(sc_pid1_mounts)
        predicted=
        if [[ -n $ro_n ]]; then
                predicted=$(awk -v t="$ro_ms" -v a="$ro_n" -v b="$n" 'BEGIN { printf "%.0f", t * (b / a) ^ 2 / 1000 }')
        fi
        if ((n > 2000)) && [[ -n $predicted ]] && ((predicted > ro_limit)); then
                skipped[$n]="skipped: predicted ${predicted} s > ${ro_limit} s ($((ro_n)) paths took $(awk -v t="$ro_ms" 'BEGIN { printf "%.1f", t / 1000 }') s, quadratic)"
                printf '%-26s %s\n' "b-$n-read-only.service" "${skipped[$n]}"
        else
                bench "$n-ro" "b-$n-read-only.service" "$runs" "$ro_budget"
                ro_n=$n ro_ms=${med_exec[$n-ro]}
        fi
        floor[$n]=$(sc_floor "$n" "$((runs < 5 ? 5 : runs))")
        printf '%-26s median ms: %s\n' "kernel-floor $n" "${floor[$n]}"
done
read -r -a cpu_after <<< "$(sc_pid1_cpu)"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
mounts_end=$(sc_pid1_mounts)
finished=$(date +%s)

ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.1f", a / b }'
}
fmt_ro() {
        if [[ -n ${skipped[$1]:-} ]]; then echo "skipped"; else echo "${med_exec[$1-ro]}"; fi
}

echo
echo "median start ms (exec: fork of the main process to its exit), systemd $SC_SYSTEMD_VERSION, $store store:"
echo
over_floor() { # KEY N: (KEY - unconfined) / floor
        ratio "$(awk -v a="${med_exec[$2-$1]}" -v b="${med_exec[$2-unconfined]}" 'BEGIN { printf "%.1f", a - b }')" "${floor[$2]}"
}
if [[ -n $proposal ]]; then
        echo "proposal: ours with $proposal"
        echo
        echo "| paths | ours | proposal | read-only | unconfined | kernel floor | read-only / ours | read-only / proposal | (ours - unconfined) / floor | (proposal - unconfined) / floor |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
else
        echo "| paths | ours | read-only | unconfined | kernel floor | read-only / ours | (ours - unconfined) / floor |"
        echo "|---:|---:|---:|---:|---:|---:|---:|"
fi
for n in "${size_list[@]}"; do
        ro=$(fmt_ro "$n")
        ro_ratio=- ro_ratio_p=-
        [[ $ro == skipped ]] || ro_ratio=$(ratio "${med_exec[$n-ro]}" "${med_exec[$n-view]}")
        if [[ -n $proposal ]]; then
                [[ $ro == skipped ]] || ro_ratio_p=$(ratio "${med_exec[$n-ro]}" "${med_exec[$n-proposal]}")
                printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${med_exec[$n-view]}" "${med_exec[$n-proposal]}" "$ro" \
                        "${med_exec[$n-unconfined]}" "${floor[$n]}" "$ro_ratio" "$ro_ratio_p" "$(over_floor view "$n")" "$(over_floor proposal "$n")"
        else
                printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${med_exec[$n-view]}" "$ro" \
                        "${med_exec[$n-unconfined]}" "${floor[$n]}" "$ro_ratio" "$(over_floor view "$n")"
        fi
done
echo
echo "wall ms (systemctl start around nsenter): ours / read-only / unconfined"
for n in "${size_list[@]}"; do
        ro=skipped
        [[ -n ${skipped[$n]:-} ]] || ro="${med_wall[$n-ro]} (${n_runs[$n-ro]} runs)"
        printf '  %-6s %s / %s / %s\n' "$n" "${med_wall[$n-view]}" "$ro" "${med_wall[$n-unconfined]}"
done
for n in "${size_list[@]}"; do
        [[ -n ${skipped[$n]:-} ]] && echo "read-only at $n paths ${skipped[$n]}"
done

echo
echo "targets:"
for key in view ${proposal:+proposal}; do
        label=ours
        [[ $key == view ]] || label=proposal
        for n in "${size_list[@]}"; do
                if ((n == 1000)) && [[ -z ${skipped[$n]:-} ]]; then
                        r=$(ratio "${med_exec[$n-ro]}" "${med_exec[$n-$key]}")
                        verdict=$(awk -v r="$r" 'BEGIN { print (r >= 25) ? "met" : "NOT met" }')
                        echo "  1000 paths: read-only / $label = $r (target >= 25): $verdict"
                fi
                if ((n == 2000)); then
                        extra=$(awk -v a="${med_exec[$n-$key]}" -v b="${med_exec[$n-unconfined]}" 'BEGIN { printf "%.1f", a - b }')
                        r=$(ratio "$extra" "${floor[$n]}")
                        verdict=$(awk -v r="$r" 'BEGIN { print (r <= 5) ? "met" : "NOT met" }')
                        echo "  2000 paths: ($label - unconfined) / floor = $extra / ${floor[$n]} = $r (target <= 5): $verdict"
                fi
        done
done

echo
echo "container PID 1, lines of /proc/PID/mountinfo: $mounts_before before the first start;" \
        "after the starts of each size: $(for n in "${size_list[@]}"; do printf '%s: %s, ' "$n" "${mounts_after[$n]}"; done)at the end: $mounts_end" \
        "(+$((mounts_end - mounts_before)); one store directory in use)"
echo "container PID 1 CPU ms over the run ($((finished - started)) s): own (utime+stime) $((cpu_after[0] - cpu_before[0]))," \
        "reaped children (cutime+cstime, the forked service processes) $((cpu_after[1] - cpu_before[1]))"
for k in unconfined view ${proposal:+proposal} ro; do
        echo "  starts of $k: own ${cpu_self[$k]:-0}, children ${cpu_children[$k]:-0}"
done
echo "load average at the end: $load_end"
echo "daemon-reload median: $(median "${reloads[@]}") ms (generator for $((2 * ${#size_list[@]})) specs)"

if [[ -n $data ]]; then
        {
                echo "# start-cost.sh: systemd $SC_SYSTEMD_VERSION ($suite), $store store, medians of $runs runs, ms"
                echo "# paths ours read-only unconfined floor ours_wall read-only_wall unconfined_wall proposal proposal_wall"
                for n in "${size_list[@]}"; do
                        if [[ -n ${skipped[$n]:-} ]]; then ro=NaN rw=NaN; else ro=${med_exec[$n-ro]} rw=${med_wall[$n-ro]}; fi
                        echo "$n ${med_exec[$n-view]} $ro ${med_exec[$n-unconfined]} ${floor[$n]} ${med_wall[$n-view]} $rw ${med_wall[$n-unconfined]} ${med_exec[$n-proposal]:-NaN} ${med_wall[$n-proposal]:-NaN}"
                done
        } > "$data"
        echo "data: $data"
fi
