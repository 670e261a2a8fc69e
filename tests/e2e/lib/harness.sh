# shellcheck shell=bash
# What the suites that boot a container share: the e2e suite
# (tests/e2e/run.sh) and confinementctl's (tests/ctl/e2e-ctl.sh) report
# their results and clean up through these.  Source this file after
# rootfs.sh and container.sh.
#
#   pass NAME [NOTE]    prints "PASS NAME[ NOTE]", counted in $passed
#   fail NAME REASON    prints "FAIL NAME: REASON", counted in $failed
#   summary             prints what the caller's on_summary prints, if it
#                       defines one, then "N passed, N failed" as the last
#                       line; false when anything failed
#   make_run_dir PREFIX waits for every other container suite on this
#                       machine to end (one lock, $CONFINEMENT_SUITE_LOCK,
#                       held until this shell exits: two suites at once fail
#                       on cgroup v1), then makes the run directory
#                       /tmp/PREFIX.XXXXXX with a logs/ in it; sets run_dir
#                       and logs
#   cleanup             powers the container off, runs the caller's
#                       on_cleanup, if it defines one, and removes the run
#                       directory: all of it is kept with keep=1, the logs
#                       when anything failed; nothing to do without a run
#                       directory or a second time.  Trap it on EXIT.
#   fail_all REASON NAME...
#                       fails every NAME with REASON, cleans up, prints the
#                       summary and exits 1 (a failed setup)

passed=0
failed=0

pass() {
        echo "PASS $1${2:+ $2}"
        passed=$((passed + 1))
}

fail() {
        echo "FAIL $1: $2"
        failed=$((failed + 1))
}

summary() {
        if declare -F on_summary > /dev/null; then
                on_summary
        fi
        echo "$passed passed, $failed failed"
        ((failed == 0))
}

make_run_dir() {
        container_suite_lock
        run_dir=$(mktemp -d "/tmp/$1.XXXXXX")
        logs=$run_dir/logs
        mkdir -p "$logs"
}

cleanup() {
        [[ -n ${run_dir:-} ]] || return 0
        container_poweroff || true
        if declare -F on_cleanup > /dev/null; then
                on_cleanup || true
        fi
        if ((${keep:-0})); then
                echo "run directory kept: $run_dir" >&2
        elif ((failed)); then
                # keep the logs, drop the rootfs instance
                mountpoint -q "$run_dir/root" && { umount "$run_dir/root" 2>/dev/null || umount -l "$run_dir/root"; }
                rm -rf --one-file-system "$run_dir/root" "$run_dir/upper" "$run_dir/work"
                echo "logs: $logs" >&2
        else
                rootfs_instance_remove "$run_dir"
        fi
        run_dir=
}

fail_all() {
        local reason=$1 name
        shift
        for name in "$@"; do
                fail "$name" "$reason"
        done
        # cleaned up first, so that the summary is the last line
        cleanup
        trap - EXIT
        summary || true
        exit 1
}
