# A NixOS module: systemd.services.<name>.confinement, done at boot by
# confinement-generator(8) instead of at build time.
#
# A drop-in replacement for nixpkgs' nixos/modules/security/systemd-confinement.nix
# (which it disables): the same options (enable, packages, fullUnit, binSh,
# mode; mode adds "full"), with the same types and defaults. It writes each
# enabled service's spec to /etc/confinement.d/<name>.service.json
# (confinement.d(5)) with a closureInfo, and the generator turns it into a
# drop-in at boot and at every daemon-reload. Unlike nixpkgs' module it sets
# nothing in the service's serviceConfig: the mode's settings are the
# generator's drop-in, and the unit's own values of them (a service's
# PrivateDevices = false) stay in its unit file, forced over by nothing here.
#
#   imports = [ /path/to/confinement-generator/data/nixos/confinement.nix ];
#   systemd.services.hello.confinement.enable = true;
#
# NixOS 22.05 and later: system.checks (the build-time check) and
# package.nix's stdenv.mkDerivation (finalAttrs: ...) are 22.05's; the rest
# it uses is older (literalExpression 21.11; overrideStrategy is read only
# where a unit has it).
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption mkIf mkMerge types literalExpression filterAttrs mapAttrsToList
    optional optionals concatStringsSep concatLists hasPrefix escapeShellArg;

  toplevel = config;
  cfg = config.systemd.confinement;
  mkSpec = import ./spec.nix;

  # As systemd-lib's mkPathSafeName: a store name holds no "@".
  safeName = lib.replaceStrings [ "@" ":" "\\" "[" "]" ] [ "-" "-" "-" "" "" ];

  isStorePath = s: hasPrefix "${builtins.storeDir}/" s;

  # "foo@bar" -> the template "foo@", or null.
  templateOf = name:
    let m = builtins.match "([^@]+@).+" name; in
    if m == null then null else builtins.head m;

  # The packages of the service's path (NixOS writes their bin and sbin
  # into Environment=PATH=): roots with exec, so that a script finds what
  # its PATH names (nixpkgs issue #111723, "services assume coreutils").
  pathRoots = svc: builtins.filter isStorePath (map (p: if builtins.isString p then p else "${lib.getBin p}") svc.path);

  # The need "locale" on NixOS: the archive LOCALE_ARCHIVE names (NixOS
  # sets it for every service) is a store path; a root like the packages.
  hasNeed = svc: n: builtins.elem n svc.confinement.needs || builtins.elem "-${n}" svc.confinement.needs;
  localeRoots = svc: optional (hasNeed svc "locale" && toplevel ? i18n.glibcLocales && toplevel.i18n.glibcLocales != null)
    "${toplevel.i18n.glibcLocales}";

  specOptions = svc: {
    inherit (svc.confinement) mode binSh fullUnit needs;
    packages = map toString svc.confinement.packages ++ pathRoots svc ++ localeRoots svc;
  };

  # The unit files the service's unit is made of at boot, as far as NixOS
  # knows them: its own (a unit or overrides.conf) and, for an instance, the
  # template's. A unit shipped by a package in systemd.packages is covered
  # by rooting the universe in those packages.
  unitFilesOf = name:
    let
      own = toplevel.systemd.units."${name}.service".unit or null;
      tmpl = templateOf name;
      template = if tmpl == null then null else toplevel.systemd.units."${tmpl}.service".unit or null;
    in
    builtins.filter (u: u != null) [ own template ];

  # closureInfo's store-paths is the universe the generator takes the
  # closure of the spec's roots in (the packages, binSh, and what the unit
  # names in its Exec*= settings or, with fullUnit, anywhere): so its roots
  # are all of those, the unit files themselves and the packages that may
  # ship the unit; the generator binds only the closure of the spec's roots.
  # Paths inside store paths ("${bash}/bin/sh") are not roots Nix before
  # 2.22 takes: like nixpkgs' module, the roots go through a text file that
  # references them.
  universeRoots = name: svc:
    map toString svc.confinement.packages
    ++ pathRoots svc
    ++ localeRoots svc
    ++ optional (svc.confinement.binSh != null) (toString svc.confinement.binSh)
    ++ map toString (unitFilesOf name)
    ++ map toString toplevel.systemd.packages;

  rootsFile = name: svc:
    pkgs.writeText "confinement-roots-${safeName name}" (concatStringsSep "\n" (universeRoots name svc));

  closureInfoOf = name: svc: pkgs.closureInfo { rootPaths = [ (rootsFile name svc) ]; };

  specOf = name: svc: mkSpec (specOptions svc // { closureInfo = closureInfoOf name svc; });

  specFile = name: svc: pkgs.writeText "confinement-${safeName name}.service.json"
    (builtins.toJSON (specOf name svc));

  # The spec the build-time check reads: without its needs, which name
  # files of the booted system (its /etc, its sockets) that the build
  # cannot see; the generator resolves them at boot.
  checkFile = name: svc: pkgs.writeText "confinement-check-${safeName name}.service.json"
    (builtins.toJSON (removeAttrs (specOf name svc) [ "needs" ]));
  checkDir = pkgs.runCommand "confinement.d-checked" { } ''
    mkdir -p $out
    ${concatStringsSep "\n" (mapAttrsToList (name: svc:
      "ln -s ${checkFile name svc} $out/${escapeShellArg "${name}.service.json"}") enabled)}
  '';

  # What the spec says but its closureInfo (a function of the unit, which
  # holds the trigger): a change restarts the service on switch.
  restartTrigger = svc: builtins.toJSON (mkSpec (specOptions svc // { closureInfo = "/"; }));

  enabled = filterAttrs (_: svc: svc.confinement.enable) config.systemd.services;

  # Every spec under its /etc/confinement.d name, for the build-time check.
  specDir = pkgs.runCommand "confinement.d" { } ''
    mkdir -p $out
    ${concatStringsSep "\n" (mapAttrsToList (name: svc:
      "ln -s ${specFile name svc} $out/${escapeShellArg "${name}.service.json"}") enabled)}
  '';

  # The unit directory NixOS builds (generateUnits, linked to
  # /etc/systemd/system); outside NixOS's own module tree, the same layout
  # from systemd.units and systemd.packages.
  unitDir = toplevel.environment.etc."systemd/system".source or (pkgs.runCommand "confinement-units" { } ''
    mkdir -p $out
    for p in ${toString toplevel.systemd.packages}; do
      for f in $p/etc/systemd/system/* $p/lib/systemd/system/*; do
        [ -e "$f" ] && ln -sfn "$f" $out/
      done
    done
    ${concatStringsSep "\n" (mapAttrsToList (n: u: ''
      fn=$(basename ${u.unit}/*)
      if [ -e "$out/$fn" ] || [ ${escapeShellArg (u.overrideStrategy or "")} = asDropin ]; then
        mkdir -p "$out/$fn.d"
        ln -s ${u.unit}/"$fn" "$out/$fn.d/overrides.conf"
      else
        ln -s ${u.unit}/"$fn" "$out/"
      fi
    '') (filterAttrs (_: u: u.enable) toplevel.systemd.units))}
  '');

  # true, "yes", "on", "1", "true": systemd's booleans as NixOS writes them.
  isTrue = v: builtins.elem v [ true 1 "1" "yes" "y" "true" "t" "on" ];

  refusals = name: svc:
    let
      opt = o: "The 'serviceConfig' option '${o}' for service '${name}' is";
      set = o: svc.serviceConfig ? ${o} && svc.serviceConfig.${o} != null && svc.serviceConfig.${o} != "";
    in
    optionals svc.confinement.enable [
      {
        assertion = !isTrue (svc.serviceConfig.RootDirectoryStartOnly or false);
        message = "${opt "RootDirectoryStartOnly"} enabled in conjunction with 'confinement.enable', but"
          + " the confinement's bind mounts apply to every command of the service, not only to"
          + " 'ExecStart'. Please either define a separate service or find a way to run"
          + " commands other than ExecStart within the confinement.";
      }
      {
        assertion = !set "RootDirectory";
        message = "${opt "RootDirectory"} set in conjunction with 'confinement.enable', which gives the"
          + " service a root directory of its own (/run/confinement/${name}.service).";
      }
      {
        assertion = !set "RootImage";
        message = "${opt "RootImage"} set in conjunction with 'confinement.enable', which gives the"
          + " service a root directory of its own (/run/confinement/${name}.service).";
      }
    ];
in
{
  # The options are nixpkgs', declared anew here: the two cannot coexist, and
  # importing this module is all a user does.
  disabledModules = [ "security/systemd-confinement.nix" ];

  options.systemd.confinement = {
    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = literalExpression "pkgs.callPackage <confinement-generator/data/nixos/package.nix> { }";
      description = ''
        The confinement-generator package: its generator
        (lib/systemd/system-generators/confinement-generator) is linked into
        systemd.generators, and confinementctl is put into the system path.
      '';
    };
    checkSpecs = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Check every spec with "confinementctl check" when the system is
        built, against the unit files and drop-ins the system itself builds
        (/etc/systemd/system), and fail the build with the reason on a bad
        one. The ownership of files is not checked there (in the build
        sandbox the store belongs to an unmapped user); the generator still
        checks it at boot.
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
            Take the roots from everything the unit's files name (unitRoots
            "full"), not only from its Exec*= settings (unitRoots "exec").
          '';
        };
        packages = mkOption {
          type = types.listOf (types.either types.str types.package);
          default = [ ];
          description = ''
            Additional packages or strings with context (paths in the store) whose
            closure the service sees. The packages of the service's path are
            added by themselves.
          '';
        };
        binSh = mkOption {
          type = types.nullOr types.path;
          default = toplevel.environment.binsh;
          defaultText = literalExpression "config.environment.binsh";
          example = literalExpression ''"''${pkgs.dash}/bin/dash"'';
          description = "The program at /bin/sh in the service, or null for none.";
        };
        needs = mkOption {
          type = types.listOf (types.strMatching "-?(dns|tls|users|time|locale|journal|dbus)");
          default = [ ];
          example = [ "dns" "tls" "-journal" ];
          description = ''
            What the service needs of the host, each a documented set of files
            and sockets added read-only (confinement.d(5), NEEDS): "dns"
            (resolv.conf, hosts, nsswitch.conf, nscd's socket, ...), "tls" (the
            CA bundle), "users" (passwd, group, nscd and userdb sockets),
            "time" (localtime and its zone file), "locale" (with the archive
            LOCALE_ARCHIVE names, i18n.glibcLocales, in the closure),
            "journal" (its sockets and /dev/log), "dbus" (the system bus).
            The links of NixOS's /etc into the store are resolved at boot: the
            store paths they end in join the closure. A need whose files are
            missing fails the service closed, unless named with a leading "-".
          '';
        };
        mode = mkOption {
          type = types.enum [ "full-apivfs" "chroot-only" "full" ];
          default = "full-apivfs";
          description = ''
            "full-apivfs": private /dev, /proc, /sys and /tmp in a user
            namespace; "chroot-only": the root alone; "full": full-apivfs, and
            the kernel interfaces a confined service rarely needs are shut.
            The generator writes the mode's settings; this module forces none
            of them over the service's own (serviceConfig.PrivateDevices = false
            stays in its unit file). See confinement.d(5).
          '';
        };
      };

      config = mkIf config.confinement.enable (mkMerge [
        {
          # The guard (confinement.d(5), GUARD): the unit starts only while
          # the generator's drop-in for it exists. systemd empties the
          # generator's directory at every daemon-reload; a generator that
          # could write nothing (a full /run) leaves the unit failing its
          # start (AssertResult=no), never starting unconfined. A list, so
          # that it adds to the service's own AssertPathExists=.
          unitConfig.AssertPathExists = [ "/run/systemd/generator/${name}.service.d/50-confinement.conf" ];
        }
        # NixOS writes the triggers to a store file named after the service,
        # and a store name holds no "@": templates and instances have none.
        (mkIf (!lib.hasInfix "@" name) {
          restartTriggers = [ (restartTrigger config) ];
        })
      ]);
    }));
  };

  # What this module defines outside the per-service submodule has names
  # (attribute names, and whether a definition exists at all) that do not
  # depend on config.systemd.services: only values do (the contents of
  # specDir, the assertions' list). Other modules decide the *names* of
  # systemd.services from the names of environment.etc
  # (config/resolvconf.nix: systemd.services.resolvconf under
  # mkIf !(environment.etc ? "resolv.conf")), users.users or
  # systemd.generators; a name of ours that depended on the services (an
  # environment.etc."confinement.d/<unit>.json" each, or a definition
  # under mkIf (enabled != { })) would make NixOS evaluation recurse
  # forever. So /etc/confinement.d is one entry (a directory of every
  # enabled spec, empty when none is), and the generator, confinementctl
  # and the build-time check are there whenever this module is imported
  # (with no spec the generator writes nothing). tests/nixos evaluates the
  # module beside resolvconf.nix and hostile modules of each such shape.
  config = mkMerge [
    {
      assertions = concatLists (mapAttrsToList refusals config.systemd.services);
      systemd.generators.confinement-generator =
        "${cfg.package}/lib/systemd/system-generators/confinement-generator";
      environment.systemPackages = [ cfg.package ];
      environment.etc."confinement.d".source = specDir;
    }
    (mkIf cfg.checkSpecs {
      system.checks = [
        (pkgs.runCommand "confinement-specs-checked" { } ''
          # the builder's output is a terminal: no colours in the log
          specs=$(find ${checkDir}/ -mindepth 1 -maxdepth 1 -name '*.service.json' | sort)
          if [ -n "$specs" ]; then
            SYSTEMD_COLORS=0 ${cfg.package}/bin/confinementctl --no-trust-check --unit-path=${unitDir} check $specs
          else
            echo "no service is confined: no spec to check"
          fi
          touch $out
        '')
      ];
    })
  ];
}
