#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A ZIP for laptops (issue 23): `export --plain` of a dir, a zip and a
# tar.zst backup holds a plain database.sqlite3 that `unzip` + `sqlite3`
# open with no other tool, fixtures as plain JSON that `python3 -m
# json.tool` reads, no .zst or .gz member, and a SHA256SUMS rewritten so
# that `sha256sum -c` passes inside the unzipped folder. export's guards
# hold for --plain too; a damaged compressed member fails it, leaving no
# file behind.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
rows=$(sqlite3 db.sqlite3 "SELECT count(*) FROM unit")
names=$(sqlite3 db.sqlite3 "SELECT group_concat(name, '|') FROM investor")

for format in dir zip tar.zst; do
    b="p_${format/./_}"
    new_backup --name "$b" --format "$format" || continue
    out_dir=$scratch/dl-$b
    mkdir -p "$out_dir"
    pt_ok export "$b" --plain -o "$out_dir" || continue
    zip=$out_dir/$b-plain.zip
    check "$b: the plain ZIP is $b-plain.zip" test -f "$zip"
    (cd "$out_dir" && unzip -q "$zip") || { fail "$b: unzip"; continue; }
    top=$out_dir/$b
    expect_eq "$b: no compressed member" "" "$(cd "$top" && find . -name '*.zst' -o -name '*.gz')"
    check "$b: database.sqlite3 is there, plain" test -f "$top/database.sqlite3"
    expect_eq "$b: sqlite3 opens it: every row" "$rows" \
        "$(sqlite3 "$top/database.sqlite3" 'SELECT count(*) FROM unit' 2>&1)"
    expect_eq "$b: text byte-exact" "$names" \
        "$(sqlite3 "$top/database.sqlite3" "SELECT group_concat(name, '|') FROM investor" 2>&1)"
    expect_eq "$b: integrity_check" ok "$(sqlite3 "$top/database.sqlite3" 'PRAGMA integrity_check' 2>&1)"
    (cd "$top" && sha256sum -c --quiet SHA256SUMS) || fail "$b: sha256sum -c SHA256SUMS in the unzipped folder"
    expect_eq "$b: SHA256SUMS names the plain files" "database.sqlite3" \
        "$(grep -oE ' database\.sqlite3[^ ]*$' "$top/SHA256SUMS" | tr -d ' ')"
    for json in "$top"/complete_database.json "$top"/fixtures/*.json; do
        "$PY" -m json.tool "$json" >/dev/null || fail "$b: python3 -m json.tool reads ${json#$top/}"
    done
    check "$b: fixtures are there" test -f "$top/fixtures/unit.json"
    expect_eq "$b: every fixture row" "$rows" \
        "$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$top/fixtures/unit.json")"
    expect_eq "$b: the media as they are" "$(tree_state media)" "$(tree_state "$top/media")"
done
# The ordinary export is unchanged: its members as stored (a dir backup's snapshot is zstd).
pt_ok export p_dir -o "$scratch/stored.zip"
check "the ordinary export keeps database.sqlite3.zst" \
    sh -c "unzip -l '$scratch/stored.zip' | grep -q 'database.sqlite3.zst'"

# The default place: the exports folder, <name>-plain.zip.
pt_ok export p_dir --plain
mentions "$out" "$proj/backups/.poshtiban/exports/p_dir-plain.zip" || fail "default path: [$out]"
pt_ok export p_dir --plain --json
expect_eq "--json path" "$proj/backups/.poshtiban/exports/p_dir-plain.zip" \
    "$(echo "$out" | json_eval 'd["path"]')"

# export's guards hold for --plain.
run_pt export p_dir --plain -o media/x.zip </dev/null
expect_eq "-o inside the media folder: exit 2" 2 "$status"
check "-o inside the media folder: nothing written" test ! -e media/x.zip
run_pt export p_dir --plain -o db.sqlite3 </dev/null
expect_eq "-o the database: exit 2" 2 "$status"
run_pt export p_dir --plain -o backups/x.zip </dev/null
expect_eq "-o in the backup root: exit 2" 2 "$status"
echo keep >"$scratch/exists.zip"
run_pt export p_dir --plain -o "$scratch/exists.zip" </dev/null
expect_eq "an existing file: exit 2" 2 "$status"
expect_eq "an existing file: kept" keep "$(cat "$scratch/exists.zip")"
pt_ok export p_dir --plain -o "$scratch/exists.zip" --force
check "--force replaces it" sh -c "unzip -l '$scratch/exists.zip' | grep -q p_dir/database.sqlite3"

# A damaged compressed member: the export fails, names it, leaves nothing.
chmod -R u+w backups/p_dir
snap=$(ls backups/p_dir/database.sqlite3*)
[ "$snap" = backups/p_dir/database.sqlite3.zst ] || fail "the dir backup's snapshot is zstd ($snap)"
flip_byte "$snap" -6
mkdir -p "$scratch/damaged"
run_pt export p_dir --plain --force -o "$scratch/damaged/" </dev/null
expect_eq "a damaged snapshot: exit 1 ($err)" 1 "$status"
mentions "$err" "database.sqlite3.zst" || fail "a damaged snapshot: the error names it: [$err]"
expect_eq "a damaged snapshot: nothing written" "" "$(ls -A "$scratch/damaged")"
expect_eq "a damaged snapshot: nothing in tmp" "" "$(ls -A backups/.poshtiban/tmp)"

finish
