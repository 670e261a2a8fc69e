#!/usr/bin/env bash
# The reference the generator-cost benchmark compares with: NixOS's way of
# turning a closureInfo into bind mounts (nixos/modules/security/
# systemd-confinement.nix, the chrootPaths derivation), a `while read` loop
# over store-paths writing one BindReadOnlyPaths= line per path, run here
# for every spec of a synthetic root as the generator would be.
# Usage: nixos-reference.sh ROOT OUTDIR
set -euo pipefail
root=$1 out=$2

for spec in "$root"/etc/confinement.d/*.json; do
        unit=${spec##*/}
        unit=${unit%.json}
        # The spec names its closureInfo as { "closureInfo": "/ci/spec-K" }.
        ci=$(sed -n 's/.*"closureInfo": *"\([^"]*\)".*/\1/p' "$spec")
        mkdir -p "$out/$unit.d"
        {
                echo '[Service]'
                while read -r storePath; do
                        if [[ -L $root$storePath ]]; then
                                # NixOS runs readlink -e; under a root the
                                # absolute target must not be resolved on the
                                # host, so one level, which is what Nix makes.
                                target=$(readlink "$root$storePath")
                                echo "BindReadOnlyPaths=$target:$storePath"
                        else
                                echo "BindReadOnlyPaths=$storePath"
                        fi
                done < "$root$ci/store-paths"
        } > "$out/$unit.d/50-confinement.conf"
done
