# The module in a whole NixOS system: <nixpkgs/nixos>'s eval-config.nix
# with every module of module-list.nix (resolvconf.nix and the rest) and
# nixpkgs' real pkgs, our module imported. For a full nixpkgs (a channel or
# checkout), not the excerpts: tests/nixos/test-nixos.sh instantiates
# `toplevel` of each system (nothing is built) and reads `confined`.
#
#   nixpkgs   a full nixpkgs
#   testCopy  a copy of nixpkgs' nixos/tests/systemd-confinement/ with a
#             make-test-python.nix beside it that returns its argument
#             (args: args): the test's machine, as a module
{ nixpkgs, testCopy ? null }:
let
  lib = import (nixpkgs + "/lib");
  module = ../../data/nixos/confinement.nix;

  # what a bootable system needs and a test machine gets from the test
  # framework
  machine = { lib, ... }: {
    boot.loader.grub.enable = false;
    fileSystems."/" = { device = "/dev/vda"; fsType = "ext4"; };
    system.stateVersion = lib.mkDefault lib.trivial.release;
  };

  evalSystem = modules: import (nixpkgs + "/nixos/lib/eval-config.nix") {
    system = builtins.currentSystem;
    modules = [ module machine ] ++ modules;
  };

  # several confined services: the defaults, a DynamicUser, chroot-only
  # without /bin/sh, full with packages, a template and an instance
  several = { pkgs, ... }: {
    systemd.services = {
      conf-defaults = { serviceConfig.ExecStart = "${pkgs.hello}/bin/hello"; confinement.enable = true; };
      conf-dynamic = {
        serviceConfig = { ExecStart = "${pkgs.hello}/bin/hello"; DynamicUser = true; };
        confinement.enable = true;
      };
      conf-chroot = {
        serviceConfig.ExecStart = "${pkgs.hello}/bin/hello";
        confinement = { enable = true; mode = "chroot-only"; binSh = null; };
      };
      conf-full = {
        serviceConfig.ExecStart = "${pkgs.hello}/bin/hello";
        confinement = { enable = true; mode = "full"; packages = [ pkgs.coreutils ]; fullUnit = true; };
      };
      "conf-tmpl@" = { serviceConfig.ExecStart = "${pkgs.hello}/bin/hello %i"; confinement.enable = true; };
      "conf-tmpl@one" = { overrideStrategy = "asDropin"; confinement = { enable = true; mode = "chroot-only"; }; };
      plain.serviceConfig.ExecStart = "${pkgs.hello}/bin/hello";
    };
  };

  # nixpkgs' own systemd-confinement test: its machine
  confinementTest =
    let
      t = import (testCopy + "/systemd-confinement");
      attrs = if builtins.isFunction t then t { inherit lib; } else t;
    in
    attrs.nodes.machine;

  # a real client module that enables confinement (chroot-only,
  # DynamicUser, ProtectSystem=strict)
  cryptpad = {
    services.cryptpad = {
      enable = true;
      settings = { httpUnsafeOrigin = "https://cryptpad.example"; httpSafeOrigin = "https://cryptpad-ui.example"; };
    };
  };

  report = modules:
    let
      inherit (evalSystem modules) config;
    in
    {
      toplevel = config.system.build.toplevel.drvPath;
      specs = "${config.environment.etc."confinement.d".source}";
      confined = builtins.attrNames (lib.filterAttrs (_: s: s.confinement.enable) config.systemd.services);
    };
in
{
  several = report [ several ];
  cryptpad = report [ cryptpad ];
} // lib.optionalAttrs (testCopy != null) {
  systemd-confinement-test = report [ confinementTest ];
}
