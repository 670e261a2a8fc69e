#!/bin/bash
# What confinement costs at service start, by closure size and bind method,
# measured in one boot of a real systemd (systemd-nspawn, the e2e rootfs).
#
# Usage: tests/bench/start-cost.sh [--suite SUITE] [--runs N] [--sizes "10 100 1000"] [[--generator] GENERATOR]
#
# For each closure size N (the big-N fixture: N store paths) it starts a
# confined oneshot service running "true" from the closure, with a spec using
# bindMethod "view" and one using "read-only", --runs times each (default 3),
# and an unconfined service running the same program.  Two clocks:
#   wall   `systemctl start` (it returns when the oneshot finished), timed
#          around nsenter on the host: includes about 20 ms of nsenter and
#          systemctl overhead
#   exec   ExecMainExitTimestamp - ExecMainStartTimestamp of the unit: from
#          the fork of the main process to its exit, i.e. the namespace set-up
#          (all the bind mounts) plus running "true"
# The table shows medians; every raw run is printed above it.  No warm-up
# run is dropped.  daemon-reload (which runs the generator) is timed too.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/e2e/lib/rootfs.sh
source "$repo/tests/e2e/lib/rootfs.sh"
# shellcheck source=tests/e2e/lib/container.sh
source "$repo/tests/e2e/lib/container.sh"

suite=bookworm
runs=3
sizes="10 100 1000"
generator=$repo/build/generator/confinement-generator
while (($#)); do
        case $1 in
        --suite) suite=${2:?}; shift 2 ;;
        --runs) runs=${2:?}; shift 2 ;;
        --sizes) sizes=${2:?}; shift 2 ;;
        --generator) generator=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) echo "$0: unknown option $1" >&2; exit 2 ;;
        *) generator=$1; shift ;;
        esac
done
read -r -a size_list <<< "$sizes"
: "${BENCH_FIXTURES:=/var/cache/confinement-generator/fixtures-bench}"

die() {
        echo "start-cost: $*" >&2
        exit 1
}
((EUID == 0)) || die "must run as root"
for tool in systemd-nspawn nsenter pgrep timeout mount nix-build nix-store busybox; do
        command -v "$tool" >/dev/null || die "missing tool $tool (scripts/install-deps)"
done
[[ -x $generator ]] || die "no generator binary at $generator"

"$repo/tests/fixtures/nix/build-closures.sh" "$BENCH_FIXTURES" "${size_list[@]}" >&2 ||
        die "building the Nix fixtures failed"
# shellcheck source=/dev/null
source "$BENCH_FIXTURES/paths.env"

run_dir=$(mktemp -d /tmp/confinement-bench.XXXXXX)
cleanup() {
        container_poweroff || true
        rootfs_instance_remove "$run_dir"
}
trap cleanup EXIT
ROOT=$(rootfs_instance "$suite" "$run_dir")

install -D -m 755 "$generator" "$ROOT/usr/lib/systemd/system-generators/confinement-generator"
mkdir -p "$ROOT/etc/confinement.d" "$ROOT/etc/systemd/system" "$ROOT/usr/lib/e2e/closures"

# oneshot UNIT PROGRAM: RemainAfterExit keeps the unit, and so its
# timestamps, loaded after the run
oneshot() {
        printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=%s\n' "$2" > "$ROOT/etc/systemd/system/$1"
}

big_path() {
        local v=BIG_$1
        [[ -n ${!v:-} ]] || die "no big-$1 fixture"
        echo "${!v}"
}

first=$(big_path "${size_list[0]}")
oneshot b-unconfined.service "$first/bin/true"
for n in "${size_list[@]}"; do
        cp -a "$CLOSURES/big-$n" "$ROOT/usr/lib/e2e/closures/big-$n"
        for method in view read-only; do
                oneshot "b-$n-$method.service" "$(big_path "$n")/bin/true"
                cat > "$ROOT/etc/confinement.d/b-$n-$method.service.json" <<EOF
{
  "mode": "full-apivfs",
  "closureInfo": "/usr/lib/e2e/closures/big-$n",
  "binSh": null,
  "storeDir": "/nix/store",
  "bindMethod": "$method"
}
EOF
        done
done

CONTAINER_LOG=$run_dir/console.log
container_boot "bench-$$" "$ROOT" --bind-ro=/nix || die "the container did not boot"
CEXEC_TIMEOUT=600

now_ns() {
        date +%s%N
}

# measure UNIT: one start; sets wall_ms and exec_ms
measure() {
        local t0 t1 show start exit
        cexec systemctl stop "$1"
        t0=$(now_ns)
        cexec systemctl start "$1" || die "$1 failed to start: $(cexec systemctl status --no-pager "$1" | tail -n 5)"
        t1=$(now_ns)
        wall_ms=$(((t1 - t0) / 1000000))
        show=$(cexec systemctl show -p ExecMainStartTimestampMonotonic -p ExecMainExitTimestampMonotonic "$1")
        start=$(sed -n 's/^ExecMainStartTimestampMonotonic=//p' <<< "$show")
        exit=$(sed -n 's/^ExecMainExitTimestampMonotonic=//p' <<< "$show")
        ((start > 0 && exit >= start)) || die "$1: no ExecMain timestamps: $show"
        exec_ms=$(awk -v a="$start" -v b="$exit" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
}

median() {
        printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A med_wall med_exec
# bench KEY UNIT
bench() {
        local walls=() execs=() i
        for ((i = 0; i < runs; i++)); do
                measure "$2"
                walls+=("$wall_ms")
                execs+=("$exec_ms")
        done
        med_wall[$1]=$(median "${walls[@]}")
        med_exec[$1]=$(median "${execs[@]}")
        printf '%-28s wall ms: %-24s exec ms: %s\n' "$2" "${walls[*]}" "${execs[*]}"
}

echo "systemd $(cexec systemctl --version | head -n 1 | awk '{ print $2 }'), $runs runs each, raw values in run order:"
reloads=()
for ((i = 0; i < runs; i++)); do
        t0=$(now_ns)
        cexec systemctl daemon-reload
        reloads+=($((($(now_ns) - t0) / 1000000)))
done
printf '%-28s wall ms: %s\n' "daemon-reload" "${reloads[*]}"
bench unconfined b-unconfined.service
for n in "${size_list[@]}"; do
        bench "$n-view" "b-$n-view.service"
        bench "$n-ro" "b-$n-read-only.service"
        # check that the confined services really were confined: the
        # generator wrote their drop-ins
        cexec systemctl show -p DropInPaths --value "b-$n-view.service" | grep -q . ||
                die "b-$n-view.service has no drop-in: not confined"
done

echo
echo "median ms (wall = systemctl start; exec = main process fork to exit)"
printf '%-8s %-18s %-18s %-18s %s\n' "paths" "unconfined" "view" "read-only" "read-only/view (wall, exec)"
for n in "${size_list[@]}"; do
        printf '%-8s %-18s %-18s %-18s %s\n' "$n" \
                "${med_wall[unconfined]} / ${med_exec[unconfined]}" \
                "${med_wall[$n-view]} / ${med_exec[$n-view]}" \
                "${med_wall[$n-ro]} / ${med_exec[$n-ro]}" \
                "$(awk -v a="${med_wall[$n-ro]}" -v b="${med_wall[$n-view]}" -v c="${med_exec[$n-ro]}" -v d="${med_exec[$n-view]}" \
                        'BEGIN { printf "%.1f, %.1f", (b ? a / b : 0), (d ? c / d : 0) }')"
done
echo "daemon-reload median: $(median "${reloads[@]}") ms (generator for $((2 * ${#size_list[@]})) specs)"
