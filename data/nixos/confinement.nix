# A NixOS module: systemd.services.<name>.confinement, done at boot by
# confinement-generator(8) instead of at build time.
#
# It takes the place of nixpkgs' nixos/modules/security/systemd-confinement.nix,
# with the same option names (enable, mode, packages, binSh, fullUnit), and
# writes each enabled service's spec to /etc/confinement.d/<name>.service.json
# (confinement.d(5)), with a closureInfo of the service's roots. The
# generator turns it into a drop-in at boot and at every daemon-reload.
#
#   imports = [ /path/to/confinement.nix ];
#   systemd.confinement.package = pkgs.callPackage ... { };  # confinement-generator
#   systemd.services.hello = {
#     serviceConfig.ExecStart = "${pkgs.hello}/bin/hello";
#     confinement.enable = true;
#   };
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption mkIf mkMerge types literalExpression filterAttrs mapAttrs' mapAttrsToList
    nameValuePair optional concatStringsSep;

  toplevel = config;
  cfg = config.systemd.confinement;
  mkSpec = import ./spec.nix;

  execSettings = [ "ExecStartPre" "ExecStart" "ExecStartPost" "ExecReload" "ExecStop" "ExecStopPost" ];

  # The store paths unitRoots finds in the unit must be in closureInfo's
  # store-paths, the universe the generator takes the closure of roots in:
  # so what names them is a root of closureInfo too, as in NixOS's own
  # confinement module: the text of the unit's Exec*= settings, or the unit
  # file itself (fullUnit). The unit holds X-Restart-Triggers= (below),
  # which therefore must not depend on the closureInfo.
  unitRootPath = name: svc:
    if svc.confinement.fullUnit then
      toplevel.systemd.units."${name}.service".unit
    else
      pkgs.writeText "confinement-roots-${lib.strings.sanitizeDerivationName name}"
        (concatStringsSep "\n" (map toString (lib.flatten (map (s:
          let v = svc.serviceConfig.${s} or [ ]; in if builtins.isList v then v else [ v ]) execSettings))));

  options = name: svc: {
    inherit (svc.confinement) mode packages binSh fullUnit;
  };

  closureInfoOf = name: svc: pkgs.closureInfo {
    rootPaths = svc.confinement.packages
      ++ optional (svc.confinement.binSh != null) svc.confinement.binSh
      ++ [ (unitRootPath name svc) ];
  };

  specOf = name: svc: mkSpec (options name svc // { closureInfo = closureInfoOf name svc; });

  # A store name may not hold "@": "foo@" is a template.
  specFile = name: svc: pkgs.writeText "confinement-${lib.strings.sanitizeDerivationName name}.service.json"
    (builtins.toJSON (specOf name svc));

  # What the spec says, but its closureInfo (which is a function of these
  # and of the unit itself): a change restarts the service on switch.
  restartTrigger = svc: builtins.toJSON (mkSpec (options "" svc // { closureInfo = "/"; }));

  enabled = filterAttrs (_: svc: svc.confinement.enable) config.systemd.services;

  # Every spec under its file name, for confinementctl check.
  specDir = pkgs.runCommand "confinement.d" { } ''
    mkdir -p $out
    ${concatStringsSep "\n" (mapAttrsToList (name: svc:
      "ln -s ${specFile name svc} $out/${lib.escapeShellArg "${name}.service.json"}") enabled)}
  '';
in
{
  # The options are nixpkgs', declared anew here: the two cannot coexist.
  disabledModules = [ "security/systemd-confinement.nix" ];

  options.systemd.confinement = {
    package = mkOption {
      type = types.package;
      description = ''
        The confinement-generator package: its generator
        (lib/systemd/system-generators/confinement-generator) is installed, and
        confinementctl is put into the system path.
      '';
    };
    checkSpecs = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Run "confinementctl check" on every spec when the system is built.
        Off by default: in the Nix build sandbox, store paths belong to an
        unmapped user, which confinementctl refuses to trust.
      '';
    };
  };

  options.systemd.services = mkOption {
    type = types.attrsOf (types.submodule ({ name, config, ... }: {
      options.confinement = {
        enable = mkOption {
          type = types.bool;
          default = false;
          description = ''
            Confine the service to the store paths it needs: only its closure,
            /bin/sh if binSh is set, and the API file systems of the mode are
            visible. confinement-generator writes the drop-in at boot and at
            every daemon-reload.
          '';
        };
        fullUnit = mkOption {
          type = types.bool;
          default = false;
          description = ''
            Take the roots from everything the unit names (unitRoots "full"),
            not only from its Exec*= settings (unitRoots "exec").
          '';
        };
        packages = mkOption {
          type = types.listOf (types.either types.str types.package);
          default = [ ];
          description = "Store paths the service needs besides those its unit names; their closure is visible.";
        };
        binSh = mkOption {
          type = types.nullOr types.path;
          default = toplevel.environment.binsh;
          defaultText = literalExpression "config.environment.binsh";
          example = literalExpression ''"''${pkgs.dash}/bin/dash"'';
          description = "The program at /bin/sh in the service, or null for none.";
        };
        mode = mkOption {
          type = types.enum [ "full-apivfs" "chroot-only" "full" ];
          default = "full-apivfs";
          description = ''
            "full-apivfs": private /dev, /proc, /sys and /run in a user
            namespace; "chroot-only": the root alone; "full": full-apivfs, and
            the kernel interfaces a confined service rarely needs are shut.
            See confinement.d(5).
          '';
        };
      };

      config = mkIf config.confinement.enable {
        restartTriggers = [ (restartTrigger config) ];
      };
    }));
  };

  config = mkIf (enabled != { }) (mkMerge [
    {
      systemd.generators.confinement-generator =
        "${cfg.package}/lib/systemd/system-generators/confinement-generator";
      environment.systemPackages = [ cfg.package ];
      environment.etc = mapAttrs' (name: svc:
        nameValuePair "confinement.d/${name}.service.json" { source = specFile name svc; }) enabled;
    }
    (mkIf cfg.checkSpecs {
      system.checks = [
        (pkgs.runCommand "confinement-specs-checked" { nativeBuildInputs = [ cfg.package ]; } ''
          confinementctl check ${specDir}/*.service.json
          touch $out
        '')
      ];
    })
  ]);
}
