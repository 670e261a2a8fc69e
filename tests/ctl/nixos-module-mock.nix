# Evaluates data/nixos/confinement.nix without nixpkgs: lib, pkgs and the
# module system are mocked just enough to call the module and look at what
# it defines. For tests/ctl/test-nixos.sh:
#   nix-instantiate --eval --strict --json nixos-module-mock.nix --arg module ./confinement.nix
{ module, services ? { }, checkSpecs ? false }:
let
  flatten = x: if builtins.isList x then builtins.concatMap flatten x else [ x ];
  lib = {
    mkOption = x: x;
    mkIf = cond: content: { _type = "if"; inherit cond content; };
    mkMerge = contents: { _type = "merge"; inherit contents; };
    literalExpression = x: x;
    types = {
      bool = "bool"; package = "package"; str = "str"; path = "path";
      listOf = t: { listOf = t; }; either = a: b: { either = [ a b ]; };
      nullOr = t: { nullOr = t; }; enum = l: { enum = l; }; attrsOf = t: { attrsOf = t; };
      submodule = f: { submodule = f; };
    };
    filterAttrs = pred: set: builtins.listToAttrs (builtins.concatMap
      (n: if pred n set.${n} then [ { name = n; value = set.${n}; } ] else [ ]) (builtins.attrNames set));
    mapAttrs' = f: set: builtins.listToAttrs (map (n: f n set.${n}) (builtins.attrNames set));
    nameValuePair = name: value: { inherit name value; };
    mapAttrsToList = f: set: map (n: f n set.${n}) (builtins.attrNames set);
    optional = c: x: if c then [ x ] else [ ];
    concatStringsSep = builtins.concatStringsSep;
    inherit flatten;
    strings.sanitizeDerivationName = builtins.replaceStrings [ "@" ] [ "-" ];
    escapeShellArg = s: "'${s}'";
  };
  fakePath = name: "/nix/store/00000000000000000000000000000000-${name}";
  pkgs = {
    writeText = name: text: { outPath = fakePath name; inherit name text; };
    # Its path tells the roots it was given: "/nix/store/...-closure-info=ROOT,ROOT"
    # with a text file as NAME[TEXT].
    closureInfo = { rootPaths }: {
      outPath = fakePath "closure-info=" + builtins.concatStringsSep ","
        (map (r: if builtins.isAttrs r && r ? text then "${r.name}[${r.text}]" else toString r) rootPaths);
    };
    runCommand = name: env: script: { outPath = fakePath name; inherit script; };
  };
  # Each service as the module system would give it: the options' defaults
  # under what the test sets.
  withDefaults = name: svc: svc // {
    confinement = { enable = false; fullUnit = false; packages = [ ]; binSh = "/bin/sh-default"; mode = "full-apivfs"; }
      // (svc.confinement or { });
    serviceConfig = svc.serviceConfig or { };
  };
  config = {
    systemd.services = builtins.mapAttrs withDefaults services;
    systemd.confinement = { package = fakePath "confinement-generator"; inherit checkSpecs; };
    systemd.units = builtins.mapAttrs (name: _: { unit = fakePath "unit-${name}"; })
      (builtins.listToAttrs (map (n: { name = "${n}.service"; value = null; }) (builtins.attrNames services)));
    environment.binsh = "/bin/sh-default";
  };
  m = import module { inherit config lib pkgs; };
  submodule = m.options.systemd.services.type.attrsOf.submodule;
  top = m.config;
  parts = top.content.contents;
in
{
  disabledModules = m.disabledModules;
  serviceOptions = builtins.attrNames (submodule { name = "x"; config = withDefaults "x" { }; }).options.confinement;
  enabled = top.cond;
  generator = (builtins.elemAt parts 0).systemd.generators.confinement-generator;
  systemPackages = map toString (builtins.elemAt parts 0).environment.systemPackages;
  etc = builtins.mapAttrs (n: v: {
    source = v.source.outPath;
    spec = builtins.fromJSON v.source.text;
  }) (builtins.elemAt parts 0).environment.etc;
  restartTriggers = builtins.mapAttrs (name: svc:
    let c = (submodule { inherit name; config = svc; }).config; in
    if c.cond then c.content.restartTriggers else null) config.systemd.services;
  checks = let p = builtins.elemAt parts 1; in
    if p.cond then map (c: c.script) p.content.system.checks else [ ];
}
