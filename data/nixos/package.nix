# confinement-generator as a nixpkgs package, for callPackage:
#
#   pkgs.callPackage ./package.nix { }
#
# Installs the generator into $out/lib/systemd/system-generators (where the
# NixOS module links it from: systemd.generators) and confinementctl into
# $out/bin. The source is this checkout (data/nixos/../..); an installed
# copy of this file has no checkout around it, and takes its source from
# overrideAttrs:
#
#   (pkgs.callPackage ./package.nix { }).overrideAttrs { src = /path/to/checkout; }
#
# Every argument below names a nixpkgs package this one is built with:
# callPackage fills each formal argument from pkgs, so an argument for
# the source (nixpkgs has a package named "src") would be filled with
# an unrelated package.
{ lib
, stdenv
, meson
, ninja
, pkg-config
, systemd
, jansson
, check
}:

let
  # The checkout without its build directories and VCS files.
  checkout = lib.cleanSourceWith {
    src = lib.cleanSource ../..;
    filter = path: type:
      let base = baseNameOf path; in
      !(type == "directory" && (lib.hasPrefix "build" base || base == "result"));
  };
in
stdenv.mkDerivation (finalAttrs: {
  pname = "confinement-generator";
  version = "0.1";

  # An installed copy ($datadir/confinement-generator/nixos) has no
  # checkout around it: its source comes from overrideAttrs.
  src =
    if builtins.pathExists ../../meson.build && builtins.pathExists ../../generator then checkout
    else throw "confinement-generator: package.nix is not in a checkout; give the source tree with .overrideAttrs { src = ...; }.";

  nativeBuildInputs = [ meson ninja pkg-config ];
  # libsystemd (sd-path, sd-bus for confinementctl verify) and jansson;
  # check only for the unit tests.
  buildInputs = [ systemd jansson ] ++ lib.optional finalAttrs.doCheck check;

  mesonFlags = [
    "-Dsystemdsystemgeneratordir=${placeholder "out"}/lib/systemd/system-generators"
    "-Dtests=${lib.boolToString finalAttrs.doCheck}"
  ];

  doCheck = true;
  # The Check unit tests and confinementctl's tests on temporary roots; the
  # end-to-end suite needs a container, valgrind and the NixOS tests need
  # Nix: none of them run in the build sandbox.
  checkPhase = ''
    runHook preCheck
    meson test --no-rebuild --print-errorlogs --suite unit --suite fuzz
    runHook postCheck
  '';

  meta = {
    description = "systemd generator that confines services to their Nix closure at boot";
    license = lib.licenses.lgpl21Plus;
    platforms = lib.platforms.linux;
    mainProgram = "confinementctl";
  };
})
