# shellcheck shell=bash
# The spec key "needs" (issue 20): for each need, a real client in a
# confined service uses what the need binds, and the same service without
# the need fails; the same with a NixOS-shaped /etc (links through
# /etc/static into the store); nothing but what the needs name becomes
# visible; a source a user could change fails closed.
#
# The clients: the container's Debian getent, id, locale and busctl (their
# /usr/bin and libraries bound by bindReadOnlyPaths: the rootfs has no
# glibc program in the Nix store), busybox's date and logger from the
# probe's closure, the suite's own nss-systemd (libnss-systemd, in the rootfs
# and in its bound /usr/lib/x86_64-linux-gnu) for the name of a DynamicUser=, and a DNS server of a few lines of the container's perl
# (busybox-static has no dnsd) as the resolver in the container.
# TLS: the host's openssl (Debian 12, as the oldest rootfs: its libraries
# run on every suite's glibc), copied with libssl and libcrypto into the
# rootfs, as a server (unconfined) and as the confined client, which
# verifies the server's certificate, issued by a test CA made here, from the
# bundle the need binds, found through SSL_CERT_FILE.
# shellcheck disable=SC2153,SC2154 # ROOT, ro and the fixtures' variables: run.sh's and lib/cases.sh's

cases need-dns need-users need-time need-locale need-journal need-dbus need-tls need-view \
        need-nixos-etc need-untrusted
case_setup setup_needs

# the resolver on an address of lo nothing else uses (the container shares
# the host's network)
NEED_DNS_ADDR=127.0.0.153
NEED_DNS_NAME=e2e-need.test
NEED_DNS_IP=10.20.30.40
NEED_HOSTS_NAME=e2e-need-hosts
NEED_HOSTS_IP=10.20.30.41
NEED_ZONE=Asia/Tokyo
# the NixOS-shaped /etc's store path, made at run time in the container's
# store (the host's /nix is overlaid writable there)
NEED_ETC_STORE=/nix/store/e2e00000000000000000000000000ne7-e2e-etc

NEED_TLS_NAME=e2e-need-tls.test
NEED_TLS_PORT=18443
NEED_TLS=/usr/lib/e2e/tls
NEED_TLS_CLIENT="run:$NEED_TLS/bin/openssl+s_client+-connect+127.0.0.1:$NEED_TLS_PORT+-servername+$NEED_TLS_NAME+-verify_hostname+$NEED_TLS_NAME+-verify_return_error+-brief"

# the Debian programs' files, read-only
NEED_DEB_BINDS='"bindReadOnlyPaths": ["/usr/bin", "/usr/lib/x86_64-linux-gnu",
  {"source": "/usr/lib/x86_64-linux-gnu", "target": "/lib/x86_64-linux-gnu"},
  {"source": "/usr/lib64", "target": "/lib64"}]'

# need_spec ROOT UNIT NEEDS-JSON [EXTRA]: UNIT's spec, the probe's closure
need_spec() {
        cat > "$1/etc/confinement.d/$2.json" <<EOF
{"mode": "full-apivfs", "closureInfo": "$CLOSURE_DIR/probe", "bindPaths": ["/var/lib/e2e-results"],
 "needs": $3${4:+, $4}}
EOF
}

# need_pair ROOT NAME NEEDS-JSON EXTRA UNIT-LINES CHECK...: t-need-NAME with
# the needs, t-need-NAME-none the same without
need_pair() {
        local root=$1 name=$2 needs=$3 extra=$4 lines=$5
        shift 5
        unit "$root" "t-need-$name.service" "Type=oneshot
$lines" "$@"
        unit "$root" "t-need-$name-none.service" "Type=oneshot
$lines" "$@"
        need_spec "$root" "t-need-$name.service" "$needs" "$extra"
        need_spec "$root" "t-need-$name-none.service" "[]" "$extra"
}

setup_needs() {
        local root=$1 sys=$1/etc/systemd/system bb=$BUSYBOX/bin/busybox
        mkdir -p "$root/etc/confinement.d" "$sys"

        # the resolver, unconfined: A records of NAME IP lines, NXDOMAIN
        # for other names, no answer for other types
        printf '%s %s\n' "$NEED_DNS_NAME" "$NEED_DNS_IP" > "$root/etc/e2e-dnsd.conf"
        cat > "$root/usr/lib/e2e/need-dnsd.pl" <<'EOF'
use strict;
use IO::Socket::INET;
my ($conf, $addr) = @ARGV;
my %a;
open(my $f, "<", $conf) or die "$conf: $!";
while (<$f>) { my ($n, $ip) = split; $a{lc $n} = $ip if defined $ip; }
my $s = IO::Socket::INET->new(LocalAddr => $addr, LocalPort => 53, Proto => "udp") or die "bind: $!";
while (1) {
        my $peer = $s->recv(my $q, 512) or next;
        next if length($q) < 17;
        my ($id, $flags) = unpack("nn", $q);
        my ($p, @labels) = (12);
        while ($p < length($q) and (my $n = ord(substr($q, $p, 1))) > 0) {
                push @labels, substr($q, $p + 1, $n);
                $p += $n + 1;
        }
        my $qtype = unpack("n", substr($q, $p + 1, 2));
        my $question = substr($q, 12, $p + 5 - 12);
        my $ip = $a{lc join(".", @labels)};
        my $answer = defined $ip && $qtype == 1 ? pack("nnnNnC4", 0xc00c, 1, 1, 60, 4, split(/\./, $ip)) : "";
        my $rcode = defined $ip ? 0 : 3;
        $s->send(pack("nnnnnn", $id, 0x8180 | ($flags & 0x0100) | $rcode, 1, $answer eq "" ? 0 : 1, 0, 0)
                . $question . $answer, 0, $peer);
}
EOF
        cat > "$sys/t-need-dnsd.service" <<EOF
[Service]
ExecStart=/usr/bin/perl /usr/lib/e2e/need-dnsd.pl /etc/e2e-dnsd.conf $NEED_DNS_ADDR
EOF
        printf '127.0.0.1 localhost\n%s %s\n' "$NEED_HOSTS_IP" "$NEED_HOSTS_NAME" > "$root/etc/hosts"

        need_pair "$root" dns '["dns"]' "$NEED_DEB_BINDS" "" \
                "run:/usr/bin/getent+hosts+$NEED_DNS_NAME" "run:/usr/bin/getent+hosts+$NEED_HOSTS_NAME"
        need_pair "$root" users '["users"]' "$NEED_DEB_BINDS" "User=$STATIC_USER" \
                "run:/usr/bin/id" "run:/usr/bin/getent+passwd+$STATIC_UID"
        # a DynamicUser='s name: getpwuid through the suite's own nss-systemd
        # (the rootfs's libnss-systemd, in the bound /usr/lib/x86_64-linux-gnu)
        # and the userdb socket the need binds
        [[ -f $root/usr/lib/x86_64-linux-gnu/libnss_systemd.so.2 ]] || {
                echo "setup_needs: the rootfs has no libnss_systemd.so.2 (libnss-systemd, lib/rootfs.sh)" >&2
                return 1
        }
        sed -i -E 's/^(passwd|group):.*/\1: files systemd/' "$root/etc/nsswitch.conf"
        need_pair "$root" dynuser '["users"]' "$NEED_DEB_BINDS" "DynamicUser=yes" \
                "run:/usr/bin/id" ls:/run/systemd/userdb "run:/usr/bin/getent+passwd+t-need-dynuser"
        need_pair "$root" time '["time"]' "" "" "run:$bb+date+-R"
        need_pair "$root" locale '["locale"]' "$NEED_DEB_BINDS" "Environment=LC_ALL=C.UTF-8" \
                "run:/usr/bin/locale+-a" "run:/usr/bin/locale+charmap"
        # the message names its unit (not through %n: the checks are quoted)
        unit "$root" t-need-journal.service Type=oneshot "run:$bb+logger+-t+e2e-need-journal+from-need"
        unit "$root" t-need-journal-none.service Type=oneshot "run:$bb+logger+-t+e2e-need-journal+from-none"
        need_spec "$root" t-need-journal.service '["journal"]'
        need_spec "$root" t-need-journal-none.service "[]"
        need_pair "$root" dbus '["dbus"]' "$NEED_DEB_BINDS" "" \
                "run:/usr/bin/busctl+--system+call+org.freedesktop.DBus+/org/freedesktop/DBus+org.freedesktop.DBus+GetId"
        setup_need_tls "$root"

        # every need, the probe's walk of / against the same without
        unit "$root" t-need-all.service Type=oneshot walk:/
        unit "$root" t-need-all-none.service Type=oneshot walk:/
        need_spec "$root" t-need-all.service '["dns", "tls", "users", "time", "-locale", "journal", "dbus"]'
        need_spec "$root" t-need-all-none.service '[]'

        # refused sources
        mkdir -p "$root/srv/e2e-need-user"
        chown "$STATIC_UID:$STATIC_UID" "$root/srv/e2e-need-user"
        unit "$root" t-need-trust.service Type=oneshot id
        # enabled: loaded, so that status shows the refusal
        enable "$root" t-need-trust.service
        need_spec "$root" t-need-trust.service '["dns"]'
}

# setup_need_tls ROOT: the test CA (the rootfs's whole CA bundle), the
# server's certificate, openssl and its libraries, the server and the pair
setup_need_tls() {
        local root=$1 d=$1$NEED_TLS lib
        mkdir -p "$d/bin" "$d/lib" "$root/etc/ssl/certs"
        cp /usr/bin/openssl "$d/bin/"
        for lib in libssl.so.3 libcrypto.so.3; do
                cp "$(readlink -f "/usr/lib/x86_64-linux-gnu/$lib")" "$d/lib/$lib"
        done
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=e2e need test CA" \
                -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null || return 1
        openssl req -newkey rsa:2048 -nodes -subj "/CN=$NEED_TLS_NAME" \
                -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
        openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 3650 \
                -extfile <(printf 'subjectAltName=DNS:%s\n' "$NEED_TLS_NAME") -out "$d/server.pem" 2>/dev/null || return 1
        rm "$d/ca.key"
        cp "$d/ca.pem" "$root/etc/ssl/certs/ca-certificates.crt"
        cat > "$root/etc/systemd/system/t-need-tls-server.service" <<EOF
[Service]
Environment=LD_LIBRARY_PATH=$NEED_TLS/lib OPENSSL_CONF=/dev/null
ExecStart=$NEED_TLS/bin/openssl s_server -accept 127.0.0.1:$NEED_TLS_PORT -cert $NEED_TLS/server.pem -key $NEED_TLS/server.key -www
EOF
        need_pair "$root" tls '["tls"]' "${NEED_DEB_BINDS%]}, \"$NEED_TLS\"]" \
                "Environment=LD_LIBRARY_PATH=$NEED_TLS/lib OPENSSL_CONF=/dev/null SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
                "$NEED_TLS_CLIENT"
}

# need_resolv: the container's /etc/resolv.conf names the resolver (nspawn
# may have bound the host's: that mount goes, in the container only)
need_resolv() {
        cexec sh -c "while mountpoint -q /etc/resolv.conf; do umount /etc/resolv.conf; done
                rm -f /etc/resolv.conf
                printf 'nameserver $NEED_DNS_ADDR\noptions attempts:1 timeout:2\n' > /etc/resolv.conf" ||
                err "cannot write the container's /etc/resolv.conf"
        cexec systemctl start t-need-dnsd.service || err "the resolver did not start: $(why t-need-dnsd.service)"
        # it answers once perl has bound its socket: seconds under TCG (the
        # VM lane), where a query before that is refused at once. The
        # lookups are gethostbyname's (getent hosts), not getaddrinfo's
        # (ahostsv4): its AI_ADDRCONFIG finds no IPv4 answer on a machine
        # whose only address is the loopback's, as the VM lane's
        cexec sh -c "i=0; until getent hosts $NEED_DNS_NAME > /dev/null; do
                        i=\$((i + 1)); [ \$i -lt 60 ] || exit 1; sleep 0.5; done" ||
                err "the resolver does not answer for $NEED_DNS_NAME: $(why t-need-dnsd.service)"
}

# need_run NAME: starts t-need-NAME and t-need-NAME-none after a reload (the
# sockets exist now; at boot the generator ran before them)
need_run() {
        reload
        start "t-need-$1.service"
        start "t-need-$1-none.service"
}

check_dns() {
        expect t-need-dns.service "run:/usr/bin/getent+hosts+$NEED_DNS_NAME" "rc=0:$NEED_DNS_IP *"
        expect t-need-dns.service "run:/usr/bin/getent+hosts+$NEED_HOSTS_NAME" "rc=0:$NEED_HOSTS_IP *$NEED_HOSTS_NAME"
        expect t-need-dns-none.service "run:/usr/bin/getent+hosts+$NEED_DNS_NAME" "rc=2:"
        expect t-need-dns-none.service "run:/usr/bin/getent+hosts+$NEED_HOSTS_NAME" "rc=2:"
}

case_need_dns() {
        need_resolv
        need_run dns
        check_dns
        finish
}

check_users() {
        expect t-need-users.service run:/usr/bin/id "rc=0:uid=$STATIC_UID($STATIC_USER) gid=$STATIC_UID($STATIC_USER)*"
        expect t-need-users.service "run:/usr/bin/getent+passwd+$STATIC_UID" "rc=0:$STATIC_USER:x:$STATIC_UID:*"
        expect t-need-users-none.service run:/usr/bin/id "rc=0:uid=$STATIC_UID gid=$STATIC_UID groups=$STATIC_UID"
        expect t-need-users-none.service "run:/usr/bin/getent+passwd+$STATIC_UID" "rc=2:"
        # the DynamicUser's name through the suite's own nss-systemd and the
        # userdb socket the need binds
        expect t-need-dynuser.service ls:/run/systemd/userdb "ok:*io.systemd.DynamicUser*"
        expect t-need-dynuser.service run:/usr/bin/id "rc=0:uid=[1-9]*[0-9]?t-need-dynuser? gid=[1-9]*[0-9]?t-need-dynuser? *"
        expect t-need-dynuser-none.service run:/usr/bin/id "rc=0:uid=[1-9]* gid=[1-9]* groups=[1-9]*"
        [[ $(result t-need-dynuser-none.service run:/usr/bin/id) != *'('* ]] ||
                err "t-need-dynuser-none.service: a name without the need"
}

case_need_users() {
        need_run users
        start t-need-dynuser.service
        start t-need-dynuser-none.service
        check_users
        finish
}

check_time() {
        # (no "+%Z": "+" separates the probe's words)
        expect t-need-time.service "run:$BUSYBOX/bin/busybox+date+-R" "rc=0:* +0900"
        expect t-need-time-none.service "run:$BUSYBOX/bin/busybox+date+-R" "rc=0:* +0000"
}

case_need_time() {
        cexec ln -sfn "/usr/share/zoneinfo/$NEED_ZONE" /etc/localtime || err "cannot set /etc/localtime"
        need_run time
        check_time
        cexec ln -sfn /usr/share/zoneinfo/Etc/UTC /etc/localtime || err "cannot restore /etc/localtime"
        finish
}

case_need_locale() {
        need_run locale
        expect t-need-locale.service run:/usr/bin/locale+-a "rc=0:*C.utf8*"
        expect t-need-locale.service run:/usr/bin/locale+charmap "rc=0:UTF-8"
        expect t-need-locale-none.service run:/usr/bin/locale+charmap "rc=0:*Cannot set LC_CTYPE*ANSI_X3.4-1968"
        [[ $(result t-need-locale-none.service run:/usr/bin/locale+-a) != *C.utf8* ]] ||
                err "t-need-locale-none.service: sees C.utf8 without the need"
        finish
}

case_need_journal() {
        local got
        need_run journal
        cexec journalctl --sync >/dev/null 2>&1 || true
        got=$(cexec journalctl -b -t e2e-need-journal --no-pager -o cat 2>&1)
        [[ $got == *from-need* ]] || err "no journal message from t-need-journal.service: $got"
        if [[ $got == *from-none* ]]; then
                if ((SYSTEMD_VERSION >= 257)); then
                        known_difference "systemd $SYSTEMD_VERSION binds the journal's sockets into a RootDirectory= itself (BindLogSockets=)"
                else
                        err "t-need-journal-none.service reached the journal without the need"
                fi
        fi
        finish
}

case_need_dbus() {
        need_run dbus
        expect t-need-dbus.service \
                "run:/usr/bin/busctl+--system+call+org.freedesktop.DBus+/org/freedesktop/DBus+org.freedesktop.DBus+GetId" \
                'rc=0:s "*"'
        expect t-need-dbus-none.service \
                "run:/usr/bin/busctl+--system+call+org.freedesktop.DBus+/org/freedesktop/DBus+org.freedesktop.DBus+GetId" \
                'rc=1:*'
        finish
}

check_tls() {
        expect t-need-tls.service "$NEED_TLS_CLIENT" "rc=0:*Verification: OK*"
        expect t-need-tls-none.service "$NEED_TLS_CLIENT" "rc=1:*verify error*"
}

case_need_tls() {
        cexec systemctl start t-need-tls-server.service || err "the TLS server did not start: $(why t-need-tls-server.service)"
        sleep 0.5
        need_run tls
        check_tls
        finish
}

# need_expected: what the needs of t-need-all name that exists in the
# container, and where their links lead (a directory member: itself, not
# what it holds), one a line
need_expected() {
        local p
        for p in /etc/resolv.conf /etc/hosts /etc/nsswitch.conf /etc/host.conf /etc/services /etc/protocols \
                /run/nscd/socket /etc/ssl/certs/ca-certificates.crt /etc/ssl/cert.pem \
                /etc/pki/tls/certs/ca-bundle.crt /usr/share/ca-certificates /etc/passwd /etc/group \
                /run/systemd/userdb /etc/localtime /usr/lib/locale \
                /etc/locale.conf /etc/default/locale /run/current-system/sw/lib/locale/locale-archive \
                /run/systemd/journal/socket /run/systemd/journal/stdout /run/systemd/journal/dev-log /dev/log \
                /run/dbus/system_bus_socket; do
                cexec test -e "$p" || continue
                echo "$p"
                case $p in
                /run/*|/dev/log) ;; # bound as named
                *) cexec readlink -f "$p" ;;
                esac
        done | sort -u
}

# need_walk UNIT: the paths of UNIT's walk, sorted, its root's own
# directory (RootDirectory=/run/confinement/%n, there again) as UNIT
need_walk() {
        grep '^walk:' "$ROOT$RESULTS/$1" | sed 's/^walk:\([^=]*\)=.*/\1/' |
                sed "s|^/run/confinement/$1|/run/confinement/UNIT|" | sort -u
}

case_need_view() {
        local expected new p q ok
        reload
        if ! start t-need-all.service || ! start t-need-all-none.service; then
                finish
                return
        fi
        expected=$(need_expected)
        # everything the needs name is there
        while read -r p; do
                grep -qxF "$p" <(need_walk t-need-all.service) || err "t-need-all.service does not see $p"
        done <<< "$expected"
        # and nothing else: what the walk without needs does not show is a
        # path named, in a directory named, or a directory on the way to one
        new=$(comm -13 <(need_walk t-need-all-none.service) <(need_walk t-need-all.service))
        while read -r p; do
                [[ -n $p ]] || continue
                ok=0
                while read -r q; do
                        [[ $p == "$q" || $p == "$q"/* || $q == "$p"/* ]] && { ok=1; break; }
                done <<< "$expected"
                ((ok)) || err "t-need-all.service sees $p, which no need names"
        done <<< "$new"
        finish
}

# The same services with NixOS's /etc: hosts, nsswitch.conf, passwd, group
# and the zone files through /etc/static into the store
case_need_nixos_etc() {
        local bb=$BUSYBOX/bin/busybox conf
        need_resolv
        cexec "$bb" sh -e -c "
                rm -rf $NEED_ETC_STORE
                mkdir -p $NEED_ETC_STORE/zoneinfo/${NEED_ZONE%/*}
                for f in hosts nsswitch.conf passwd group; do cp /etc/\$f $NEED_ETC_STORE/\$f; done
                mkdir -p $NEED_ETC_STORE/ssl/certs
                cp /etc/ssl/certs/ca-certificates.crt $NEED_ETC_STORE/ssl/certs/
                cp /usr/share/zoneinfo/$NEED_ZONE $NEED_ETC_STORE/zoneinfo/$NEED_ZONE
                chmod -R go-w $NEED_ETC_STORE
                mkdir -p /etc/e2e-debian-etc
                for f in hosts nsswitch.conf passwd group localtime; do mv /etc/\$f /etc/e2e-debian-etc/; done
                mv /etc/ssl/certs/ca-certificates.crt /etc/e2e-debian-etc/
                ln -s /etc/static/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
                ln -s $NEED_ETC_STORE /etc/static
                for f in hosts nsswitch.conf passwd group zoneinfo; do ln -s /etc/static/\$f /etc/\$f; done
                ln -s /etc/zoneinfo/$NEED_ZONE /etc/localtime" || err "cannot make a NixOS-shaped /etc"
        need_run dns
        check_dns
        need_run users
        start t-need-dynuser.service
        start t-need-dynuser-none.service
        check_users
        need_run time
        check_time
        cexec systemctl start t-need-tls-server.service || err "the TLS server did not start"
        need_run tls
        check_tls
        # bound from the store, the store path in the closure
        conf=$(cat "$(cpath /run/systemd/generator/t-need-dns.service.d/50-confinement.conf)")
        [[ $conf == *"BindReadOnlyPaths=$NEED_ETC_STORE/hosts:/etc/hosts"* ]] ||
                err "t-need-dns.service: /etc/hosts not bound from the store: $conf"
        [[ $conf != *"/etc/static"* ]] || err "t-need-dns.service: binds through /etc/static"
        # (the closures' lists: confinement-layer/GEN/ID, one generation per
        # store directory)
        grep -rqxF "${NEED_ETC_STORE##*/}" "$(cpath /run/systemd/generator/confinement-layer)" ||
                err "the store path of /etc is in no closure's overlay"
        # back to Debian's /etc
        cexec "$bb" sh -e -c "
                for f in hosts nsswitch.conf passwd group zoneinfo localtime static; do rm -f /etc/\$f; done
                rm /etc/ssl/certs/ca-certificates.crt
                mv /etc/e2e-debian-etc/ca-certificates.crt /etc/ssl/certs/
                mv /etc/e2e-debian-etc/* /etc/ && rmdir /etc/e2e-debian-etc" || err "cannot restore /etc"
        reload
        finish
}

case_need_untrusted() {
        local bb=$BUSYBOX/bin/busybox
        # a source anyone may write
        cexec chmod 0666 /etc/hosts || err "chmod"
        reload
        broken t-need-trust.service 'need "dns": refusing /etc/hosts' 'writable by anyone'
        cexec chmod 0644 /etc/hosts || err "chmod"
        # a link through a directory a user owns
        cexec "$bb" sh -e -c "cp /etc/hosts /srv/e2e-need-user/hosts && mv /etc/hosts /etc/hosts.e2e &&
                ln -s /srv/e2e-need-user/hosts /etc/hosts" || err "cannot link /etc/hosts"
        reload
        broken t-need-trust.service 'need "dns": refusing /etc/hosts' '/srv/e2e-need-user is owned by uid'
        cexec "$bb" sh -e -c "rm /etc/hosts && mv /etc/hosts.e2e /etc/hosts" || err "cannot restore /etc/hosts"
        reload
        start t-need-trust.service && expect t-need-trust.service id "uid=0 *"
        finish
}
