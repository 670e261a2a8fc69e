# shellcheck shell=bash
# Shared helpers of the confinementctl tests: temporary roots with a fake
# Nix store, closureInfo directories and specs.  Source this file.
#
#   make_store ROOT            a store of four fake paths under ROOT/nix/store;
#                              sets BUSYBOX, HELLO, LIBFOO, DATA
#   closure_info ROOT DIR PATH...
#                              ROOT/DIR as nixpkgs' closureInfo writes it
#                              (store-paths, registration) for the closure of
#                              PATH... in the fake store
#   make_root ROOT             make_store, closures and a set of specs that
#                              covers every state (valid, overridden, masked,
#                              invalid, ignored, templates, instances)
#   fail MESSAGE               prints MESSAGE and exits 1
#   ctl STATUS ARG..., has FILE STRING
#                              run confinementctl, check its output (below)

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

# ctl EXPECTED-STATUS ARG...: runs $ctl_bin (under $CTL_WRAP, with
# $CTL_PATH before $PATH when set), output in $tmp/out and $tmp/err; fails
# unless it exits with EXPECTED-STATUS
ctl() {
        local want=$1 rc=0
        shift
        # shellcheck disable=SC2086,SC2154 # CTL_WRAP is a command line; ctl_bin and tmp the caller's
        PATH=${CTL_PATH:+$CTL_PATH:}$PATH ${CTL_WRAP:-} "$ctl_bin" "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
        if ((rc == 99)) && [[ -n ${CTL_WRAP:-} ]]; then
                cat "$tmp/err" >&2
                fail "confinementctl $*: valgrind found errors or leaks"
        fi
        if ((rc != want)); then
                echo "--- stdout" >&2; cat "$tmp/out" >&2
                echo "--- stderr" >&2; cat "$tmp/err" >&2
                fail "confinementctl $*: exit status $rc, expected $want"
        fi
}

# has FILE STRING: FILE contains the line fragment STRING
has() {
        grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks: $2"; }
}

# Nix base32 hashes, fixed so that outputs are reproducible.
H_BUSYBOX=0c3mhvnjn9ajbz54fg4x1xp3s5qwhmlq
H_HELLO=1f4rj2bhq0kzw8cw3ph9cwcd7lx2k6as
H_LIBFOO=2p7sxnjd0dx5cglv0l9xg6ar4q8zmj1a
H_DATA=3h8yq1cz2bmrdsk4v9wa6p0fxjx7ng5l

make_store() {
        local root=$1 s=$1/nix/store
        BUSYBOX=/nix/store/$H_BUSYBOX-busybox
        HELLO=/nix/store/$H_HELLO-hello
        LIBFOO=/nix/store/$H_LIBFOO-libfoo
        DATA=/nix/store/$H_DATA-data
        mkdir -p "$s" "$root$BUSYBOX/bin" "$root$HELLO/bin" "$root$LIBFOO/lib" "$root$DATA"
        chmod 1775 "$s"
        echo busybox > "$root$BUSYBOX/bin/busybox"
        ln -sfn busybox "$root$BUSYBOX/bin/sh"
        printf '#!%s/bin/sh\necho hello\n' "$BUSYBOX" > "$root$HELLO/bin/hello"
        echo libfoo > "$root$LIBFOO/lib/libfoo.so"
        echo data > "$root$DATA/data.txt"
}

# the references of each fake store path
refs_of() {
        case $1 in
        "$HELLO") echo "$BUSYBOX"; echo "$LIBFOO" ;;
        "$LIBFOO") ;;
        "$BUSYBOX") ;;
        "$DATA") ;;
        esac
}

closure_info() {
        local root=$1 dir=$2 p r
        shift 2
        local -A seen=()
        local todo=("$@")
        while ((${#todo[@]})); do
                p=${todo[0]}
                todo=("${todo[@]:1}")
                [[ -n ${seen[$p]:-} ]] && continue
                seen[$p]=1
                mapfile -t r < <(refs_of "$p")
                todo+=("${r[@]}")
        done
        mkdir -p "$root$dir"
        printf '%s\n' "${!seen[@]}" | LC_ALL=C sort > "$root$dir/store-paths"
        while read -r p; do
                mapfile -t r < <(refs_of "$p")
                printf '%s\n0000000000000000000000000000000000000000000000000000000000000000\n100\n\n%s\n' \
                        "$p" "${#r[@]}"
                if ((${#r[@]})); then printf '%s\n' "${r[@]}"; fi
        done < "$root$dir/store-paths" > "$root$dir/registration"
}

make_root() {
        local root=$1 etc=$1/etc/confinement.d run=$1/run/confinement.d usr=$1/usr/lib/confinement.d
        make_store "$root"
        closure_info "$root" /etc/closures/hello "$HELLO"
        closure_info "$root" /etc/closures/data "$DATA"
        closure_info "$root" /etc/closures/all "$HELLO" "$DATA"
        mkdir -p "$etc" "$run" "$usr" "$root/var/lib/web" "$root/etc/ssl" "$root/etc/systemd/system"
        echo "nameserver 127.0.0.1" > "$root/etc/resolv.conf"

        # hello, web@ and roots choose bindMethod "view" (the default is
        # "overlay"): test-ctl.sh's expectations of cat and paths are the
        # view's drop-ins and mount unit
        # hello: the distribution's spec, overridden by the administrator's
        cat > "$usr/hello.service.json" <<JSON
{ "closureInfo": "/etc/closures/data" }
JSON
        cat > "$etc/hello.service.json" <<JSON
{
  "mode": "full",
  "closureInfo": "/etc/closures/hello",
  "bindMethod": "view",
  "binSh": "$BUSYBOX/bin/sh",
  "bindReadOnlyPaths": ["/etc/resolv.conf", { "source": "/etc/ssl/certs", "optional": true }]
}
JSON
        # legacy: masked by an empty file
        cat > "$usr/legacy.service.json" <<JSON
{ "mode": "chroot-only", "closureInfo": "/etc/closures/data", "bindMethod": "read-only" }
JSON
        : > "$etc/legacy.service.json"
        # web@: a template, with one instance of its own at runtime
        cat > "$usr/web@.service.json" <<JSON
{
  "mode": "chroot-only",
  "closureInfo": ["/etc/closures/hello", "/etc/closures/data"],
  "bindMethod": "view",
  "bindPaths": [{ "source": "/var/lib/web", "target": "/srv/web dir:50%" }]
}
JSON
        cat > "$run/web@special.service.json" <<JSON
{ "closureInfo": "/etc/closures/data", "bindMethod": "read-only" }
JSON
        # roots: packages and the unit's Exec*= paths, in the reference graph
        cat > "$etc/roots.service.json" <<JSON
{ "closureInfo": "/etc/closures/all", "packages": ["$DATA"], "unitRoots": "exec", "bindMethod": "view" }
JSON
        cat > "$root/etc/systemd/system/roots.service" <<UNIT
[Service]
ExecStart=$HELLO/bin/hello
UNIT
        local u
        for u in hello.service web@.service legacy.service bad.service; do
                printf '[Service]\nExecStart=%s/bin/hello\n' "$HELLO" > "$root/etc/systemd/system/$u"
        done
        # bad: a typo in the mode
        cat > "$etc/bad.service.json" <<JSON
{ "mode": "fulll", "closureInfo": "/etc/closures/hello" }
JSON
        # not a unit name: skipped by the generator
        echo '{}' > "$usr/README.json"
}
