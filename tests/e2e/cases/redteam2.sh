# shellcheck shell=bash
# The red team's second round (issue 23), each as the attack that worked
# against 91cd6a8 and must fail now:
#
#   rt2-enospc          a daemon-reload whose generator can write nothing (its
#                       output directory a full file system): the unit
#                       confinementctl new made does not start, its guard
#                       asserts the generator's drop-in; after a good reload it
#                       starts confined again
#   rt2-closure-trust   a closure path outside the store that its owner
#                       swapped for a link to /etc: refused, as in bindPaths
#   rt2-store-parent    the store's parent (/nix) in store-paths: refused
#   rt2-collision       two closures whose layer IDs collided under FNV-1a:
#                       after a reload from A to B, with A's layer still
#                       active, the service sees B's path and not A's
#   rt2-private-users   confinementctl verify warns of PrivateUsers=no and of
#                       a unit without its guard
#   rt2-new-shadow      confinementctl new does not shadow a vendor spec in
#                       /usr/lib/confinement.d without --force
# shellcheck disable=SC2153,SC2154 # ROOT and the fixtures' variables: run.sh's and lib/cases.sh's

cases rt2-enospc rt2-closure-trust rt2-store-parent rt2-collision rt2-private-users rt2-new-shadow
case_setup setup_redteam2

RT2_COLL_A=/nix/store/004rjvy7v1qv7rcaaaaaaaaaaaaaaaaa-coll
RT2_COLL_B=/nix/store/00b5xa2vzaj47p0aaaaaaaaaaaaaaaaa-coll
RT2_GENERATOR=/usr/lib/systemd/system-generators/confinement-generator

# rt2_closure_info ROOT NAME PATH...: a closureInfo of the probe's closure
# and PATH... (store-paths alone: no roots, the whole list is the closure)
rt2_closure_info() {
        local root=$1 dir
        dir=$root/usr/lib/e2e/$2
        shift 2
        mkdir -p "$dir"
        { cat "$CLOSURES/probe/store-paths"; printf '%s\n' "$@"; } | LC_ALL=C sort -u > "$dir/store-paths"
        cp "$CLOSURES/probe/registration" "$dir/registration"
}

setup_redteam2() {
        local root=$1 etc=$1/etc/confinement.d

        # 1. the unit confinementctl new confines in the case (no store
        # path among the checks: those in ExecStart= are its roots)
        unit "$root" t-rt2-run.service Type=oneshot exists:/etc/shadow exists:/root/e2e-secret

        # 2. a closure path its owner (the static user) may swap
        mkdir -p "$root/srv/rt2-user/data"
        echo rt2-data > "$root/srv/rt2-user/data/file"
        chown -R "$STATIC_UID:$STATIC_UID" "$root/srv/rt2-user"
        rt2_closure_info "$root" rt2-outside /srv/rt2-user/data
        unit "$root" t-rt2-outside.service Type=oneshot read:/srv/rt2-user/data/shadow
        enable "$root" t-rt2-outside.service
        spec "$etc/t-rt2-outside.service.json" full-apivfs '"/usr/lib/e2e/rt2-outside"'

        # 5. the store's parent
        rt2_closure_info "$root" rt2-nix /nix
        unit "$root" t-rt2-nix.service Type=oneshot exists:/nix/var/nix "ls:/nix/store"
        enable "$root" t-rt2-nix.service
        spec "$etc/t-rt2-nix.service.json" full-apivfs '"/usr/lib/e2e/rt2-nix"' null view

        # 3. two closures whose FNV-1a layer IDs collide (the store paths
        # are made in the case: /nix is the container's overlay)
        rt2_closure_info "$root" rt2-coll-a "$RT2_COLL_A"
        rt2_closure_info "$root" rt2-coll-b "$RT2_COLL_B"
        unit "$root" t-rt2-coll.service Type=oneshot "exists:$RT2_COLL_A/secret" "exists:$RT2_COLL_B/secret"
        spec "$etc/t-rt2-coll.service.json" full-apivfs '"/usr/lib/e2e/rt2-coll-a"'

        # 4. PrivateUsers=no, the unit's own; no guard (enabled: loaded)
        unit "$root" t-rt2-pu.service "Type=oneshot
PrivateUsers=no" id
        enable "$root" t-rt2-pu.service
        spec "$etc/t-rt2-pu.service.json" full-apivfs "\"$CLOSURE_DIR/probe\""

        # 6. a vendor's spec, stricter than new's default
        unit "$root" t-rt2-vendor.service Type=oneshot id
        mkdir -p "$root/usr/lib/confinement.d"
        spec "$root/usr/lib/confinement.d/t-rt2-vendor.service.json" full "\"$CLOSURE_DIR/probe\""
}

case_rt2_enospc() {
        local u=t-rt2-run.service out gen=$RT2_GENERATOR
        if ! out=$(cexec sh -c "confinementctl new --force --bind=$RESULTS $u && systemctl daemon-reload" 2>&1); then
                err "new && daemon-reload failed: $out"
                finish
                return
        fi
        if start "$u"; then
                expect "$u" exists:/etc/shadow no
        fi
        # the attack: the generator's output directory is full while it
        # runs (systemd emptied it just before), as a process that fills /run
        # after systemd's check and frees it 3 s later had it
        cexec mv "$gen" /usr/lib/e2e/rt2-real-generator || err "cannot move the generator aside"
        cat > "$ROOT/usr/lib/e2e/rt2-full-generator" <<'SH'
#!/bin/sh
# e2e rt2-enospc: the output directory a full file system while the generator runs
mount -t tmpfs -o size=4k,mode=0755 e2e-full "$1" || exit 1
dd if=/dev/zero of="$1/.e2e-fill" bs=4096 count=64 2>/dev/null
/usr/lib/e2e/rt2-real-generator "$@"
rc=$?
echo "rt2-enospc: the generator exited with $rc" > /dev/kmsg 2>/dev/null || true
umount "$1" || umount -l "$1"
exit $rc
SH
        chmod 755 "$ROOT/usr/lib/e2e/rt2-full-generator"
        cexec cp /usr/lib/e2e/rt2-full-generator "$gen" || err "cannot install the filling wrapper"
        cexec systemctl daemon-reload > /dev/null 2>&1 || true
        [[ -e $(cpath "/run/systemd/generator/$u.d/50-confinement.conf") ]] &&
                err "the generator wrote $u's drop-in into a full directory?"
        rm -f "$ROOT$RESULTS/$u"
        if out=$(cexec systemctl start "$u" 2>&1); then
                err "$u started after a reload that wrote no confinement: exists:/etc/shadow=$(result "$u" exists:/etc/shadow)"
        else
                out=$(cexec systemctl show -p AssertResult "$u" 2>&1)
                [[ $out == AssertResult=no ]] || err "$u: $out, expected AssertResult=no (its guard)"
        fi
        [[ -f $ROOT$RESULTS/$u ]] && err "$u: the service ran"
        # the generator again: the guard lets the confined unit start
        cexec mv /usr/lib/e2e/rt2-real-generator "$gen" || err "cannot restore the generator"
        reload
        if start "$u"; then
                expect "$u" exists:/etc/shadow no
                expect "$u" exists:/root/e2e-secret no
        fi
        finish
}

case_rt2_closure_trust() {
        local u=t-rt2-outside.service
        # the owner swaps the directory for a link to /etc
        cexec "$BUSYBOX/bin/busybox" sh -c 'rm -r /srv/rt2-user/data && ln -s /etc /srv/rt2-user/data' ||
                err "could not swap the closure path"
        cexec chown -h "$STATIC_UID:$STATIC_UID" /srv/rt2-user/data || true
        reload
        broken "$u" 'key "closureInfo"' 'refusing to bind /srv/rt2-user/data'
        grep -q '^BindReadOnlyPaths=/etc:' "$(cpath "/run/systemd/generator/$u.d/50-confinement.conf")" &&
                err "$u: the drop-in binds /etc"
        finish
}

case_rt2_store_parent() {
        broken t-rt2-nix.service 'key "closureInfo"' 'expected store paths, got /nix'
        finish
}

case_rt2_collision() {
        local u=t-rt2-coll.service
        cexec sh -c "mkdir -p $RT2_COLL_A $RT2_COLL_B && echo a > $RT2_COLL_A/secret && echo b > $RT2_COLL_B/secret" ||
                err "cannot make the colliding store paths"
        reload
        if start "$u"; then
                expect "$u" "exists:$RT2_COLL_A/secret" yes
                expect "$u" "exists:$RT2_COLL_B/secret" no
        fi
        # A's layer stays active (RemainAfterExit=yes); the spec moves to B
        spec "$ROOT/etc/confinement.d/$u.json" full-apivfs '"/usr/lib/e2e/rt2-coll-b"'
        reload
        if start "$u"; then
                expect "$u" "exists:$RT2_COLL_A/secret" no
                expect "$u" "exists:$RT2_COLL_B/secret" yes
        fi
        sec_info "rt2-collision: layer units $(cexec systemctl list-units --all --plain --no-legend 'confinement-layer-*' | wc -l)"
        cexec rm -rf "$RT2_COLL_A" "$RT2_COLL_B" || true
        finish
}

case_rt2_private_users() {
        local out
        out=$(cexec confinementctl verify t-rt2-pu.service 2>&1) || true
        [[ $out == *"warning: PrivateUsers=no is the unit's own: its root is the host's root"* ]] ||
                err "verify t-rt2-pu.service: no PrivateUsers=no warning: $out"
        [[ $out == *"warning: no guard: /run/systemd/generator/t-rt2-pu.service.d/50-confinement.conf"* ]] ||
                err "verify t-rt2-pu.service: no warning of the missing guard: $out"
        # new's unit has its guard (rt2-enospc made it)
        out=$(cexec confinementctl verify t-rt2-run.service 2>&1) || true
        [[ $out == *"no guard"* ]] && err "verify t-rt2-run.service: warns of a guard it has: $out"
        finish
}

case_rt2_new_shadow() {
        local out rc=0
        out=$(cexec confinementctl new t-rt2-vendor.service 2>&1) || rc=$?
        ((rc == 1)) || err "new t-rt2-vendor.service: exit status $rc, expected 1: $out"
        [[ $out == *"/usr/lib/confinement.d/t-rt2-vendor.service.json exists, which /etc/confinement.d/t-rt2-vendor.service.json would take the place of"* ]] ||
                err "new t-rt2-vendor.service: $out"
        [[ -e $ROOT/etc/confinement.d/t-rt2-vendor.service.json ]] && err "new wrote a spec that shadows the vendor's"
        finish
}
