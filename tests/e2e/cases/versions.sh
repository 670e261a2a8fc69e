# shellcheck shell=bash
# Cases of what changed between systemd versions (issue 15): the unit
# search path the generator reads units from must be systemd's own on every
# version, whatever libsystemd it was built against.

cases root-directory-start-only-strict

# RootDirectoryStartOnly=yes with ProtectSystem=strict and an ExecStartPre=
# that writes to the host's /var/lib (its StateDirectory=): when the
# generator does not find the unit (a search path from the wrong SD_PATH_*
# value) it is not refused, and ExecStartPre= runs outside the root.
setup_versions() {
        local root=$1 etc=$1/etc/confinement.d
        unit "$root" t-rdso-strict.service "Type=oneshot
RootDirectoryStartOnly=yes
ProtectSystem=strict
StateDirectory=e2e-rdso-strict
ExecStartPre=/bin/sh -c 'echo ran > /var/lib/e2e-rdso-strict/pre-ran'" id
        spec "$etc/t-rdso-strict.service.json" full-apivfs "\"$CLOSURE_DIR/probe\""
        enable "$root" t-rdso-strict.service
}
case_setup setup_versions

case_root_directory_start_only_strict() {
        local u=t-rdso-strict.service
        broken "$u" 'RootDirectoryStartOnly=yes' " /etc/systemd/system/$u,"
        # shellcheck disable=SC2153 # ROOT is run.sh's
        [[ -e $ROOT/var/lib/e2e-rdso-strict/pre-ran ]] &&
                err "$u: its ExecStartPre= ran outside the root (/var/lib/e2e-rdso-strict/pre-ran)"
        finish
}
