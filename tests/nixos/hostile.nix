# Modules of the shape that makes a NixOS module recurse forever when the
# names it defines outside the per-service submodule depend on
# config.systemd.services (issue: resolvconf.nix defines
# systemd.services.resolvconf under mkIf on the names of environment.etc).
# Each defines a confined service under mkIf on what data/nixos/confinement.nix
# (or any module) defines: the names of environment.etc, of users.users,
# of systemd.generators, the list systemd.packages and
# environment.systemPackages. The system that imports them all must
# evaluate and build, with a valid spec for each of these services.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkIf mkMerge;
  confined = name: {
    serviceConfig = {
      Type = "oneshot";
      BindPaths = [ "/var/lib/e2e-results" ];
      ExecStart = "${pkgs.probe}/bin/probe --name ${name}.service id ls:/nix/store";
    };
    confinement.enable = true;
  };
in
{
  config = mkMerge [
    {
      users.users.hostile = { isSystemUser = true; };
      environment.etc."hostile".text = "hostile";
      systemd.packages = [ pkgs.probeUnits ];
    }
    # as resolvconf.nix: a service whose name depends on the names of /etc
    { systemd.services.hostile-etc = mkIf (config.environment.etc ? "hostile") (confined "hostile-etc"); }
    { systemd.services.hostile-etc-ours = mkIf (config.environment.etc ? "confinement.d") (confined "hostile-etc-ours"); }
    { systemd.services.hostile-users = mkIf (config.users.users ? "hostile") (confined "hostile-users"); }
    { systemd.services.hostile-packages = mkIf (config.systemd.packages != [ ]) (confined "hostile-packages"); }
    {
      systemd.services.hostile-generators =
        mkIf (config.systemd.generators ? "confinement-generator") (confined "hostile-generators");
    }
    {
      systemd.services.hostile-syspkgs =
        mkIf (builtins.length config.environment.systemPackages > 0) (confined "hostile-syspkgs");
    }
  ];
}
