# shellcheck shell=bash
# What a confined service sees of the store and of the host: it runs from
# its closure and sees nothing else of the store, nor /etc/shadow, /root or
# /home; /bin/sh only with binSh; the API file systems (/proc, /sys, /dev)
# in full-apivfs and full, not in chroot-only; a symlinked store path with
# its target; every store path read-only, also to root.
#
# t-basic, t-chroot and t-full run the same checks (BASIC_CHECKS) in the
# three modes; full-mode (services.sh) uses t-full too, bind-method-read-only
# (specs.sh) t-ro.
# shellcheck disable=SC2154 # ro is lib/cases.sh's

cases runs-from-closure hidden binsh apivfs symlinked-store-path store-read-only
case_setup setup_closure

setup_closure() {
        local root=$1 etc=$1/etc/confinement.d
        local probe_ci="\"$CLOSURE_DIR/probe\""
        local oneshot="Type=oneshot"
        basic_checks

        # full-apivfs, chroot-only, full: the same checks
        unit "$root" t-basic.service "$oneshot" "${BASIC_CHECKS[@]}"
        spec "$etc/t-basic.service.json" full-apivfs "$probe_ci"
        unit "$root" t-chroot.service "$oneshot" "${BASIC_CHECKS[@]}"
        spec "$etc/t-chroot.service.json" chroot-only "$probe_ci"
        unit "$root" t-full.service "$oneshot" "${BASIC_CHECKS[@]}" status:NoNewPrivs
        spec "$etc/t-full.service.json" full "$probe_ci"

        unit "$root" t-binsh.service "$oneshot" "run:/bin/sh+-c+echo binsh-ok" "exists:/bin/sh"
        spec "$etc/t-binsh.service.json" full-apivfs "[$probe_ci]" "\"$BUSYBOX/bin/sh\""

        unit "$root" t-symlinked.service "$oneshot" "read:$SYMLINKED/data" \
                "exists:$SYMLINKED_TARGET" "exists:$SECRET"
        spec "$etc/t-symlinked.service.json" full-apivfs "[$probe_ci, \"$CLOSURE_DIR/symlinked\"]"

        unit "$root" t-ro.service "$oneshot" "${BASIC_CHECKS[@]}"
        spec "$etc/t-ro.service.json" full-apivfs "$probe_ci" null read-only
}

case_runs_from_closure() {
        if start t-basic.service; then
                expect t-basic.service 'run:'"$BUSYBOX"'/bin/busybox+echo+ran-ok' 'rc=0:ran-ok'
                expect t-basic.service ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
                expect t-basic.service 'done' 1
        fi
        finish
}

case_hidden() {
        local u
        for u in t-basic.service t-chroot.service t-full.service; do
                start "$u" || continue
                expect "$u" "exists:$SECRET" no
                expect "$u" "read:$SECRET" 'fail:*No such file or directory*'
                expect "$u" exists:/etc/shadow no
                expect "$u" exists:/root/e2e-secret no
                expect "$u" exists:/home/e2e/e2e-secret no
                expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
        done
        finish
}

case_binsh() {
        if start t-binsh.service; then
                expect t-binsh.service 'run:/bin/sh+-c+echo binsh-ok' 'rc=0:binsh-ok'
                expect t-binsh.service exists:/bin/sh yes
        fi
        if start t-basic.service; then
                expect t-basic.service exists:/bin/sh no
        fi
        finish
}

case_apivfs() {
        local p
        if start t-basic.service; then
                for p in /proc/self /sys/kernel /dev/null; do
                        expect t-basic.service "exists:$p" yes
                done
        fi
        if start t-chroot.service; then
                for p in /proc/self /sys/kernel /dev/null; do
                        expect t-chroot.service "exists:$p" no
                done
                expect t-chroot.service 'run:'"$BUSYBOX"'/bin/busybox+echo+ran-ok' 'rc=0:ran-ok'
        fi
        finish
}

case_symlinked_store_path() {
        if start t-symlinked.service; then
                expect t-symlinked.service "read:$SYMLINKED/data" "ok:$SYMLINKED_CONTENT"
                expect t-symlinked.service "exists:$SYMLINKED_TARGET" yes
                expect t-symlinked.service "exists:$SECRET" no
        fi
        finish
}

case_store_read_only() {
        local u
        # t-basic: root in a user namespace; t-chroot: real root with all
        # capabilities; t-ro: bindMethod read-only
        for u in t-basic.service t-chroot.service t-ro.service; do
                start "$u" || continue
                expect "$u" id 'uid=0 *'
                expect "$u" "write:$PROBE" "$ro"
                expect "$u" "write:$BUSYBOX/bin" "$ro"
        done
        finish
}
