#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, in
# build-fuzz) and runs each for SECONDS (default 60) on a copy of its
# checked-in corpus, so that normal runs never grow the corpus.
#
# Usage: tests/fuzz/run.sh [SECONDS]
#   FUZZ_TARGETS="fuzz-spec ..."  the targets to run (default: all)
#   FUZZ_JOBS=N                   targets run at once (default: the cores)
#   FUZZ_BUILD_DIR=DIR            the build directory (default: build-fuzz)
#   FUZZ_CC=CLANG                 the clang to build with (default: clang)
#
# Prints per target the executions and the coverage (libFuzzer's cov: and
# ft:), and exits non-zero on any crash, leak, timeout, failed property or
# missing tool. It installs nothing: clang and its fuzzer runtime
# (Debian: clang, libclang-rt-14-dev; llvm for symbolized traces) must be
# there. A crashing input is kept in $FUZZ_BUILD_DIR/fuzz-artifacts/: to
# reproduce, run the target on it; to keep it as a regression seed, copy it
# into tests/fuzz/corpus/TARGET/.
set -euo pipefail
# In braces: bash reads it all before running it, so that an edit of this
# file (a checkout) during a long run cannot change what runs.
{
cd "$(dirname "$0")/../.."

seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
        echo "usage: $0 [SECONDS]" >&2
        exit 2
fi
all_targets=(fuzz-spec fuzz-store-paths fuzz-registration fuzz-unit-file fuzz-unit-escape-roundtrip)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"
jobs=${FUZZ_JOBS:-$(nproc)}
build=${FUZZ_BUILD_DIR:-build-fuzz}

die() {
        echo "fuzz: $*" >&2
        exit 1
}

# One run at a time per build directory: they share it and its artifacts.
mkdir -p "$build"
exec 9>"$build/.fuzz-run.lock"
flock -n 9 || die "another tests/fuzz/run.sh is using $build (FUZZ_BUILD_DIR=... for another)"

# The toolchain, checked, never installed.
cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null || die "$cc not found: install Debian's clang and libclang-rt-14-dev (scripts/install-deps)"
for tool in meson ninja; do
        command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps)"
done
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void) d; (void) n; return 0; }' >"$probe/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" 2>"$probe/err"; then
        cat "$probe/err" >&2
        major=$("$cc" -dumpversion | cut -d. -f1)
        die "$cc cannot link a libFuzzer target: the fuzzer and sanitizer runtimes are missing (Debian: libclang-rt-$major-dev)"
fi
symbolizer=$(command -v llvm-symbolizer || command -v "llvm-symbolizer-$("$cc" -dumpversion | cut -d. -f1)" || true)
if [[ -n $symbolizer ]]; then
        export ASAN_SYMBOLIZER_PATH=$symbolizer
else
        echo "fuzz: warning: no llvm-symbolizer (Debian: llvm): crash traces will not name functions" >&2
fi

# The build: everything instrumented (meson -Dfuzzing=true). b_sanitize
# as well, so that meson.build leaves out the release hardening
# (_FORTIFY_SOURCE's checked functions hide accesses from ASan).
options=(-Dfuzzing=true -Dtests=false "-Db_sanitize=address,undefined")
if [[ -f $build/build.ninja ]]; then
        # (meson 1.0 ignores base options such as b_sanitize on setup --reconfigure.)
        meson configure "${options[@]}" "$build" >"$probe/setup.log" 2>&1 ||
                { cat "$probe/setup.log" >&2; die "meson setup failed"; }
else
        CC=$cc meson setup "${options[@]}" "$build" >"$probe/setup.log" 2>&1 ||
                { cat "$probe/setup.log" >&2; die "meson setup failed"; }
fi
# (meson.build refuses -Dfuzzing=true with another compiler than clang.)
ninja -C "$build" "${targets[@]/#/tests/fuzz/}" >"$probe/build.log" 2>&1 ||
        { cat "$probe/build.log" >&2; die "the build failed"; }
if grep -q FORTIFY_SOURCE=3 "$build/compile_commands.json"; then
        die "$build compiles with _FORTIFY_SOURCE, which hides accesses from ASan"
fi

artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# One target: its corpus copied to a temporary directory, its log kept.
run_target() {
        local t=$1 corpus
        corpus=$(mktemp -d)
        if [[ -d tests/fuzz/corpus/$t ]]; then
                cp -r "tests/fuzz/corpus/$t/." "$corpus/"
        fi
        set +e
        "$build/tests/fuzz/$t" "$corpus" \
                -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
                -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
                >"$artifacts/$t.log" 2>&1
        echo $? >"$artifacts/$t.rc"
        set -e
        rm -rf "$corpus"
}

for t in "${targets[@]}"; do
        rm -f "$artifacts/$t".* "$artifacts/$t"-*
done
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time"
running=0
for t in "${targets[@]}"; do
        [[ -x $build/tests/fuzz/$t ]] || die "no fuzz target $t"
        run_target "$t" &
        running=$((running + 1))
        if ((running >= jobs)); then
                wait -n || true
                running=$((running - 1))
        fi
done
wait || true

failed=0
printf '%-28s %10s %12s %8s %8s  %s\n' target seconds execs cov ft result
for t in "${targets[@]}"; do
        log=$artifacts/$t.log
        rc=$(cat "$artifacts/$t.rc" 2>/dev/null || echo 1)
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        time=$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
        # The last status line: "#N DONE cov: C ft: F ..." (or the last
        # one printed before a crash).
        status=$(grep -E '^#[0-9]+.* cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
        cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
        ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
        if [[ $rc == 0 ]]; then
                result=ok
        else
                result="FAILED (exit $rc)"
                failed=1
        fi
        printf '%-28s %10s %12s %8s %8s  %s\n' "$t" "${time:--}" "${execs:--}" "${cov:--}" "${ft:--}" "$result"
done

if ((failed)); then
        for t in "${targets[@]}"; do
                [[ $(cat "$artifacts/$t.rc" 2>/dev/null || echo 1) == 0 ]] && continue
                echo
                echo "== $t failed; log $artifacts/$t.log:"
                # What went wrong and where: from the first report line, its
                # stack traces, without the shadow memory map.
                awk '/ERROR: |runtime error:|property does not hold|round trip of|^SUMMARY:/ { on = 1 }
                     /^Shadow bytes around|^MS: / { on = 0 }
                     on && n < 60 { print; n++ }
                     /^SUMMARY:|Test unit written|^Base64:/ { print }' "$artifacts/$t.log" | uniq
                find "$artifacts" -maxdepth 1 -name "$t-*" | sed 's/^/   input: /'
        done
        echo
        echo "fuzz: FAILED; reproduce with $build/tests/fuzz/TARGET INPUT" >&2
        exit 1
fi
echo "fuzz: no crash"
exit
}
