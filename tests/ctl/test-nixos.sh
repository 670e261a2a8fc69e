#!/bin/bash
# Tests of the NixOS module (data/nixos) with the Nix of the build machine,
# without nixpkgs or NixOS: both files parse; the module, called with a
# mocked lib, pkgs and config (nixos-module-mock.nix), writes the specs,
# closureInfo roots, restart triggers and generator it should; and the spec
# function (spec.nix), evaluated for several option sets, gives specs that
# "confinementctl check" accepts against a temporary root.
#
# Usage: test-nixos.sh CONFINEMENTCTL GENERATOR JSON-QUERY
set -euo pipefail

ctl_bin=$(realpath "${1:?confinementctl}")
generator=$(realpath "${2:?generator}")
jq=$(realpath "${3:?json-query}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nixos=$(cd "$here/../../data/nixos" && pwd)
# shellcheck source=tests/ctl/lib.sh
source "$here/lib.sh"

command -v nix-instantiate > /dev/null || fail "nix-instantiate not found (nix-bin)"
tmp=$(mktemp -d /tmp/confinementctl-nixos.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# nix-instantiate wants a writable state directory and home for its caches.
export HOME=$tmp/home NIX_STATE_DIR=${NIX_STATE_DIR:-/nix/var/nix}
mkdir -p "$HOME"

# --- parse -------------------------------------------------------------------
for f in "$nixos/confinement.nix" "$nixos/spec.nix"; do
        nix-instantiate --parse "$f" > /dev/null || fail "$f does not parse"
done

# --- the module, mocked ------------------------------------------------------
services='{
  hello = {
    serviceConfig.ExecStart = "/nix/store/aaa-hello/bin/hello --greeting x";
    serviceConfig.ExecStartPre = [ "/nix/store/ppp-pre/bin/pre" ];
    confinement = { enable = true; mode = "full"; binSh = null; };
  };
  "web@" = {
    serviceConfig.ExecStart = "/nix/store/bbb-web/bin/web";
    confinement = { enable = true; fullUnit = true; packages = [ "/nix/store/ccc-data" ]; };
  };
  plain = { serviceConfig.ExecStart = "/nix/store/ddd-plain/bin/plain"; };
}'
module_eval() {
        nix-instantiate --eval --strict --json "$here/nixos-module-mock.nix" \
                --arg module "$nixos/confinement.nix" --arg services "$services" "$@"
}
module_eval > "$tmp/module.json" 2> "$tmp/module.err" || { cat "$tmp/module.err" >&2; fail "the module does not evaluate"; }
m() { "$jq" "$tmp/module.json" "$@"; }
[[ $(m disabledModules) == '["security/systemd-confinement.nix"]' ]] || fail "module: disabledModules"
[[ $(m serviceOptions) == '["binSh","enable","fullUnit","mode","packages"]' ]] || fail "module: option names"
[[ $(m enabled) == true ]] || fail "module: enabled"
[[ $(m generator) == */lib/systemd/system-generators/confinement-generator ]] || fail "module: systemd.generators"
[[ $(m etc '#') == 2 ]] || fail "module: one spec per enabled service"
h() { m etc confinement.d/hello.service.json "$@"; }
w() { m etc 'confinement.d/web@.service.json' "$@"; }
[[ $(h spec mode) == full && $(h spec unitRoots) == exec && $(h spec binSh) == null && $(h spec version) == 1 ]] ||
        fail "module: the spec of hello"
# closureInfo's roots: the packages, binSh and the text of the Exec*= settings
[[ $(h spec closureInfo) == *"-closure-info=confinement-roots-hello[/nix/store/ppp-pre/bin/pre"$'\n'"/nix/store/aaa-hello/bin/hello --greeting x]" ]] ||
        fail "module: hello's closureInfo roots: $(h spec closureInfo)"
# fullUnit: the unit itself is a root; "@" is no store name character
[[ $(w spec unitRoots) == full && $(w spec mode) == full-apivfs && $(w spec binSh) == /bin/sh-default ]] ||
        fail "module: the spec of web@"
[[ $(w spec closureInfo) == *"-closure-info=/nix/store/ccc-data,/bin/sh-default,/nix/store/"*"-unit-web@.service" ]] ||
        fail "module: web@'s closureInfo roots: $(w spec closureInfo)"
[[ $(w source) == *-confinement-web-.service.json ]] || fail "module: the store name of web@'s spec"
# restart triggers: the spec without its closureInfo (which depends on the unit)
[[ $(m restartTriggers plain) == null ]] || fail "module: plain has no restart trigger"
[[ $(m restartTriggers hello 0) == '{"binSh":null,"closureInfo":"/","mode":"full","packages":[],"unitRoots":"exec","version":1}' ]] ||
        fail "module: hello's restart trigger: $(m restartTriggers hello 0)"
[[ $(m checks) == '[]' ]] || fail "module: no check by default"
module_eval --arg checkSpecs true > "$tmp/module.json"
[[ $(m checks 0) == "confinementctl check "*"/*.service.json"* ]] || fail "module: checkSpecs"

# --- the spec function, checked by confinementctl ---------------------------
root=$tmp/root
mkdir "$root"
make_store "$root"
closure_info "$root" /etc/closures/all "$HELLO" "$DATA"
closure_info "$root" /etc/closures/data "$DATA"
mkdir -p "$root/etc/confinement.d" "$root/etc/systemd/system"

# spec NAME NIX-ARGS: the spec of NAME.service from spec.nix, and its unit
spec() {
        local name=$1 args=$2
        nix-instantiate --eval --strict --json -E "import $nixos/spec.nix { $args }" \
                > "$root/etc/confinement.d/$name.service.json" 2> "$tmp/eval.err" ||
                { cat "$tmp/eval.err" >&2; fail "spec.nix { $args }"; }
        printf '[Service]\nExecStart=%s/bin/hello\nEnvironment=DATA=%s\n' "$HELLO" "$DATA" \
                > "$root/etc/systemd/system/$name.service"
}
spec defaults 'closureInfo = "/etc/closures/all";'
spec full "mode = \"full\"; packages = [ \"$DATA\" ]; binSh = \"$BUSYBOX/bin/sh\"; fullUnit = false; closureInfo = \"/etc/closures/all\";"
spec chroot 'mode = "chroot-only"; packages = [ ]; binSh = null; fullUnit = true; closureInfo = "/etc/closures/all";'
spec extra 'mode = "full-apivfs"; binSh = null; closureInfo = "/etc/closures/all"; unknownOption = 1;'

"$ctl_bin" --root="$root" check > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/out" "$tmp/err" >&2; fail "check of the specs of spec.nix"; }
"$ctl_bin" --root="$root" --json list > "$tmp/list.json"
l() { "$jq" "$tmp/list.json" specs "$@"; }
# sorted by name: chroot, defaults, extra, full
[[ $(l 0 unit) == chroot.service && $(l 0 mode) == chroot-only && $(l 0 closurePaths) == 4 ]] ||
        fail "spec.nix chroot: $(l 0)"   # fullUnit: HELLO (Exec), DATA (Environment=) and their references
[[ $(l 1 unit) == defaults.service && $(l 1 mode) == full-apivfs && $(l 1 closurePaths) == 3 ]] ||
        fail "spec.nix defaults: $(l 1)" # exec: HELLO, BUSYBOX, LIBFOO
[[ $(l 2 state) == valid ]] || fail "spec.nix ignores unknown arguments: $(l 2)"
[[ $(l 3 unit) == full.service && $(l 3 mode) == full && $(l 3 closurePaths) == 4 ]] ||
        fail "spec.nix full: $(l 3)"     # exec roots, DATA, and binSh's BUSYBOX
[[ $("$jq" "$root/etc/confinement.d/full.service.json" unitRoots) == exec &&
   $("$jq" "$root/etc/confinement.d/chroot.service.json" unitRoots) == full ]] || fail "spec.nix: unitRoots"

# cat is the generator's output for such a spec, too
mkdir "$tmp/gen"
"$generator" --root="$root" "$tmp/gen" 2> /dev/null
"$ctl_bin" --root="$root" --no-legend cat full > "$tmp/cat"
{ echo "# /run/systemd/generator/full.service.d/50-confinement.conf"; cat "$tmp/gen/full.service.d/50-confinement.conf"
  echo; printf '%s\n' '# /run/systemd/generator/run-confinement\x2dview-nix-store.mount'
  cat "$tmp/gen/run-confinement\x2dview-nix-store.mount"; } > "$tmp/want"
diff -u "$tmp/want" "$tmp/cat" || fail "cat of a spec of spec.nix"

# a spec whose binSh is not there: check fails, naming the key
spec nosh 'binSh = "/usr/bin/missing-sh"; closureInfo = "/etc/closures/all";'
if "$ctl_bin" --root="$root" check > "$tmp/out" 2> "$tmp/err"; then
        fail "check accepted a binSh outside the closure"
fi
grep -q 'nosh.service.json: key "binSh"' "$tmp/err" || { cat "$tmp/err" >&2; fail "check: binSh message"; }
rm "$root/etc/confinement.d/nosh.service.json"

# what spec.nix refuses at evaluation
refuse() {
        local args=$1 message=$2
        if nix-instantiate --eval --strict --json -E "import $nixos/spec.nix { $args }" > /dev/null 2> "$tmp/eval.err"; then
                fail "spec.nix accepted { $args }"
        fi
        grep -qF -- "$message" "$tmp/eval.err" || { cat "$tmp/eval.err" >&2; fail "spec.nix { $args }: no \"$message\""; }
}
refuse 'mode = "fulll"; closureInfo = "/c";' 'mode must be one of "full-apivfs", "chroot-only" or "full", got "fulll"'
refuse 'closureInfo = "c";' 'closureInfo must be an absolute path'
refuse 'closureInfo = "/c"; binSh = "sh";' 'binSh must be an absolute path'
refuse 'closureInfo = "/c"; packages = [ "hello" ];' 'a package must be an absolute path'
refuse 'closureInfo = "/c"; fullUnit = "yes";' 'fullUnit must be true or false'
refuse 'mode = "full";' "called without required argument 'closureInfo'"

echo PASS
