#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A restore killed with kill -9 (strace's fault injection at a chosen
# system call) is undone or finished by the next command, from its journal:
# - killed while staging the media: the staging folder goes, nothing else
#   had changed;
# - killed after the database was replaced, as the media are swapped in:
#   the media are put in place, so database and media agree, and the
#   command says so;
# - an export killed before its part file became the zip: the part goes.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
command -v strace >/dev/null || { echo "strace is not installed" >&2; exit 1; }

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
new_backup --name base || exit 1
base_media=$(tree_state media)
base_rows=$(sqlite3 db.sqlite3 "SELECT count(*) FROM unit")
# The project moves on after the backup.
sqlite3 db.sqlite3 "DELETE FROM unit WHERE id > 100"
echo "later" >media/later.txt
leftovers() { ls -d "$proj"/media.poshtiban-* backups/.poshtiban/restore.json 2>/dev/null; }

# Killed as it enters the staging folder.
strace -f -qq -o /dev/null -e trace=chdir -e inject=chdir:signal=KILL:when=1 \
    "$POSHTIBAN" restore base --yes </dev/null >/dev/null 2>&1
check "staging: a staging folder and the journal were left by the kill" test -n "$(leftovers)"
moved_on=$(tree_state media)
run_pt list </dev/null
expect_eq "staging: the next command cleans up ($err)" "" "$(leftovers)"
expect_eq "staging: the media are as they were" "$moved_on" "$(tree_state media)"
expect_eq "staging: the database is as it was" 100 "$(sqlite3 db.sqlite3 "SELECT count(*) FROM unit")"

# Killed at the swap of the media folder, after the database was replaced.
strace -f -qq -o /dev/null -e trace=renameat2 -e inject=renameat2:signal=KILL:when=1 \
    "$POSHTIBAN" restore base --yes </dev/null >/dev/null 2>&1
expect_eq "swap: the database was replaced before the kill" "$base_rows" \
    "$(sqlite3 db.sqlite3 "SELECT count(*) FROM unit")"
check "swap: the media were not, yet" test -e media/later.txt
run_pt list </dev/null
expect_eq "swap: the next command exits 0 ($err)" 0 "$status"
case $err in *"restore of base was cut short; it was finished now"*) ;;
    *) fail "swap: it says it finished the restore: [$err]" ;; esac
expect_eq "swap: the media now match the database's backup" "$base_media" "$(tree_state media)"
expect_eq "swap: nothing left over" "" "$(leftovers)"
grep -q "restore of base was cut short; it was finished now" backups/.poshtiban/auto.log ||
    fail "swap: auto.log keeps it"
check "swap: the project database is whole" \
    test "$(sqlite3 db.sqlite3 'PRAGMA integrity_check')" = ok
# An export killed just before its part file is renamed: the next command removes the part.
mkdir -p "$scratch/out"
strace -f -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when=1 \
    "$POSHTIBAN" export base -o "$scratch/out/base.zip" </dev/null >/dev/null 2>&1
check "export: the kill left a part file" test -n "$(ls "$scratch/out"/*.part-* 2>/dev/null)"
run_pt list </dev/null
expect_eq "export: the next command removed it" "" "$(ls -A "$scratch/out")"
expect_eq "export: and its marker" "" "$(ls -A backups/.poshtiban/tmp)"
finish
