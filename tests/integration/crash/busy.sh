#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3, acceptance 9: two `create` at once give exactly one backup; the
# other exits 3 with one clear line saying "busy", and leaves no record, no
# folder and nothing in .poshtiban/tmp.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
mkdir -p "$proj/media"
cd "$proj" || exit 1
# About a second per create.
sqlite3 db.sqlite3 "CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT, n INTEGER, payload TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 150000)
INSERT INTO item (label, n, payload) SELECT 'ردیف ' || i, i, hex(randomblob(50)) FROM s;"
head -c 2000000 /dev/urandom >media/p.bin
root=$(pwd -P)/backups
pt_ok settings set retention.auto_cleanup false

count() { # count: "TOTAL COMPLETED"
    run_pt list --json </dev/null
    echo "$out" | json_eval '"%d %d" % (d["total"], sum(1 for r in d["backups"] if r["status"] == "completed"))'
}
entries() { ls -A "$root" | grep -v '^\.poshtiban$' | wc -l; }

hit=0
for attempt in 1 2 3 4 5 6; do
    read -r total_before completed_before <<<"$(count)"
    entries_before=$(entries)
    "$POSHTIBAN" create --json </dev/null >"$scratch/o1" 2>"$scratch/e1" &
    p1=$!
    "$POSHTIBAN" create --json </dev/null >"$scratch/o2" 2>"$scratch/e2" &
    p2=$!
    s1=0 s2=0
    wait "$p1" || s1=$?
    wait "$p2" || s2=$?
    read -r total_after completed_after <<<"$(count)"
    if [ "$s1" = 0 ] && [ "$s2" = 0 ]; then
        echo "note: attempt $attempt: the two creates did not overlap; again" >&2
        expect_eq "attempt $attempt: two creates one after the other: two backups" \
            "$((completed_before + 2))" "$completed_after"
        continue
    fi
    hit=1
    if [ "$s1" = 0 ]; then loser=2 ls=$s2; else loser=1 ls=$s1; fi
    check "one of the two creates succeeded (exits $s1 and $s2)" test "$s1" = 0 -o "$s2" = 0
    if [ "$s1" = 0 ]; then winner=1; else winner=2; fi
    expect_eq "the winner made a completed backup" completed "$(json_eval 'd["status"]' <"$scratch/o$winner" 2>/dev/null)"
    expect_eq "the other exits 3 ($(cat "$scratch/e$loser"))" 3 "$ls"
    err=$(cat "$scratch/e$loser")
    expect_eq "the loser says one line ($err)" 1 "$(printf '%s\n' "$err" | grep -c .)"
    case $err in
        poshtiban:*[Bb]usy*) ;;
        *) fail "the loser's message says busy: [$err]" ;;
    esac
    expect_eq "the loser prints nothing on stdout" "" "$(cat "$scratch/o$loser")"
    expect_eq "exactly one new completed backup" "$((completed_before + 1))" "$completed_after"
    expect_eq "exactly one new record" "$((total_before + 1))" "$total_after"
    expect_eq "exactly one new backup on disk" "$((entries_before + 1))" "$(entries)"
    expect_eq "nothing left in tmp" "" "$(ls -A "$root/.poshtiban/tmp")"
    break
done
check "the two creates overlapped in one of the attempts" test "$hit" = 1
run_pt verify --all </dev/null
expect_eq "every backup verifies ($err)" 0 "$status"
finish
