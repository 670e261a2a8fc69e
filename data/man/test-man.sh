#!/bin/sh
# test-man.sh PAGE: man(1) renders PAGE at 80 columns without a warning.
set -eu
page=${1:?page}
command -v man > /dev/null || { echo "man not found (man-db, groff-base)" >&2; exit 1; }
err=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null) || { echo "$err" >&2; exit 1; }
if [ -n "$err" ]; then
        printf '%s\n' "$err" >&2
        exit 1
fi
# and something was rendered
MANWIDTH=80 man -l "$page" 2> /dev/null | grep -q '^NAME' || { echo "$page: nothing rendered" >&2; exit 1; }
