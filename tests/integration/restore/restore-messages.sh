#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Restore says what really happened:
# - into a WAL database whose pages differ in size from the backup's, it
#   works (the target leaves WAL mode for the copy and goes back);
# - with no space left for the media, it says "No space left on device"
#   (not libarchive's "Write failed"), and leaves no staging folder.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
new_backup --name base || exit 1
rows=$(sqlite3 db.sqlite3 "SELECT count(*) FROM unit")

# No space for the media: a 64 KiB tmpfs, a 100 KB photo.
# Its own run (restore-messages.sh disk-full); the main run leaves it out.
if part_begins disk-full; then
    small=$scratch/small
    try_mount "$small" -t tmpfs -o size=64k tmpfs || skip_part "cannot mount a tmpfs here"
    run_pt restore base --media-only --target-media "$small/media" --yes </dev/null
    expect_eq "disk full: exit 1 ($err)" 1 "$status"
    case $err in *"No space left on device"*) ;; *) fail "disk full: the error says so: [$err]" ;; esac
    expect_eq "disk full: no staging folder left" "" "$(ls -A "$small")"
    finish
fi

# WAL, another page size.
sqlite3 db.sqlite3 "DELETE FROM unit WHERE id > 10; PRAGMA page_size = 8192; VACUUM; PRAGMA journal_mode = WAL;" >/dev/null
expect_eq "the target is WAL with 8 KiB pages" "wal 8192" \
    "$(sqlite3 db.sqlite3 'PRAGMA journal_mode; PRAGMA page_size;' | tr '\n' ' ' | sed 's/ $//')"
run_pt restore base --database-only --yes </dev/null
expect_eq "WAL, other page size: restore works ($err)" 0 "$status"
expect_eq "WAL, other page size: the rows are back" "$rows" "$(sqlite3 db.sqlite3 'SELECT count(*) FROM unit')"
expect_eq "WAL, other page size: still WAL" wal "$(sqlite3 db.sqlite3 'PRAGMA journal_mode')"
expect_eq "WAL, other page size: whole" ok "$(sqlite3 db.sqlite3 'PRAGMA integrity_check')"
finish
