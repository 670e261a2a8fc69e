# shellcheck shell=bash
# bindMethod "overlay" (issues 14, 24): every closure of a generator run as
# one read-only overlay mount, built by confinement-layer@GENERATION.service;
# each service binds its closure's directory of it.
# shellcheck disable=SC2154,SC2153 # BUSYBOX, PROBE, SECRET, ROOT, ...: run.sh's
cases one-mount one-mount-shared one-mount-late-path one-mount-reload one-mount-own-fs one-mount-store-under-root \
        one-mount-collect one-mount-path-gone

case_setup setup_one_mount
OL_GONE=/nix/store/00000000000000000000000000000000-e2e-ol-gone
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
  "bindPaths": ["/var/lib/e2e-results"], "bindReadOnlyPaths": ["/nix/store"] }
EOF
        # a store directly under /
        mkdir -p "$root/e2e-top/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-top" "$root/e2e-top/cccccccccccccccccccccccccccccccc-not"
        echo top > "$root/e2e-top/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-top/data"
        mkdir -p "$root/usr/lib/e2e/top"
        echo /e2e-top/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-top > "$root/usr/lib/e2e/top/store-paths"
        unit "$root" t-ol-top.service Type=oneshot "read:/e2e-top/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-top/data" \
                "exists:/e2e-top/cccccccccccccccccccccccccccccccc-not" "write:/e2e-top"
        cat > "$etc/t-ol-top.service.json" <<'EOF'
{ "mode": "full-apivfs", "closureInfo": "/usr/lib/e2e/top", "storeDir": "/e2e-top",
  "bindPaths": ["/var/lib/e2e-results"], "bindReadOnlyPaths": ["/nix/store"] }
EOF
        # a closure with a store path that goes away after the reload
        # (the path and the spec: in the case, the container's store)
        mkdir -p "$root/usr/lib/e2e/gone"
        { cat "$root$CLOSURE_DIR/probe/store-paths"; echo "$OL_GONE"; } > "$root/usr/lib/e2e/gone/store-paths"
        unit "$root" t-ol-gone.service Type=oneshot id "exists:$SECRET"
        # a long-running service of the probe's closure (the collector)
        mkdir -p "$root/etc/systemd/system"
        printf '[Service]\nExecStart=%s/bin/busybox sleep 1000\n' "$BUSYBOX" > "$root/etc/systemd/system/t-ol-live.service"
        spec "$etc/t-ol-live.service.json" full-apivfs "[$probe_ci, \"$CLOSURE_DIR/busybox\"]" null overlay
}

# layer_units: the confinement-layer units systemd knows, active or not
layer_units() {
        cexec systemctl list-units --all --plain --no-legend 'confinement-layer@*' | awk '{ print $1 }' | sort
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
                [[ $(grep -c '^BindReadOnlyPaths=/run/confinement-layer/[0-9a-f]*/root/[0-9a-f]*:/nix/store$' <<< "$dropin") == 1 ]] ||
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

# one overlay for every service: the host's mount table grows by two lines
# (the generation's tmpfs and overlay), not one per service, closure or path
case_one_mount_shared() {
        local before after units
        local u
        for u in t-ol.service t-ol-root.service t-ol-chroot.service t-ol-full.service; do
                cexec systemctl stop "$u"
        done
        cexec systemctl stop 'confinement-layer@*'
        before=$(cexec cat /proc/1/mountinfo | wc -l)
        # a running service keeps the generation (StopWhenUnneeded=yes)
        cexec systemctl start t-ol-live.service || err "t-ol-live.service did not start: $(why t-ol-live.service)"
        for u in t-ol.service t-ol-root.service t-ol-chroot.service t-ol-full.service t-ol-symlinked.service; do
                start "$u"
        done
        after=$(cexec cat /proc/1/mountinfo | wc -l)
        ((after - before <= 2)) || err "PID 1's mount table: $before lines before, $after after five services of two closures (expected at most two more)"
        units=$(cexec systemctl list-units --state=active --plain --no-legend 'confinement-layer@*' | wc -l)
        ((units == 1)) || err "$units active confinement-layer units for one generation: $(layer_units | tr '\n' ' ')"
        cexec systemctl stop t-ol-live.service
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

# daemon-reload after a closure changed: another closure directory of the
# overlay (the generation may stay the same when that closure is another
# service's already), the new closure
case_one_mount_reload() {
        local u=t-ol-reload.service a b
        if start "$u"; then
                expect "$u" "read:$SYMLINKED/data" 'fail:*'
                expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
        fi
        [[ $(cexec systemctl show -p Requires --value "$u") == *confinement-layer@* ]] ||
                err "$u: no generation unit in Requires="
        a=$(cexec systemctl cat "$u" | grep '^BindReadOnlyPaths=/run/confinement-layer/')
        cp "$ROOT/usr/lib/e2e/t-ol-reload.v2.json" "$ROOT/etc/confinement.d/t-ol-reload.service.json"
        reload
        b=$(cexec systemctl cat "$u" | grep '^BindReadOnlyPaths=/run/confinement-layer/')
        [[ -n $a && $a != "$b" ]] || err "$u: the same closure directory after the closure changed: $b"
        if start "$u"; then
                expect "$u" "read:$SYMLINKED/data" "ok:$SYMLINKED_CONTENT"
        fi
        finish
}

# a store that is a file system of its own, with the default bindMethod:
# the store directory itself is the overlay's lower layer, it works
case_one_mount_own_fs() {
        local u=t-ol-own.service
        cexec mount -t tmpfs tmpfs /srv/e2e-own/store
        cexec mkdir /srv/e2e-own/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-own /srv/e2e-own/store/dddddddddddddddddddddddddddddddd-not
        cexec systemctl stop 'confinement-layer@*'
        if start "$u"; then
                expect "$u" id 'uid=0 *'
        fi
        [[ $(cexec systemctl cat "$u") == *BindReadOnlyPaths=/run/confinement-layer/*/root/* ]] ||
                err "$u: not the overlay's bind"
        cexec systemctl stop 'confinement-layer@*'
        cexec umount /srv/e2e-own/store
        finish
}

# a store directly under /: nothing of it but the closure, read-only
case_one_mount_store_under_root() {
        local u=t-ol-top.service
        if start "$u"; then
                expect "$u" "read:/e2e-top/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-top/data" "ok:top"
                expect "$u" "exists:/e2e-top/cccccccccccccccccccccccccccccccc-not" no
                expect "$u" write:/e2e-top "$ro"
        fi
        finish
}

# a store path of one closure gone when the generation is mounted: that
# closure's services do not start, the other closures' do
case_one_mount_path_gone() {
        local gen
        cexec mkdir -p "$OL_GONE"
        printf '{ "mode": "full-apivfs", "closureInfo": "/usr/lib/e2e/gone", "bindPaths": ["/var/lib/e2e-results"] }\n' \
                > "$ROOT/etc/confinement.d/t-ol-gone.service.json"
        reload
        gen=$(gen_of t-ol-gone.service)
        [[ -n $gen && $gen == "$(gen_of t-ol.service)" ]] ||
                err "t-ol-gone.service and t-ol.service: not one generation: $gen, $(gen_of t-ol.service)"
        # built again at the next start, without the path
        cexec systemctl stop 'confinement-layer@*'
        cexec rm -rf "$OL_GONE"
        if start t-ol.service; then
                expect t-ol.service "exists:$SECRET" no
        fi
        rm -f "$ROOT$RESULTS/t-ol-gone.service"
        cexec systemctl start t-ol-gone.service 2> /dev/null &&
                err "t-ol-gone.service started without its store path $OL_GONE: $(why t-ol-gone.service)"
        [[ -f $ROOT$RESULTS/t-ol-gone.service ]] && err "t-ol-gone.service ran: $(cat "$ROOT$RESULTS/t-ol-gone.service")"
        cexec journalctl -b -u "$gen" --no-pager -o cat | grep -q "Left out closure" ||
                err "$gen: no \"Left out closure\" in its journal"
        rm -f "$ROOT/etc/confinement.d/t-ol-gone.service.json"
        reload
        finish
}

# gen_of UNIT: the generation unit UNIT Requires=
gen_of() {
        cexec systemctl show -p Requires --value "$1" | tr ' ' '\n' | grep '^confinement-layer@' || true
}

# The collector: after a reload that changes a closure, the old generation
# is stopped and leaves PID 1's mount table, while a service still running
# on it keeps its store; restarted, it runs on the new generation, and the
# table is back to its size.
case_one_mount_collect() {
        local live=t-ol-live.service old new pid before after i
        cexec systemctl start "$live" || err "$live did not start: $(why "$live")"
        old=$(gen_of "$live")
        [[ -n $old ]] || { err "$live: no generation in Requires="; finish; return; }
        before=$(cexec cat /proc/1/mountinfo | wc -l)
        pid=$(cexec systemctl show -p MainPID --value "$live")
        # a closure no other spec has: another generation
        mkdir -p "$ROOT/usr/lib/e2e/collect"
        printf '%s\n' "$BUSYBOX" "$SYMLINKED_TARGET" > "$ROOT/usr/lib/e2e/collect/store-paths"
        printf '{ "mode": "full-apivfs", "closureInfo": "/usr/lib/e2e/collect", "storeDir": "/nix/store" }\n' \
                > "$ROOT/etc/confinement.d/t-ol-extra.service.json"
        unit "$ROOT" t-ol-extra.service Type=oneshot id
        reload
        new=$(gen_of "$live")
        [[ -n $new && $new != "$old" ]] || err "$live: generation $old before the reload, $new after"
        for ((i = 0; i < 50; i++)); do
                [[ $(cexec systemctl show -p ActiveState --value "$old") == inactive ]] && break
                sleep 0.1
        done
        [[ $(cexec systemctl show -p ActiveState --value "$old") == inactive ]] ||
                err "$old still $(cexec systemctl show -p ActiveState --value "$old") after the reload"
        cexec grep -q " /run/confinement-layer/${old#confinement-layer@}" /proc/1/mountinfo && err "$old: still in PID 1's mount table"
        # kept for the service still running on it
        [[ $(cexec systemctl show -p ActiveState --value "$live") == active ]] || err "$live: not running: $(why "$live")"
        cexec test -x "/proc/$pid/root$BUSYBOX/bin/busybox" || err "$live: its store is gone while it runs"
        cexec test -e "/proc/$pid/root$SECRET" && err "$live: sees $SECRET"
        cexec systemctl restart "$live" || err "$live did not restart: $(why "$live")"
        [[ $(cexec systemctl show -p ActiveState --value "$new") == active ]] || err "$new: not active after the restart"
        pid=$(cexec systemctl show -p MainPID --value "$live")
        cexec test -x "/proc/$pid/root$BUSYBOX/bin/busybox" || err "$live: no store on the new generation"
        after=$(cexec cat /proc/1/mountinfo | wc -l)
        ((after <= before)) || err "PID 1's mount table: $before lines before, $after after reload and restart"
        cexec systemctl stop "$live"
        rm -f "$ROOT/etc/confinement.d/t-ol-extra.service.json"
        finish
}
