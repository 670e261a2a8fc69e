# shellcheck shell=bash
# The permission walk of NixOS's systemd-confinement test, as a matrix:
# mode x user x PrivateTmp (set in the unit file), one case per mode and
# user (each: PrivateTmp=yes and =no): matrix-MODE-USER.  Every unit has
# /bin/sh (binSh), the probe's closure and the results directory; its walk
# of / must be exactly matrix_table's (tests/e2e/README.md, "The permission
# walk").  protect-system-strict (units.sh) uses matrix_check too.
# shellcheck disable=SC2153 # ROOT is run.sh's

MATRIX_MODES=(full-apivfs chroot-only full)
MATRIX_USERS=(root static dynamic)
MATRIX_TMPS=(tmp notmp)
for _m in "${MATRIX_MODES[@]}"; do
        for _u in "${MATRIX_USERS[@]}"; do
                cases "matrix-$_m-$_u"
                eval "case_matrix_${_m//-/_}_$_u() { matrix_case $_m $_u; }"
        done
done
unset _m _u
case_setup setup_matrix

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

# The walk of / that each matrix unit should see: one row per path, what
# SHOULD be true.  Columns:
#   PATH     @U@ stands for the unit's name
#   MODE     all, apivfs (full-apivfs and full) or chroot (chroot-only)
#   USER     all, root, nonroot, static or dynamic
#   TMP      any, tmp (PrivateTmp=yes in the unit) or notmp (=no)
#   SYSTEMD  any, or the versions the row is for (REASON says why): N, N+
#            (N and later) or -N (up to N); with container: or vm: before
#            it, the row is only for that machine ($E2E_MACHINE; REASON of
#            a container: row says what nspawn does differently)
#   KIND     d, f, l, c, s (probe.sh walk)
#   ROOT     the access of root; OTHER: of the other users
#   FSTYPE   mounted there (- none); ? throughout in chroot-only (no /proc);
#            $root_fs and $tmp_fs: the machine's / and /tmp (the binds of
#            its directories): overlay and tmpfs in nspawn, ext4 and ext4
#            or tmpfs (trixie and later mount one on /tmp) in the VM lane
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
# paths are on the machine's /: overlay in nspawn (--overlay), ext4 in the VM.
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
        local store_fs=overlay path_fs=- root_fs tmp_fs
        root_fs=$(cexec findmnt -n -o FSTYPE --target /)
        tmp_fs=$(cexec findmnt -n -o FSTYPE --target /tmp)
        # the view: each store path a bind of the machine's /nix (on its /)
        if [[ ${E2E_BIND_METHOD:-overlay} != overlay ]]; then
                store_fs=- path_fs=$root_fs
        fi
        cat <<EOF
/                       all    root    any   any d  readable readable tmpfs   root -
/                       all    static  any   any d  readable readable tmpfs   root -
/                       all    dynamic any   any d  readable readable tmpfs   self -
/bin                    all    all     any   any d  readable readable -       root -
/bin/sh                 all    all     any   any f  readable readable $root_fs root -
/nix                    all    all     any   any d  readable readable -       root -
/nix/store              all    all     any   any d  readable readable $store_fs root -
$PROBE                  all    all     any   any d  readable readable $path_fs root -
$BUSYBOX                all    all     any   any d  readable readable $path_fs root -
/var                    all    all     any   any d  readable readable -       root -
/var/lib                all    all     any   any d  readable readable -       root -
/var/lib/e2e-results    all    all     any   any d  sticky   sticky   $root_fs root -
/tmp                    all    all     tmp   any d  sticky   sticky   $tmp_fs root -
/var/tmp                all    all     tmp   any d  sticky   sticky   $root_fs root -
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
/dev/ptmx               apivfs all     any   container:any l readable readable - root - nspawn's /dev/ptmx is a link to pts/ptmx, and PrivateDevices=yes makes the same link; a machine's is the device node (5:2)
/dev/ptmx               apivfs all     any   vm:any c  special  special  -       root -
/dev/char/5:2           apivfs all     any   vm:any l  readable readable -       root -
/dev/core               apivfs all     any   vm:any l  readable readable -       root -
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
# version- and container-specific rows it used go to REASONS (one a line,
# "systemd" or "container", a tab, the reason)
matrix_expected() {
        local mode=$1 user=$2 tmp=$3 u=$4 reasons=$5 m path rmode ruser rtmp rsd kind aroot aother fs owner same reason acc machine
        case $mode in
        chroot-only) m=chroot ;;
        *) m=apivfs ;;
        esac
        : > "$reasons"
        while read -r path rmode ruser rtmp rsd kind aroot aother fs owner same reason; do
                [[ $rmode == all || $rmode == "$m" ]] || continue
                [[ $ruser == all || $ruser == "$user" || ($ruser == nonroot && $user != root) ]] || continue
                [[ $rtmp == any || $rtmp == "$tmp" ]] || continue
                machine=any
                if [[ $rsd == *:* ]]; then
                        machine=${rsd%%:*}
                        rsd=${rsd#*:}
                fi
                [[ $machine == any || $machine == "$E2E_MACHINE" ]] || continue
                systemd_matches "$rsd" || continue
                if [[ $machine == container ]]; then
                        printf 'container\t%s\n' "$reason" >> "$reasons"
                elif [[ $rsd != any ]]; then
                        printf 'systemd\t%s\n' "$reason" >> "$reasons"
                fi
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
        sort -u "$reasons" | while IFS=$'\t' read -r p line; do
                case $p in
                systemd) known_difference "$line;" ;;
                container) known_container_difference "$line;" ;;
                esac
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
