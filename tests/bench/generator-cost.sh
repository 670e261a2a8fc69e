#!/usr/bin/env bash
# Generator-cost benchmark: wall time, CPU time and peak memory of a full
# generator run over synthetic but realistic inputs (make-synthetic-root.sh:
# a 50 000-path store, per-spec closureInfos or one shared system
# closureInfo with roots), side by side in one run with
#   - NixOS's way: nixos-reference.sh, the shell loop over store-paths;
#   - the I/O floor: io-floor, which only copies every input to an output;
#   - the I/O floor with the store's listing: io-floor --list, which also
#     reads the store directory once, as any generator that checks which
#     store paths are symlinks must (or stat each distinct path it binds).
# Every command writes into a tmpfs, as generators do (/run/systemd/
# generator): a disk file system would add its inode allocation to all.
# Prints a Markdown table with ratios, then callgrind instructions per
# closure path for one case.
# Usage: tests/bench/generator-cost.sh [BUILD_DIR] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
runs=${2:-5}
generator=$build/generator/confinement-generator
work=${BENCH_WORK:-/var/tmp/confinement-bench}

[[ -x $generator ]] || { echo "$0: build the generator first ($generator)" >&2; exit 1; }
for tool in valgrind gcc; do
        command -v "$tool" >/dev/null || { echo "$0: $tool is missing" >&2; exit 1; }
done
mkdir -p "$work"
gcc -O2 -o "$work/io-floor" "$here/io-floor.c"
gcc -O2 -o "$work/measure" "$here/measure.c"
out=$(mktemp -d /dev/shm/confinement-bench-out.XXXXXX)
trap 'rm -rf "$out"' EXIT

# measure CMD...: runs CMD $runs times (MEASURE_RUNS if set) into an
# emptied $out; prints "wall_ms cpu_ms maxrss_kb" (medians; max for memory).
measure() {
        "$work/measure" "${MEASURE_RUNS:-$runs}" "$out" "$@"
}

# The inputs the generator reads, a group per output file: each spec with
# its closureInfo's store-paths; with roots (every spec names the shared
# system closureInfo and its packages) each spec, then the registration
# once: the generator reads a closureInfo once per run.
floor_args() {
        local root=$1 spec ci roots=0
        grep -q packages "$root"/etc/confinement.d/svc-0.service.json && roots=1
        for spec in "$root"/etc/confinement.d/*.json; do
                ci=$(sed -n 's/.*"closureInfo": *"\([^"]*\)".*/\1/p' "$spec")
                if ((roots)); then
                        printf '%s\n' "$spec" ---
                else
                        printf '%s\n' "$spec" "$root$ci/store-paths" ---
                fi
        done
        ((roots)) && printf '%s\n' "$root/ci/system/registration"
        return 0
}

distinct() {
        local root=$1 spec ci
        if grep -q packages "$root"/etc/confinement.d/svc-0.service.json; then
                SYSTEMD_LOG_LEVEL=err "$generator" --root="$root" "$out" >/dev/null 2>&1
                cat "$out"/*.service.d/50-confinement.conf | sed -n 's|^BindPaths=.*:/nix/store/|/nix/store/|p'
        else
                for spec in "$root"/etc/confinement.d/*.json; do
                        ci=$(sed -n 's/.*"closureInfo": *"\([^"]*\)".*/\1/p' "$spec")
                        cat "$root$ci/store-paths"
                done
        fi | sort -u | wc -l
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.1f", a / b }'; }

echo "| specs | paths each | closures from | distinct store paths | ours: wall ms / CPU ms / peak MiB | NixOS shell: wall ms | I/O floor: wall ms | floor with store listing: wall ms | shell / ours | ours / floor | ours / floor with listing |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for mode in store-paths roots; do
        for specs in 10 100 1000; do
                for size in 500 5000; do
                        root=$work/root-$mode-$specs-$size
                        "$here/make-synthetic-root.sh" "$root" "$specs" "$size" "$mode" >/dev/null
                        read -r ow oc om < <(measure SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=err \
                                "$generator" --root="$root" "$out")
                        mapfile -t fargs < <(floor_args "$root")
                        read -r fw _ _ < <(measure "$work/io-floor" "$out" "${fargs[@]}")
                        read -r lw _ _ < <(measure "$work/io-floor" --list "$root/nix/store" "$out" "${fargs[@]}")
                        if [[ $mode == store-paths ]]; then
                                # Past a million lines the shell loop takes minutes: once.
                                read -r sw _ _ < <(MEASURE_RUNS=$((specs * size > 1000000 ? 1 : runs)) \
                                        measure "$here/nixos-reference.sh" "$root" "$out")
                                sratio=$(ratio "$sw" "$ow")
                        else
                                sw="n/a (closures computed at build time)" sratio="n/a"
                        fi
                        printf '| %s | %s | %s | %s | %s / %s / %s | %s | %s | %s | %s | %s | %s |\n' "$specs" "$size" "$mode" \
                                "$(distinct "$root")" "$ow" "$oc" "$(awk -v m="$om" 'BEGIN { printf "%.1f", m / 1024 }')" \
                                "$sw" "$fw" "$lw" "$sratio" "$(ratio "$ow" "$fw")" "$(ratio "$ow" "$lw")"
                        rm -rf "$root/ci"/spec-*
                done
        done
done

# Instructions per closure path, independent of machine noise.
root=$work/root-store-paths-100-500
"$here/make-synthetic-root.sh" "$root" 100 500 store-paths >/dev/null
rm -rf "${out:?}"/*
ir=$(SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=err valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$generator" --root="$root" "$out" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
echo
echo "callgrind, 100 specs of 500 paths: $ir instructions, $((ir / 50000)) per closure path"
