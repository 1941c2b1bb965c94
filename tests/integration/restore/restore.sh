#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3, acceptance 2: restore round trip for every format.  After the
# source changed, `restore --dry-run` lists exactly the differences and writes
# nothing; without a terminal and without --yes restore refuses; `--yes` saves
# the current state as pre_restore_… and makes the rows and the media tree
# equal to the backup's; restoring pre_restore_… brings the changed state back.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

# Everything in the project but the catalog's own files: a dry run or a
# refused restore must leave this text unchanged.
project_state() {
    tree_state "$proj" | grep -v -e ' backups/\.poshtiban/catalog\.sqlite3' -e ' backups/\.poshtiban/lock'
}

# Top-level entries of the project, but SQLite's own side files.
top_level() {
    ls -A "$proj" | grep -v -e '^db\.sqlite3-journal$' -e '^db\.sqlite3-wal$' -e '^db\.sqlite3-shm$'
}

round_trip() { # round_trip FORMAT
    local fmt=$1
    proj=$scratch/$fmt
    make_project "$proj"
    printf 'unchanged' >"$proj/media/keep.txt"
    cd "$proj" || return
    pt_ok settings set retention.auto_cleanup false
    new_backup --format "$fmt" || return
    local bid=$id bname=$name
    unpack_backup "$path" "$scratch/unpacked-$fmt"
    local b=$scratch/unpacked-$fmt/$bname
    local backup_dump backup_media
    backup_dump=$(db_dump "$b/database.sqlite3")
    backup_media=$(tree_state "$b/media")
    expect_eq "$fmt: the backup holds the source's rows" "$(db_dump db.sqlite3)" "$backup_dump"

    # Change the source: rows deleted, edited and added; media added, changed,
    # removed, and one file touched but not changed.
    sqlite3 db.sqlite3 "DELETE FROM unit WHERE id <= 20;
        UPDATE investor SET name = 'ویرایش‌شده' WHERE id = 2;
        INSERT INTO investor (name, share) VALUES ('تازه', 0.125);"
    rm media/docs/contract.txt
    head -c 5000 /dev/urandom >media/photo.bin
    printf 'new' >media/new.txt
    mkdir media/extra
    printf 'n' >media/extra/n.bin
    touch -d '2001-02-03 04:05:06' media/keep.txt
    local changed_dump changed_media before list_before
    changed_dump=$(db_dump db.sqlite3)
    changed_media=$(tree_state media)
    before=$(project_state)
    run_pt list --json </dev/null
    list_before=$out

    # The plan.
    run_pt restore "$bid" --dry-run --json </dev/null
    expect_eq "$fmt: dry run exit ($err)" 0 "$status"
    local plan=$out
    expect_eq "$fmt: dry run: table investor" "4 3" \
        "$(echo "$plan" | json_eval '" ".join("%s %s" % (t["now"], t["after"]) for t in d["tables"] if t["name"] == "investor")')"
    expect_eq "$fmt: dry run: table unit" "480 500" \
        "$(echo "$plan" | json_eval '" ".join("%s %s" % (t["now"], t["after"]) for t in d["tables"] if t["name"] == "unit")')"
    expect_eq "$fmt: dry run: no other table changes" "" \
        "$(echo "$plan" | json_eval '" ".join(t["name"] for t in d["tables"] if t["name"] not in ("investor", "unit") and t["now"] != t["after"])')"
    expect_eq "$fmt: dry run: media to add" "['docs/contract.txt']" "$(echo "$plan" | json_eval 'sorted(d["media"]["add"])')"
    expect_eq "$fmt: dry run: media to change" "['photo.bin']" "$(echo "$plan" | json_eval 'sorted(d["media"]["change"])')"
    expect_eq "$fmt: dry run: media to remove" "['extra/n.bin', 'new.txt']" "$(echo "$plan" | json_eval 'sorted(d["media"]["remove"])')"
    expect_eq "$fmt: dry run: migrations_differ" False "$(echo "$plan" | json_eval 'd["migrations_differ"]')"
    expect_eq "$fmt: dry run writes nothing" "$before" "$(project_state)"
    run_pt list --json </dev/null
    expect_eq "$fmt: dry run: catalog unchanged" "$list_before" "$out"
    run_pt restore "$bid" --dry-run </dev/null
    expect_eq "$fmt: dry run (text) exit ($err)" 0 "$status"
    expect_eq "$fmt: dry run (text) writes nothing" "$before" "$(project_state)"

    # No terminal and no --yes: refused.
    run_pt restore "$bid" </dev/null
    expect_eq "$fmt: restore without --yes and without a terminal: exit" 2 "$status"
    expect_eq "$fmt: refusal is one line ($err)" 1 "$(printf '%s\n' "$err" | wc -l)"
    expect_eq "$fmt: refused restore writes nothing" "$before" "$(project_state)"
    run_pt list --json </dev/null
    expect_eq "$fmt: refused restore: catalog unchanged" "$list_before" "$out"

    # The restore.
    run_pt restore "$bid" --yes --json </dev/null
    expect_eq "$fmt: restore --yes exit ($err)" 0 "$status"
    expect_eq "$fmt: restore --json names the backup" "$bname" "$(echo "$out" | json_eval 'd["restored"]')"
    local pre
    pre=$(echo "$out" | json_eval 'd["pre_restore"]')
    check "$fmt: pre_restore name [$pre]" grep -qE '^pre_restore_[0-9]{8}_[0-9]{6}(_[0-9]+)?$' <<<"$pre"
    expect_eq "$fmt: pre_restore record" "manual completed" "$(field "$pre" 'd["kind"] + " " + d["status"]')"
    run_pt list --json </dev/null
    expect_eq "$fmt: one more record (the pre_restore backup)" \
        "$(($(echo "$list_before" | json_eval 'd["total"]') + 1))" "$(echo "$out" | json_eval 'd["total"]')"
    expect_eq "$fmt: rows equal the backup's" "$backup_dump" "$(db_dump db.sqlite3)"
    expect_eq "$fmt: restored database integrity" ok "$(sqlite3 db.sqlite3 'PRAGMA integrity_check')"
    expect_eq "$fmt: media tree equals the backup's" "$backup_media" "$(tree_state media)"
    check "$fmt: diff -r media against the backup's" diff -r "$b/media" media
    expect_eq "$fmt: nothing left beside the targets" "$(printf '%s\n' backups db.sqlite3 media)" "$(top_level)"
    check "$fmt: no leftovers in tmp" test -z "$(ls -A backups/.poshtiban/tmp)"

    # Undo: the pre_restore backup holds the changed state.
    run_pt restore "$pre" --yes --json </dev/null
    expect_eq "$fmt: restore of $pre exit ($err)" 0 "$status"
    expect_eq "$fmt: undo brings back the changed rows" "$changed_dump" "$(db_dump db.sqlite3)"
    expect_eq "$fmt: undo brings back the changed media" "$changed_media" "$(tree_state media)"
    expect_eq "$fmt: after undo nothing left beside the targets" "$(printf '%s\n' backups db.sqlite3 media)" "$(top_level)"
}

for fmt in dir zip tar.zst; do
    round_trip "$fmt"
done

# --database-only, --media-only and other targets (one format is enough:
# the selection does not depend on it).
proj=$scratch/parts
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
new_backup --format zip
bid=$id
unpack_backup "$path" "$scratch/unpacked-parts"
b=$scratch/unpacked-parts/$name
backup_dump=$(db_dump "$b/database.sqlite3")
backup_media=$(tree_state "$b/media")
sqlite3 db.sqlite3 "DELETE FROM unit WHERE id > 100"
rm media/photo.bin
printf 'x' >media/added.txt
changed_dump=$(db_dump db.sqlite3)
changed_media=$(tree_state media)

run_pt restore "$bid" --yes --database-only </dev/null
expect_eq "--database-only exit ($err)" 0 "$status"
expect_eq "--database-only restores the rows" "$backup_dump" "$(db_dump db.sqlite3)"
expect_eq "--database-only leaves media alone" "$changed_media" "$(tree_state media)"

sqlite3 db.sqlite3 "DELETE FROM unit WHERE id > 100"
changed_dump=$(db_dump db.sqlite3)
run_pt restore "$bid" --yes --media-only </dev/null
expect_eq "--media-only exit ($err)" 0 "$status"
expect_eq "--media-only restores media" "$backup_media" "$(tree_state media)"
expect_eq "--media-only leaves the database alone" "$changed_dump" "$(db_dump db.sqlite3)"

cp db.sqlite3 "$scratch/other.sqlite3"
mkdir -p "$scratch/other-media/old"
printf 'old' >"$scratch/other-media/old/file.txt"
rm media/photo.bin
live_media=$(tree_state media)
run_pt restore "$bid" --yes --target-database "$scratch/other.sqlite3" --target-media "$scratch/other-media" </dev/null
expect_eq "--target-database/--target-media exit ($err)" 0 "$status"
expect_eq "--target-database gets the backup's rows" "$backup_dump" "$(db_dump "$scratch/other.sqlite3")"
expect_eq "--target-media gets the backup's media" "$backup_media" "$(tree_state "$scratch/other-media")"
expect_eq "other targets: live database untouched" "$changed_dump" "$(db_dump db.sqlite3)"
expect_eq "other targets: live media untouched" "$live_media" "$(tree_state media)"
expect_eq "other targets: nothing left beside them" "$(printf '%s\n' other-media other.sqlite3)" \
    "$(ls -A "$scratch" | grep -e '^other' | grep -v -e '-journal$' -e '-wal$' -e '-shm$')"

run_pt restore no_such_backup --yes --dry-run </dev/null
expect_eq "restore of a missing backup: exit" 2 "$status"
finish
