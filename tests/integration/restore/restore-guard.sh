#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The worst day: restore never destroys what it was not asked to replace,
# never installs a damaged backup, and says why in one line.
# - targets that hold or lie in the backups, the catalog, the project or its
#   database are refused, links resolved (restore-guard: targets);
# - a backup root inside the media folder is refused by create and restore
#   (restore-guard: layout);
# - a backup that does not verify, or an archive with an unlisted, doubled
#   or altered member, is refused with exit 1, nothing changed and no
#   pre_restore taken (restore-guard: damage);
# - names never look like ids; "latest" is the newest completed backup;
# - a media folder that is a link is restored through the link, and
#   restore never widens the media folder's permissions; each file's own
#   mode is recorded in the report and restored.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
new_backup --name b1 || exit 1
b1=$id

# project_state: the whole project folder, backups included.
# The catalog is left out: a refused restore records what verify found.
project_state() { tree_state "$proj" | grep -v "^f backups/.poshtiban/"; }
records() { run_pt list --json </dev/null; echo "$out" | json_eval 'd["total"]'; }

refused() { # refused WHAT EXIT WORDS COMMAND…: refused with EXIT, one line naming WORDS, nothing changed
    local what=$1 code=$2 words=$3
    shift 3
    local before n_before
    before=$(project_state)
    n_before=$(records)
    run_pt "$@" </dev/null
    expect_eq "$what: exit" "$code" "$status"
    expect_eq "$what: one line on stderr" 1 "$(printf '%s\n' "$err" | grep -c .)"
    case $err in *"$words"*) ;; *) fail "$what: the error says [$words]: [$err]" ;; esac
    expect_eq "$what: the project is unchanged" "$before" "$(project_state)"
    expect_eq "$what: no record added (no pre_restore)" "$n_before" "$(records)"
}

# --- targets
refused "targets: media at the project folder" 2 "holds $proj" \
    restore b1 --media-only --target-media . --yes
refused "targets: media above the project" 2 "holds" \
    restore b1 --media-only --target-media .. --yes
refused "targets: media at the backup folder" 2 "holds $proj/backups" \
    restore b1 --media-only --target-media backups --yes
refused "targets: media inside the backup folder" 2 "lies in the backup folder" \
    restore b1 --media-only --target-media backups/.poshtiban/x --yes
refused "targets: database over the catalog" 2 "lies in the backup folder" \
    restore b1 --database-only --target-database backups/.poshtiban/catalog.sqlite3 --yes
refused "targets: database at a folder" 2 "not a file" \
    restore b1 --database-only --target-database media --yes
ln -s "$proj" "$scratch/project-link"
refused "targets: media at a link to the project" 2 "holds" \
    restore b1 --media-only --target-media "$scratch/project-link" --yes
ln -s "$proj/backups" "$scratch/backups-link"
refused "targets: media at a link to the backups" 2 "holds" \
    restore b1 --media-only --target-media "$scratch/backups-link" --yes
refused "targets: dry run refuses too" 2 "holds" \
    restore b1 --media-only --target-media . --dry-run
# A target of its own is fine.
run_pt restore b1 --media-only --target-media "$scratch/elsewhere" --yes </dev/null
expect_eq "targets: a separate folder restores ($err)" 0 "$status"
expect_eq "targets: it holds the media" "$(tree_state "$proj/media")" "$(tree_state "$scratch/elsewhere")"

# --- layout: backups inside media, directly or through a link
refused "layout: create with the backups in media" 2 "inside the media folder" \
    --backups media/bk create
check "layout: nothing written in media" test ! -e media/bk
mkdir -p "$scratch/lp/media/store"
cp db.sqlite3 "$scratch/lp/"
echo x >"$scratch/lp/media/a.txt"
ln -s media/store "$scratch/lp/backups"
run_pt -C "$scratch/lp" create </dev/null
expect_eq "layout: create with backups a link into media: exit ($err)" 2 "$status"
case $err in *"inside the media folder"*) ;; *) fail "layout: the link is seen through: [$err]" ;; esac
expect_eq "layout: nothing written there" "" "$(ls -A "$scratch/lp/media/store")"

# --- damage: a flipped byte anywhere, in every format
flip() { # flip FILE: one byte changed in the middle, the mode kept
    local f=$1 mode
    mode=$(stat -c %a "$f")
    chmod u+w "$f"
    "$PY" - "$f" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x01
open(p, "wb").write(bytes(b))
PY
    chmod "$mode" "$f"
}
new_backup --name dmg-media || exit 1
flip "$path/media/photo.bin"
refused "damage: dir backup, a media file" 1 "does not verify" restore dmg-media --yes
new_backup --name dmg-db || exit 1
flip "$path/database.sqlite3.zst"
refused "damage: dir backup, database.sqlite3.zst" 1 "dmg-db: database.sqlite3.zst" restore dmg-db --yes
new_backup --name dmg-gz || exit 1
flip "$path/complete_database.json.gz"
refused "damage: dir backup, complete_database.json.gz" 1 "does not verify" restore dmg-gz --yes
pt_ok settings set backup.compress false
new_backup --name dmg-plain-db || exit 1
flip "$path/database.sqlite3"
refused "damage: dir backup, database.sqlite3" 1 "does not verify" restore dmg-plain-db --yes
pt_ok settings set backup.compress true
new_backup --name dmg-tar --format tar.zst || exit 1
flip "$path"
# The report lies after the media in a tar.zst (docs/backup-layout.md,
# "Member order"): the plan reads up to it, through the damage, and says so.
refused "damage: tar.zst archive" 1 "dmg-tar.tar.zst is damaged" restore dmg-tar --yes
new_backup --name dmg-zip --format zip || exit 1
flip "$path"
refused "damage: zip archive" 1 "does not verify" restore dmg-zip --yes

# Archives rebuilt with a foreign member, their .sha256 made to match: the
# members' own checks stand between them and the project.
add_member() { # add_member ARCHIVE NAME MEMBER CONTENT-FILE
    "$PY" - "$@" <<'PY'
import io, os, sys, tarfile, zipfile, subprocess
archive, name, member, content = sys.argv[1:5]
data = open(content, "rb").read()
if archive.endswith(".zip"):
    os.chmod(archive, 0o600)
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr(name + "/" + member, data)
else:
    plain = subprocess.run(["zstd", "-q", "-d", "-c", archive], check=True, capture_output=True).stdout
    buf = io.BytesIO(plain)
    out = io.BytesIO()
    with tarfile.open(fileobj=buf) as src, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as dst:
        for info in src.getmembers():
            dst.addfile(info, src.extractfile(info) if info.isfile() else None)
        info = tarfile.TarInfo(name + "/" + member)
        info.size, info.mode = len(data), 0o600
        dst.addfile(info, io.BytesIO(data))
    os.chmod(archive, 0o600)
    open(archive, "wb").write(subprocess.run(["zstd", "-q", "-c"], input=out.getvalue(), check=True, capture_output=True).stdout)
d = os.path.dirname(archive)
os.chmod(archive + ".sha256", 0o600)
sums = subprocess.run(["sha256sum", os.path.basename(archive)], cwd=d, check=True, capture_output=True).stdout
open(archive + ".sha256", "wb").write(sums)
PY
}
sqlite3 "$scratch/foreign.sqlite3" "CREATE TABLE evil (x); INSERT INTO evil VALUES ('pwned');"
printf 'not the backup' >"$scratch/extra.txt"
cp media/photo.bin "$scratch/photo-copy.bin"
for fmt in zip tar.zst; do
    new_backup --name "foreign-db-$fmt" --format "$fmt" || exit 1
    add_member "$path" "$name" database.sqlite3 "$scratch/foreign.sqlite3"
    refused "damage: $fmt with a second database.sqlite3" 1 "$name" restore "$name" --yes
    new_backup --name "dup-media-$fmt" --format "$fmt" || exit 1
    add_member "$path" "$name" media/docs/contract.txt "$scratch/extra.txt"
    refused "damage: $fmt with a media file twice" 1 "$name" restore "$name" --yes
    new_backup --name "unlisted-$fmt" --format "$fmt" || exit 1
    add_member "$path" "$name" media/new.txt "$scratch/extra.txt"
    refused "damage: $fmt with an unlisted media file" 1 "$name" restore "$name" --yes
done
check "damage: the foreign database never reached the project" \
    test "$(sqlite3 db.sqlite3 "SELECT count(*) FROM sqlite_master WHERE name = 'evil'")" = 0

# --- names and ids
refused "names: a name of digits only" 2 "not only digits" create --name 12
refused "names: the name latest" 2 "latest" create --name latest
refused "names: a bidi override" 2 "report<U+202E>txt.exe" create --name $'report\u202etxt.exe'
refused "names: a bidi isolate" 2 "a<U+2066>b" create --name $'a\u2066b'
pt_ok create --name 'پیش‌از‌ارتقا' --no-media # a zero-width non-joiner is no bidi control
pt_ok create --name newest --no-media
run_pt show latest --json </dev/null
expect_eq "names: latest is the newest completed backup" newest "$(echo "$out" | json_eval 'd["name"]')"

# --- a media folder that is a link, and its permissions
vol=$scratch/volume
mkdir -p "$vol/media"
cp -a media/. "$vol/media/"
chmod 700 "$vol/media"
chmod -R go-rwx "$vol/media"
mkdir -p "$scratch/linked"
cp db.sqlite3 "$scratch/linked/"
ln -s "$vol/media" "$scratch/linked/media"
lp() { run_pt -C "$scratch/linked" "$@" </dev/null; }
lp create --name linked-1
expect_eq "link: create ($err)" 0 "$status"
echo "added later" >"$vol/media/later.txt"
lp restore linked-1 --media-only --yes
expect_eq "link: restore ($err)" 0 "$status"
check "link: the media folder is still a link" test -L "$scratch/linked/media"
check "link: the volume got the backup's media" test ! -e "$vol/media/later.txt"
expect_eq "link: the volume holds what was backed up" "$(tree_state media)" "$(tree_state "$vol/media")"
expect_eq "link: the folder keeps its 0700" 700 "$(stat -c %a "$vol/media")"
wide=$(find "$vol/media" \( -type f -perm /077 \) -o \( -type d -perm /077 \) | head -3)
expect_eq "link: nothing inside is wider than its folder" "" "$wide"
# --- the files' own modes, recorded in the report, come back exactly
chmod 640 media/photo.bin
chmod 600 media/docs/contract.txt
for fmt in dir zip tar.zst; do
    new_backup --format "$fmt" --name "modes-$fmt" || continue
    run_pt show "modes-$fmt" --json </dev/null
    run_pt restore "modes-$fmt" --media-only --target-media "$scratch/modes-$fmt" --yes </dev/null
    expect_eq "modes, $fmt: restore ($err)" 0 "$status"
    expect_eq "modes, $fmt: each file as it was" "640 600" \
        "$(stat -c %a "$scratch/modes-$fmt/photo.bin" "$scratch/modes-$fmt/docs/contract.txt" | tr '\n' ' ' | sed 's/ $//')"
done
finish
