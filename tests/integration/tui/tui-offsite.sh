#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Off-site copies where the user looks (README "Off-site copies", "The TUI"),
# with real restic on a local repository:
# - `stats` and `stats --json` say how many backups are off-site;
# - the dashboard's off-site line is right before and after a push;
# - `u` in the list copies the selected backup off-site, the list marks it
#   with ☁, and Detail shows its snapshot;
# - Esc during a push (restic held up by a wrapper) says cancelled: no
#   failure in the catalog, no new snapshot, no lock left in the repository;
# - in Persian the line has Persian digits;
# - with no repository set, `u` says how to set one up.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"
. "$(dirname "$0")/../lib/tmux.sh"
export POSHTIBAN_TEST_NOW=2026-11-26T10:00:00Z

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
repo=$scratch/repo

# --- no repository: the key says what to do
new_backup --name b1 || finish
tui_start 100 30 "$proj"
expect_screen "no repository: the dashboard says nothing leaves" "every copy is on this machine"
expect_screen "no repository: the storage line names the remedy" "only on this machine: poshtiban offsite init"
keys 2
expect_screen "list" "b1"
keys u
expect_screen "no repository: u says how to set one" "offsite.repository" 20
keys q
tui_exit >/dev/null

pt_ok settings set offsite.repository "$repo"
pt_ok offsite init
POSHTIBAN_TEST_NOW=2026-11-26T10:00:05Z new_backup --name b2 || finish

# --- stats before
run_pt stats --json </dev/null
expect_eq "stats --json before: 0 of 2 copied" "0 2 None" \
    "$(echo "$out" | json_eval '"%d %d %s" % (d["offsite"]["copied"], d["offsite"]["completed"], d["offsite"]["newest_at"])')"
run_pt stats </dev/null
case $out in *"Off-site: 0 of 2 backups off-site"*) ;; *) fail "stats: the off-site line [$out]" ;; esac

# --- the TUI: dashboard, push from the list, mark, detail, dashboard again
tui_start 100 30 "$proj"
expect_screen "dashboard before" "0 of 2 backups off-site"
expect_screen "the storage line: the newest is not off-site" "the newest is not off-site yet"
keys 2
expect_screen "list" "b2"
check "no mark before the push" sh -c "! tmux -S '$tmux_socket' capture-pane -p -t tui | grep -q '☁'"
keys u
expect_screen "push done" "Sent b2 off-site" 60
expect_screen "the list marks it" "b2 ☁"
keys Enter
expect_screen "detail shows the snapshot" "the repository grew by"
expect_screen "detail says when the repository was looked at" "as of 2026-11-26 10:00"
keys 1
expect_screen "dashboard after" "1 of 2 backups off-site; newest copied"
expect_screen "the dashboard says when it looked" "2026-11-26 10:00, just now"
expect_screen "the storage line is plain again" "B free of"
keys q
expect_eq "quit" 0 "$(tui_exit)"
expect_eq "one snapshot in the repository" 1 "$(rx snapshots --json | json_eval 'len(d)')"
run_pt stats --json </dev/null
expect_eq "stats --json after: 1 of 2, the newest is b2" "1 2 b2 True" \
    "$(echo "$out" | json_eval '"%d %d %s %s" % (d["offsite"]["copied"], d["offsite"]["completed"], d["offsite"]["newest_name"], d["offsite"]["latest_copied"])')"

# --- Esc cancels a push: restic held up by a wrapper until it is interrupted
wrap=$scratch/slow-restic
mkdir -p "$wrap"
cat >"$wrap/restic" <<'SH'
#!/bin/sh
# Holds up "restic backup" for a minute unless interrupted (SIGINT).
if [ "$1" = backup ] || [ "$2" = backup ]; then
    trap 'kill "$sleeper" 2>/dev/null; exit 130' INT TERM
    sleep 60 &
    sleeper=$!
    wait "$sleeper"
fi
exec /usr/bin/restic "$@"
SH
chmod +x "$wrap/restic"
run_pt show b1 --json </dev/null
b1_before=$(echo "$out" | json_eval 'd["offsite"]')
tui_start 100 30 "$proj" PATH="$wrap:$PATH"
expect_screen "dashboard" "1 of 2 backups off-site"
keys 2
expect_screen "list" "b1"
keys Down
keys u
expect_screen "the push shows its progress box" "Esc cancels" 20
keys Escape
expect_screen "Esc: cancelled" "cancelled" 30
keys q
expect_eq "quit after the cancel" 0 "$(tui_exit)"
expect_eq "cancel: still one snapshot" 1 "$(rx snapshots --json | json_eval 'len(d)')"
run_pt show b1 --json </dev/null
expect_eq "cancel: nothing recorded for b1 (no copy, no new failure)" "$b1_before" \
    "$(echo "$out" | json_eval 'd["offsite"]')"
expect_eq "cancel: no lock left in the repository" "" "$(rx list locks --no-lock 2>/dev/null)"

# --- Persian: the same line, Persian digits (the terminal doing BiDi: logical order on screen)
pt_ok settings set ui.bidi terminal
tui_start 100 30 "$proj" LANGUAGE=fa LANG=C.UTF-8
expect_screen "Persian dashboard: 1 of 2 in Persian digits" "۱ از ۲"
keys q
tui_exit >/dev/null
finish
