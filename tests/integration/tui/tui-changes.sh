#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 22, deliverable 4 in the TUI: the dashboard says up to when the data
# is safe, h shows each backup's change sets under it in the list, r on one
# previews the restore to its moment, Detail lists them; English and Persian.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"

proj=$scratch/proj
make_project "$proj"
pt() { # pt TIME ARGS…
    local when=$1
    shift
    POSHTIBAN_TEST_NOW=$when "$POSHTIBAN" -C "$proj" "$@" </dev/null
}
pt 2026-12-06T02:00:00Z create >/dev/null || fail "create"
name=$("$POSHTIBAN" -C "$proj" list --json | json_eval 'd["backups"][0]["name"]')

# --- before any capture ---
tui_start 100 30 "$proj" POSHTIBAN_TEST_NOW=2026-12-06T02:05:00Z TERM=xterm-256color LANGUAGE=en
expect_screen "dashboard" "in all"
expect_screen "the dashboard says there is no change set yet" "no change sets yet"
keys q
expect_eq "quit" 0 "$(tui_exit)"

sqlite3 "$proj/db.sqlite3" "INSERT INTO investor (name, share) VALUES ('نگار', 0.1);
UPDATE unit SET area = 2.5 WHERE id IN (1, 2);"
pt 2026-12-06T02:15:00Z capture >/dev/null || fail "capture at 02:15"
sqlite3 "$proj/db.sqlite3" "DELETE FROM unit WHERE id = 7;"
pt 2026-12-06T02:45:00Z capture >/dev/null || fail "capture at 02:45"

# --- English ---
tui_start 100 30 "$proj" POSHTIBAN_TEST_NOW=2026-12-06T02:48:00Z TERM=xterm-256color LANGUAGE=en
expect_screen "the dashboard: changes saved 3 minutes ago" "changes saved 3 minutes ago"
keys 2
expect_screen "list" "1 backup"
screen | grep -qF "02:45 UTC" && fail "change sets hidden until h"
keys h
expect_screen "h shows the change sets under their backup" "2026-12-06 02:45 UTC"
expect_screen "the older change set" "2026-12-06 02:15 UTC"
list=$(screen)
backup_line=$(printf '%s\n' "$list" | grep -nF "$name" | head -n 1 | cut -d: -f1)
newest_line=$(printf '%s\n' "$list" | grep -nF "02:45 UTC" | head -n 1 | cut -d: -f1)
oldest_line=$(printf '%s\n' "$list" | grep -nF "02:15 UTC" | head -n 1 | cut -d: -f1)
check "under the backup, newest first ($backup_line $newest_line $oldest_line)" \
    test "$backup_line" -lt "$newest_line" -a "$newest_line" -lt "$oldest_line"
printf '%s\n' "$list" | grep -F "02:45 UTC" | grep -qF "1 table, 1 row" || fail "a change set's row says what it touched: [$list]"
printf '%s\n' "$list" | grep -F "02:15 UTC" | grep -qF "2 tables, 3 rows" || fail "the older one's: [$list]"
keys Down
footer=$(screen | tail -n 1)
case $footer in *"r restore"*) ;; *) fail "on a change set, r restores: [$footer]" ;; esac
case $footer in *"d delete"*) fail "on a change set, d deletes nothing: [$footer]" ;; esac
keys r
# The preview and the question name the change set reached (restore --at), not the base.
if wait_for "Restore changes_20261206_024500?" 60; then
    keys n
    expect_screen "declined" "Restore cancelled" 10
else
    fail "r on a change set: the restore's preview asks about the change set"
fi
keys h
wait_gone "02:45 UTC" 5 || fail "h hides the change sets again"
keys Enter
expect_screen "detail" "Change sets"
expect_screen "detail lists the newest change set" "2026-12-06 02:45 UTC"
expect_screen "detail lists the oldest change set" "2026-12-06 02:15 UTC"
keys q
expect_eq "quit" 0 "$(tui_exit)"

# --- Persian ---
"$POSHTIBAN" -C "$proj" settings set ui.bidi terminal >/dev/null
tui_start 100 30 "$proj" POSHTIBAN_TEST_NOW=2026-12-06T02:48:00Z TERM=xterm-256color LANGUAGE=fa LANG=C.UTF-8
expect_screen "the Persian dashboard: changes saved 3 minutes ago" "۳ دقیقه پیش"
keys 2 h
expect_screen "change sets in the Persian list: a Jalali date" "۱۴۰۵/۰۹/۱۵ ۰۲:۴۵"
keys Enter
expect_screen "Persian detail lists change sets" "۱۴۰۵/۰۹/۱۵ ۰۲:۱۵"
keys q
expect_eq "quit" 0 "$(tui_exit)"

# --- change sets off ---
"$POSHTIBAN" -C "$proj" settings set auto.changes_minutes 0 >/dev/null
rm -rf "$proj/backups/changes"
tui_start 100 30 "$proj" POSHTIBAN_TEST_NOW=2026-12-06T02:48:00Z TERM=xterm-256color LANGUAGE=en
expect_screen "the dashboard: change sets off" "change sets off"
keys q
expect_eq "quit" 0 "$(tui_exit)"
finish
