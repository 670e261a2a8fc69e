# shellcheck shell=bash
# Where the NixOS tests find nixpkgs. Source it; needs $repo (the checkout).
#
# Two kinds are used:
#   the excerpts  nixpkgs' lib/ and the excerpts of nixos/ that the module
#                 tests evaluate with a stand-in pkgs and build offline
#                 (eval.nix, build.sh, the e2e NixOS cases): the layout of
#                 the workplace's shared/nixpkgs (its README)
#   a full nixpkgs a channel or checkout: the whole-system evaluation
#                 (whole-system.nix), <nixpkgs/nixos> with every module
#                 NixOS loads
#
#   nixpkgs_excerpts  prints the first of $NIXPKGS, ../shared/nixpkgs beside
#                     the checkout (or beside the local checkout it was
#                     cloned from) and <nixpkgs> that has the excerpts'
#                     layout; false when none has
#   nixpkgs_full      prints the first of $NIXPKGS and <nixpkgs> that is a
#                     full nixpkgs, else fetches the pin
#                     (nixpkgs-pin.json: a revision and its sha256) with
#                     builtins.fetchTarball; false when none is there and
#                     the fetch fails (offline)
#   nixpkgs_how       prints the ways to provide nixpkgs, for a failure

_nixpkgs_candidates() {
        local origin
        printf '%s\n' "${NIXPKGS:-}" "${repo:?}/../shared/nixpkgs"
        origin=$(git -C "${repo:?}" config --get remote.origin.url 2>/dev/null || true)
        [[ $origin != /* ]] || printf '%s\n' "$origin/../shared/nixpkgs"
        nix-instantiate --find-file nixpkgs 2>/dev/null || true
}

nixpkgs_excerpts() {
        local d
        while read -r d; do
                if [[ -n $d && -f $d/lib/default.nix && -f $d/nixos/modules/misc/base.nix &&
                      -f $d/nixos/modules/system/boot/systemd.nix ]]; then
                        (cd "$d" && pwd)
                        return 0
                fi
        done < <(_nixpkgs_candidates)
        return 1
}

_nixpkgs_is_full() {
        [[ -n $1 && -f $1/nixos/lib/eval-config.nix && -f $1/pkgs/top-level/default.nix ]]
}

nixpkgs_full() {
        local d pin
        for d in "${NIXPKGS:-}" "$(nix-instantiate --find-file nixpkgs 2>/dev/null || true)"; do
                if _nixpkgs_is_full "$d"; then
                        (cd "$d" && pwd)
                        return 0
                fi
        done
        pin=${repo:?}/tests/nixos/nixpkgs-pin.json
        d=$(timeout 900 nix-instantiate --eval --read-write-mode --option connect-timeout 10 \
                --option download-attempts 1 -E "
                  let p = builtins.fromJSON (builtins.readFile $pin);
                  in builtins.fetchTarball { inherit (p) url sha256; }" 2>/dev/null | tr -d '"') || return 1
        _nixpkgs_is_full "$d" || return 1
        echo "$d"
}

nixpkgs_how() {
        cat <<EOT
The NixOS tests need nixpkgs' lib/ and the excerpts of its nixos/ tree that
the workplace's shared/nixpkgs holds (see its README). Provide them in one of
three ways:
  1. NIXPKGS=/path/to/shared/nixpkgs scripts/test   (or meson test)
  2. a shared/nixpkgs directory at ../shared/nixpkgs beside the checkout
     (or beside the local checkout this clone was made from)
  3. that directory on NIX_PATH as nixpkgs: NIX_PATH=nixpkgs=/path/to/it
A full nixpkgs (NIXPKGS or <nixpkgs> pointing to a channel or checkout, or,
with network, the revision pinned in tests/nixos/nixpkgs-pin.json, fetched
by itself) adds the whole-system evaluation of <nixpkgs/nixos>.
EOT
}
