#!/usr/bin/env bash
# Generator-cost benchmark: wall time, CPU time and peak memory of a full
# generator run over synthetic but realistic inputs (make-synthetic-root.sh:
# a 50 000-path store, per-spec closureInfos or one shared system
# closureInfo with roots), side by side in one run with
#   - NixOS's way: nixos-reference.sh, the shell loop over store-paths;
#   - the I/O floor: io-floor, which only copies every input to an output.
# Prints a Markdown table with ratios, then callgrind instructions per
# closure path for one case.
# Usage: tests/bench/generator-cost.sh [BUILD_DIR] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
runs=${2:-3}
generator=$build/generator/confinement-generator
work=${BENCH_WORK:-/var/tmp/confinement-bench}

[[ -x $generator ]] || { echo "$0: build the generator first ($generator)" >&2; exit 1; }
for tool in /usr/bin/time valgrind gcc; do
        command -v "$tool" >/dev/null || { echo "$0: $tool is missing" >&2; exit 1; }
done
mkdir -p "$work"
gcc -O2 -o "$work/io-floor" "$here/io-floor.c"

# measure NAME CMD...: runs CMD $runs times into a fresh $work/out; prints
# "wall_ms cpu_ms maxrss_kb" (medians; max for memory).
measure() {
        local i line
        local -a walls cpus mems
        for ((i = 0; i < runs; i++)); do
                rm -rf "$work/out" && mkdir "$work/out"
                /usr/bin/time -o "$work/time" -f '%e %U %S %M' "$@" >/dev/null 2>&1
                line=$(tail -n 1 "$work/time")
                read -r w u s m <<<"$line"
                walls+=("$(awk -v w="$w" 'BEGIN { printf "%.0f", w * 1000 }')")
                cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.0f", (u + s) * 1000 }')")
                mems+=("$m")
        done
        printf '%s %s %s\n' \
                "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")" \
                "$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")" \
                "$(printf '%s\n' "${mems[@]}" | sort -n | tail -n 1)"
}

floor_args() {
        local root=$1 spec ci
        for spec in "$root"/etc/confinement.d/*.json; do
                ci=$(sed -n 's/.*"closureInfo": *"\([^"]*\)".*/\1/p' "$spec")
                printf '%s\n' "$spec" "$root$ci/store-paths" ---
        done
        # Roots need the registration of the shared closure, once.
        grep -q packages "$root"/etc/confinement.d/svc-0.service.json && printf '%s\n' "$root/ci/system/registration"
        return 0
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.1f", a / b }'; }

echo "| specs | paths each | closures from | ours: wall ms / CPU ms / peak MiB | NixOS shell: wall ms | I/O floor: wall ms | shell / ours | ours / floor |"
echo "|---|---|---|---|---|---|---|---|"
for mode in store-paths roots; do
        for specs in 10 100 1000; do
                for size in 500 5000; do
                        root=$work/root-$mode-$specs-$size
                        "$here/make-synthetic-root.sh" "$root" "$specs" "$size" "$mode" >/dev/null
                        read -r ow oc om < <(measure env SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=err \
                                "$generator" --root="$root" "$work/out")
                        mapfile -t fargs < <(floor_args "$root")
                        read -r fw _ _ < <(measure "$work/io-floor" "$work/out" "${fargs[@]}")
                        if [[ $mode == store-paths ]]; then
                                read -r sw _ _ < <(measure "$here/nixos-reference.sh" "$root" "$work/out")
                                sratio=$(ratio "$sw" "$ow")
                        else
                                sw="n/a (closures computed at build time)" sratio="n/a"
                        fi
                        printf '| %s | %s | %s | %s / %s / %s | %s | %s | %s | %s |\n' "$specs" "$size" "$mode" \
                                "$ow" "$oc" "$(awk -v m="$om" 'BEGIN { printf "%.1f", m / 1024 }')" \
                                "$sw" "$fw" "$sratio" "$(ratio "$ow" "$fw")"
                        rm -rf "$root/ci"/spec-*
                done
        done
done

# Instructions per closure path, independent of machine noise.
root=$work/root-store-paths-100-500
"$here/make-synthetic-root.sh" "$root" 100 500 store-paths >/dev/null
rm -rf "$work/out" && mkdir "$work/out"
ir=$(SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=err valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$generator" --root="$root" "$work/out" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
echo
echo "callgrind, 100 specs of 500 paths: $ir instructions, $((ir / 50000)) per closure path"
