#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3, acceptance 3: a reader holding the live database open and querying
# it in a loop throughout `restore --yes --database-only` never gets an error
# and never sees a mix of the old and the new content; on the same connection
# it sees the restored content once the restore is done.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

run_case() { # run_case JOURNAL-MODE
    local mode=$1
    proj=$scratch/$mode
    mkdir -p "$proj"
    cd "$proj" || return
    plain_files "$proj"
    # Tables a and b carry a generation number in every row; their pages are
    # interleaved with a large pad table, so a copy that is not atomic shows.
    sqlite3 db.sqlite3 >/dev/null <<SQL
PRAGMA journal_mode=$mode;
CREATE TABLE a (id INTEGER PRIMARY KEY, gen INTEGER NOT NULL, x INTEGER NOT NULL, t TEXT NOT NULL);
CREATE TABLE b (id INTEGER PRIMARY KEY, gen INTEGER NOT NULL, x INTEGER NOT NULL);
CREATE TABLE pad (id INTEGER PRIMARY KEY, p BLOB NOT NULL);
SQL
    "$PY" - db.sqlite3 <<'PY'
import sqlite3, sys, os
c = sqlite3.connect(sys.argv[1])
for i in range(1, 20001):
    c.execute("INSERT INTO a VALUES (?, 1, ?, ?)", (i, i, "سطر %06d " % i + "x" * 80))
    c.execute("INSERT INTO b VALUES (?, 1, ?)", (i, 3 * i))
    c.execute("INSERT INTO pad VALUES (?, ?)", (i, os.urandom(1400)))
c.commit()
PY
    pt_ok settings set retention.auto_cleanup false
    new_backup --no-media --format dir || return
    local bid=$id
    local backup_dump
    backup_dump=$(db_dump db.sqlite3 | sha256sum)
    # The current state: another generation, fewer rows, other sums.
    sqlite3 db.sqlite3 "UPDATE a SET gen = 2, x = x + 7; DELETE FROM a WHERE id % 10 = 0;
                        UPDATE b SET gen = 2, x = x + 1; DELETE FROM b WHERE id % 10 = 0;"
    local states
    states=$("$PY" - db.sqlite3 "$path/database.sqlite3" <<'PY'
import json, sqlite3, sys
def state(db):
    c = sqlite3.connect(db)
    a = c.execute("SELECT count(*), sum(x), min(gen), max(gen) FROM a").fetchone()
    b = c.execute("SELECT count(*), sum(x), min(gen), max(gen) FROM b").fetchone()
    return list(a) + list(b)
print(json.dumps({"current": state(sys.argv[1]), "backup": state(sys.argv[2])}))
PY
    )
    check "$mode: the two states differ ($states)" test "$(echo "$states" | json_eval 'd["current"] != d["backup"]')" = True

    # The reader: one connection for its whole life; each read one transaction.
    local log=$scratch/$mode.reader stop=$scratch/$mode.stop
    "$PY" - db.sqlite3 "$stop" "$log" "$states" <<'PY' &
import json, os, sqlite3, sys, time
db, stop, log, states = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
c = sqlite3.connect(db, timeout=30, isolation_level=None)
r = {"reads": 0, "errors": 0, "mixed": 0, "seen": {}, "last": None, "samples": []}
while not os.path.exists(stop):
    try:
        c.execute("BEGIN")
        a = c.execute("SELECT count(*), sum(x), min(gen), max(gen) FROM a").fetchone()
        b = c.execute("SELECT count(*), sum(x), min(gen), max(gen) FROM b").fetchone()
        c.execute("COMMIT")
        got = list(a) + list(b)
        r["reads"] += 1
        label = next((k for k, v in states.items() if v == got), None)
        if label is None:
            r["mixed"] += 1
            if len(r["samples"]) < 5:
                r["samples"].append(got)
        else:
            r["seen"][label] = r["seen"].get(label, 0) + 1
            r["last"] = label
    except sqlite3.Error as e:
        r["errors"] += 1
        if len(r["samples"]) < 5:
            r["samples"].append(str(e))
        try:
            c.execute("ROLLBACK")
        except sqlite3.Error:
            pass
    with open(log + ".tmp", "w") as f:
        json.dump(r, f)
    os.replace(log + ".tmp", log)
PY
    local reader=$!
    until [ -s "$log" ] && [ "$(json_eval 'd["reads"]' <"$log")" -ge 3 ]; do sleep 0.05; done
    local reads_before reads_after
    reads_before=$(json_eval 'd["reads"]' <"$log")
    run_pt restore "$bid" --yes --database-only --json </dev/null
    expect_eq "$mode: restore exit ($err)" 0 "$status"
    reads_after=$(json_eval 'd["reads"]' <"$log")
    # Let the reader read the restored state a few times on its old connection.
    local until_reads=$((reads_after + 5)) waited=0
    while [ "$(json_eval 'd["reads"]' <"$log")" -lt "$until_reads" ] && [ $waited -lt 600 ]; do
        sleep 0.05
        waited=$((waited + 1))
    done
    touch "$stop"
    wait "$reader"
    local r
    r=$(cat "$log")
    echo "note: $mode: $((reads_after - reads_before)) reads during the restore; reader: $r" >&2
    expect_eq "$mode: reader errors ($r)" 0 "$(echo "$r" | json_eval 'd["errors"]')"
    expect_eq "$mode: reader saw a mixed state ($r)" 0 "$(echo "$r" | json_eval 'd["mixed"]')"
    check "$mode: the reader read throughout the restore ($reads_before → $reads_after)" \
        test $((reads_after - reads_before)) -ge 10
    check "$mode: the reader saw the state before the restore ($r)" \
        test "$(echo "$r" | json_eval 'd["seen"].get("current", 0)')" -ge 3
    expect_eq "$mode: the same connection sees the restored state ($r)" backup "$(echo "$r" | json_eval 'd["last"]')"
    expect_eq "$mode: rows equal the backup's" "$backup_dump" "$(db_dump db.sqlite3 | sha256sum)"
    expect_eq "$mode: integrity after the restore" ok "$(sqlite3 db.sqlite3 'PRAGMA integrity_check')"
}

run_case delete
run_case wal
finish
