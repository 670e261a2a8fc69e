# shellcheck shell=bash
# How a confined service runs: a template's instances each with a root of
# their own, through start, stop and restart; DynamicUser= with
# ProtectSystem=strict, StateDirectory= and RuntimeDirectory=; full mode's
# no-new-privileges (t-full: closure.sh's).
# shellcheck disable=SC2153,SC2154 # ROOT is run.sh's, ro lib/cases.sh's

cases template-instances dynamic-user-protect-system full-mode
case_setup setup_services

setup_services() {
        local root=$1 etc=$1/etc/confinement.d
        local probe_ci="\"$CLOSURE_DIR/probe\""
        local oneshot="Type=oneshot"

        unit "$root" t-tmpl@.service "Type=simple" id "exists:$SECRET" sleep
        spec "$etc/t-tmpl@.service.json" full-apivfs "$probe_ci"

        unit "$root" t-dynamic.service "$oneshot
DynamicUser=yes
ProtectSystem=strict
StateDirectory=t-dynamic
RuntimeDirectory=t-dynamic" id "write:/var/lib/t-dynamic" "write:/run/t-dynamic" \
                "exists:$SECRET" "exists:/etc/shadow" "write:$PROBE" "run:$BUSYBOX/bin/busybox+echo+ran-ok"
        spec "$etc/t-dynamic.service.json" full-apivfs "$probe_ci"
}

case_template_instances() {
        local one=t-tmpl@one.service two=t-tmpl@two.service out pid1 pid2
        rm -f "$ROOT$RESULTS/$one" "$ROOT$RESULTS/$two"
        out=$(cexec systemctl start "$one" "$two" 2>&1) || err "start: $out"
        wait_result "$one" && expect "$one" "exists:$SECRET" no
        wait_result "$two" && expect "$two" "exists:$SECRET" no
        out=$(cexec systemctl is-active "$one" "$two" 2>&1 | tr '\n' ' ')
        [[ $out == "active active " ]] || err "both instances should run: $out $(why "$one") $(why "$two")"
        cexec systemctl stop "$one" || err "stopping $one failed"
        out=$(cexec systemctl is-active "$one" "$two" 2>&1 | tr '\n' ' ')
        [[ $out == "inactive active " ]] || err "after stopping one: $out $(why "$two")"
        pid1=$(cexec systemctl show -p MainPID --value "$two")
        out=$(cexec systemctl restart "$two" 2>&1) || err "restart $two: $out"
        sleep 0.3
        pid2=$(cexec systemctl show -p MainPID --value "$two")
        out=$(cexec systemctl is-active "$two" 2>&1)
        [[ $out == active && $pid2 != "$pid1" && $pid2 != 0 ]] ||
                err "after restarting two: $out (MainPID $pid1 -> $pid2) $(why "$two")"
        cexec systemctl stop "$one" "$two" || true
        finish
}

case_dynamic_user_protect_system() {
        local u=t-dynamic.service
        if start "$u"; then
                expect "$u" id 'uid=[1-9]*'
                expect "$u" write:/var/lib/t-dynamic ok
                expect "$u" write:/run/t-dynamic ok
                expect "$u" "exists:$SECRET" no
                expect "$u" exists:/etc/shadow no
                expect "$u" "write:$PROBE" 'fail:*'
                expect "$u" 'run:'"$BUSYBOX"'/bin/busybox+echo+ran-ok' 'rc=0:ran-ok'
        fi
        finish
}

case_full_mode() {
        if start t-full.service; then
                expect t-full.service status:NoNewPrivs 1
                expect t-full.service 'run:'"$BUSYBOX"'/bin/busybox+echo+ran-ok' 'rc=0:ran-ok'
                expect t-full.service "write:$PROBE" "$ro"
        fi
        finish
}
