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
#   rt2-same-user-root  mode full with the unit's own PrivateUsers=no: a
#                       static user reads the host's files through
#                       /proc/PID/root of an unconfined process of its user,
#                       root through /proc/1/root; from systemd 257 on,
#                       PrivatePIDs=yes shows it no such process; on 252 the
#                       reach remains (a known difference, asserted)
# shellcheck disable=SC2153,SC2154 # ROOT and the fixtures' variables: run.sh's and lib/cases.sh's

cases rt2-enospc rt2-closure-trust rt2-store-parent rt2-collision rt2-private-users rt2-new-shadow \
        rt2-same-user-root
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

# rt2_reach_check: the probe's check that reads the host's
# /etc/e2e-plain.conf through every /proc/PID/root the service sees
rt2_reach_check() {
        # shellcheck disable=SC2016 # for the service's shell
        printf '%s' "run:$BUSYBOX/bin/busybox+sh+-c+"'for p in /proc/[0-9]*; do c=$(cat $p/root/etc/e2e-plain.conf 2>/dev/null) && echo reached ${p#/proc/}=$c; done; true'
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

        # 3 (rt2-same-user-root). an unconfined process of the static user,
        # and services in mode full with PrivateUsers=no that look for the
        # host's /etc through every /proc/PID/root they see
        local reach
        reach=$(rt2_reach_check)
        unit "$root" t-rt2-victim.service "User=$STATIC_USER" sleep
        unit "$root" t-rt2-same.service "Type=oneshot
User=$STATIC_USER
PrivateUsers=no" id "$reach" ls:/proc
        enable "$root" t-rt2-same.service # loaded: its timestamps stay for the exec time
        spec "$etc/t-rt2-same.service.json" full "\"$CLOSURE_DIR/probe\""
        unit "$root" t-rt2-same-root.service "Type=oneshot
PrivateUsers=no" id "$reach" read:/proc/1/root/etc/shadow exists:/proc/1/root/root/e2e-secret
        spec "$etc/t-rt2-same-root.service.json" full "\"$CLOSURE_DIR/probe\""
        # the start cost of the namespaces alone: busybox true, as start-cost.sh runs true
        cat > "$root/etc/systemd/system/t-rt2-same-true.service" <<EOF
[Unit]
Description=e2e test unit t-rt2-same-true.service
[Service]
Type=oneshot
User=$STATIC_USER
PrivateUsers=no
ExecStart=$BUSYBOX/bin/busybox true
EOF
        enable "$root" t-rt2-same-true.service
        spec "$etc/t-rt2-same-true.service.json" full "\"$CLOSURE_DIR/busybox\""
        # its main process is PID 1 of its namespace: SIGTERM is dropped
        unit "$root" t-rt2-same-sleep.service "User=$STATIC_USER
PrivateUsers=no
TimeoutStopSec=4" id sleep
        spec "$etc/t-rt2-same-sleep.service.json" full "\"$CLOSURE_DIR/probe\""
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

# rt2_reached UNIT: the "reached PID=plain-content" words of its probe
rt2_reached() {
        local v
        v=$(result "$1" "$(rt2_reach_check)")
        [[ $v == *reached* ]] && echo "${v#rc=0:}"
        return 0
}

# rt2_exposure UNIT: the overall exposure systemd-analyze security gives it
rt2_exposure() {
        cexec systemd-analyze security --no-pager "$1" 2>/dev/null |
                sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}

# rt2_exec_median UNIT: the median of 7 starts' exec times in microseconds
rt2_exec_median() {
        local i t=()
        for ((i = 0; i < 7; i++)); do
                # reset-failed: the start limit (5 in 10 s) counts these too
                cexec systemctl reset-failed "$1" 2>/dev/null || true
                cexec systemctl start "$1" || { echo "start failed: $(why "$1")"; return 0; }
                t+=("$(cexec systemctl show -p ExecMainStartTimestampMonotonic -p ExecMainExitTimestampMonotonic "$1" |
                        awk -F= '/^ExecMainStart/ { s = $2 } /^ExecMainExit/ { e = $2 } END { print e - s }')")
        done
        printf '%s\n' "${t[@]}" | sort -n | sed -n 4p
}

# rt2_info TEXT: a line run.sh prints after the cases
rt2_info() {
        echo "$*" >> "${KNOWN_FILE%.known}.info"
}

case_rt2_same_user_root() {
        local u conf victim reached t0 t1 took out rc=0
        cexec systemctl start t-rt2-victim.service || err "t-rt2-victim.service did not start"
        wait_result t-rt2-victim.service
        victim=$(cexec systemctl show -p MainPID --value t-rt2-victim.service)
        for u in t-rt2-same.service t-rt2-same-root.service t-rt2-same-sleep.service; do
                conf=$(cpath "/run/systemd/generator/$u.d/50-confinement.conf")
                if ((SYSTEMD_VERSION >= 257)); then
                        grep -qx 'PrivatePIDs=yes' "$conf" || err "$u: no PrivatePIDs=yes in its drop-in"
                else
                        grep -q '^PrivatePIDs=' "$conf" && err "$u: PrivatePIDs= written for systemd $SYSTEMD_VERSION"
                        grep -qx "# systemd $SYSTEMD_VERSION has no PrivatePIDs= (257), which would hide them." "$conf" ||
                                err "$u: its drop-in does not say why it has no PrivatePIDs="
                fi
        done
        rt2_info "rt2-same-user-root: exposure (systemd-analyze security), PrivateUsers=no in full: static $(rt2_exposure t-rt2-same.service), root $(rt2_exposure t-rt2-same-root.service)"
        # confinementctl renders what the generator wrote: as root (PID 1's
        # mappings) and as the static user (the manager's Version over D-Bus)
        out=$(cexec confinementctl verify t-rt2-same.service 2>&1) || rc=$?
        (((rc & 2) == 0)) || err "confinementctl verify t-rt2-same.service: exit status $rc (a mismatch): $out"
        out=$(cexec setpriv --reuid="$STATIC_UID" --regid="$STATIC_UID" --clear-groups \
                confinementctl cat t-rt2-same.service 2>&1) || err "confinementctl cat as $STATIC_USER failed: $out"
        if ((SYSTEMD_VERSION >= 257)); then
                [[ $out == *$'\nPrivatePIDs=yes\n'* ]] || err "confinementctl cat as $STATIC_USER: no PrivatePIDs=yes: $out"
        else
                [[ $out == *"# systemd $SYSTEMD_VERSION has no PrivatePIDs= (257)"* ]] ||
                        err "confinementctl cat as $STATIC_USER: no word of PrivatePIDs=: $out"
        fi
        start t-rt2-same.service && expect t-rt2-same.service id "uid=$STATIC_UID *"
        start t-rt2-same-root.service && expect t-rt2-same-root.service id "uid=0 *"
        if ((SYSTEMD_VERSION >= 257)); then
                for u in t-rt2-same.service t-rt2-same-root.service; do
                        reached=$(rt2_reached "$u")
                        [[ -z $reached ]] || err "$u read the host's /etc/e2e-plain.conf: $reached"
                done
                [[ " $(result t-rt2-same.service ls:/proc) " == *" $victim "* ]] &&
                        err "t-rt2-same.service sees the victim (PID $victim) in /proc: $(result t-rt2-same.service ls:/proc)"
                expect t-rt2-same-root.service read:/proc/1/root/etc/shadow 'fail:*'
                expect t-rt2-same-root.service exists:/proc/1/root/root/e2e-secret no
        else
                # what remains without PrivatePIDs=: the reach, asserted so that
                # the case cannot pass silently should it change
                reached=$(rt2_reached t-rt2-same.service)
                [[ $reached == *"reached $victim=plain-content"* ]] ||
                        err "t-rt2-same.service: expected the known reach through /proc/$victim/root, got: $(result t-rt2-same.service ls:/proc) $reached"
                known_difference "systemd $SYSTEMD_VERSION has no PrivatePIDs=: in mode full with PrivateUsers=no a static user read the host's /etc/e2e-plain.conf through /proc/$victim/root (an unconfined process of its user); root: /proc/1/root/etc/shadow $(result t-rt2-same-root.service read:/proc/1/root/etc/shadow | cut -c1-60)"
        fi
        # the start cost: ExecMainStart to ExecMainExit (the namespaces'
        # set-up and the probe), median of 7
        rt2_info "rt2-same-user-root: exec time (ExecMainStart to ExecMainExit), median of 7: t-rt2-same.service (the probe) $(rt2_exec_median t-rt2-same.service) us, t-rt2-same-true.service (true) $(rt2_exec_median t-rt2-same-true.service) us"
        # the caveat of confinement.d(5): PID 1 of its namespace ignores SIGTERM
        cexec systemctl start t-rt2-same-sleep.service || err "t-rt2-same-sleep.service did not start"
        wait_result t-rt2-same-sleep.service
        t0=$(date +%s%N)
        cexec systemctl stop t-rt2-same-sleep.service
        t1=$(date +%s%N)
        took=$(((t1 - t0) / 1000000))
        rt2_info "rt2-same-user-root: t-rt2-same-sleep.service (a shell loop, no SIGTERM handler): stop took $took ms (TimeoutStopSec=4)"
        if ((SYSTEMD_VERSION >= 257)); then
                ((took >= 3500)) || err "stop took $took ms: SIGTERM reached PID 1 of the namespace?"
        else
                ((took < 3500)) || err "stop took $took ms without PrivatePIDs="
        fi
        cexec systemctl stop t-rt2-victim.service
        finish
}
