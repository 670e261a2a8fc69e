# shellcheck shell=bash
# NixOS-built confined services: the system of tests/nixos/cases.nix,
# evaluated on nixpkgs' module system with data/nixos/confinement.nix and
# built offline (tests/nixos/build.sh, cached in $E2E_FIXTURES/nixos). Its
# /etc/confinement.d (a link to one directory in the store) and the unit files of its /etc/systemd/system (as
# NixOS's generateUnits lays them out: links into the store,
# NAME.d/overrides.conf for an instance and for a packaged unit) go into
# the rootfs; the container sees the host's /nix. Each service must start
# confined and its probe see exactly its closure.

cases nixos-services nixos-instance nixos-packaged nixos-path nixos-needs
case_setup setup_nixos

nixos_env() {
        # shellcheck source=/dev/null
        source "$E2E_FIXTURES/nixos/nixos.env"
        NIXOS_PATH_PKGS=("$NIXOS_COREUTILS" "$NIXOS_FINDUTILS" "$NIXOS_GNUGREP" "$NIXOS_GNUSED" "$NIXOS_SYSTEMD")
}

# shellcheck disable=SC2154 # repo and generator are run.sh's
setup_nixos() {
        local root=$1 ctl units specs
        # the package of the system is built from the binaries under test
        # (the package's, where run.sh --deb installed one)
        ctl=$(dirname "$generator")/../confinementctl/confinementctl
        [[ -x $root/usr/bin/confinementctl ]] && ctl=$root/usr/bin/confinementctl
        "$repo/tests/nixos/build.sh" "$E2E_FIXTURES/nixos" "$ctl" "$generator" || return 1
        nixos_env
        # /etc/confinement.d as NixOS links it: a link to a directory of
        # links to the specs in the store. That directory is a copy in the
        # rootfs, with the specs of the other groups: a link to the store's
        # directory itself dropped those their setups wrote before this one,
        # and had the setups after it (which run on the host) write theirs
        # into the host's store path through the link
        specs=$root/usr/lib/e2e/nixos-confinement.d
        mkdir -p "$specs" "$root/etc/confinement.d" "$root/etc/systemd/system"
        cp -a "$(readlink -f "$NIXOS_SYSTEM/etc/confinement.d")/." "$specs/"
        cp -a "$root/etc/confinement.d/." "$specs/"
        rm -rf "$root/etc/confinement.d"
        ln -s ../usr/lib/e2e/nixos-confinement.d "$root/etc/confinement.d"
        units=$(readlink -f "$NIXOS_SYSTEM/etc/systemd/system")
        cp -a "$units/." "$root/etc/systemd/system/"
}

# nixos_unit_names UNIT: the store paths UNIT's unit file (in the system) names
nixos_unit_names() {
        grep -o '/nix/store/[a-z0-9]\{32\}-[^/ "]*' "$(readlink -f "$NIXOS_SYSTEM/etc/systemd/system/$1")" | sort -u
}

case_nixos_services() {
        local u named
        nixos_env
        # the defaults: the probe, binSh's busybox, the service's path
        u=nixos-defaults.service
        if start "$u"; then
                expect "$u" id 'uid=0 *'
                expect "$u" ls:/nix/store "$(requisites "$NIXOS_PROBE" "${NIXOS_PATH_PKGS[@]}")"
                expect "$u" exists:/bin/sh yes
                expect "$u" exists:/dev/null yes
        fi
        # chroot-only, binSh = null
        u=nixos-chroot.service
        if start "$u"; then
                expect "$u" ls:/nix/store "$(requisites "$NIXOS_PROBE" "${NIXOS_PATH_PKGS[@]}")"
                expect "$u" exists:/bin/sh no
                expect "$u" exists:/dev/null no
        fi
        # full, packages ("${data}/share/x") and fullUnit: what the unit names
        u=nixos-full.service
        mapfile -t named < <(nixos_unit_names "$u")
        if start "$u"; then
                expect "$u" ls:/nix/store "$(requisites "$NIXOS_DATA" "${named[@]}")"
                expect "$u" "read:$NIXOS_DATA/share/x" ok:nixos-data
                expect "$u" env:NIXOS_EXTRA "$NIXOS_EXTRA"
        fi
        # DynamicUser = true
        u=nixos-dyn.service
        if start "$u"; then
                expect "$u" id 'uid=[1-9]*'
                expect "$u" ls:/nix/store "$(requisites "$NIXOS_PROBE" "${NIXOS_PATH_PKGS[@]}")"
        fi
        # PrivateDevices = false in the unit: starts confined
        u=nixos-dev.service
        if start "$u"; then
                expect "$u" id 'uid=0 *'
        fi
        finish
}

case_nixos_instance() {
        local u
        nixos_env
        # the instance's own spec (chroot-only, no /bin/sh), its ExecStart=
        # from the template's unit file
        u=nixos-tmpl@one.service
        if start "$u"; then
                expect "$u" ls:/nix/store "$(requisites "$NIXOS_PROBE" "${NIXOS_PATH_PKGS[@]}")"
                expect "$u" exists:/bin/sh no
                expect "$u" exists:/dev/null no
        fi
        # another instance: the template's spec
        u=nixos-tmpl@two.service
        if start "$u"; then
                expect "$u" ls:/nix/store "$(requisites "$NIXOS_PROBE" "${NIXOS_PATH_PKGS[@]}")"
                expect "$u" exists:/bin/sh yes
                expect "$u" exists:/dev/null yes
        fi
        finish
}

case_nixos_packaged() {
        local u=nixos-pkg.service
        nixos_env
        # the unit file is the package's, NixOS's part is overrides.conf
        if start "$u"; then
                expect "$u" ls:/nix/store "$(requisites "$NIXOS_PROBE" "${NIXOS_PATH_PKGS[@]}")"
                expect "$u" exists:/bin/sh yes
        fi
        finish
}

case_nixos_path() {
        local u=nixos-script.service script
        nixos_env
        # a script that calls mkdir finds it: the service's path is bound
        script=$(nixos_unit_names "$u" | grep -- '-unit-script-nixos-script-start$')
        if start "$u"; then
                expect "$u" env:MKDIR "$NIXOS_COREUTILS/bin/mkdir"
                expect "$u" exists:/tmp/made-by-script yes
                expect "$u" ls:/nix/store "$(requisites "$script" "${NIXOS_PATH_PKGS[@]}")"
        fi
        finish
}

# confinement.needs (issue 20): the journal's sockets, the users' and the
# time's files of the container's /etc, and nothing else of it
case_nixos_needs() {
        local u=nixos-needs.service
        nixos_env
        # the sockets exist now: at boot the generator ran before them
        reload
        if start "$u"; then
                expect "$u" id 'uid=0 *'
                expect "$u" ls:/nix/store "$(requisites "$NIXOS_PROBE" "${NIXOS_PATH_PKGS[@]}")"
                expect "$u" read:/etc/passwd 'ok:root:x:0:0:*'
                expect "$u" exists:/etc/localtime yes
                expect "$u" exists:/run/systemd/journal/socket yes
                expect "$u" exists:/etc/shadow no
        fi
        finish
}
