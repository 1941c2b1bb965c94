#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 21: what a restore puts back, the next backup knows again, and holes
# stay holes.
# - sub-second times: media restored from a backup keep their modification
#   time to the nanosecond, so a backup right after the restore shares
#   (hard-links) at least 99% of the unchanged media instead of copying them;
# - sparse files: a 64 MiB file with a few bytes of data takes under 1 MiB
#   of blocks in the backup and after a restore (holes are found with
#   SEEK_DATA/SEEK_HOLE, not written as zeros), and its bytes are the same.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

report_media() { # report_media BACKUP-PATH EXPR: EXPR on the report's "media" object d
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["media"]; print(eval(sys.argv[2]))' \
        "$1/backup_report.json" "$2"
}
mtimes() { # mtimes DIR: "path mtime-to-the-nanosecond" of each file, sorted
    (cd "$1" && find . -type f -printf '%p %T@\n' | sort)
}
blocks_kib() { # blocks_kib FILE: the space FILE takes on disk, in KiB
    echo $(($(stat -c '%b * %B' "$1") / 1024))
}

proj=$scratch/proj
make_project "$proj"
mkdir -p "$proj/media/many"
for i in $(seq 200); do
    head -c 2000 /dev/urandom >"$proj/media/many/f$i.bin"
    # a time with nanoseconds, as uploads have (whatever the file system's own grain)
    touch -d "2024-03-0$((i % 9 + 1)) 10:00:00.$(printf '%09d' $((i * 4567891 % 1000000000)))" \
        "$proj/media/many/f$i.bin"
done
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false

# --- sub-second times survive a restore; the next backup shares the media
new_backup --name before || finish
mentions "$(stat -c %y "$proj/media/many/f1.bin")" ":00.004567891" ||
    fail "the file system keeps nanoseconds: $(stat -c %y "$proj/media/many/f1.bin")"
want=$(mtimes "$proj/media")
printf 'edited since' >"$proj/media/photo.bin"
pt_ok restore before --yes
expect_eq "restored media keep their times to the nanosecond" "$want" "$(mtimes "$proj/media")"
# The newest backup is now the pre-restore one, whose media are `before`'s
# (linked) but for photo.bin: the next backup links to them what the restore
# put back unchanged, known by size and time.
new_backup --name after || finish
files=$(report_media "$path" 'd["files"]')
shared=$(report_media "$path" 'd["shared"]')
check "after the restore: at least 99% of $files media files shared ($shared)" \
    test $((shared * 100)) -ge $((files * 99))

# --- holes: its own run (media-restore.sh holes), from here to the end;
# the main run stops here.
part_begins holes || finish
# --- sparse: a 64 MiB file, a few bytes of data
truncate -s 64M "$proj/media/sparse.bin"
printf 'data in the middle' | dd of="$proj/media/sparse.bin" bs=1 seek=$((32 << 20)) conv=notrunc status=none
printf 'data at the end' | dd of="$proj/media/sparse.bin" bs=1 seek=$(((64 << 20) - 15)) conv=notrunc status=none
if [ "$(blocks_kib "$proj/media/sparse.bin")" -ge 1024 ]; then
    skip_part "this file system keeps no holes"
fi
sum=$(sha256sum <"$proj/media/sparse.bin")
new_backup --name sparse || finish
sparse=$path
expect_eq "sparse: the backup's copy is the same file" "$sum" "$(sha256sum <"$sparse/media/sparse.bin")"
expect_eq "sparse: its size is kept" $((64 << 20)) "$(stat -c %s "$sparse/media/sparse.bin")"
check "sparse: the backup's copy takes < 1 MiB ($(blocks_kib "$sparse/media/sparse.bin") KiB)" \
    test "$(blocks_kib "$sparse/media/sparse.bin")" -lt 1024
pt_ok verify --deep sparse
rm -f "$proj/media/sparse.bin"
pt_ok restore sparse --yes
expect_eq "sparse: restored, the same bytes" "$sum" "$(sha256sum <"$proj/media/sparse.bin")"
check "sparse: the restored file takes < 1 MiB ($(blocks_kib "$proj/media/sparse.bin") KiB)" \
    test "$(blocks_kib "$proj/media/sparse.bin")" -lt 1024
# A sparse file whose last bytes are a hole: the length is kept.
truncate -s 8M "$proj/media/tail.bin"
printf 'head' | dd of="$proj/media/tail.bin" conv=notrunc status=none
new_backup --name tail || finish
expect_eq "tail hole: the size is kept" $((8 << 20)) "$(stat -c %s "$path/media/tail.bin")"
expect_eq "tail hole: the same bytes" "$(sha256sum <"$proj/media/tail.bin")" "$(sha256sum <"$path/media/tail.bin")"
pt_ok verify tail
finish
