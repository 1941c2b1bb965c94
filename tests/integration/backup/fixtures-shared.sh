#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 25: an unchanged table's fixture is shared with the previous dir
# backup, as unchanged media are (docs/safety.md, "Shared fixtures"), only
# when the previous copy is proven good. On the Django demo:
# - after a change to one table, the next backup's fixture of an unchanged
#   table is the previous backup's inode, the changed table's is not; its
#   complete_database.json.gz and every fixture decompress byte-identical to
#   those of a backup of the same database in a fresh backup root (nothing
#   to share); loaddata of either into a migrated database gives the same
#   dumpdata; it verifies, also once the previous backup is deleted; when
#   no table changed, complete_database.json.gz is the previous one's too;
# - never shared: a previous fixture with a byte changed (size kept; written
#   afresh with a warning naming that backup), from a backup whose verify
#   failed, a previous fixture replaced by a link to a good copy, or with an
#   extra gzip member (its SHA256SUMS resealed), a previous report whose
#   digest was changed without resealing SHA256SUMS;
# - kill -9 while fixtures are shared leaves no backup, an empty tmp, and the
#   previous backup whole and read-only.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-share.sh"

if ! "$PY" -c 'import django' >/dev/null 2>&1; then
    echo "SKIP: $PY cannot import django" >&2
    exit 77
fi
demo=$SOURCE_ROOT/data/demo
export PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=demo.settings

unchanged=fixtures/realestate.unit.json.gz
changed=fixtures/realestate.transaction.json.gz
ino() { stat -c %i "$1"; }
# shared_of PATH TABLE: the report's "shared" of TABLE (True, False or None).
shared_of() {
    "$PY" -c 'import json,sys
d = json.load(open(sys.argv[1] + "/backup_report.json"))
print([t.get("shared") for t in d["tables"] if t["name"] == sys.argv[2]][0])' "$1" "$2"
}
# loaded NAME FIXTURE...: dumpdata of a migrated database loaded with FIXTURE...
loaded() {
    local db=$scratch/$1.sqlite3
    shift
    manage "$db" migrate --no-input -v 0 >"$scratch/manage.log" 2>&1 || fail "migrate: $(tail -1 "$scratch/manage.log")"
    manage "$db" loaddata -v 0 "$@" >"$scratch/manage.log" 2>&1 || fail "loaddata $*: $(tail -1 "$scratch/manage.log")"
    manage "$db" dumpdata 2>"$scratch/manage.log" || fail "dumpdata: $(tail -1 "$scratch/manage.log")"
}
# same_as_twin PATH WHAT: every fixture and the complete file of PATH decompress as the twin's.
same_as_twin() {
    local f
    check "$2: complete_database.json.gz as a fresh root's" \
        cmp <(zcat "$1/complete_database.json.gz") <(zcat "$twin/complete_database.json.gz")
    for f in "$twin"/fixtures/*.json.gz; do
        check "$2: ${f##*/} as a fresh root's" cmp <(zcat "$1/fixtures/${f##*/}") <(zcat "$f")
    done
}
change_rows() { sqlite3 "$proj/db.sqlite3" "UPDATE realestate_transaction SET amount = amount + $1 WHERE id % 7 = 0"; }

proj=$scratch/proj
"$demo/make-demo" "$proj" >/dev/null || fail "make-demo"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false

# --- shared: unchanged tables linked, the changed one written
new_backup --no-media --name b1 || finish
p1=$path
expect_eq "b1: nothing to share with" 0 "$(totals "$p1" 'd["shared"]')"
change_rows 1
new_backup --no-media --name b2 || finish
p2=$path
expect_eq "b2: the unchanged fixture is b1's inode" "$(ino "$p1/$unchanged")" "$(ino "$p2/$unchanged")"
check "b2: the changed fixture is its own" test "$(ino "$p1/$changed")" != "$(ino "$p2/$changed")"
expect_eq "b2: the report says which" "True False" "$(shared_of "$p2" realestate_unit) $(shared_of "$p2" realestate_transaction)"
expect_eq "b2: shared from b1" "b1" "$(totals "$p2" 'd["from"]')"
fresh_twin t2
same_as_twin "$p2" b2
loaded twin-complete "$twin/complete_database.json.gz" >"$scratch/twin.json"
loaded b2-complete "$p2/complete_database.json.gz" >"$scratch/b2.json"
loaded b2-fixtures "$p2"/fixtures/*.json.gz >"$scratch/b2-fixtures.json"
check "b2: loaddata of complete_database gives the fresh root's data" cmp "$scratch/twin.json" "$scratch/b2.json"
check "b2: loaddata of the fixtures gives the same" cmp "$scratch/twin.json" "$scratch/b2-fixtures.json"
check "b2: dumpdata is not empty" test -s "$scratch/b2.json"
pt_ok verify --deep b2
pt_ok delete b1 --yes
pt_ok verify --deep b2
check "b2: its fixtures are whole once b1 is gone" sh -c "cd '$p2' && sha256sum -c --quiet SHA256SUMS"

# --- a previous fixture with a byte changed (size kept): written afresh, with a warning
chmod u+w "$p2/$unchanged"
"$PY" -c 'import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x20
open(p, "wb").write(b)' "$p2/$unchanged"
chmod 0400 "$p2/$unchanged"
new_backup --no-media --name b3 || finish
p3=$path
check "b3: the tampered fixture is not shared" test "$(ino "$p2/$unchanged")" != "$(ino "$p3/$unchanged")"
expect_eq "b3: one found bad" 1 "$(totals "$p3" 'd["share_bad"]')"
case $(warnings_of "$p3") in *"backup b2 holds them damaged"*) ;; *) fail "b3: a warning names b2: $(warnings_of "$p3")" ;; esac
expect_eq "b3: another unchanged table is still shared" \
    "$(ino "$p2/fixtures/realestate.investor.json.gz")" "$(ino "$p3/fixtures/realestate.investor.json.gz")"
fresh_twin t3
same_as_twin "$p3" b3
pt_ok verify --deep b3

# --- a backup whose verify failed is never a source
chmod u+w "$p3/database.sqlite3.zst"
printf 'x' | dd of="$p3/database.sqlite3.zst" bs=1 seek=100 conv=notrunc status=none
run_pt verify b3 </dev/null
expect_eq "b3: verify fails" 1 "$status"
run_pt verify b2 </dev/null
expect_eq "b2: verify fails" 1 "$status"
new_backup --no-media --name b4 || finish
p4=$path
expect_eq "b4: nothing shared from failed backups" "None 0" "$(totals "$p4" '"%s %d" % (d["from"], d["shared"])')"
check "b4: no inode of b3" test "$(ino "$p3/$unchanged")" != "$(ino "$p4/$unchanged")"
pt_ok verify --deep b4

# --- a previous fixture replaced by a link to a good copy: not shared
cp "$p4/$unchanged" "$scratch/good-copy.json.gz"
chmod u+w "$p4/fixtures"
rm -f "$p4/$unchanged"
ln -s "$scratch/good-copy.json.gz" "$p4/$unchanged"
new_backup --no-media --name b5 || finish
p5=$path
check "b5: a regular file, not a link" test -f "$p5/$unchanged" -a ! -L "$p5/$unchanged"
expect_eq "b5: the link is not shared" "False 1" "$(shared_of "$p5" realestate_unit) $(totals "$p5" 'd["share_bad"]')"
expect_eq "b5: the rest is" "True" "$(shared_of "$p5" realestate_investor)"
pt_ok verify --deep b5

# --- an extra gzip member, SHA256SUMS resealed: not shared
chmod u+w "$p5/$unchanged"
printf '[]\n' | gzip -1 >>"$p5/$unchanged"
reseal "$p5" "$unchanged"
new_backup --no-media --name b6 || finish
p6=$path
expect_eq "b6: the file with an extra member is not shared" "False" "$(shared_of "$p6" realestate_unit)"
check "b6: its own inode" test "$(ino "$p5/$unchanged")" != "$(ino "$p6/$unchanged")"
fresh_twin t6
same_as_twin "$p6" b6

# --- a report whose digest of a changed table was forged (SHA256SUMS not resealed): not shared
change_rows 2
fresh_twin t7
digest=$("$PY" -c 'import json,sys; print([t["content_sha256"] for t in json.load(open(sys.argv[1] + "/backup_report.json"))["tables"] if t["name"] == "realestate_transaction"][0])' "$twin")
chmod u+w "$p6/backup_report.json"
"$PY" -c 'import json,re,sys
p, digest = sys.argv[1], sys.argv[2]
text = open(p).read()
old = [t["content_sha256"] for t in json.loads(text)["tables"] if t["name"] == "realestate_transaction"][0]
open(p, "w").write(text.replace(old, digest))' "$p6/backup_report.json" "$digest"
new_backup --no-media --name b7 || finish
p7=$path
expect_eq "b7: nothing shared from a report SHA256SUMS does not vouch for" "0" "$(totals "$p7" 'd["shared"]')"
same_as_twin "$p7" b7
pt_ok verify --deep b7

# --- kill -9 while fixtures are shared: no backup, empty tmp, b7 whole
before=$(cd "$p7" && find . -type f -printf '%p %i %m\n' | sort)
for n in 2 4 6; do
    st=0
    POSHTIBAN_TEST_KILL_AFTER=$n "$POSHTIBAN" create --no-media --name "k$n" </dev/null >/dev/null 2>&1 || st=$?
    expect_eq "kill at $n: create ends by SIGKILL" 137 "$st"
    run_pt list --json </dev/null
    expect_eq "kill at $n: k$n is interrupted" "interrupted" \
        "$(echo "$out" | json_eval "' '.join(r['status'] for r in d['backups'] if r['name'] == 'k$n')")"
    check "kill at $n: no backup k$n on disk" test ! -e "backups/k$n"
    expect_eq "kill at $n: tmp is empty" "" "$(ls -A backups/.poshtiban/tmp)"
done
expect_eq "b7: its files, inodes and modes as before" "$before" \
    "$(cd "$p7" && find . -type f -printf '%p %i %m\n' | sort)"
pt_ok verify --deep b7
new_backup --no-media --name b8 || finish
expect_eq "b8: shares with b7 after the kills" "$(ino "$p7/$unchanged")" "$(ino "$path/$unchanged")"
expect_eq "b8: no table changed, so complete_database.json.gz is b7's too" \
    "$(ino "$p7/complete_database.json.gz") True" "$(ino "$path/complete_database.json.gz") $(totals "$path" 'd["complete"]')"
check "b7: its complete file was its own (a table had changed)" \
    test "$(ino "$p6/complete_database.json.gz")" != "$(ino "$p7/complete_database.json.gz")"
pt_ok verify --deep "$name"
finish
