#!/bin/bash
# Which of the directives the generator writes cost what at service start,
# and what each alternative still protects.  The confined oneshot "true" of
# start-cost.sh (bindMethod "view", mode full-apivfs), with each variant
# added as a drop-in that sorts after the generator's (zz-variant.conf):
# one unit per variant and size, all in one boot, started round-robin
# (run 1 of every variant, then run 2, ...) so that a change in the load of
# the machine spreads over all of them.
#
# Usage: tests/bench/start-cost-variants.sh [--suite bookworm|trixie]
#          [--runs N] [--sizes "1000 2000"] [--store synthetic|nix]
#          [--variants "NAME..."] [--strace "NAME..."|all] [--check]
#          [--writable-api] [--list] [--generator] [GENERATOR]
#
#   --variants   the variants to time (default: all; --list shows them)
#   --strace     also start these variants once per size under strace -f
#                on the container's PID 1: how often the forked child
#                parsed /proc/self/mountinfo (opens and rewinds of it), and
#                which mount call followed each parse
#   --check      for each variant, a probe (a busybox shell script run as
#                the service, over a 10-path closure, the same confinement)
#                opens for writing, without writing, every file under
#                /proc/sys and /sys and the other kernel files
#                ProtectKernelTunables= covers, and counts what it could
#                open: what the variant still protects
#   --writable-api  boot with SYSTEMD_NSPAWN_API_VFS_WRITABLE=1, so that
#                /proc/sys and /sys are writable in the container as they
#                are on a host (nspawn makes them read-only by default,
#                which hides what ProtectKernelTunables= adds)
# Prints, per size, the median exec ms (ExecMainExit - ExecMainStart) of
# each variant and its difference to the baseline, and the parse counts.
#
# ReadOnlyPaths= and InaccessiblePaths= take host paths: with RootDirectory=
# a path without "+" is outside the root and silently dropped ("... is
# outside of root directory" in the debug log).  The variants use "+".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

pkt_list='ReadOnlyPaths=-+/proc/acpi -+/proc/apm -+/proc/asound -+/proc/bus -+/proc/fs -+/proc/irq -+/proc/latency_stats -+/proc/mtrr -+/proc/scsi -+/proc/sys -+/proc/sysrq-trigger -+/proc/timer_stats +/sys -+/sys/fs/bpf -+/sys/kernel/debug -+/sys/kernel/tracing\nInaccessiblePaths=-+/proc/kallsyms -+/proc/kcore'
pkt_proc_list='ReadOnlyPaths=-+/proc/acpi -+/proc/apm -+/proc/asound -+/proc/bus -+/proc/fs -+/proc/irq -+/proc/latency_stats -+/proc/mtrr -+/proc/scsi -+/proc/sys -+/proc/sysrq-trigger -+/proc/timer_stats +/sys\nInaccessiblePaths=-+/proc/kallsyms -+/proc/kcore'
pkm_equiv='CapabilityBoundingSet=~CAP_SYS_MODULE\nSystemCallFilter=~@module'
# NAME|directives (\n between lines)|what it is
# The variants from pkt-no on were measured against the generator before
# 91398c2, which wrote ProtectKernelTunables=, ProtectControlGroups= and
# ProtectKernelModules= themselves (docs/start-cost.md); against today's
# baseline, protect-settings and kernel-none are the ones that tell.
variant_table=(
        "baseline||what the generator writes now"
        "root-ro-paths|ReadOnlyPaths=+/|NixOS's read-only root, ReadOnlyPaths=+/, on top of the read-only tmpfs (a drop-in that reset TemporaryFileSystem= to a writable one would be refused)"
        "protect-settings|ProtectKernelTunables=yes\nProtectControlGroups=yes\nProtectKernelModules=yes|the three settings as NixOS writes them, on top of their equivalent (what the generator wrote before 91398c2, plus the equivalent)"
        "full-proc|ProcSubset=pid\nReadOnlyPaths=\nInaccessiblePaths=\nReadOnlyPaths=+/sys|what mode full writes for /proc and /sys: only process directories in /proc, so no /proc list; all of /sys read-only"
        "kernel-none|ReadOnlyPaths=\nInaccessiblePaths=|the equivalent of the three settings taken away (empty assignments reset the lists): the control for --check"
        "root-norbind|BindReadOnlyPaths=/run/confinement/%n:/run/confinement/%n:norbind|the root directory's bind at its own path (generator since 85ab54b) non-recursive: recursive, it copies every bind of the closure a second time"
        "pkt-no|ProtectKernelTunables=no|no ProtectKernelTunables="
        "pcg-no|ProtectControlGroups=no|no ProtectControlGroups="
        "pkm-no|ProtectKernelModules=no|no ProtectKernelModules="
        "pd-no|PrivateDevices=no|no PrivateDevices="
        "ptmp-no|PrivateTmp=no|no PrivateTmp="
        "api-off|MountAPIVFS=no\nPrivateDevices=no\nProtectKernelTunables=no\nProtectControlGroups=no\nProtectKernelModules=no\nPrivateTmp=no\nPrivateUsers=no\nReadOnlyPaths=\nInaccessiblePaths=|no API file systems at all (what chroot-only writes; the empty assignments reset the kernel settings' equivalent, whose /sys is gone)"
        "procsubset|ProcSubset=pid|(a) ProcSubset=pid: no /proc/sys and the like to remount"
        "pkt-as-paths|ProtectKernelTunables=no\n$pkt_list\nSystemCallFilter=~_sysctl|(b) ProtectKernelTunables= spelled out: its own list as ReadOnlyPaths=/InaccessiblePaths=, and its _sysctl filter"
        "pkt-min|ProtectKernelTunables=no\nProtectControlGroups=no\nReadOnlyPaths=+/sys +/proc/sys -+/proc/sysrq-trigger\nSystemCallFilter=~_sysctl|(b) ProtectKernelTunables= and ProtectControlGroups= as read-only /sys, /proc/sys, /proc/sysrq-trigger"
        "ro-proc-sys|ProtectKernelTunables=no\nProtectControlGroups=no\nReadOnlyPaths=+/proc +/sys\nSystemCallFilter=~_sysctl|(b) ProtectKernelTunables= and ProtectControlGroups= as all of /proc and /sys read-only (fails on 252: 217/USER, PrivateUsers= writes the uid map through /proc)"
        "logsockets-no|BindLogSockets=no|systemd 257: no journal sockets bound into the root (syslog() and sd_journal_print() from the service are lost; stdout and stderr still reach the journal); an unknown setting, ignored with a warning, on 252"
        "pkm-caps|ProtectKernelModules=no\n$pkm_equiv|ProtectKernelModules= without its mask of /usr/lib/modules (nothing there in an empty root): its capability drop and system call filter"
        "proposal-fullproc|ProtectKernelTunables=no\nProtectControlGroups=no\nProtectKernelModules=no\n$pkt_proc_list\nSystemCallFilter=~_sysctl\n$pkm_equiv|(b) ProtectKernelTunables='s /proc list as ReadOnlyPaths=/InaccessiblePaths=, all of /sys read-only (its /sys list and ProtectControlGroups= in one), pkm-caps"
        "proposal-257|ProtectKernelTunables=no\nProtectControlGroups=no\nProtectKernelModules=no\nProcSubset=pid\nReadOnlyPaths=+/sys\nSystemCallFilter=~_sysctl\n$pkm_equiv\nBindLogSockets=no|proposal and logsockets-no"
        "proposal|ProtectKernelTunables=no\nProtectControlGroups=no\nProtectKernelModules=no\nProcSubset=pid\nReadOnlyPaths=+/sys\nSystemCallFilter=~_sysctl\n$pkm_equiv|(a+b) ProcSubset=pid (no /proc/sys, /proc/sysrq-trigger ... at all), all of /sys read-only, pkm-caps"
)

suite=bookworm
runs=3
sizes="1000 2000"
store=synthetic
variants=
strace_variants=
check=0
writable_api=0
generator=$repo/build/generator/confinement-generator
while (($#)); do
        case $1 in
        --suite) suite=${2:?}; shift 2 ;;
        --runs) runs=${2:?}; shift 2 ;;
        --sizes) sizes=${2:?}; shift 2 ;;
        --store) store=${2:?}; shift 2 ;;
        --variants) variants=${2:?}; shift 2 ;;
        --strace) strace_variants=${2:?}; shift 2 ;;
        --check) check=1; shift ;;
        --writable-api) writable_api=1; shift ;;
        --list)
                for v in "${variant_table[@]}"; do
                        IFS='|' read -r name directives what <<< "$v"
                        printf '%-16s %s\n%-16s   %s\n' "$name" "$what" "" "${directives//\\n/; }"
                done
                exit 0 ;;
        --generator) generator=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) echo "$0: unknown option $1" >&2; exit 2 ;;
        *) generator=$1; shift ;;
        esac
done
read -r -a size_list <<< "$sizes"
declare -A directives_of
names=()
for v in "${variant_table[@]}"; do
        IFS='|' read -r name directives _ <<< "$v"
        directives_of[$name]=$directives
        names+=("$name")
done
if [[ -n $variants ]]; then
        read -r -a names <<< "$variants"
fi
declare -A traced
[[ $strace_variants == all ]] && strace_variants="${names[*]}"
for name in "${names[@]}" $strace_variants; do
        [[ -v "directives_of[$name]" ]] || { echo "$0: unknown variant $name (--list)" >&2; exit 2; }
done
for name in $strace_variants; do
        traced[$name]=1
done
if [[ -n $strace_variants ]]; then
        command -v strace >/dev/null || { echo "$0: strace not installed" >&2; exit 1; }
fi

# shellcheck source=tests/bench/start-cost-lib.sh
source "$here/start-cost-lib.sh"

store_sizes=("${size_list[@]}")
((check)) && store_sizes+=(10)
sc_prepare "$suite" "$store" "${store_sizes[@]}"

# variant_unit UNIT NAME: the variant's drop-in for UNIT
variant_unit() {
        mkdir -p "$ROOT/etc/systemd/system/$1.d"
        printf '[Service]\n%b\n' "${directives_of[$2]}" > "$ROOT/etc/systemd/system/$1.d/zz-variant.conf"
}
for name in "${names[@]}"; do
        for n in "${size_list[@]}"; do
                big=SC_BIG_$n
                sc_unit "v-$n-$name.service" "${!big}/bin/true"
                sc_spec "v-$n-$name.service" "$n" view
                variant_unit "v-$n-$name.service" "$name"
        done
        if ((check)); then
                # the probe: the same confinement, a shell script instead of true
                sc_unit "p-$name.service" "$BUSYBOX/bin/busybox sh /usr/lib/bench/probe $BUSYBOX/bin/busybox"
                sc_spec "p-$name.service" 10 view
                variant_unit "p-$name.service" "$name"
                printf '[Service]\nBindReadOnlyPaths=/usr/lib/bench/probe\n' \
                        > "$ROOT/etc/systemd/system/p-$name.service.d/probe.conf"
        fi
done
# Opens each file for writing (">>": no truncation, nothing written) and
# counts those it could open, by area; lists a few.
cat > "$ROOT/usr/lib/bench/probe" <<'EOF'
# $1: busybox; its applets as functions (the closure has no links to them)
bb=$1
for a in find head grep tr mount cat; do
        eval "$a() { \"\$bb\" $a \"\$@\"; }"
done
try() {
        n=0 w=0 list=
        for f in "$@"; do
                [ -f "$f" ] || continue
                n=$((n + 1))
                if (exec 3>>"$f") 2>&-; then
                        w=$((w + 1))
                        [ $w -le 3 ] && list="$list $f"
                fi
        done
        echo "$area: $w of $n openable for writing${list:+, e.g.$list}"
}
area=/proc/sys; try $(find /proc/sys -type f 2>&-)
area=/sys; try $(find /sys -xdev -type f 2>&-)
area=/sys/fs/cgroup; try $(find /sys/fs/cgroup -type f 2>&-)
area="/proc kernel files"; try /proc/sysrq-trigger /proc/kcore /proc/kallsyms /proc/timer_stats /proc/latency_stats /proc/mtrr $(find /proc/acpi /proc/bus /proc/fs /proc/irq /proc/scsi /proc/asound -type f 2>&-)
area="/proc/self"; try /proc/self/oom_score_adj /proc/self/comm /proc/self/coredump_filter /proc/self/timerslack_ns
area="/sys/fs/bpf, /sys/kernel/{debug,tracing,security}"; try $(find /sys/fs/bpf /sys/kernel/debug /sys/kernel/tracing /sys/kernel/security -maxdepth 1 -type f 2>&-)
# a real write, of the value already there (no change): is the write itself
# refused, or only the open?
wb() {
        v=$(cat "$1" 2>&-) || { echo "absent"; return; }
        (echo "$v" > "$1") 2>&- && echo "succeeded" || echo "refused"
}
echo "writing back the current value: /proc/sys/vm/swappiness $(wb /proc/sys/vm/swappiness), /sys/kernel/mm/ksm/pages_to_scan $(wb /sys/kernel/mm/ksm/pages_to_scan)"
# readable with content (an inaccessible file is an empty one)
r() { [ -n "$(head -c 1 "$1" 2>&-)" ] && echo yes || echo no; }
echo "readable: /proc/kallsyms $(r /proc/kallsyms), /proc/kcore $(r /proc/kcore), /proc/meminfo $(r /proc/meminfo), /proc/cpuinfo $(r /proc/cpuinfo), /proc/sys/kernel/osrelease $(r /proc/sys/kernel/osrelease)"
m() { mount -o remount,bind,rw "$1" 2>&- && echo succeeded || echo refused; }
echo "mount -o remount,bind,rw: /sys $(m /sys), /proc/sys $(m /proc/sys), /proc $(m /proc)"
echo "capabilities: $(grep -E '^Cap(Eff|Bnd)' /proc/self/status 2>&- | tr '\n\t' '  ')"
EOF

if ((writable_api)); then
        export SYSTEMD_NSPAWN_API_VFS_WRITABLE=1
fi
# shellcheck disable=SC2119 # no extra nspawn arguments
sc_boot
cexec systemctl daemon-reload

# strace_start UNIT NAME N: one start of UNIT under strace -f on PID 1;
# prints the parses of /proc/self/mountinfo and the mount call after each
strace_start() {
        local unit=$1 out=$run_dir/strace-$1 sp
        cexec systemctl stop "$unit"
        strace -f -qq -y -e trace=openat,lseek,mount,umount2,mount_setattr -e signal=none \
                -o "$out.log" -p "$CONTAINER_LEADER" &
        sp=$!
        sleep 1
        cexec systemctl start "$unit" >/dev/null 2>&1 || true
        sleep 0.3
        kill -INT "$sp"
        wait "$sp" || true
        # a parse: an open or a rewind of mountinfo; charged to the next
        # mount, umount2 or mount_setattr of that process
        awk -v parses_file="$out.parses" '
        / openat\(.*O_PATH.* = [0-9]+</ {
                line = $0; sub(/.* = /, "", line)
                fd = line; sub(/<.*/, "", fd); sub(/^[0-9]+</, "", line); sub(/>$/, "", line)
                fdpath[$1 "/" fd] = line
        }
        / openat\(.*"\/proc\/self\/mountinfo"/ { parses[$1]++; next }
        / lseek\([0-9]+<\/proc\/[0-9]+\/mountinfo>, 0, SEEK_SET/ { parses[$1]++; next }
        / (mount|umount2|mount_setattr)\(/ {
                pid = $1
                line = $0; sub(/^[0-9]+ +/, "", line)
                if (match(line, /"\/proc\/self\/fd\/[0-9]+"/)) {
                        fd = substr(line, RSTART + 15, RLENGTH - 16)
                        if ((pid "/" fd) in fdpath)
                                line = substr(line, 1, RSTART - 1) fdpath[pid "/" fd] substr(line, RSTART + RLENGTH)
                }
                gsub(/\/run\/confinement\/[^\/"]*/, "ROOT", line)
                if (line ~ /^mount\("\/run\/confinement-view\//) { binds++; mounts++; next }
                sub(/, NULL\) = 0$/, "", line); sub(/, 0x[0-9a-f]+\) = 0$/, "", line)
                if (binds) { printf "      %d binds of store paths\n", binds; binds = 0 }
                if (parses[pid]) { printf "  %2d  %s\n", parses[pid], line; total += parses[pid]; parses[pid] = 0 }
                else printf "      %s\n", line
                mounts++
        }
        END {
                print total > parses_file
                printf "  %d parses of /proc/self/mountinfo, %d mount calls\n", total, mounts
        }' "$out.log" > "$out.seq"
        parses[$2-$3]=$(cat "$out.parses")
        echo "strace of $unit ($2): parses of /proc/self/mountinfo, and the mount call after them (full sequence: $out.seq):"
        tail -n 1 "$out.seq"
        grep -v "^      " "$out.seq" | head -n -1 | sort -k1,1nr | awk '{ s += $1 } NR <= 12 { print } END { }'
}

probe() {
        cexec systemctl stop "p-$1.service"
        if cexec systemctl start "p-$1.service"; then
                cexec journalctl -b -q -o cat -u "p-$1.service" | tail -n 14 | sed 's/^/  /'
        else
                echo "  probe failed to start: $(cexec systemctl show -p Result --value "p-$1.service")"
        fi
}

declare -A med parses execs
echo "systemd $SC_SYSTEMD_VERSION ($suite), $store store, $runs runs each, round-robin; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 0; i < runs; i++)); do
        for n in "${size_list[@]}"; do
                for name in "${names[@]}"; do
                        [[ ${execs[$name-$n]:-} == failed* ]] && continue
                        SC_MEASURE_SOFT=1 sc_measure "v-$n-$name.service" || true
                        execs[$name-$n]+="$exec_ms "
                done
        done
done
for n in "${size_list[@]}"; do
        for name in "${names[@]}"; do
                read -r -a e <<< "${execs[$name-$n]}"
                if [[ ${e[0]} == failed* ]]; then med[$name-$n]=${e[0]}; else med[$name-$n]=$(median "${e[@]}"); fi
                printf '%-16s %5s paths exec ms: %s\n' "$name" "$n" "${execs[$name-$n]}"
        done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${names[@]}"; do
        if [[ -n ${traced[$name]:-} ]]; then
                for n in "${size_list[@]}"; do
                        strace_start "v-$n-$name.service" "$name" "$n"
                done
        fi
done
if ((check)); then
        echo
        echo "what each variant still protects (probe as root in the service; API file systems of the container $( ((writable_api)) && echo "writable, as on a host" || echo "as nspawn makes them: /proc/sys and /sys read-only already")):"
        for name in "${names[@]}"; do
                echo "$name:"
                probe "$name"
        done
fi

echo
echo "median exec ms, systemd $SC_SYSTEMD_VERSION ($suite); in brackets: minus baseline; parses: of /proc/self/mountinfo, under strace"
printf '| variant |'
for n in "${size_list[@]}"; do printf ' %s paths |' "$n"; done
printf ' directives |\n|---|'
for n in "${size_list[@]}"; do printf '%s' '---:|'; done
printf '%s\n' '---|'
for name in "${names[@]}"; do
        printf '| %s |' "$name"
        for n in "${size_list[@]}"; do
                cell=${med[$name-$n]}
                if [[ -n ${med[baseline-$n]:-} && $name != baseline && $cell != failed* ]]; then
                        cell+=$(awk -v a="${med[$name-$n]}" -v b="${med[baseline-$n]}" 'BEGIN { printf " (%+.0f)", a - b }')
                fi
                if [[ -n ${parses[$name-$n]:-} ]]; then cell+=", ${parses[$name-$n]} parses"; fi
                printf ' %s |' "$cell"
        done
        d=${directives_of[$name]//\\n/; }
        printf ' %s |\n' "${d:-(none)}"
done
