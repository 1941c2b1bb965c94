#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A capture compares a table keyed by its rowid only where the two files'
# cell ranges differ (docs/changes.md, "How a change set is made"): every
# change must still be in the change set. On the Django demo with its
# transactions grown to about 12,000 rows in many ranges, some long enough
# for overflow pages: captures after rows updated in one range and in an
# overflow page, a row deleted where a range ended, the first row deleted,
# rows added at the end and in a gap of the rowids, rows grown until their
# pages split, nothing changed, and only another table changed. The
# database rebuilt at each point (by tests/tools/changes-at, as restore --at
# stages it) is exactly the one captured then (compare_dumps.py --sqlite,
# every row of every table).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-share.sh"

if ! "$PY" -c 'import django' >/dev/null 2>&1; then
    echo "SKIP: $PY cannot import django" >&2
    exit 77
fi
demo=$SOURCE_ROOT/data/demo
table=realestate_transaction
proj=$scratch/proj
snaps=$scratch/snaps
mkdir -p "$snaps"
"$demo/make-demo" "$proj" >/dev/null || fail "make-demo"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
sql() { sqlite3 "$proj/db.sqlite3" "$1"; }
grow_transactions

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
t0=$(date -u -d 2026-12-01T00:00:00Z +%s)
POSHTIBAN_TEST_NOW=$(iso "$t0") new_backup --no-media || finish
# ranges EXPR: EXPR on the base backup's row_ranges of the transactions (r).
ranges() {
    "$PY" -c 'import json,sys
d = json.load(open(sys.argv[1] + "/backup_report.json"))
r = [t["row_ranges"] for t in d["tables"] if t["name"] == sys.argv[2]][0]
print(eval(sys.argv[3]))' "$path" "$table" "$1"
}
check "the transactions are in many ranges" test "$(ranges 'len(r)')" -ge 8
mid=$(ranges 'r[len(r) // 2][2]')
ended=$(ranges 'r[2][3]')
long=$(sql "SELECT id FROM $table WHERE length(description) > 4000 AND id > $mid LIMIT 1")

change() {
    case $1 in
        1) sql "UPDATE $table SET confirmed = 1 - confirmed WHERE id IN ($mid, $((mid + 1)));
                UPDATE $table SET description = substr(description, 1, length(description) - 1) || 'ز'
                WHERE id = $long" ;;
        2) sql "DELETE FROM $table WHERE id = $ended;
                DELETE FROM $table WHERE id = (SELECT min(id) FROM $table);
                INSERT INTO $table (id, $cols) SELECT id + 100000, $cols FROM $table WHERE id <= 3" ;;
        3) sql "INSERT INTO $table (id, $cols) SELECT id + 500, $cols FROM $table WHERE id BETWEEN 5001 AND 5003" ;;
        4) sql "UPDATE $table SET description = description || printf('%.*c', 900, 'x')
                WHERE id BETWEEN 20001 AND 20060" ;;
        5) : ;;
        6) sql "UPDATE realestate_unit SET floor = floor + 1 WHERE id = 3" ;;
    esac
}
names=()
times=()
for k in 1 2 3 4 5 6; do
    change "$k"
    t=$((t0 + 600 * k))
    POSHTIBAN_TEST_NOW=$(iso "$t") pt_ok capture --json || finish
    names[k]=$(echo "$out" | json_eval 'd.get("name") or ""')
    times[k]=$(iso "$t")
    sqlite3 db.sqlite3 ".backup '$snaps/$k.sqlite3'"
done
expect_eq "a point for each change, none for no change" "True True True True False True" \
    "$(for k in 1 2 3 4 5 6; do [ -n "${names[k]}" ] && printf 'True ' || printf 'False '; done | sed 's/ $//')"
expect_eq "each point holds rows, not a whole database" "rows rows rows rows" \
    "$(for k in 1 2 3 4; do "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["kind"])' \
        "backups/changes/$(basename "$path")/${names[k]}.json"; done | tr '\n' ' ' | sed 's/ $//')"
for k in 1 2 3 4 5 6; do
    target=$scratch/at-$k.sqlite3
    if ! "$CHANGES_AT" "$proj" "${times[k]}" "$target" >/dev/null 2>"$scratch/changes-at.err"; then
        fail "point $k: $(cat "$scratch/changes-at.err")"
        continue
    fi
    "$PY" "$SOURCE_ROOT/tests/integration/lib/compare_dumps.py" --label "point $k" --sqlite \
        "$snaps/$k.sqlite3" "$target" || fail "point $k: the database rebuilt differs from the one captured"
done
finish
