#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The help screen lists every action of the table with its key; every key the
# footer shows does something; Esc cancels a long backup and leaves nothing.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"

# The action table, read from its one declaration: label<TAB>name<TAB>help.
actions=$("$PY" - "$SOURCE_ROOT/src/tui/action.h" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read().replace("\\\n", " ")
for m in re.finditer(r'X\(PT_ACT_\w+,\s*[^,]+,\s*[^,]+,\s*"([^"]+)",\s*N_\("([^"]+)"\),\s*N_\("([^"]+)"\)[,)]', text):
    print("\t".join(m.groups()))
PY
)
n_actions=$(printf '%s\n' "$actions" | grep -c .)
check "the action table was read ($n_actions actions)" test "$n_actions" -ge 20

proj=$scratch/proj
make_project "$proj"
"$POSHTIBAN" -C "$proj" create --name first >/dev/null || fail "create"

# --- help, wide and narrow ---
tui_start 132 43 "$proj"
expect_screen "dashboard" "in all"
keys '?'
expect_screen "help opens with ?" "any key closes this"
help=$(screen)
while IFS=$'\t' read -r label name text; do
    # A help line longer than its column is cut: its start, as far as every column shows it.
    printf '%s\n' "$help" | grep -qF -- "$name: ${text:0:40}" || fail "help at 132x43 lacks [$name: $text]"
    printf '%s\n' "$help" | grep -qF -- "$label" || fail "help lacks the key $label"
done <<<"$actions"
keys x
wait_gone "any key closes this" 5 || fail "any key closes help"
keys F1
expect_screen "help opens with F1" "any key closes this"
keys q
wait_gone "any key closes this" 5 || fail "q closes help first"
expect_screen "still running after closing help" "in all"
keys q
expect_eq "quit" 0 "$(tui_exit)"

tui_start 80 24 "$proj"
expect_screen "dashboard at 80x24" "in all"
keys '?'
expect_screen "help at 80x24" "any key closes this"
help=$(screen)
while IFS=$'\t' read -r label name text; do
    printf '%s\n' "$help" | grep -qF -- "$name" || fail "help at 80x24 lacks [$name]"
done <<<"$actions"
keys x q
expect_eq "quit" 0 "$(tui_exit)"

# --- every key in the list pane's footer does something (at 132 columns all show) ---
tui_start 132 43 "$proj"
expect_screen "dashboard" "in all"
keys 2
expect_screen "list" "1 backup"
footer=$(screen | tail -n 1)
effect() { # effect KEY LABEL EXPECTED-TEXT [KEYS AFTER]
    case $footer in *"$2 "*) ;; *) fail "the footer shows $2"; return ;; esac
    keys "$1"
    expect_screen "footer key $2 does something" "$3" 30
    [ -z "${4:-}" ] || keys $4
}
effect v "v verify" "first verified: every file intact"
effect e "e export" "Exported to"
effect p "p pin" "Pinned first"
effect d "d delete" "for good" n
effect / "/ search" "Search names:" Escape
effect s "s status" "status: completed" "s"
effect K "K kind" "kind: manual" "K K K"
effect n "n new" "completed:"
effect Enter "Enter open" "Tables"
keys 1
expect_screen "dashboard footer" "P prune"
footer=$(screen | tail -n 1)
effect R "R refresh" "in all"
effect P "P prune" "Retention deletes nothing now"
keys q
expect_eq "quit" 0 "$(tui_exit)"

# --- Esc cancels a long create: a cancelled record (not failed), no files, nothing in tmp ---
sqlite3 "$proj/db.sqlite3" "CREATE TABLE heavy (id INTEGER PRIMARY KEY, data BLOB);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 150000)
INSERT INTO heavy (data) SELECT randomblob(2000) FROM s;"
before=$(ls "$proj/backups" | sort)
tui_start 80 24 "$proj"
expect_screen "dashboard" "in all"
keys n
expect_screen "progress box" "Esc cancels" 20
sleep 0.3
keys Escape
expect_screen "cancelled" "cancelled" 60
keys q
tui_exit >/dev/null
expect_eq "no new backup folder" "$before" "$(ls "$proj/backups" | sort)"
expect_eq "tmp is empty" "" "$(ls -A "$proj/backups/.poshtiban/tmp")"
expect_eq "the record is cancelled, no error" "cancelled None" \
    "$("$POSHTIBAN" -C "$proj" list --json | json_eval '"%s %s" % (d["backups"][0]["status"], d["backups"][0]["error"])')"
run_pt -C "$proj" stats --json </dev/null
expect_eq "a cancel is not counted failed" 0 "$(echo "$out" | json_eval 'd["backups"]["failed"]')"
finish
