# shellcheck shell=bash
# confinementctl new and refresh in the booted container, with the real
# nix-store reading the real Nix database (the host's /nix, overlaid):
#
#   ctl-new        "confinementctl new UNIT && systemctl daemon-reload &&
#                  systemctl start UNIT" confines a unit whose ExecStart=
#                  names a store path: it sees exactly its closure; after
#                  the unit names another store path the stale closure fails
#                  closed, and "confinementctl refresh" brings it up to date
#   ctl-new-fails  a unit that does not exist, one without store paths, one
#                  naming a path the store does not have, and no nix-store
#                  at all: each fails with its message and writes nothing
#
# confinementctl is the package's (run.sh --deb) or the build's next to the
# generator. nix-store: the rootfs has no Nix, so the host's nix binary and
# its libraries (with the host's dynamic loader, so that it runs on any
# suite) are copied to /opt/e2e-host-nix, and /usr/bin/nix-store runs it
# under that name; /etc/nix is the host's.

cases ctl-new ctl-new-fails
case_setup setup_ctl_new

CTL_NEW_NIX=/opt/e2e-host-nix

# ctl_new_host_nix ROOT: the host's nix-store, runnable in ROOT
ctl_new_host_nix() {
        local root=$1 nix lib loader
        nix=$(readlink -f "$(command -v nix-store)")
        loader=$(ldd "$nix" | awk '$1 ~ /^\/.*ld-linux/ { print $1 }')
        [[ -n $loader ]] || { echo "ctl-new: no dynamic loader for $nix" >&2; return 1; }
        mkdir -p "$root$CTL_NEW_NIX/lib"
        cp "$nix" "$root$CTL_NEW_NIX/nix"
        cp -L "$loader" "$root$CTL_NEW_NIX/ld.so"
        for lib in $(ldd "$nix" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
                cp -L "$lib" "$root$CTL_NEW_NIX/lib/"
        done
        cat > "$root/usr/bin/nix-store" <<EOF
#!/bin/sh
# the host's nix-store (tests/e2e/cases/ctl-new.sh)
exec $CTL_NEW_NIX/ld.so --library-path $CTL_NEW_NIX/lib --argv0 nix-store $CTL_NEW_NIX/nix "\$@"
EOF
        chmod 755 "$root/usr/bin/nix-store"
        if [[ -d /etc/nix ]]; then
                cp -a /etc/nix "$root/etc/nix"
        fi
}

setup_ctl_new() {
        local root=$1 ctl
        # the package installs it; else the build's, next to the generator
        if [[ ! -x $root/usr/bin/confinementctl ]]; then
                # shellcheck disable=SC2154 # run.sh's
                ctl=$(dirname "$generator")/../confinementctl/confinementctl
                if [[ -x $ctl ]]; then
                        install -D -m 755 "$ctl" "$root/usr/bin/confinementctl"
                else
                        echo "ctl-new: no confinementctl at $ctl; the ctl-new cases will fail" >&2
                fi
        fi
        ctl_new_host_nix "$root"

        # the check that names another store path is not in ExecStart=,
        # whose store paths are the roots
        unit "$root" t-new.service "Type=oneshot
Environment=\"PROBE_CHECKS=exists:$SECRET\"" ls:/nix/store exists:/etc/shadow "run:$BUSYBOX/bin/busybox+echo+ran-ok"
        # the same unit after an upgrade: its ExecStartPre= names another
        # store path (v2 is copied over it by the case)
        unit "$root/usr/lib/e2e/ctl-new-v2" t-new.service "Type=oneshot
Environment=\"PROBE_CHECKS=exists:$SECRET\"
ExecStartPre=$BUSYBOX/bin/busybox cat $SYMLINKED/data" ls:/nix/store "read:$SYMLINKED/data"

        mkdir -p "$root/etc/systemd/system"
        printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' > "$root/etc/systemd/system/t-new-plain.service"
        printf '[Service]\nType=oneshot\nExecStart=/nix/store/00000000000000000000000000000000-e2e-gone/bin/x\n' \
                > "$root/etc/systemd/system/t-new-gone.service"
}

# ctl_new_state: what new and refresh may write, listed with checksums
ctl_new_state() {
        cexec sh -c 'find /etc/confinement.d /var/lib/confinement -type f -exec md5sum {} + 2>/dev/null | sort;
                find /etc/confinement.d /var/lib/confinement 2>/dev/null | sort'
}

case_ctl_new() {
        local u=t-new.service out closures=/var/lib/confinement/closures/t-new.service
        if ! out=$(cexec sh -c "confinementctl new --bind=$RESULTS $u && systemctl daemon-reload && systemctl start $u" 2>&1); then
                err "new && daemon-reload && start failed: $out $(why "$u")"
                finish
                return
        fi
        [[ $out == *"Wrote $closures/store-paths (2 store paths from nix-store) and registration."* ]] ||
                err "new: unexpected output: $out"
        [[ $out == *'Run "systemctl daemon-reload"'* ]] || err "new: no daemon-reload hint: $out"
        # shellcheck disable=SC2153 # ROOT is run.sh's
        [[ -f $ROOT$RESULTS/$u ]] || err "$u wrote no results $(why "$u")"
        expect "$u" ls:/nix/store "$(requisites "$PROBE")"
        expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
        expect "$u" "exists:$SECRET" no
        expect "$u" exists:/etc/shadow no
        expect "$u" "run:$BUSYBOX/bin/busybox+echo+ran-ok" 'rc=0:ran-ok'
        [[ -s $(cpath "/run/systemd/generator/$u.d/50-confinement.conf") ]] || err "no drop-in for $u"
        out=$(cexec confinementctl refresh 2>&1) || err "refresh: $out"
        [[ $out == *"$u: up to date (2 store paths)."* ]] || err "refresh before the change: $out"

        # the unit now names another store path: the closure made before is
        # stale, so the unit fails closed until refresh
        cp "$ROOT/usr/lib/e2e/ctl-new-v2/etc/systemd/system/$u" "$ROOT/etc/systemd/system/$u"
        reload
        rm -f "$ROOT$RESULTS/$u"
        if cexec systemctl start "$u" > /dev/null 2>&1; then
                err "$u started with its stale closure"
        fi
        out=$(cexec systemctl show -p AssertResult "$u" 2>&1)
        [[ $out == AssertResult=no ]] || err "$u: $out, expected AssertResult=no"
        grep -q "not in the store-paths of closureInfo" "$(cpath "/run/systemd/generator/$u.d/50-confinement.conf")" ||
                err "the fail-closed drop-in does not say why"
        out=$(cexec confinementctl refresh 2>&1) || err "refresh failed: $out"
        [[ $out == *"$u: wrote $closures (4 store paths)."* ]] || err "refresh: unexpected output: $out"
        reload
        if start "$u"; then
                expect "$u" ls:/nix/store "$(requisites "$PROBE" "$SYMLINKED")"
                expect "$u" "read:$SYMLINKED/data" "ok:$SYMLINKED_CONTENT"
                expect "$u" "exists:$SECRET" no
        fi
        finish
}

# ctl_new_refused MESSAGE ARG...: confinementctl ARG... exits 1 saying
# MESSAGE and writes nothing
ctl_new_refused() {
        local msg=$1 before after out rc=0
        shift
        before=$(ctl_new_state)
        out=$(cexec "$@" 2>&1) || rc=$?
        ((rc == 1)) || err "$*: exit status $rc, expected 1: $out"
        [[ $out == *"$msg"* ]] || err "$*: expected \"$msg\", got: $out"
        after=$(ctl_new_state)
        [[ $before == "$after" ]] || err "$*: wrote something: $(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"
}

case_ctl_new_fails() {
        ctl_new_refused "Unit t-new-missing.service not found in the unit search path" \
                confinementctl new t-new-missing.service
        ctl_new_refused "t-new-plain.service (/etc/systemd/system/t-new-plain.service) names no store path" \
                confinementctl new t-new-plain
        ctl_new_refused "nix-store --query --requisites failed (exit status 1): error: path '/nix/store/00000000000000000000000000000000-e2e-gone' is not valid" \
                confinementctl new t-new-gone
        ctl_new_refused "cannot run nix-store: No such file or directory" \
                env PATH=/nonexistent /usr/bin/confinementctl new t-new-gone
        ctl_new_refused "/etc/confinement.d/t-new-missing.service.json: no such spec" \
                confinementctl refresh t-new-missing
        finish
}
