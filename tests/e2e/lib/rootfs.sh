# shellcheck shell=bash
# Cached debootstrapped Debian root file systems for the e2e suite and the
# benchmark, and cheap per-run writable instances of them.  Source this file.
#
#   rootfs_ensure SUITE         prints the cached rootfs of SUITE, building it
#                               first when missing (debootstrap, ~1 min)
#   rootfs_build_ensure SUITE   the same for a build root of SUITE: the
#                               compiler, meson and the -dev packages the
#                               generator builds against (the suite's own
#                               libsystemd), to build it as SUITE would
#   rootfs_path SUITE           prints where the cached rootfs of SUITE is
#                               (or will be), without building it
#   rootfs_instance SUITE DIR   makes DIR/root a writable instance of the
#                               cached rootfs (an overlay; a copy where
#                               overlayfs is not available) and prints it;
#                               the cache itself is never written to
#   rootfs_instance_of BASE DIR the same for the root file system BASE (the
#                               VM lane's, lib/vm.sh)
#   rootfs_instance_remove DIR  unmounts and removes what rootfs_instance made
#
# The cache lives in $CONFINEMENT_ROOTFS_CACHE
# (default /var/cache/confinement-generator) as rootfs-<suite>-<key> (and
# buildroot-<suite>-<key>), where <key> is a short hash of the package list:
# a changed list (CONFINEMENT_ROOTFS_INCLUDE, CONFINEMENT_BUILDROOT_INCLUDE)
# names another directory, so it is built once on every machine, and a
# running suite's lower directory of the old list is never changed under it.
# The caches of old lists are left in place (remove them by hand when no
# suite uses them).  A rootfs is built in its name with .tmp and renamed when
# complete, so a directory with the final name is always a complete rootfs.  The mirror is the one apt uses
# (/etc/apt/sources.list.d/*.sources or /etc/apt/sources.list), or
# $CONFINEMENT_MIRROR.

: "${CONFINEMENT_ROOTFS_CACHE:=/var/cache/confinement-generator}"
: "${CONFINEMENT_ROOTFS_INCLUDE:=systemd,dbus,libjansson4,libnss-systemd}"
: "${CONFINEMENT_BUILDROOT_INCLUDE:=gcc,libc6-dev,meson,ninja-build,pkgconf,libsystemd-dev,libjansson-dev}"

rootfs_mirror() {
        local f uri
        if [[ -n ${CONFINEMENT_MIRROR:-} ]]; then
                echo "$CONFINEMENT_MIRROR"
                return 0
        fi
        for f in /etc/apt/sources.list.d/*.sources; do
                [[ -f $f ]] || continue
                # the first URI of a stanza that is not the security archive
                uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f" |
                        grep -v -- '-security' | head -n 1 || true)
                if [[ -n $uri ]]; then
                        echo "$uri"
                        return 0
                fi
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
                [[ -f $f ]] || continue
                uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' "$f" |
                        grep -v -- '-security' | head -n 1 || true)
                if [[ -n $uri ]]; then
                        echo "$uri"
                        return 0
                fi
        done
        echo "rootfs_mirror: no Debian mirror found in /etc/apt" >&2
        return 1
}

# _rootfs_name KIND SUITE PACKAGES: the cache's name of that package list
_rootfs_name() {
        local key
        key=$(printf '%s' "$3" | sha256sum) || return 1
        echo "$1-$2-${key:0:12}"
}

rootfs_path() {
        echo "$CONFINEMENT_ROOTFS_CACHE/$(_rootfs_name rootfs "${1:?suite}" "$CONFINEMENT_ROOTFS_INCLUDE")"
}

rootfs_ensure() {
        _rootfs_ensure "${1:?suite}" "$(_rootfs_name rootfs "$1" "$CONFINEMENT_ROOTFS_INCLUDE")" \
                "$CONFINEMENT_ROOTFS_INCLUDE"
}

rootfs_build_ensure() {
        _rootfs_ensure "${1:?suite}" "$(_rootfs_name buildroot "$1" "$CONFINEMENT_BUILDROOT_INCLUDE")" \
                "$CONFINEMENT_BUILDROOT_INCLUDE"
}

# _rootfs_ensure SUITE NAME PACKAGES
_rootfs_ensure() {
        local suite=$1 name=$2 include=$3
        local dir=$CONFINEMENT_ROOTFS_CACHE/$name
        local tmp=$dir.tmp mirror

        if [[ -d $dir ]]; then
                echo "$dir"
                return 0
        fi
        command -v debootstrap >/dev/null || {
                echo "rootfs_ensure: debootstrap not found (scripts/install-deps)" >&2
                return 1
        }
        mkdir -p "$CONFINEMENT_ROOTFS_CACHE"
        (
                # one builder at a time; the others wait and reuse its result
                exec 8>"$CONFINEMENT_ROOTFS_CACHE/.$name.lock"
                flock 8
                [[ -d $dir ]] && exit 0
                mirror=$(rootfs_mirror)
                echo "rootfs_ensure: debootstrap $suite from $mirror into $tmp" >&2
                rm -rf "$tmp"
                if ! debootstrap --variant=minbase --include="$include" \
                        "$suite" "$tmp" "$mirror" > "$CONFINEMENT_ROOTFS_CACHE/debootstrap-$name.log" 2>&1; then
                        echo "rootfs_ensure: debootstrap failed, see $CONFINEMENT_ROOTFS_CACHE/debootstrap-$name.log" >&2
                        tail -n 5 "$CONFINEMENT_ROOTFS_CACHE/debootstrap-$name.log" >&2
                        exit 1
                fi
                mv -T "$tmp" "$dir"
        ) || return 1
        echo "$dir"
}

rootfs_instance() {
        local base
        base=$(rootfs_ensure "${1:?suite}") || return 1
        rootfs_instance_of "$base" "${2:?directory}"
}

rootfs_instance_of() {
        local base=${1:?base} dir=${2:?directory}
        mkdir -p "$dir/upper" "$dir/work" "$dir/root"
        if ! mount -t overlay overlay \
                -o "lowerdir=$base,upperdir=$dir/upper,workdir=$dir/work" "$dir/root" 2>/dev/null; then
                # no overlayfs here: a full copy (about 2 s, 250 MB)
                rmdir "$dir/upper" "$dir/work"
                cp -a --reflink=auto "$base/." "$dir/root/"
        fi
        echo "$dir/root"
}

rootfs_instance_remove() {
        local dir=${1:?directory}
        [[ -d $dir ]] || return 0
        if mountpoint -q "$dir/root"; then
                umount "$dir/root" 2>/dev/null || umount -l "$dir/root"
        fi
        rm -rf --one-file-system "$dir"
}
