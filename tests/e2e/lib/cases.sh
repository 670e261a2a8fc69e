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
        escaping-backslash bind-paths bind-method-read-only defaults
        mask spec-precedence reload quotes-refused protect-system-strict state-directory
        system-call-filter unit-roots packages not-yet-installed kernel-interfaces
)
# and the permission walk of NixOS's confinement test, one case per mode
# and user (each: PrivateTmp=yes and =no): matrix-MODE-USER
MATRIX_MODES=(full-apivfs chroot-only full)
MATRIX_USERS=(root static dynamic)
MATRIX_TMPS=(tmp notmp)
for _m in "${MATRIX_MODES[@]}"; do
        for _u in "${MATRIX_USERS[@]}"; do
                ALL_CASES+=("matrix-$_m-$_u")
                eval "case_matrix_${_m//-/_}_$_u() { matrix_case $_m $_u; }"
        done
done
unset _m _u

# Case groups of their own, setup next to check: each file in
# tests/e2e/cases/ registers its cases with `cases NAME...` and its setup
# with `case_setup FUNCTION` (called with ROOT after setup_cases' own).
CASE_SETUPS=()
cases() {
        ALL_CASES+=("$@")
}
case_setup() {
        CASE_SETUPS+=("$1")
}

CLOSURE_DIR=/usr/lib/e2e/closures

# --- setup -------------------------------------------------------------------

# sd_quote WORD: WORD as one double-quoted word of a systemd command line
sd_quote() {
        local s=$1
        s=${s//\\/\\\\}
        s=${s//\"/\\\"}
        s=${s//%/%%}
        s=${s//\$/\$\$}
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
# BINDMETHOD empty: $E2E_BIND_METHOD if set, else no "bindMethod" key (the
# generator's default, "overlay"); E2E_BIND_METHOD=view runs the suite on
# the view.
spec() {
        local file=$1 mode=$2 closure=$3 binsh=${4:-null} method=${5:-${E2E_BIND_METHOD:-}} extra=${6:-}
        [[ -z $method ]] || extra="\"bindMethod\": \"$method\"${extra:+, $extra}"
        mkdir -p "$(dirname "$file")"
        cat > "$file" <<EOF
{
  "mode": "$mode",
  "closureInfo": $closure,
  "binSh": $binsh,
  "bindPaths": ["/var/lib/e2e-results"],
  "storeDir": "/nix/store"${extra:+,
  $extra}
}
EOF
}

ESCAPE_SRC='/srv/e2e dir:50%'
ESCAPE_DST='/mnt/e2e tgt:50%'
ESCAPE2_SRC='/srv/e2e \b\\c'
ESCAPE2_DST='/mnt/e2e \b:%%'
DECOY_SRC="/srv/e2e-'decoy'"
DECOY_DST="/mnt/e2e-'decoy'"
DECOY_STRIPPED=/srv/e2e-decoy
DECOY_DST_STRIPPED=/mnt/e2e-decoy

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

        # what ProtectKernelTunables=, ProtectControlGroups= and
        # ProtectKernelModules= did, written out by the generator
        local kernel_checks=(status:CapBnd "read:/proc/kallsyms" "mountopts:/proc/kallsyms" "exists:/proc/sys"
                "mountopts:/proc/sys" "mountopts:/proc/irq" "mountopts:/sys" "mountopts:/sys/fs/cgroup"
                "run:$BUSYBOX/bin/busybox+rmmod+e2e-none" "run:$BUSYBOX/bin/busybox+echo+still-ok")
        unit "$root" t-kernel.service "$oneshot" "${kernel_checks[@]}"
        spec "$etc/t-kernel.service.json" full-apivfs "$probe_ci"
        unit "$root" t-kernel-full.service "$oneshot" "${kernel_checks[@]}"
        spec "$etc/t-kernel-full.service.json" full "$probe_ci"

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

        setup_static_user "$root"
        setup_broken "$root"
        setup_matrix "$root"
        setup_features "$root"
        local hook
        for hook in "${CASE_SETUPS[@]}"; do
                "$hook" "$root" || { echo "setup: $hook failed" >&2; return 1; }
        done
}

STATIC_USER=e2e-static
STATIC_UID=970

# setup_static_user ROOT: a system user and group of its own, as NixOS's
# test has chroot-testuser
setup_static_user() {
        echo "$STATIC_USER:x:$STATIC_UID:$STATIC_UID:e2e static user:/nonexistent:/usr/sbin/nologin" >> "$1/etc/passwd"
        echo "$STATIC_USER:x:$STATIC_UID:" >> "$1/etc/group"
        echo "$STATIC_USER:!:19000::::::" >> "$1/etc/shadow"
}

# Specs and units that must fail closed; all enabled, so that they stay
# loaded and status shows the failed assertion.
setup_broken() {
        local root=$1 etc=$1/etc/confinement.d probe_ci="\"$CLOSURE_DIR/probe\"" u
        # a closureInfo directory that does not exist
        unit "$root" t-broken-ci.service Type=oneshot id
        spec "$etc/t-broken-ci.service.json" full-apivfs '"/nonexistent/e2e-closure"'
        # a package outside the store-paths of closureInfo
        unit "$root" t-broken-pkg.service Type=oneshot id
        spec "$etc/t-broken-pkg.service.json" full-apivfs "$probe_ci" null "" "\"packages\": [\"$SECRET\"]"
        # RootDirectoryStartOnly=yes in the unit file itself
        unit "$root" t-rdso.service "Type=oneshot
RootDirectoryStartOnly=yes" id
        spec "$etc/t-rdso.service.json" full-apivfs "$probe_ci"
        # its own RootDirectory= in a drop-in of the unit
        unit "$root" t-rootdir.service Type=oneshot id
        mkdir -p "$root/etc/systemd/system/t-rootdir.service.d"
        printf '[Service]\nRootDirectory=/srv/e2e-own-root\n' > "$root/etc/systemd/system/t-rootdir.service.d/10-own-root.conf"
        mkdir -p "$root/srv/e2e-own-root"
        spec "$etc/t-rootdir.service.json" full-apivfs "$probe_ci"
        for u in t-broken-ci t-broken-pkg t-rdso t-rootdir; do
                enable "$root" "$u.service"
        done
}

# The permission walk of NixOS's systemd-confinement test, as a matrix:
# mode x user x PrivateTmp (set in the unit file).  Every unit has /bin/sh
# (binSh), the probe's closure and the results directory.

# matrix_unit MODE USER TMP
matrix_unit() {
        echo "t-m-$1-$2-$3.service"
}

setup_matrix() {
        local root=$1 mode user tmp lines
        for mode in "${MATRIX_MODES[@]}"; do
                for user in "${MATRIX_USERS[@]}"; do
                        for tmp in "${MATRIX_TMPS[@]}"; do
                                lines=Type=oneshot
                                case $user in
                                static) lines+=$'\n'"User=$STATIC_USER"$'\n'"Group=$STATIC_USER" ;;
                                dynamic) lines+=$'\nDynamicUser=yes' ;;
                                esac
                                if [[ $tmp == tmp ]]; then
                                        lines+=$'\nPrivateTmp=yes'
                                else
                                        lines+=$'\nPrivateTmp=no'
                                fi
                                unit "$root" "$(matrix_unit "$mode" "$user" "$tmp")" "$lines" id walk:/
                                spec "$root/etc/confinement.d/$(matrix_unit "$mode" "$user" "$tmp").json" "$mode" \
                                        "\"$CLOSURE_DIR/probe\"" "\"$BUSYBOX/bin/sh\""
                        done
                done
        done
}

setup_features() {
        local root=$1 etc=$1/etc/confinement.d probe_ci="\"$CLOSURE_DIR/probe\""
        local combined_ci="\"$CLOSURE_DIR/combined\"" bb=$BUSYBOX/bin/busybox
        cp -a "$CLOSURES/combined" "$root$CLOSURE_DIR/combined"

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

        # a bind path with balanced quotes, next to the path without them
        mkdir -p "$root$DECOY_SRC" "$root$DECOY_STRIPPED"
        echo decoy-real-content > "$root$DECOY_SRC/file"
        echo decoy-WRONG-content > "$root$DECOY_STRIPPED/file"
        unit "$root" t-decoy.service Type=oneshot "read:$DECOY_DST/file" "exists:$DECOY_DST_STRIPPED" \
                "read:$DECOY_DST_STRIPPED/file"
        spec "$etc/t-decoy.service.json" full-apivfs "$probe_ci" null "" \
                "\"bindReadOnlyPaths\": [{\"source\": $(json_string "$DECOY_SRC"), \"target\": $(json_string "$DECOY_DST")}]"
        enable "$root" t-decoy.service

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

# known_difference TEXT...: this case checks what this systemd version does
# where versions differ; run.sh shows TEXT with the result (KNOWN_FILE is
# run.sh's, per case)
known_difference() {
        echo "$*" >> "${KNOWN_FILE:-/dev/null}"
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

# broken UNIT PATTERN...: UNIT fails closed: it does not start, its
# service never runs, its Description says why, and systemctl status shows
# the failed assertion with the spec file and every PATTERN (globs)
broken() {
        local u=$1 out status assert desc p conf unit_lines
        shift
        rm -f "$ROOT$RESULTS/$u"
        if out=$(cexec systemctl start "$u" 2>&1); then
                err "$u started although its spec cannot be honoured"
        fi
        [[ -f $ROOT$RESULTS/$u ]] && err "$u: the service ran"
        status=$(cexec systemctl status --no-pager -l "$u" 2>&1 || true)
        # the assertion systemd shows: "Assert: start assertion failed at
        # ...; AssertPathExists=... was not met"
        assert=$(echo "$status" | sed -n '/Assert:/,/^ *[A-Z][a-z]*:/p' | sed 's/^ *//' | tr '\n' ' ' | sed 's/ *$//')
        [[ -n $assert ]] || err "$u: systemctl status shows no failed assertion; start said \"$out\"; status: $(echo "$status" | tr '\n' ' ')"
        for p in "/etc/confinement.d/$u.json" "$@"; do
                # shellcheck disable=SC2053 # a glob on purpose
                [[ $assert == *$p* ]] || err "$u: systemctl status does not show '$p' on its Assert line: \"$assert\""
        done
        desc=$(cexec systemctl show -p Description --value "$u" 2>&1)
        [[ $desc == "$u, refused: its confinement spec /etc/confinement.d/$u.json cannot be honoured" ]] ||
                err "$u: Description=$desc"
        # the drop-in: Description, the fixed assertion, then the one with
        # the reason (last, so that status shows it)
        conf=$(cpath "/run/systemd/generator/$u.d/50-confinement.conf")
        unit_lines=$(grep -E '^(Description|AssertPathExists)=' "$conf" 2>&1 | sed 's/=.*//' | tr '\n' ' ')
        [[ $unit_lines == "Description AssertPathExists AssertPathExists " ]] ||
                err "$u: the fail-closed drop-in has [$unit_lines], expected Description and two AssertPathExists in that order"
        [[ $(grep -c '^AssertPathExists=/run/confinement-generator/invalid-spec$' "$conf") == 1 ]] ||
                err "$u: no fixed AssertPathExists=/run/confinement-generator/invalid-spec"
        [[ $(grep '^AssertPathExists=' "$conf" | tail -n 1) == 'AssertPathExists=/run/confinement-generator/invalid-spec: '* ]] ||
                err "$u: the last AssertPathExists= does not give the reason"
        if grep -q -e '^BindPaths' -e '^RootDirectory' -e '^BindReadOnlyPaths' "$conf"; then
                err "$u: the fail-closed drop-in still has binds or a root: $conf"
        fi
}

case_broken_spec() {
        broken t-broken.service 'key "mode"' '"bogus-mode"'
        broken t-broken-json.service 'invalid JSON'
        # a closureInfo directory that does not exist
        broken t-broken-ci.service 'key "closureInfo"' '/nonexistent/e2e-closure'
        # a package outside the closureInfo's store-paths
        broken t-broken-pkg.service 'key "packages\[0\]"' "$SECRET"
        # the unit's own settings that confinement cannot honour: status
        # names the unit file or drop-in that sets them
        broken t-rdso.service 'RootDirectoryStartOnly=yes' ' /etc/systemd/system/t-rdso.service,'
        broken t-rootdir.service 'RootDirectory=/srv/e2e-own-root' \
                ' /etc/systemd/system/t-rootdir.service.d/10-own-root.conf;'
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

# systemd 255 moved the service setup into sd-executor, which gets the
# settings serialized; 257 unquotes bind paths on the way ('"' and "'"
# are dropped, an unbalanced one fails): PID 1 reads the unit back exactly,
# the service does not get that path

case_escaping_backslash() {
        escaping_case t-escape2.service "$ESCAPE2_SRC" "$ESCAPE2_DST" escape2-content
        finish
}

# A bind source with quotes, next to the same path without them
# (DECOY_STRIPPED): systemd 255 and later drop the quotes between PID 1
# and sd-executor and would bind the decoy, so the generator refuses
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


# ProtectSystem=strict alone (no DynamicUser=): the service should see what
# the matrix's static user with PrivateTmp=yes sees
# A static user under ProtectSystem=strict sees what a dynamic one does
# (the matrix rows of user "dynamic"): / read-only, nothing writable.
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

# requisites ROOT...: the closure of ROOT... as a store listing
requisites() {
        local p
        mapfile -t p < <(nix-store -q --requisites "$@")
        store_listing "${p[@]}"
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

# --- the matrix ------------------------------------------------------------------

# The walk of / that each matrix unit should see: one row per path, what
# SHOULD be true.  Columns:
#   PATH     @U@ stands for the unit's name
#   MODE     all, apivfs (full-apivfs and full) or chroot (chroot-only)
#   USER     all, root, nonroot, static or dynamic
#   TMP      any, tmp (PrivateTmp=yes in the unit) or notmp (=no)
#   SYSTEMD  any, or the versions the row is for (REASON says why): N, N+
#            (N and later) or -N (up to N)
#   KIND     d, f, l, c, s (probe.sh walk)
#   ROOT     the access of root; OTHER: of the other users
#   FSTYPE   mounted there (- none); ? throughout in chroot-only (no /proc)
#   OWNER    root, self, nobody
#   SAME     =/ when it is the root directory itself again, else -
#   REASON   the rest of the line, for the rows of one systemd version
# There and judged harmless (tests/e2e/README.md): /run/confinement/@U@
# (systemd binds a RuntimeDirectory= into a RootDirectory=; here it is the
# root itself again, and no more writable than /), /run/systemd/incoming
# (systemd's read-only propagation directory, 252 and 257), the /dev of
# PrivateDevices=yes (with the host's /dev/shm, as for any such service),
# and from 257 on /run/host/os-release and the journal's sockets (in the
# API file system modes: the service can log and read the host's
# os-release, as any service with its own root; BindLogSockets=no, 257 and
# later, would be an unknown key to 252).  The store
# paths are on overlay: the harness's /nix (nspawn --overlay).
# Rows of user "dynamic" hold for any service under ProtectSystem=strict,
# which DynamicUser=yes implies: its read-only entry for / takes the place
# of the drop-in's tmpfs there (systemd keeps the more restrictive of two
# entries for one path), so / is the root's own directory, owned by the
# service's user and read-only, with the empty mount points systemd makes
# (etc, usr, root; in chroot-only also dev, proc, sys). The drop-in's
# BindReadOnlyPaths= keeps systemd's bind of that directory at
# /run/confinement/UNIT read-only too.
matrix_table() {
        # bindMethod "overlay" (the default; E2E_BIND_METHOD=view for the
        # view): /nix/store is the read-only overlay, its store paths no
        # mount points of their own
        local store_fs=overlay path_fs=-
        if [[ ${E2E_BIND_METHOD:-overlay} != overlay ]]; then
                store_fs=- path_fs=overlay
        fi
        cat <<EOF
/                       all    root    any   any d  readable readable tmpfs   root -
/                       all    static  any   any d  readable readable tmpfs   root -
/                       all    dynamic any   any d  readable readable tmpfs   self -
/bin                    all    all     any   any d  readable readable -       root -
/bin/sh                 all    all     any   any f  readable readable overlay root -
/nix                    all    all     any   any d  readable readable -       root -
/nix/store              all    all     any   any d  readable readable $store_fs root -
$PROBE                  all    all     any   any d  readable readable $path_fs root -
$BUSYBOX                all    all     any   any d  readable readable $path_fs root -
/var                    all    all     any   any d  readable readable -       root -
/var/lib                all    all     any   any d  readable readable -       root -
/var/lib/e2e-results    all    all     any   any d  sticky   sticky   overlay root -
/tmp                    all    all     tmp   any d  sticky   sticky   tmpfs   root -
/var/tmp                all    all     tmp   any d  sticky   sticky   overlay root -
/tmp                    all    dynamic notmp 257+ d sticky   sticky   tmpfs   root - DynamicUser=yes with PrivateTmp=no: 257 and later give it a fresh tmpfs on /tmp and /var/tmp (PrivateTmp=disconnected), 252 none at all
/var/tmp                all    dynamic notmp 257+ d sticky   sticky   tmpfs   root - DynamicUser=yes with PrivateTmp=no: 257 and later give it a fresh tmpfs on /tmp and /var/tmp (PrivateTmp=disconnected), 252 none at all
/run                    chroot all     any   any d  readable readable -       root -
/run                    apivfs all     any   252 d  sticky   sticky   tmpfs   root - MountAPIVFS=yes mounts a private tmpfs on /run, mode 1777 on 252, 0755 on 257
/run                    apivfs all     any   257+ d writable readable tmpfs   root - MountAPIVFS=yes mounts a private tmpfs on /run, mode 1777 on 252, 0755 on 257 and later
/run/confinement        apivfs all     any   any d  writable readable -       root -
/run/confinement        chroot all     any   any d  readable readable -       root -
/run/confinement/@U@     all    root    any   any d  readable readable tmpfs   root =/
/run/confinement/@U@     all    static  any   any d  readable readable tmpfs   root =/
/run/confinement/@U@     all    dynamic any   any d  readable readable tmpfs   self =/
/etc                    all    dynamic any   any d  readable readable -       root -
/usr                    all    dynamic any   any d  readable readable -       root -
/root                   apivfs dynamic any   any d  none     none     tmpfs   root -
/root                   chroot dynamic any   any d  none     none     -       root -
/dev                    chroot dynamic any   any d  readable readable -       root -
/proc                   chroot dynamic any   any d  readable readable -       root -
/sys                    chroot dynamic any   any d  readable readable -       root -
/run/systemd            apivfs all     any   -257 d writable readable -       root - 252 and 257 make /run/systemd/incoming (mount propagation) in a service with its own root, 262 does not
/run/systemd            chroot all     any   -257 d readable readable -       root - 252 and 257 make /run/systemd/incoming (mount propagation) in a service with its own root, 262 does not
/run/systemd/incoming   all    all     any   -257 d readable none     tmpfs   root - 252 and 257 make /run/systemd/incoming (mount propagation) in a service with its own root, 262 does not
/run/systemd            apivfs all     any   262+ d writable readable -       root - 262 has no /run/systemd/incoming; /run/systemd holds only the journal's sockets
/run/host               apivfs all     any   257+ d  writable readable -       root - 257 and later bind the host's os-release into /run/host of a service with its own root
/run/host/.os-release-stage apivfs all any   257+ d  readable readable tmpfs   root - 257 and later bind the host's os-release into /run/host of a service with its own root
/run/host/.os-release-stage/os-release apivfs all any 257+ f readable readable - root - 257 and later bind the host's os-release into /run/host of a service with its own root
/run/host/os-release    apivfs all     any   257+ l  readable readable -       root - 257 and later bind the host's os-release into /run/host of a service with its own root
/run/systemd/journal    apivfs all     any   257+ d  writable readable -       root - 257 and later bind the journal's sockets into a service with its own root
/run/systemd/journal/dev-log apivfs all any  257+ s  special  special  tmpfs   root - 257 and later bind the journal's sockets into a service with its own root
/run/systemd/journal/socket  apivfs all any  257+ s  special  special  tmpfs   root - 257 and later bind the journal's sockets into a service with its own root
/run/systemd/journal/stdout  apivfs all any  257+ s  special  special  tmpfs   root - 257 and later bind the journal's sockets into a service with its own root
/proc                   apivfs all     any   any d  special  special  proc    root -
/sys                    apivfs all     any   any d  special  special  sysfs   root -
/dev                    apivfs all     any   any d  readable readable tmpfs   root -
/dev/char               apivfs all     any   any d  readable readable -       root -
/dev/char/1:3           apivfs all     any   any l  readable readable -       root -
/dev/char/1:5           apivfs all     any   any l  readable readable -       root -
/dev/char/1:7           apivfs all     any   any l  readable readable -       root -
/dev/char/1:8           apivfs all     any   any l  readable readable -       root -
/dev/char/1:9           apivfs all     any   any l  readable readable -       root -
/dev/char/5:0           apivfs all     any   any l  readable readable -       root -
/dev/fd                 apivfs all     any   any l  readable readable -       root -
/dev/full               apivfs all     any   any c  special  special  -       root -
/dev/hugepages          apivfs all     any   any d  special  special  hugetlbfs root -
/dev/log                apivfs all     any   any l  readable readable -       root -
/dev/mqueue             apivfs all     any   any d  special  special  mqueue  root -
/dev/null               apivfs all     any   any c  special  special  -       root -
/dev/ptmx               apivfs all     any   any l  readable readable -       root -
/dev/pts                apivfs all     any   any d  special  special  devpts  root -
/dev/random             apivfs all     any   any c  special  special  -       root -
/dev/shm                apivfs all     any   any d  sticky   sticky   tmpfs   root -
/dev/stderr             apivfs all     any   any l  readable readable -       root -
/dev/stdin              apivfs all     any   any l  readable readable -       root -
/dev/stdout             apivfs all     any   any l  readable readable -       root -
/dev/tty                apivfs all     any   any c  special  special  -       root -
/dev/urandom            apivfs all     any   any c  special  special  -       root -
/dev/zero               apivfs all     any   any c  special  special  -       root -
EOF
}

# systemd_matches SPEC: the booted version is one SPEC names (any, N, N+, -N)
systemd_matches() {
        case $1 in
        any) return 0 ;;
        *+) ((SYSTEMD_VERSION >= ${1%+})) ;;
        -*) ((SYSTEMD_VERSION <= ${1#-})) ;;
        *) ((SYSTEMD_VERSION == $1)) ;;
        esac
}

# matrix_expected MODE USER TMP UNIT: the expected walk lines,
# "walk:PATH=KIND ACCESS FSTYPE OWNER[ =/]", sorted; the reasons of the
# version-specific rows it used go to $1.reasons (one a line)
matrix_expected() {
        local mode=$1 user=$2 tmp=$3 u=$4 reasons=$5 m path rmode ruser rtmp rsd kind aroot aother fs owner same reason acc
        case $mode in
        chroot-only) m=chroot ;;
        *) m=apivfs ;;
        esac
        : > "$reasons"
        while read -r path rmode ruser rtmp rsd kind aroot aother fs owner same reason; do
                [[ $rmode == all || $rmode == "$m" ]] || continue
                [[ $ruser == all || $ruser == "$user" || ($ruser == nonroot && $user != root) ]] || continue
                [[ $rtmp == any || $rtmp == "$tmp" ]] || continue
                systemd_matches "$rsd" || continue
                [[ $rsd == any ]] || echo "$reason" >> "$reasons"
                acc=$aother
                [[ $user == root ]] && acc=$aroot
                [[ $m == chroot ]] && fs='?'
                if [[ $same == - ]]; then same=''; else same=" $same"; fi
                echo "walk:${path//@U@/$u}=$kind $acc $fs $owner$same"
        done < <(matrix_table) | LC_ALL=C sort
}

# matrix_check UNIT MODE USER TMP: its walk is exactly the table's
matrix_check() {
        local u=$1 mode=$2 user=$3 tmp=$4 line p missing='' extra='' differs='' reasons
        local -A want=() got=()
        reasons=$(mktemp)
        while IFS= read -r line; do
                want[${line%%=*}]=${line#*=}
        done < <(matrix_expected "$mode" "$user" "$tmp" "$u" "$reasons")
        while IFS= read -r line; do
                got[${line%%=*}]=${line#*=}
        done < <(grep '^walk:' "$ROOT$RESULTS/$u")
        for p in "${!want[@]}"; do
                if [[ -z ${got[$p]+x} ]]; then
                        missing+=" ${p#walk:}"
                elif [[ ${got[$p]} != "${want[$p]}" ]]; then
                        differs+=" ${p#walk:}=[${got[$p]}] (expected [${want[$p]}]);"
                fi
        done
        for p in "${!got[@]}"; do
                [[ -n ${want[$p]+x} ]] || extra+=" ${p#walk:}=[${got[$p]}]"
        done
        [[ -z $differs ]] || err "$u:$differs"
        [[ -z $extra ]] || err "$u: unexpected:$extra"
        [[ -z $missing ]] || err "$u: missing:$missing"
        sort -u "$reasons" | while IFS= read -r line; do
                [[ -n $line ]] && known_difference "$line;"
        done
        rm -f "$reasons"
}

# matrix_case MODE USER: both PrivateTmp= settings
matrix_case() {
        local mode=$1 user=$2 tmp u
        for tmp in "${MATRIX_TMPS[@]}"; do
                u=$(matrix_unit "$mode" "$user" "$tmp")
                start "$u" || continue
                case $user in
                root) expect "$u" id 'uid=0 gid=0 *' ;;
                static) expect "$u" id "uid=$STATIC_UID gid=$STATIC_UID *" ;;
                dynamic) expect "$u" id 'uid=6[0-9][0-9][0-9][0-9] *' ;;
                esac
                matrix_check "$u" "$mode" "$user" "$tmp"
        done
        finish
}
