#!/bin/bash
# Builds the generator against a Debian suite's own libsystemd and headers,
# as that distribution would build it, for the e2e suite to run
# (tests/e2e/run.sh --suite SUITE --generator OUTPUT).
#
# Usage: tests/e2e/build-in-target.sh SUITE OUTPUT
#
# The build root (compiler, meson, libsystemd-dev, libjansson-dev of SUITE)
# is debootstrapped once into $CONFINEMENT_ROOTFS_CACHE/buildroot-SUITE-KEY
# (lib/rootfs.sh, about 2 min) and never written to: the build runs in
# systemd-nspawn (no boot) over a volatile overlay of it, with the source
# tree bound read-only.  Prints the libsystemd version it built against.
# Runs as root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/e2e/lib/rootfs.sh
source "$here/lib/rootfs.sh"

suite=${1:?usage: build-in-target.sh SUITE OUTPUT}
output=${2:?usage: build-in-target.sh SUITE OUTPUT}
[[ $suite =~ ^[a-z]+$ ]] || { echo "${0##*/}: not a Debian suite name: $suite" >&2; exit 2; }

buildroot=$(rootfs_build_ensure "$suite")
out_dir=$(mktemp -d /tmp/confinement-target-build.XXXXXX)
trap 'rm -rf "$out_dir"' EXIT

# meson writes only into its build directory, here inside the overlay
# shellcheck disable=SC2016 # expanded in the build root
if ! systemd-nspawn -q --register=no --keep-unit --pipe --volatile=overlay -D "$buildroot" \
        --bind-ro="$repo:/src" --bind="$out_dir:/out" --setenv=LC_ALL=C.UTF-8 \
        /bin/sh -ec '
                echo "libsystemd $(pkg-config --modversion libsystemd), $(gcc --version | head -n 1)"
                meson setup /tmp/build /src -Dtests=false -Dbuildtype=debugoptimized >/tmp/setup.log 2>&1 ||
                        { cat /tmp/setup.log; exit 1; }
                ninja -C /tmp/build generator/confinement-generator >/tmp/ninja.log 2>&1 ||
                        { cat /tmp/ninja.log; exit 1; }
                cp /tmp/build/generator/confinement-generator /out/' < /dev/null > "$out_dir/log" 2>&1 ||
        [[ ! -s $out_dir/confinement-generator ]]; then
        echo "${0##*/}: building in $suite failed:" >&2
        cat "$out_dir/log" >&2
        exit 1
fi
# nspawn's own complaints about its propagation directory are not ours
grep -v '^Attempted to remove disk file system' "$out_dir/log" || true
install -D -m 755 "$out_dir/confinement-generator" "$output"
