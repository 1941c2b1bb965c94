#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3, acceptance 8: `create` killed with SIGKILL at 10 different points
# (POSHTIBAN_TEST_KILL_AFTER=N: at its Nth progress callback), in every
# format: the next command shows that record `interrupted`, .poshtiban/tmp is
# empty, no backup of that name is on disk, and every earlier backup verifies.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
mkdir -p "$proj/media/photos"
cd "$proj" || exit 1
sqlite3 db.sqlite3 "CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT, n INTEGER, payload TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 150000)
INSERT INTO item (label, n, payload) SELECT 'ردیف ' || i, i, hex(randomblob(50)) FROM s;"
for i in 1 2 3 4; do head -c 1000000 /dev/urandom >"media/photos/p$i.bin"; done
root=$(pwd -P)/backups
pt_ok settings set retention.auto_cleanup false

completed=()
for fmt in dir zip tar.zst; do
    new_backup --format "$fmt" && completed+=("$name")
done
formats=(dir zip tar.zst)

day=0
killed=0
tried=()
# The first ten are the planned points; the rest stand in for any not reached.
for n in 1 2 3 5 8 13 20 30 45 60 4 6 7 9 10 11 12 14 16 18; do
    [ "$killed" -ge 10 ] && break
    day=$((day + 1))
    fmt=${formats[$((day % 3))]}
    when=$(printf '2026-05-%02dT12:00:00Z' "$day")
    bname=$(printf 'backup_202605%02d_120000' "$day")
    tried+=("$n/$fmt")
    st=0
    POSHTIBAN_TEST_NOW=$when POSHTIBAN_TEST_KILL_AFTER=$n \
        "$POSHTIBAN" create --format "$fmt" --json </dev/null >"$scratch/out" 2>"$scratch/err" || st=$?
    if [ "$st" = 0 ]; then
        echo "note: N=$n ($fmt): create finished before its ${n}th progress callback; another point is used" >&2
        completed+=("$bname")
        continue
    fi
    expect_eq "N=$n ($fmt): create ends by SIGKILL" 137 "$st"
    [ "$st" = 137 ] || continue
    # The next command, whatever it is, recovers.
    run_pt list --json </dev/null
    expect_eq "N=$n ($fmt): list after the kill ($err)" 0 "$status"
    rec_status=$(echo "$out" | json_eval "' '.join(r['status'] for r in d['backups'] if r['name'] == '$bname')")
    if [ "$rec_status" = completed ]; then
        # Killed after the backup was whole and in place: recovered as completed.
        echo "note: N=$n ($fmt): killed after the backup was finished; recovered as completed" >&2
        run_pt verify "$bname" </dev/null
        expect_eq "N=$n ($fmt): a backup recovered as completed verifies ($err)" 0 "$status"
        completed+=("$bname")
        continue
    fi
    expect_eq "N=$n ($fmt): the record is interrupted" interrupted "$rec_status"
    expect_eq "N=$n ($fmt): the record has an error" True \
        "$(echo "$out" | json_eval "all(r['error'] for r in d['backups'] if r['name'] == '$bname')")"
    expect_eq "N=$n ($fmt): .poshtiban/tmp is empty" "" "$(ls -A "$root/.poshtiban/tmp")"
    expect_eq "N=$n ($fmt): no backup of that name on disk" "" "$(cd "$root" && ls -d "$bname"* 2>/dev/null)"
    killed=$((killed + 1))
done
echo "note: kill points tried (N/format): ${tried[*]}" >&2
expect_eq "kill points that interrupted a create" 10 "$killed"

# Every backup completed before, between and after the kills still verifies.
for n in "${completed[@]}"; do
    run_pt verify "$n" </dev/null
    expect_eq "$n verifies after the kills ($err)" 0 "$status"
done
run_pt list --json </dev/null
expect_eq "no record left running" 0 "$(echo "$out" | json_eval 'sum(1 for r in d["backups"] if r["status"] == "running")')"
expect_eq "records: the completed ones and the interrupted ones" "$((${#completed[@]} + killed))" \
    "$(echo "$out" | json_eval 'd["total"]')"
# No stale lock: a create now works at once.
new_backup
expect_eq "create after the kills" completed "$(echo "$rec" | json_eval 'd["status"]' 2>/dev/null)"
finish
