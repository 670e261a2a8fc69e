# shellcheck shell=bash
# The unit's own settings under confinement: ProtectSystem=strict without
# DynamicUser=, StateDirectory= of a static user, the unit's own
# SystemCallFilter=, the kernel protections the generator writes out;
# the roots of the closure from the unit's command lines (unitRoots) or
# the spec (packages); a unit installed after its spec.
# shellcheck disable=SC2153 # ROOT is run.sh's

cases protect-system-strict state-directory system-call-filter unit-roots packages \
        not-yet-installed kernel-interfaces
case_setup setup_units

setup_units() {
        local root=$1 etc=$1/etc/confinement.d probe_ci="\"$CLOSURE_DIR/probe\""
        local combined_ci="\"$CLOSURE_DIR/combined\"" bb=$BUSYBOX/bin/busybox
        local oneshot="Type=oneshot"

        # what ProtectKernelTunables=, ProtectControlGroups= and
        # ProtectKernelModules= did, written out by the generator
        local kernel_checks=(status:CapBnd "read:/proc/kallsyms" "mountopts:/proc/kallsyms" "exists:/proc/sys"
                "mountopts:/proc/sys" "mountopts:/proc/irq" "mountopts:/sys" "mountopts:/sys/fs/cgroup"
                "run:$BUSYBOX/bin/busybox+rmmod+e2e-none" "run:$BUSYBOX/bin/busybox+echo+still-ok")
        unit "$root" t-kernel.service "$oneshot" "${kernel_checks[@]}"
        spec "$etc/t-kernel.service.json" full-apivfs "$probe_ci"
        unit "$root" t-kernel-full.service "$oneshot" "${kernel_checks[@]}"
        spec "$etc/t-kernel-full.service.json" full "$probe_ci"

        # ProtectSystem=strict and ProtectHome=read-only (which DynamicUser=yes
        # implies) without DynamicUser=: the same walk as the matrix's dynamic user
        unit "$root" t-pss.service "Type=oneshot
User=$STATIC_USER
Group=$STATIC_USER
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only" id walk:/
        spec "$etc/t-pss.service.json" full-apivfs "$probe_ci" "\"$BUSYBOX/bin/sh\""

        # StateDirectory= of a static user, across restarts
        unit "$root" t-state.service "Type=oneshot
User=$STATIC_USER
Group=$STATIC_USER
StateDirectory=t-state" id read:/var/lib/t-state/canary write:/var/lib/t-state \
                "run:$bb+sh+-c+echo persisted > /var/lib/t-state/canary"
        spec "$etc/t-state.service.json" full-apivfs "$probe_ci"

        # the unit's own system call filters stay: an allow list and a deny
        # list (a denied call kills with SIGSYS), in full-apivfs and next to
        # the generator's ~@mount in full; as NixOS's "shipped unit file"
        # test, in chroot-only with an error number instead
        unit "$root" t-scf.service "Type=oneshot
SystemCallFilter=@system-service
SystemCallFilter=~@swap" status:Seccomp status:Seccomp_filters "run:$bb+swapoff+/e2e-no-swap" "run:$bb+echo+still-ok" \
                "run:$bb+mount+-t+tmpfs+none+/tmp"
        spec "$etc/t-scf.service.json" full-apivfs "$probe_ci"
        unit "$root" t-scf-full.service "Type=oneshot
SystemCallFilter=@system-service
SystemCallFilter=~@swap" status:Seccomp status:Seccomp_filters "run:$bb+swapoff+/e2e-no-swap" "run:$bb+echo+still-ok" \
                "run:$bb+mount+-t+tmpfs+none+/tmp"
        spec "$etc/t-scf-full.service.json" full "$probe_ci"
        unit "$root" t-scf-kill.service "Type=oneshot
SystemCallFilter=~kill
SystemCallErrorNumber=ELOOP" "run:$bb+sh+-c+kill -0 \$\$" "run:$bb+echo+still-ok"
        spec "$etc/t-scf-kill.service.json" chroot-only "$probe_ci"
        # the same units unconfined: the calls that the filters stop work
        # (or fail for another reason) without them
        unit "$root" t-scf-control.service "Type=oneshot
PrivateUsers=yes" status:Seccomp_filters "run:$bb+swapoff+/e2e-no-swap" "run:$bb+sh+-c+kill -0 \$\$"

        # unitRoots: a store path named only in Environment= of the unit
        # (the checks that name it too: PROBE_CHECKS, not ExecStart=)
        unit "$root" t-uroots-exec.service "Type=oneshot
Environment=E2E_EXTRA=$SECRET
Environment=\"PROBE_CHECKS=exists:$SECRET read:$SECRET\"" env:E2E_EXTRA ls:/nix/store
        spec "$etc/t-uroots-exec.service.json" full-apivfs "$combined_ci" null "" '"unitRoots": "exec"'
        unit "$root" t-uroots-full.service "Type=oneshot
Environment=E2E_EXTRA=$SECRET
Environment=\"PROBE_CHECKS=exists:$SECRET read:$SECRET\"" env:E2E_EXTRA ls:/nix/store
        spec "$etc/t-uroots-full.service.json" full-apivfs "$combined_ci" null "" '"unitRoots": "full"'

        # packages: roots in a closureInfo of several fixtures; a path in a
        # store path counts as that store path
        unit "$root" t-pkgs.service Type=oneshot ls:/nix/store "exists:$SECRET" "read:$SYMLINKED/data"
        spec "$etc/t-pkgs.service.json" full-apivfs "$combined_ci" null "" \
                "\"packages\": [\"$PROBE/bin/probe\", \"$SYMLINKED\"]"
        unit "$root" t-pkgs-big.service Type=oneshot ls:/nix/store "exists:$SECRET" "exists:$SYMLINKED"
        spec "$etc/t-pkgs-big.service.json" full-apivfs "$combined_ci" null "" \
                "\"packages\": [\"$PROBE\", \"$COMBINED_BIG\"]"
        # no roots: all of combined
        unit "$root" t-pkgs-none.service Type=oneshot ls:/nix/store
        spec "$etc/t-pkgs-none.service.json" full-apivfs "$combined_ci"

        # specs for units installed after the boot: plain, with roots from
        # the unit, and one started without a daemon-reload after its
        # installation
        spec "$etc/t-later.service.json" full-apivfs "$probe_ci"
        unit "$root/usr/lib/e2e/later" t-later.service Type=oneshot "exists:$SECRET" ls:/nix/store
        spec "$etc/t-later-exec.service.json" full-apivfs "$combined_ci" null "" '"unitRoots": "exec"'
        unit "$root/usr/lib/e2e/later" t-later-exec.service "Type=oneshot
Environment=\"PROBE_CHECKS=exists:$SECRET\"" ls:/nix/store
        spec "$etc/t-later-noreload.service.json" full-apivfs "$probe_ci"
        unit "$root/usr/lib/e2e/later" t-later-noreload.service Type=oneshot "exists:$SECRET" ls:/nix/store
}

# A static user under ProtectSystem=strict sees what a dynamic one does
# (the matrix rows of user "dynamic", matrix.sh): / read-only, nothing
# writable.
case_protect_system_strict() {
        local u=t-pss.service
        if start "$u"; then
                matrix_check "$u" full-apivfs dynamic tmp
        fi
        finish
}

case_state_directory() {
        local u=t-state.service owner
        # first run: no canary yet; it writes one
        if start "$u"; then
                expect "$u" id "uid=$STATIC_UID gid=$STATIC_UID *"
                expect "$u" read:/var/lib/t-state/canary 'fail:*No such file or directory*'
                expect "$u" write:/var/lib/t-state ok
                expect "$u" 'run:'"$BUSYBOX"'/bin/busybox+sh+-c+echo persisted > /var/lib/t-state/canary' 'rc=0:'
        fi
        # restarted: the canary is still there
        if start "$u"; then
                expect "$u" read:/var/lib/t-state/canary ok:persisted
        fi
        owner=$(stat -c %u:%g "$ROOT/var/lib/t-state/canary" 2>&1)
        [[ $owner == "$STATIC_UID:$STATIC_UID" ]] || err "$u: on the host, /var/lib/t-state/canary is owned by $owner"
        finish
}

# 128 + SIGSYS: what the shell reports for a call killed by the filter
SIGSYS_RC=159

# systemd-nspawn filters the whole container already (Seccomp: 2 for every
# service in it): a unit's own filters show as more Seccomp_filters than
# the control's
case_system_call_filter() {
        local u n base=''
        # the control: the same calls without a filter of the unit's own
        # (and unconfined)
        if start t-scf-control.service; then
                expect t-scf-control.service 'run:'"$BUSYBOX"'/bin/busybox+swapoff+/e2e-no-swap' 'rc=1:*'
                expect t-scf-control.service 'run:'"$BUSYBOX"'/bin/busybox+sh+-c+kill -0 $$' 'rc=0:'
                base=$(result t-scf-control.service status:Seccomp_filters)
                [[ $base =~ ^[0-9]+$ ]] || err "t-scf-control.service: Seccomp_filters=$base"
        fi
        for u in t-scf.service t-scf-full.service; do
                start "$u" || continue
                expect "$u" status:Seccomp 2
                n=$(result "$u" status:Seccomp_filters)
                if ! [[ $base =~ ^[0-9]+$ && $n =~ ^[0-9]+$ ]] || ((n <= base)); then
                        err "$u: Seccomp_filters=$n, not more than the control's $base"
                fi
                expect "$u" 'run:'"$BUSYBOX"'/bin/busybox+swapoff+/e2e-no-swap' "rc=$SIGSYS_RC:*"
                expect "$u" 'run:'"$BUSYBOX"'/bin/busybox+echo+still-ok' 'rc=0:still-ok'
                expect "$u" 'run:'"$BUSYBOX"'/bin/busybox+mount+-t+tmpfs+none+/tmp' "rc=$SIGSYS_RC:*"
        done
        # chroot-only (no /proc): the error number instead of SIGSYS
        if start t-scf-kill.service; then
                expect t-scf-kill.service 'run:'"$BUSYBOX"'/bin/busybox+sh+-c+kill -0 $$' 'rc=1:*Too many levels of symbolic links*'
                expect t-scf-kill.service 'run:'"$BUSYBOX"'/bin/busybox+echo+still-ok' 'rc=0:still-ok'
        fi
        finish
}

# The kernel's interfaces, as ProtectKernelTunables=, ProtectControlGroups=
# and ProtectKernelModules= left them (the generator writes their effect
# under an empty root instead of the settings): tunables and all of /sys
# read-only, kernel symbols and memory unreadable, no module system calls,
# no CAP_SYS_MODULE. (nspawn already mounts /proc/sys and /sys read-only;
# tests/bench/start-cost-variants.sh --check --writable-api probes every
# file with them writable.)
case_kernel_interfaces() {
        local u capbnd
        for u in t-kernel.service t-kernel-full.service; do
                start "$u" || continue
                capbnd=$(result "$u" status:CapBnd)
                if ! [[ $capbnd =~ ^[0-9a-f]+$ ]] || (((16#$capbnd >> 16) & 1)); then
                        err "$u: CapBnd=$capbnd keeps CAP_SYS_MODULE"
                fi
                # ProtectKernelModules=yes: module calls fail with EPERM
                expect "$u" 'run:'"$BUSYBOX"'/bin/busybox+rmmod+e2e-none' "rc=1:*not permitted*"
                expect "$u" 'run:'"$BUSYBOX"'/bin/busybox+echo+still-ok' 'rc=0:still-ok'
                expect "$u" mountopts:/sys 'ro,*'
                expect "$u" mountopts:/sys/fs/cgroup 'ro,*'
        done
        # full-apivfs: /proc with its kernel files, read-only or hidden
        # (kallsyms under systemd's empty inaccessible node; root in the
        # user namespace may open it, and reads nothing)
        expect t-kernel.service read:/proc/kallsyms 'ok:'
        expect t-kernel.service mountopts:/proc/kallsyms 'ro,*'
        expect t-kernel.service mountopts:/proc/sys 'ro,*'
        expect t-kernel.service mountopts:/proc/irq 'ro,*'
        # full: ProcSubset=pid, no kernel files at all
        expect t-kernel-full.service exists:/proc/sys no
        expect t-kernel-full.service read:/proc/kallsyms 'fail:*No such file*'
        finish
}

case_unit_roots() {
        local u=t-uroots-exec.service
        # exec: only what ExecStart= names (the probe) and its closure
        if start "$u"; then
                expect "$u" env:E2E_EXTRA "$SECRET"
                expect "$u" "exists:$SECRET" no
                expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
        fi
        # full: Environment= counts too
        u=t-uroots-full.service
        if start "$u"; then
                expect "$u" env:E2E_EXTRA "$SECRET"
                expect "$u" "read:$SECRET" "ok:$SECRET_CONTENT"
                expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX" "$SECRET")"
        fi
        finish
}

case_packages() {
        local u=t-pkgs.service all
        # "$PROBE/bin/probe" counts as $PROBE
        if start "$u"; then
                expect "$u" ls:/nix/store "$(requisites "$PROBE" "$SYMLINKED")"
                expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX" "$SYMLINKED" "$SYMLINKED_TARGET")"
                expect "$u" "exists:$SECRET" no
                expect "$u" "read:$SYMLINKED/data" "ok:$SYMLINKED_CONTENT"
        fi
        u=t-pkgs-big.service
        if start "$u"; then
                expect "$u" ls:/nix/store "$(requisites "$PROBE" "$COMBINED_BIG")"
                expect "$u" "exists:$SECRET" no
                expect "$u" "exists:$SYMLINKED" no
        fi
        # no roots: all of it
        u=t-pkgs-none.service
        mapfile -t all < "$CLOSURES/combined/store-paths"
        if start "$u"; then
                expect "$u" ls:/nix/store "$(store_listing "${all[@]}")"
        fi
        finish
}

case_not_yet_installed() {
        local u state conf
        for u in t-later.service t-later-exec.service; do
                conf=$(cpath "/run/systemd/generator/$u.d/50-confinement.conf")
                [[ -f $conf ]] || err "$u: no drop-in generated for the unit that is not installed yet"
                state=$(cexec systemctl show -p LoadState --value "$u" 2>&1)
                [[ $state == not-found ]] || err "$u: LoadState=$state before it is installed"
        done
        # a plain spec confines already; roots from a unit that is not
        # there cannot be had: that one fails closed until it is
        grep -q '^RootDirectory=' "$(cpath /run/systemd/generator/t-later.service.d/50-confinement.conf)" ||
                err "t-later.service: the drop-in for the unit not yet installed does not confine"
        grep -q '^AssertPathExists=/run/confinement-generator/invalid-spec$' \
                "$(cpath /run/systemd/generator/t-later-exec.service.d/50-confinement.conf)" ||
                err "t-later-exec.service: unitRoots \"exec\" of a unit not yet installed: the drop-in does not fail closed"
        # the generator runs again before the units exist
        reload
        for u in t-later.service t-later-exec.service; do
                cp "$ROOT/usr/lib/e2e/later/etc/systemd/system/$u" "$ROOT/etc/systemd/system/$u"
        done
        reload
        for u in t-later.service t-later-exec.service; do
                if start "$u"; then
                        expect "$u" "exists:$SECRET" no
                        expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
                fi
        done
        # installed and started without a daemon-reload: systemd loads it
        # with the drop-in generated at the last reload
        u=t-later-noreload.service
        cp "$ROOT/usr/lib/e2e/later/etc/systemd/system/$u" "$ROOT/etc/systemd/system/$u"
        if start "$u"; then
                expect "$u" "exists:$SECRET" no
                expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
        fi
        finish
}
