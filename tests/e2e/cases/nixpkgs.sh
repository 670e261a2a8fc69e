# shellcheck shell=bash
# What nixpkgs' own test (nixos/tests/systemd-confinement) checks and the
# other cases did not: every closure file read-only by a walk into the
# store, a BindReadOnlyPaths= of the unit's own, a symlinked store path
# whose target is a file, StateDirectory= across an automatic restart with
# a fresh /tmp, a binSh that is not a shell, and template instances under
# socket activation (Accept=yes) with a command run inside a live instance
# while another stops.
# shellcheck disable=SC2153,SC2154 # ROOT, ro and the fixtures' variables: run.sh's and lib/cases.sh's

cases nix-store-walk nix-unit-bind nix-symlink-to-file nix-state-restart nix-binsh-program nix-socket-instances
case_setup setup_nixpkgs

NIX_ACC_PORT=18081
# a symlinked store path to a regular file, made at run time in the
# container's store (the host's /nix is overlaid writable there)
NIX_FILE_TARGET=/nix/store/e2e0000000000000000000000000000f-e2e-file-target
NIX_FILE_LINK=/nix/store/e2e0000000000000000000000000000l-e2e-file-link

setup_nixpkgs() {
        local root=$1 etc=$1/etc/confinement.d probe_ci="\"$CLOSURE_DIR/probe\"" sys=$1/etc/systemd/system
        local bb=$BUSYBOX/bin/busybox m walk

        # Every file of the closure, as root, cannot be written: each
        # directory refuses a new entry, each file an append (busybox's
        # test -w says yes to root whatever the mount).
        walk=$(nix_walk)
        for m in full-apivfs chroot-only full; do
                # the control: the same test finds the writable bind writable
                unit "$root" "t-nix-walk-$m.service" Type=oneshot "run:/bin/sh+-c+$walk" \
                        "run:/bin/sh+-c+mkdir $RESULTS/.w-$m 2>&- && rmdir $RESULTS/.w-$m && echo control-writable"
                spec "$etc/t-nix-walk-$m.service.json" "$m" "$probe_ci" "\"$BUSYBOX/bin/sh\""
        done

        # The unit's own BindReadOnlyPaths= (nixpkgs: /etc).
        unit "$root" t-nix-bind.service "Type=oneshot
BindReadOnlyPaths=/etc" "read:/etc/e2e-plain.conf" "write:/etc"
        spec "$etc/t-nix-bind.service.json" full-apivfs "$probe_ci"

        # A store path that is a symlink to a file: its closureInfo is made
        # with the store paths at run time.
        unit "$root" t-nix-filelink.service Type=oneshot "read:$NIX_FILE_LINK" "write:$NIX_FILE_LINK"
        spec "$etc/t-nix-filelink.service.json" full-apivfs "\"$CLOSURE_DIR/filelink\""

        # StateDirectory= across an automatic restart: the first run fails
        # on purpose, the second finds its state and a fresh /tmp.
        mkdir -p "$sys"
        cat > "$sys/t-nix-state.service" <<EOF
[Service]
Type=oneshot
User=$STATIC_USER
StateDirectory=t-nix-state
Restart=on-failure
RestartSec=100ms
ExecStart=$bb sh -c '\\
        r=$RESULTS/t-nix-state.service; \\
        [ -e /tmp/canary ] && echo tmp-not-fresh >> \$\$r; \\
        touch /tmp/canary; \\
        if [ -e /var/lib/t-nix-state/foo ]; then echo "second:\$\$(cat /var/lib/t-nix-state/foo)" >> \$\$r; \\
        else echo works > /var/lib/t-nix-state/foo && echo first >> \$\$r; exit 1; fi'
EOF
        spec "$etc/t-nix-state.service.json" full-apivfs "\"$CLOSURE_DIR/busybox\""

        # binSh that is not a shell: the probe itself at /bin/sh.
        unit "$root" t-nix-binsh.service Type=oneshot "run:/bin/sh+--name+t-nix-binsh-inner+exists:/bin/sh"
        spec "$etc/t-nix-binsh.service.json" full-apivfs "$probe_ci" "\"$PROBE/bin/probe\""

        # Template instances under socket activation.
        cat > "$sys/t-nix-acc.socket" <<EOF
[Socket]
ListenStream=127.0.0.1:$NIX_ACC_PORT
Accept=yes
EOF
        cat > "$sys/t-nix-acc@.service" <<EOF
[Service]
StandardInput=socket
StandardOutput=socket
ExecStart=$bb sh -c 'echo "instance %i"; read -r line; echo "got \$\$line"'
EOF
        spec "$etc/t-nix-acc@.service.json" full-apivfs "\"$CLOSURE_DIR/busybox\""
}

nix_walk() {
        # shellcheck disable=SC2016 # expanded by the service's shell
        echo 'find /nix/store | while read -r f; do if [ -d "$f" ]; then mkdir "$f/.w" 2>&- && echo "writable: $f"; else (: >> "$f") 2>&- && echo "writable: $f"; fi; done; echo walked'
}

case_nix_store_walk() {
        local m u
        for m in full-apivfs chroot-only full; do
                u=t-nix-walk-$m.service
                start "$u" || continue
                expect "$u" "run:/bin/sh+-c+$(nix_walk)" 'rc=0:walked'
                expect "$u" "run:/bin/sh+-c+mkdir $RESULTS/.w-$m 2>&- && rmdir $RESULTS/.w-$m && echo control-writable" \
                        'rc=0:control-writable'
        done
        finish
}

case_nix_unit_bind() {
        if start t-nix-bind.service; then
                expect t-nix-bind.service read:/etc/e2e-plain.conf 'ok:plain-content'
                expect t-nix-bind.service write:/etc "$ro"
        fi
        finish
}

case_nix_symlink_to_file() {
        local ci
        cexec "$BUSYBOX/bin/busybox" sh -c "echo got-me > $NIX_FILE_TARGET && ln -sfn $NIX_FILE_TARGET $NIX_FILE_LINK" ||
                err "cannot make the store paths"
        ci=$(cpath "$CLOSURE_DIR/filelink")
        mkdir -p "$ci"
        { cat "$ROOT$CLOSURE_DIR/probe/store-paths"; echo "$NIX_FILE_TARGET"; echo "$NIX_FILE_LINK"; } |
                LC_ALL=C sort > "$ci/store-paths"
        reload
        if start t-nix-filelink.service; then
                expect t-nix-filelink.service "read:$NIX_FILE_LINK" 'ok:got-me'
                expect t-nix-filelink.service "write:$NIX_FILE_LINK" 'fail:*'
        fi
        finish
}

case_nix_state_restart() {
        local u=t-nix-state.service f i
        f=$ROOT$RESULTS/$u
        rm -f "$f"
        cexec systemctl start --no-block "$u" || err "cannot start $u"
        for ((i = 0; i < 100; i++)); do
                grep -q '^second' "$f" 2>/dev/null && break
                sleep 0.1
        done
        [[ $(tr '\n' ' ' < "$f" 2>/dev/null) == "first second:works " ]] ||
                err "$u: ran [$(tr '\n' ' ' < "$f" 2>/dev/null)], expected a failed first run, then its state in a fresh /tmp $(why "$u")"
        cexec systemctl stop "$u" || true
        finish
}

case_nix_binsh_program() {
        rm -f "$ROOT$RESULTS/t-nix-binsh-inner"
        if start t-nix-binsh.service; then
                expect t-nix-binsh.service "run:/bin/sh+--name+t-nix-binsh-inner+exists:/bin/sh" 'rc=0:*'
                expect t-nix-binsh-inner exists:/bin/sh yes
        fi
        finish
}

# nix_acc_instances: the running instances of t-nix-acc@.service
nix_acc_instances() {
        cexec systemctl list-units --no-legend --plain --state=running 't-nix-acc@*' | awk '{ print $1 }'
}

case_nix_socket_instances() {
        local out i one two pid bb=$BUSYBOX/bin/busybox
        local -a units
        out=$(cexec systemctl start t-nix-acc.socket 2>&1) || err "t-nix-acc.socket: $out"
        # two connections that stay open until told
        cexec "$bb" sh -c "mkfifo /run/e2e-acc-1 /run/e2e-acc-2" || err "mkfifo"
        for i in 1 2; do
                cexec "$bb" sh -c "exec 3<>/run/e2e-acc-$i; $bb nc 127.0.0.1 $NIX_ACC_PORT <&3 > /run/e2e-acc-$i.out 2>&1" &
        done
        for ((i = 0; i < 50; i++)); do
                [[ $(nix_acc_instances | wc -l) -ge 2 ]] && break
                sleep 0.1
        done
        mapfile -t units < <(nix_acc_instances)
        if ((${#units[@]} != 2)); then
                err "expected two running instances, got: ${units[*]}"
        else
                one=${units[0]} two=${units[1]}
                # "running" comes with the fork (Type=simple); the namespace
                # is set up after it (by sd-executor on 257 and later): wait
                # until both instances have said hello from inside
                for ((i = 0; i < 50; i++)); do
                        [[ $(cexec "$bb" cat /run/e2e-acc-1.out /run/e2e-acc-2.out 2>/dev/null | grep -c '^instance ') -ge 2 ]] &&
                                break
                        sleep 0.1
                done
                # a command run inside the live instance one sees its root
                pid=$(cexec systemctl show -p MainPID --value "$one")
                out=$(cexec nsenter -t "$pid" -m -- "$bb" ls / 2>&1 | tr '\n' ' ')
                [[ $out == *nix* && $out != *etc* ]] || err "$one: inside, / holds [$out]"
                # instance two stops while one lives on
                cexec systemctl stop "$two" || err "cannot stop $two"
                out=$(cexec nsenter -t "$pid" -m -- "$bb" ls / 2>&1 | tr '\n' ' ')
                [[ $out == *nix* && $out != *etc* ]] || err "$one: after $two stopped, / holds [$out]"
                out=$(cexec systemctl is-active "$one" 2>&1)
                [[ $out == active ]] || err "$one is $out after $two stopped $(why "$one")"
        fi
        # let the first connection finish
        cexec "$bb" sh -c "echo hi > /run/e2e-acc-1; echo hi > /run/e2e-acc-2" || true
        sleep 0.5
        out=$(cexec "$bb" cat /run/e2e-acc-1.out /run/e2e-acc-2.out 2>&1 | tr '\n' ' ')
        [[ $out == *"instance 0-"*"instance 1-"* || $out == *"instance 1-"*"instance 0-"* ]] ||
                err "not both instances answered: [$out]"
        cexec systemctl stop t-nix-acc.socket 't-nix-acc@*' || true
        # the connections' clients, if still there
        jobs -p | xargs -r kill 2>/dev/null || true
        finish
}
