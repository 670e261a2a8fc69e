#!/usr/bin/env bash
# Makes a synthetic but realistic root for the generator-cost benchmark:
#   ROOT/nix/store             STORE paths (directories; 1 in 100 a symlink)
#   ROOT/ci/system/            a closureInfo of the whole store, with a
#                              registration whose graph is a chain (path i
#                              refers to i-1) plus up to 4 random older
#                              paths, so the closure of path i has i+1 paths
#   ROOT/ci/spec-K/store-paths for store-paths specs: SIZE random paths
#   ROOT/etc/confinement.d/    SPECS specs, svc-K.service.json
# Usage: make-synthetic-root.sh ROOT SPECS SIZE MODE [STORE]
#   MODE: store-paths (one closureInfo per spec, NixOS's way) or
#         roots (every spec shares the system closureInfo, "packages": [root])
# Deterministic: the same arguments give the same tree.
set -euo pipefail

if (($# < 4)); then
        echo "usage: $0 ROOT SPECS SIZE store-paths|roots [STORE]" >&2
        exit 2
fi
root=$1 specs=$2 size=$3 mode=$4 store=${5:-50000}
((size <= store)) || { echo "$0: SIZE must be at most STORE" >&2; exit 2; }

mkdir -p "$root/nix/store" "$root/ci/system" "$root/etc/confinement.d"
chmod 755 "$root" "$root/nix" "$root/nix/store"

# Store path names: 32 characters of Nix's base32 alphabet, then a name.
awk -v n="$store" 'BEGIN {
        alphabet = "0123456789abcdfghijklmnpqrsvwxyz"; srand(1)
        for (i = 0; i < n; i++) {
                h = ""
                for (k = 0; k < 32; k++) h = h substr(alphabet, int(rand() * 32) + 1, 1)
                printf "%s-pkg%d\n", h, i
        }
}' > "$root/ci/system/order"

if [[ ! -e $root/nix/store/.made-$store ]]; then
        (cd "$root/nix/store" && awk 'NR % 100 != 0' ../../ci/system/order | xargs mkdir -p)
        # Every hundredth path is a symlink to the one before it, as Nix
        # makes for an output that is a symlink.
        awk 'NR % 100 == 0 { print prev, $0 } { prev = $0 }' "$root/ci/system/order" |
                while read -r target link; do ln -sfn "/nix/store/$target" "$root/nix/store/$link"; done
        touch "$root/nix/store/.made-$store"
fi

# The system closureInfo: store-paths sorted, registration in graph order.
sed 's|^|/nix/store/|' "$root/ci/system/order" | LC_ALL=C sort > "$root/ci/system/store-paths"
awk 'BEGIN { srand(2) }
{
        path[NR - 1] = "/nix/store/" $0
        i = NR - 1
        printf "%s\nsha256:0000000000000000000000000000000000000000000000000000\n4096\n\n", path[i]
        n = 0; delete refs
        if (i > 0) refs[n++] = path[i - 1]
        for (k = 0; k < 4 && i > 1; k++) refs[n++] = path[int(rand() * (i - 1))]
        printf "%d\n", n
        for (k = 0; k < n; k++) print refs[k]
}' "$root/ci/system/order" > "$root/ci/system/registration"

rm -f "$root"/etc/confinement.d/*.json
for ((k = 0; k < specs; k++)); do
        if [[ $mode == store-paths ]]; then
                mkdir -p "$root/ci/spec-$k"
                awk -v seed=$((k + 3)) -v size="$size" -v n="$store" 'BEGIN { srand(seed) }
                        { p[NR - 1] = $0 }
                        END {
                                for (c = 0; c < size;) { i = int(rand() * n); if (!(i in taken)) { taken[i]; c++ } }
                                for (i in taken) print "/nix/store/" p[i]
                        }' "$root/ci/system/order" | LC_ALL=C sort > "$root/ci/spec-$k/store-paths"
                printf '{ "closureInfo": "/ci/spec-%d" }\n' "$k"
        else
                rootpath=$(sed -n "${size}p" "$root/ci/system/order")
                printf '{ "closureInfo": "/ci/system", "packages": [ "/nix/store/%s" ] }\n' "$rootpath"
        fi > "$root/etc/confinement.d/svc-$k.service.json"
done
