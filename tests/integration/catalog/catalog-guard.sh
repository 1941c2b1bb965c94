#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The catalog never tells a half-done story, whatever stops poshtiban:
# - delete marks the record "deleting" before it removes a file, and the
#   next command finishes the job (real kill -9 at the 5th unlink, through
#   strace's fault injection);
# - a backup moved into place but not yet recorded is recovered from its
#   report, with its size and tables;
# - a project reached through a link, or moved, still deletes and prunes;
# - a FIFO named backup_report.json does not hang reindex, and oversized
#   reports are refused instead of read into memory;
# - a pin made while a verify runs is kept (strace holds the verify back
#   after it has read the record).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
command -v strace >/dev/null || { echo "strace is not installed" >&2; exit 1; }

proj=$scratch/proj
make_project "$proj"
for i in $(seq 1 40); do echo "file $i" >"$proj/media/docs/f$i.txt"; done
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
status_of() { sqlite3 backups/.poshtiban/catalog.sqlite3 "SELECT status FROM backups WHERE name = '$1'"; }

# --- delete cut short by kill -9
new_backup --name doomed || exit 1
doomed_path=$path
strace -f -qq -o /dev/null -e trace=unlink,unlinkat,rmdir -e inject=unlink:signal=KILL:when=5 \
    "$POSHTIBAN" delete doomed --yes </dev/null >/dev/null 2>&1
check "delete: the process was killed mid-way" test -d "$doomed_path"
expect_eq "delete: the record says deleting, not completed" deleting "$(status_of doomed)"
run_pt list --json </dev/null
expect_eq "delete: the next command finished it: no record" 0 \
    "$(echo "$out" | json_eval 'sum(1 for r in d["backups"] if r["name"] == "doomed")')"
check "delete: and no files" test ! -e "$doomed_path"

# --- moved into place, not recorded
new_backup --name unrecorded || exit 1
size=$(echo "$rec" | json_eval 'd["size_bytes"]')
sqlite3 backups/.poshtiban/catalog.sqlite3 "UPDATE backups SET status = 'running', size_bytes = 0,
    pid = 999999 WHERE name = 'unrecorded'; DELETE FROM backup_tables WHERE backup_id = $id;"
run_pt show unrecorded --json </dev/null
expect_eq "recovery: completed from its report" completed "$(echo "$out" | json_eval 'd["status"]')"
expect_eq "recovery: its size" "$size" "$(echo "$out" | json_eval 'd["size_bytes"]')"
expect_eq "recovery: its tables" 500 "$(echo "$out" | json_eval 'd["tables"].get("unit")')"

# --- reached through a link, then moved
ln -s "$proj" "$scratch/link"
new_backup --name via-link || exit 1
run_pt -C "$scratch/link" delete via-link --yes </dev/null
expect_eq "link: delete through a link to the project ($err)" 0 "$status"
mv "$proj" "$scratch/moved"
proj=$scratch/moved
cd "$proj" || exit 1
run_pt delete unrecorded --yes </dev/null
expect_eq "moved: delete in a moved project ($err)" 0 "$status"
run_pt prune </dev/null
expect_eq "moved: prune in a moved project ($err)" 0 "$status"
new_backup --name after-move || exit 1
run_pt verify after-move </dev/null
expect_eq "moved: verify ($err)" 0 "$status"

# --- a FIFO where a report should be
mkdir -p backups/backup_20260101_000000
mkfifo backups/backup_20260101_000000/backup_report.json
timeout 60 "$POSHTIBAN" reindex </dev/null >/dev/null 2>"$scratch/stderr"
rc=$?
check "fifo: reindex does not hang (exit $rc)" test "$rc" != 124
run_pt create --no-media </dev/null
expect_eq "fifo: create afterwards is not busy ($err)" 0 "$status"
rm -rf backups/backup_20260101_000000

# --- a report far too large: refused, memory stays small
mkdir -p backups/backup_20260102_000000
head -c $((80 << 20)) /dev/zero | tr '\0' ' ' >backups/backup_20260102_000000/backup_report.json
/usr/bin/time -f %M -o "$scratch/rss" "$POSHTIBAN" reindex </dev/null >/dev/null 2>&1
rss=$(tail -n 1 "$scratch/rss")
check "big report: reindex stays under 64 MiB of memory (${rss} KiB)" test "$rss" -lt 65536
rm -rf backups/backup_20260102_000000

# --- a pin during a verify is kept
new_backup --name pinned-during || exit 1
# The verify is held 3 s as it opens the backup's SHA256SUMS: it has read
# the record by then, and writes its result after.
strace -f -qq -o /dev/null -P "$path/SHA256SUMS" -e trace=openat \
    -e inject=openat:delay_exit=3000000 \
    "$POSHTIBAN" verify pinned-during </dev/null >"$scratch/verify.out" 2>&1 &
vpid=$!
sleep 1
run_pt pin pinned-during </dev/null
expect_eq "pin during verify ($err)" 0 "$status"
wait "$vpid"
expect_eq "pin: the verify ended well ($(cat "$scratch/verify.out"))" 0 $?
expect_eq "pin: still pinned after the verify wrote its result" True "$(field pinned-during 'd["pinned"]')"
expect_eq "pin: and the verify's result is there" True "$(field pinned-during 'd["verify_ok"]')"
finish
