#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 21, Deliver 1: rot never spreads silently (docs/safety.md, "Shared media").
# - one byte flipped in backup A's copy of an unchanged media file, its
#   time kept: `create B` reads the copy again, copies the live file afresh
#   and its report says so; B verifies; no completed backup holds a copy
#   that does not match its own SHA256SUMS;
# - `verify A` heals A from the live file in every backup sharing the
#   inode, and says so; then every backup verifies;
# - the live file changed too: verify names every backup sharing the
#   damage, exits 1 and heals nothing;
# - a backup whose last verify failed is never linked to;
# - kill -9 at each step of a heal leaves every backup's file present,
#   old or healed, never missing; a later verify heals it;
# - `auto` verifies the backup it takes, and deep-verifies every backup
#   once verify.deep_every_days have passed, not before; hostile values of
#   both settings are refused.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

report_media() { # report_media BACKUP-PATH EXPR: EXPR on the report's "media" object d
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["media"]; print(eval(sys.argv[2]))' \
        "$1/backup_report.json" "$2"
}
flip() { # flip FILE: one byte changed in place, the inode and its times kept
    chmod u+w "$1"
    "$PY" - "$1" <<'PY'
import os, sys
st = os.stat(sys.argv[1])
with open(sys.argv[1], "r+b") as f:
    f.seek(st.st_size // 2)
    b = f.read(1)
    f.seek(st.st_size // 2)
    f.write(bytes([b[0] ^ 0x01]))
os.utime(sys.argv[1], ns=(st.st_atime_ns, st.st_mtime_ns))
PY
    chmod 0400 "$1"
}
sums_ok() { # sums_ok BACKUP-PATH: every file matches the backup's own SHA256SUMS
    (cd "$1" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1)
}
every_completed_whole() { # every completed dir backup matches its SHA256SUMS
    local p bad=0
    run_pt list --json --status completed </dev/null
    for p in $(echo "$out" | json_eval '"\n".join(r["path"] for r in d["backups"])'); do
        sums_ok "$p" || { echo "not whole: $p" >&2; bad=1; }
    done
    return $bad
}

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
rel=media/photo.bin

# --- A, then one rotten byte in its copy (mtime kept)
new_backup --name A || finish
pA=$path
flip "$pA/$rel"
check "the flipped copy keeps its time" [ "$(stat -c %Y "$pA/$rel")" = "$(stat -c %Y "$proj/$rel")" ]
sums_ok "$pA" && fail "A is damaged now"

# --- B does not inherit it unseen
new_backup --name B || finish
pB=$path
check "B's copy is good (it matches B's SHA256SUMS)" sums_ok "$pB"
check "B's photo is not A's rotten inode" [ "$(stat -c %i "$pA/$rel")" != "$(stat -c %i "$pB/$rel")" ]
check "B's photo equals the live file" cmp -s "$proj/$rel" "$pB/$rel"
files=$(find "$proj/media" -type f | wc -l)
expect_eq "B's report: every unchanged file re-checked" "$files" "$(report_media "$pB" 'd["rechecked"]')"
expect_eq "B's report: one copied afresh since A's was bad" 1 "$(report_media "$pB" 'd["share_bad"]')"
expect_eq "B's report: the rest shared" $((files - 1)) "$(report_media "$pB" 'd["shared"]')"
grep -q "copied afresh" "$pB/backup_summary.txt" || fail "B's summary says a copy was made afresh"
grep -q "read again" "$pB/backup_summary.txt" || fail "B's summary says the shared files were re-checked"
case $(echo "$rec" | json_eval '"\n".join(d.get("warnings", []))')$(cat "$pB/backup_report.json") in
    *"holds them damaged"*) ;; *) fail "B's report warns that A holds a damaged copy" ;;
esac
pt_ok verify B
check "no completed backup but A is damaged" sums_ok "$pB"

# --- C is linked to B (good); A is never used again while damaged
new_backup --name C || finish
pC=$path
expect_eq "C shares B's good photo" "$(stat -c %i "$pB/$rel")" "$(stat -c %i "$pC/$rel")"
expect_eq "C's report: nothing bad" 0 "$(report_media "$pC" 'd["share_bad"]')"

# --- verify A heals it from the live file, in A and in nothing else (A's inode is A's alone)
run_pt verify A </dev/null
expect_eq "verify A heals and exits 0 ($err)" 0 "$status"
case $out in *"healed from the live file"*"A"*) ;; *) fail "verify A says it healed: [$out]" ;; esac
case $out in *"healed"*"1"*"backups"*) ;; *) fail "verify A says how many backups: [$out]" ;; esac
check "A is whole again" sums_ok "$pA"
expect_eq "A's healed copy keeps the source's time" "$(stat -c %Y "$proj/$rel")" "$(stat -c %Y "$pA/$rel")"
expect_eq "A's healed copy is read-only" 400 "$(stat -c %a "$pA/$rel")"
pt_ok verify A
pt_ok verify B
check "every completed backup matches its SHA256SUMS" every_completed_whole
check "no heal left anything in tmp" [ -z "$(ls -A backups/.poshtiban/tmp)" ]

# --- a rotten byte shared by B, C (and the next): verify C heals all of them
new_backup --name D || finish
pD=$path
expect_eq "D shares the photo with B and C" "$(stat -c %i "$pB/$rel")" "$(stat -c %i "$pD/$rel")"
flip "$pC/$rel"
run_pt verify C --json </dev/null
expect_eq "verify C heals: exit 0 ($err)" 0 "$status"
expect_eq "verify C healed three backups" 3 "$(echo "$out" | json_eval 'd["results"][0]["healed_backups"]')"
names_in() { # names_in TEXT: which of A..E TEXT names after "backups"
    "$PY" -c 'import re,sys; t=sys.argv[1].split("backups", 1)[-1]; print(" ".join(n for n in "ABCDE" if re.search(r"\b%s\b" % n, t)))' "$1"
}
expect_eq "the healed line names B, C and D" "B C D" \
    "$(names_in "$(echo "$out" | json_eval 'd["results"][0]["healed"][0]')")"
for b in B C D; do pt_ok verify $b; done
expect_eq "B, C, D share one healed inode again" 1 \
    "$(stat -c %i "$pB/$rel" "$pC/$rel" "$pD/$rel" | sort -u | wc -l)"

# --- the live file changed too: nothing healed, every sharer named, exit 1
flip "$pD/$rel"
cp "$proj/$rel" "$scratch/photo.keep"
touch -r "$proj/$rel" "$scratch/photo.keep"
printf 'changed since' >>"$proj/$rel"
before=$(sha256sum "$pB/$rel")
run_pt verify D </dev/null
expect_eq "verify D with a changed live file exits 1" 1 "$status"
case $err in *"cannot be healed"*) ;; *) fail "verify D says it cannot heal: [$err]" ;; esac
expect_eq "verify D names every backup sharing the damage" "B C D" "$(names_in "$err")"
expect_eq "nothing healed" "$before" "$(sha256sum "$pB/$rel")"
case $out in *"healed from"*) fail "verify D heals nothing: [$out]" ;; esac
# ... a backup whose last verify failed is never linked to (D's verify failed);
# C's last verify passed, but its copy is the same damaged inode: re-read, copied afresh.
cp "$scratch/photo.keep" "$proj/$rel"
touch -r "$scratch/photo.keep" "$proj/$rel"
new_backup --name E || finish
pE=$path
check "E is whole" sums_ok "$pE"
check "E does not link D's damaged copy" [ "$(stat -c %i "$pD/$rel")" != "$(stat -c %i "$pE/$rel")" ]
expect_eq "E's report: the damaged copy was found" 1 "$(report_media "$pE" 'd["share_bad"]')"
check "every completed backup but B, C, D is whole" sums_ok "$pA"

# --- kill -9 at every step of a heal: each file present, old or new, never missing
pt_ok verify D
for b in B C D; do pt_ok verify $b; done
for n in 1 2 3 4 5 6 7; do
    flip "$pB/$rel"
    POSHTIBAN_TEST_KILL_AFTER=$n run_pt verify B </dev/null
    for p in "$pB" "$pC" "$pD"; do
        check "kill at heal step $n: $p/$rel is present" [ -f "$p/$rel" ]
        size=$(stat -c %s "$p/$rel" 2>/dev/null)
        expect_eq "kill at heal step $n: $p/$rel whole-sized" "$(stat -c %s "$proj/$rel")" "$size"
    done
    run_pt verify B </dev/null
    expect_eq "after the kill at step $n, verify B heals ($err)" 0 "$status"
    for b in B C D; do pt_ok verify $b; done
done
check "no kill left anything in tmp after the next run" [ -z "$(ls -A backups/.poshtiban/tmp)" ]
check "every completed backup matches its SHA256SUMS" every_completed_whole

# --- auto: verify after each automatic backup; deep verify every 7 days
auto_at() { # auto_at TIME: `auto --json` at TIME
    out=$(POSHTIBAN_TEST_NOW=$1 "$POSHTIBAN" auto --json </dev/null 2>"$scratch/stderr") && status=0 || status=$?
    err=$(cat "$scratch/stderr")
}
run_pt settings set verify.deep_every_days 366 </dev/null
expect_eq "deep_every_days 366 refused" 2 "$status"
for bad in -1 x 7days '' 7.5 99999999999999999999 0x7; do
    run_pt settings set verify.deep_every_days "$bad" </dev/null
    expect_eq "deep_every_days [$bad] refused" 2 "$status"
done
run_pt settings set verify.after_auto maybe </dev/null
expect_eq "after_auto maybe refused" 2 "$status"
pt_ok settings set auto.enabled true
auto_at 2026-12-01T10:00:00Z
expect_eq "auto exits 0 ($err)" 0 "$status"
expect_eq "auto verified the backup it took, plainly" \
    "$(echo "$out" | json_eval 'd["backup"]["name"]') False True" \
    "$(echo "$out" | json_eval '" ".join(str(x) for x in (d["verified"][0]["name"], d["verified"][0]["deep"], d["verified"][0]["ok"]))')"
expect_eq "only that one" 1 "$(echo "$out" | json_eval 'len(d["verified"])')"
auto_name=$(echo "$out" | json_eval 'd["backup"]["name"]')
expect_eq "the catalog knows it verified" True "$(field "$auto_name" 'd["verify_ok"]')"
# Six days and 23 hours later: not due (no backup either: the interval is a day, so one is)
auto_at 2026-12-08T09:00:00Z
expect_eq "auto on day 7 exits 0 ($err)" 0 "$status"
expect_eq "no deep verify before seven days" 0 "$(echo "$out" | json_eval 'sum(1 for v in d["verified"] if v["deep"])')"
completed=$(run_pt list --json --status completed </dev/null; echo "$out" | json_eval 'd["total"]')
auto_at 2026-12-08T10:00:00Z
expect_eq "auto after seven days exits 0 ($err)" 0 "$status"
expect_eq "seven days on: every backup deep-verified" "$completed" \
    "$(echo "$out" | json_eval 'sum(1 for v in d["verified"] if v["deep"] and v["ok"])')"
auto_at 2026-12-08T10:30:00Z
expect_eq "not again half an hour later" 0 "$(echo "$out" | json_eval 'sum(1 for v in d["verified"] if v["deep"])')"
# rot found by the schedule: damaged in a shared file whose live file changed -> auto exits 1
pt_ok settings set verify.after_auto false
flip "$pE/$rel"
printf 'changed again' >>"$proj/$rel"
auto_at 2026-12-15T10:00:00Z
expect_eq "auto that finds damage exits 1" 1 "$status"
expect_eq "its backup was not verified plainly (verify.after_auto false)" 0 \
    "$(echo "$out" | json_eval 'sum(1 for v in d["verified"] if not v["deep"])')"
case $(echo "$out" | json_eval '" ".join(p for v in d["verified"] for p in v["problems"])') in
    *"cannot be healed"*) ;; *) fail "auto names the damage: [$out]" ;;
esac
pt_ok settings set verify.deep_every_days 0
auto_at 2026-12-30T10:00:00Z
expect_eq "deep_every_days 0: never" 0 "$(echo "$out" | json_eval 'sum(1 for v in d["verified"] if v["deep"])')"
finish
