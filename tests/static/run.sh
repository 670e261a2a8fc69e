#!/usr/bin/env bash
# Static analysis of the project's C sources (lib/, generator/,
# confinementctl/): cppcheck, then clang-tidy with the checked-in
# .clang-tidy; that no stage of lib/ includes a later stage's header; and
# runs shellcheck over every tracked shell script (by name *.sh or by a
# bash/sh first line); every finding an error. Exits non-zero on any finding or
# missing tool; installs nothing (Debian: cppcheck, clang-tidy, clang).
#
# Usage: tests/static/run.sh
#   STATIC_BUILD_DIR=DIR  where the compile database is set up (default:
#                         build-static; configured, never built)
#
# Suppressions, for false positives only and each with its reason: in
# .clang-tidy (whole checks), tests/static/cppcheck-suppressions.txt, or at
# the line: "// NOLINT(check): reason", "// cppcheck-suppress id".
set -euo pipefail
# In braces: bash reads it all before running it, so that an edit of this
# file (a checkout) during a long run cannot change what runs.
{
cd "$(dirname "$0")/../.."

build=${STATIC_BUILD_DIR:-build-static}
jobs=$(nproc)

die() {
        echo "static: $*" >&2
        exit 1
}
for tool in cppcheck clang-tidy clang meson shellcheck git; do
        command -v "$tool" >/dev/null || die "$tool not found (Debian: cppcheck, clang-tidy, clang, meson, shellcheck, git; scripts/install-deps)"
done

# The compile database, with clang's view of the flags, and a debug build
# type: release builds define _FORTIFY_SOURCE, whose inline wrappers of
# memcpy, snprintf, … hide those calls from both tools.
options=(--buildtype=debug -Dtests=false -Dfuzzing=false)
if [[ -f $build/build.ninja ]]; then
        meson configure "${options[@]}" "$build" >/dev/null
        ninja -C "$build" build.ninja >/dev/null # regenerates compile_commands.json if needed
else
        CC=clang meson setup "${options[@]}" "$build" >/dev/null
fi
db=$build/compile_commands.json
[[ -f $db ]] || die "no $db"

sources=(lib/*/*.c generator/*.c)
[[ -d confinementctl ]] && sources+=(confinementctl/*.c)

status=0

echo "== cppcheck $(cppcheck --version | awk '{print $2}')"
mkdir -p "$build/cppcheck"
if ! cppcheck --project="$db" --cppcheck-build-dir="$build/cppcheck" \
        --enable=warning,performance,portability --library=gnu \
        --inline-suppr --suppressions-list=tests/static/cppcheck-suppressions.txt \
        --error-exitcode=1 -q -j "$jobs" \
        --template='{file}:{line}:{column}: {severity}: {message} [{id}]'; then
        status=1
fi

echo "== clang-tidy $(clang-tidy --version | sed -n 's/.*LLVM version \([0-9.]*\).*/\1/p') (.clang-tidy, warnings are errors)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One process per file, $jobs at a time; the output of each kept apart.
# shellcheck disable=SC2016 # the inner sh expands them
printf '%s\n' "${sources[@]}" | xargs -P "$jobs" -I{} sh -c \
        'f=$1; o=$2/$(echo "$f" | tr / _); clang-tidy -p "$3" --quiet "$f" >"$o.log" 2>&1 || echo "$f" >"$o.failed"' \
        _ {} "$out" "$build"
for f in "${sources[@]}"; do
        o=$out/$(echo "$f" | tr / _)
        if [[ -f $o.failed ]]; then
                # "N warnings generated." and the like say nothing.
                grep -v -E '^[0-9]+ (warnings?|errors?)( and [0-9]+ (warnings?|errors?))? generated\.$' "$o.log" || true
                status=1
        fi
done

# lib/'s stages, in the order of lib/meson.build's lib_stages: no file of a
# stage includes a header of a later stage (docs/architecture.md).
mapfile -t stages < <(sed -n "s/^lib_stages = \[\(.*\)\]/\1/p" lib/meson.build | tr -d "' " | tr , '\n')
echo "== stage order (${stages[*]})"
((${#stages[@]} > 1)) || die "no lib_stages in lib/meson.build"
declare -A stage_of=()
for ((i = 0; i < ${#stages[@]}; i++)); do
        for h in lib/"${stages[i]}"/*.h; do
                stage_of[${h##*/}]=$i
        done
done
for ((i = 0; i < ${#stages[@]}; i++)); do
        for f in lib/"${stages[i]}"/*.[ch]; do
                while read -r inc; do
                        j=${stage_of[$inc]:-}
                        if [[ -n $j ]] && ((j > i)); then
                                echo "$f: includes $inc of the later stage ${stages[j]}"
                                status=1
                        fi
                done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$f")
        done
done

# shell scripts: tracked files named *.sh or starting with a bash/sh line
# shellcheck disable=SC2016 # awk's own $0
mapfile -t scripts < <(git ls-files -z | xargs -0 awk 'FNR == 1 {
        if (FILENAME ~ /\.sh$/ || $0 ~ /^#!.*[\/ ](ba)?sh( |$)/) print FILENAME; nextfile }' | sort -u)
echo "== shellcheck $(shellcheck --version | awk '/^version:/ { print $2 }') (${#scripts[@]} scripts)"
if ! shellcheck -x "${scripts[@]}"; then
        status=1
fi

if ((status)); then
        echo "static: FAILED" >&2
        exit 1
fi
echo "static: no finding in ${#sources[@]} C files and ${#scripts[@]} scripts"
exit
}
