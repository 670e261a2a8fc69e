#!/usr/bin/env bash
# Output snapshot: runs the generator and confinementctl of a build over a
# fixed set of inputs and writes everything they output (stdout, stderr,
# exit status, every generated file and symlink) into a directory, so that
# two builds (just before and just after a refactoring) can be compared
# byte for byte. Inputs:
#   - generator (--root): the root of tests/ctl/lib.sh make_root; the
#     synthetic roots of make-synthetic-root.sh (6 specs x 40 paths, with
#     store-paths and with roots); the callgrind-check.sh root (10 x 500);
#     the shipped examples (data/examples) over lib.sh's fake store; the
#     fuzz corpus specs (tests/fuzz/corpus/fuzz-spec); the bad specs of
#     tests/unit/test-bad-specs.c as files; each at log levels info and
#     debug, with one output directory and with three (normal, early,
#     late); and its usage errors;
#   - confinementctl over the same roots: list (--json, --no-legend),
#     check (--no-trust-check, --quiet, FILE...), cat and paths (--json)
#     of every unit, usage errors; new and refresh against
#     tests/ctl/fake-nix-store, as tests/ctl/test-new.sh runs them.
# The inputs are made at a fixed path ($SNAPSHOT_WORK, default
# /tmp/confinement-output-snapshot; a lock keeps two runs apart), and that
# path is written as @WORK@ in the outputs, so that they are deterministic.
# Usage: tests/bench/output-snapshot.sh BUILD_DIR OUT_DIR
#        tests/bench/output-snapshot.sh --compare OLD_BUILD NEW_BUILD
#   --compare snapshots both builds, diff -r's the two, prints the number of
#   output files compared and fails on any difference (keeping both
#   snapshots for inspection).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${SNAPSHOT_WORK:-/tmp/confinement-output-snapshot}

usage() {
        echo "usage: $0 BUILD_DIR OUT_DIR | --compare OLD_BUILD NEW_BUILD" >&2
        exit 2
}

# --- running a command -------------------------------------------------------

# record DIR CMD...: runs CMD in a clean environment (C locale, console
# logging at $level) with $work/bin first in $PATH (or $record_path); DIR gets its stdout,
# stderr and exit status, with $work written as @WORK@
record() {
        local dir=$out/$1 rc=0
        shift
        mkdir -p "$dir"
        env -i PATH="${record_path:-$work/bin:/usr/sbin:/usr/bin:/sbin:/bin}" LC_ALL=C \
                SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL="${level:-info}" \
                "$@" < /dev/null > "$dir/stdout" 2> "$dir/stderr" || rc=$?
        echo "$rc" > "$dir/status"
        sed -i "s|$work|@WORK@|g" "$dir/stdout" "$dir/stderr"
}

# keep_tree SRC DST: copies the tree SRC to DST (symlinks as symlinks) with
# $work written as @WORK@ in the files, and DST.list: every entry's type,
# mode and symlink target
keep_tree() {
        local src=$1 dst=$2
        mkdir -p "$dst"
        cp -a "$src/." "$dst/"
        (cd "$src" && find . -printf '%y %m %p %l\n' | LC_ALL=C sort) | sed "s|$work|@WORK@|g" > "$dst.list"
        find "$dst" -type f -exec sed -i "s|$work|@WORK@|g" {} +
}

# --- the generator -------------------------------------------------------------

# generator_runs NAME: the generator over $work/roots/NAME, at both log
# levels, with one output directory and with three
generator_runs() {
        local name=$1 level dirs
        for level in info debug; do
                for dirs in 1 3; do
                        local key=generator/$name/$level-$dirs
                        rm -rf "$work/out"
                        mkdir -p "$work/out/normal" "$work/out/early" "$work/out/late"
                        if ((dirs == 1)); then
                                record "$key" "$generator" --root="$work/roots/$name" "$work/out/normal"
                        else
                                record "$key" "$generator" --root="$work/roots/$name" \
                                        "$work/out/normal" "$work/out/early" "$work/out/late"
                        fi
                        keep_tree "$work/out" "$out/$key/dirs"
                done
        done
}

generator_usage() {
        local level=info
        record generator/usage/no-args "$generator"
        record generator/usage/two-dirs "$generator" "$work/out/a" "$work/out/b"
        record generator/usage/four-dirs "$generator" "$work/out/a" "$work/out/b" "$work/out/c" "$work/out/d"
        record generator/usage/relative-root "$generator" --root=roots/ctl "$work/out/a"
        record generator/usage/unknown-option "$generator" --nosuch "$work/out/a"
        record generator/usage/help "$generator" --help
}

# --- confinementctl --------------------------------------------------------------

# units NAME: the units the specs of root NAME name, a template's as an
# instance too
units() {
        local d f u
        for d in etc/confinement.d run/confinement.d usr/local/lib/confinement.d usr/lib/confinement.d; do
                [[ -d $work/roots/$1/$d ]] || continue
                for f in "$work/roots/$1/$d"/*.json; do
                        [[ -e $f ]] || continue
                        u=${f##*/}
                        u=${u%.json}
                        echo "$u"
                        [[ $u == *@.* ]] && echo "${u%%@.*}@snap.${u#*@.}"
                done
        done | LC_ALL=C sort -u
}

ctl_runs() {
        local name=$1 key=ctl/$1 root=--root=$work/roots/$1 u
        local -a all
        mapfile -t all < <(units "$name")
        record "$key/list" "$ctl_bin" "$root" list
        record "$key/list-json" "$ctl_bin" "$root" --json list
        record "$key/list-no-legend" "$ctl_bin" "$root" --no-legend list
        record "$key/check" "$ctl_bin" "$root" check
        record "$key/check-no-trust-check" "$ctl_bin" "$root" --no-trust-check check
        record "$key/check-quiet" "$ctl_bin" "$root" --quiet check
        record "$key/check-files" "$ctl_bin" "$root" check "$work/roots/$name"/etc/confinement.d/*.json
        record "$key/cat-all" "$ctl_bin" "$root" cat "${all[@]}"
        record "$key/cat-nosuch" "$ctl_bin" "$root" cat nosuch.service
        for u in "${all[@]}"; do
                record "$key/cat/$u" "$ctl_bin" "$root" cat "$u"
                record "$key/paths/$u" "$ctl_bin" "$root" paths "$u"
                record "$key/paths-json/$u" "$ctl_bin" "$root" --json paths "$u"
        done
}

ctl_usage() {
        local key=ctl/usage root=--root=$work/roots/ctl
        record "$key/no-args" "$ctl_bin"
        record "$key/unknown-verb" "$ctl_bin" "$root" frobnicate
        record "$key/unknown-option" "$ctl_bin" --nosuch list
        record "$key/help" "$ctl_bin" --help
        record "$key/list-too-many" "$ctl_bin" "$root" list extra
        record "$key/paths-none" "$ctl_bin" "$root" paths
        record "$key/paths-too-many" "$ctl_bin" "$root" paths hello.service web@x.service
        record "$key/cat-none" "$ctl_bin" "$root" cat
        record "$key/new-none" "$ctl_bin" "$root" new
        record "$key/new-too-many" "$ctl_bin" "$root" new a b
        record "$key/reload-root" "$ctl_bin" "$root" reload
        record "$key/verify-root" "$ctl_bin" "$root" verify
        record "$key/check-json" "$ctl_bin" "$root" --json check
        record "$key/list-no-trust-check" "$ctl_bin" "$root" --no-trust-check list
        record "$key/list-mode" "$ctl_bin" "$root" --mode=full list
        record "$key/relative-root" "$ctl_bin" --root=roots/ctl list
}

# new and refresh: tests/ctl/test-new.sh's steps, each with the files the
# root then holds
new_refresh_runs() {
        local root=$work/roots/new n=0
        local units=$root/etc/systemd/system
        rm -rf "$root"
        mkdir -p "$units"
        make_store "$root"
        printf '[Service]\nExecStartPre=%s/bin/sh -c true\nExecStart=%s/bin/hello --flag\n' "$BUSYBOX" "$HELLO" > "$units/app.service"
        printf '[Service]\nExecStart=/usr/bin/true\nEnvironment=X=%s\n' "$DATA" > "$units/plain.service"
        printf '[Service]\nExecStart=/nix/store/00000000000000000000000000000000-gone/bin/x\n' > "$units/gone.service"
        printf '[Service]\nExecStart=%s/bin/hello\n' "$HELLO" > "$units/tmpl@.service"
        echo "nameserver 127.0.0.1" > "$root/etc/resolv.conf"
        step() {
                local key
                n=$((n + 1))
                key=ctl/new/$(printf '%02d' "$n")-$1
                shift
                record "$key" "$ctl_bin" --root="$root" "$@"
                (cd "$root" && find etc/confinement.d var/lib/confinement -type f 2>/dev/null | LC_ALL=C sort |
                        while read -r f; do printf '==> %s <==\n' "$f"; cat "$f"; done) > "$out/$key/files"
        }
        step new new app
        step check check
        step cat cat app
        step paths paths app
        step exists new app
        step force new --force --mode=full --bin-sh="$BUSYBOX/bin/sh" --bind-ro=/etc/resolv.conf \
                --bind=-/var/lib/app:/srv/app app
        step check-full check
        step template new tmpl@.service
        step nosuch new nosuch
        step plain new plain
        step gone new gone
        step bad-mode new --mode=fulll --force app
        step bad-bind new --bind=relative --force app
        step no-sh new --bin-sh=/usr/bin/nosh --force app
        step sh-outside new --bin-sh=/etc/resolv.conf --force app
        step options-refresh --mode=full refresh
        # no nix-store at all
        record_path=/nonexistent step no-nix-store new --force app
        step refresh refresh
        printf '[Service]\nExecStart=%s/bin/data\n' "$DATA" > "$units/tmpl@.service"
        step check-stale check
        step refresh-one refresh tmpl@.service
        step check-fresh check
        printf '[Service]\nExecStart=%s/bin/data\n' "$DATA" > "$units/app.service"
        step refresh-sh refresh
        printf '{ "closureInfo": "/etc/closures/x" }\n' > "$root/etc/confinement.d/plain.service.json"
        echo '{ "mode": "fulll", "closureInfo": "/x" }' > "$root/etc/confinement.d/broken.service.json"
        step refresh-handwritten refresh
        step refresh-broken refresh broken
        rm "$root/etc/confinement.d/broken.service.json"
        step refresh-plain refresh plain
        step refresh-nosuch refresh nosuch
        printf '[Service]\nExecStart=/usr/bin/true\n' > "$units/app.service"
        step refresh-no-store-path refresh app
}

# --- the inputs ------------------------------------------------------------------

# the root of tests/unit/test-bad-specs.c's make_root(), with a spec for
# each row of its table: the rows with JSON through the C preprocessor
# (a small program prints them), the rows with a setup function by hand
make_bad_specs_root() {
        local root=$1 etc=$1/etc/confinement.d units=$1/etc/systemd/system
        local good='"closureInfo": "/etc/c/good"' f
        mkdir -p "$root/nix/store/aaa-hello" "$root/nix/store/bbb-bash/bin" "$root/bin" "$etc" "$units"
        echo '#!/bin/false' > "$root/nix/store/bbb-bash/bin/sh"
        ln -s l-loop2 "$root/nix/store/l-loop"
        ln -s /nix/store/l-loop "$root/nix/store/l-loop2"
        ln -s /etc "$root/nix/store/e-out"
        echo "not from the store" > "$root/bin/sh"
        echo x > "$root/etc/present"
        for f in good empty nosp open badline nul missing loop out slash store gnu; do
                mkdir -p "$root/etc/c/$f"
        done
        mkdir -p "$root/etc/c/dirsp/store-paths"
        echo /nix/store/aaa-hello > "$root/etc/c/good/store-paths"
        printf '\n\n' > "$root/etc/c/empty/store-paths"
        echo /nix/store/aaa-hello > "$root/etc/c/open/store-paths"
        chmod 666 "$root/etc/c/open/store-paths"
        printf '/nix/store/aaa-hello\nnix/store/rel\n' > "$root/etc/c/badline/store-paths"
        printf '/nix/store/aaa-hello\n/nix/\0store\n' > "$root/etc/c/nul/store-paths"
        printf '/nix/store/aaa-hello\n/nix/store/zzz-gone\n' > "$root/etc/c/missing/store-paths"
        echo /nix/store/l-loop > "$root/etc/c/loop/store-paths"
        echo /nix/store/e-out > "$root/etc/c/out/store-paths"
        printf '/\n/nix/store/aaa-hello\n' > "$root/etc/c/slash/store-paths"
        printf '/nix/store\n/nix/store/aaa-hello\n' > "$root/etc/c/store/store-paths"
        echo /gnu/store/aaa-guile > "$root/etc/c/gnu/store-paths"

        local table=$top/tests/unit/test-bad-specs.c
        {
                echo '#include <stdio.h>'
                grep '^#define GOOD ' "$table"
                echo 'typedef struct { const char *name, *json; const void *setup; const char *fragment; } BadSpec;'
                sed -n '/^static const BadSpec bad_specs\[\] = {/,/^};/p' "$table" |
                        grep -o 'setup_[a-z0-9_]*' | LC_ALL=C sort -u | sed 's/.*/#define & NULL/'
                sed -n '/^static const BadSpec bad_specs\[\] = {/,/^};/p' "$table"
                cat <<'C'
int main(int argc, char *argv[]) {
        for (size_t i = 0; i < sizeof(bad_specs) / sizeof(bad_specs[0]); i++) {
                char path[4096];
                FILE *f;
                if (!bad_specs[i].json)
                        continue;
                snprintf(path, sizeof(path), "%s/%s.service.json", argc > 1 ? argv[1] : ".", bad_specs[i].name);
                f = fopen(path, "we");
                if (!f || fputs(bad_specs[i].json, f) < 0 || fclose(f) != 0)
                        return 1;
        }
        return 0;
}
C
        } > "$work/bad-specs.c"
        gcc -std=gnu11 -w -o "$work/bad-specs" "$work/bad-specs.c"
        "$work/bad-specs" "$etc"

        # the rows whose setup function writes the spec
        printf '{"closureInfo": "/etc/c/\xff"}' > "$etc/invalid-utf8.service.json"
        { printf '{%s}' "$good"; head -c 1048576 /dev/zero | tr '\0' ' '; } > "$etc/oversized.service.json"
        printf '{"closureInfo": %s"/etc/c/good"%s}' "$(printf '[%.0s' {1..16})" "$(printf ']%.0s' {1..16})" \
                > "$etc/nested.service.json"
        printf '{%s}' "$good" > "$etc/untrusted.service.json"
        chmod 666 "$etc/untrusted.service.json"
        mkdir -p "$etc/directory.service.json"
        mkfifo "$etc/fifo.service.json"
        for f in own-root start-only plus reset shadow alias; do
                printf '{%s}' "$good" > "$etc/$f.service.json"
        done
        local exec='ExecStart=/nix/store/aaa-hello/bin/hello'
        printf '[Service]\n%s\nRootDirectory=/srv\n' "$exec" > "$units/own-root.service"
        printf '[Service]\n%s\nRootDirectoryStartOnly=yes\n' "$exec" > "$units/start-only.service"
        printf '[Service]\n%s\nExecStartPre=-+/nix/store/aaa-hello/bin/hello\n' "$exec" > "$units/plus.service"
        printf '[Service]\n%s\n' "$exec" > "$units/reset.service"
        mkdir -p "$units/reset.service.d" "$units/shadow.service.d" "$units/real.service.d"
        printf '[Service]\nRootDirectory=\nTemporaryFileSystem=\n' > "$units/reset.service.d/99-override.conf"
        printf '[Service]\n%s\n' "$exec" > "$units/shadow.service"
        printf '[Service]\nUser=x\n' > "$units/shadow.service.d/50-confinement.conf"
        printf '[Service]\n%s\n[Install]\nAlias=alias.service\n' "$exec" > "$units/real.service"
        ln -s real.service "$units/alias.service"
        printf '[Service]\nRootDirectoryStartOnly=yes\n' > "$units/real.service.d/10-rdso.conf"
        printf '{%s, "bindPaths": [{"source": "/srv/rt-user/data", "target": "/data"}]}' "$good" \
                > "$etc/bind-swappable.service.json"
        mkdir -p "$root/srv/rt-user/data"
        chmod 777 "$root/srv/rt-user"
}

# the shipped examples as scripts/demo runs them, over lib.sh's fake store
make_examples_root() {
        local root=$1
        make_store "$root"
        closure_info "$root" /etc/confinement/closures/hello "$HELLO"
        closure_info "$root" /etc/confinement/closures/web "$HELLO"
        mkdir -p "$root/etc/confinement.d" "$root/run/current-system/sw/bin" "$root/var/lib/web"
        cp "$top"/data/examples/*.json "$root/etc/confinement.d/"
        ln -s "$BUSYBOX/bin/sh" "$root/run/current-system/sw/bin/sh"
        : > "$root/etc/resolv.conf"
}

# the fuzz corpus specs, each as the spec of a unit of its own
make_fuzz_root() {
        local root=$1 f u
        make_root "$root"
        for f in "$top"/tests/fuzz/corpus/fuzz-spec/*; do
                u=${f##*/}
                u=fuzz-${u%.json}
                [[ $u == *.service ]] || u=$u.service
                cp "$f" "$root/etc/confinement.d/$u.json"
        done
}

make_inputs() {
        if [[ -e $work && ! -e $work/.output-snapshot ]]; then
                echo "$0: $work exists and was not made by this script; set SNAPSHOT_WORK" >&2
                exit 1
        fi
        rm -rf "$work"
        mkdir -p "$work/roots" "$work/bin"
        touch "$work/.output-snapshot"
        ln -s "$top/tests/ctl/fake-nix-store" "$work/bin/nix-store"
        make_root "$work/roots/ctl"
        "$here/make-synthetic-root.sh" "$work/roots/synthetic-store-paths" 6 40 store-paths 2000 > /dev/null
        "$here/make-synthetic-root.sh" "$work/roots/synthetic-roots" 6 40 roots 2000 > /dev/null
        "$here/make-synthetic-root.sh" "$work/roots/callgrind" 10 500 store-paths 5000 > /dev/null
        make_examples_root "$work/roots/examples"
        make_fuzz_root "$work/roots/fuzz-spec"
        make_bad_specs_root "$work/roots/bad-specs"
}

roots=(ctl synthetic-store-paths synthetic-roots callgrind examples fuzz-spec bad-specs)

# snapshot BUILD OUT
snapshot() {
        local name
        local build_generator=$1/generator/confinement-generator build_ctl=$1/confinementctl/confinementctl
        out=$2
        [[ -x $build_generator && -x $build_ctl ]] ||
                { echo "$0: $1 has no generator or confinementctl; build it first" >&2; exit 1; }
        if [[ -e $out ]] && [[ -n $(ls -A "$out") ]]; then
                echo "$0: $out exists and is not empty" >&2
                exit 1
        fi
        mkdir -p "$out"
        out=$(realpath "$out")
        make_inputs
        # Copies at a fixed path: their own path is in the output (argv[0]
        # in messages, the generator's /proc/self/exe in the units of
        # bindMethod "overlay").
        generator=$work/bin/confinement-generator
        ctl_bin=$work/bin/confinementctl
        cp "$build_generator" "$generator"
        cp "$build_ctl" "$ctl_bin"
        for name in "${roots[@]}"; do
                generator_runs "$name"
                ctl_runs "$name"
        done
        generator_usage
        ctl_usage
        new_refresh_runs
        rm -rf "$work"
}

# shellcheck source=tests/ctl/lib.sh
source "$top/tests/ctl/lib.sh"
command -v gcc > /dev/null || { echo "$0: gcc is missing" >&2; exit 1; }
mkdir -p "$(dirname "$work")"
exec 9> "$work.lock"
flock 9

if [[ ${1:-} == --compare ]]; then
        (($# == 3)) || usage
        snaps=$(mktemp -d /tmp/output-snapshot.XXXXXX)
        snapshot "$2" "$snaps/old"
        snapshot "$3" "$snaps/new"
        files=$(find "$snaps/old" -type f | wc -l)
        if diff -r --no-dereference "$snaps/old" "$snaps/new"; then
                echo "output-snapshot: $files output files compared, identical"
                rm -rf "$snaps"
        else
                echo "output-snapshot: $files output files compared, $(diff -rq --no-dereference "$snaps/old" "$snaps/new" | wc -l) differ" \
                        "(snapshots kept in $snaps)" >&2
                exit 1
        fi
else
        (($# == 2)) || usage
        snapshot "$1" "$2"
        echo "output-snapshot: $(find "$2" -type f | wc -l) output files in $2"
fi
