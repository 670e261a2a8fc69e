# shellcheck shell=bash
# bash completion for confinementctl(1): verbs, options, their values, and
# unit names: those with a spec (cat, paths, verify, refresh) or every
# service unit file (new), under --root= when given.
# SPDX-License-Identifier: LGPL-2.1-or-later

# _confinementctl_root: the --root= of the command line, or nothing
_confinementctl_root() {
        local i w
        for ((i = 1; i < COMP_CWORD; i++)); do
                w=${COMP_WORDS[i]}
                if [[ $w == --root && ${COMP_WORDS[i + 1]:-} == = ]]; then
                        [[ ${COMP_WORDS[i + 2]:-} == /* ]] && printf '%s' "${COMP_WORDS[i + 2]%/}"
                        return
                elif [[ $w == --root=/* ]]; then
                        printf '%s' "${w#--root=}"
                        return
                fi
        done
}

# _confinementctl_spec_units ROOT: the units with a spec in a spec directory
_confinementctl_spec_units() {
        local d f
        for d in /etc/confinement.d /run/confinement.d /usr/local/lib/confinement.d /usr/lib/confinement.d; do
                for f in "$1$d"/*.json; do
                        [[ -e $f ]] || continue
                        f=${f##*/}
                        printf '%s\n' "${f%.json}"
                done
        done | sort -u
}

# _confinementctl_service_units ROOT: the service unit files in the search path
_confinementctl_service_units() {
        local d f
        for d in /etc/systemd/system /run/systemd/system /usr/local/lib/systemd/system \
                /usr/lib/systemd/system /lib/systemd/system; do
                for f in "$1$d"/*.service; do
                        [[ -e $f ]] || continue
                        printf '%s\n' "${f##*/}"
                done
        done | sort -u
}

_confinementctl() {
        local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]:-} opt='' verb='' root i w
        local verbs='list check cat paths verify reload new refresh'
        local options='-h --help --version --root= --unit-path= --no-trust-check --json --no-legend
                --no-pager -q --quiet -f --force --mode= --bin-sh= --bind= --bind-ro='
        COMPREPLY=()

        # "--mode=fu" arrives as "--mode" "=" "fu" (= is in COMP_WORDBREAKS)
        if [[ $cur == = ]]; then
                opt=$prev
                cur=''
        elif [[ $prev == = ]]; then
                opt=${COMP_WORDS[COMP_CWORD - 2]:-}
        elif [[ $cur == --*=* ]]; then
                opt=${cur%%=*}
                cur=${cur#*=}
        fi
        case $opt in
        --mode)
                mapfile -t COMPREPLY < <(compgen -W 'full-apivfs chroot-only full' -- "$cur")
                return ;;
        --root | --unit-path)
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                return ;;
        --bin-sh | --bind | --bind-ro)
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                return ;;
        esac

        for ((i = 1; i < COMP_CWORD; i++)); do
                w=${COMP_WORDS[i]}
                if [[ " $verbs " == *" $w "* && ${COMP_WORDS[i - 1]} != = ]]; then
                        verb=$w
                        break
                fi
        done

        if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
                # no space after an option that takes a value
                [[ ${COMPREPLY[0]:-} == *= ]] && { compopt -o nospace 2>/dev/null || true; }
                return
        fi

        root=$(_confinementctl_root)
        case $verb in
        '')
                mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur") ;;
        cat | paths | verify | refresh)
                mapfile -t COMPREPLY < <(compgen -W "$(_confinementctl_spec_units "$root")" -- "$cur") ;;
        new)
                mapfile -t COMPREPLY < <(compgen -W "$(_confinementctl_service_units "$root")" -- "$cur") ;;
        check)
                mapfile -t COMPREPLY < <(compgen -f -X '!*.json' -- "$cur"; compgen -d -- "$cur") ;;
        esac
}

complete -F _confinementctl confinementctl
