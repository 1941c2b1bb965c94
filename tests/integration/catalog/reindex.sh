#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3, acceptance 7: after catalog.sqlite3 is lost, `reindex` brings back
# every backup's record from the backup_report.json in every folder and
# archive of the backup root (name, kind, status, format, size, tables, path),
# newest first as before; folders and files that are no backups are skipped.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
root=$(pwd -P)/backups
pt_ok settings set retention.auto_cleanup false

POSHTIBAN_TEST_NOW=2026-04-01T08:00:00Z new_backup --format dir
POSHTIBAN_TEST_NOW=2026-04-02T08:00:00Z new_backup --format zip --kind auto
sqlite3 db.sqlite3 "INSERT INTO investor (name) VALUES ('بعدی'); CREATE TABLE extra (v TEXT); INSERT INTO extra VALUES ('x');"
POSHTIBAN_TEST_NOW=2026-04-03T08:00:00Z new_backup --format tar.zst --kind scheduled
POSHTIBAN_TEST_NOW=2026-04-04T08:00:00Z new_backup --format dir --no-media --name nightly
POSHTIBAN_TEST_NOW=2026-04-05T08:00:00Z new_backup --format zip --no-media
# Not backups: reindex must skip them.
mkdir -p "$root/not-a-backup" "$root/backup_20200101_000000"
printf '{}' >"$root/not-a-backup/backup_report.json.txt"
printf 'x' >"$root/backup_20200101_000000/x.txt"
printf 'junk' >"$root/backup_20200102_000000.zip"
printf 'notes' >"$root/README.txt"

fields='[{k: r[k] for k in ("name", "kind", "status", "format", "size_bytes", "tables", "path", "include_media")} for r in d["backups"]]'
run_pt list --json </dev/null
before=$(echo "$out" | json_eval "$fields")
expect_eq "five backups before" 5 "$(echo "$out" | json_eval 'd["total"]')"

rm -f "$root/.poshtiban/catalog.sqlite3" "$root/.poshtiban/catalog.sqlite3-wal" \
    "$root/.poshtiban/catalog.sqlite3-shm" "$root/.poshtiban/catalog.sqlite3-journal"
run_pt list --json </dev/null
expect_eq "without the catalog the list is empty" 0 "$(echo "$out" | json_eval 'd["total"]')"

run_pt reindex --json </dev/null
expect_eq "reindex exit ($err)" 0 "$status"
expect_eq "reindex --json: records" 5 "$(echo "$out" | json_eval 'd["records"]')"
run_pt list --json </dev/null
expect_eq "every record back, newest first" "$before" "$(echo "$out" | json_eval "$fields")"

# Again, with the catalog present: no duplicates.
run_pt reindex </dev/null
expect_eq "second reindex exit ($err)" 0 "$status"
run_pt list --json </dev/null
expect_eq "second reindex: no duplicates" "$before" "$(echo "$out" | json_eval "$fields")"

# The rebuilt catalog works: the backups verify, a new one gets a new name.
run_pt verify --all </dev/null
expect_eq "verify --all after reindex ($err)" 0 "$status"
POSHTIBAN_TEST_NOW=2026-04-05T08:00:00Z new_backup --format dir
expect_eq "same second after reindex: a new name" backup_20260405_080000_2 "$name"
run_pt list --json </dev/null
expect_eq "six records" 6 "$(echo "$out" | json_eval 'd["total"]')"
check "the decoys are still there" test -f "$root/backup_20200101_000000/x.txt" -a -f "$root/backup_20200102_000000.zip" -a -f "$root/README.txt"
finish
