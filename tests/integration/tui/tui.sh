#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The TUI end to end, in tmux at 80x24 and 132x43 (README, "The TUI"; issue 4).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"

proj=$scratch/proj
make_project "$proj"
plain_files "$proj"
# Some weight, so that the progress box stays up long enough to be seen.
sqlite3 "$proj/db.sqlite3" "CREATE TABLE blob (id INTEGER PRIMARY KEY, data BLOB);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 60000)
INSERT INTO blob (data) SELECT randomblob(1500) FROM s;"
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
pt settings set retention.auto_cleanup false >/dev/null
pt create --name alpha >/dev/null || fail "create alpha"
pt create --name beta --kind auto >/dev/null || fail "create beta"
count() { pt list --json | json_eval 'd["total"]'; }

for size in "80 24" "132 43"; do
    set -- $size
    tui_start "$1" "$2" "$proj"
    expect_screen "$1x$2: dashboard totals" "2 in all · 2 completed · 0 failed"
    expect_screen "$1x$2: last backup" "beta"
    expect_screen "$1x$2: database tables" "investor"
    expect_screen "$1x$2: footer" "q quit"
    keys q
    expect_eq "$1x$2: q exits 0" 0 "$(tui_exit)"
done

# --- n: a new backup with a progress box, then one more row ---
tui_start 80 24 "$proj"
expect_screen "dashboard" "in all"
keys n
expect_screen "progress box while creating" "Esc cancels" 10
expect_screen "creation finishes" "completed:" 60
expect_eq "one more backup" 3 "$(count)"
keys 2
expect_screen "list pane" "3 backups"
rows=$(screen | grep -cE '^ +[0-9]+ (alpha|beta|backup_)')
expect_eq "list rows" 3 "$rows"

# --- filters and search narrow the rows ---
# The filters step only through values that have backups (no scheduled one here).
keys K
expect_screen "kind filter: manual" "kind: manual"
expect_eq "manual rows" 2 "$(screen | grep -cE '^ +[0-9]+ (alpha|beta|backup_)')"
keys K
expect_screen "kind filter: auto" "kind: auto"
expect_eq "auto rows" 1 "$(screen | grep -cE '^ +[0-9]+ beta')"
columns=$(screen | grep -n 'CREATED' | head -1)
keys K
expect_screen "kind filter back to all, skipping scheduled" "kind: all"
expect_eq "the columns stay where they were" "$columns" "$(screen | grep -n 'CREATED' | head -1)"
keys J
expect_screen "J: the kind filter the other way" "kind: auto"
keys J J
expect_screen "J: back to all" "kind: all"
keys s
expect_screen "status filter: completed" "status: completed"
expect_eq "completed rows" 3 "$(screen | grep -cE '^ +[0-9]+ (alpha|beta|backup_)')"
keys s
expect_screen "status filter: no other status has backups, back to all" "status: all"
keys S
expect_screen "S: the status filter the other way" "status: completed"
keys S
expect_screen "status filter back to all" "status: all"
# Search follows each key; Enter keeps it, Esc clears it.
keys /
expect_screen "search prompt" "Search names:"
keys "a"
expect_screen "search as you type: a" "name: a "
keys "lp"
expect_screen "search narrows as you type" "name: alp"
expect_eq "search rows" "1" "$(screen | grep -cE '^ +[0-9]+ (alpha|beta|backup_)')"
screen | grep -qE '^ +[0-9]+ alpha' || fail "search keeps alpha"
keys Escape
expect_screen "Esc clears the search" "name: any"
keys / "alp" Enter
expect_screen "Enter keeps the search" "name: alp"

# --- Enter opens detail with tables and files; verify shows its result ---
keys Enter
expect_screen "detail pane" "alpha"
screen | grep -qE '^ +Name +alpha' || fail "detail pane: the Name line"
expect_screen "detail tables" "Tables"
keys PageDown PageDown
expect_screen "detail files" "database.sqlite3"
keys v
expect_screen "verify result" "alpha verified: every file intact" 30
# V verifies deeply: integrity_check and every JSON file parsed, as verify --deep.
keys V
expect_screen "deep verify result" "alpha verified deeply" 30
pt show alpha --json | json_eval 'd["verify_ok"]' | grep -q True || fail "verify recorded in the catalog"

# --- delete asks, then removes ---
keys 2 / Escape
expect_screen "search cleared" "name: any"
keys End
keys d
expect_screen "delete asks" "for good?"
keys n
expect_gone() { wait_gone "$1" 5 || fail "$2"; }
expect_gone "for good?" "declining closes the question"
expect_eq "declined: nothing deleted" 3 "$(count)"
keys d
expect_screen "delete asks again" "for good?"
keys y
expect_screen "deleted" "Deleted alpha" 20
expect_eq "one backup less" 2 "$(count)"
check "alpha's folder is gone" test ! -e "$proj/backups/alpha"

# --- settings: a bad value is refused with the CLI's message; a good one persists ---
keys 4
expect_screen "settings pane" "retention.max_backups"
keys Down Down Down Down Enter
expect_screen "edit prompt" "retention.max_backups: 10"
expect_screen "the allowed values" "allowed: 1 to 10000"
keys BSpace BSpace BSpace BSpace 0 Enter
cli_message=$(pt settings set retention.max_backups 0 2>&1 >/dev/null | sed 's/^poshtiban: //')
# The same words as the CLI's, as far as 80 columns show them.
expect_screen "validation message as in the CLI" "${cli_message:0:70}"
case $cli_message in *"1 to 10000"*) ;; *) fail "the CLI message says what is allowed: $cli_message" ;; esac
expect_eq "old value kept" 10 "$(pt settings get retention.max_backups)"
# The refused value stays in the prompt, to be mended.
expect_screen "the refused value stays" "retention.max_backups: 0"
keys BSpace 7 Enter
expect_screen "saved" "saved: retention.max_backups = 7"
expect_eq "valid edit persists" 7 "$(pt settings get retention.max_backups)"
keys Enter Escape
expect_screen "Esc leaves it" "retention.max_backups unchanged"

# --- resize 132x43 → 80x24 redraws cleanly: the same as a fresh start at 80x24 ---
keys q
expect_eq "q exits 0" 0 "$(tui_exit)"
screen | grep -q 'Dashboard  2 List' && fail "the terminal is restored: the TUI is still on screen"
tui_start 132 43 "$proj"
expect_screen "big dashboard" "in all"
keys 2
expect_screen "list at 132x43" "2 backups"
resize 80 24
sleep 0.5
resized=$(screen)
keys q
tui_exit >/dev/null
tui_start 80 24 "$proj"
expect_screen "fresh 80x24" "in all"
keys 2
expect_screen "fresh list" "2 backups"
sleep 0.3
expect_eq "after resize, the screen equals a fresh 80x24 one" "$(screen)" "$resized"

# --- too small ---
resize 70 20
expect_screen "too small notice" "window too small"
resize 80 24
expect_screen "back to normal" "2 backups"
keys q
expect_eq "q exits 0 at the end" 0 "$(tui_exit)"
finish
