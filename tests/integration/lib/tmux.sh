# SPDX-License-Identifier: GPL-3.0-or-later
# Drives the real TUI in a private tmux server: start, type, read the screen.
# Needs lib.sh first.
command -v tmux >/dev/null || { echo "tmux is not installed" >&2; exit 1; }
tmux_socket="$scratch/tmux.0.sock"
tmux_started=0
tmux_cleanup() { tmux -S "$tmux_socket" kill-server 2>/dev/null; cleanup; }
trap tmux_cleanup EXIT

# tui_start COLS ROWS DIR [ENV=VALUE…]: poshtiban's TUI in DIR; its exit status goes to $scratch/exit.
tui_start() {
    local cols=$1 rows=$2 dir=$3
    shift 3
    rm -f "$scratch/exit"
    tmux -S "$tmux_socket" kill-server 2>/dev/null
    # A new server each time: one still shutting down must not take the next session with it.
    tmux_started=$((tmux_started + 1))
    tmux_socket="$scratch/tmux.$tmux_started.sock"
    local cmd
    printf -v cmd '%q ' env "$@" "$POSHTIBAN"
    tmux -S "$tmux_socket" -f /dev/null new-session -d -s tui -x "$cols" -y "$rows" \
        "cd $(printf %q "$dir") && $cmd; echo \$? >$(printf %q "$scratch/exit"); sleep 600"
    tmux -S "$tmux_socket" set-option -t tui status off >/dev/null
}

keys() { tmux -S "$tmux_socket" send-keys -t tui "$@"; }
screen() { tmux -S "$tmux_socket" capture-pane -p -t tui; }
screen_escapes() { tmux -S "$tmux_socket" capture-pane -p -e -t tui; }
resize() { tmux -S "$tmux_socket" resize-window -t tui -x "$1" -y "$2"; }

# wait_for TEXT [SECONDS]: until the screen shows TEXT; false (with the screen on stderr) if never.
wait_for() {
    local text=$1 limit=${2:-10} i=0
    while [ "$i" -lt $((limit * 20)) ]; do
        screen | grep -qF -- "$text" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    echo "--- screen while waiting for [$text]:" >&2
    screen >&2
    return 1
}

# wait_gone TEXT [SECONDS]
wait_gone() {
    local text=$1 limit=${2:-10} i=0
    while [ "$i" -lt $((limit * 20)) ]; do
        screen | grep -qF -- "$text" || return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

expect_screen() { # expect_screen DESCRIPTION TEXT [SECONDS]
    wait_for "$2" "${3:-10}" || fail "$1: the screen never showed [$2]"
}

# tui_exit: the TUI's exit status once it ended (waits a little).
tui_exit() {
    local i=0
    while [ ! -s "$scratch/exit" ] && [ "$i" -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    cat "$scratch/exit" 2>/dev/null
}
