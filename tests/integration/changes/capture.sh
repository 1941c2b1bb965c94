#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Change sets (docs/changes.md): poshtiban capture after inserts, updates,
# deletes, a migration, a table without a primary key and sqlite_sequence
# alone; a kill -9 at every step of a capture; a full disk; hostile points
# in a chain; auto under a moved clock; watch within a minute of a commit;
# delete taking a base's chain with it.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"

p=$scratch/p
make_project "$p"
sqlite3 "$p/db.sqlite3" <<'SQL'
PRAGMA journal_mode=WAL;
CREATE TABLE tag (code TEXT PRIMARY KEY, label TEXT);
CREATE TABLE shop_order (id INTEGER PRIMARY KEY AUTOINCREMENT, status TEXT, total REAL);
INSERT INTO tag VALUES ('a', 'A'), ('b', 'B');
INSERT INTO shop_order (status, total) VALUES ('new', 1.5), ('paid', 2);
SQL
chain() { echo "$p/backups/changes/$1"; }
pt() { POSHTIBAN_TEST_NOW=$1 "$POSHTIBAN" -C "$p" "${@:2}"; }
# dumps DB: every table's rows, sqlite_sequence included, as sqlite3 .dump gives them.
dump() { sqlite3 "$1" .dump | grep -v '^PRAGMA\|^BEGIN\|^COMMIT'; }

# Disk full: a clear line, nothing lost, the next capture works.
# Its own run (capture.sh disk-full); the main run leaves it out.
if part_begins disk-full; then
    try_mount "$scratch/small" -t tmpfs -o size=3m tmpfs || skip_part "cannot mount a tmpfs here"
    q=$scratch/small/p
    make_project "$q"
    rm -rf "$q/media"
    POSHTIBAN_TEST_NOW=2026-03-02T10:00:00Z "$POSHTIBAN" -C "$q" create --no-media >/dev/null || fail "create on the small disk"
    sqlite3 "$q/db.sqlite3" "UPDATE unit SET area = area + 1 WHERE id < 50;"
    POSHTIBAN_TEST_NOW=2026-03-02T10:10:00Z "$POSHTIBAN" -C "$q" capture >/dev/null || fail "capture on the small disk"
    points=$(cd "$q/backups/changes" && find . -type f | sort | xargs sha256sum)
    head -c 3M /dev/zero >"$scratch/small/filler" 2>/dev/null
    sqlite3 "$q/db.sqlite3" "UPDATE unit SET area = area + 1 WHERE id < 100;" 2>/dev/null || true
    out=$(POSHTIBAN_TEST_NOW=2026-03-02T10:20:00Z "$POSHTIBAN" -C "$q" capture 2>&1) && st=0 || st=$?
    expect_eq "disk full: capture fails" 1 "$st"
    check "disk full: one line, saying so" [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]
    check "disk full: says the disk is full" grep -qiE "space|full" <<<"$out"
    expect_eq "disk full: the points kept are intact" "$points" \
        "$(cd "$q/backups/changes" && find . -type f | sort | xargs sha256sum)"
    rm -f "$scratch/small/filler"
    POSHTIBAN_TEST_NOW=2026-03-02T10:30:00Z "$POSHTIBAN" -C "$q" capture >/dev/null || fail "disk full: the next capture works"
    check "disk full: nothing left in tmp" [ -z "$(ls "$q/backups/.poshtiban/tmp")" ]
    finish
fi

# No full backup yet: one line, exit 2, nothing written.
run_pt -C "$p" capture
expect_eq "capture before any backup exits 2" 2 "$status"
check "capture before any backup says why in one line" [ "$(printf '%s\n' "$err" | wc -l)" = 1 ]
check "...naming create" grep -q "poshtiban create" <<<"$err"
check "no changes folder before any backup" [ ! -e "$p/backups/changes" ]

run_pt -C "$p" create --name changes
expect_eq "a backup may not be named changes (the change sets' folder)" 2 "$status"

pt 2026-03-01T10:00:00Z create --no-media >/dev/null || fail "create"
base=$(pt 2026-03-01T10:00:00Z list --json | json_eval 'd["backups"][0]["name"]')

# Nothing changed: only the time of the check.
out=$(pt 2026-03-01T10:05:00Z capture --json) || fail "unchanged capture"
expect_eq "an unchanged database stores no point" True "$(json_eval 'd["unchanged"]' <<<"$out")"
check "...and no file" [ -z "$(ls "$(chain "$base")" 2>/dev/null)" ]

# Rows: 2 inserted (tag c, order 3), 1 updated (order 1), 1 deleted (tag a).
sqlite3 "$p/db.sqlite3" "INSERT INTO tag VALUES ('c', 'C'); DELETE FROM tag WHERE code = 'a';
  UPDATE shop_order SET status = 'shipped' WHERE id = 1; INSERT INTO shop_order (status, total) VALUES ('new', 9);"
out=$(pt 2026-03-01T10:15:00Z capture --json) || fail "capture of rows"
expect_eq "kind rows" rows "$(json_eval 'd["kind"]' <<<"$out")"
expect_eq "inserted" 2 "$(json_eval 'd["inserted"]' <<<"$out")"
expect_eq "updated" 1 "$(json_eval 'd["updated"]' <<<"$out")"
expect_eq "deleted" 1 "$(json_eval 'd["deleted"]' <<<"$out")"
name=$(json_eval 'd["name"]' <<<"$out")
expect_eq "named by its time" changes_20260301_101500 "$name"
doc=$(chain "$base")/$name.json
data=$(chain "$base")/$name.changeset.zst
check "its JSON is there" [ -f "$doc" ]
check "its changeset is a whole zstd frame" zstd -tq "$data"
expect_eq "the JSON's sha256 is the file's" "$(sha256sum <"$data" | cut -d' ' -f1)" \
    "$(json_eval 'd["sha256"]' <"$doc")"
expect_eq "files are owner-only" 600 "$(stat -c %a "$data")"
expect_eq "per-table counts: shop_order" "{'inserted': 1, 'updated': 1, 'deleted': 0}" \
    "$(json_eval '{k: d["tables"]["shop_order"][k] for k in ("inserted", "updated", "deleted")}' <"$doc")"
expect_eq "the state records the rows" 3 "$(json_eval 'd["state"]["tables"]["shop_order"]["rows"]' <"$doc")"
expect_eq "the state records sqlite_sequence" "[['shop_order', 3]]" \
    "$(json_eval 'd["state"]["sqlite_sequence"]' <"$doc")"
expect_eq "the first point follows the base" None "$(json_eval 'd["previous"]' <"$doc")"

# sqlite_sequence alone moves: still a point, never "unchanged".
sqlite3 "$p/db.sqlite3" "INSERT INTO shop_order (status) VALUES ('gone'); DELETE FROM shop_order WHERE status = 'gone';"
out=$(pt 2026-03-01T10:20:00Z capture --json) || fail "capture of sqlite_sequence"
expect_eq "a moved sqlite_sequence is a change" False "$(json_eval 'd["unchanged"]' <<<"$out")"

# A migration: the whole database, said so.
sqlite3 "$p/db.sqlite3" "ALTER TABLE tag ADD COLUMN colour TEXT; UPDATE tag SET colour = 'red';"
out=$(pt 2026-03-01T10:30:00Z capture --json) || fail "capture across a migration"
expect_eq "a schema change is a snapshot point" snapshot "$(json_eval 'd["kind"]' <<<"$out")"
expect_eq "...because the schema changed" "schema changed" "$(json_eval 'd["reason"]' <<<"$out")"
snap=$(chain "$base")/$(json_eval 'd["name"]' <<<"$out").sqlite3.zst
zstd -dqc "$snap" >"$scratch/snap.sqlite3" || fail "zstd -d opens a snapshot point"
expect_eq "sqlite3 reads the snapshot point" red "$(sqlite3 "$scratch/snap.sqlite3" "SELECT colour FROM tag LIMIT 1")"

# A table without a primary key: unchanged it stays out; changed, the point is whole.
sqlite3 "$p/db.sqlite3" "CREATE TABLE note (body TEXT); INSERT INTO note VALUES ('x');"
pt 2026-03-01T10:35:00Z capture >/dev/null || fail "capture after creating a keyless table"
sqlite3 "$p/db.sqlite3" "UPDATE tag SET label = 'B2' WHERE code = 'b';"
out=$(pt 2026-03-01T10:40:00Z capture --json)
expect_eq "a keyless table left alone: rows" rows "$(json_eval 'd["kind"]' <<<"$out")"
sqlite3 "$p/db.sqlite3" "INSERT INTO note VALUES ('y');"
out=$(pt 2026-03-01T10:45:00Z capture --json)
expect_eq "a keyless table that changed: snapshot" snapshot "$(json_eval 'd["kind"]' <<<"$out")"
expect_eq "...naming it" "table note has no primary key" "$(json_eval 'd["reason"]' <<<"$out")"

# The chain rebuilds to the live database: drop the capture's own copy, capture again.
shadow_rebuilds() { # shadow_rebuilds WHEN WHAT
    rm -f "$p/backups/.poshtiban/changes-shadow.json"
    local o
    o=$(pt "$1" capture --json) || { fail "$2: capture after dropping the shadow"; return; }
    expect_eq "$2: the base and its chain lead exactly to the database" True \
        "$(json_eval 'd["unchanged"]' <<<"$o")"
    expect_eq "$2: the rebuilt state is the database's" "$(dump "$p/db.sqlite3")" \
        "$(dump "$p/backups/.poshtiban/changes-shadow.sqlite3")"
}
shadow_rebuilds 2026-03-01T10:50:00Z "after rows, a migration and a keyless table"

# kill -9 at every step of a capture: no half point, no broken chain.
minute=0
for k in 1 2 3 4 5 6; do
    minute=$((minute + 1))
    sqlite3 "$p/db.sqlite3" "INSERT INTO tag (code, label) VALUES ('k$k', 'killed at $k');"
    before=$(ls "$(chain "$base")" | sort)
    POSHTIBAN_TEST_KILL_AFTER=$k pt "2026-03-01T11:0$minute:00Z" capture >/dev/null 2>&1
    st=$?
    for j in "$(chain "$base")"/*.json; do
        n=$(basename "$j" .json)
        check "kill at step $k: $n has its data file" \
            [ -f "$(chain "$base")/$n.changeset.zst" -o -f "$(chain "$base")/$n.sqlite3.zst" ]
    done
    minute=$((minute + 1))
    out=$(pt "2026-03-01T11:0$minute:00Z" capture --json) || fail "kill at step $k: the next capture works"
    for f in "$(chain "$base")"/*.zst; do
        n=$(basename "$f"); n=${n%%.*}
        check "kill at step $k: no data file without its JSON ($n)" [ -f "$(chain "$base")/$n.json" ]
    done
    check "kill at step $k: nothing left in tmp" [ -z "$(ls "$p/backups/.poshtiban/tmp")" ]
    [ "$st" = 137 ] || [ "$k" -gt 4 ] || fail "kill at step $k: the capture was killed (status $st)"
    expect_eq "kill at step $k: the shadow is the database" "$(dump "$p/db.sqlite3")" \
        "$(dump "$p/backups/.poshtiban/changes-shadow.sqlite3")"
done
shadow_rebuilds 2026-03-01T11:30:00Z "after the kills"

# Its own copy damaged or replaced: the point is the whole database, nothing is lost.
head -c 8192 /dev/urandom >"$p/backups/.poshtiban/changes-shadow.sqlite3"
sqlite3 "$p/db.sqlite3" "INSERT INTO tag (code, label) VALUES ('s', 'shadow gone bad');"
out=$(pt 2026-03-01T11:40:00Z capture --json) || fail "a damaged shadow: capture still works"
expect_eq "a damaged shadow: a whole-database point" snapshot "$(json_eval 'd["kind"]' <<<"$out")"
case $(json_eval 'd["reason"]' <<<"$out") in "the changes could not be compared: "*) ;;
    *) fail "a damaged shadow: the reason says so: [$out]" ;; esac
sqlite3 "$p/db.sqlite3" "INSERT INTO tag (code, label) VALUES ('s2', 'and after');"
out=$(pt 2026-03-01T11:45:00Z capture --json)
expect_eq "a damaged shadow: the next point is rows again" rows "$(json_eval 'd["kind"]' <<<"$out")"
shadow_rebuilds 2026-03-01T11:50:00Z "after a damaged shadow"

# Hostile points in the chain: left out, nothing read or written outside.
c=$(chain "$base")
outside=$scratch/outside
echo secret >"$outside"
cp "$doc" "$c/changes_20260301_123456.json" # names another point than its own file name
ln -s "$outside" "$c/changes_20260301_101501.changeset.zst"
"$PY" - "$doc" "$c" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = sys.argv[2]
d2 = dict(d, name="changes_20260301_101501")           # its data file is a link
json.dump(d2, open(c + "/changes_20260301_101501.json", "w"))
d3 = dict(d, name="changes_20260301_101502", base="other") # names another base
json.dump(d3, open(c + "/changes_20260301_101502.json", "w"))
open(c + "/changes_20260301_101503.json", "w").write("{not json")
PY
sqlite3 "$p/db.sqlite3" "INSERT INTO tag (code, label) VALUES ('h', 'after hostile');"
run_pt -C "$p" capture --json
expect_eq "hostile points: capture still works" 0 "$status"
expect_eq "hostile points: the link's target is untouched" secret "$(cat "$outside")"
rm -f "$c"/changes_20260301_12345*.json "$c"/changes_20260301_10150*

# auto under a moved clock: a change set once auto.changes_minutes passed, not before.
a=$scratch/a
make_project "$a"
at() { POSHTIBAN_TEST_NOW=$1 "$POSHTIBAN" -C "$a" "${@:2}"; }
at 2026-05-01T08:00:00Z settings set auto.enabled true >/dev/null
at 2026-05-01T08:00:00Z auto >/dev/null || fail "auto's first backup"
sqlite3 "$a/db.sqlite3" "UPDATE investor SET share = 0.4 WHERE id = 1;"
out=$(at 2026-05-01T08:10:00Z auto --json)
expect_eq "auto: no change set before 15 minutes" None "$(json_eval 'd["change_set"]' <<<"$out")"
out=$(at 2026-05-01T08:16:00Z auto --json)
expect_eq "auto: a change set once 15 minutes passed" rows "$(json_eval 'd["change_set"]["kind"]' <<<"$out")"
out=$(at 2026-05-01T08:20:00Z auto --json)
expect_eq "auto: none again 4 minutes later" None "$(json_eval 'd["change_set"]' <<<"$out")"
out=$(at 2026-05-01T08:32:00Z auto --json)
expect_eq "auto: an unchanged database is checked, nothing stored" True \
    "$(json_eval 'd["change_set"]["unchanged"]' <<<"$out")"
out=$(at 2026-05-01T08:40:00Z doctor 2>&1)
check "doctor: change sets on time, no warning" eval '! grep -q "changes were last saved" <<<"$out"'
out=$(at 2026-05-01T09:40:00Z doctor 2>&1)
check "doctor: change sets late, a warning naming the setting" grep -q "changes were last saved.*auto.changes_minutes is 15" <<<"$out"
at 2026-05-01T08:32:00Z settings set auto.changes_minutes 0 >/dev/null
sqlite3 "$a/db.sqlite3" "UPDATE investor SET share = 0.3 WHERE id = 1;"
out=$(at 2026-05-01T09:30:00Z auto --json)
expect_eq "auto: auto.changes_minutes 0 takes none" None "$(json_eval 'd["change_set"]' <<<"$out")"

# watch: a commit is a change set within a minute; an idle database costs no capture.
w=$scratch/w
make_project "$w"
"$POSHTIBAN" -C "$w" create --no-media >/dev/null || fail "create for watch"
"$POSHTIBAN" -C "$w" watch --interval 1 >"$scratch/watch.out" 2>&1 &
watcher=$!
sleep 3
count() { find "$w/backups/changes" -name '*.json' 2>/dev/null | wc -l; }
sqlite3 "$w/db.sqlite3" "INSERT INTO investor (name, share) VALUES ('نو', 0);"
for _ in $(seq 60); do [ "$(count)" -ge 1 ] && break; sleep 1; done
expect_eq "watch: a change set within 60 s of a commit" 1 "$(count)"
sleep 8
expect_eq "watch: an idle database gets no more" 1 "$(count)"
kill -TERM "$watcher"
wait "$watcher"
expect_eq "watch stops cleanly on SIGTERM" 0 "$?"

# A capture killed while it placed the first point of a chain (its marker
# in tmp, its folder made, the data renamed in, no JSON yet): the next
# command of any kind (list) takes the data and the emptied folders away,
# changes/ too. A data file whose JSON went missing with no marker naming
# it is no leftover: it stays for verify to report.
k=$scratch/k
make_project "$k"
"$POSHTIBAN" -C "$k" create --no-media --name kbase >/dev/null || fail "create for the half point"
half=$k/backups/changes/kbase/changes_20260601_100000.changeset.zst
dead=$(sh -c 'echo $$')
for state in folder data; do
    mkdir -p "$k/backups/changes/kbase"
    [ "$state" = data ] && echo half >"$half"
    printf '%s' "$(cd "$k" && pwd -P)/backups/changes/kbase/changes_20260601_100000.changeset.zst" \
        >"$k/backups/.poshtiban/tmp/placing-$dead"
    "$POSHTIBAN" -C "$k" list >/dev/null || fail "half point ($state): list"
    check "half point ($state): list took it away, changes/ with it" [ ! -e "$k/backups/changes" ]
    expect_eq "half point ($state): tmp is empty" "" "$(ls -A "$k/backups/.poshtiban/tmp")"
done
mkdir -p "$k/backups/changes/kbase"
echo lost >"$half"
"$POSHTIBAN" -C "$k" list >/dev/null || fail "a data file without its JSON: list"
check "a data file without its JSON and no marker: list leaves it" [ -f "$half" ]
rm -rf "$k/backups/changes"
# Markers that name anything else: the live database, a path out through
# "..", a chain folder that is a link to a folder elsewhere (whose unclaimed
# data file looks like a point's). Each marker goes; nothing it names does.
victim=$scratch/victim
mkdir -p "$victim" "$k/backups/changes"
echo elsewhere >"$victim/changes_20260601_100000.changeset.zst"
ln -s "$victim" "$k/backups/changes/kother"
kroot=$(cd "$k" && pwd -P)
for named in "$kroot/db.sqlite3" "$kroot/backups/changes/kbase/../../../db.sqlite3" \
    "$kroot/backups/changes/kother/changes_20260601_100000.changeset.zst"; do
    printf '%s' "$named" >"$k/backups/.poshtiban/tmp/placing-$(sh -c 'echo $$')"
done
"$POSHTIBAN" -C "$k" list >/dev/null || fail "hostile markers: list"
expect_eq "hostile markers: all taken away" "" "$(ls -A "$k/backups/.poshtiban/tmp")"
check "hostile markers: the database is whole" sqlite3 "$k/db.sqlite3" "PRAGMA quick_check"
check "hostile markers: nothing behind a linked chain folder is touched" \
    [ -f "$victim/changes_20260601_100000.changeset.zst" ]
rm -rf "$k/backups/changes"

# delete takes a base's chain with it.
"$POSHTIBAN" -C "$p" delete "$base" --yes >/dev/null || fail "delete the base"
check "delete: the chain went with its base" [ ! -e "$(chain "$base")" ]

finish
