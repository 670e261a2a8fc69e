# shellcheck shell=bash
# The red team's findings (issue 11), each as the attack that worked before
# and must fail now: refused with the reason, or denied inside the service.
# And the exposure "systemd-analyze security" gives each mode and user.
# shellcheck disable=SC2153,SC2154 # ROOT, ro and the fixtures' variables: run.sh's and lib/cases.sh's

cases sec-alias sec-full-privilege sec-reset sec-bind-source sec-dev-shm sec-suid \
        sec-read-only-root sec-network-service sec-exposure sec-mode-defaults sec-full-overridable
case_setup setup_security

SEC_WWW=/srv/e2e-www
SEC_PORT=18080
SEC_SHM=/dev/shm/e2e-host-shm

setup_security() {
        local root=$1 etc=$1/etc/confinement.d probe_ci="\"$CLOSURE_DIR/probe\"" sys=$1/etc/systemd/system
        local bb=$BUSYBOX/bin/busybox u

        # 1. A drop-in under another name of the unit: the spec names the
        # alias, the drop-in the real name; and the other way round.
        for u in t-rt9 t-rt9b; do
                unit "$root" "$u-real.service" "Type=oneshot
ProtectSystem=strict
ExecStartPre=$PROBE/bin/probe --name $u-pre exists:/etc/shadow ls:/" id
                # enabled: loaded, so that status shows the refusal
                enable "$root" "$u-real.service"
                printf 'Alias=%s-alias.service\n' "$u" >> "$sys/$u-real.service"
                # what "systemctl enable" makes of Alias=
                ln -s "$u-real.service" "$sys/$u-alias.service"
        done
        mkdir -p "$sys/t-rt9-real.service.d" "$sys/t-rt9b-alias.service.d"
        printf '[Service]\nRootDirectoryStartOnly=yes\n' > "$sys/t-rt9-real.service.d/10-rdso.conf"
        printf '[Service]\nRootDirectoryStartOnly=yes\n' > "$sys/t-rt9b-alias.service.d/10-rdso.conf"
        spec "$etc/t-rt9-alias.service.json" full "$probe_ci"
        spec "$etc/t-rt9b-real.service.json" full "$probe_ci"

        # 2. Full-privilege commands: refused, and accepted where the spec says so.
        unit "$root" t-sec-plus.service "Type=oneshot
ExecStartPre=-+$bb sh -c 'cat /etc/shadow > /dev/null'" id
        enable "$root" t-sec-plus.service
        spec "$etc/t-sec-plus.service.json" full "$probe_ci"
        unit "$root" t-sec-plus-ok.service "Type=oneshot
ExecStartPre=+$bb true" id "exists:/etc/shadow"
        spec "$etc/t-sec-plus-ok.service.json" full "$probe_ci" null view '"allowFullPrivilegeCommands": true'

        # 3. A later drop-in that resets the root.
        unit "$root" t-sec-reset.service Type=oneshot id "exists:/etc/shadow"
        enable "$root" t-sec-reset.service
        mkdir -p "$sys/t-sec-reset.service.d"
        printf '[Service]\nRootDirectory=\nTemporaryFileSystem=\n' > "$sys/t-sec-reset.service.d/99-override.conf"
        spec "$etc/t-sec-reset.service.json" full "$probe_ci"
        # the same settings in a drop-in before ours change nothing
        unit "$root" t-sec-early.service Type=oneshot id "exists:/etc/shadow"
        mkdir -p "$sys/t-sec-early.service.d"
        printf '[Service]\nRootDirectory=\nTemporaryFileSystem=\nBindPaths=\n' > "$sys/t-sec-early.service.d/10-early.conf"
        spec "$etc/t-sec-early.service.json" full "$probe_ci"

        # 4. A bind source a user can swap for a link to /etc.
        mkdir -p "$root/srv/rt-user/data"
        chown -R "$STATIC_UID:$STATIC_UID" "$root/srv/rt-user"
        unit "$root" t-sec-swap.service Type=oneshot id "read:/data/shadow"
        enable "$root" t-sec-swap.service
        cat > "$etc/t-sec-swap.service.json" <<EOF
{"mode": "full-apivfs", "closureInfo": $probe_ci,
 "bindPaths": ["/var/lib/e2e-results", {"source": "/srv/rt-user/data", "target": "/data"}]}
EOF
        # a state directory of the service's user under a root-owned /var/lib
        mkdir -p "$root/var/lib/t-sec-own"
        chown "$STATIC_UID:$STATIC_UID" "$root/var/lib/t-sec-own"
        unit "$root" t-sec-own.service "Type=oneshot
User=$STATIC_USER" id "write:/var/lib/t-sec-own"
        cat > "$etc/t-sec-own.service.json" <<EOF
{"mode": "full-apivfs", "closureInfo": $probe_ci, "bindPaths": ["/var/lib/e2e-results", "/var/lib/t-sec-own"]}
EOF

        # 5. The host's /dev/shm; a setuid file planted in a writable bind.
        for u in full-apivfs full; do
                unit "$root" "t-sec-shm-$u.service" Type=oneshot "exists:$SEC_SHM" "write:/dev/shm" \
                        "mountopts:/dev/shm"
                spec "$etc/t-sec-shm-$u.service.json" "$u" "$probe_ci"
                unit "$root" "t-sec-suid-$u.service" Type=oneshot \
                        "run:$bb+sh+-c+cp $bb $RESULTS/suid-$u && chmod 4755 $RESULTS/suid-$u"
                spec "$etc/t-sec-suid-$u.service.json" "$u" "$probe_ci"
        done

        # 6. Root writes its own root (and the matrix, for every user).
        for u in full-apivfs chroot-only full; do
                unit "$root" "t-sec-rw-$u.service" Type=oneshot "write:/" "write:/bin" "write:/nix" \
                        "write:/nix/store" "write:$RESULTS"
                spec "$etc/t-sec-rw-$u.service.json" "$u" "$probe_ci" "\"$BUSYBOX/bin/sh\""
        done

        # 7. full as the strict profile: a static user's network service.
        mkdir -p "$root$SEC_WWW"
        echo e2e-confined-httpd > "$root$SEC_WWW/index.html"
        cat > "$sys/t-sec-httpd.service" <<EOF
[Unit]
Description=e2e confined httpd
[Service]
User=$STATIC_USER
ExecStart=$bb httpd -f -p 127.0.0.1:$SEC_PORT -h $SEC_WWW
EOF
        spec "$etc/t-sec-httpd.service.json" full "\"$CLOSURE_DIR/busybox\"" null view \
                "\"bindReadOnlyPaths\": [\"$SEC_WWW\"]"

        # The reference: NixOS's module's settings for the same service
        # (nixos/modules/security/systemd-confinement.nix, full-apivfs):
        # the seven mode settings, an empty root and the closure's binds.
        for u in root static dynamic; do
                {
                        echo "[Service]"
                        echo "Type=oneshot"
                        case $u in
                        static) echo "User=$STATIC_USER" ;;
                        dynamic) echo "DynamicUser=yes" ;;
                        esac
                        echo "RuntimeDirectory=confinement/%n"
                        echo "RootDirectory=/run/confinement/%n"
                        echo "TemporaryFileSystem=/"
                        echo "ReadOnlyPaths=+/"
                        echo "MountAPIVFS=yes"
                        echo "PrivateDevices=yes"
                        echo "PrivateTmp=yes"
                        echo "PrivateUsers=yes"
                        echo "ProtectControlGroups=yes"
                        echo "ProtectKernelModules=yes"
                        echo "ProtectKernelTunables=yes"
                        echo "BindReadOnlyPaths=$PROBE $BUSYBOX"
                        echo "ExecStart=$PROBE/bin/probe --name %n id"
                } > "$sys/t-sec-nixos-$u.service"
                # unconfined, for comparison
                unit "$root" "t-sec-unconfined-$u.service" "Type=oneshot
$(case $u in static) echo "User=$STATIC_USER" ;; dynamic) echo "DynamicUser=yes" ;; esac)" id
        done

        # full's settings, each overridable by a later drop-in of the unit's
        unit "$root" t-sec-override.service Type=oneshot id
        mkdir -p "$sys/t-sec-override.service.d"
        printf '[Service]\nProtectHostname=no\nRestrictAddressFamilies=\nSystemCallFilter=\n' \
                > "$sys/t-sec-override.service.d/60-own.conf"
        spec "$etc/t-sec-override.service.json" full "$probe_ci"

        # 10. (issue 10, 5) The unit's own values of the mode's settings stand.
        unit "$root" t-sec-own-modes.service "Type=oneshot
PrivateDevices=no
PrivateUsers=no" "exists:/dev/console" status:CapBnd
        spec "$etc/t-sec-own-modes.service.json" full-apivfs "$probe_ci"
}

# refused UNIT PATTERN...: started under an alias, the unit does not
# start, and the assertion systemd shows names the spec and each PATTERN
refused() {
        local u=$1 out assert p
        shift
        if out=$(cexec systemctl start "$u" 2>&1); then
                err "$u started although its spec cannot be honoured"
        fi
        assert=$( (cexec systemctl status --no-pager -l "$u" 2>&1 || true) |
                sed -n '/Assert:/,/^ *[A-Z][a-z]*:/p' | sed 's/^ *//' | tr '\n' ' ')
        for p in "/etc/confinement.d/$u.json" "$@"; do
                # shellcheck disable=SC2053 # a glob on purpose
                [[ $assert == *$p* ]] || err "$u: systemctl status does not show '$p' on its Assert line: \"$assert\""
        done
}

case_sec_alias() {
        # before: no refusal, and ExecStartPre= read /etc/shadow and the host's /
        rm -f "$ROOT$RESULTS/t-rt9-pre" "$ROOT$RESULTS/t-rt9b-pre"
        refused t-rt9-alias.service 'RootDirectoryStartOnly=yes' ' /etc/systemd/system/t-rt9-real.service.d/10-rdso.conf'
        [[ -f $ROOT$RESULTS/t-rt9-pre ]] && err "t-rt9-alias.service: ExecStartPre= ran"
        broken t-rt9b-real.service 'RootDirectoryStartOnly=yes' ' /etc/systemd/system/t-rt9b-alias.service.d/10-rdso.conf'
        [[ -f $ROOT$RESULTS/t-rt9b-pre ]] && err "t-rt9b-real.service: ExecStartPre= ran"
        finish
}

case_sec_full_privilege() {
        broken t-sec-plus.service 'runs a command with full privileges' \
                '/etc/systemd/system/t-sec-plus.service:5: ExecStartPre=-+'
        # accepted by the spec that says so: the service itself stays confined
        if start t-sec-plus-ok.service; then
                expect t-sec-plus-ok.service exists:/etc/shadow no
        fi
        finish
}

case_sec_reset() {
        broken t-sec-reset.service 'resets the confinement' \
                '/etc/systemd/system/t-sec-reset.service.d/99-override.conf:2: RootDirectory='
        # a drop-in sorting before the generator's resets nothing of it
        if start t-sec-early.service; then
                expect t-sec-early.service exists:/etc/shadow no
        fi
        finish
}

case_sec_bind_source() {
        broken t-sec-swap.service 'key "bindPaths"' 'refusing to bind /srv/rt-user/data' \
                '/srv/rt-user is owned by uid 970'
        # the attack after the refusal: the swapped source is never bound
        cexec "$BUSYBOX/bin/busybox" sh -c 'rm -r /srv/rt-user/data && ln -s /etc /srv/rt-user/data' ||
                err "could not swap the bind source"
        reload
        broken t-sec-swap.service 'key "bindPaths"' 'refusing to bind /srv/rt-user/data'
        # the service user's own directory under a root-owned /var/lib works
        if start t-sec-own.service; then
                expect t-sec-own.service id "uid=$STATIC_UID *"
                expect t-sec-own.service write:/var/lib/t-sec-own ok
        fi
        finish
}

case_sec_dev_shm() {
        local u
        cexec "$BUSYBOX/bin/busybox" sh -c "echo host > $SEC_SHM" || err "cannot write $SEC_SHM on the host"
        for u in t-sec-shm-full-apivfs.service t-sec-shm-full.service; do
                start "$u" || continue
                expect "$u" "exists:$SEC_SHM" no
                expect "$u" write:/dev/shm ok
        done
        cexec rm -f "$SEC_SHM"
        finish
}

case_sec_suid() {
        local u
        for u in full-apivfs full; do
                rm -f "$ROOT$RESULTS/suid-$u"
                start "t-sec-suid-$u.service" || continue
                expect "t-sec-suid-$u.service" "run:$BUSYBOX/bin/busybox+sh+-c+cp $BUSYBOX/bin/busybox $RESULTS/suid-$u && chmod 4755 $RESULTS/suid-$u" \
                        'rc=1:*Operation not permitted*'
                if [[ -u $ROOT$RESULTS/suid-$u ]]; then
                        err "t-sec-suid-$u.service: planted a setuid file"
                fi
                rm -f "$ROOT$RESULTS/suid-$u"
        done
        finish
}

case_sec_read_only_root() {
        local u m
        for m in full-apivfs chroot-only full; do
                u=t-sec-rw-$m.service
                start "$u" || continue
                expect "$u" write:/ "$ro"
                expect "$u" write:/bin "$ro"
                expect "$u" write:/nix "$ro"
                expect "$u" write:/nix/store "$ro"
                # what the spec binds writable stays writable
                expect "$u" "write:$RESULTS" ok
        done
        finish
}

# exposure UNIT: the overall exposure "systemd-analyze security" gives it
exposure() {
        cexec systemd-analyze security --no-pager "$1" 2>/dev/null |
                sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}

# the exposure table goes to the log directory (printed by run.sh)
sec_info() {
        echo "$*" >> "${KNOWN_FILE%.known}.info"
}

case_sec_network_service() {
        local out score i
        out=$(cexec systemctl start t-sec-httpd.service 2>&1) || err "t-sec-httpd.service did not start: $out"
        for ((i = 0; i < 50; i++)); do
                out=$(cexec "$BUSYBOX/bin/busybox" wget -q -O - "http://127.0.0.1:$SEC_PORT/index.html" 2>&1) && break
                sleep 0.1
        done
        [[ $out == e2e-confined-httpd ]] || err "t-sec-httpd.service does not answer: $out $(why t-sec-httpd.service)"
        score=$(exposure t-sec-httpd.service)
        sec_info "full, static-user network service (busybox httpd): exposure $score"
        if ! [[ $score =~ ^[0-9.]+$ ]] || awk -v s="$score" 'BEGIN { exit !(s > 3.0) }'; then
                err "t-sec-httpd.service: exposure $score, expected at most 3.0"
        fi
        cexec systemctl stop t-sec-httpd.service || true
        finish
}

case_sec_exposure() {
        local u m s ref line
        for u in root static dynamic; do
                line="$u: unconfined $(exposure "t-sec-unconfined-$u.service"), NixOS's settings $(exposure "t-sec-nixos-$u.service")"
                for m in full-apivfs chroot-only full; do
                        line+=", $m $(exposure "t-m-$m-$u-tmp.service")"
                done
                sec_info "exposure ($u): $line"
                ref=$(exposure "t-sec-nixos-$u.service")
                s=$(exposure "t-m-full-apivfs-$u-tmp.service")
                if ! [[ $s =~ ^[0-9.]+$ && $ref =~ ^[0-9.]+$ ]] || awk -v s="$s" -v r="$ref" 'BEGIN { exit !(s > r) }'; then
                        err "full-apivfs for $u: exposure $s, worse than NixOS's settings ($ref)"
                fi
        done
        finish
}

case_sec_mode_defaults() {
        local u=t-sec-own-modes.service conf
        conf=$(cpath "/run/systemd/generator/$u.d/50-confinement.conf")
        grep -qx '# PrivateDevices=no as the unit sets it.' "$conf" || err "$u: the drop-in does not say PrivateDevices= is the unit's"
        grep -q '^PrivateDevices=' "$conf" && err "$u: the drop-in sets PrivateDevices="
        grep -q '^PrivateUsers=' "$conf" && err "$u: the drop-in sets PrivateUsers="
        if start "$u"; then
                # the host's /dev, and root's capabilities outside a user namespace
                expect "$u" exists:/dev/console yes
        fi
        # the structure stays: still its own root
        expect "$u" exists:/etc/shadow '<missing>'
        finish
}

case_sec_full_overridable() {
        local u=t-sec-override.service v
        v=$(cexec systemctl show -p ProtectHostname --value "$u")
        [[ $v == no ]] || err "$u: ProtectHostname=$v, the later drop-in says no"
        # an empty list, shown as "~" (nothing denied)
        v=$(cexec systemctl show -p RestrictAddressFamilies --value "$u")
        [[ -z $v || $v == "~" ]] || err "$u: RestrictAddressFamilies=$v, the later drop-in resets it"
        v=$(cexec systemctl show -p SystemCallFilter --value "$u")
        [[ -z $v || $v == "~" ]] || err "$u: SystemCallFilter=$v, the later drop-in resets it"
        # the rest of full stays
        v=$(cexec systemctl show -p ProtectClock --value "$u")
        [[ $v == yes ]] || err "$u: ProtectClock=$v"
        if start "$u"; then
                expect "$u" id 'uid=0 *'
        fi
        finish
}
