# A NixOS-like system from nixpkgs' real module system: lib.evalModules
# with NixOS's own declarations (systemd, etc, assertions, system.checks;
# the excerpts in <nixpkgs>/nixos) and NixOS's resolvconf module, which
# every NixOS system loads (stubs.nix declares what it reads), generateUnits' unit directory
# (generate-units.nix), the stand-in pkgs (pkgs.nix) and a configuration.
#
#   nixpkgs        a directory holding lib/ and those nixos/ files
#   configuration  a module (a case of cases.nix, or a file)
#
# `system` is what NixOS's top-level builds for these parts: /etc (specs,
# units, generators) with system.checks as inputs; failed assertions stop
# the evaluation as NixOS's top-level.nix stops it.
{ nixpkgs, busyboxDir, probeSrc, generator ? null, confinementctl ? null, configuration
  # false: no /etc/systemd/system (the module's own unit layout is checked)
, withGenerateUnits ? true }:

let
  root = if builtins.isPath nixpkgs then nixpkgs else /. + nixpkgs;
  lib = import (root + "/lib");
  pkgs = import ./pkgs.nix { inherit lib busyboxDir probeSrc generator confinementctl; };
  modulesPath = root + "/nixos/modules";

  eval = lib.evalModules {
    specialArgs = { inherit modulesPath; };
    modules = [
      ({ config, ... }: {
        # as nixos/modules/misc/extra-arguments.nix
        _module.args = {
          inherit pkgs;
          utils = import (root + "/nixos/lib/utils.nix") { inherit lib config pkgs; };
        };
      })
      (modulesPath + "/misc/base.nix")
      (modulesPath + "/system/etc/etc.nix")
      (modulesPath + "/system/boot/systemd.nix")
      # every NixOS system loads it (module-list.nix): the names of its
      # systemd.services depend on the names of environment.etc
      (modulesPath + "/config/resolvconf.nix")
      ./stubs.nix
    ] ++ lib.optional withGenerateUnits ./generate-units.nix ++ [
      configuration
    ];
  };
  inherit (eval) config;

  # nixos/modules/system/activation/top-level.nix
  failedAssertions = map (x: x.message) (lib.filter (x: !x.assertion) config.assertions);
  checked =
    if failedAssertions != [ ] then
      throw "\nFailed assertions:\n${lib.concatStringsSep "\n" (map (x: "- ${x}") failedAssertions)}"
    else config;

  system = pkgs.runCommand "nixos-system" {
    # as top-level.nix: the checks are inputs of the system
    checks = checked.system.checks;
    preferLocalBuild = true;
  } ''
    mkdir $out
    ln -s ${checked.system.build.etc}/etc $out/etc
  '';
in
{
  inherit config pkgs lib system;
  options = eval.options;
}
