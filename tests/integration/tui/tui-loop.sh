#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The TUI's one loop (src/tui/loop.c): a question is a state of the loop,
# not a loop of its own, so work under way still finishes, and says so,
# while a question is open (a backup; the database's row counts). And the action table's "can it act" refuses
# with the rule that stops it (a failed backup is not complete), not with
# one sentence for every rule.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"

proj=$scratch/proj
make_project "$proj"
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
count() { pt list --json | json_eval 'd["total"]'; }
pt create --name first >/dev/null || fail "create first"

# --- a backup finishes while "cancel it and quit?" is open ---
# The before-hook makes the create last a few seconds: time to ask the question.
pt settings set hooks.before_backup 'sleep 3' >/dev/null || fail "set before_backup"
tui_start 100 30 "$proj"
expect_screen "dashboard" "in all"
keys n
expect_screen "progress box" "Esc cancels" 20
keys q
expect_screen "q during work asks" "Cancel it and quit?"
# Nobody answers: the create ends behind the question, and its sentence shows.
expect_screen "the create's result shows while the question is open" "completed:" 60
screen | grep -qF "Cancel it and quit?" || fail "the question is still open"
wait_gone "Esc cancels" 5 || fail "the progress box went with the work"
expect_eq "the backup was taken" 2 "$(count)"
keys n
wait_gone "Cancel it and quit?" 5 || fail "n closes the question"
keys 2
expect_screen "still running after no" "2 backups"
keys q
expect_eq "q exits 0" 0 "$(tui_exit)"
pt settings set hooks.before_backup '' >/dev/null

# --- the database's row counts arrive while the overdue backup's question is open ---
# The dashboard's database box says "counting rows…" until the background job
# is polled; the question at start must not stop the polling.
fake_crontab
pt settings set auto.enabled true >/dev/null || fail "auto on"
tui_start 100 60 "$proj" PATH="$scratch/bin:$PATH" FAKE_CRONTAB="$FAKE_CRONTAB"
expect_screen "the overdue backup is offered" "An automatic backup is due"
wait_gone "counting rows…" 20 || fail "the row counts never came while the question was open"
expect_screen "the database box lists a table" "investor"
screen | grep -qF "An automatic backup is due" || fail "the question is still open"
keys n
wait_gone "An automatic backup is due" 5 || fail "n declines"
keys q
expect_eq "q exits 0" 0 "$(tui_exit)"
expect_eq "declined: no automatic backup" 0 "$(pt list --kind auto --json | json_eval 'd["total"]')"
pt settings set auto.enabled false >/dev/null

# --- the refusal names the real rule ---
second=$(pt list --json | json_eval 'd["backups"][0]["name"]')
sqlite3 "$proj/backups/.poshtiban/catalog.sqlite3" \
    "UPDATE backups SET status = 'failed' WHERE name = '$second'" || fail "mark $second failed"
tui_start 132 30 "$proj"
expect_screen "dashboard" "in all"
keys 2
expect_screen "list" "2 backups"
# The newest, failed, is under the cursor: what needs a completed backup is not offered.
footer=$(screen | tail -n 1)
case $footer in *"r restore"* | *"v verify"* | *"e export"* | *"u push"*) fail "a failed backup offers what needs a completed one: [$footer]" ;; esac
case $footer in *"d delete"*) ;; *) fail "a failed backup can still be deleted: [$footer]" ;; esac
for key_action in "r restore" "v verify" "e export" "u push" "V deep verify"; do
    key=${key_action%% *} action=${key_action#* }
    keys "$key"
    expect_screen "$action on a failed backup says why" \
        "backup $second is not complete (failed): $action needs a completed backup"
done
screen | grep -qF "choose a completed backup first" && fail "no catch-all sentence"
# Delete and pin need a backup in any state: they act.
keys p
expect_screen "p pins the failed backup" "Pinned $second"
# In Detail, the same table and the same words.
keys Enter
expect_screen "detail" "Name"
keys r
expect_screen "restore in Detail says why" \
    "backup $second is not complete (failed): restore needs a completed backup"
# The completed one acts.
keys 2 End v
expect_screen "verify on the completed backup" "first verified: every file intact" 30
keys q
expect_eq "q exits 0" 0 "$(tui_exit)"
expect_eq "nothing was deleted" 2 "$(count)"
finish
