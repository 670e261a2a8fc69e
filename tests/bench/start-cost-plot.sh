#!/bin/bash
# The start-cost chart: service start time against closure size, log-log,
# one panel per systemd version, from start-cost.sh --data files.
#
# Usage: tests/bench/start-cost-plot.sh OUT.png DATA...
#   DATA  files written by tests/bench/start-cost.sh --data FILE (one per
#         systemd version; the first comment line names it)
# Lines: ours (what the generator writes), the proposal when the data has
# it (start-cost.sh --proposal), "read-only" (BindReadOnlyPaths=; missing
# where it was skipped), unconfined, and the kernel floor (kernel-floor.c).
# Needs gnuplot (Debian: gnuplot-nox).
set -euo pipefail

if (($# < 2)); then
        echo "usage: $0 OUT.png DATA..." >&2
        exit 2
fi
out=$1
shift
command -v gnuplot >/dev/null || { echo "$0: gnuplot not installed (apt-get install gnuplot-nox)" >&2; exit 1; }

n=$#
script=$(mktemp)
trap 'rm -f "$script"' EXIT
{
        echo "set terminal pngcairo size $((620 * n)),580 font 'sans,11'"
        echo "set output '$out'"
        echo "set multiplot layout 1,$n"
        echo "set logscale xy"
        echo "set grid xtics ytics mytics"
        echo "set xlabel 'store paths in the closure'"
        echo "set ylabel 'start, ms (fork of the main process to its exit)'"
        echo "set key inside bottom right box opaque"
        echo "set format y '%g'"
        echo "set xrange [5:10000]"
        echo "set yrange [0.005:500000]"
        echo "set datafile missing 'NaN'"
        for f in "$@"; do
                title=$(sed -n '1s/^# start-cost.sh: //p' "$f")
                has_proposal=$(awk '!/^#/ && $9 != "NaN" && $9 != "" { print 1; exit }' "$f")
                echo "set title \"${title//\"/}\""
                printf "plot '%s' using 1:3 with linespoints lw 2 pt 9 lc rgb '#c0392b' title 'read-only: BindReadOnlyPaths=', \\\\\n" "$f"
                printf "     '' using 1:2 with linespoints lw 2 pt 7 lc rgb '#2c3e50' title 'ours: binds from the read-only view', \\\\\n"
                if [[ -n $has_proposal ]]; then
                        printf "     '' using 1:9 with linespoints lw 2 pt 5 dt 2 lc rgb '#27ae60' title 'ours + ProcSubset=pid, BindLogSockets=no', \\\\\n"
                fi
                printf "     '' using 1:4 with linespoints lw 2 pt 13 lc rgb '#7f8c8d' title 'unconfined', \\\\\n"
                printf "     '' using 1:5 with linespoints lw 2 pt 11 lc rgb '#2980b9' title 'kernel floor: kernel-floor.c'\n"
        done
        echo "unset multiplot"
} > "$script"
gnuplot "$script"
echo "$out"
