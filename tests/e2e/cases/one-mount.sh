# shellcheck shell=bash
# bindMethod "overlay" (issue 14): the closure as one read-only overlay
# mount, built by the generator's confinement-layer-ID.service.
# shellcheck disable=SC2154,SC2153 # BUSYBOX, PROBE, SECRET, ROOT, ...: run.sh's
cases one-mount one-mount-shared one-mount-late-path one-mount-reload one-mount-own-fs

case_setup setup_one_mount
setup_one_mount() {
        local root=$1 etc=$1/etc/confinement.d probe_ci="\"$CLOSURE_DIR/probe\""
        local checks=(id "ls:/nix/store" "exists:$SECRET" "read:$SECRET" "write:$PROBE" "write:$BUSYBOX/bin"
                "write:/nix/store" "run:$BUSYBOX/bin/busybox+echo+ran-ok" "mountopts:/nix/store"
                "run:$BUSYBOX/bin/busybox+mount+-o+remount,bind,rw+/nix/store"
                "run:$BUSYBOX/bin/busybox+touch+$PROBE/after-remount")
        # root in a user namespace (full-apivfs), real root with every
        # capability (full-apivfs with PrivateUsers=no), chroot-only (no
        # /proc: no mount options, no remount), full; one closure, one overlay
        unit "$root" t-ol.service Type=oneshot "${checks[@]}"
        spec "$etc/t-ol.service.json" full-apivfs "$probe_ci" null overlay
        unit "$root" t-ol-root.service Type=oneshot "${checks[@]}"
        spec "$etc/t-ol-root.service.json" full-apivfs "$probe_ci" null overlay
        mkdir -p "$root/etc/systemd/system/t-ol-root.service.d"
        printf '[Service]\nPrivateUsers=no\n' > "$root/etc/systemd/system/t-ol-root.service.d/zz-users.conf"
        unit "$root" t-ol-chroot.service Type=oneshot "${checks[@]:0:8}"
        spec "$etc/t-ol-chroot.service.json" chroot-only "$probe_ci" null overlay
        unit "$root" t-ol-full.service Type=oneshot "${checks[@]}"
        spec "$etc/t-ol-full.service.json" full "$probe_ci" null overlay
        # a symlinked store path: a symlink in the overlay, resolved inside
        unit "$root" t-ol-symlinked.service Type=oneshot "read:$SYMLINKED/data" "exists:$SYMLINKED_TARGET" \
                "exists:$SECRET" "ls:/nix/store"
        spec "$etc/t-ol-symlinked.service.json" full-apivfs "[$probe_ci, \"$CLOSURE_DIR/symlinked\"]" null overlay
        # another closure later (reload)
        unit "$root" t-ol-reload.service Type=oneshot "read:$SYMLINKED/data" "ls:/nix/store"
        spec "$etc/t-ol-reload.service.json" full-apivfs "$probe_ci" null overlay
        spec "$root/usr/lib/e2e/t-ol-reload.v2.json" full-apivfs "[$probe_ci, \"$CLOSURE_DIR/symlinked\"]" null overlay
        # a store directory that becomes a file system of its own
        mkdir -p "$root/srv/e2e-own/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-own" "$root/usr/lib/e2e/own"
        echo /srv/e2e-own/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-own > "$root/usr/lib/e2e/own/store-paths"
        unit "$root" t-ol-own.service Type=oneshot id
        cat > "$etc/t-ol-own.service.json" <<'EOF'
{ "mode": "full-apivfs", "closureInfo": "/usr/lib/e2e/own", "storeDir": "/srv/e2e-own/store",
  "bindPaths": ["/var/lib/e2e-results"] }
EOF
}

# layer_units: the confinement-layer units systemd knows, active or not
layer_units() {
        cexec systemctl list-units --all --plain --no-legend 'confinement-layer-*' | awk '{ print $1 }' | sort
}

# the checks every overlay service passes
overlay_checks() {
        local u=$1
        expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
        expect "$u" "exists:$SECRET" no
        expect "$u" "read:$SECRET" 'fail:*No such file or directory*'
        expect "$u" "write:$PROBE" "$ro"
        expect "$u" "write:$BUSYBOX/bin" "$ro"
        expect "$u" write:/nix/store "$ro"
        expect "$u" 'run:'"$BUSYBOX"'/bin/busybox+echo+ran-ok' 'rc=0:ran-ok'
        [[ $u == t-ol-chroot.service ]] && return
        expect "$u" mountopts:/nix/store 'ro,*'
        # whatever a remount does to the bind, the overlay has no upper layer
        expect "$u" "run:$BUSYBOX/bin/busybox+touch+$PROBE/after-remount" 'rc=1:*Read-only file system*'
}

case_one_mount() {
        local u dropin
        for u in t-ol.service t-ol-root.service t-ol-chroot.service t-ol-full.service; do
                start "$u" || continue
                expect "$u" id 'uid=0 *'
                overlay_checks "$u"
                dropin=$(cexec systemctl cat "$u" 2>&1)
                [[ $(grep -c '^BindReadOnlyPaths=/run/confinement-layer/.*/root/store:/nix/store$' <<< "$dropin") == 1 ]] ||
                        err "$u: not one bind of the overlay: $(grep '^Bind' <<< "$dropin" | tr '\n' '|')"
                grep -q '^BindPaths=/run/confinement-view' <<< "$dropin" && err "$u: binds from the view"
        done
        # real root with CAP_SYS_ADMIN can clear the bind's read-only flag,
        # not the overlay's: no upper layer
        expect t-ol-root.service "run:$BUSYBOX/bin/busybox+mount+-o+remount,bind,rw+/nix/store" 'rc=0:*'
        expect t-ol.service "run:$BUSYBOX/bin/busybox+mount+-o+remount,bind,rw+/nix/store" 'rc=[1-9]*'
        if start t-ol-symlinked.service; then
                expect t-ol-symlinked.service "read:$SYMLINKED/data" "ok:$SYMLINKED_CONTENT"
                expect t-ol-symlinked.service "exists:$SYMLINKED_TARGET" yes
                expect t-ol-symlinked.service "exists:$SECRET" no
        fi
        finish
}

# one overlay for every service of a closure: the host's mount table grows
# by one line, not one per service or path
case_one_mount_shared() {
        local before after units
        local u
        for u in t-ol.service t-ol-root.service t-ol-chroot.service t-ol-full.service; do
                cexec systemctl stop "$u"
        done
        cexec systemctl stop 'confinement-layer-*'
        before=$(cexec cat /proc/1/mountinfo | wc -l)
        for u in t-ol.service t-ol-root.service t-ol-chroot.service t-ol-full.service; do
                start "$u"
        done
        after=$(cexec cat /proc/1/mountinfo | wc -l)
        ((after - before == 1)) || err "PID 1's mount table: $before lines before, $after after four services of one closure (expected one more)"
        units=$(cexec systemctl list-units --state=active --plain --no-legend 'confinement-layer-*' | wc -l)
        ((units == 1)) || err "$units active confinement-layer units for one closure: $(layer_units | tr '\n' ' ')"
        finish
}

# a store path added after the overlay was mounted does not show
case_one_mount_late_path() {
        local late=/nix/store/00000000000000000000000000000000-e2e-late
        start t-ol.service || { finish; return; }
        cexec mkdir -p "$late"
        cexec sh -c "echo late > $late/data"
        unit "$ROOT" t-ol-late.service Type=oneshot "exists:$late" "read:$late/data" "ls:/nix/store"
        cp "$ROOT/etc/confinement.d/t-ol.service.json" "$ROOT/etc/confinement.d/t-ol-late.service.json"
        # the same closure: the running overlay, not a new one
        reload
        if start t-ol-late.service; then
                expect t-ol-late.service "exists:$late" no
                expect t-ol-late.service ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
        fi
        cexec rm -rf "$late"
        finish
}

# daemon-reload after a closure changed: another overlay unit, the new closure
case_one_mount_reload() {
        local u=t-ol-reload.service a b
        if start "$u"; then
                expect "$u" "read:$SYMLINKED/data" 'fail:*'
                expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
        fi
        a=$(cexec systemctl show -p Requires --value "$u")
        cp "$ROOT/usr/lib/e2e/t-ol-reload.v2.json" "$ROOT/etc/confinement.d/t-ol-reload.service.json"
        reload
        b=$(cexec systemctl show -p Requires --value "$u")
        [[ $a != "$b" ]] || err "$u: the same overlay unit after the closure changed: $b"
        if start "$u"; then
                expect "$u" "read:$SYMLINKED/data" "ok:$SYMLINKED_CONTENT"
        fi
        finish
}

# a store that is a file system of its own, with the default bindMethod:
# the overlay unit refuses and names "view" as the way out, the service
# does not start (never unconfined)
case_one_mount_own_fs() {
        local u=t-ol-own.service layer out
        cexec mount -t tmpfs tmpfs /srv/e2e-own/store
        cexec mkdir /srv/e2e-own/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-own
        rm -f "$ROOT$RESULTS/$u"
        if out=$(cexec systemctl start "$u" 2>&1); then
                err "$u started with its store on a file system of its own"
        fi
        [[ -f $ROOT$RESULTS/$u ]] && err "$u ran: $(cat "$ROOT$RESULTS/$u")"
        layer=$(cexec systemctl show -p Requires --value "$u" | tr ' ' '\n' | grep confinement-layer-)
        [[ -n $layer ]] || err "$u: no confinement-layer unit in Requires="
        out=$(cexec journalctl -b -q -o cat -u "$layer")
        [[ $out == *"is a file system of its own"*'Set "bindMethod": "view" in the specs'* ]] ||
                err "$layer: no reason and no way out in the journal: $out"
        [[ $(cexec systemctl show -p ActiveState --value "$u") != active ]] || err "$u: active: $(why "$u")"
        [[ $(cexec journalctl -b -q -o cat -u "$u") == *"Dependency failed"* ]] ||
                err "$u: no failed dependency in the journal: $(why "$u")"
        cexec umount /srv/e2e-own/store
        finish
}
