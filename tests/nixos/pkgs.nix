# A builtins-only stand-in for nixpkgs' `pkgs`, enough for NixOS's systemd
# and etc modules (excerpts in ../shared/nixpkgs/nixos) and for
# data/nixos/confinement.nix: every package is a real derivation built
# offline (sandbox off), with nixpkgs' attribute shapes.
#
#   runCommand, writeText, ...  built by a static busybox in the store (so
#                               what they make runs in a confined service)
#   bash, coreutils, ...        busybox applets under nixpkgs' names
#   closureInfo                 as pkgs/build-support/closure-info.nix
#                               builds it: structured attrs,
#                               exportReferencesGraph, jq (the host's bash,
#                               coreutils and jq as its tools)
#   callPackage, stdenv         for data/nixos/package.nix: evaluates, but
#                               nixpkgs' stdenv cannot be built here
#   confinement-generator       the package as package.nix installs it, from
#                               the binaries meson built (generator, ctl)
{ lib, busyboxDir, probeSrc, generator ? null, confinementctl ? null }:

let
  system = builtins.currentSystem;
  fixtures = import ../fixtures/nix/fixtures.nix { inherit busyboxDir probeSrc; bigN = 2; };
  inherit (fixtures) busybox probe;

  # A derivation from nixpkgs-style arguments: env attributes, a script run
  # by busybox sh; passthru and meta are attributes of the result, not of
  # the build; overrideAttrs as nixpkgs' (on the arguments).
  mkDrv = args:
    let
      env = removeAttrs args [ "passthru" "meta" "script" "nativeBuildInputs" "buildInputs" ];
      inputs = (args.nativeBuildInputs or [ ]) ++ (args.buildInputs or [ ]);
      drv = derivation (env // {
        inherit system;
        builder = "${busybox}/bin/busybox";
        args = [ "sh" "-e" "-c" args.script ];
        PATH = lib.concatStringsSep ":" (map (p: "${p}/bin") inputs ++ [ "${busybox}/bin" ]);
      });
    in
    drv // (args.passthru or { }) // {
      meta = args.meta or { };
      overrideAttrs = f: mkDrv (args // (if builtins.isFunction f then f args else f));
    };

  runCommand = name: env: script: mkDrv (env // { inherit name script; });

  # busybox applets under a package's name: NAME/bin/APPLET -> busybox
  applets = name: list: runCommand name { } ''
    mkdir -p $out/bin
    for a in ${toString list}; do ln -s ${busybox}/bin/busybox $out/bin/$a; done
  '';

  bash = applets "bash" [ "bash" "sh" ];

  writeTextFile = { name, text, executable ? false, destination ? "" }: runCommand name {
    inherit text;
    passAsFile = [ "text" ];
  } ''
    target=$out${destination}
    mkdir -p "$(dirname "$target")"
    cp "$textPath" "$target"
    ${lib.optionalString executable ''chmod +x "$target"''}
  '';

  # nixpkgs' stdenv cannot be built offline: a derivation that says so,
  # with the attributes mkDerivation was given (finalAttrs included).
  stdenv = {
    mkDerivation = f:
      let
        attrs = if builtins.isFunction f then f final else f;
        final = attrs;
        name = attrs.name or "${attrs.pname}-${attrs.version}";
      in
      derivation (removeAttrs attrs [ "meta" "passthru" "pname" "version" ] // {
        inherit name system;
        builder = "${busybox}/bin/busybox";
        args = [ "sh" "-c" "echo nixpkgs\\' stdenv is not available in these tests >&2; exit 1" ];
      }) // { inherit (attrs) meta; passthru = attrs.passthru or { }; inherit attrs; };
  };
  unbuildable = name: stdenv.mkDerivation { inherit name; meta = { }; };

  self = {
    inherit lib busybox probe runCommand writeTextFile bash stdenv;
    runCommandLocal = runCommand;
    bashInteractive = bash;
    runtimeShell = "${bash}/bin/sh";
    coreutils = applets "coreutils" [ "cat" "chmod" "cp" "echo" "id" "ln" "ls" "mkdir" "mv" "rm" "touch" "true" ];
    findutils = applets "findutils" [ "find" "xargs" ];
    gnugrep = applets "gnugrep" [ "grep" ];
    gnused = applets "gnused" [ "sed" ];
    # systemd.package (and the default path of every service)
    systemd = applets "systemd" [ "true" ];

    # for nixos/modules/config/resolvconf.nix (lib.getExe, getExe')
    openresolv = (applets "openresolv" [ "resolvconf" ]) // { meta.mainProgram = "resolvconf"; };
    acl = applets "acl" [ "setfacl" ];

    writeText = name: text: writeTextFile { inherit name text; };
    writeShellScriptBin = name: text: (writeTextFile {
      inherit name;
      executable = true;
      destination = "/bin/${name}";
      text = "#!${bash}/bin/sh\n${text}"; # busybox has no "bash" applet
    }).overrideAttrs (_: { meta.mainProgram = name; });

    # pkgs/build-support/closure-info.nix: its buildCommand verbatim, run by
    # the host's bash with the host's coreutils and jq.
    closureInfo = { rootPaths }:
      assert builtins.langVersion >= 5;
      derivation {
        name = "closure-info";
        inherit system;
        __structuredAttrs = true;
        exportReferencesGraph.closure = rootPaths;
        preferLocalBuild = true;
        empty = rootPaths == [ ];
        builder = "/bin/bash";
        args = [ "-e" (builtins.toFile "closure-info-builder" ''
          # what stdenv does with structured attributes
          if [ -e "$NIX_BUILD_TOP/.attrs.sh" ]; then . "$NIX_BUILD_TOP/.attrs.sh"; fi
          : "''${NIX_ATTRS_JSON_FILE:=$NIX_BUILD_TOP/.attrs.json}"
          export PATH=/usr/bin:/bin

          out=''${outputs[out]}

          mkdir $out

          if [[ -n "$empty" ]]; then
            echo 0 > $out/total-nar-size
            touch $out/registration $out/store-paths
          else
            jq -r ".closure | map(.narSize) | add" < "$NIX_ATTRS_JSON_FILE" > $out/total-nar-size
            jq -r '.closure | map([.path, .narHash, .narSize, "", (.references | length)] + .references) | add | map("\(.)\n") | add' < "$NIX_ATTRS_JSON_FILE" | head -n -1 > $out/registration
            jq -r '.closure[].path' < "$NIX_ATTRS_JSON_FILE" > $out/store-paths
          fi
          true
        '') ];
      };

    callPackage = lib.callPackageWith (self // {
      meson = unbuildable "meson";
      ninja = unbuildable "ninja";
      pkg-config = unbuildable "pkg-config";
      jansson = unbuildable "jansson";
      check = unbuildable "check";
      # nixpkgs has a package named "src" (pkgs/by-name/sr/src): an
      # argument of package.nix by that name would be filled with it
      src = unbuildable "src-1.28";
    });

    # The package as data/nixos/package.nix installs it (tests/nixos checks
    # that layout against meson's), from the binaries under test.
    confinement-generator = runCommand "confinement-generator" { } ''
      mkdir -p $out/bin $out/lib/systemd/system-generators
      cp ${builtins.path { path = generator; name = "confinement-generator-bin"; }} \
        $out/lib/systemd/system-generators/confinement-generator
      cp ${builtins.path { path = confinementctl; name = "confinementctl-bin"; }} $out/bin/confinementctl
      chmod 555 $out/lib/systemd/system-generators/confinement-generator $out/bin/confinementctl
    '';

    # A package that ships a unit (systemd.packages): nixos-pkg.service runs
    # the probe; NixOS's own definition of it becomes overrides.conf.
    probeUnits = runCommand "probe-units" { } ''
      mkdir -p $out/lib/systemd/system
      cat > $out/lib/systemd/system/nixos-pkg.service <<EOT
      [Unit]
      Description=a unit shipped by a package
      [Service]
      Type=oneshot
      BindPaths=/var/lib/e2e-results
      ExecStart=${probe}/bin/probe --name %n id ls:/nix/store exists:/bin/sh
      EOT
    '';
    # a store path no service names: must stay invisible
    secret = runCommand "nixos-secret" { } "echo nixos-secret > $out";
    # named by a unit's Environment= only (fullUnit)
    extra = runCommand "nixos-extra" { } "mkdir -p $out; echo nixos-extra > $out/x";
    # data referenced through a path inside it ("${data}/share/x")
    data = runCommand "nixos-data" { } "mkdir -p $out/share; echo nixos-data > $out/share/x";
  };
in
self
