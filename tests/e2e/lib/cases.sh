# shellcheck shell=bash
# The harness of the e2e cases: what a case group (tests/e2e/cases/*.sh,
# see its README.md) uses to register its cases and setup, to write probe
# units and specs into the rootfs instance before the boot, and to check a
# case in the booted container.  A case case_<name> (with '-' as '_')
# prints what went wrong and returns non-zero on failure.  Sourced by
# run.sh, which provides cexec, cpath, the fixture variables of paths.env
# (PROBE, BUSYBOX, SECRET, SYMLINKED, ...), SYSTEMD_VERSION, KERNEL_VERSION
# and E2E_MACHINE: container (systemd-nspawn, ROOT the host path of its
# root) or vm (run.sh --vm: the checks run in the machine, ROOT is empty).
#
# Every test service runs the probe (tests/fixtures/nix/probe.sh) from the
# Nix store; it writes its results to /var/lib/e2e-results/<unit>, which
# every spec binds writable (bindPaths).

# Each file in tests/e2e/cases/ registers its cases with `cases NAME...`
# (they run in that order) and its setup with `case_setup FUNCTION`
# (called with ROOT by setup_cases, after the common setup).
# shellcheck disable=SC2034 # used by run.sh
ALL_CASES=()
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

# basic_checks: sets BASIC_CHECKS, the checks that t-basic, t-chroot, t-full
# and t-ro (closure.sh) and t-defaults (specs.sh) run
basic_checks() {
        BASIC_CHECKS=(
                id "ls:/nix/store" "exists:$SECRET" "read:$SECRET" "exists:/etc/shadow"
                "exists:/root/e2e-secret" "exists:/home/e2e/e2e-secret" "exists:/bin/sh"
                "exists:/proc/self" "exists:/sys/kernel" "exists:/dev/null"
                "write:$PROBE" "write:$BUSYBOX/bin" "run:$BUSYBOX/bin/busybox+echo+ran-ok"
        )
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

# setup_cases ROOT: what every group needs (the results directory, the
# secrets the services must not see, the closureInfo directories, the static
# user), then each group's setup in the order the groups were sourced
setup_cases() {
        local root=$1 f hook

        mkdir -p "$root/var/lib/e2e-results" "$root/home/e2e" \
                "$root$CLOSURE_DIR" "$root/usr/lib/e2e"
        chmod 1777 "$root/var/lib/e2e-results"
        echo root-secret > "$root/root/e2e-secret"
        echo home-secret > "$root/home/e2e/e2e-secret"
        echo plain-content > "$root/etc/e2e-plain.conf"
        for f in probe symlinked busybox combined; do
                cp -a "$CLOSURES/$f" "$root$CLOSURE_DIR/$f"
        done
        setup_static_user "$root"

        for hook in "${CASE_SETUPS[@]}"; do
                "$hook" "$root" || { echo "setup: $hook failed" >&2; return 1; }
        done
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
        printf 'systemd\t%s\n' "$*" >> "${KNOWN_FILE:-/dev/null}"
}

# known_kernel_difference TEXT...: the same where kernels differ
# ($KERNEL_VERSION, run.sh's)
known_kernel_difference() {
        printf 'kernel\t%s\n' "$*" >> "${KNOWN_FILE:-/dev/null}"
}

# known_container_difference TEXT...: what systemd-nspawn does and a machine
# does not; only where $E2E_MACHINE (run.sh's) is container: the VM lane
# (vm) must see what a machine does
known_container_difference() {
        printf 'container\t%s\n' "$*" >> "${KNOWN_FILE:-/dev/null}"
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

# store_listing PATH...: the probe's "ls:/nix/store" value for exactly PATH...
store_listing() {
        local p
        printf 'ok:'
        for p in "$@"; do basename "$p"; done | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

ro='fail:*Read-only file system*'

# requisites ROOT...: the closure of ROOT... as a store listing
requisites() {
        local p
        mapfile -t p < <(nix-store -q --requisites "$@")
        store_listing "${p[@]}"
}

# broken UNIT PATTERN...: UNIT fails closed: it does not start, its
# service never runs, its Description says why, and systemctl status shows
# the failed assertion with the spec file and every PATTERN (globs); for
# fail-closed.sh, security.sh and versions.sh
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
