#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The repository's own upkeep (README, "Off-site copies"):
# - offsite prune keeps what offsite.keep_* say, by the backups' times,
#   never touches a second (decoy) project's snapshots in the same
#   repository, and --dry-run lists exactly what is then removed
#   (offsite-prune: policy);
# - offsite check passes, and refuses a bad --read-data-subset;
# - kill -9 of poshtiban in the middle of a push: restic stops too (it is
#   told to), restic check passes afterwards and the next push succeeds
#   (offsite-prune: kill).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"

repo=$scratch/repo
proj=$scratch/proj
decoy=$scratch/decoy
make_project "$proj"
make_project "$decoy"
run_pt -C "$proj" settings set offsite.repository "$repo" </dev/null
run_pt -C "$proj" offsite init </dev/null
run_pt -C "$decoy" settings set offsite.repository "$repo" </dev/null
run_pt -C "$decoy" offsite init </dev/null
expect_eq "init of an existing repository ($err)" 0 "$status"
case $out in *"exists already"*) ;; *) fail "init says the repository exists: [$out]" ;; esac
# Five days of backups, two a day, in each project.
for day in 20 21 22 23 24; do
    for hour in 09 18; do
        for p in "$proj" "$decoy"; do
            POSHTIBAN_TEST_NOW=2026-11-${day}T$hour:00:00Z run_pt -C "$p" create </dev/null
            [ "$status" = 0 ] || fail "create on 11-$day $hour: $err"
        done
    done
done
export POSHTIBAN_TEST_NOW=2026-11-25T10:00:00Z
for p in "$proj" "$decoy"; do
    run_pt -C "$p" push --missing </dev/null
    expect_eq "push --missing of $p ($err)" 0 "$status"
done
decoy_snaps() { rx snapshots --json | json_eval 'sorted(s["id"] for s in d if "project:'"$1"'" in s["tags"])'; }
decoy_id=$(run_pt -C "$decoy" offsite list --json </dev/null; echo "$out" | json_eval 'd["project"]')
own_id=$(run_pt -C "$proj" offsite list --json </dev/null; echo "$out" | json_eval 'd["project"]')
check "two projects, two ids" test "$decoy_id" != "$own_id"
decoy_before=$(decoy_snaps "$decoy_id")
expect_eq "ten snapshots of the decoy" 10 "$(rx snapshots --json | json_eval 'sum(1 for s in d if "project:'"$decoy_id"'" in s["tags"])')"

cd "$proj" || exit 1
pt_ok settings set offsite.keep_daily 3
pt_ok settings set offsite.keep_weekly 0
pt_ok settings set offsite.keep_monthly 0
pt_ok offsite prune --dry-run --json
dry=$(echo "$out" | json_eval '" ".join(sorted(s["name"] for s in d["removed"]))')
want="backup_20261120_090000 backup_20261120_180000 backup_20261121_090000 backup_20261121_180000 backup_20261122_090000 backup_20261123_090000 backup_20261124_090000"
expect_eq "dry run: keep_daily 3 removes all but the newest of the last three days" "$want" "$dry"
expect_eq "dry run removes nothing" 10 "$(rx snapshots --json | json_eval 'sum(1 for s in d if "project:'"$own_id"'" in s["tags"])')"
pt_ok offsite prune --dry-run
case $out in *"would remove backup_20261120_090000"*"3 off-site copies kept"*) ;; *) fail "dry run (text): [$out]" ;; esac
pt_ok offsite prune --json
expect_eq "prune removes what the dry run listed" "$want" "$(echo "$out" | json_eval '" ".join(sorted(s["name"] for s in d["removed"]))')"
pt_ok offsite list --json
expect_eq "what is left" "backup_20261122_180000 backup_20261123_180000 backup_20261124_180000" \
    "$(echo "$out" | json_eval '" ".join(sorted(s["name"] for s in d["snapshots"]))')"
expect_eq "the decoy's snapshots are untouched" "$decoy_before" "$(decoy_snaps "$decoy_id")"
expect_eq "local backups are untouched by an off-site prune" 10 "$(run_pt list --json </dev/null; echo "$out" | json_eval 'd["total"]')"
pt_ok settings set offsite.keep_daily 0
run_pt offsite prune </dev/null
expect_eq "prune without any keep policy: exit" 2 "$status"
case $err in *"keep policy"*) ;; *) fail "prune without policy says so: [$err]" ;; esac

pt_ok offsite check
case $out in *"no errors"*) ;; *) fail "offsite check: [$out]" ;; esac
pt_ok offsite check --read-data-subset 50%
run_pt offsite check --read-data-subset lots </dev/null
expect_eq "check --read-data-subset lots: exit" 2 "$status"

# --- kill -9 in the middle of a push
head -c 60000000 /dev/urandom >media/huge.bin
POSHTIBAN_TEST_NOW=2026-11-25T11:00:00Z new_backup
# restic slowed to 4 MiB/s, so that the kill surely lands in the middle.
mkdir -p "$scratch/slow"
printf '#!/bin/sh\nexec %s --limit-upload 4096 "$@"\n' "$(command -v restic)" >"$scratch/slow/restic"
chmod +x "$scratch/slow/restic"
PATH=$scratch/slow:$PATH "$POSHTIBAN" push "$name" </dev/null >/dev/null 2>&1 &
pusher=$!
child=
# The backup itself, not the listing that comes first.
for _ in $(seq 100); do child=$(pgrep -P "$pusher" -f 'restic .*backup') && break; sleep 0.1; done
check "restic runs under the push" test -n "$child"
# Past its start: its lock is in the repository (a SIGINT while restic is
# still taking the lock is restic's own race, and rare; `offsite check`
# runs a plain `restic unlock`, which clears such a lock of a dead process).
for _ in $(seq 100); do [ -n "$(ls "$repo/locks" 2>/dev/null)" ] && break; sleep 0.1; done
sleep 1
kill -9 "$pusher"
wait "$pusher" 2>/dev/null
for _ in $(seq 100); do [ -n "$child" ] && kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
check "restic stopped when poshtiban was killed" test -z "$child" -o ! -d "/proc/$child"
expect_eq "restic removed its lock (it was told to stop)" "" "$(rx list locks --no-lock 2>&1)"
if ! rx check >"$scratch/check.log" 2>&1; then fail "restic check after kill -9: $(tail -3 "$scratch/check.log")"; fi
expect_eq "no snapshot of the killed push" None "$(offsite_of "$name" 'o')"
pt_ok push "$name"
expect_eq "the next push succeeds" True "$(offsite_of "$name" 'o["snapshot"] is not None')"
expect_eq "one snapshot of it" 1 "$(rx snapshots --json | json_eval 'sum(1 for s in d if "name:'"$name"'" in s["tags"])')"
finish
