#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 21: compressed members are proven, not only hashed. Each hostile
# class below is made in a fresh default backup (fixtures .json.gz, snapshot
# .zst) and its SHA256SUMS rewritten to match (what a bad disk or a careless
# hand editor leaves), so that only the member's own checks stand:
# - gzip: a CRC-32 flipped, an ISIZE flipped, garbage after the last member;
# - zstd: a bit flipped inside database.sqlite3.zst, its checksum flipped;
# - fixtures: one replaced by "[]", one short of an object.
# Each is refused by `verify --deep` (exit 1, one line naming the backup and
# the member) and by `restore` (exit 1, naming both; the database, the media
# and the records unchanged). `gzip -t` and Python's gzip (what Django's
# loaddata reads with) agree with every gzip verdict, `zstd -t` with every
# zstd one. Controls that all of them accept: zero padding after the last
# gzip member, a fixture of two members, and a snapshot written before
# frames carried a checksum (verify --deep says so).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false

# reseal DIR MEMBER: SHA256SUMS agrees with MEMBER again.
reseal() {
    chmod u+w "$1" "$1/SHA256SUMS"
    sed -i "s|^[0-9a-f]\{64\}  $2\$|$(cd "$1" && sha256sum "$2")|" "$1/SHA256SUMS"
    (cd "$1" && sha256sum -c --quiet SHA256SUMS) || fail "reseal $2"
}

# gzip_verdicts FILE: "gzip-t python" verdicts, each ok or bad.
gzip_verdicts() {
    local gz=ok py
    gzip -t "$1" 2>/dev/null || gz=bad
    py=$(/usr/bin/python3 -c 'import gzip, sys
try:
    with gzip.open(sys.argv[1]) as f:
        while f.read(1 << 20):
            pass
    print("ok")
except Exception:
    print("bad")' "$1")
    echo "$gz $py"
}

# state: what a refused restore may not change.
state() {
    sha256sum db.sqlite3
    tree_state media
    sqlite3 backups/.poshtiban/catalog.sqlite3 "SELECT count(*) FROM backups"
}

# refused NAME MEMBER WHY: verify --deep and restore refuse NAME, naming MEMBER and WHY.
refused() {
    local bname=$1 member=$2 why=$3 before
    check "$bname: SHA256SUMS matches (resealed)" sh -c "cd '$path' && sha256sum -c --quiet SHA256SUMS"
    run_pt verify --deep "$bname" </dev/null
    expect_eq "$bname: verify --deep exits 1" 1 "$status"
    expect_eq "$bname: verify --deep says one line" 1 "$(printf '%s\n' "$err" | grep -c .)"
    mentions "$err" "$bname: $member: $why" ||
        fail "$bname: verify names the backup, the member and why [$bname: $member: $why]: [$err]"
    before=$(state)
    run_pt restore "$bname" --yes </dev/null
    expect_eq "$bname: restore exits 1" 1 "$status"
    mentions "$err" "$bname" && mentions "$err" "$member: $why" ||
        fail "$bname: restore names the backup and the member: [$err]"
    expect_eq "$bname: restore changed nothing" "$before" "$(state)"
    expect_eq "$bname: nothing left in tmp" "" "$(ls -A backups/.poshtiban/tmp)"
}

# accepted NAME: verify --deep passes (the control).
accepted() {
    run_pt verify --deep "$1" </dev/null
    expect_eq "$1: verify --deep accepts it: $err" 0 "$status"
}

# rewrite FILE CODE: Python CODE changes b, FILE's bytes (gzip imported); FILE gets b.
rewrite() {
    chmod u+w "$1"
    "$PY" - "$1" "$2" <<'PY'
import gzip, sys
path, code = sys.argv[1], sys.argv[2]
g = {"gzip": gzip, "b": open(path, "rb").read()}
exec(code, g)
open(path, "wb").write(g["b"])
PY
}

# --- gzip: the CRC-32 of the last member
new_backup --name crc || finish
rewrite "$path/fixtures/unit.json.gz" 'b = b[:-8] + bytes([b[-8] ^ 0x01]) + b[-7:]'
reseal "$path" fixtures/unit.json.gz
expect_eq "crc: gzip -t and Python refuse it too" "bad bad" "$(gzip_verdicts "$path/fixtures/unit.json.gz")"
refused crc fixtures/unit.json.gz "gzip CRC mismatch"

# --- gzip: the length (ISIZE) of the last member
new_backup --name isize || finish
rewrite "$path/fixtures/unit.json.gz" 'b = b[:-4] + bytes([b[-4] ^ 0x01]) + b[-3:]'
reseal "$path" fixtures/unit.json.gz
expect_eq "isize: gzip -t and Python refuse it too" "bad bad" "$(gzip_verdicts "$path/fixtures/unit.json.gz")"
refused isize fixtures/unit.json.gz "gzip length (ISIZE) mismatch"

# --- gzip: garbage after the last member (gzip -t warns and exits 2)
new_backup --name garbage || finish
rewrite "$path/complete_database.json.gz" 'b = b + b"garbage\n"'
reseal "$path" complete_database.json.gz
expect_eq "garbage: gzip -t and Python refuse it too" "bad bad" "$(gzip_verdicts "$path/complete_database.json.gz")"
refused garbage complete_database.json.gz "data after the last gzip member"

# zeros, then garbage: the padding does not hide it
new_backup --name padgarbage || finish
rewrite "$path/complete_database.json.gz" 'b = b + bytes(600) + b"\x01"'
reseal "$path" complete_database.json.gz
expect_eq "padgarbage: gzip -t and Python refuse it too" "bad bad" "$(gzip_verdicts "$path/complete_database.json.gz")"
refused padgarbage complete_database.json.gz "data after the last gzip member"

# --- control: zero padding after the last member, and a fixture of two members
new_backup --name padded || finish
rewrite "$path/fixtures/investor.json.gz" 'b = b + bytes(1024)'
reseal "$path" fixtures/investor.json.gz
rewrite "$path/fixtures/unit.json.gz" 'd = gzip.decompress(b); b = gzip.compress(d[:1000]) + gzip.compress(d[1000:])'
reseal "$path" fixtures/unit.json.gz
expect_eq "padded: gzip -t and Python accept the padding" "ok ok" "$(gzip_verdicts "$path/fixtures/investor.json.gz")"
expect_eq "padded: gzip -t and Python accept two members" "ok ok" "$(gzip_verdicts "$path/fixtures/unit.json.gz")"
accepted padded

# --- zstd: a bit flipped inside the snapshot's frame, and in its checksum
new_backup --name zflip || finish
rewrite "$path/database.sqlite3.zst" 'm = len(b) // 2; b = b[:m] + bytes([b[m] ^ 0x10]) + b[m + 1:]'
reseal "$path" database.sqlite3.zst
check "zflip: zstd -t refuses it too" sh -c "! zstd -tq '$path/database.sqlite3.zst' 2>/dev/null"
refused zflip database.sqlite3.zst "zstd"

new_backup --name zsum || finish
check "zsum: the frame carries a checksum" sh -c "zstd -lv '$path/database.sqlite3.zst' 2>&1 | grep -q 'Check: XXH64'"
rewrite "$path/database.sqlite3.zst" 'b = b[:-1] + bytes([b[-1] ^ 0x01])'
reseal "$path" database.sqlite3.zst
check "zsum: zstd -t refuses it too" sh -c "! zstd -tq '$path/database.sqlite3.zst' 2>/dev/null"
refused zsum database.sqlite3.zst "zstd checksum mismatch"

# garbage after the last frame: zstd -d refuses it, so do we
new_backup --name zgarbage || finish
rewrite "$path/database.sqlite3.zst" 'b = b + b"garbage\n"'
reseal "$path" database.sqlite3.zst
check "zgarbage: zstd -t refuses it too" sh -c "! zstd -tq '$path/database.sqlite3.zst' 2>/dev/null"
refused zgarbage database.sqlite3.zst "data after the last zstd frame"

# --- control: a snapshot written before frames carried a checksum
new_backup --name oldframe || finish
chmod u+w "$path/database.sqlite3.zst"
zstd -dcq "$path/database.sqlite3.zst" | zstd -q --no-check -c >"$scratch/old.zst"
cat "$scratch/old.zst" >"$path/database.sqlite3.zst"
reseal "$path" database.sqlite3.zst
accepted oldframe
mentions "$out" "database.sqlite3.zst: written without a zstd checksum" ||
    fail "oldframe: verify --deep says the frame carries no checksum: [$out]"
run_pt verify --deep --json oldframe </dev/null
expect_eq "oldframe: --json gives the note" "True []" \
    "$(echo "$out" | json_eval '"%s %s" % (any("without a zstd checksum" in n for n in d["results"][0]["notes"]), d["results"][0]["problems"])')"
run_pt verify oldframe </dev/null
expect_eq "oldframe: plain verify passes" 0 "$status"

# --- fixtures: one replaced by "[]", one short of an object
new_backup --name empty || finish
rewrite "$path/fixtures/unit.json.gz" 'b = gzip.compress(b"[]\n")'
reseal "$path" fixtures/unit.json.gz
expect_eq "empty: gzip -t and Python accept the gzip itself" "ok ok" "$(gzip_verdicts "$path/fixtures/unit.json.gz")"
refused empty fixtures/unit.json.gz "0 objects, the report says 500 rows"

new_backup --name fewer || finish
rewrite "$path/fixtures/unit.json.gz" 'l = gzip.decompress(b).split(b"\n"); b = gzip.compress(b"\n".join(l[:-4] + [l[-4].rstrip(b",")] + l[-2:]))'
reseal "$path" fixtures/unit.json.gz
expect_eq "fewer: gzip -t and Python accept the gzip itself" "ok ok" "$(gzip_verdicts "$path/fixtures/unit.json.gz")"
expect_eq "fewer: one object fewer, still JSON" 499 \
    "$(gzip -dc "$path/fixtures/unit.json.gz" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')"
refused fewer fixtures/unit.json.gz "499 objects, the report says 500 rows"

new_backup --name fewerall || finish
rewrite "$path/complete_database.json.gz" 'l = gzip.decompress(b).split(b"\n"); b = gzip.compress(b"\n".join(l[:1] + l[2:]))'
reseal "$path" complete_database.json.gz
refused fewerall complete_database.json.gz "502 objects, the report says 503 rows"

# --- the sound backups still verify deeply and restore
new_backup --name sound || finish
accepted sound
pt_ok restore sound --yes
finish
