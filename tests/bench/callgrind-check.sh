#!/usr/bin/env bash
# Regression check of the generator's own cost, independent of machine
# noise: callgrind counts the instructions of one generator run over a
# fixed synthetic root (10 specs of 500 paths, a 5000-path store) and this
# fails when the instructions per closure path exceed the committed
# baseline (callgrind-baseline) by more than 50%.
# Usage: callgrind-check.sh GENERATOR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
generator=${1:?usage: $0 GENERATOR}
command -v valgrind >/dev/null || { echo "callgrind-check: valgrind is missing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/make-synthetic-root.sh" "$work/root" 10 500 store-paths 5000 >/dev/null
mkdir "$work/out"
ir=$(SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=err valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$generator" --root="$work/root" "$work/out" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
[[ -n $ir ]] || { echo "callgrind-check: no instruction count from callgrind" >&2; exit 1; }
paths=5000
per_path=$((ir / paths))
baseline=$(grep -v '^#' "$here/callgrind-baseline" | head -n 1)
limit=$((baseline * 3 / 2))
echo "callgrind-check: $ir instructions, $per_path per closure path (baseline $baseline, limit $limit)"
if ((per_path > limit)); then
        echo "callgrind-check: the generator costs more than 1.5 times the baseline per closure path" >&2
        exit 1
fi
