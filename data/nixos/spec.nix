# The confinement spec of one service (confinement.d(5), format version 1)
# from its NixOS confinement options, with builtins only: the NixOS module
# (confinement.nix) imports it, and the tests evaluate it without nixpkgs.
#
#   mode         "full-apivfs", "chroot-only" or "full"
#   packages     store paths (or derivations) whose closure the service sees
#   binSh        the program at /bin/sh, or null
#   fullUnit     roots from the whole unit ("full"), not only its Exec*= ("exec")
#   closureInfo  a nixpkgs closureInfo output (path, string or derivation)
#                holding every path the roots can reach
#   needs        what the service needs of the host: "dns", "tls", "users",
#                "time", "locale", "journal", "dbus", each optional with a
#                leading "-" (confinement.d(5), NEEDS); the key is left out
#                when empty
#
# Returns an attribute set for builtins.toJSON; strings keep their context,
# so a file written from it references the closureInfo and the packages.
{ mode ? "full-apivfs"
, packages ? [ ]
, binSh ? null
, fullUnit ? false
, closureInfo
, needs ? [ ]
, ...
}:
let
  modes = [ "full-apivfs" "chroot-only" "full" ];
  needNames = [ "dns" "tls" "users" "time" "locale" "journal" "dbus" ];
  isNeed = n: builtins.isString n && (builtins.elem n needNames
    || (builtins.substring 0 1 n == "-" && builtins.elem (builtins.substring 1 (-1) n) needNames));
  badNeeds = builtins.filter (n: !isNeed n) needs;
  # A derivation or a path as the string of its store path, context kept.
  str = x: if builtins.isString x then x else "${x}";
  # Absolute, as confinement.d(5) wants every path.
  path = what: x:
    let s = str x; in
    if builtins.substring 0 1 s == "/" then s
    else throw "confinement: ${what} must be an absolute path, got \"${s}\"";
in
if !(builtins.elem mode modes) then
  throw "confinement: mode must be one of \"full-apivfs\", \"chroot-only\" or \"full\", got \"${toString mode}\""
else if !(builtins.isBool fullUnit) then
  throw "confinement: fullUnit must be true or false"
else if !(builtins.isList packages) then
  throw "confinement: packages must be a list"
else if !(builtins.isList needs) then
  throw "confinement: needs must be a list"
else if badNeeds != [ ] then
  throw "confinement: needs must name \"dns\", \"tls\", \"users\", \"time\", \"locale\", \"journal\" or \"dbus\" (optional with a leading \"-\"), got ${builtins.toJSON (builtins.head badNeeds)}"
else {
  version = 1;
  inherit mode;
  closureInfo = path "closureInfo" closureInfo;
  binSh = if binSh == null then null else path "binSh" binSh;
  packages = map (path "a package") packages;
  unitRoots = if fullUnit then "full" else "exec";
} // (if needs == [ ] then { } else { inherit needs; })
