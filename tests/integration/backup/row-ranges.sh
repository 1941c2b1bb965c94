#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 25: a changed table's unchanged row ranges are copied from the
# previous dir backup as they are stored (docs/backup-layout.md, "Shared row
# ranges"), only from a fixture proven good. On the Django demo with its
# transactions grown to about 12,000 rows (some of them long enough for
# overflow pages):
# - the report records each range (key, rows, rowids, bytes) lying end to
#   end in the fixture; after one row updated, one deleted and a few added,
#   the next backup copies all ranges but those, and its fixtures and
#   complete_database.json.gz are byte for byte those of a backup of the same
#   database in a fresh backup root; loaddata of it gives the database's own
#   dumpdata; verify --deep passes;
# - never copied: a range whose key another range's (keys swapped, report
#   resealed), ranges that do not lie end to end (an offset moved), ranges
#   of the wrong type or far past the file's end, ranges
#   that do not begin a member (a length moved, both resealed), a fixture
#   with a byte changed (not resealed: written afresh with a warning), a
#   fixture replaced by a link to a good copy; each time the backup is still
#   byte for byte the fresh root's;
# - kill -9 while ranges are copied leaves no backup, an empty tmp and the
#   previous backup whole.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-share.sh"

if ! "$PY" -c 'import django' >/dev/null 2>&1; then
    echo "SKIP: $PY cannot import django" >&2
    exit 77
fi
demo=$SOURCE_ROOT/data/demo
export PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=demo.settings

table=realestate_transaction
fixture=fixtures/realestate.transaction.json.gz
# ranges PATH EXPR: EXPR on the report's row_ranges of the transactions (r, a list of lists).
ranges() {
    "$PY" -c 'import json,sys
d = json.load(open(sys.argv[1] + "/backup_report.json"))
r = [t.get("row_ranges") for t in d["tables"] if t["name"] == sys.argv[2]][0]
print(eval(sys.argv[3]))' "$1" "$table" "$2"
}
# forge DIR PYTHON: runs PYTHON on the transactions' row_ranges (r) of DIR's report, reseals it.
forge() {
    chmod u+w "$1/backup_report.json"
    "$PY" -c 'import json,sys
p = sys.argv[1] + "/backup_report.json"
d = json.load(open(p))
r = [t for t in d["tables"] if t["name"] == sys.argv[2]][0]["row_ranges"]
exec(sys.argv[3])
json.dump(d, open(p, "w"), ensure_ascii=False, indent=2)' "$1" "$table" "$2"
    reseal "$1" backup_report.json
}
# same_bytes PATH WHAT: every fixture and the complete file of PATH are the twin's, byte for byte.
same_bytes() {
    local f
    for f in "$twin"/complete_database.json.gz "$twin"/fixtures/*.json.gz; do
        check "$2: ${f#"$twin"/} is a fresh root's, byte for byte" cmp "$1/${f#"$twin"/}" "$f"
    done
}
sql() { sqlite3 "$proj/db.sqlite3" "$1"; }
# touch_row ID: one transaction changed, its length kept.
touch_row() { sql "UPDATE $table SET confirmed = 1 - confirmed WHERE id = $1"; }

proj=$scratch/proj
"$demo/make-demo" "$proj" >/dev/null || fail "make-demo"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
grow_transactions
rows=$(sql "SELECT count(*) FROM $table")
check "the table has grown ($rows rows)" test "$rows" -ge 12000

# --- b1: the ranges as recorded
new_backup --no-media --name b1 || finish
p1=$path
n1=$(ranges "$p1" 'len(r)')
check "b1: the transactions are in several ranges ($n1)" test "$n1" -ge 4
expect_eq "b1: the ranges hold every row" "$rows" "$(ranges "$p1" 'sum(x[1] for x in r)')"
expect_eq "b1: they lie end to end, rowids rising" "True" \
    "$(ranges "$p1" 'all(r[i][5] + r[i][6] == r[i + 1][5] and r[i][3] < r[i + 1][2] for i in range(len(r) - 1))')"
expect_eq "b1: the last ends before the closing member" "True" \
    "$(ranges "$p1" "r[-1][5] + r[-1][6] < $(stat -c %s "$p1/$fixture")")"
# Each range's bytes are gzip members of its rows alone.
expect_eq "b1: a range's bytes unpack to its rows" "True" "$("$PY" -c 'import gzip,json,sys
d = json.load(open(sys.argv[1] + "/backup_report.json"))
r = [t["row_ranges"] for t in d["tables"] if t["name"] == sys.argv[2]][0]
data = open(sys.argv[1] + "/" + sys.argv[3], "rb").read()
ok = True
for i, (key, n, first, last, invalid, at, length) in enumerate(r):
    text = gzip.decompress(data[at:at + length]).decode()
    rows = json.loads("[" + (text[2:] if i else text) + "]")
    ok = ok and len(rows) == n and rows[0]["pk"] == first and rows[-1]["pk"] == last
print(ok)' "$p1" "$table" "$fixture")"
fresh_twin t1
same_bytes "$p1" b1

# --- b2: one row updated, one deleted, a few added: the other ranges copied
mid=$(ranges "$p1" 'r[len(r) // 2][2]')
del=$(ranges "$p1" 'r[1][3]')
touch_row "$mid"
sql "DELETE FROM $table WHERE id = $del"
sql "INSERT INTO $table (id, $cols) SELECT id + 100000, $cols FROM $table WHERE id <= 5"
new_backup --no-media --name b2 || finish
p2=$path
n2=$(ranges "$p2" 'len(r)')
copied=$(totals "$p2" 'd["row_ranges"]')
# The range of the updated row, the one of the deleted row (it ended there: it joins the next) and the last.
check "b2: all ranges but the changed ones copied ($copied of $n2)" test "$copied" -ge $((n2 - 4)) -a "$copied" -lt "$n2"
check "b2: the fixture is its own file" test "$(stat -c %i "$p1/$fixture")" != "$(stat -c %i "$p2/$fixture")"
fresh_twin t2
same_bytes "$p2" b2
manage "$scratch/loaded.sqlite3" migrate -v 0 >"$scratch/manage.log" 2>&1 || fail "migrate: $(tail -1 "$scratch/manage.log")"
manage "$scratch/loaded.sqlite3" loaddata -v 0 "$p2/complete_database.json.gz" >"$scratch/manage.log" 2>&1 ||
    fail "loaddata b2: $(tail -1 "$scratch/manage.log")"
check "b2: loaddata of complete_database.json.gz gives the database's dumpdata" \
    cmp <(manage "$scratch/loaded.sqlite3" dumpdata 2>/dev/null) <(manage "$proj/db.sqlite3" dumpdata 2>/dev/null)
pt_ok verify --deep b2
pt_ok delete b1 --yes
check "b2: whole once b1 is gone" sh -c "cd '$p2' && sha256sum -c --quiet SHA256SUMS"

# --- hostile previous reports and fixtures: nothing wrong is copied
# step NAME SETUP: one row changed, SETUP run on the newest backup ($last), a new backup NAME
# compared with a fresh root's; $path is the new one.
last=$p2
step() {
    touch_row "$(ranges "$last" 'r[0][2]')"
    eval "$2"
    new_backup --no-media --name "$1" || finish
    fresh_twin "t$1"
    same_bytes "$path" "$1"
    pt_ok verify --deep "$1"
}
step b3 'forge "$last" "r[2][0], r[3][0] = r[3][0], r[2][0]"'
n3=$(ranges "$path" 'len(r)')
expect_eq "b3: swapped keys copy neither of those ranges" "$((n3 - 3))" "$(totals "$path" 'd["row_ranges"]')"
last=$path
step b4 'forge "$last" "r[1][5] += 1"'
expect_eq "b4: ranges not end to end: none copied, nothing found bad" "0 0" "$(totals "$path" '"%d %d" % (d["row_ranges"], d["share_bad"])')"
last=$path
step b4x 'forge "$last" "r[1][1] = \"12\"; r[2][5] = 2 ** 62; r[2][6] = 2 ** 62; r.append([r[0][0], 1, 2 ** 63 - 1, 2 ** 63 - 1, 0, 2 ** 62 + 2 ** 62, 1])"'
expect_eq "b4x: ranges of the wrong type or past the end: none copied" "0" "$(totals "$path" 'd["row_ranges"]')"
last=$path
step b4y 'forge "$last" "r[1][1] = 2 ** 62; r[2][1] = 2 ** 62"'
expect_eq "b4y: row counts that overflow their sum: none copied, one found bad" "0 1" "$(totals "$path" '"%d %d" % (d["row_ranges"], d["share_bad"])')"
last=$path
step b5 'forge "$last" "r[1][6] += 7; r[2][5] += 7; r[2][6] -= 7"'
expect_eq "b5: ranges that do not begin a member: none copied, one found bad" "0 1" "$(totals "$path" '"%d %d" % (d["row_ranges"], d["share_bad"])')"
last=$path
at=$(ranges "$last" 'r[2][5] + 20')
step b6 'chmod u+w "$last/$fixture"; printf "\x00" | dd of="$last/$fixture" bs=1 seek=$at conv=notrunc status=none'
expect_eq "b6: a fixture not as recorded: none copied, one found bad" "0 1" "$(totals "$path" '"%d %d" % (d["row_ranges"], d["share_bad"])')"
case $(warnings_of "$path") in *"backup b5 holds them damaged"*) ;; *) fail "b6: a warning names b5: $(warnings_of "$path")" ;; esac
last=$path
step b7 'cp "$last/$fixture" "$scratch/good.json.gz"; chmod u+w "$last/fixtures"; rm -f "$last/$fixture"; ln -s "$scratch/good.json.gz" "$last/$fixture"'
expect_eq "b7: a link to a good copy: none copied" "0" "$(totals "$path" 'd["row_ranges"]')"
last=$path
step b8 ':'
check "b8: copies again from a good b7" test "$(totals "$path" 'd["row_ranges"]')" -gt 0

# --- kill -9 while ranges are copied: no backup, empty tmp, b8 whole
p8=$path
before=$(cd "$p8" && find . -type f -printf '%p %i %m\n' | sort)
for n in 3 5 8 12; do
    touch_row "$(ranges "$p8" 'r[0][2]')"
    st=0
    POSHTIBAN_TEST_KILL_AFTER=$n "$POSHTIBAN" create --no-media --name "k$n" </dev/null >/dev/null 2>&1 || st=$?
    expect_eq "kill at $n: create ends by SIGKILL" 137 "$st"
    run_pt list --json </dev/null
    expect_eq "kill at $n: k$n is interrupted" "interrupted" \
        "$(echo "$out" | json_eval "' '.join(r['status'] for r in d['backups'] if r['name'] == 'k$n')")"
    check "kill at $n: no backup k$n on disk" test ! -e "backups/k$n"
    expect_eq "kill at $n: tmp is empty" "" "$(ls -A backups/.poshtiban/tmp)"
done
expect_eq "b8: its files, inodes and modes as before" "$before" \
    "$(cd "$p8" && find . -type f -printf '%p %i %m\n' | sort)"
touch_row "$(ranges "$p8" 'r[0][2]')"
new_backup --no-media --name b9 || finish
check "b9: copies from b8 after the kills" test "$(totals "$path" 'd["row_ranges"]')" -gt 0
fresh_twin t9
same_bytes "$path" b9
finish
