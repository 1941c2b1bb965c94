# SPDX-License-Identifier: GPL-3.0-or-later
# bash completion for poshtiban, installed as share/bash-completion/completions/poshtiban.
# The candidates come from the binary itself: `poshtiban __complete WORD…` reads
# its command and settings tables and, read-only, the backups' names.
_poshtiban() {
    local out pt=${1/#\~/$HOME}
    out=$("$pt" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null </dev/null) || return 0
    COMPREPLY=()
    case $out in
    :file) compopt -o default 2>/dev/null ;;
    :dir) compopt -o dirnames 2>/dev/null ;;
    ?*) mapfile -t COMPREPLY <<<"$out" ;;
    esac
}
complete -F _poshtiban poshtiban
