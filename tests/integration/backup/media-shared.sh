#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Media that did not change since the previous backup cost nothing: in
# format dir they are hard links to the previous backup's files.
# - the second backup shares every media file (same inode), its report
#   says so, and it verifies;
# - one changed file: only that one is copied anew, the others still shared;
# - deleting the older backup damages none of the newer (they verify and
#   their media equal the source's at the time);
# - every file of a backup is read-only (0400): run as a user to whom
#   permissions apply, writing a backup's file fails, the backup that
#   shares it is unchanged, and backups still verify and restore;
# - where no link can be made (the previous backup is another mount),
#   the files are copied, and the report and a warning say so.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"

inodes() { # inodes BACKUP-PATH: "path inode" of each media file, sorted
    (cd "$1" && find media -type f -printf '%p %i\n' | sort)
}
report_media() { # report_media BACKUP-PATH EXPR: EXPR on the report's "media" object d
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["media"]; print(eval(sys.argv[2]))' \
        "$1/backup_report.json" "$2"
}

proj=$scratch/proj
make_project "$proj"
mkdir -p "$proj/media/many"
for i in $(seq 20); do head -c 3000 /dev/urandom >"$proj/media/many/f$i.bin"; done
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false

# --- shared: the second backup links every media file
new_backup --name b1 || finish
p1=$path
files=$(find "$proj/media" -type f | wc -l)
expect_eq "b1: nothing to share with" 0 "$(report_media "$p1" 'd["shared"]')"
new_backup --name b2 || finish
p2=$path
expect_eq "b2: every media file is b1's (same inodes)" "$(inodes "$p1")" "$(inodes "$p2")"
expect_eq "b2: the report counts them shared" "$files $files" "$(report_media "$p2" '"%d %d" % (d["files"], d["shared"])')"
check "b2: media equal the source" diff -r "$proj/media" "$p2/media"
pt_ok verify b2

# --- one changed file is copied anew, the rest still shared
printf 'changed' >"$proj/media/many/f7.bin"
new_backup --name b3 || finish
p3=$path
changed=$(diff <(inodes "$p2") <(inodes "$p3") | grep -c '^>')
expect_eq "b3: only the changed file has a new inode" 1 "$changed"
expect_eq "b3: the changed one is media/many/f7.bin" "media/many/f7.bin" \
    "$(diff <(inodes "$p2") <(inodes "$p3") | sed -n 's/^> \([^ ]*\) .*/\1/p')"
expect_eq "b3: its content is the new one" changed "$(cat "$p3/media/many/f7.bin")"
expect_eq "b2: keeps the old content" 3000 "$(stat -c %s "$p2/media/many/f7.bin")"
expect_eq "b3: the report counts the others shared" $((files - 1)) "$(report_media "$p3" 'd["shared"]')"

# --- deleting the oldest damages nothing
sum_b2=$(cd "$p2" && sha256sum -c SHA256SUMS >/dev/null && echo ok)
pt_ok delete b1 --yes
check "b1 is gone" test ! -e "$p1"
pt_ok verify b2
pt_ok verify b3
expect_eq "b2: every file still matches its SHA256SUMS" "$sum_b2" "$(cd "$p2" && sha256sum -c SHA256SUMS >/dev/null && echo ok)"

# --- read-only: every file of every backup
expect_eq "every backup file is 0400" "" "$(find "$proj/backups" -path '*/.poshtiban' -prune -o -type f ! -perm 0400 -print)"

# Run as a user to whom permissions apply (root writes through 0400).
if [ "$(id -u)" = 0 ]; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
else
    as_user=()
fi
ro=$(mktemp -d /tmp/poshtiban-ro.XXXXXX)
chmod 755 "$ro"
mkdir -p "$ro/bin"
cp "$POSHTIBAN" "$ro/bin/poshtiban" # the build folder may be closed to that user
make_project "$ro/proj"
[ "$(id -u)" = 0 ] && chown -R 65534:65534 "$ro/proj"
as() { (cd "$ro/proj" && "${as_user[@]}" "$@"); }
as "$ro/bin/poshtiban" create --name r1 >/dev/null 2>"$scratch/ro-err" || fail "as a user: create r1: $(cat "$scratch/ro-err")"
as "$ro/bin/poshtiban" create --name r2 >/dev/null 2>"$scratch/ro-err" || fail "as a user: create r2: $(cat "$scratch/ro-err")"
photo_r1=$ro/proj/backups/r1/media/photo.bin
before=$(sha256sum <"$photo_r1")
if as sh -c 'printf x >>"$1"' sh "$ro/proj/backups/r2/media/photo.bin" 2>/dev/null; then
    fail "as a user: a backup's media file could be written"
fi
expect_eq "as a user: the backup that shares it is unchanged" "$before" "$(sha256sum <"$photo_r1")"
as "$ro/bin/poshtiban" verify --all >/dev/null 2>"$scratch/ro-err" || fail "as a user: verify --all: $(cat "$scratch/ro-err")"
printf 'new' >"$ro/proj/media/photo.bin"
as "$ro/bin/poshtiban" restore r1 --yes >/dev/null 2>"$scratch/ro-err" || fail "as a user: restore r1: $(cat "$scratch/ro-err")"
expect_eq "as a user: the media came back" "$before" "$(sha256sum <"$ro/proj/media/photo.bin")"
check "as a user: the restored media file is writable again by its owner" test "$(stat -c %a "$ro/proj/media/photo.bin")" != 400
rm -rf "$ro"

# --- no link possible: the previous backup on another mount. Its own run
# (media-shared.sh cross-mount); the main run stops here.
part_begins cross-mount || finish
try_mount "$p3" --bind "$p3" || skip_part "cannot bind-mount here"
touch -d '2020-01-01' "$proj/media/docs/contract.txt" 2>/dev/null
new_backup --name b4 || finish
p4=$path
expect_eq "b4: nothing shared across mounts" 0 "$(report_media "$p4" 'd["shared"]')"
expect_eq "b4: the report counts the copies" $((files - 1)) "$(report_media "$p4" 'd["share_failed"]')"
expect_eq "b4: a warning says why" True "$(json_eval 'any("could not be linked" in w and "cross-device" in w.lower() for w in d["warnings"])' <"$p4/backup_report.json")"
pt_ok verify b4
finish
