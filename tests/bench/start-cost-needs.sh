#!/bin/bash
# What the spec's "needs" cost at service start, by closure size: the
# confined oneshot "true" of start-cost.sh with bindMethod "overlay" (the
# default), without needs and with every need, in one boot of a real
# systemd (systemd-nspawn over the e2e suite's rootfs). The needs add a
# fixed set of binds (and their store paths to the overlay): their cost
# should not grow with the closure.
#
# Usage: tests/bench/start-cost-needs.sh [--suite bookworm|trixie] [--runs N]
#          [--sizes "10 1000 5000"] [--store synthetic|nix] [--generator] [GENERATOR]
#
# Takes the machine-wide container lock of the e2e suites
# (/run/lock/confinement-container-suite.lock) for the whole run.
# Prints every raw run, then per size the median exec ms (fork of the main
# process to its exit) of unconfined, overlay, overlay+needs and the
# difference needs - overlay.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

suite=bookworm
runs=5
sizes="10 1000 5000"
store=synthetic
generator=$repo/build/generator/confinement-generator
while (($#)); do
        case $1 in
        --suite) suite=${2:?}; shift 2 ;;
        --runs) runs=${2:?}; shift 2 ;;
        --sizes) sizes=${2:?}; shift 2 ;;
        --store) store=${2:?}; shift 2 ;;
        --generator) generator=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) echo "$0: unknown option $1" >&2; exit 2 ;;
        *) generator=$1; shift ;;
        esac
done
read -r -a size_list <<< "$sizes"
((${#size_list[@]})) || { echo "$0: no sizes" >&2; exit 2; }

lock=${CONFINEMENT_SUITE_LOCK:-/run/lock/confinement-container-suite.lock}
mkdir -p "$(dirname "$lock")"
exec 7>>"$lock"
if ! flock -n 7; then
        echo "waiting for another container suite on this machine ($lock)" >&2
        flock 7
fi

# shellcheck source=tests/bench/start-cost-lib.sh
source "$here/start-cost-lib.sh"

sc_prepare "$suite" "$store" "${size_list[@]}"

# every member of every need there (the rootfs has no /etc/hosts, no CA bundle)
printf '127.0.0.1 localhost\n' > "$ROOT/etc/hosts"
mkdir -p "$ROOT/etc/ssl/certs"
printf -- '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' > "$ROOT/etc/ssl/certs/ca-certificates.crt"

first=SC_BIG_${size_list[0]}
sc_unit b-unconfined.service "${!first}/bin/true"
for n in "${size_list[@]}"; do
        big=SC_BIG_$n
        sc_unit "b-$n-overlay.service" "${!big}/bin/true"
        sc_spec "b-$n-overlay.service" "$n" overlay
        sc_unit "b-$n-needs.service" "${!big}/bin/true"
        cat > "$ROOT/etc/confinement.d/b-$n-needs.service.json" <<EOF
{
  "closureInfo": "/usr/lib/bench/closures/big-$n",
  "bindMethod": "overlay",
  "needs": ["dns", "tls", "users", "time", "locale", "journal", "dbus"]
}
EOF
done

# shellcheck disable=SC2119 # no extra nspawn arguments
sc_boot
# the sockets exist now: at boot the generator ran before them
cexec systemctl daemon-reload

declare -A med
bench() {
        local key=$1 unit=$2 execs=() i
        for ((i = 0; i < runs; i++)); do
                sc_measure "$unit"
                execs+=("$exec_ms")
        done
        med[$key]=$(median "${execs[@]}")
        printf '%-24s exec ms: %s\n' "$unit" "${execs[*]}"
}

echo "systemd $SC_SYSTEMD_VERSION ($suite), $store store, $runs runs each; load average $(cut -d' ' -f1-3 /proc/loadavg):"
for n in "${size_list[@]}"; do
        cexec systemctl show -p DropInPaths --value "b-$n-needs.service" | grep -q 50-confinement.conf ||
                sc_die "b-$n-needs.service has no confinement drop-in"
        bench "$n-unconfined" b-unconfined.service
        bench "$n-overlay" "b-$n-overlay.service"
        bench "$n-needs" "b-$n-needs.service"
done
echo
printf '%8s %12s %10s %10s %14s\n' paths unconfined overlay +needs "needs-overlay"
for n in "${size_list[@]}"; do
        printf '%8s %12s %10s %10s %14s\n' "$n" "${med[$n-unconfined]}" "${med[$n-overlay]}" "${med[$n-needs]}" \
                "$(awk -v a="${med[$n-needs]}" -v b="${med[$n-overlay]}" 'BEGIN { printf "%.1f", a - b }')"
done
