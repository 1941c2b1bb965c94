#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A restore carries out the plan the user saw (docs/safety.md, "A restore
# does what its preview said"): when the database, the media folder or the
# backup changed between the preview and the yes, it refuses, says what
# changed, and changes nothing; without a change it restores. Through the
# CLI on a terminal (tmux, the question answered after the change) and
# through the TUI's restore.
. "$SOURCE_ROOT/tests/integration/lib/lib.sh"
. "$SOURCE_ROOT/tests/integration/lib/tmux.sh"
unset LANGUAGE LANG
export LC_ALL=C.UTF-8 TZ=UTC POSHTIBAN_TEST_NOW=2026-03-01T10:00:00Z

proj=$scratch/proj
make_project "$proj"
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
pt create --name before >/dev/null 2>&1 || fail "create before"
sqlite3 "$proj/db.sqlite3" "DELETE FROM unit WHERE id > 10"
rows() { sqlite3 "$proj/db.sqlite3" "SELECT count(*) FROM unit"; }
backups() { pt list --json </dev/null | json_eval 'len(d)'; }

# cli_start ARGS…: poshtiban -C $proj ARGS on a terminal (tmux); its exit status goes to $scratch/exit.
cli_start() {
    rm -f "$scratch/exit"
    tmux -S "$tmux_socket" kill-server 2>/dev/null
    tmux_started=$((tmux_started + 1))
    tmux_socket="$scratch/tmux.$tmux_started.sock"
    local cmd
    printf -v cmd '%q ' "$POSHTIBAN" -C "$proj" "$@"
    tmux -S "$tmux_socket" -f /dev/null new-session -d -s tui -x 250 -y 40 \
        "$cmd; echo \$? >$(printf %q "$scratch/exit"); sleep 600"
    tmux -S "$tmux_socket" set-option -t tui status off >/dev/null
}
refused_line="changed since the preview: nothing was restored; look at the plan again"

# --- the CLI: a row written by sqlite3 while the question waits ---
cli_start restore before
expect_screen "cli: the question" "[y/N]" 30
sqlite3 "$proj/db.sqlite3" "INSERT INTO unit (investor_id, area) VALUES (1, 7.5)"
n_before=$(backups)
keys y Enter
expect_eq "cli, database changed: exit 1" 1 "$(tui_exit)"
expect_screen "cli, database changed: says so" "the database $proj/db.sqlite3 $refused_line"
expect_eq "cli, database changed: the new row stays" 11 "$(rows)"
expect_eq "cli, database changed: no pre_restore backup was made" "$n_before" "$(backups)"

# --- the media folder changed (one file rewritten, same size) ---
cli_start restore before
expect_screen "cli: the question again" "[y/N]" 30
printf 'دادهٔ' >"$proj/media/docs/contract.txt"
keys y Enter
expect_eq "cli, media changed: exit 1" 1 "$(tui_exit)"
expect_screen "cli, media changed: says so" "the media folder $proj/media $refused_line"
expect_eq "cli, media changed: the file stays" 'دادهٔ' "$(cat "$proj/media/docs/contract.txt")"
expect_eq "cli, media changed: the rows stay" 11 "$(rows)"

# --- hostile: the backup deleted and another made under its name meanwhile ---
cli_start restore before
expect_screen "cli: the question, a third time" "[y/N]" 30
pt delete before --yes >/dev/null 2>&1 || fail "delete before"
sqlite3 "$proj/db.sqlite3" "DELETE FROM unit WHERE id > 3"
pt create --name before >/dev/null 2>&1 || fail "create another before"
n_before=$(backups)
keys y Enter
expect_eq "cli, backup replaced: exit 1" 1 "$(tui_exit)"
expect_screen "cli, backup replaced: says so" "backup before $refused_line"
expect_eq "cli, backup replaced: the rows stay" 3 "$(rows)"
expect_eq "cli, backup replaced: nothing was made" "$n_before" "$(backups)"

# --- the same in Persian: one line, translated ---
cli_start --lang fa restore before
expect_screen "cli fa: the question" "[" 30
sqlite3 "$proj/db.sqlite3" "INSERT INTO unit (investor_id, area) VALUES (2, 1.5)"
keys y Enter
expect_eq "cli fa, database changed: exit 1" 1 "$(tui_exit)"
case $(screen) in *"$refused_line"*) fail "cli fa: the refusal is in Persian: $(screen)" ;; esac
expect_eq "cli fa: the rows stay" 4 "$(rows)"

# --- nothing changed: the restore goes through ---
cli_start restore before
expect_screen "cli: the question, unchanged" "[y/N]" 30
keys y Enter
expect_eq "cli, unchanged: exit 0" 0 "$(tui_exit)"
expect_screen "cli, unchanged: restored" "Restored before"
expect_eq "cli, unchanged: the backup's rows are back" 3 "$(rows)"

# --- the TUI: the restore job carries out the plan its preview showed ---
sqlite3 "$proj/db.sqlite3" "DELETE FROM unit WHERE id > 2"
tui_start 120 40 "$proj" LANGUAGE=en
keys 2
wait_for before 10 || fail "tui: the list shows the backup"
keys End r
expect_screen "tui: the restore preview" "unit" 30
sqlite3 "$proj/db.sqlite3" "INSERT INTO unit (investor_id, area) VALUES (3, 2.5)"
keys y
expect_screen "tui, database changed: says so" "changed since the preview" 30
expect_eq "tui, database changed: the rows stay" 3 "$(rows)"
keys q
tui_start 120 40 "$proj" LANGUAGE=en
keys 2
wait_for before 10 || fail "tui: the list again"
keys End r
expect_screen "tui: the preview, unchanged" "unit" 30
keys y
expect_screen "tui, unchanged: restored" "Restored before" 60
expect_eq "tui, unchanged: the backup's rows are back" 3 "$(rows)"
keys q

finish
