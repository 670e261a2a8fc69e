# The configurations the NixOS tests evaluate and build (eval.nix), each a
# NixOS module. `system` is one system with every accepted kind of confined
# service, built, checked by the generator and confinementctl and booted in
# the e2e container (tests/e2e/cases/nixos.sh); the others must fail at
# evaluation (refusals) or at the build (a bad spec under checkSpecs).
let
  module = ../../data/nixos/confinement.nix;

  # a probe service: oneshot, results in /var/lib/e2e-results (bound by the
  # unit itself, as a NixOS user binds state)
  probeService = pkgs: name: checks: {
    serviceConfig = {
      Type = "oneshot";
      BindPaths = [ "/var/lib/e2e-results" ];
      ExecStart = "${pkgs.probe}/bin/probe --name ${name} ${checks}";
    };
    confinement.enable = true;
  };
  base = { pkgs, ... }: {
    imports = [ module ];
    systemd.confinement.package = pkgs.confinement-generator;
  };
  # one confined service, for the cases that must fail
  one = extra: { pkgs, lib, ... }: {
    imports = [ base ];
    systemd.services.refused = lib.recursiveUpdate (probeService pkgs "%n" "id") extra;
  };
in
{
  system = { pkgs, lib, ... }: {
    imports = [ base ];
    systemd.packages = [ pkgs.probeUnits ];
    systemd.services = {
      # the defaults: full-apivfs, binSh = environment.binsh, exec roots
      nixos-defaults = probeService pkgs "%n" "id ls:/nix/store exists:/bin/sh exists:/dev/null";
      # chroot-only without /bin/sh
      nixos-chroot = lib.recursiveUpdate (probeService pkgs "%n" "id ls:/nix/store exists:/bin/sh exists:/dev/null") {
        confinement = { mode = "chroot-only"; binSh = null; };
      };
      # packages (a path inside a store path) and fullUnit (Environment= counts)
      nixos-full = lib.recursiveUpdate (probeService pkgs "%n" "id ls:/nix/store read:${pkgs.data}/share/x env:NIXOS_EXTRA") {
        environment.NIXOS_EXTRA = "${pkgs.extra}";
        confinement = { mode = "full"; fullUnit = true; packages = [ "${pkgs.data}/share/x" ]; };
      };
      nixos-dyn = lib.recursiveUpdate (probeService pkgs "%n" "id ls:/nix/store") {
        serviceConfig.DynamicUser = true;
      };
      # a template, and an instance with settings of its own (a drop-in)
      "nixos-tmpl@" = probeService pkgs "%n" "id ls:/nix/store exists:/bin/sh exists:/dev/null";
      "nixos-tmpl@one" = {
        overrideStrategy = "asDropin";
        confinement = { enable = true; mode = "chroot-only"; binSh = null; };
      };
      # a unit shipped by a package (systemd.packages): NixOS's part of it
      # becomes nixos-pkg.service.d/overrides.conf
      nixos-pkg.confinement.enable = true;
      # a script that calls mkdir: the service's path is a root
      nixos-script = {
        serviceConfig = { Type = "oneshot"; BindPaths = [ "/var/lib/e2e-results" ]; };
        # (busybox's sh runs its own applets first: the PATH lookup by hand)
        script = ''
          IFS=:
          for d in $PATH; do
            if [ -x "$d/mkdir" ]; then export MKDIR="$d/mkdir"; break; fi
          done
          unset IFS
          "$MKDIR" /tmp/made-by-script
          exec ${pkgs.probe}/bin/probe --name nixos-script.service env:MKDIR exists:/tmp/made-by-script ls:/nix/store
        '';
        confinement.enable = true;
      };
      # the unit's own value of a mode setting stands
      nixos-dev = lib.recursiveUpdate (probeService pkgs "%n" "id ls:/dev") {
        serviceConfig.PrivateDevices = false;
      };
      # needs (confinement.d(5), NEEDS): the journal's sockets (made at run
      # time: bound as named), the users' and the time's files where they
      # are (optional: the test's root has none, the e2e container has
      # Debian's)
      nixos-needs = lib.recursiveUpdate
        (probeService pkgs "%n" "id ls:/nix/store read:/etc/passwd exists:/etc/localtime exists:/run/systemd/journal/socket exists:/etc/shadow")
        { confinement.needs = [ "journal" "-users" "-time" ]; };
      # not confined: no spec
      nixos-plain.serviceConfig.ExecStart = "${pkgs.probe}/bin/probe --name %n id";
    };
  };

  # beside modules that define systemd.services under mkIf on the names of
  # environment.etc, users.users, systemd.generators, on systemd.packages
  # and environment.systemPackages (hostile.nix), and with nixpkgs'
  # resolvconf module (every case has it: eval.nix)
  hostile = { pkgs, ... }: {
    imports = [ base ./hostile.nix ];
    systemd.services.hostile-plain = probeService pkgs "%n" "id";
  };

  # ours and nixpkgs' own module imported together: ours disables nixpkgs'
  both = { pkgs, modulesPath, ... }: {
    imports = [ base (modulesPath + "/security/systemd-confinement.nix") ];
    systemd.services.both = probeService pkgs "%n" "id";
  };

  # the package's default: callPackage ./package.nix (evaluated only)
  package = { pkgs, ... }: {
    imports = [ module ];
    systemd.services.pkgdefault = probeService pkgs "%n" "id";
  };

  # refused at evaluation, as nixpkgs refuses them
  refuse-startonly = one { serviceConfig.RootDirectoryStartOnly = true; };
  refuse-rootdir = one { serviceConfig.RootDirectory = "/var/empty"; };
  refuse-rootimage = one { serviceConfig.RootImage = "/srv/image.raw"; };

  # builds, but the build-time check fails it: binSh outside the closure,
  # a package outside the store
  bad-binsh = one { confinement.binSh = "/nonexistent/sh"; };
  bad-package = one { confinement.packages = [ "/etc/passwd" ]; };
  # the same without checkSpecs: the build succeeds (the generator refuses
  # it at boot)
  bad-unchecked = { pkgs, lib, ... }: {
    imports = [ (one { confinement.binSh = "/nonexistent/sh"; }) ];
    systemd.confinement.checkSpecs = false;
  };
}
