#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Point in time (issue 22, acceptance 1; docs/changes.md, "Restoring to a
# moment"). A writer (Python, a real SQLite database in WAL mode: a table
# with AUTOINCREMENT, one with a text primary key, a WITHOUT ROWID table with
# a composite key, BLOBs, NULLs, Persian text) commits known changes over a
# moving test clock while `poshtiban capture` runs after each step, with two
# full backups (one with a zstd snapshot, one plain), a migration (ALTER
# TABLE and a new table: a snapshot point), a table without a primary key
# (a snapshot point), a primary key changed, deletes of the newest
# AUTOINCREMENT row and updates. After every capture and backup the test
# keeps a full logical dump (every table and row, sqlite_sequence and the
# schema). Then:
# - for 25 times T (at captures, between them, before the first capture,
#   across the migration and the second backup, in every form TIME takes),
#   `restore --at T --yes --database-only --target-database X` gives exactly
#   the dump of the newest capture or backup at or before T (at: states);
# - the backups' own files are never changed by it (at: backups untouched);
# - the preview names the point, its time and base, and says the media come
#   from the base, in text, --json and Persian; the real restore with media
#   takes them from the base and says the point (at: preview, media);
# - a damaged point (a flipped byte; a flipped byte with its JSON's sha256
#   made to match; another sha256; a changeset that does not fit its base)
#   is refused with one line, nothing changed, and `verify` (plain and
#   --deep; --json's "changes") reports it (at: damage);
# - T before the oldest backup, ID with --at, a malformed TIME: refused with
#   one line, exit 2, nothing written (at: refusals).
. "$(dirname "$0")/../lib/lib.sh"
unset LANGUAGE LANG POSHTIBAN_DATABASE CODESPACES
export LC_ALL=C.UTF-8 TZ=UTC PYTHONDONTWRITEBYTECODE=1

proj=$scratch/proj
mkdir -p "$proj/media" "$scratch/dumps" "$scratch/restored"
printf 'قرارداد' >"$proj/media/contract.txt"
db=$proj/db.sqlite3

# The writer: step N's changes, each step one transaction.
cat >"$scratch/writer.py" <<'EOF'
import sqlite3, sys
db, step = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db, isolation_level=None)
c.execute("PRAGMA journal_mode=WAL")
x = c.execute
x("BEGIN IMMEDIATE")
if step == 0:
    x("CREATE TABLE customer (code TEXT PRIMARY KEY, name TEXT NOT NULL, vip INTEGER NOT NULL DEFAULT 0)")
    x("CREATE TABLE shop_order (id INTEGER PRIMARY KEY AUTOINCREMENT, customer TEXT NOT NULL"
      " REFERENCES customer(code), total REAL, status TEXT, note TEXT)")
    x("CREATE INDEX shop_order_customer ON shop_order (customer)")
    x("CREATE TABLE stock (shop TEXT NOT NULL, sku TEXT NOT NULL, qty INTEGER,"
      " PRIMARY KEY (shop, sku)) WITHOUT ROWID")
    x("CREATE TABLE attachment (id INTEGER PRIMARY KEY, order_id INTEGER, data BLOB)")
    names = ["مریم", "رضا‌زاده", "Sam 🏠", "Zoë", "علی"]
    for i in range(1, 21):
        x("INSERT INTO customer VALUES (?, ?, ?)", ("c%02d" % i, names[i % 5] + " %d" % i, i % 3 == 0))
    for i in range(1, 51):
        x("INSERT INTO shop_order (customer, total, status, note) VALUES (?, ?, ?, ?)",
          ("c%02d" % (1 + i % 20), i * 3.25, "new", None if i % 4 else "یادداشت %d" % i))
    for shop in ("north", "south"):
        for sku in ("a1", "b2", "c3", "d4", "e5"):
            x("INSERT INTO stock VALUES (?, ?, ?)", (shop, sku, len(shop) * len(sku)))
    for i in range(1, 4):
        x("INSERT INTO attachment VALUES (?, ?, ?)", (i, i, bytes(range(i, 200 + i))))
elif step == 1:
    for i in range(5):
        x("INSERT INTO shop_order (customer, total, status) VALUES ('c07', ?, 'new')", (10.5 + i,))
    x("UPDATE shop_order SET status = 'paid' WHERE id IN (3, 7)")
    x("UPDATE customer SET name = 'مریم‌ نو' WHERE code = 'c05'")
    x("INSERT INTO stock VALUES ('west', 'a1', 0)")
elif step == 2:
    x("DELETE FROM shop_order WHERE id = 55")  # the newest: sqlite_sequence stays at 55
    x("DELETE FROM customer WHERE code = 'c20'")
    x("UPDATE stock SET qty = qty + 100 WHERE shop = 'north'")
    x("UPDATE attachment SET data = X'00FF00' WHERE id = 1")
    x("UPDATE shop_order SET note = NULL WHERE id = 4")
elif step == 3:  # a migration
    x("ALTER TABLE shop_order ADD COLUMN paid INTEGER NOT NULL DEFAULT 0")
    x("CREATE TABLE shipment (id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER, carrier TEXT)")
    x("INSERT INTO shipment (order_id, carrier) VALUES (3, 'پست'), (7, 'DHL')")
    x("UPDATE shop_order SET paid = 1 WHERE status = 'paid'")
elif step == 4:
    x("UPDATE shop_order SET paid = 1, status = 'paid' WHERE id BETWEEN 10 AND 14")
    x("INSERT INTO shipment (order_id, carrier) VALUES (10, 'پست')")
    x("DELETE FROM attachment WHERE id = 2")
elif step == 5:
    x("INSERT INTO shop_order (customer, total, status) VALUES ('c01', 99.99, 'new')")
elif step == 6:
    x("UPDATE customer SET code = 'c99' WHERE code = 'c03'")  # a primary key changed
    x("DELETE FROM stock WHERE shop = 'south' AND sku IN ('a1', 'e5')")
    x("INSERT INTO customer VALUES ('c21', 'تازه', 1)")
    x("DELETE FROM shipment WHERE id = 3")
    x("INSERT INTO shipment (order_id, carrier) VALUES (11, NULL)")
elif step == 7:  # a table without a primary key
    x("CREATE TABLE audit_log (at TEXT, what TEXT)")
    x("INSERT INTO audit_log VALUES ('02:40', 'login'), ('02:40', 'login')")
    x("UPDATE customer SET vip = 1 WHERE code = 'c21'")
elif step == 8:
    x("DELETE FROM shop_order WHERE id IN (1, 2, 50)")
    x("UPDATE shop_order SET total = NULL, note = 'هیچ' WHERE id = 20")
elif step == 9:
    x("UPDATE shop_order SET total = total * 1.1 WHERE total IS NOT NULL")
    for i in range(200):
        x("INSERT INTO shop_order (customer, total, status, paid) VALUES (?, ?, 'new', 0)",
          ("c%02d" % (1 + i % 19), i / 7))
x("COMMIT")
EOF

# A full logical dump: the schema, every table's rows (sqlite_sequence too), sorted, typed.
cat >"$scratch/dump.py" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
out = []
for kind, name, sql in c.execute("SELECT type, name, sql FROM sqlite_master"
                                 " WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"):
    out.append("%s %s: %s" % (kind, name, sql))
    if kind != "table":
        continue
    rows = c.execute('SELECT * FROM "%s"' % name.replace('"', '""')).fetchall()
    typed = sorted(repr(tuple((type(v).__name__, v) for v in r)) for r in rows)
    out.append("  %d rows" % len(typed))
    out.extend("  " + r for r in typed)
print("\n".join(out))
EOF
dump() { "$PY" "$scratch/dump.py" "$1"; }

t0=$(date -u -d 2026-12-06T02:00:00Z +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# at MINUTES:SECONDS after 02:00 → epoch seconds
at() { echo $((t0 + 10#${1%:*} * 60 + 10#${1#*:})); }

# Every state kept: its epoch time and its dump, in order.
states=()
keep_state() { # keep_state EPOCH
    dump "$db" >"$scratch/dumps/$1.txt"
    states+=("$1")
}
pt() { POSHTIBAN_TEST_NOW=$(iso "$now") "$POSHTIBAN" -C "$proj" "$@"; }
capture() { # capture MM:SS [snapshot|rows|unchanged]
    now=$(at "$1")
    out=$(pt capture --json 2>"$scratch/stderr") && status=0 || status=$?
    expect_eq "capture at $1 exits 0 ($(cat "$scratch/stderr"))" 0 "$status"
    local kind
    kind=$(json_eval '"unchanged" if d["unchanged"] else d["kind"]' <<<"$out")
    expect_eq "capture at $1 is a $2 point" "$2" "$kind"
    keep_state "$now"
}
full_backup() { # full_backup MM:SS NAME
    now=$(at "$1")
    pt create --name "$2" >/dev/null 2>"$scratch/stderr" || fail "create $2: $(cat "$scratch/stderr")"
    keep_state "$now"
}
write() { "$PY" "$scratch/writer.py" "$db" "$1" || fail "writer step $1"; }

# --- the history: two chains, a migration, a table without a key
write 0
full_backup 00:00 base_a # the default: its snapshot is database.sqlite3.zst
write 1
capture 05:00 rows
write 2
capture 10:00 rows
capture 15:00 unchanged
write 3
capture 20:00 snapshot
write 4
capture 25:00 rows
write 5
now=$(at 30:00)
pt settings set backup.compress false >/dev/null || fail "settings set backup.compress false"
full_backup 30:00 base_b # plain: restore --at must copy its database.sqlite3, never change it
write 6
capture 35:00 rows
write 7
capture 40:00 snapshot
write 8
capture 45:00 rows
write 9
capture 50:00 rows

# The backups' own files, to prove restore --at never changes them.
(cd "$proj/backups" && find base_a base_b -type f -exec sha256sum {} + | sort) >"$scratch/backups.sum"
(cd "$proj/backups" && find changes -type f -exec sha256sum {} + | sort) >"$scratch/changes.sum"
list_before=$(pt list --json | json_eval 'd["total"]')

# expected EPOCH: the dump of the newest state at or before EPOCH
expected() {
    local best=
    for s in "${states[@]}"; do [ "$s" -le "$1" ] && best=$s; done
    echo "$scratch/dumps/$best.txt"
}

# --- at: states. Each T: (TIME as typed, the moment it names for "at or before").
jalali=$(LC_ALL=C.UTF-8 "$PY" - <<'EOF'
# 2026-12-06 is 15 Azar 1405 (Solar Hijri), written as `list` prints it in Persian.
print("".join("۰۱۲۳۴۵۶۷۸۹"[int(ch)] if ch.isdigit() else ch for ch in "1405/09/15 02:10"))
EOF
)
n=0
restore_at() { # restore_at TIME MOMENT-EPOCH
    n=$((n + 1))
    local target=$scratch/restored/$n.sqlite3
    now=$(at 59:00)
    out=$(pt restore --at "$1" --yes --database-only --target-database "$target" 2>"$scratch/stderr") &&
        status=0 || status=$?
    expect_eq "restore --at '$1' exits 0 ($(cat "$scratch/stderr"))" 0 "$status"
    [ -f "$target" ] || { fail "restore --at '$1' wrote no $target"; return; }
    local want
    want=$(expected "$2")
    if ! dump "$target" | diff -q - "$want" >/dev/null; then
        fail "restore --at '$1' is not the state of $(iso "$(basename "$want" .txt)"): $(dump "$target" | diff - "$want" | head -5 | tr '\n' ' ')"
    fi
}
restore_at 2026-12-06T02:00:00Z "$(at 00:00)"             # exactly the first backup
restore_at 2026-12-06T02:02:30Z "$(at 02:30)"             # before the first capture: the base
restore_at 2026-12-06T02:04:59.999Z "$(at 04:59)"         # a millisecond before it
restore_at 2026-12-06T02:05:00Z "$(at 05:00)"             # exactly at a capture
restore_at 2026-12-06T02:07:00Z "$(at 07:00)"             # between two
restore_at "2026-12-06 02:07" "$(at 07:59)"               # as `list` prints it (the whole minute)
restore_at 2026-12-06T02:10:00Z "$(at 10:00)"
restore_at "$jalali" "$(at 10:59)"                        # Solar Hijri, Persian digits
restore_at 2026-12-06T02:15:00Z "$(at 15:00)"             # a capture that found nothing new
restore_at 2026-12-06T02:19:59Z "$(at 19:59)"             # just before the migration
restore_at 2026-12-06T02:20:00Z "$(at 20:00)"             # the migration: a snapshot point
restore_at 2026-12-06T02:22:00Z "$(at 22:00)"
restore_at 2026-12-06T05:55:00+03:30 "$(at 25:00)"        # an offset
restore_at 2026-12-06T02:29:59Z "$(at 29:59)"             # the last state of the first chain
restore_at 2026-12-06T02:30:00Z "$(at 30:00)"             # the second backup
restore_at 2026-12-06T02:32:00Z "$(at 32:00)"
restore_at 2026-12-06T02:35:00Z "$(at 35:00)"             # a key changed
restore_at 2026-12-06T02:38:00Z "$(at 38:00)"
restore_at 2026-12-06T02:40:00Z "$(at 40:00)"             # a table without a key: a snapshot
restore_at 2026-12-06T02:42:30Z "$(at 42:30)"
restore_at 2026-12-06T02:45:00Z "$(at 45:00)"             # after a snapshot point, rows again
restore_at 2026-12-06T02:49:59Z "$(at 49:59)"
restore_at 2026-12-06T02:50:00Z "$(at 50:00)"
restore_at 2026-12-06T03:30:00Z "$(at 90:00)"             # long after the last
restore_at 2026-12-06 "$(at 1439:59)"                     # a date alone: its end
[ "$n" -ge 20 ] || fail "only $n times T"
# The states differ from each other where the writer changed something: the checks above can fail.
[ "$(sort -u <(for s in "${states[@]}"; do sha256sum <"$scratch/dumps/$s.txt"; done) | wc -l)" -ge 10 ] ||
    fail "fewer than 10 distinct states"

# --- at: backups untouched; nothing new in the catalog (no target existed: no pre-restore backup)
(cd "$proj/backups" && find base_a base_b -type f -exec sha256sum {} + | sort) | diff -q - "$scratch/backups.sum" >/dev/null ||
    fail "restore --at changed a backup's files"
(cd "$proj/backups" && find changes -type f -exec sha256sum {} + | sort) | diff -q - "$scratch/changes.sum" >/dev/null ||
    fail "restore --at changed a change set"
expect_eq "restores to new targets add no backup" "$list_before" "$(now=$(at 59:00) pt list --json | json_eval 'd["total"]')"
leftovers=$(ls -A "$proj/backups/.poshtiban/tmp" 2>/dev/null)
expect_eq "nothing left in .poshtiban/tmp" "" "$leftovers"

# --- at: preview
now=$(at 59:00)
point2=$(ls "$proj/backups/changes/base_a" | grep -m1 '^changes_20261206_021000\.json$' | sed 's/\.json$//')
expect_eq "the 02:10 capture's point is named for its moment" changes_20261206_021000 "$point2"
out=$(pt restore --at 2026-12-06T02:12:00Z --dry-run 2>&1) || fail "restore --at --dry-run: $out"
case "$out" in *"change set changes_20261206_021000"*"2026-12-06 02:10:00"* | *"2026-12-06 02:10:00"*"change set changes_20261206_021000"*) ;;
*) fail "the preview names the point and its time: $out" ;; esac
case "$out" in *"2 change sets applied to backup base_a, taken at 2026-12-06 02:00:00"*) ;;
*) fail "the preview says how many change sets on which base: $out" ;; esac
case "$out" in *"Media come from backup base_a"*) ;; *) fail "the preview says the media come from the base: $out" ;; esac
out=$(pt --json restore --at 2026-12-06T02:12:00Z --dry-run) || fail "restore --at --dry-run --json"
expect_eq "--json: the point" changes_20261206_021000 "$(json_eval 'd["at"]["point"]' <<<"$out")"
expect_eq "--json: its moment" 2026-12-06T02:10:00Z "$(json_eval 'd["at"]["point_at"]' <<<"$out")"
expect_eq "--json: change sets" 2 "$(json_eval 'd["at"]["change_sets"]' <<<"$out")"
expect_eq "--json: the base" "base_a 2026-12-06T02:00:00Z base_a" \
    "$(json_eval 'd["backup"] + " " + d["at"]["backup_at"] + " " + d["at"]["media_from"]' <<<"$out")"
expect_eq "--json: the time asked" 2026-12-06T02:12:00Z "$(json_eval 'd["at"]["time"][:19] + "Z"' <<<"$out")"
out=$(pt --json restore --at 2026-12-06T02:32:00Z --dry-run) || fail "restore --at the base --dry-run --json"
expect_eq "--json at a base: no point, its moment" "None 2026-12-06T02:30:00Z 0" \
    "$(json_eval 'str(d["at"]["point"]) + " " + d["at"]["point_at"] + " " + str(d["at"]["change_sets"])' <<<"$out")"
out=$(pt --lang fa restore --at 2026-12-06T02:12:00Z --dry-run 2>&1) || fail "restore --at --dry-run in Persian: $out"
case "$out" in *"۱۴۰۵/۰۹/۱۵ ۰۲:۱۰:۰۰"*) ;; *) fail "the Persian preview gives the point's moment in Solar Hijri: $out" ;; esac
case "$out" in *changes_20261206_021000*) ;; *) fail "the Persian preview names the point: $out" ;; esac

# --- at: media, and the real restore into the project (a pre-restore backup, the point said)
printf 'new' >"$proj/media/later.txt"
before_db=$(dump "$db")
now=$(at 59:00)
out=$(pt restore --at 2026-12-06T02:07:00Z --yes 2>"$scratch/stderr") && status=0 || status=$?
expect_eq "restore --at into the project exits 0 ($(cat "$scratch/stderr"))" 0 "$status"
dump "$db" | diff -q - "$(expected "$(at 07:00)")" >/dev/null || fail "the project's database is the state of 02:05"
[ ! -e "$proj/media/later.txt" ] || fail "the media come from the base: later.txt stays"
[ "$(cat "$proj/media/contract.txt")" = 'قرارداد' ] || fail "the base's media are back"
case "$out" in *changes_20261206_020500*base_a*pre_restore_*) ;; *) fail "the result names the point, its base and the undo: $out" ;; esac
pre=$(pt list --json | json_eval '[b["name"] for b in d["backups"] if b["name"].startswith("pre_restore_")][0]')
[ -n "$pre" ] || fail "a pre-restore backup was made"
out=$(pt --json restore "$pre" --yes --database-only) || fail "undo: restore $pre"
dump "$db" | diff -q - <(echo "$before_db") >/dev/null || fail "undo gives back the state before restore --at"

# --- at: refusals
now=$(at 59:00)
total=$(pt list --json | json_eval 'd["total"]')
db_sum=$(sha256sum <"$db")
check_refused() { # check_refused DESCRIPTION CODE ARGS…
    local what=$1 code=$2
    shift 2
    out=$(pt restore "$@" 2>"$scratch/stderr") && status=0 || status=$?
    err=$(cat "$scratch/stderr")
    expect_eq "$what: exit" "$code" "$status"
    expect_eq "$what: one line" 1 "$(printf '%s\n' "$err" | grep -c .)"
    expect_eq "$what: the database unchanged" "$db_sum" "$(sha256sum <"$db")"
    expect_eq "$what: no backup added" "$total" "$(pt list --json | json_eval 'd["total"]')"
}
check_refused "T before the oldest backup" 2 --at 2026-12-06T01:59:59Z --yes
case "$err" in *2026*|*backup*) ;; *) fail "T before the oldest backup: the line says why: $err" ;; esac
check_refused "T before the oldest backup, dry run" 2 --at 2026-12-06T01:00:00Z --dry-run
check_refused "an ID and --at" 2 base_a --at 2026-12-06T02:10:00Z --yes
check_refused "a malformed TIME" 2 --at 2026-13-45T99:00:00Z --yes
check_refused "not a time at all" 2 --at 'yesterday; rm -rf /' --yes
check_refused "--at without a value" 2 --at
check_refused "the epoch's first millisecond" 2 --at 1970-01-01T00:00:00.000Z --yes
check_refused "before the epoch" 2 --at 1969-12-31T23:59:59Z --dry-run

# --- at: damage. Each case damages chain A's 02:10 point, checks, and puts it back.
chain=$proj/backups/changes/base_a
data2=$(ls "$chain" | grep '^changes_20261206_021000\.' | grep -v '\.json$')
json2=$chain/changes_20261206_021000.json
[ -n "$data2" ] && [ -f "$json2" ] || fail "the 02:10 point's files: $(ls "$chain" | tr '\n' ' ')"
cp -p "$chain/$data2" "$scratch/data2.keep"
cp -p "$json2" "$scratch/json2.keep"
# set_sha FILE: the point's JSON made to match FILE (its sha256 and size), as a forger would.
set_sha() {
    chmod u+w "$json2" "$chain" 2>/dev/null
    "$PY" - "$json2" "$1" <<'EOF'
import hashlib, json, os, sys
j, f = sys.argv[1], sys.argv[2]
d = json.load(open(j))
d["sha256"] = hashlib.sha256(open(f, "rb").read()).hexdigest()
d["size"] = os.path.getsize(f)
json.dump(d, open(j, "w"))
EOF
}
flip() { # flip FILE OFFSET-FROM-END
    chmod u+w "$1" "$chain" 2>/dev/null
    "$PY" - "$1" "$2" <<'EOF'
import sys
p, k = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[len(b) - k] ^= 0x10
open(p, "wb").write(b)
EOF
}
put_back() {
    chmod u+w "$chain" "$chain/$data2" "$json2" 2>/dev/null
    cp -p "$scratch/data2.keep" "$chain/$data2"
    cp -p "$scratch/json2.keep" "$json2"
}
damaged() { # damaged DESCRIPTION: restore --at refused, verify and verify --deep report the point
    local what=$1 target=$scratch/restored/damaged.sqlite3
    rm -f "$target"
    now=$(at 59:00)
    out=$(pt restore --at 2026-12-06T02:12:00Z --yes --database-only --target-database "$target" 2>"$scratch/stderr") &&
        status=0 || status=$?
    err=$(cat "$scratch/stderr")
    expect_eq "$what: restore --at exits 1" 1 "$status"
    expect_eq "$what: one line" 1 "$(printf '%s\n' "$err" | grep -c .)"
    case "$err" in *changes_20261206_021000*) ;; *) fail "$what: the line names the point: $err" ;; esac
    [ ! -e "$target" ] || fail "$what: the target was written"
    check_refused "$what, into the project" 1 --at 2026-12-06T02:12:00Z --yes --database-only
    out=$(pt restore --at 2026-12-06T02:07:00Z --yes --database-only --target-database "$target" 2>&1) ||
        fail "$what: a moment before the damaged point still restores: $out"
    for deep in --deep ""; do
        [ -n "$deep" ] || [ "$what" != "a changeset that does not fit its base" ] || continue
        out=$(pt --json verify base_a $deep 2>"$scratch/stderr") && status=0 || status=$?
        expect_eq "$what: verify $deep exits 1" 1 "$status"
        expect_eq "$what: verify $deep --json says the base itself is intact" True "$(json_eval 'd["results"][0]["ok"]' <<<"$out")"
        case "$(json_eval 'd["results"][0]["changes"]["problems"]' <<<"$out")" in
        *changes_20261206_021000*) ;; *) fail "$what: verify $deep --json names the point: $out" ;; esac
        case "$(cat "$scratch/stderr")" in *changes_20261206_021000*) ;; *) fail "$what: verify $deep says it on stderr" ;; esac
    done
    out=$(pt verify --all --deep 2>&1) && status=0 || status=$?
    expect_eq "$what: verify --all --deep exits 1" 1 "$status"
    case "$out" in *"Its change sets are DAMAGED"*changes_20261206_021000*) ;; *) fail "$what: verify --all --deep's text: $out" ;; esac
    cmp -s "$chain/$data2" "$scratch/data2.keep" || [ "$what" != "another sha256" ] ||
        fail "$what: verify changed the point's file"
    put_back
}
flip "$chain/$data2" 5
damaged "a flipped byte"
flip "$chain/$data2" 5
set_sha "$chain/$data2"
damaged "a flipped byte, its sha256 made to match"
chmod u+w "$json2" "$chain"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["sha256"]="0"*64; json.dump(d, open(sys.argv[1],"w"))' "$json2"
damaged "another sha256"
# The changeset of chain B's first point in the place of chain A's 02:10 point: it fits no row there.
other=$(ls "$proj/backups/changes/base_b" | grep '^changes_20261206_023500\.changeset\.zst$')
[ -n "$other" ] || fail "chain B's 02:35 point is a changeset"
chmod u+w "$chain/$data2" "$chain"
cp "$proj/backups/changes/base_b/$other" "$chain/$data2"
set_sha "$chain/$data2"
damaged "a changeset that does not fit its base"

# A point's JSON gone: the list leaves the point out; its successor shows the gap, and a moment
# the missing point may precede is refused (not restored without it), one before the gap is not.
put_back
chmod u+w "$chain"
mv "$json2" "$scratch/json2.gone"
now=$(at 59:00)
for t in 02:07 02:12 02:22; do
    check_refused "02:10's JSON gone, --at $t" 1 --at "2026-12-06T$t:00Z" --yes --database-only
    case "$err" in *changes_20261206_022000*) ;; *) fail "02:10's JSON gone, --at $t: the line names the gap: $err" ;; esac
done
out=$(pt restore --at 2026-12-06T02:03:00Z --yes --database-only --target-database "$scratch/restored/gap.sqlite3" 2>&1) ||
    fail "02:10's JSON gone: a moment before the point before the gap still restores: $out"
out=$(pt --json verify base_a --deep 2>/dev/null) && status=0 || status=$?
expect_eq "02:10's JSON gone: verify --deep exits 1" 1 "$status"
case "$(json_eval 'd["results"][0]["changes"]["problems"]' <<<"$out")" in
*changes_20261206_022000*) ;; *) fail "02:10's JSON gone: verify names the gap: $out" ;; esac
mv "$scratch/json2.gone" "$json2"
# Its data file gone, the JSON still there: verify names the point and says why.
data2=$(ls "${json2%.json}".*.zst)
mv "$data2" "$scratch/data2.gone"
out=$(pt --json verify base_a 2>/dev/null) && status=0 || status=$?
expect_eq "02:10's data gone: verify exits 1" 1 "$status"
case "$(json_eval 'd["results"][0]["changes"]["problems"]' <<<"$out")" in
*"changes_20261206_021000: its file"*"is missing or not of the recorded size"*) ;;
*) fail "02:10's data gone: verify names it and says why: $out" ;; esac
mv "$scratch/data2.gone" "$data2"
# A forged description that does not read: left out of every restore, said by verify.
printf '{"format": 1, "name": "changes_20261206_021500", "base": ' >"$chain/changes_20261206_021500.json"
out=$(pt --json verify base_a 2>/dev/null) && status=0 || status=$?
expect_eq "a JSON that does not read: verify exits 1" 1 "$status"
case "$(json_eval 'd["results"][0]["changes"]["problems"]' <<<"$out")" in
*changes_20261206_021500.json*) ;; *) fail "a JSON that does not read: verify names it: $out" ;; esac
restore_at 2026-12-06T02:17:00Z "$(at 17:00)"
rm -f "$chain/changes_20261206_021500.json"

# Intact again: verify proves every point, plain and deep.
now=$(at 59:00)
out=$(pt --json verify --all --deep 2>"$scratch/stderr") && status=0 || status=$?
expect_eq "verify --all --deep of intact chains exits 0 ($(cat "$scratch/stderr"))" 0 "$status"
expect_eq "verify --deep rebuilt every point (4 on base_a, 4 on base_b)" "4 4" \
    "$(json_eval '" ".join(str(r["changes"]["checked"]) for r in d["results"] if r["name"] in ("base_a", "base_b"))' <<<"$out")"
out=$(pt verify base_a 2>&1) || fail "verify base_a: $out"
case "$out" in *"Its 4 change sets are intact"*) ;; *) fail "plain verify says the change sets are intact: $out" ;; esac
(cd "$proj/backups" && find changes -type f -exec sha256sum {} + | sort) | diff -q - "$scratch/changes.sum" >/dev/null ||
    fail "verify changed a change set"

# --- at: both schedules. auto under a moved clock: what it captured is what restore --at reaches.
au=$scratch/au
mkdir -p "$au"
audb=$au/db.sqlite3
austates=()
auto_at() { # auto_at HH:MM: runs auto; keeps the state when it took a backup or a change set
    local when
    when=$(date -u -d "2026-12-07T$1:00Z" +%s)
    out=$(POSHTIBAN_TEST_NOW=$(iso "$when") "$POSHTIBAN" -C "$au" auto --json 2>"$scratch/stderr") ||
        fail "auto at $1: $(cat "$scratch/stderr")"
    if [ "$(json_eval 'bool(d.get("backup")) or bool(d.get("change_set"))' <<<"$out")" = True ]; then
        dump "$audb" >"$scratch/dumps/au-$when.txt"
        austates+=("$when")
    fi
}
"$PY" "$scratch/writer.py" "$audb" 0 || fail "writer step 0 (auto)"
POSHTIBAN_TEST_NOW=2026-12-07T08:00:00Z "$POSHTIBAN" -C "$au" settings set auto.enabled true >/dev/null
auto_at 08:00 # the first full backup
"$PY" "$scratch/writer.py" "$audb" 1 || fail "writer step 1 (auto)"
auto_at 08:16 # a change set: 15 minutes passed
"$PY" "$scratch/writer.py" "$audb" 2 || fail "writer step 2 (auto)"
auto_at 08:20 # none due: the 08:20 state is not kept, 08:16's stands
auto_at 08:32
"$PY" "$scratch/writer.py" "$audb" 3 || fail "writer step 3 (auto)"
auto_at 08:48 # the migration: a snapshot point
expect_eq "auto kept a backup and three change sets" 4 "${#austates[@]}"
for t in 08:00 08:10 08:16 08:25 08:32 08:47 08:48 09:30; do
    when=$(date -u -d "2026-12-07T$t:00Z" +%s)
    best=
    for s in "${austates[@]}"; do [ "$s" -le "$when" ] && best=$s; done
    target=$scratch/restored/au-$t.sqlite3
    out=$(POSHTIBAN_TEST_NOW=2026-12-07T10:00:00Z "$POSHTIBAN" -C "$au" restore --at "2026-12-07T$t:00Z" \
        --yes --database-only --target-database "$target" 2>&1) || fail "auto: restore --at $t: $out"
    dump "$target" 2>/dev/null | diff -q - "$scratch/dumps/au-$best.txt" >/dev/null ||
        fail "auto: restore --at $t is not the state auto kept at $(iso "$best")"
done

# watch (the real clock: its points' own times are the moments restored to).
wp=$scratch/wp
mkdir -p "$wp"
wdb=$wp/db.sqlite3
"$PY" "$scratch/writer.py" "$wdb" 0 || fail "writer step 0 (watch)"
"$POSHTIBAN" -C "$wp" create --name watched >/dev/null || fail "create for watch"
dump "$wdb" >"$scratch/dumps/w0.txt"
"$POSHTIBAN" -C "$wp" watch --interval 1 >"$scratch/watch.out" 2>&1 &
watcher=$!
wcount() { find "$wp/backups/changes" -name 'changes_*.json' 2>/dev/null | wc -l; }
for step in 1 2 3; do
    sleep 1.2 # each point in a second of its own
    "$PY" "$scratch/writer.py" "$wdb" "$step" || fail "writer step $step (watch)"
    for _ in $(seq 60); do [ "$(wcount)" -ge "$step" ] && break; sleep 1; done
    expect_eq "watch: a change set after step $step" "$step" "$(wcount)"
    dump "$wdb" >"$scratch/dumps/w$step.txt"
done
kill -TERM "$watcher"
wait "$watcher" || fail "watch stops cleanly: $(cat "$scratch/watch.out")"
step=0
restore_w() { # restore_w TIME DUMP
    local target=$scratch/restored/w-$2.sqlite3
    out=$("$POSHTIBAN" -C "$wp" restore --at "$1" --yes --database-only --target-database "$target" 2>&1) ||
        fail "watch: restore --at $1: $out"
    dump "$target" 2>/dev/null | diff -q - "$scratch/dumps/$2.txt" >/dev/null ||
        fail "watch: restore --at $1 is not the state of $2"
}
restore_w "$("$POSHTIBAN" -C "$wp" show watched --json | json_eval 'd["created_at"]')" w0
for j in $(find "$wp/backups/changes" -name 'changes_*.json' | sort); do
    step=$((step + 1))
    restore_w "$(json_eval 'd["taken_at"]' <"$j")" "w$step"
done
expect_eq "watch: three points restored to" 3 "$step"

finish
