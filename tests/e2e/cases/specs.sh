# shellcheck shell=bash
# What a spec says and where it comes from: bind paths that need escaping
# in a unit file (and quotes, which are refused), extra binds,
# bindMethod "read-only" (t-ro: closure.sh's), a spec with only the keys it
# must have; the spec directories' masks and precedence, and a changed spec
# taking effect at daemon-reload.
# shellcheck disable=SC2153,SC2154 # ROOT is run.sh's, ro lib/cases.sh's

cases escaping escaping-backslash bind-paths bind-method-read-only defaults \
        mask spec-precedence reload quotes-refused
case_setup setup_specs

ESCAPE_SRC='/srv/e2e dir:50%'
ESCAPE_DST='/mnt/e2e tgt:50%'
ESCAPE2_SRC='/srv/e2e \b\\c'
ESCAPE2_DST='/mnt/e2e \b:%%'
DECOY_SRC="/srv/e2e-'decoy'"
DECOY_DST="/mnt/e2e-'decoy'"
DECOY_STRIPPED=/srv/e2e-decoy
DECOY_DST_STRIPPED=/mnt/e2e-decoy

setup_specs() {
        local root=$1 etc=$1/etc/confinement.d usr=$1/usr/lib/confinement.d
        local probe_ci="\"$CLOSURE_DIR/probe\""
        local oneshot="Type=oneshot"

        mkdir -p "$root/var/lib/e2e-rw"
        chmod 1777 "$root/var/lib/e2e-rw"
        mkdir -p "$root$ESCAPE_SRC" "$root$ESCAPE2_SRC"
        echo escape-content > "$root$ESCAPE_SRC/file"
        echo escape2-content > "$root$ESCAPE2_SRC/file"

        unit "$root" t-escape.service "$oneshot" "read:$ESCAPE_DST/file"
        spec "$etc/t-escape.service.json" full-apivfs "$probe_ci" null "" \
                "\"bindReadOnlyPaths\": [{\"source\": $(json_string "$ESCAPE_SRC"), \"target\": $(json_string "$ESCAPE_DST")}]"
        unit "$root" t-escape2.service "$oneshot" "read:$ESCAPE2_DST/file"
        spec "$etc/t-escape2.service.json" full-apivfs "$probe_ci" null "" \
                "\"bindReadOnlyPaths\": [{\"source\": $(json_string "$ESCAPE2_SRC"), \"target\": $(json_string "$ESCAPE2_DST")}]"

        unit "$root" t-binds.service "$oneshot" "read:/etc/e2e-plain.conf" "write:/etc/e2e-plain.conf" \
                "write:/var/lib/e2e-rw" "exists:/e2e-optional" "exists:/etc/shadow"
        cat > "$etc/t-binds.service.json" <<EOF
{
  "mode": "full-apivfs",
  "closureInfo": $probe_ci,
  "binSh": null,
  "bindReadOnlyPaths": ["/etc/e2e-plain.conf", {"source": "/nonexistent-e2e", "target": "/e2e-optional", "optional": true}],
  "bindPaths": ["/var/lib/e2e-results", {"source": "/var/lib/e2e-rw", "target": "/var/lib/e2e-rw"}],
  "storeDir": "/nix/store",
  "bindMethod": "view"
}
EOF

        unit "$root" t-defaults.service "$oneshot" "${BASIC_CHECKS[@]}"
        cat > "$etc/t-defaults.service.json" <<EOF
{ "mode": "full-apivfs", "closureInfo": $probe_ci, "bindPaths": ["/var/lib/e2e-results"] }
EOF

        # masks: a /dev/null symlink and an empty file in /etc hide the
        # specs in /usr/lib; t-unmasked is the control
        unit "$root" t-mask.service "$oneshot" "exists:$SECRET" "exists:/etc/shadow"
        spec "$usr/t-mask.service.json" full-apivfs "$probe_ci"
        ln -s /dev/null "$etc/t-mask.service.json"
        unit "$root" t-mask-empty.service "$oneshot" "exists:$SECRET" "exists:/etc/shadow"
        spec "$usr/t-mask-empty.service.json" full-apivfs "$probe_ci"
        : > "$etc/t-mask-empty.service.json"
        unit "$root" t-unmasked.service "$oneshot" "exists:$SECRET" "exists:/etc/shadow"
        spec "$usr/t-unmasked.service.json" full-apivfs "$probe_ci"

        # precedence: /usr/local/lib over /usr/lib at boot; /run and /etc
        # are added by the case
        unit "$root" t-prec.service "$oneshot" "exists:/proc/self" status:NoNewPrivs
        spec "$usr/t-prec.service.json" chroot-only "$probe_ci"
        spec "$root/usr/local/lib/confinement.d/t-prec.service.json" full-apivfs "$probe_ci"
        spec "$root/usr/lib/e2e/t-prec.run.json" full "$probe_ci"
        spec "$root/usr/lib/e2e/t-prec.etc.json" chroot-only "$probe_ci"

        # reload: v1 now, v2 copied over it by the case
        unit "$root" t-reload.service "$oneshot" "exists:/proc/self" "read:$SYMLINKED/data"
        spec "$etc/t-reload.service.json" full-apivfs "$probe_ci"
        spec "$root/usr/lib/e2e/t-reload.v2.json" chroot-only "[$probe_ci, \"$CLOSURE_DIR/symlinked\"]"

        # a bind path with balanced quotes, next to the path without them
        mkdir -p "$root$DECOY_SRC" "$root$DECOY_STRIPPED"
        echo decoy-real-content > "$root$DECOY_SRC/file"
        echo decoy-WRONG-content > "$root$DECOY_STRIPPED/file"
        unit "$root" t-decoy.service Type=oneshot "read:$DECOY_DST/file" "exists:$DECOY_DST_STRIPPED" \
                "read:$DECOY_DST_STRIPPED/file"
        spec "$etc/t-decoy.service.json" full-apivfs "$probe_ci" null "" \
                "\"bindReadOnlyPaths\": [{\"source\": $(json_string "$DECOY_SRC"), \"target\": $(json_string "$DECOY_DST")}]"
        enable "$root" t-decoy.service
}

# escaping_case UNIT SRC DST CONTENT
escaping_case() {
        local u=$1 src=$2 dst=$3 show bus want
        show=$(cexec systemctl show -p BindReadOnlyPaths "$u" 2>&1)
        [[ $show == *" $src:$dst:"* || $show == *"=$src:$dst:"* ]] ||
                err "$u: systemctl show does not read back '$src:$dst': $show"
        # the D-Bus property is exact; busctl prints strings C-escaped
        bus=$(cexec busctl get-property org.freedesktop.systemd1 \
                "/org/freedesktop/systemd1/unit/$(bus_label "$u")" \
                org.freedesktop.systemd1.Service BindReadOnlyPaths 2>&1)
        want="$(json_string "$src") $(json_string "$dst")"
        [[ $bus == *"$want"* ]] || err "$u: BindReadOnlyPaths property $bus lacks $want"
        if start "$u"; then
                expect "$u" "read:$dst/file" "ok:$4"
        fi
}

# bus_label NAME: the object path label of a unit name (sd_bus_path_encode)
bus_label() {
        local s=$1 out='' c i
        for ((i = 0; i < ${#s}; i++)); do
                c=${s:i:1}
                if [[ $c == [A-Za-z0-9] ]]; then
                        out+=$c
                else
                        out+=$(printf '_%02x' "'$c")
                fi
        done
        echo "$out"
}

case_escaping() {
        escaping_case t-escape.service "$ESCAPE_SRC" "$ESCAPE_DST" escape-content
        finish
}

case_escaping_backslash() {
        escaping_case t-escape2.service "$ESCAPE2_SRC" "$ESCAPE2_DST" escape2-content
        finish
}

# A bind source with quotes, next to the same path without them
# (DECOY_STRIPPED): systemd 255 moved the service setup into sd-executor,
# which gets the settings serialized and unquotes bind paths on the way
# ('"' and "'" are dropped, an unbalanced one fails): PID 1 reads the unit
# back exactly, the service would bind the decoy. So the generator refuses
# quotes on every version: the unit fails closed and says why.
case_quotes_refused() {
        local u=t-decoy.service out status
        rm -f "$ROOT$RESULTS/$u"
        if out=$(cexec systemctl start "$u" 2>&1); then
                err "$u started although its spec has a quote in a path"
        fi
        [[ -f $ROOT$RESULTS/$u ]] && err "$u: the service ran: $(tr '\n' ' ' < "$ROOT$RESULTS/$u")"
        # Enabled, so that it stays loaded and status shows the Assert line
        # (journald in a container does not read the generator's kmsg).
        status=$(cexec systemctl status --no-pager -l "$u" 2>&1 || true)
        [[ $status == *"contains a quote"* ]] ||
                err "$u: systemctl status does not say why: $(echo "$status" | grep -i assert | tr '\n' ' ')"
        finish
}

case_bind_paths() {
        local u=t-binds.service
        if start "$u"; then
                expect "$u" read:/etc/e2e-plain.conf ok:plain-content
                expect "$u" write:/etc/e2e-plain.conf "$ro"
                expect "$u" write:/var/lib/e2e-rw ok
                expect "$u" exists:/e2e-optional no
                expect "$u" exists:/etc/shadow no
        fi
        finish
}

case_bind_method_read_only() {
        local u=t-ro.service
        if start "$u"; then
                expect "$u" "exists:$SECRET" no
                expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
                expect "$u" "write:$PROBE" "$ro"
                expect "$u" 'run:'"$BUSYBOX"'/bin/busybox+echo+ran-ok' 'rc=0:ran-ok'
        fi
        finish
}

case_defaults() {
        local u=t-defaults.service
        if start "$u"; then
                expect "$u" "exists:$SECRET" no
                expect "$u" exists:/etc/shadow no
                expect "$u" ls:/nix/store "$(store_listing "$PROBE" "$BUSYBOX")"
                expect "$u" "write:$PROBE" "$ro"
                expect "$u" exists:/proc/self yes
        fi
        finish
}

case_mask() {
        local u dropins
        for u in t-mask.service t-mask-empty.service; do
                start "$u" || continue
                expect "$u" "exists:$SECRET" yes
                expect "$u" exists:/etc/shadow yes
                dropins=$(cexec systemctl show -p DropInPaths --value "$u" 2>&1)
                [[ $dropins != *"$u.d/"* ]] || err "$u: has drop-ins although masked: $dropins"
        done
        if start t-unmasked.service; then
                expect t-unmasked.service "exists:$SECRET" no
                expect t-unmasked.service exists:/etc/shadow no
        fi
        finish
}

case_spec_precedence() {
        local u=t-prec.service
        # /usr/local/lib (full-apivfs) over /usr/lib (chroot-only)
        if start "$u"; then
                expect "$u" exists:/proc/self yes
                expect "$u" status:NoNewPrivs 0
        fi
        # /run (full) over /usr/local/lib
        mkdir -p "$(cpath /run/confinement.d)"
        cp "$ROOT/usr/lib/e2e/t-prec.run.json" "$(cpath /run/confinement.d/t-prec.service.json)"
        reload
        if start "$u"; then
                expect "$u" status:NoNewPrivs 1
        fi
        # /etc (chroot-only) over /run
        cp "$ROOT/usr/lib/e2e/t-prec.etc.json" "$ROOT/etc/confinement.d/t-prec.service.json"
        reload
        if start "$u"; then
                expect "$u" exists:/proc/self no
        fi
        finish
}

case_reload() {
        local u=t-reload.service
        if start "$u"; then
                expect "$u" exists:/proc/self yes
                expect "$u" "read:$SYMLINKED/data" 'fail:*'
        fi
        cp "$ROOT/usr/lib/e2e/t-reload.v2.json" "$ROOT/etc/confinement.d/t-reload.service.json"
        reload
        if start "$u"; then
                expect "$u" exists:/proc/self no
                expect "$u" "read:$SYMLINKED/data" "ok:$SYMLINKED_CONTENT"
        fi
        finish
}
