#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 13: a dir backup holds its fixtures as .json.gz and its snapshot as
# database.sqlite3.zst by default, plain files with backup.compress false,
# and every command reads all three kinds: compressed, plain, and plain
# backups made before (whose report names no compression). Damaged or
# hostile compressed members (a flipped byte, a truncated gzip, a zstd bomb,
# a snapshot larger than its header says) are refused without filling the
# disk or the memory.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
want_db=$(db_dump db.sqlite3)

# reseal DIR MEMBER: SHA256SUMS agrees with MEMBER again, so that only the
# member's own checks stand between it and the project.
reseal() {
    chmod u+w "$1" "$1/SHA256SUMS"
    sed -i "s|^[0-9a-f]\{64\}  $2\$|$(cd "$1" && sha256sum "$2")|" "$1/SHA256SUMS"
    (cd "$1" && sha256sum -c --quiet SHA256SUMS) || fail "reseal $2"
}

# works WHAT ID: verify, verify --deep, export and a database restore succeed.
works() {
    local what=$1 bid=$2
    pt_ok verify "$bid" || return
    pt_ok verify --deep "$bid" || return
    pt_ok export "$bid" -o "$scratch/$what.zip" || return
    check "$what: export is a zip unzip reads" unzip -tq "$scratch/$what.zip"
    sqlite3 db.sqlite3 "DELETE FROM unit"
    pt_ok restore "$bid" --database-only --yes || return
    expect_eq "$what: restore puts the rows back" "$want_db" "$(db_dump db.sqlite3)"
}

# 1. The default: compressed names, usable with standard tools.
new_backup --name packed || exit 1
packed=$path
expect_eq "default: the files as stored" \
    "SHA256SUMS backup_report.json backup_summary.txt complete_database.json.gz database.sqlite3.zst fixtures/investor.json.gz fixtures/unit.json.gz settings.json" \
    "$(cd "$packed" && find . -path ./media -prune -o -type f -print | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"
check "default: sha256sum -c" sh -c "cd '$packed' && sha256sum -c --quiet SHA256SUMS"
zstd -dcq "$packed/database.sqlite3.zst" >"$scratch/snap.sqlite3" || fail "default: zstd -d"
expect_eq "default: the snapshot holds the rows" "$want_db" "$(db_dump "$scratch/snap.sqlite3")"
expect_eq "default: gunzip opens the complete fixture" 503 \
    "$(gzip -dc "$packed/complete_database.json.gz" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')"
expect_eq "default: the report names the choice" "gzip zstd database.sqlite3.zst complete_database.json.gz" \
    "$(json_eval 'd["compression"]["fixtures"] + " " + d["compression"]["snapshot"] + " " + d["snapshot"] + " " + d["complete_fixture"]' <"$packed/backup_report.json")"
works packed packed
check "default: export keeps the members as stored" sh -c "unzip -l '$scratch/packed.zip' | grep -q 'packed/database.sqlite3.zst'"
run_pt report packed </dev/null
case $out in *"zstd -dcq database.sqlite3.zst"*"loaddata complete_database.json.gz"*) ;;
*) fail "report: the recipe unpacks the snapshot and loads the .gz: [$out]" ;; esac

# 2. backup.compress false: plain names.
pt_ok settings set backup.compress false
new_backup --name plain || exit 1
plain=$path
check "plain: database.sqlite3" test -f "$plain/database.sqlite3"
check "plain: complete_database.json" test -f "$plain/complete_database.json"
check "plain: no .zst" test ! -e "$plain/database.sqlite3.zst"
expect_eq "plain: the report says none" "none none" \
    "$(json_eval 'd["compression"]["fixtures"] + " " + d["compression"]["snapshot"]' <"$plain/backup_report.json")"
works plain plain
pt_ok settings set backup.compress true

# 3. A backup made before compression: its report names neither the snapshot
# nor the compression.
pt_ok settings set backup.compress false
new_backup --name old || exit 1
old=$path
pt_ok settings set backup.compress true
chmod u+w "$old/backup_report.json"
$PY - "$old/backup_report.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
for k in ("snapshot", "complete_fixture", "compression"):
    d.pop(k)
d["settings"].pop("backup.compress")
open(p, "w").write(json.dumps(d, indent=2) + "\n")
PY
reseal "$old" backup_report.json
works old old
run_pt report old </dev/null
case $out in *'".restore database.sqlite3"'*"loaddata complete_database.json"*) ;;
*) fail "old: the recipe of plain files: [$out]" ;; esac

# 4. reindex finds all three again from their reports.
rm -f backups/.poshtiban/catalog.sqlite3
pt_ok reindex
expect_eq "reindex: every backup found" "old packed plain" \
    "$(run_pt list --json </dev/null; echo "$out" | json_eval '" ".join(sorted(b["name"] for b in d["backups"] if b["name"] in ("old", "packed", "plain")))')"
pt_ok verify --deep packed

# 5. Damage and hostile members, each in a fresh default backup.
# damaged NAME WORD: verify --deep and restore refuse, naming WORD; nothing is left in tmp.
damaged() {
    run_pt verify --deep "$1" </dev/null
    expect_eq "$1: verify --deep refuses" 1 "$status"
    mentions "$err" "$2" || fail "$1: verify names [$2]: [$err]"
    run_pt restore "$1" --yes </dev/null
    expect_eq "$1: restore refuses" 1 "$status"
    expect_eq "$1: the project is unchanged" "$want_db" "$(db_dump db.sqlite3)"
    expect_eq "$1: nothing left in tmp" "" "$(ls -A backups/.poshtiban/tmp)"
}

new_backup --name flipped || exit 1
flip_byte "$path/complete_database.json.gz" $(($(stat -c %s "$path/complete_database.json.gz") / 2))
damaged flipped "complete_database.json.gz: checksum mismatch"

new_backup --name truncated || exit 1
chmod u+w "$path/fixtures/unit.json.gz"
head -c $(($(stat -c %s "$path/fixtures/unit.json.gz") / 2)) "$path/fixtures/unit.json.gz" >"$scratch/cut.gz"
cat "$scratch/cut.gz" >"$path/fixtures/unit.json.gz"
reseal "$path" fixtures/unit.json.gz
pt_ok verify truncated # hashes agree: only the gzip stream itself is wrong
damaged truncated "fixtures/unit.json.gz: damaged gzip data"

# A zstd bomb: 2 GiB of zeros in a few KB; no SQLite header, refused at once.
new_backup --name bomb || exit 1
chmod u+w "$path/database.sqlite3.zst"
head -c 2G /dev/zero | zstd -q -19 -c >"$path/database.sqlite3.zst"
reseal "$path" database.sqlite3.zst
/usr/bin/time -f '%e %M' -o "$scratch/bomb.time" "$POSHTIBAN" verify bomb >/dev/null 2>"$scratch/bomb.err" </dev/null
mentions "$(cat "$scratch/bomb.err")" "not a SQLite database" || fail "bomb: refused as no database: $(cat "$scratch/bomb.err")"
read -r secs rss < <(tail -n 1 "$scratch/bomb.time")
check "bomb: refused within seconds (${secs}s)" test "${secs%.*}" -lt 10
check "bomb: in little memory (${rss} KiB, sanitizers included)" test "$rss" -lt 204800
damaged bomb "not a SQLite database"

# A real header, then far more pages than it counts: cut off at the header's size.
new_backup --name longer || exit 1
chmod u+w "$path/database.sqlite3.zst"
(zstd -dcq "$packed/database.sqlite3.zst"; head -c 300M /dev/zero) | zstd -q -c >"$scratch/longer.zst"
cat "$scratch/longer.zst" >"$path/database.sqlite3.zst"
reseal "$path" database.sqlite3.zst
damaged longer "larger than its own header says"

# A header that claims a database larger than the free space: refused before a byte is written.
new_backup --name huge || exit 1
chmod u+w "$path/database.sqlite3.zst"
$PY - "$scratch/snap.sqlite3" "$scratch/huge.sqlite3" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[16:18] = (1).to_bytes(2, "big")          # pages of 64 KiB
b[28:32] = (0xFFFFFFF0).to_bytes(4, "big")  # ~256 TiB
open(sys.argv[2], "wb").write(bytes(b))
PY
zstd -qf "$scratch/huge.sqlite3" -o "$scratch/huge.zst"
cat "$scratch/huge.zst" >"$path/database.sqlite3.zst"
reseal "$path" database.sqlite3.zst
damaged huge "free for it"

# A .zst that is no zstd at all (a plain database under that name).
new_backup --name notzstd || exit 1
chmod u+w "$path/database.sqlite3.zst"
cat "$scratch/snap.sqlite3" >"$path/database.sqlite3.zst"
reseal "$path" database.sqlite3.zst
damaged notzstd "damaged zstd data"

# Two snapshots in one folder: which would be restored is not for the backup to decide.
new_backup --name twice || exit 1
chmod u+w "$path" "$path/SHA256SUMS"
cp "$scratch/snap.sqlite3" "$path/database.sqlite3"
(cd "$path" && sha256sum database.sqlite3 >>SHA256SUMS)
damaged twice "second snapshot"
finish
