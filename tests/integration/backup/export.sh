#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3, acceptance 5: `export` of every format gives one ZIP that unzip -t
# accepts, whose contents equal the backup under the top folder <name>/, at
# the default place or at -o; its peak memory does not grow with the backup.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

# expect_export_equals ZIP BACKUP-PATH NAME WHAT
expect_export_equals() {
    local zip=$1 bpath=$2 bname=$3 what=$4 x=$scratch/x.$RANDOM
    check "$what: unzip -t accepts $zip" unzip -tq "$zip" >/dev/null
    mkdir -p "$x/export"
    unzip -q "$zip" -d "$x/export" || fail "$what: unzip $zip"
    expect_eq "$what: one top folder, the backup's name" "$bname" "$(ls -A "$x/export")"
    unpack_backup "$bpath" "$x/backup"
    check "$what: contents equal the backup (diff -r)" diff -r "$x/backup/$bname" "$x/export/$bname"
    expect_eq "$what: same tree, same bytes" "$(tree_state "$x/backup/$bname")" "$(tree_state "$x/export/$bname")"
    rm -rf "$x"
}

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
root=$(pwd -P)/backups
pt_ok settings set retention.auto_cleanup false
mkdir -p "$scratch/chosen"
for fmt in dir zip tar.zst; do
    new_backup --format "$fmt" || continue
    before=$(tree_state "$root" | grep -v -e ' \.poshtiban/')
    run_pt export "$id" --json </dev/null
    expect_eq "$fmt: export --json exit ($err)" 0 "$status"
    zip=$(echo "$out" | json_eval 'd["path"]')
    expect_eq "$fmt: default export path" "$root/.poshtiban/exports/$name.zip" "$zip"
    check "$fmt: the printed path exists" test -f "$zip"
    expect_export_equals "$zip" "$path" "$name" "$fmt export"
    expect_eq "$fmt: export leaves the backups as they were" "$before" "$(tree_state "$root" | grep -v -e ' \.poshtiban/')"
    run_pt show "$id" --json </dev/null
    expect_eq "$fmt: the backup is still there" completed "$(echo "$out" | json_eval 'd["status"]')"

    run_pt export "$name" -o "$scratch/chosen/my-$fmt.zip" </dev/null
    expect_eq "$fmt: export -o exit ($err)" 0 "$status"
    check "$fmt: export -o writes the chosen file" test -f "$scratch/chosen/my-$fmt.zip"
    expect_eq "$fmt: export prints one line" 1 "$(printf '%s\n' "$out" | grep -c .)"
    mentions "$out" "$scratch/chosen/my-$fmt.zip" || fail "$fmt: export prints where the ZIP is: [$out]"
    expect_export_equals "$scratch/chosen/my-$fmt.zip" "$path" "$name" "$fmt export -o"
    check "$fmt: no leftovers in tmp" test -z "$(ls -A "$root/.poshtiban/tmp")"
done
expect_eq "export -o writes nothing else beside the chosen file" "$(printf 'my-%s.zip\n' dir tar.zst zip)" "$(ls -A "$scratch/chosen")"
run_pt export no_such_backup </dev/null
expect_eq "export of a missing backup: exit" 2 "$status"

# Issue 21, Deliver 2: export -o destroys nothing. Each refusal: exit 2, one
# line on stderr, and the target as it was.
new_backup || fail "a backup to export"
db_sum() { sha256sum "$proj/db.sqlite3" | cut -d' ' -f1; }
refused() { # refused WHAT ARGS… : export exits 2 with one line, the project as it was
    local what=$1 before_db before_media before_root
    shift
    before_db=$(db_sum)
    before_media=$(tree_state "$proj/media")
    before_root=$(tree_state "$root" | grep -v -e ' \.poshtiban/tmp')
    run_pt export "$name" "$@" </dev/null
    expect_eq "$what: exit ($err)" 2 "$status"
    expect_eq "$what: one line on stderr" 1 "$(printf '%s\n' "$err" | grep -c .)"
    expect_eq "$what: the database as it was" "$before_db" "$(db_sum)"
    expect_eq "$what: the media as they were" "$before_media" "$(tree_state "$proj/media")"
    expect_eq "$what: the backups as they were" "$before_root" "$(tree_state "$root" | grep -v -e ' \.poshtiban/tmp')"
}
refused "-o db.sqlite3" -o db.sqlite3
refused "-o the database by its absolute path, --force" -o "$proj/db.sqlite3" --force
refused "-o db.sqlite3-wal" -o db.sqlite3-wal
ln -s db.sqlite3 "$proj/link-to-db.zip"
refused "-o a link to the database, --force" -o link-to-db.zip --force
ln "$proj/db.sqlite3" "$proj/hard-link.zip"
refused "-o a hard link to the database, --force" -o hard-link.zip --force
rm -f "$proj/hard-link.zip" "$proj/link-to-db.zip"
refused "-o a new file inside the media folder" -o media/export.zip
first_media=$(cd "$proj/media" && find . -type f | head -n 1)
refused "-o a media file, --force" -o "media/$first_media" --force
ln -s "$proj/media" "$scratch/media-link"
refused "-o through a link into the media folder" -o "$scratch/media-link/x.zip"
refused "-o the backup root" -o backups/x.zip
refused "-o inside a backup, --force" -o "$path/x.zip" --force
refused "-o the catalog, --force" -o backups/.poshtiban/catalog.sqlite3 --force
mkdir -p "$scratch/chosen2"
echo precious >"$scratch/chosen2/exists.zip"
run_pt export "$name" -o "$scratch/chosen2/exists.zip" </dev/null
expect_eq "an existing file: exit ($err)" 2 "$status"
expect_eq "an existing file is left as it was" precious "$(cat "$scratch/chosen2/exists.zip")"
mentions "$err" "--force" || fail "the refusal names --force: [$err]"
run_pt export "$name" -o "$scratch/chosen2/exists.zip" --force </dev/null
expect_eq "an existing file with --force: exit ($err)" 0 "$status"
check "--force replaced it with the ZIP" unzip -tq "$scratch/chosen2/exists.zip"
run_pt export "$name" -o "$scratch/chosen2" </dev/null
expect_eq "-o a folder: exit ($err)" 0 "$status"
check "-o a folder writes NAME.zip in it" unzip -tq "$scratch/chosen2/$name.zip"
run_pt export "$name" -o backups/.poshtiban/exports/mine.zip </dev/null
expect_eq "-o into the exports folder: exit ($err)" 0 "$status"
check "the exports folder takes it" unzip -tq "$root/.poshtiban/exports/mine.zip"
# A backup that verify called damaged exports only with --force.
victim=$(find "$path" -type f -name 'backup_summary.txt' | head -n 1)
chmod u+w "$victim" && echo rot >>"$victim"
run_pt verify "$name" </dev/null
expect_eq "verify finds the damage" 1 "$status"
run_pt export "$name" -o "$scratch/chosen2/damaged.zip" </dev/null
expect_eq "export of a damaged backup: exit ($err)" 2 "$status"
check "nothing written for the damaged backup" test ! -e "$scratch/chosen2/damaged.zip"
run_pt export "$name" -o "$scratch/chosen2/damaged.zip" --force </dev/null
expect_eq "export of a damaged backup with --force: exit ($err)" 0 "$status"

# Peak memory: ~5 MB of media against ~100 MB (many files and one large one).
peak_rss() { # peak_rss PROJECT FORMAT → KiB, the backup made in the project
    local p=$1 fmt=$2
    (
        cd "$p" || exit 1
        id=$("$POSHTIBAN" create --format "$fmt" --json </dev/null | json_eval 'd["id"]') || exit 1
        /usr/bin/time -f %M -o "$p/rss" "$POSHTIBAN" export "$id" -o "$p/export.zip" </dev/null >/dev/null 2>"$p/export.err" || exit 1
        unzip -tq "$p/export.zip" >/dev/null || exit 1
        cat "$p/rss"
    )
}
small=$scratch/small
big=$scratch/big
for p in "$small" "$big"; do
    make_project "$p"
    (cd "$p" && "$POSHTIBAN" settings set retention.auto_cleanup false >/dev/null)
done
for i in 1 2 3 4 5; do head -c 1000000 /dev/urandom >"$small/media/m$i.bin"; done
mkdir -p "$big/media/many"
for i in $(seq 1 60); do head -c 1000000 /dev/urandom >"$big/media/many/m$i.bin"; done
head -c 40000000 /dev/urandom >"$big/media/large.bin"
for fmt in dir zip tar.zst; do
    s=$(peak_rss "$small" "$fmt") || { fail "$fmt: export of the small backup: $(cat "$small/export.err" 2>/dev/null)"; continue; }
    l=$(peak_rss "$big" "$fmt") || { fail "$fmt: export of the large backup: $(cat "$big/export.err" 2>/dev/null)"; continue; }
    echo "note: $fmt: export peak RSS ${s} KiB (5 MB of media), ${l} KiB (100 MB)" >&2
    check "$fmt: export memory does not grow with the backup (${s} KiB → ${l} KiB)" \
        test "$l" -le $((s * 3 / 2 + 8192))
    rm -rf "$small/backups" "$big/backups" "$small/export.zip" "$big/export.zip"
    for p in "$small" "$big"; do
        (cd "$p" && "$POSHTIBAN" settings set retention.auto_cleanup false >/dev/null)
    done
done
finish
