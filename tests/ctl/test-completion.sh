#!/bin/bash
# Tests of confinementctl's bash completion: sources it and checks the
# candidates for a few command lines, split into words as bash splits them
# ("=" is a word of its own), against a temporary root with specs and units.
#
# Usage: test-completion.sh COMPLETION-FILE
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ctl/lib.sh
source "$here/lib.sh"
# shellcheck source=data/completion/confinementctl.bash
source "${1:?completion file}"
[[ $(complete -p confinementctl) == "complete -F _confinementctl confinementctl" ]] || fail "complete -p"

tmp=$(mktemp -d /tmp/confinementctl-completion.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/etc/confinement.d" "$root/usr/lib/confinement.d" "$root/etc/systemd/system" \
        "$root/usr/lib/systemd/system" "$tmp/files/dir"
touch "$root/etc/confinement.d/hello.service.json" "$root/usr/lib/confinement.d/hello.service.json" \
        "$root/usr/lib/confinement.d/web@.service.json" "$root/etc/systemd/system/app.service" \
        "$root/usr/lib/systemd/system/web@.service" "$root/usr/lib/systemd/system/other.socket" \
        "$tmp/files/a.json" "$tmp/files/b.txt"

# complete_words WORD...: the candidates for the last WORD, sorted, one a line
complete_words() {
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        _confinementctl
        if ((${#COMPREPLY[@]})); then printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort; fi
}
# expect_candidates "WANT..." WORD...
expect_candidates() {
        local want got
        want=$(printf '%s\n' "$1" | tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort)
        shift
        got=$(complete_words "$@")
        [[ $got == "$want" ]] || fail "completing [$*]: got [${got//$'\n'/ }], expected [${want//$'\n'/ }]"
}

expect_candidates "cat check list new paths refresh reload verify" confinementctl ''
expect_candidates "refresh reload" confinementctl re
expect_candidates "--no-legend --no-pager --no-trust-check" confinementctl --no-
expect_candidates "--mode=" confinementctl --mo
expect_candidates "--bind-ro= --bind= --bin-sh=" confinementctl new --bi
expect_candidates "full full-apivfs" confinementctl --mode = f
expect_candidates "chroot-only full full-apivfs" confinementctl new --mode = ''
expect_candidates "full full-apivfs" confinementctl --mode=f
# a verb after the options
expect_candidates "paths" confinementctl --no-legend --json pa
# units with a spec, under --root= (both ways bash may split it)
expect_candidates "hello.service web@.service" confinementctl --root = "$root" cat ''
expect_candidates "hello.service" confinementctl --root="$root" refresh he
expect_candidates "hello.service web@.service" confinementctl --root="$root" --no-legend paths ''
# new: the service unit files
expect_candidates "app.service web@.service" confinementctl --root = "$root" new ''
expect_candidates "web@.service" confinementctl --root = "$root" new --mode = full w
# check: JSON files and directories
expect_candidates "$tmp/files/a.json $tmp/files/dir" confinementctl check "$tmp/files/"
# values that are paths
expect_candidates "$tmp/files/dir" confinementctl --root = "$tmp/files/d"
expect_candidates "$tmp/files/b.txt" confinementctl new --bin-sh = "$tmp/files/b"
# nothing after list
expect_candidates "" confinementctl list ''

echo "PASS"
