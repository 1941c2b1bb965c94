#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The TUI under the terminals people use: xterm-256color, screen-256color
# (tmux), one without colour, and NO_COLOR=1. Colour shows only where it may.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"

proj=$scratch/proj
make_project "$proj"
"$POSHTIBAN" -C "$proj" create --name first >/dev/null || fail "create"

# Foreground colour escapes in the captured screen (tmux writes them as 3x or 38;5;x).
has_colour() { screen_escapes | grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|38;5;[0-9]+)(;[0-9]+)*m'; }

run_case() { # run_case NAME EXPECT-COLOUR(yes|no) ENV…
    local name=$1 colour=$2
    shift 2
    tui_start 80 24 "$proj" "$@"
    expect_screen "$name: dashboard" "1 in all"
    expect_screen "$name: last backup" "first"
    keys 2
    expect_screen "$name: list" "1 backup"
    if [ "$colour" = yes ]; then
        has_colour || fail "$name: no colour on a colour terminal"
    else
        has_colour && fail "$name: colour where there must be none"
        screen_escapes | grep -qE $'\e\\[[0-9;]*7m' || fail "$name: the selection is not shown in reverse video"
    fi
    keys q
    expect_eq "$name: exits 0" 0 "$(tui_exit)"
}

run_case xterm-256color yes TERM=xterm-256color
run_case screen-256color yes TERM=screen-256color
run_case "no colour (vt220)" no TERM=vt220
run_case NO_COLOR no TERM=xterm-256color NO_COLOR=1
finish
