#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A backup folder checks out with the standard tools: sha256sum, sqlite3, diff.
. "$(dirname "$0")/lib.sh"

check_backup() { # check_backup PROJECT BACKUP-PATH
    local proj=$1 b=$2
    check "sha256sum -c in $b" bash -c "cd '$b' && sha256sum --quiet -c SHA256SUMS"
    expect_eq "integrity_check" "ok" "$(sqlite3 "$b/database.sqlite3" 'PRAGMA integrity_check')"
    expect_eq "snapshot is one file" "delete" "$(sqlite3 "$b/database.sqlite3" 'PRAGMA journal_mode')"
    local t
    for t in $(sqlite3 "$proj/db.sqlite3" "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"); do
        expect_eq "rows of $t" \
            "$(sqlite3 "$proj/db.sqlite3" "SELECT * FROM \"$t\" ORDER BY rowid" | sha256sum)" \
            "$(sqlite3 "$b/database.sqlite3" "SELECT * FROM \"$t\" ORDER BY rowid" | sha256sum)"
    done
    check "media tree equals the source" diff -r "$proj/media" "$b/media"
    # Every file is listed in SHA256SUMS, and nothing else is there.
    expect_eq "SHA256SUMS covers every file" \
        "$(cd "$b" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | sort)" \
        "$(cut -c67- "$b/SHA256SUMS" | sort)"
    expect_eq "owner-only, read-only files" "" "$(find "$b" -type f ! -perm 0400)"
    expect_eq "owner-only folders" "" "$(find "$b" -type d ! -perm 0700)"
}

proj=$scratch/proj
make_project "$proj"
plain_files "$proj"
mkdir -p "$proj/media/سند ها/deep/er"
printf 'x' >"$proj/media/سند ها/deep/er/file with spaces.txt"
: >"$proj/media/empty"
(umask 000 && cd "$proj" && "$POSHTIBAN" create --json >"$scratch/c1.json") || fail "create (umask 000)"
check_backup "$proj" "$(json_eval 'd["path"]' <"$scratch/c1.json")"

# A database in WAL mode with uncheckpointed changes: the snapshot holds them.
sqlite3 "$proj/db.sqlite3" 'PRAGMA journal_mode=WAL;' >/dev/null
"$PY" - "$proj/db.sqlite3" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA wal_autocheckpoint=0")
c.execute("INSERT INTO investor (name) VALUES ('فقط در WAL')")
c.commit()
# keep the connection open while poshtiban runs? No: close without checkpoint.
c.close()
PY
(cd "$proj" && "$POSHTIBAN" create --json >"$scratch/c2.json") || fail "create (WAL)"
b2=$(json_eval 'd["path"]' <"$scratch/c2.json")
check_backup "$proj" "$b2"
expect_eq "WAL rows in the snapshot" 1 "$(sqlite3 "$b2/database.sqlite3" "SELECT count(*) FROM investor WHERE name = 'فقط در WAL'")"
check "no -wal beside the snapshot" test ! -e "$b2/database.sqlite3-wal"

# Many small media files are put on the disk with one syncfs, not an fsync
# each (docs/safety.md): a first backup of 400 files in 40 folders makes far
# fewer than 400 fsyncs, and the copy is whole.
many=$scratch/many
make_project "$many"
plain_files "$many"
for d in $(seq 1 40); do
    mkdir -p "$many/media/d$d"
    for f in $(seq 1 10); do printf '%s-%s' "$d" "$f" >"$many/media/d$d/f$f.txt"; done
done
(cd "$many" && ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -e trace=fsync,fdatasync,syncfs -o "$scratch/sync.log" \
    "$POSHTIBAN" create --json >"$scratch/c3.json") || fail "create of 400 small files"
fsyncs=$(grep -c 'fsync(' "$scratch/sync.log")
check "fewer than 100 fsyncs for 400 media files (were $fsyncs)" test "$fsyncs" -lt 100
check "one syncfs for the media" grep -q 'syncfs(' "$scratch/sync.log"
check_backup "$many" "$(json_eval 'd["path"]' <"$scratch/c3.json")"
finish
