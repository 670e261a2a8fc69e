# /etc/systemd/system as NixOS builds it: the unit-directory part of
# nixpkgs' generateUnits (nixos/lib/systemd-lib.nix, MIT; the excerpt in
# ../shared/nixpkgs leaves it out): units of systemd.packages linked in;
# a unit of systemd.units also shipped by a package, and every unit with
# overrideStrategy = "asDropin", as NAME.d/overrides.conf; aliases and
# wantedBy links. Upstream systemd units are left out (the stand-in systemd
# ships none).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mapAttrsToList attrByPath concatStrings concatMapStrings filterAttrs;
  cfg = config.systemd;
  units = filterAttrs (_: u: u.enable) cfg.units;
  generateUnits = pkgs.runCommand "system-units" {
    preferLocalBuild = true;
    allowSubstitutes = false;
  } ''
    mkdir -p $out

    for i in ${toString cfg.packages}; do
      for fn in $i/etc/systemd/system/* $i/lib/systemd/system/*; do
        if ! [ -e "$fn" ]; then continue; fi
        case "$fn" in *.wants) continue ;; esac
        if [ -d "$fn" ]; then
          targetDir="$out/$(basename "$fn")"
          mkdir -p "$targetDir"
          for f in "$fn"/*; do ln -s "$f" "$targetDir/"; done
        else
          ln -s $fn $out/
        fi
      done
    done

    for i in ${toString (mapAttrsToList (n: v: v.unit)
        (filterAttrs (n: v: (attrByPath [ "overrideStrategy" ] "asDropinIfExists" v) == "asDropinIfExists") units))}; do
      fn=$(basename $i/*)
      if [ -e $out/$fn ]; then
        if [ "$(readlink -f $i/$fn)" = /dev/null ]; then
          ln -sfn /dev/null $out/$fn
        else
          mkdir -p $out/$fn.d
          ln -s $i/$fn $out/$fn.d/overrides.conf
        fi
      else
        ln -fs $i/$fn $out/
      fi
    done

    for i in ${toString (mapAttrsToList (n: v: v.unit)
        (filterAttrs (n: v: v ? overrideStrategy && v.overrideStrategy == "asDropin") units))}; do
      fn=$(basename $i/*)
      mkdir -p $out/$fn.d
      ln -s $i/$fn $out/$fn.d/overrides.conf
    done

    ${concatStrings (mapAttrsToList (name: unit:
        concatMapStrings (name2: ''
          ln -sfn '${name}' $out/'${name2}'
        '') (unit.aliases or [ ])) units)}

    ${concatStrings (mapAttrsToList (name: unit:
        concatMapStrings (name2: ''
          mkdir -p $out/'${name2}.wants'
          ln -sfn '../${name}' $out/'${name2}.wants'/
        '') (unit.wantedBy or [ ])) units)}
  '';
in
{
  config.environment.etc."systemd/system".source = generateUnits;
}
