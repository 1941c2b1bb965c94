#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One file back (issue 23): `ls NAME [PATH]` lists what a backup holds;
# `restore NAME --path media/REL [--to DIR]` brings back one deleted upload
# from a dir, a zip and a tar.zst backup and touches nothing else (every
# other file keeps its bytes and its mtime, the database is not opened for
# writing); a newer or different file there is refused without --force;
# hostile paths, a damaged member, --to in the backup root and a link on
# the way are refused with nothing written; kill -9 leaves no half file.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
head -c 300000 /dev/urandom >media/x.jpg
mkdir -p media/docs/deep
printf 'deep' >media/docs/deep/note.txt
pt_ok settings set retention.auto_cleanup false
x_sum=$(sha256sum media/x.jpg | cut -d' ' -f1)
x_mtime=$(stat -c %Y media/x.jpg)

# Every entry below the media folder with its bytes' hash and mtime (to the
# nanosecond), and the database file's: what "untouched" means here.
state() {
    "$PY" - media db.sqlite3 <<'PY'
import hashlib, os, sys
root, db = sys.argv[1], sys.argv[2]
out = []
for here, dirs, files in os.walk(root):
    for n in sorted(dirs + files):
        p = os.path.join(here, n)
        st = os.lstat(p)
        h = ""
        if os.path.isfile(p) and not os.path.islink(p):
            h = hashlib.sha256(open(p, "rb").read()).hexdigest()
        out.append("%s %o %s %d" % (os.path.relpath(p, root), st.st_mode, h, st.st_mtime_ns))
st = os.stat(db)
out.append("db %s %d" % (hashlib.sha256(open(db, "rb").read()).hexdigest(), st.st_mtime_ns))
print("\n".join(sorted(out)))
PY
}
leftovers() { find "$proj" "$scratch" -name '*.poshtiban-part-*' 2>/dev/null; }

for format in dir zip tar.zst; do
    new_backup --name "b_${format/./_}" --format "$format" || exit 1
done

# ls: paths and sizes, for each format; --json has the checksums.
for b in b_dir b_zip b_tar_zst; do
    pt_ok ls "$b" || continue
    mentions "$out" "media/x.jpg" || fail "ls $b: lists media/x.jpg: [$out]"
    mentions "$out" "SHA256SUMS" || fail "ls $b: lists SHA256SUMS"
    pt_ok ls "$b" media/docs --json || continue
    expect_eq "ls $b media/docs --json: only what is under media/docs" \
        "['media/docs', 'media/docs/contract.txt', 'media/docs/deep', 'media/docs/deep/note.txt']" \
        "$(echo "$out" | json_eval 'sorted(m["path"] for m in d["members"])')"
    pt_ok ls "$b" media/x.jpg --json || continue
    expect_eq "ls $b: x.jpg's size and checksum" "300000 $x_sum" \
        "$(echo "$out" | json_eval '"%d %s" % (d["members"][0]["size"], d["members"][0]["sha256"])')"
done
run_pt ls b_dir media/nope </dev/null
expect_eq "ls of a path the backup lacks exits 2 ($err)" 2 "$status"
run_pt ls b_dir ../x </dev/null
expect_eq "ls ../x exits 2" 2 "$status"

# One deleted upload back, from each format; nothing else changes.
for b in b_dir b_zip b_tar_zst; do
    rm media/x.jpg
    before=$(state)
    run_pt restore "$b" --path media/x.jpg --dry-run </dev/null
    expect_eq "$b: --dry-run exits 0 ($err)" 0 "$status"
    mentions "$out" "media/x.jpg" || fail "$b: --dry-run names the file: [$out]"
    check "$b: --dry-run wrote nothing" test ! -e media/x.jpg
    run_pt restore "$b" --path media/x.jpg </dev/null
    expect_eq "$b: without a terminal and without --yes: exit 2" 2 "$status"
    check "$b: and nothing written" test ! -e media/x.jpg
    pt_ok restore "$b" --path media/x.jpg --yes || continue
    expect_eq "$b: x.jpg is back, byte for byte" "$x_sum" "$(sha256sum media/x.jpg | cut -d' ' -f1)"
    expect_eq "$b: with its mtime" "$x_mtime" "$(stat -c %Y media/x.jpg)"
    after=$(state)
    expect_eq "$b: every other file and the database untouched" "$before" \
        "$(echo "$after" | grep -v '^x.jpg ')"
    expect_eq "$b: no temporary file left" "" "$(leftovers)"
done
pt_ok list --json
expect_eq "no pre_restore backup is made for one file" 3 "$(echo "$out" | json_eval 'd["total"]')"

# On a terminal it shows the plan and asks restore --path's question (the
# TUI asks the same, tui-restore-path); nobody answers: nothing written.
rm media/x.jpg
on_pty "$scratch/said" restore b_dir --path media/x.jpg
said=$(tr -d '\r' <"$scratch/said")
mentions "$said" "+ media/x.jpg" || fail "on a terminal: the plan: [$said]"
mentions "$said" "Restore media/x.jpg from backup b_dir into $proj/media?" ||
    fail "on a terminal: the question: [$said]"
check "on a terminal, not answered: exit non-zero" test "$status" != 0
check "on a terminal, not answered: nothing written" test ! -e media/x.jpg
pt_ok restore b_dir --path media/x.jpg --yes

# A newer file is refused without --force, then replaced with it.
printf 'edited later' >media/x.jpg
touch -d '+1 hour' media/x.jpg
before=$(state)
run_pt restore b_zip --path media/x.jpg --yes </dev/null
expect_eq "a newer file: exit 2 ($err)" 2 "$status"
mentions "$err" "newer" || fail "a newer file: the error says so: [$err]"
mentions "$err" "--force" || fail "a newer file: the error names --force: [$err]"
expect_eq "a newer file: nothing changed" "$before" "$(state)"
pt_ok restore b_zip --path media/x.jpg --yes --force
expect_eq "--force replaces it" "$x_sum" "$(sha256sum media/x.jpg | cut -d' ' -f1)"
pt_ok restore b_zip --path media/x.jpg --yes
mentions "$out" "already match" || fail "the same file again: said to match: [$out]"

# A folder, elsewhere, with --to (created; its files at their media-relative paths).
pt_ok restore b_tar_zst --path media/docs/ --to "$scratch/out" --yes
expect_eq "a folder to --to" "قرارداد deep" \
    "$(cat "$scratch/out/docs/contract.txt") $(cat "$scratch/out/docs/deep/note.txt")"
check "--to: nothing else there" test ! -e "$scratch/out/x.jpg"

# Hostile requests: exit 2, nothing written anywhere.
before=$(state)
for bad in ../x /etc/passwd media/../../x media/./x.jpg fixtures/unit.json media/nope.jpg ""; do
    run_pt restore b_dir --path "$bad" --to "$scratch/hostile" --yes </dev/null
    expect_eq "--path '$bad' exits 2 ($err)" 2 "$status"
done
check "hostile requests wrote nothing" test ! -e "$scratch/hostile"
for to in backups backups/.poshtiban/tmp/x backups/b_dir; do
    run_pt restore b_dir --path media/x.jpg --to "$to" --yes </dev/null
    expect_eq "--to $to (in the backup root) exits 2 ($err)" 2 "$status"
done
ln -s "$proj/backups" "$scratch/backups-link"
run_pt restore b_dir --path media/x.jpg --to "$scratch/backups-link/sub" --yes </dev/null
expect_eq "--to through a link into the backup root exits 2" 2 "$status"
expect_eq "hostile --to: nothing changed in the backups" "" \
    "$(find backups -name x.jpg -newer db.sqlite3 2>/dev/null | grep -v '^backups/b_dir/media/x.jpg$')"
expect_eq "hostile requests: the media and database untouched" "$before" "$(state)"

# A link on the way out: media/docs is now a link to a folder outside.
mkdir "$scratch/outside"
mv media/docs "$scratch/docs-saved"
ln -s "$scratch/outside" media/docs
run_pt restore b_dir --path media/docs/contract.txt --yes </dev/null
expect_eq "a link on the way: exit 2 ($err)" 2 "$status"
expect_eq "a link on the way: nothing written outside" "" "$(ls -A "$scratch/outside")"
rm media/docs
mv "$scratch/docs-saved" media/docs
# A link where the file goes is never followed.
rm media/x.jpg
ln -s "$scratch/outside/victim" media/x.jpg
run_pt restore b_dir --path media/x.jpg --yes --force </dev/null
expect_eq "a link where the file goes: exit 2 ($err)" 2 "$status"
check "a link where the file goes: nothing written through it" test ! -e "$scratch/outside/victim"
rm media/x.jpg

# A damaged member: the checksum does not match, nothing is written.
chmod -R u+w backups/b_dir
flip_byte backups/b_dir/media/x.jpg 1000
run_pt restore b_dir --path media/x.jpg --yes </dev/null
expect_eq "a damaged member: exit 1 ($err)" 1 "$status"
mentions "$err" "checksum" || fail "a damaged member: the error says checksum: [$err]"
check "a damaged member: nothing written" test ! -e media/x.jpg
expect_eq "a damaged member: no temporary file left" "" "$(leftovers)"
# The same in a zip: a byte of x.jpg's data flipped (the archive's own CRC
# or our checksum catches it), nothing written.
chmod u+w backups/b_zip.zip
off=$("$PY" - backups/b_zip.zip <<'PY'
import struct, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
info = next(i for i in z.infolist() if i.filename.endswith("/media/x.jpg"))
with open(sys.argv[1], "rb") as f:
    f.seek(info.header_offset)
    head = f.read(30)
n, m = struct.unpack("<HH", head[26:30])
print(info.header_offset + 30 + n + m + 5000)
PY
)
flip_byte backups/b_zip.zip "$off"
run_pt restore b_zip --path media/x.jpg --yes </dev/null
expect_eq "a damaged zip member: exit 1 ($err)" 1 "$status"
check "a damaged zip member: nothing written" test ! -e media/x.jpg
expect_eq "a damaged zip member: no temporary file left" "" "$(leftovers)"
# In a folder: one damaged file stops all, none is put in place.
run_pt restore b_dir --path media --to "$scratch/all" --yes </dev/null
expect_eq "a damaged member in a folder: exit 1" 1 "$status"
expect_eq "a damaged member in a folder: no file put in place" "" \
    "$(find "$scratch/all" -type f 2>/dev/null)"

# kill -9 as the file is renamed into place: no half file, the next command cleans up.
if command -v strace >/dev/null; then
    strace -f -qq -o /dev/null -e trace=renameat,renameat2 \
        -e inject=renameat,renameat2:signal=KILL:when=1 \
        "$POSHTIBAN" restore b_tar_zst --path media/x.jpg --yes </dev/null >/dev/null 2>&1
    check "kill: no half x.jpg" test ! -e media/x.jpg
    check "kill: the temporary file was left by the kill" test -n "$(leftovers)"
    pt_ok list
    expect_eq "kill: the next command removed it" "" "$(leftovers)"
    expect_eq "kill: and its marker" "" "$(ls -A backups/.poshtiban/tmp)"
    pt_ok restore b_tar_zst --path media/x.jpg --yes
    expect_eq "kill: then it restores whole" "$x_sum" "$(sha256sum media/x.jpg | cut -d' ' -f1)"
else
    fail "strace is not installed"
fi

finish
