# Declarations of the options that nixos/modules/config/resolvconf.nix reads
# and the excerpts in <nixpkgs>/nixos do not declare, with NixOS's types
# and defaults (networking.enableIPv6, services.nscd.enable) or a
# free-form submodule where only the names matter (users.users,
# users.groups): enough for NixOS's resolvconf module, which every NixOS
# system loads, to evaluate beside ours.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  freeform = types.attrsOf (types.submodule { freeformType = types.attrsOf types.anything; });
in
{
  options = {
    networking.enableIPv6 = mkOption { type = types.bool; default = true; description = "IPv6"; };
    services.nscd.enable = mkOption { type = types.bool; default = true; description = "nscd"; };
    users.users = mkOption { type = freeform; default = { }; description = "users"; };
    users.groups = mkOption { type = freeform; default = { }; description = "groups"; };
  };
}
