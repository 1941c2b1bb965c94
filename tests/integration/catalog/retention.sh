#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3, acceptance 6: retention.  max_backups 3 with 6 backups, the oldest
# pinned → prune keeps the 3 newest and the pinned one, and `--dry-run`
# listed exactly what prune then deleted; max_age_days with a fixed clock;
# never the newest completed, never the newest that verified ok; unpin;
# auto_cleanup after create; decoys beside and inside the backup root are
# never touched.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
root=$(pwd -P)/backups
pt_ok settings set retention.auto_cleanup false

at() { # at ISO-TIME COMMAND...: run poshtiban with the clock fixed
    local when=$1
    shift
    POSHTIBAN_TEST_NOW=$when run_pt "$@" </dev/null
}

# names JSON: the sorted names of `list --json`.
listed() {
    run_pt list --json </dev/null
    echo "$out" | json_eval '" ".join(sorted(r["name"] for r in d["backups"]))'
}
deleted_names() { echo "$1" | json_eval '" ".join(sorted(x["name"] for x in d["deleted"]))'; }

declare -A bpath
formats=(dir zip tar.zst dir dir dir)
for day in 1 2 3 4 5 6; do
    at "2026-03-0${day}T10:00:00Z" create --json --format "${formats[$((day - 1))]}"
    expect_eq "create on day $day ($err)" 0 "$status"
    n=$(echo "$out" | json_eval 'd["name"]')
    expect_eq "name from the fixed clock" "backup_2026030${day}_100000" "$n"
    [ -n "$n" ] && bpath[$n]=$(echo "$out" | json_eval 'd["path"]')
done
b1=backup_20260301_100000 b2=backup_20260302_100000 b3=backup_20260303_100000
b4=backup_20260304_100000 b5=backup_20260305_100000 b6=backup_20260306_100000
expect_eq "auto_cleanup off: all six kept" "$b1 $b2 $b3 $b4 $b5 $b6" "$(listed)"

pt_ok pin "$b1"
expect_eq "pinned" True "$(field "$b1" 'd["pinned"]')"
expect_eq "others not pinned" False "$(field "$b2" 'd["pinned"]')"
pt_ok settings set retention.max_backups 3

# Decoys: beside the backup root, and inside it but no backup.
mkdir -p "$proj/backup_20200101_000000" "$root/keep-me" "$root/backup_20200102_000000"
printf 'not a backup\n' >"$proj/backup_20200101_000000/x.txt"
printf 'junk' >"$proj/backup_20200101_000000.zip"
printf 'decoy beside the root\n' >"$proj/decoy.txt"
printf 'decoy inside the root\n' >"$root/README.txt"
printf 'data' >"$root/keep-me/data.txt"
printf 'looks like a backup, is none' >"$root/backup_20200102_000000/x.txt"
printf 'junk' >"$root/backup_20200103_000000.tar.zst"
decoys() {
    tree_state "$proj" | grep -v -e ' backups/backup_2026' -e ' backups/\.poshtiban' -e ' media' -e ' db\.sqlite3'
}
decoys_before=$(decoys)
check "decoys in place" test "$(echo "$decoys_before" | wc -l)" -ge 9

on_disk() { # on_disk NAME...: which of these backups exist on disk
    local n
    for n in "$@"; do [ -e "${bpath[$n]:-/nonexistent}" ] && printf '%s ' "$n"; done
}

# max_backups
at 2026-03-06T12:00:00Z prune --dry-run --json
expect_eq "prune --dry-run exit ($err)" 0 "$status"
expect_eq "dry run: would delete" "$b2 $b3" "$(deleted_names "$out")"
expect_eq "dry run: reasons given" True "$(echo "$out" | json_eval 'all(isinstance(x["reason"], str) and x["reason"] for x in d["deleted"])')"
expect_eq "dry run: kept" 4 "$(echo "$out" | json_eval 'd["kept"]')"
expect_eq "dry run deletes nothing" "$b1 $b2 $b3 $b4 $b5 $b6" "$(listed)"
expect_eq "dry run deletes nothing on disk" "$b1 $b2 $b3 $b4 $b5 $b6 " "$(on_disk $b1 $b2 $b3 $b4 $b5 $b6)"
at 2026-03-06T12:00:00Z prune --dry-run
expect_eq "prune --dry-run (text) exit ($err)" 0 "$status"
for n in $b2 $b3; do mentions "$out" "$n" || fail "text dry run names $n: [$out]"; done
at 2026-03-06T12:00:00Z prune --json
expect_eq "prune exit ($err)" 0 "$status"
expect_eq "prune deleted what the dry run listed" "$b2 $b3" "$(deleted_names "$out")"
expect_eq "prune: kept" 4 "$(echo "$out" | json_eval 'd["kept"]')"
expect_eq "after prune: the pinned and the 3 newest" "$b1 $b4 $b5 $b6" "$(listed)"
expect_eq "after prune: on disk" "$b1 $b4 $b5 $b6 " "$(on_disk $b1 $b2 $b3 $b4 $b5 $b6)"
expect_eq "decoys untouched" "$decoys_before" "$(decoys)"
at 2026-03-06T12:00:00Z prune --json
expect_eq "second prune deletes nothing" "" "$(deleted_names "$out")"

# max_age_days (2 days; at 03-07 22:00, b4 and b5 are older)
pt_ok settings set retention.max_backups 10
pt_ok settings set retention.max_age_days 2
at 2026-03-07T22:00:00Z prune --dry-run --json
expect_eq "age: dry run would delete" "$b4 $b5" "$(deleted_names "$out")"
at 2026-03-07T22:00:00Z prune --json
expect_eq "age: prune deleted" "$b4 $b5" "$(deleted_names "$out")"
expect_eq "age: the pinned and the young one remain" "$b1 $b6" "$(listed)"
expect_eq "age: on disk" "$b1 $b6 " "$(on_disk $b1 $b4 $b5 $b6)"

# Much later every backup is too old, but the newest completed one stays.
at 2026-03-20T00:00:00Z prune --dry-run --json
expect_eq "newest completed: dry run deletes nothing" "" "$(deleted_names "$out")"
at 2026-03-20T00:00:00Z prune --json
expect_eq "newest completed is never deleted" "" "$(deleted_names "$out")"
expect_eq "newest completed: still listed" "$b1 $b6" "$(listed)"
expect_eq "newest completed: on disk" "$b1 $b6 " "$(on_disk $b1 $b6)"

# The newest backup that verified ok stays even when newer ones push it out.
at 2026-03-20T00:30:00Z verify "$b6"
expect_eq "verify $b6 ($err)" 0 "$status"
at 2026-03-20T01:00:00Z create --json
b7=$(echo "$out" | json_eval 'd["name"]')
[ -n "$b7" ] && bpath[$b7]=$(echo "$out" | json_eval 'd["path"]')
at 2026-03-20T02:00:00Z create --json
b8=$(echo "$out" | json_eval 'd["name"]')
[ -n "$b8" ] && bpath[$b8]=$(echo "$out" | json_eval 'd["path"]')
pt_ok settings set retention.max_age_days 0
pt_ok settings set retention.max_backups 1
at 2026-03-20T03:00:00Z prune --json
expect_eq "verified ok: prune deleted only the unverified older one" "$b7" "$(deleted_names "$out")"
expect_eq "verified ok: kept the pinned, the verified, the newest" "$b1 $b6 $b8" "$(listed)"
expect_eq "verified ok: on disk" "$b1 $b6 $b8 " "$(on_disk $b1 $b6 $b7 $b8)"

# auto_cleanup: a successful create prunes by itself.
pt_ok settings set retention.auto_cleanup true
at 2026-03-20T04:00:00Z create --json
expect_eq "create with auto_cleanup ($err)" 0 "$status"
b9=$(echo "$out" | json_eval 'd["name"]')
[ -n "$b9" ] && bpath[$b9]=$(echo "$out" | json_eval 'd["path"]')
expect_eq "auto_cleanup: the older unverified one went" "$b1 $b6 $b9" "$(listed)"
expect_eq "auto_cleanup: on disk" "$b1 $b6 $b9 " "$(on_disk $b1 $b6 $b8 $b9)"

# unpin: the old one is no longer protected.
pt_ok unpin "$b1"
expect_eq "unpinned" False "$(field "$b1" 'd["pinned"]')"
at 2026-03-20T05:00:00Z prune --json
expect_eq "after unpin, prune deletes it" "$b1" "$(deleted_names "$out")"
expect_eq "after unpin: listed" "$b6 $b9" "$(listed)"
expect_eq "decoys untouched at the end" "$decoys_before" "$(decoys)"
check "no leftovers in tmp" test -z "$(ls -A "$root/.poshtiban/tmp")"
finish
