# shellcheck shell=bash
# Shared by start-cost.sh and start-cost-variants.sh: a booted container
# (the e2e suite's rootfs and nspawn helpers) with confined oneshot
# services over closures of given sizes, and the clocks to time them.
# Source this file after setting `repo`.
#
#   sc_prepare SUITE STORE SIZE...
#          STORE: "synthetic" (tests/bench/make-bench-store.sh, copied to
#          /nix in the container's root) or "nix" (the big-N Nix fixtures, the
#          host's /nix bound read-only).  Makes the rootfs instance ($ROOT),
#          installs the generator ($generator), kernel-floor, and the
#          closureInfo of each size at /usr/lib/bench/closures/big-N.
#          Sets SC_BIG_<N> (the store path whose bin/true runs) and
#          SC_NSPAWN_ARGS.
#   sc_unit UNIT PROGRAM [DIRECTIVE...]
#          a oneshot unit with RemainAfterExit=yes running PROGRAM
#   sc_spec UNIT N METHOD [MODE]
#          a spec for UNIT over big-N with bindMethod METHOD
#   sc_boot  boots the container (container_boot) and sets CEXEC_TIMEOUT
#   sc_measure UNIT
#          one start: sets exec_ms (ExecMainExit - ExecMainStart: fork of
#          the main process, namespace set-up, exec, exit) and wall_ms
#          (systemctl start, timed around nsenter on the host); a unit that
#          fails to start ends the script, or with SC_MEASURE_SOFT=1 sets
#          exec_ms to "failed(STATUS)" and returns 1
#   sc_floor N RUNS   median ms of kernel-floor over big-N, in the container
#   sc_pid1_cpu       "SELF CHILDREN" CPU ms of the container's PID 1:
#                     utime+stime and cutime+cstime of /proc/LEADER/stat
#   sc_pid1_mounts    lines of /proc/LEADER/mountinfo
#   median V...       the median of numbers

# shellcheck disable=SC2154,SC2034 # repo, generator: set by the caller; exec_ms, wall_ms, SC_*: for the caller
sc_die() {
        echo "${0##*/}: $*" >&2
        exit 1
}

# shellcheck source=tests/e2e/lib/rootfs.sh
source "$repo/tests/e2e/lib/rootfs.sh"
# shellcheck source=tests/e2e/lib/container.sh
source "$repo/tests/e2e/lib/container.sh"

: "${BENCH_STORE:=/var/cache/confinement-generator/bench-store}"
: "${BENCH_FIXTURES:=/var/cache/confinement-generator/fixtures-bench}"

sc_prepare() {
        local suite=$1 store=$2 n src v
        shift 2
        ((EUID == 0)) || sc_die "must run as root"
        for tool in systemd-nspawn nsenter pgrep timeout mount busybox cc; do
                command -v "$tool" >/dev/null || sc_die "missing tool $tool (scripts/install-deps)"
        done
        [[ -x $generator ]] || sc_die "no generator binary at $generator (ninja -C build)"

        case $store in
        synthetic)
                "$repo/tests/bench/make-bench-store.sh" "$BENCH_STORE" "$@" >&2 ||
                        sc_die "making the synthetic store failed"
                # shellcheck source=/dev/null
                source "$BENCH_STORE/paths.env"
                # copied into the container's root file system (below), not
                # bound from the host: a bind from the host's /var/cache
                # would put that long prefix in every mount table line of
                # the service (the root field), which makes each parse of
                # the table slower than with a real /nix/store
                SC_NSPAWN_ARGS=()
                ;;
        nix)
                command -v nix-build >/dev/null || sc_die "missing tool nix-build (scripts/install-deps)"
                "$repo/tests/fixtures/nix/build-closures.sh" "$BENCH_FIXTURES" "$@" >&2 ||
                        sc_die "building the Nix fixtures failed"
                # shellcheck source=/dev/null
                source "$BENCH_FIXTURES/paths.env"
                SC_NSPAWN_ARGS=(--bind-ro=/nix)
                ;;
        *) sc_die "unknown store $store (synthetic or nix)" ;;
        esac

        # one container suite or bench at a time on this machine
        container_suite_lock
        run_dir=$(mktemp -d /tmp/confinement-bench.XXXXXX)
        trap sc_cleanup EXIT
        ROOT=$(rootfs_instance "$suite" "$run_dir") || sc_die "no rootfs for $suite"
        if [[ $store == synthetic ]]; then
                cp -a "$BENCH_STORE/nix" "$ROOT/nix" || sc_die "copying the synthetic store failed"
        fi
        install -D -m 755 "$generator" "$ROOT/usr/lib/systemd/system-generators/confinement-generator"
        mkdir -p "$ROOT/etc/confinement.d" "$ROOT/etc/systemd/system" "$ROOT/usr/lib/bench/closures"
        cc -O2 -Wall -o "$ROOT/usr/lib/bench/kernel-floor" "$repo/tests/bench/kernel-floor.c" ||
                sc_die "compiling kernel-floor.c failed"
        for n in "$@"; do
                src=$CLOSURES/big-$n
                [[ -s $src/store-paths ]] || sc_die "no closure big-$n in $CLOSURES"
                cp -a "$src" "$ROOT/usr/lib/bench/closures/big-$n"
                v=BIG_$n
                [[ -n ${!v:-} ]] || sc_die "no BIG_$n in paths.env"
                printf -v "SC_BIG_$n" '%s' "${!v}"
        done
}

sc_cleanup() {
        container_poweroff || true
        if [[ -n ${run_dir:-} ]]; then rootfs_instance_remove "$run_dir"; fi
}

sc_unit() {
        local unit=$1 program=$2
        shift 2
        {
                printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nTimeoutStartSec=600\nExecStart=%s\n' "$program"
                if (($#)); then printf '%s\n' "$@"; fi
        } > "$ROOT/etc/systemd/system/$unit"
}

sc_spec() {
        cat > "$ROOT/etc/confinement.d/$1.json" <<EOF
{
  "mode": "${4:-full-apivfs}",
  "closureInfo": "/usr/lib/bench/closures/big-$2",
  "binSh": null,
  "storeDir": "/nix/store",
  "bindMethod": "$3"
}
EOF
}

sc_boot() {
        CONTAINER_LOG=$run_dir/console.log
        local leader
        if ! container_boot "bench-$$" "$ROOT" "${SC_NSPAWN_ARGS[@]}" "$@"; then
                # container_boot can take a short-lived child of nspawn (before
                # it execs the container's init) for the leader: look again
                leader=$(pgrep -P "${CONTAINER_NSPAWN_PID:-0}" | head -n 1 || true)
                [[ -n $leader && -S /proc/$leader/root/run/systemd/private ]] ||
                        sc_die "the container did not boot"
                echo "${0##*/}: container_boot took the wrong leader PID $CONTAINER_LEADER; it is $leader" >&2
                CONTAINER_LEADER=$leader
                cexec systemctl is-system-running --wait >/dev/null || true
        fi
        CEXEC_TIMEOUT=900
        SC_SYSTEMD_VERSION=$(cexec systemctl --version | head -n 1 | awk '{ print $2 }')
}

sc_now_ns() {
        date +%s%N
}

sc_measure() {
        local t0 t1 show start exit
        cexec systemctl stop "$1"
        t0=$(sc_now_ns)
        if ! cexec systemctl start "$1" >/dev/null 2>&1; then
                if ((${SC_MEASURE_SOFT:-0})); then
                        exec_ms="failed($(cexec systemctl show -p ExecMainStatus --value "$1"))" wall_ms=-
                        return 1
                fi
                sc_die "$1 failed to start: $(cexec systemctl status --no-pager "$1" | tail -n 5)"
        fi
        t1=$(sc_now_ns)
        wall_ms=$(((t1 - t0) / 1000000))
        show=$(cexec systemctl show -p ExecMainStartTimestampMonotonic -p ExecMainExitTimestampMonotonic "$1")
        start=$(sed -n 's/^ExecMainStartTimestampMonotonic=//p' <<< "$show")
        exit=$(sed -n 's/^ExecMainExitTimestampMonotonic=//p' <<< "$show")
        ((start > 0 && exit >= start)) || sc_die "$1: no ExecMain timestamps: $show"
        exec_ms=$(awk -v a="$start" -v b="$exit" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
}

sc_floor() {
        cexec /usr/lib/bench/kernel-floor -q -r "$2" "/usr/lib/bench/closures/big-$1/store-paths"
}

sc_pid1_cpu() {
        local tck
        tck=$(getconf CLK_TCK)
        # fields after "(comm)": state is 3, utime 14, stime 15, cutime 16, cstime 17
        sed 's/^.*) //' "/proc/$CONTAINER_LEADER/stat" |
                awk -v t="$tck" '{ printf "%d %d\n", ($12 + $13) * 1000 / t, ($14 + $15) * 1000 / t }'
}

sc_pid1_mounts() {
        wc -l < "/proc/$CONTAINER_LEADER/mountinfo"
}

median() {
        printf '%s\n' "$@" | sort -g |
                awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
