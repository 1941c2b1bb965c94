#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A dir backup copies its media on a thread of their own while the snapshot
# and the fixtures are made (ops/backup-media.c). What that thread does must
# end with the backup, whichever side stops first:
# - a whole backup: every media file there and byte-equal, in SHA256SUMS and
#   the report, sha256sum -c passes; the progress on a terminal reaches the
#   media phase with its bytes, after the rows;
# - the media are under way before the rows are done;
# - SIGTERM while both run: out within moments, the record cancelled,
#   nothing in .poshtiban/tmp or the backup root;
# - kill -9 at a progress report of the fixtures, the media half copied:
#   nothing left by the next command, the record interrupted;
# - no room (part disk-full: the backup root on a 12 MiB tmpfs, 24 MiB of
#   random media beside a small database): one line saying so, a failed
#   record, nothing left; the fixtures' thread stopped with it.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh" # try_mount
proj=$scratch/proj
mkdir -p "$proj/media/a" "$proj/media/b"
cd "$proj" || exit 1
root=$(pwd -P)/backups
tmp=$root/.poshtiban/tmp

# nothing_left WHAT [KEPT]: the backup root holds no more than KEPT, tmp nothing
nothing_left() {
    expect_eq "$1: nothing new in the backup root" "${2-}" \
        "$(find "$root" -mindepth 1 -maxdepth 1 ! -name .poshtiban -printf '%f\n' 2>/dev/null)"
    expect_eq "$1: nothing in .poshtiban/tmp" "" "$(ls -A "$tmp" 2>/dev/null)"
}
# changed STEP: a row and the big media files change, so neither is shared with the last backup
changed() {
    sqlite3 db.sqlite3 "UPDATE item SET label = 'step $1' WHERE id = 1;"
    for i in $(seq 1 12); do head -c $((4 * 1024 * 1024)) /dev/urandom >"media/a/r$i.bin"; done
}
newest_status() {
    run_pt list --json </dev/null
    json_eval 'd["backups"][0]["status"]' <<<"$out" 2>/dev/null
}

if part_begins disk-full; then
    sqlite3 db.sqlite3 "CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT); INSERT INTO item (label) VALUES ('یک');"
    for i in 1 2 3; do head -c $((8 * 1024 * 1024)) /dev/urandom >"media/a/f$i.bin"; done
    small=$scratch/small
    try_mount "$small" -t tmpfs -o size=12m tmpfs || skip_part "cannot mount a tmpfs here"
    root=$small/backups tmp=$small/backups/.poshtiban/tmp
    run_pt --backups "$root" create --json </dev/null
    expect_eq "no room: create fails ($err)" 1 "$status"
    case $err in *"No space left on device"*) ;; *) fail "no room: the error says so: [$err]" ;; esac
    expect_eq "no room: one line" 1 "$(printf '%s\n' "$err" | grep -c .)"
    nothing_left "no room"
    run_pt --backups "$root" list --json </dev/null
    expect_eq "no room: the record is failed" failed \
        "$(json_eval 'd["backups"][0]["status"]' <<<"$out" 2>/dev/null)"
    finish
fi

# Rows enough for the fixtures to take a while, media enough for the copy to.
sqlite3 db.sqlite3 "CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT, doc TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200000)
INSERT INTO item (label, doc) SELECT 'ردیف ' || i, '{\"n\": ' || i || ', \"t\": \"\\u0646\"}' FROM s;"
for i in $(seq 1 12); do head -c $((4 * 1024 * 1024)) /dev/urandom >"media/a/r$i.bin"; done
for i in $(seq 1 200); do printf 'note %d\n' "$i" >"media/b/n$i.txt"; done
pt_ok settings set retention.auto_cleanup false

# A whole backup, its progress on a terminal.
script -qefc "'$POSHTIBAN' create --name whole" /dev/null </dev/null >"$scratch/pty.out" 2>&1 ||
    fail "create on a terminal: $(tail -c 300 "$scratch/pty.out")"
tr '\r' '\n' <"$scratch/pty.out" >"$scratch/pty.lines"
rows_at=$(grep -n 'fixtures' "$scratch/pty.lines" | head -n 1 | cut -d: -f1)
media_at=$(grep -n 'copying media' "$scratch/pty.lines" | tail -n 1 | cut -d: -f1)
check "progress: the rows, then the media (rows at ${rows_at:-none}, media at ${media_at:-none})" \
    test -n "$rows_at" -a -n "$media_at" -a "${media_at:-0}" -gt "${rows_at:-0}"
check "progress: the media phase counts its bytes" grep -q 'copying media.*MiB' "$scratch/pty.lines"
b=$root/whole
check "whole: sha256sum -c passes" bash -c "cd '$b' && sha256sum --quiet -c SHA256SUMS"
check "whole: the media are the project's" diff -r media "$b/media"
expect_eq "whole: SHA256SUMS lists every media file" 212 "$(grep -c '  media/' "$b/SHA256SUMS")"
expect_eq "whole: the report lists every media file" 212 \
    "$(json_eval 'sum(1 for f in d["files"] if f["path"].startswith("media/"))' <"$b/backup_report.json")"
pt_ok verify whole

# SIGTERM while the snapshot, the rows and the media are all under way.
changed 1
"$POSHTIBAN" create --name term </dev/null >/dev/null 2>"$scratch/term.err" &
pid=$!
for _ in $(seq 400); do
    [ -n "$(find "$tmp" -path '*/media/a/*' -type f 2>/dev/null | head -n 1)" ] && break
    sleep 0.02
done
# The first media are there before the snapshot is compressed, which ends with the rows.
work_had=$(ls "$tmp/term" 2>/dev/null | tr '\n' ' ')
case " $work_had " in
    *" database.sqlite3.zst "*) case " $work_had " in *" database.sqlite3 "*) ;; *) fail "the media came after the rows: [$work_had]" ;; esac ;;
esac
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
code=$?
took=$((($(date +%s%N) - start) / 1000000))
check "SIGTERM: ended in ${took} ms" test "$took" -lt 5000
check "SIGTERM: not exit 0 ($code)" test "$code" != 0
expect_eq "SIGTERM: the record is cancelled" cancelled "$(newest_status)"
nothing_left "SIGTERM" whole

# kill -9 at a report of the rows, while the media are being copied.
changed 2
st=0
POSHTIBAN_TEST_KILL_AFTER=60 "$POSHTIBAN" create --name nine </dev/null >/dev/null 2>&1 || st=$?
expect_eq "kill -9: create ends by SIGKILL" 137 "$st"
expect_eq "kill -9: the record is interrupted" interrupted "$(newest_status)"
nothing_left "kill -9" whole

# And then a backup as good as the first.
new_backup --name after || fail "create after the stops"
check "after: sha256sum -c passes" bash -c "cd '$root/after' && sha256sum --quiet -c SHA256SUMS"
finish
