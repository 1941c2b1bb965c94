#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Hooks in the TUI (README, "Hooks"): `n` runs the same core create as the
# CLI, so a failing hooks.before_backup leaves no backup and its last line
# on screen, and a failing hooks.after_backup is said beside "completed".
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"

proj=$scratch/proj
make_project "$proj"
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
count() { pt list --json | json_eval 'd["total"]'; }
pt create --name first >/dev/null || fail "create"
pt settings set hooks.before_backup 'echo "not now, deploying" >&2; exit 3' >/dev/null || fail "set before_backup"

tui_start 160 30 "$proj"
expect_screen "dashboard" "in all"
keys n
expect_screen "the before-hook's failure and its last line" "hook before_backup failed with exit status 3: not now, deploying" 60
expect_eq "no backup was added" 1 "$(count)"
keys q
tui_exit >/dev/null

pt settings set hooks.before_backup '' >/dev/null
pt settings set hooks.after_backup "echo \"\$POSHTIBAN_BACKUP_NAME\" >'$scratch/after'; echo 'still in maintenance'; exit 2" >/dev/null
tui_start 160 30 "$proj"
expect_screen "dashboard" "in all"
keys n
expect_screen "completed, but the after-hook failed" "but hook after_backup failed with exit status 2: still in maintenance" 60
expect_eq "the backup was added" 2 "$(count)"
expect_eq "the after-hook saw it" "$(pt list --json | json_eval 'd["backups"][0]["name"]')" "$(cat "$scratch/after")"
keys q
expect_eq "q exits 0" 0 "$(tui_exit)"
finish
