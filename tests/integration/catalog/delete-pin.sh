#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3: `delete` asks unless --yes (and refuses without a terminal), then
# removes the backup, folder or archive, and its record, and nothing else;
# `pin` / `unpin` set the record's `pinned`.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
root=$(pwd -P)/backups
pt_ok settings set retention.auto_cleanup false

declare -A ids paths
for fmt in dir zip tar.zst; do
    new_backup --format "$fmt" && ids[$fmt]=$id paths[$fmt]=$path
done
[ "${#ids[@]}" = 3 ] || finish
new_backup --format dir
keep_id=$id keep_path=$path
keep_state=$(tree_state "$keep_path")

# pin / unpin, by id and by name
pt_ok pin "${ids[zip]}"
expect_eq "pin by id" "True False" "$(field "${ids[zip]}" 'd["pinned"]') $(field "${ids[dir]}" 'd["pinned"]')"
pt_ok unpin "$(field "${ids[zip]}" 'd["name"]')"
expect_eq "unpin by name" False "$(field "${ids[zip]}" 'd["pinned"]')"
pt_ok pin "${ids[zip]}"
pt_ok pin "${ids[zip]}"
expect_eq "pin twice" True "$(field "${ids[zip]}" 'd["pinned"]')"
run_pt list --json </dev/null
expect_eq "list shows pinned" "1" "$(echo "$out" | json_eval 'sum(1 for r in d["backups"] if r["pinned"])')"
pt_ok unpin "${ids[zip]}"
run_pt pin backup_19990101_000000 </dev/null
expect_eq "pin of a missing backup: exit" 2 "$status"

for fmt in dir zip tar.zst; do
    bid=${ids[$fmt]} bpath=${paths[$fmt]}
    run_pt list --json </dev/null
    total=$(echo "$out" | json_eval 'd["total"]')
    run_pt delete "$bid" </dev/null
    expect_eq "$fmt: delete without --yes and without a terminal: exit" 2 "$status"
    expect_eq "$fmt: the refusal is one line ($err)" 1 "$(printf '%s\n' "$err" | grep -c .)"
    check "$fmt: refused delete keeps the backup" test -e "$bpath"
    expect_eq "$fmt: refused delete keeps the record" completed "$(field "$bid" 'd["status"]')"

    run_pt delete "$bid" --yes </dev/null
    expect_eq "$fmt: delete --yes exit ($err)" 0 "$status"
    check "$fmt: the backup is gone from disk" test ! -e "$bpath"
    run_pt show "$bid" --json </dev/null
    expect_eq "$fmt: the record is gone" 2 "$status"
    run_pt list --json </dev/null
    expect_eq "$fmt: one record less" "$((total - 1))" "$(echo "$out" | json_eval 'd["total"]')"
done
expect_eq "the other backup is untouched" "$keep_state" "$(tree_state "$keep_path")"
expect_eq "only it is left in the backup root" "$(basename "$keep_path")" "$(ls -A "$root" | grep -v '^\.poshtiban$')"
run_pt verify "$keep_id" </dev/null
expect_eq "the other backup verifies ($err)" 0 "$status"
run_pt delete backup_19990101_000000 --yes </dev/null
expect_eq "delete of a missing backup: exit" 2 "$status"
finish
