#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A writer commits to the source throughout a large create: the snapshot is
# intact and one consistent state (the counter agrees with the rows it counts),
# and the writer is never refused.
. "$(dirname "$0")/../lib/lib.sh"

run_case() { # run_case JOURNAL-MODE
    local mode=$1 proj=$scratch/$1
    mkdir -p "$proj"
    sqlite3 "$proj/db.sqlite3" >/dev/null <<SQL
PRAGMA journal_mode=$mode;
CREATE TABLE event (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE counter (n INTEGER NOT NULL);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 150000)
INSERT INTO event (payload) SELECT randomblob(1000) FROM s;
INSERT INTO counter SELECT count(*) FROM event;
SQL
    # The writer: one transaction per event, the counter kept in step; it
    # records how many commits it made and any error it met.
    "$PY" - "$proj/db.sqlite3" "$scratch/$mode.stop" "$scratch/$mode.writer" <<'PY' &
import os, sqlite3, sys, time
db, stop, log = sys.argv[1:4]
c = sqlite3.connect(db, timeout=60, isolation_level=None)
commits = errors = 0
while not os.path.exists(stop):
    try:
        c.execute("BEGIN IMMEDIATE")
        c.execute("INSERT INTO event (payload) VALUES (randomblob(1000))")
        c.execute("UPDATE counter SET n = n + 1")
        c.execute("COMMIT")
        commits += 1
    except sqlite3.Error as e:
        errors += 1
        print("writer:", e, file=sys.stderr)
        try:
            c.execute("ROLLBACK")
        except sqlite3.Error:
            pass
    with open(log + ".tmp", "w") as f:
        f.write("%d %d\n" % (commits, errors))
    os.replace(log + ".tmp", log)
PY
    local writer=$!
    until [ -s "$scratch/$mode.writer" ]; do sleep 0.05; done
    local before
    before=$(cut -d' ' -f1 "$scratch/$mode.writer")
    (cd "$proj" && "$POSHTIBAN" create --json --no-media >"$scratch/$mode.json") || fail "$mode: create"
    local during
    during=$(cut -d' ' -f1 "$scratch/$mode.writer")
    sleep 0.3
    touch "$scratch/$mode.stop"
    wait "$writer"
    local b
    b=$(json_eval 'd["path"]' <"$scratch/$mode.json")
    # The default dir backup: the snapshot and fixtures compressed, opened as by hand.
    zstd -dcq "$b/database.sqlite3.zst" >"$scratch/$mode.snapshot" || fail "$mode: zstd -d of the snapshot"
    expect_eq "$mode: integrity_check" ok "$(sqlite3 "$scratch/$mode.snapshot" 'PRAGMA integrity_check')"
    local n rows
    n=$(sqlite3 "$scratch/$mode.snapshot" 'SELECT n FROM counter')
    rows=$(sqlite3 "$scratch/$mode.snapshot" 'SELECT count(*) FROM event')
    expect_eq "$mode: counter agrees with rows in the snapshot" "$rows" "$n"
    expect_eq "$mode: fixtures from the same state" "$rows" \
        "$("$PY" -c 'import gzip,json,sys; print(sum(1 for o in json.load(gzip.open(sys.argv[1])) if o["model"] == "event"))' "$b/complete_database.json.gz")"
    expect_eq "$mode: catalog row count" "$rows" "$(json_eval 'd["tables"]["event"]' <"$scratch/$mode.json")"
    check "$mode: the writer went on after the backup ($before → $during)" test "$(cut -d' ' -f1 "$scratch/$mode.writer")" -gt "$during"
    expect_eq "$mode: writer errors" 0 "$(cut -d' ' -f2 "$scratch/$mode.writer")"
    check "$mode: the snapshot holds rows committed after the writer started" test "$rows" -gt 150000
    if [ "$mode" = wal ]; then
        check "wal: the writer committed while the backup ran ($before → $during)" test "$during" -gt "$before"
    fi
}

run_case wal
run_case delete
finish
