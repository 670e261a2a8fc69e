# shellcheck shell=bash
# systemd-analyze verify over what the generator writes: every unit with a
# drop-in of ours (confined or fail-closed; one instance of each template),
# every closure layer unit and every store view mount unit, in one run
# with --generators=yes, so that systemd-analyze runs the generator itself
# and loads its output as PID 1 does.
#
#   verify   not one line of warning, but for the generator's own messages
#            about the specs that are broken on purpose (they name the spec
#            file) and "not found" for the units installed later
#            (not-yet-installed); the whole output is in the case's log

cases verify

# verify_units: the units to verify, one a line
verify_units() {
        local d u
        for d in "$(cpath /run/systemd/generator)"/*.d; do
                [[ -f $d/50-confinement.conf ]] || continue
                u=${d##*/}
                u=${u%.d}
                [[ $u == *@.service ]] && u=${u%@.service}@verify.service
                printf '%s\n' "$u"
        done
        # the store view's (a machine's fstab has its own, -.mount) and the
        # generations' template
        for u in "$(cpath /run/systemd/generator)"/'run-confinement\x2d'*.mount \
                "$(cpath /run/systemd/generator)"/confinement-layer@.service; do
                [[ -f $u ]] || continue
                u=${u##*/}
                [[ $u == *@.service ]] && u=${u%@.service}@verify.service
                printf '%s\n' "$u"
        done
}

case_verify() {
        local out units=() bad
        mapfile -t units < <(verify_units)
        # the layer units of the default bindMethod "overlay", and the view
        # mount unit of the specs that choose "view" (t-binds)
        printf '%s\n' "${units[@]}" | grep -q '^confinement-layer@verify\.service$' ||
                err "no closure layer unit among: ${units[*]}"
        [[ " ${units[*]} " == *" run-confinement\\x2dview-nix-store.mount "* ]] ||
                err "no store view mount unit among: ${units[*]}"
        [[ " ${units[*]} " == *" t-basic.service "* ]] || err "t-basic.service has no drop-in"
        out=$(CEXEC_TIMEOUT=120 cexec systemd-analyze verify --man=no --generators=yes "${units[@]}" 2>&1) || true
        printf 'verified %d units:\n%s\n--- output\n%s\n' "${#units[@]}" "${units[*]}" "$out"
        bad=$(grep -Ev '^/(etc|run|usr/local/lib|usr/lib)/confinement\.d/[^:]+\.json: |^Unit t-later(-exec|-noreload)?\.service not found\.$' <<< "$out" || true)
        # systemd-analyze's own sandbox for the generators (262) in nspawn
        # (not in the VM lane: a machine must not warn), and the notice of
        # a generator built against older headers
        if [[ $E2E_MACHINE == container ]] &&
                grep -qx 'Read-only bind remount failed, ignoring: Operation not supported' <<< "$bad"; then
                known_container_difference "systemd-analyze cannot remount its generator sandbox read-only in nspawn"
                bad=$(grep -vx 'Read-only bind remount failed, ignoring: Operation not supported' <<< "$bad" || true)
        fi
        if grep -q '^libsystemd answers the system unit search path to another SD_PATH_\* value' <<< "$bad"; then
                known_difference "the generator, built against older headers, says a rebuild is due"
        fi
        bad=$(grep -Ev '^libsystemd answers the system unit search path to another SD_PATH_\* value' <<< "$bad" || true)
        [[ -z $bad ]] || err "systemd-analyze verify warns: $bad"
        finish
}
