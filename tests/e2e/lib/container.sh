# shellcheck shell=bash
# Boot a rootfs with a real systemd as PID 1 in systemd-nspawn and drive it
# from outside with nsenter.  Source this file.
#
#   container_boot NAME ROOT [NSPAWN-ARG...]
#                    boots ROOT in the background and waits until systemd
#                    answers and the boot is finished; sets CONTAINER_NAME,
#                    CONTAINER_ROOT, CONTAINER_NSPAWN_PID, CONTAINER_LEADER and
#                    CONTAINER_LOG (the console output)
#   cexec CMD...     runs CMD inside the container (all namespaces but the
#                    user one), with a timeout of $CEXEC_TIMEOUT seconds
#                    (default 60)
#   cpath PATH       the host path of PATH inside the running container
#                    (also for /run and other container-only mounts)
#   container_poweroff
#                    powers the container off and waits for nspawn to exit
#                    (kills it after $CONTAINER_STOP_TIMEOUT s, default 30)
#   container_suite_lock
#                    waits until no other container suite or bench runs on
#                    this machine (cgroup-v1 attach failures otherwise) and
#                    holds that until the shell exits (file descriptor 7 on
#                    $CONFINEMENT_SUITE_LOCK)
#
#   rootfs_systemd_version ROOT
#                    the systemd package version installed in ROOT (dpkg)
#
# Without --register=no --keep-unit nspawn needs a systemd on the host; each
# container gets a unique machine name.  systemd 258 and later refuse to run
# as PID 1 on the legacy cgroup hierarchy this host mounts; for them nspawn
# gives the container the unified one (SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1).
# Older versions boot as before.

: "${CEXEC_TIMEOUT:=60}"
: "${CONTAINER_BOOT_TIMEOUT:=180}"
: "${CONTAINER_STOP_TIMEOUT:=30}"

rootfs_systemd_version() {
        awk '/^Package: / { p = ($2 == "systemd") } p && /^Version: / { print $2; exit }' \
                "${1:?root}/var/lib/dpkg/status"
}

container_boot() {
        local name=${1:?name} root=${2:?root} i version unified=
        shift 2
        version=$(rootfs_systemd_version "$root" || true)
        if [[ ${version%%[.~-]*} =~ ^[0-9]+$ ]] && ((${version%%[.~-]*} >= 258)); then
                unified=1
        fi
        CONTAINER_NAME=$name
        # shellcheck disable=SC2034 # for the callers
        CONTAINER_ROOT=$root
        CONTAINER_LOG=${CONTAINER_LOG:-$(dirname "$root")/console-$name.log}
        CONTAINER_LEADER=
        SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=${unified:-${SYSTEMD_NSPAWN_UNIFIED_HIERARCHY:-}} \
                systemd-nspawn -q --register=no --keep-unit -M "$name" -D "$root" \
                --boot "$@" < /dev/null > "$CONTAINER_LOG" 2>&1 &
        CONTAINER_NSPAWN_PID=$!
        for ((i = 0; i < CONTAINER_BOOT_TIMEOUT * 10; i++)); do
                if ! kill -0 "$CONTAINER_NSPAWN_PID" 2>/dev/null; then
                        echo "container_boot: systemd-nspawn exited; console:" >&2
                        tail -n 20 "$CONTAINER_LOG" >&2
                        return 1
                fi
                # nspawn's first child may be short-lived (before it execs
                # the container's init): ask again until the one taken runs
                # systemd
                if [[ -z $CONTAINER_LEADER || ! -S /proc/$CONTAINER_LEADER/root/run/systemd/private ]]; then
                        CONTAINER_LEADER=$(pgrep -P "$CONTAINER_NSPAWN_PID" | head -n 1 || true)
                fi
                if [[ -n $CONTAINER_LEADER && -S /proc/$CONTAINER_LEADER/root/run/systemd/private ]]; then
                        break
                fi
                sleep 0.1
        done
        if [[ -z $CONTAINER_LEADER || ! -S /proc/$CONTAINER_LEADER/root/run/systemd/private ]]; then
                echo "container_boot: no systemd in the container after ${CONTAINER_BOOT_TIMEOUT}s" >&2
                return 1
        fi
        # "degraded" is fine here: the tests look at their own units
        CEXEC_TIMEOUT=$CONTAINER_BOOT_TIMEOUT cexec systemctl is-system-running --wait >/dev/null || true
}

cexec() {
        timeout -k 5 "$CEXEC_TIMEOUT" \
                nsenter -t "$CONTAINER_LEADER" -m -u -i -n -p -- "$@"
}

cpath() {
        echo "/proc/$CONTAINER_LEADER/root$1"
}

container_poweroff() {
        local i
        [[ -n ${CONTAINER_NSPAWN_PID:-} ]] || return 0
        if kill -0 "$CONTAINER_NSPAWN_PID" 2>/dev/null; then
                CEXEC_TIMEOUT=10 cexec systemctl poweroff --no-block >/dev/null 2>&1 || true
                for ((i = 0; i < CONTAINER_STOP_TIMEOUT * 10; i++)); do
                        kill -0 "$CONTAINER_NSPAWN_PID" 2>/dev/null || break
                        sleep 0.1
                done
                if kill -0 "$CONTAINER_NSPAWN_PID" 2>/dev/null; then
                        echo "container_poweroff: $CONTAINER_NAME did not stop, killing it" >&2
                        kill -KILL "$CONTAINER_NSPAWN_PID" 2>/dev/null || true
                fi
        fi
        wait "$CONTAINER_NSPAWN_PID" 2>/dev/null || true
        CONTAINER_NSPAWN_PID=
}

container_suite_lock() {
        local lock=${CONFINEMENT_SUITE_LOCK:-/run/lock/confinement-container-suite.lock}
        mkdir -p "$(dirname "$lock")"
        exec 7>>"$lock"
        if ! flock -n 7; then
                echo "waiting for another container suite on this machine ($lock)" >&2
                flock 7
        fi
}
