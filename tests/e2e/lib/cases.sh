# shellcheck shell=bash
# The e2e test cases: setup_cases ROOT installs their units, specs and files
# into the rootfs instance before the boot; case_<name> (with '-' as '_')
# checks one case in the booted container, printing what went wrong and
# returning non-zero on failure.  Sourced by run.sh, which provides cexec,
# cpath and the fixture variables of paths.env (PROBE, BUSYBOX, SECRET,
# SYMLINKED, ...).
#
# Every test service runs the probe (tests/fixtures/nix/probe.sh) from the
# Nix store; it writes its results to /var/lib/e2e-results/<unit>, which
# every spec binds writable (bindPaths).

# shellcheck disable=SC2034 # used by run.sh
ALL_CASES=(
        runs-from-closure hidden binsh apivfs symlinked-store-path
        store-read-only broken-spec template-instances
        dynamic-user-protect-system full-mode escaping
        escaping-quote-backslash bind-paths bind-method-read-only defaults
        mask spec-precedence reload
)

CLOSURE_DIR=/usr/lib/e2e/closures

# --- setup -------------------------------------------------------------------

# sd_quote WORD: WORD as one double-quoted word of a systemd command line
sd_quote() {
        local s=$1
        s=${s//\\/\\\\}
        s=${s//\"/\\\"}
        s=${s//%/%%}
        printf '"%s"' "$s"
}

# unit ROOT NAME SERVICE-LINES CHECK...: a probe service in /etc/systemd/system
unit() {
        local root=$1 name=$2 lines=$3 c exec
        shift 3
        exec="$PROBE/bin/probe --name %n"
        for c in "$@"; do
                exec+=" $(sd_quote "$c")"
        done
        mkdir -p "$root/etc/systemd/system"
        {
                echo "[Unit]"
                echo "Description=e2e test unit $name"
                echo "[Service]"
                [[ -n $lines ]] && printf '%s\n' "$lines"
                echo "ExecStart=$exec"
        } > "$root/etc/systemd/system/$name"
}

# enable ROOT NAME: wanted by multi-user.target (keeps the unit loaded)
enable() {
        mkdir -p "$1/etc/systemd/system/multi-user.target.wants"
        printf '[Install]\nWantedBy=multi-user.target\n' >> "$1/etc/systemd/system/$2"
        ln -sf "../$2" "$1/etc/systemd/system/multi-user.target.wants/$2"
}

# json_string S: S as a JSON string
json_string() {
        local s=$1
        s=${s//\\/\\\\}
        s=${s//\"/\\\"}
        printf '"%s"' "$s"
}

# spec FILE MODE CLOSUREINFO-JSON [BINSH-JSON [BINDMETHOD [EXTRA-JSON-MEMBERS]]]
spec() {
        local file=$1 mode=$2 closure=$3 binsh=${4:-null} method=${5:-view} extra=${6:-}
        mkdir -p "$(dirname "$file")"
        cat > "$file" <<EOF
{
  "mode": "$mode",
  "closureInfo": $closure,
  "binSh": $binsh,
  "bindPaths": ["/var/lib/e2e-results"],
  "storeDir": "/nix/store",
  "bindMethod": "$method"${extra:+,
  $extra}
}
EOF
}

ESCAPE_SRC='/srv/e2e dir:50%'
ESCAPE_DST='/mnt/e2e tgt:50%'
ESCAPE2_SRC='/srv/e2e "q" \b'
ESCAPE2_DST='/mnt/e2e "q" \b:%%'

basic_checks() {
        BASIC_CHECKS=(
                id "ls:/nix/store" "exists:$SECRET" "read:$SECRET" "exists:/etc/shadow"
                "exists:/root/e2e-secret" "exists:/home/e2e/e2e-secret" "exists:/bin/sh"
                "exists:/proc/self" "exists:/sys/kernel" "exists:/dev/null"
                "write:$PROBE" "write:$BUSYBOX/bin" "run:$BUSYBOX/bin/busybox+echo+ran-ok"
        )
}

setup_cases() {
        local root=$1 etc=$1/etc/confinement.d usr=$1/usr/lib/confinement.d
        local probe_ci="\"$CLOSURE_DIR/probe\""
        local oneshot="Type=oneshot"
        basic_checks

        mkdir -p "$root/var/lib/e2e-results" "$root/var/lib/e2e-rw" "$root/home/e2e" \
                "$root$CLOSURE_DIR" "$root/usr/lib/e2e"
        chmod 1777 "$root/var/lib/e2e-results" "$root/var/lib/e2e-rw"
        echo root-secret > "$root/root/e2e-secret"
        echo home-secret > "$root/home/e2e/e2e-secret"
        echo plain-content > "$root/etc/e2e-plain.conf"
        mkdir -p "$root$ESCAPE_SRC" "$root$ESCAPE2_SRC"
        echo escape-content > "$root$ESCAPE_SRC/file"
        echo escape2-content > "$root$ESCAPE2_SRC/file"
        for f in probe symlinked busybox; do
                cp -a "$CLOSURES/$f" "$root$CLOSURE_DIR/$f"
        done

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

        # broken specs: enabled so that the unit stays loaded and status
        # can show the failed assertion
        unit "$root" t-broken.service "$oneshot" id
        enable "$root" t-broken.service
        spec "$etc/t-broken.service.json" bogus-mode "$probe_ci"
        unit "$root" t-broken-json.service "$oneshot" id
        enable "$root" t-broken-json.service
        printf '{ "mode": "full-apivfs", "closureInfo": \n' > "$etc/t-broken-json.service.json"

        unit "$root" t-tmpl@.service "Type=simple" id "exists:$SECRET" sleep
        spec "$etc/t-tmpl@.service.json" full-apivfs "$probe_ci"

        unit "$root" t-dynamic.service "$oneshot
DynamicUser=yes
ProtectSystem=strict
StateDirectory=t-dynamic
RuntimeDirectory=t-dynamic" id "write:/var/lib/t-dynamic" "write:/run/t-dynamic" \
                "exists:$SECRET" "exists:/etc/shadow" "write:$PROBE" "run:$BUSYBOX/bin/busybox+echo+ran-ok"
        spec "$etc/t-dynamic.service.json" full-apivfs "$probe_ci"

        unit "$root" t-escape.service "$oneshot" "read:$ESCAPE_DST/file"
        spec "$etc/t-escape.service.json" full-apivfs "$probe_ci" null view \
                "\"bindReadOnlyPaths\": [{\"source\": $(json_string "$ESCAPE_SRC"), \"target\": $(json_string "$ESCAPE_DST")}]"
        unit "$root" t-escape2.service "$oneshot" "read:$ESCAPE2_DST/file"
        spec "$etc/t-escape2.service.json" full-apivfs "$probe_ci" null view \
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
}

# --- helpers for the cases -----------------------------------------------------

RESULTS=/var/lib/e2e-results
errors=0

err() {
        echo "$*"
        errors=$((errors + 1))
}

finish() {
        ((errors == 0))
}

# result UNIT KEY: the probe's value for KEY, or <missing>
result() {
        # shellcheck disable=SC2153 # ROOT is run.sh's
        local f=$ROOT$RESULTS/$1
        if [[ ! -f $f ]]; then
                echo "<no result file>"
                return
        fi
        # the key through ENVIRON: awk -v would interpret its backslashes
        K="$2=" awk 'BEGIN { k = ENVIRON["K"] }
                index($0, k) == 1 { print substr($0, length(k) + 1); found = 1; exit }
                END { if (!found) print "<missing>" }' "$f"
}

# expect UNIT KEY PATTERN: the value matches the glob PATTERN
expect() {
        local v
        v=$(result "$1" "$2")
        # shellcheck disable=SC2053 # a glob on purpose
        [[ $v == $3 ]] || err "$1: $2=$v (expected $3)"
}

# why UNIT: a short account of the unit's last run
why() {
        local show
        show=$(cexec systemctl show -p Result -p ExecMainStatus -p ActiveState "$1" 2>&1 | tr '\n' ' ')
        echo "[$show] journal: $(cexec journalctl -b -u "$1" -n 4 --no-pager -o cat 2>&1 | tr '\n' '|')"
}

# start UNIT: start it (waiting for a oneshot to finish); fresh results
start() {
        local out
        rm -f "$ROOT$RESULTS/$1"
        if ! out=$(cexec systemctl start "$1" 2>&1); then
                err "$1 did not start: $out $(why "$1")"
                return 1
        fi
        if [[ ! -f $ROOT$RESULTS/$1 ]]; then
                err "$1 ran but wrote no results $(why "$1")"
                return 1
        fi
}

reload() {
        local out
        out=$(cexec systemctl daemon-reload 2>&1) || err "daemon-reload failed: $out"
}

# wait_result UNIT: for long-running units, until the results are written
wait_result() {
        local i
        for ((i = 0; i < 100; i++)); do
                [[ -f $ROOT$RESULTS/$1 ]] && return 0
                sleep 0.1
        done
        err "$1: no results after 10 s $(why "$1")"
        return 1
}

store_listing() {
        local p
        printf 'ok:'
        for p in "$@"; do basename "$p"; done | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

ro='fail:*Read-only file system*'

# --- the cases ------------------------------------------------------------------

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

case_broken_spec() {
        local u out status
        for u in t-broken.service t-broken-json.service; do
                rm -f "$ROOT$RESULTS/$u"
                if out=$(cexec systemctl start "$u" 2>&1); then
                        err "$u started although its spec is broken"
                fi
                [[ -f $ROOT$RESULTS/$u ]] && err "$u: the service ran"
                status=$(cexec systemctl status --no-pager -l "$u" 2>&1 || true)
                if [[ $status != *"$u.json"* ]]; then
                        err "$u: systemctl status does not name the spec $u.json; start said \"$out\"; status says \"$(echo "$status" |
                                sed -n '/Assert:/,/^$/p' | sed 's/^ *//' | tr '\n' ' ' | sed 's/ *$//')\""
                fi
        done
        finish
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

case_escaping_quote_backslash() {
        escaping_case t-escape2.service "$ESCAPE2_SRC" "$ESCAPE2_DST" escape2-content
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
