# shellcheck shell=bash
# Specs and units that cannot be honoured fail closed: the unit does not
# start, its service never runs, and systemctl status and Description= say
# why (broken, lib/cases.sh): a bad mode, bad JSON, a missing closureInfo,
# a package outside store-paths, RootDirectoryStartOnly=yes in the unit
# file, RootDirectory= in a drop-in.

cases broken-spec
case_setup setup_fail_closed

# All enabled, so that they stay loaded and status shows the failed
# assertion.
setup_fail_closed() {
        local root=$1 etc=$1/etc/confinement.d probe_ci="\"$CLOSURE_DIR/probe\"" u
        local oneshot="Type=oneshot"
        # a mode that does not exist; JSON cut short
        unit "$root" t-broken.service "$oneshot" id
        enable "$root" t-broken.service
        spec "$etc/t-broken.service.json" bogus-mode "$probe_ci"
        unit "$root" t-broken-json.service "$oneshot" id
        enable "$root" t-broken-json.service
        printf '{ "mode": "full-apivfs", "closureInfo": \n' > "$etc/t-broken-json.service.json"
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
