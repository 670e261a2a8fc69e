#!/bin/bash
# Tests of the NixOS module (data/nixos) on nixpkgs' real module system:
# lib.evalModules with NixOS's own declarations (eval.nix), built offline
# with real Nix and a stand-in pkgs (pkgs.nix), for the configurations of
# cases.nix. What was built (specs under their /etc names, closureInfo
# outputs, the unit directory laid out as NixOS's generateUnits lays it
# out) is copied into a root and fed to the real generator and to
# "confinementctl check"; the refusals must stop the evaluation, a bad spec
# must stop the system build (checkSpecs); package.nix must evaluate and
# install where the module links from.
#
# With a full nixpkgs at hand (NIXPKGS or <nixpkgs> a channel or checkout,
# or the pin of nixpkgs-pin.json fetched), also the whole-system
# evaluation of whole-system.nix; without one it says that it covered
# the excerpts only.
#
# Usage: test-nixos.sh CONFINEMENTCTL GENERATOR JSON-QUERY
# Without the excerpts of nixpkgs (nixpkgs.sh: NIXPKGS, ../shared/nixpkgs
# next to the checkout, <nixpkgs>) it fails, naming the three ways to
# provide them. Without Nix it says SKIP loudly and exits 77, but under
# CI=true it fails.
set -euo pipefail

ctl=$(realpath "${1:?confinementctl}")
gen=$(realpath "${2:?generator}")
jq=$(realpath "${3:?json-query}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/nixos/nixpkgs.sh
source "$here/nixpkgs.sh"

fail() {
        echo "FAIL: $*" >&2
        exit 1
}
skip() {
        if [[ ${CI:-} == true ]]; then
                fail "$* (CI=true: nothing may be skipped)"
        fi
        echo "################################################################" >&2
        echo "SKIP: the NixOS module tests did not run: $*" >&2
        echo "################################################################" >&2
        exit 77
}

for tool in nix-build nix-instantiate nix-store; do
        command -v "$tool" > /dev/null || skip "$tool not found (nix-bin; scripts/install-deps)"
done
command -v jq > /dev/null || skip "jq not found (closureInfo's builder; scripts/install-deps)"

tmp=$(mktemp -d /tmp/confinement-nixos.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home
mkdir -p "$HOME"

# the system, built (and cached: nix builds each derivation once)
out=${NIXOS_TEST_OUT:-$tmp/build}
rc=0
"$here/build.sh" "$out" "$ctl" "$gen" > "$tmp/build.log" 2>&1 || rc=$?
if ((rc == 3)); then
        cat "$tmp/build.log" >&2
        fail "no nixpkgs for the NixOS tests (above: the three ways to provide one)"
fi
((rc == 0)) || { cat "$tmp/build.log" >&2; fail "the system of cases.nix did not build"; }
# shellcheck source=/dev/null
source "$out/nixos.env"
eval "NIX_ARGS=($(cat "$out/nix-args"))"
echo "nixpkgs: $NIXOS_NIXPKGS ($(nix-instantiate --eval -E "(import $NIXOS_NIXPKGS/lib).version" | tr -d '"')), Nix $(nix-build --version | awk '{ print $3 }')"

# nix_eval ATTR CASE [ARG...]: nix-instantiate of ATTR of eval.nix for a case of cases.nix
nix_eval() {
        local attr=$1 case=$2
        shift 2
        nix-instantiate "${NIX_ARGS[@]}" "$@" "$here/eval.nix" \
                --arg configuration "(import $here/cases.nix).\"$case\"" -A "$attr"
}
nix_build() {
        local case=$1
        shift
        nix-build "${NIX_ARGS[@]}" --no-out-link "$@" "$here/eval.nix" \
                --arg configuration "(import $here/cases.nix).\"$case\"" -A system
}

# --- the system: laid out as a root ----------------------------------------
sys=$NIXOS_SYSTEM
root=$tmp/root
mkdir -p "$root/nix/store" "$root/etc/systemd"
chmod 1775 "$root/nix/store"
mapfile -t closure < <(nix-store -q --requisites "$sys")
cp -a "${closure[@]}" "$root/nix/store/"
# /etc as NixOS links it: the specs' links, the unit directory's link
cp -a "$sys/etc/confinement.d" "$root/etc/confinement.d"
cp -a "$sys/etc/systemd/system" "$root/etc/systemd/system"
[[ -L $root/etc/systemd/system ]] || fail "/etc/systemd/system is no link into the store"
units=$(readlink "$root/etc/systemd/system")

specs=(nixos-chroot nixos-defaults nixos-dev nixos-dyn nixos-full nixos-needs nixos-pkg nixos-script "nixos-tmpl@" "nixos-tmpl@one")
# /etc/confinement.d: one entry of environment.etc, a directory in the
# store (its name does not depend on the services), holding each spec
[[ -L $root/etc/confinement.d && $(readlink "$root/etc/confinement.d") == /nix/store/*-confinement.d ]] ||
        fail "/etc/confinement.d is no link to one directory in the store"
specdir=$root$(readlink "$root/etc/confinement.d")
for s in "${specs[@]}"; do
        [[ -L $specdir/$s.service.json ]] || fail "no /etc/confinement.d/$s.service.json"
done
[[ ! -e $specdir/nixos-plain.service.json ]] || fail "a spec for a service not confined"
n=$(find "$specdir" -mindepth 1 | wc -l)
((n == ${#specs[@]})) || fail "$n specs in /etc/confinement.d"
# the layout of generateUnits: a drop-in for asDropin and for a packaged unit
[[ -L $units/nixos-tmpl@one.service.d/overrides.conf && ! -e $units/nixos-tmpl@one.service ]] ||
        fail "the instance is not NAME.d/overrides.conf"
[[ $(readlink "$units/nixos-pkg.service") == "$NIXOS_PROBEUNITS/lib/systemd/system/nixos-pkg.service" &&
   -L $units/nixos-pkg.service.d/overrides.conf ]] || fail "the packaged unit's layout"

# the guard: each confined unit starts only with the generator's drop-in
for s in "${specs[@]}"; do
        # in the unit NixOS wrote: its file, or overrides.conf where the unit
        # is a package's or an instance's
        grep -qsx "AssertPathExists=/run/systemd/generator/$s.service.d/50-confinement.conf" \
                "$units/$s.service.d/overrides.conf" "$units/$s.service" ||
                fail "$s.service: no guard (AssertPathExists= of its drop-in) in what NixOS wrote"
done
grep -q '^AssertPathExists=' "$units/nixos-plain.service" && fail "nixos-plain.service: a guard, but it is not confined"

# the unit's own mode settings stand on the NixOS side: nothing is forced
grep -qx 'PrivateDevices=false' "$units/nixos-dev.service" || fail "PrivateDevices=false left the unit file"
if grep -E '^(RootDirectory|PrivateDevices|PrivateUsers|MountAPIVFS|ProtectKernel|TemporaryFileSystem|BindReadOnlyPaths)=' \
        "$units/nixos-defaults.service"; then
        fail "the module wrote confinement settings into the unit"
fi

# --- confinementctl check and the generator on that root --------------------
"$ctl" --root="$root" check > "$tmp/check" 2> "$tmp/check.err" || { cat "$tmp/check" "$tmp/check.err" >&2; fail "check of the built specs"; }
grep -q "^${#specs[@]} specs checked: ${#specs[@]} valid.$" "$tmp/check" || { cat "$tmp/check" >&2; fail "not all valid"; }
[[ ! -s $tmp/check.err ]] || { cat "$tmp/check.err" >&2; fail "check warned"; }

gen_out=$tmp/gen
mkdir "$gen_out"
"$gen" --root="$root" "$gen_out" 2> "$tmp/gen.err" || { cat "$tmp/gen.err" >&2; fail "the generator failed"; }
if grep -l invalid-spec "$gen_out"/*/50-confinement.conf; then
        cat "$tmp/gen.err" >&2
        fail "the generator failed a spec closed"
fi

# requisites ROOT...: the closure, sorted
requisites() {
        nix-store -q --requisites "$@" | LC_ALL=C sort
}
# bound UNIT: the store paths the drop-in of UNIT binds: the names of the
# closure's overlay (bindMethod "overlay", the default; the list the
# generator wrote in the generation the drop-in requires), or each bind
# from the view ("view")
bound() {
        local dropin=$gen_out/$1.d/50-confinement.conf id gen
        gen=$(sed -n 's|^BindReadOnlyPaths=/run/confinement-layer/\([0-9a-f]*\)/root/[0-9a-f]*:/nix/store$|\1|p' "$dropin")
        id=$(sed -n 's|^BindReadOnlyPaths=/run/confinement-layer/[0-9a-f]*/root/\([0-9a-f]*\):/nix/store$|\1|p' "$dropin")
        if [[ -n $id ]] && ! grep -qx "Requires=confinement-layer@$gen.service" "$dropin"; then
                echo "$1: binds the closure $id of generation $gen, but does not require it" >&2
                return 1
        fi
        {
                [[ -z $id ]] || sed 's|^|/nix/store/|' "$gen_out/confinement-layer/$gen/$id"
                sed -n 's|^BindPaths=/run/confinement-view\(/nix/store/[^/:]*\):\1$|\1|p' "$dropin"
        } | LC_ALL=C sort
}
# exactly UNIT ROOT...: the drop-in binds exactly the closure of ROOT...
exactly() {
        local unit=$1
        shift
        diff -u <(requisites "$@") <(bound "$unit") > "$tmp/diff" || { cat "$tmp/diff" >&2; fail "$unit binds not exactly its closure"; }
}
path_pkgs=("$NIXOS_COREUTILS" "$NIXOS_FINDUTILS" "$NIXOS_GNUGREP" "$NIXOS_GNUSED" "$NIXOS_SYSTEMD")
# the defaults: the probe (ExecStart=), binSh (environment.binsh, bound at
# /bin/sh from its real path, the stand-in bash's busybox) and the
# service's path (coreutils, ... as NixOS's default path)
exactly nixos-defaults.service "$NIXOS_PROBE" "${path_pkgs[@]}"
exactly nixos-dyn.service "$NIXOS_PROBE" "${path_pkgs[@]}"
exactly nixos-dev.service "$NIXOS_PROBE" "${path_pkgs[@]}"
# chroot-only, binSh = null
exactly nixos-chroot.service "$NIXOS_PROBE" "${path_pkgs[@]}"
grep -qx 'MountAPIVFS=no' "$gen_out/nixos-chroot.service.d/50-confinement.conf" || fail "chroot-only"
grep -q '/bin/sh' "$gen_out/nixos-chroot.service.d/50-confinement.conf" && fail "chroot: /bin/sh bound"
grep -q ":/bin/sh" "$gen_out/nixos-defaults.service.d/50-confinement.conf" || fail "defaults: no /bin/sh"
# packages ("${data}/share/x") and fullUnit: whatever the unit names (its
# Environment=, its X-Restart-Triggers= file) is a root
mapfile -t named < <(grep -o '/nix/store/[a-z0-9]\{32\}-[^/ "]*' "$units/nixos-full.service" | sort -u)
exactly nixos-full.service "$NIXOS_DATA" "${named[@]}"
[[ " ${named[*]} " == *" $NIXOS_EXTRA "* ]] || fail "full: the unit does not name nixos-extra"
grep -qx 'NoNewPrivileges=yes' "$gen_out/nixos-full.service.d/50-confinement.conf" || fail "mode full"
# the template (its own spec) and the instance (a spec of its own, from the
# template's ExecStart=): chroot-only, no /bin/sh
exactly nixos-tmpl@.service "$NIXOS_PROBE" "${path_pkgs[@]}"
exactly nixos-tmpl@one.service "$NIXOS_PROBE" "${path_pkgs[@]}"
grep -qx 'MountAPIVFS=no' "$gen_out/nixos-tmpl@one.service.d/50-confinement.conf" || fail "the instance's own mode"
# the packaged unit: its ExecStart= is in the package's unit file
exactly nixos-pkg.service "$NIXOS_PROBE" "${path_pkgs[@]}"
# the script calls mkdir: coreutils is bound (nixpkgs #111723)
script=$(sed -n 's|^ExecStart=||p' "$units/nixos-script.service")
exactly nixos-script.service "${script%%/bin/*}" "${path_pkgs[@]}"
bound nixos-script.service | grep -qx "$NIXOS_COREUTILS" || fail "script: coreutils not bound"
# confinement.needs: in the spec as given; the journal's sockets bound as
# named, the optional users and time skipped where this root has none
exactly nixos-needs.service "$NIXOS_PROBE" "${path_pkgs[@]}"
[[ $("$jq" "$specdir/nixos-needs.service.json" needs 0) == journal &&
   $("$jq" "$specdir/nixos-needs.service.json" needs 1) == -users &&
   $("$jq" "$specdir/nixos-needs.service.json" needs 2) == -time ]] || fail "nixos-needs: the spec's needs"
grep -qx 'BindReadOnlyPaths=/run/systemd/journal/socket' "$gen_out/nixos-needs.service.d/50-confinement.conf" ||
        fail "nixos-needs: the journal's socket is not bound"
grep -q 'BindReadOnlyPaths=.*/etc/passwd' "$gen_out/nixos-needs.service.d/50-confinement.conf" &&
        fail "nixos-needs: /etc/passwd bound though this root has none"
# nothing binds what no service names
grep -l "$NIXOS_SECRET" "$gen_out"/*/50-confinement.conf && fail "nixos-secret is bound"

# point 5 (the generator's part): the unit's PrivateDevices=false stands,
# and the drop-in says so
grep -qx 'PrivateDevices=yes' "$gen_out/nixos-dev.service.d/50-confinement.conf" &&
        fail "the generator writes PrivateDevices=yes over nixos-dev.service's PrivateDevices=false"
grep -q '^# PrivateDevices=.*unit' "$gen_out/nixos-dev.service.d/50-confinement.conf" ||
        fail "the drop-in of nixos-dev.service does not say that the unit's PrivateDevices= stands"

# --- checkSpecs at build time ------------------------------------------------
# the system's checks ran (and passed): confinementctl check of every spec
# against the unit directory the system built
# check_log SYSTEM: the build log of SYSTEM's confinement check
check_log() {
        local drv
        drv=$(nix-store -q --references "$(nix-store -q --deriver "$1")" | grep -- '-confinement-specs-checked.drv$') ||
                fail "the system has no confinement-specs-checked check"
        nix-store -r "$drv" > /dev/null
        nix-store -l "$drv"
}
check_log "$sys" > "$tmp/log"
grep -q "^${#specs[@]} specs checked: ${#specs[@]} valid.$" "$tmp/log" || { cat "$tmp/log" >&2; fail "the system's check: not all valid"; }
grep -q "nixos-tmpl@one.service: valid, chroot-only" "$tmp/log" || fail "the system's check: the instance"
# without NixOS's /etc/systemd/system (generateUnits), the module lays the
# units out itself for the check: the same specs pass
own=$(nix_build system --arg withGenerateUnits false 2> "$tmp/err") ||
        { cat "$tmp/err" >&2; fail "checkSpecs against the module's own unit layout"; }
check_log "$own" > "$tmp/log"
grep -q "^${#specs[@]} specs checked: ${#specs[@]} valid.$" "$tmp/log" || { cat "$tmp/log" >&2; fail "the module's own unit layout: not all valid"; }
# a bad spec fails the build, naming the spec and the key
bad_build() {
        local case=$1 message=$2
        if nix_build "$case" > "$tmp/bad.out" 2> "$tmp/bad.err"; then
                fail "$case: the system built"
        fi
        grep -qF -- "$message" "$tmp/bad.err" || { cat "$tmp/bad.err" >&2; fail "$case: no \"$message\""; }
}
bad_build bad-binsh 'refused.service.json: key "binSh"'
bad_build bad-package 'refused.service.json: key "packages[0]"'
nix_build bad-unchecked > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; fail "checkSpecs = false still checks"; }

# why the roots go through a file: a path inside a store path as a root of
# closureInfo directly (what the module did before) — said, not required
if nix-build "${NIX_ARGS[@]}" --no-out-link -E "
     let e = import $here/eval.nix { nixpkgs = $NIXOS_NIXPKGS; busyboxDir = $out/.src/busybox;
               probeSrc = $repo/tests/fixtures/nix/probe.sh; configuration = { }; };
     in e.pkgs.closureInfo { rootPaths = [ \"\${e.pkgs.bash}/bin/sh\" ]; }" > /dev/null 2> "$tmp/err"; then
        echo "this Nix takes \${bash}/bin/sh as a closureInfo root (Nix >= 2.22); older ones need the roots file"
elif grep -q "is not in the Nix store" "$tmp/err"; then
        echo "this Nix rejects \${bash}/bin/sh as a closureInfo root ($(grep -o "error: path .* is not in the Nix store" "$tmp/err" | head -1)): the roots file is needed"
else
        cat "$tmp/err" >&2
        fail "closureInfo of \${bash}/bin/sh failed otherwise"
fi

# --- refused at evaluation --------------------------------------------------
refused() {
        local case=$1 message=$2
        if nix_eval system "$case" > /dev/null 2> "$tmp/eval.err"; then
                fail "$case evaluated"
        fi
        grep -qF -- "$message" "$tmp/eval.err" || { cat "$tmp/eval.err" >&2; fail "$case: no \"$message\""; }
        grep -qF "Failed assertions:" "$tmp/eval.err" || fail "$case: not an assertion"
}
refused refuse-startonly "The 'serviceConfig' option 'RootDirectoryStartOnly' for service 'refused' is enabled in conjunction with 'confinement.enable'"
refused refuse-rootdir "The 'serviceConfig' option 'RootDirectory' for service 'refused' is set in conjunction with 'confinement.enable'"
refused refuse-rootimage "The 'serviceConfig' option 'RootImage' for service 'refused' is set in conjunction with 'confinement.enable'"

# --- beside the modules every NixOS system loads -----------------------------
# every case has nixpkgs' resolvconf.nix (eval.nix), which defines
# systemd.services.resolvconf under mkIf on the names of environment.etc:
# it evaluated beside ours when its unit is there
[[ -e $units/resolvconf.service ]] || fail "resolvconf.nix's service is not in the system"
# hostile.nix: confined services defined under mkIf on the names of
# environment.etc (ours among them), users.users, systemd.generators and on
# systemd.packages and environment.systemPackages; each must evaluate, and
# its spec must be built and valid (checkSpecs ran at the build)
hostile=(hostile-etc hostile-etc-ours hostile-users hostile-packages hostile-generators hostile-syspkgs hostile-plain)
if ! hsys=$(nix_build hostile 2> "$tmp/err"); then
        grep -m1 'infinite recursion' "$tmp/err" >&2 || cat "$tmp/err" >&2
        fail "the module beside resolvconf.nix and hostile.nix: the system did not evaluate or build"
fi
for s in "${hostile[@]}"; do
        [[ -L $hsys/etc/confinement.d/$s.service.json ]] || fail "hostile: no /etc/confinement.d/$s.service.json"
done
check_log "$hsys" > "$tmp/log"
grep -q "^${#hostile[@]} specs checked: ${#hostile[@]} valid.$" "$tmp/log" || { cat "$tmp/log" >&2; fail "hostile: not all valid"; }
echo "evaluated beside resolvconf.nix and ${#hostile[@]} hostile services: ${#hostile[@]} specs built and valid"

# --- with nixpkgs' own module: ours disables it ---------------------------------
nix_build both > "$tmp/both" 2> "$tmp/err" || { cat "$tmp/err" >&2; fail "ours and nixpkgs' module together"; }
both=$(cat "$tmp/both")
[[ -L $both/etc/confinement.d/both.service.json ]] || fail "both: no spec"
[[ $(nix_eval config.systemd.packages both --eval --strict --json) == '[]' ]] || fail "both: nixpkgs' module still active"
[[ $(nix_eval config.systemd.services.both.serviceConfig.RootDirectory both --eval 2>&1) == *"RootDirectory' in selection path"*"not found"* ]] ||
        fail "both: nixpkgs' module set RootDirectory="

# --- the option set is nixpkgs' ----------------------------------------------------
# option names, types and defaults as nixpkgs' module declares them (mode: plus "full")
opt_json() {
        nix-instantiate "${NIX_ARGS[@]}" --eval --strict --json -E "
          let e = import $here/eval.nix { nixpkgs = $NIXOS_NIXPKGS; busyboxDir = $out/.src/busybox;
                    probeSrc = $repo/tests/fixtures/nix/probe.sh; configuration = $1; };
              o = (e.options.systemd.services.type.getSubOptions [ ]).confinement;
          in builtins.mapAttrs (n: v: { type = v.type.description; default = if n == \"binSh\" then null else v.default; }) o"
}
theirs=$(opt_json "{ modulesPath, ... }: { imports = [ (modulesPath + \"/security/systemd-confinement.nix\") ]; }")
ours=$(opt_json "$repo/data/nixos/confinement.nix")
want=${theirs/'one of \"full-apivfs\", \"chroot-only\"'/'one of \"full-apivfs\", \"chroot-only\", \"full\"'}
# and, beyond nixpkgs, needs (issue 20)
want=${want/'"packages":'/'"needs":{"default":[],"type":"list of string matching the pattern -?(dns|tls|users|time|locale|journal|dbus)"},"packages":'}
[[ $ours == *'"mode":{"default":"full-apivfs","type":"one of \"full-apivfs\", \"chroot-only\", \"full\""}'* ]] ||
        fail "options: mode $ours"
[[ $ours == "$want" ]] || fail "options differ from nixpkgs': ours $ours, nixpkgs' $theirs"

# --- the package ----------------------------------------------------------------
# package.nix through callPackage is the module's default; its mesonFlags
# install where the module links from
nix_eval config.systemd.confinement.package.drvPath package --eval > /dev/null 2> "$tmp/err" ||
        { cat "$tmp/err" >&2; fail "package.nix does not evaluate"; }
pa() { nix_eval "config.systemd.confinement.package.attrs.$1" package --eval --strict --json; }
[[ $(pa pname) == '"confinement-generator"' && $(pa doCheck) == true ]] || fail "package: pname, doCheck"
# names of the inputs: meson, ninja, pkg-config; systemd, jansson; check for doCheck
inputs() {
        nix-instantiate "${NIX_ARGS[@]}" --eval --strict --json -E "
          let e = import $here/eval.nix { nixpkgs = $NIXOS_NIXPKGS; busyboxDir = $out/.src/busybox;
                    probeSrc = $repo/tests/fixtures/nix/probe.sh; configuration = (import $here/cases.nix).package; };
          in map (d: d.name) e.config.systemd.confinement.package.attrs.$1"
}
[[ $(inputs nativeBuildInputs) == '["meson","ninja","pkg-config"]' ]] || fail "package: nativeBuildInputs $(inputs nativeBuildInputs)"
[[ $(inputs buildInputs) == '["systemd","jansson","check"]' ]] || fail "package: buildInputs $(inputs buildInputs)"
# the source is the checkout, even though callPackage's scope (as nixpkgs')
# has a package named "src"
[[ $(nix_eval config.systemd.confinement.package.attrs.src.origSrc package --eval) == "$repo" ]] ||
        fail "package: the source is not the checkout: $(nix_eval config.systemd.confinement.package.attrs.src package --eval 2>&1 | head -3)"
mflags=$(pa mesonFlags)
gendir=$("$jq" <(echo "{\"f\": $mflags}") f 0)
[[ $gendir == -Dsystemdsystemgeneratordir=*/lib/systemd/system-generators ]] || fail "package: mesonFlags $mflags"
link=$(nix_eval 'config.systemd.generators.confinement-generator' package --eval | tr -d '"')
pkgout=$(nix_eval config.systemd.confinement.package.outPath package --eval | tr -d '"')
[[ $link == "$pkgout/lib/systemd/system-generators/confinement-generator" ]] || fail "the module links $link"
# meson's install plan with those flags (configured, not built)
mkdir "$tmp/inst"
meson setup "$tmp/inst/b" "$repo" --prefix=/PREFIX "-Dsystemdsystemgeneratordir=/PREFIX/lib/systemd/system-generators" \
        -Dtests=false > "$tmp/meson.log" 2>&1 || { cat "$tmp/meson.log" >&2; fail "meson setup with package.nix's flags"; }
meson introspect "$tmp/inst/b" --installed > "$tmp/installed.json"
grep -q '"/PREFIX/lib/systemd/system-generators/confinement-generator"' "$tmp/installed.json" ||
        fail "meson does not install the generator where the module links it: $(cat "$tmp/installed.json")"
grep -q '"/PREFIX/bin/confinementctl"' "$tmp/installed.json" || fail "meson does not install \$out/bin/confinementctl"

# --- spec.nix, the function from options to spec -------------------------------
for f in "$repo"/data/nixos/*.nix "$here"/*.nix; do
        nix-instantiate --parse "$f" > /dev/null || fail "$f does not parse"
done
spec_refused() {
        if nix-instantiate --eval --strict --json -E "import $repo/data/nixos/spec.nix { $1 }" > /dev/null 2> "$tmp/err"; then
                fail "spec.nix accepted { $1 }"
        fi
        grep -qF -- "$2" "$tmp/err" || { cat "$tmp/err" >&2; fail "spec.nix { $1 }: no \"$2\""; }
}
spec_refused 'mode = "fulll"; closureInfo = "/c";' 'mode must be one of "full-apivfs", "chroot-only" or "full", got "fulll"'
spec_refused 'closureInfo = "c";' 'closureInfo must be an absolute path'
spec_refused 'closureInfo = "/c"; binSh = "sh";' 'binSh must be an absolute path'
spec_refused 'closureInfo = "/c"; packages = [ "hello" ];' 'a package must be an absolute path'
spec_refused 'closureInfo = "/c"; needs = [ "dnss" ];' 'needs must name "dns", "tls", "users", "time", "locale", "journal" or "dbus" (optional with a leading "-"), got "dnss"'
spec_refused 'closureInfo = "/c"; needs = "dns";' 'needs must be a list'

# --- the whole system (a full nixpkgs) ----------------------------------------
# <nixpkgs/nixos> with every module NixOS loads and nixpkgs' real pkgs:
# each system's toplevel is instantiated (not built)
whole_system() {
        local full=$1 name confined
        mkdir -p "$tmp/tests"
        cp -r "$full/nixos/tests/systemd-confinement" "$tmp/tests/"
        # the test's machine as a module: its make-test-python.nix returns
        # what the test gives it
        echo 'args: args' > "$tmp/tests/make-test-python.nix"
        for name in several cryptpad systemd-confinement-test; do
                nix-instantiate --eval --strict --json "$here/whole-system.nix" --arg nixpkgs "$full" \
                        --arg testCopy "$tmp/tests" -A "$name" > "$tmp/whole.json" 2> "$tmp/err" ||
                        { cat "$tmp/err" >&2; fail "whole system $name: did not evaluate"; }
                [[ $(jq -r .toplevel "$tmp/whole.json") == /nix/store/*.drv ]] || fail "whole system $name: no toplevel"
                confined=$(jq -r '.confined | join(" ")' "$tmp/whole.json")
                case $name in
                several) [[ $confined == "conf-chroot conf-defaults conf-dynamic conf-full conf-tmpl@ conf-tmpl@one" ]] ;;
                cryptpad) [[ " $confined " == *" cryptpad "* ]] ;;
                systemd-confinement-test) [[ " $confined " == *" test1 "* ]] ;;
                esac || fail "whole system $name: confined services: $confined"
                echo "whole system $name: toplevel instantiated, confined: $confined"
        done
}
if full=$(nixpkgs_full); then
        echo "whole-system evaluation on $full ($(nix-instantiate --eval -E "(import $full/lib).version" | tr -d '"'))"
        whole_system "$full"
else
        echo "whole-system evaluation: not run: no full nixpkgs here (NIXPKGS or <nixpkgs> a channel or checkout, or the pin of nixpkgs-pin.json fetched: offline). These tests covered the excerpts of nixpkgs in $NIXOS_NIXPKGS only."
fi

echo PASS
