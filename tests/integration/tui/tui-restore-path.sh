#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One file back in the TUI (issue 23): in Detail's file list, r on a media
# file shows what restore --path would write, asks the CLI's question, and
# on y brings back just that file; r elsewhere still restores the whole
# backup (its own question); E writes the plain ZIP.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/tmux.sh"

proj=$scratch/proj
make_project "$proj"
head -c 200000 /dev/urandom >"$proj/media/x.jpg"
x_sum=$(sha256sum "$proj/media/x.jpg" | cut -d' ' -f1)
"$POSHTIBAN" -C "$proj" create --name one >/dev/null || fail "create"
rm "$proj/media/x.jpg"
before=$(tree_state "$proj/media")
db_before=$(sha256sum "$proj/db.sqlite3")

tui_start 132 60 "$proj"
expect_screen "dashboard" "in all"
keys 2
expect_screen "list" "1 backup"
keys Enter
expect_screen "detail: the file list" "r on a media file restores just that file"
first=$(screen | grep -nE '^  ID ' | head -n 1 | cut -d: -f1)
file=$(screen | grep -nF 'media/x.jpg' | head -n 1 | cut -d: -f1)
if [ -z "$first" ] || [ -z "$file" ]; then
    fail "detail shows the ID line and media/x.jpg"
    screen >&2
else
    # r on the ID line: the whole backup, with restore's own question.
    keys r
    expect_screen "r off the file list: the whole restore" "The current state is saved first" 30
    keys n
    expect_screen "declined" "Restore cancelled: nothing changed." 10
    for _ in $(seq $((file - first))); do keys Down; done
    keys r
    expect_screen "r on media/x.jpg: what would be written" "+ media/x.jpg" 30
    expect_screen "r on media/x.jpg: the CLI's question" "Restore media/x.jpg from backup one" 5
    keys y
    expect_screen "restored" "Restored 1 file from backup one" 30
fi
expect_eq "x.jpg is back" "$x_sum" "$(sha256sum "$proj/media/x.jpg" 2>/dev/null | cut -d' ' -f1)"
expect_eq "nothing else in the media changed" "$before" \
    "$(tree_state "$proj/media" | grep -v '^f x.jpg ')"
expect_eq "the database is untouched" "$db_before" "$(sha256sum "$proj/db.sqlite3")"
expect_eq "only the one backup (no pre_restore)" 1 \
    "$("$POSHTIBAN" -C "$proj" list --json | json_eval 'd["total"]')"

keys E
expect_screen "E: the plain ZIP" "one-plain.zip" 30
keys q
expect_eq "quit" 0 "$(tui_exit)"
check "the plain ZIP holds database.sqlite3" \
    sh -c "unzip -l '$proj/backups/.poshtiban/exports/one-plain.zip' | grep -q ' one/database.sqlite3$'"
finish
