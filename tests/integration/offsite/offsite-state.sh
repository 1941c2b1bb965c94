#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Off-site state is what the repository holds (README, "Off-site copies"),
# with real restic on local repositories:
# - after switching offsite.repository to an empty repository, stats (text
#   and --json), list (☁ and --json) and doctor say 0 of N, never checked,
#   and push --missing sends all N (offsite-state: switch);
# - a snapshot forgotten behind poshtiban's back stops counting after
#   offsite list, and push --missing sends it again; a new repository made
#   at the same path is another repository (its id); a path that is no
#   repository counts nothing, and a restic whose config gives a hostile
#   id or none is refused with the reason (offsite-state: behind);
# - auto lists the repository only when its last look is a day old
#   (offsite-state: auto);
# - offsite prune with keep_last 1 keeps the pinned backup's snapshot and
#   the newest verified one's (the newest backup damaged, so its verify
#   fails), the dry run says why each is kept, a second project's snapshots
#   are untouched and ☁ stays only on real copies (offsite-state: prune).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
repo_a=$scratch/repo-a
repo_b=$scratch/repo-b

# stats_offsite EXPR: EXPR on the "offsite" object of `stats --json` (o).
stats_offsite() {
    run_pt stats --json </dev/null
    [ "$status" = 0 ] || fail "stats --json: $err"
    echo "$out" | "$PY" -c 'import json,sys; o=json.load(sys.stdin)["offsite"]; print(eval(sys.argv[1]))' "$1"
}
# clouds: the names `list` marks with ☁, sorted.
clouds() {
    run_pt list </dev/null
    echo "$out" | grep -o '[A-Za-z0-9_]* ☁' | sed 's/ ☁//' | sort | tr '\n' ' ' | sed 's/ $//'
}
# json_clouds: the names whose off-site snapshot `list --json` gives, sorted.
json_clouds() {
    run_pt list --json </dev/null
    echo "$out" | json_eval '" ".join(sorted(b["name"] for b in d["backups"] if b["offsite"] and b["offsite"]["snapshot"]))'
}
# snapshot_names REPO: the backup names of REPO's snapshots, sorted.
snapshot_names() {
    RESTIC_REPOSITORY=$1 RESTIC_PASSWORD=$password restic snapshots --json --no-lock |
        json_eval '" ".join(sorted(t[5:] for s in d for t in s["tags"] if t.startswith("name:")))'
}

export POSHTIBAN_TEST_NOW=2026-11-20T09:00:00Z
pt_ok settings set offsite.repository "$repo_a"
pt_ok offsite init
for n in b1 b2 b3; do
    POSHTIBAN_TEST_NOW=2026-11-20T0${n#b}:30:00Z new_backup --name "$n" || finish
done
pt_ok push --missing
expect_eq "switch: all three in a" "b1 b2 b3" "$(snapshot_names "$repo_a")"
expect_eq "switch: stats in a" "3 3 2026-11-20T09:00:00Z" \
    "$(stats_offsite '"%d %d %s" % (o["copied"], o["total"], o["checked_at"])')"
expect_eq "switch: ☁ on every backup in a" "b1 b2 b3" "$(clouds)"

# --- switch to a new, empty repository
export POSHTIBAN_TEST_NOW=2026-11-21T10:00:00Z
pt_ok settings set offsite.repository "$repo_b"
pt_ok offsite init
expect_eq "switch: stats --json says 0 of 3, never checked" "0 3 None False" \
    "$(stats_offsite '"%d %d %s %s" % (o["copied"], o["total"], o["checked_at"], o["latest_copied"])')"
pt_ok stats
case $out in *"0 of 3 backups off-site"*"never checked"*) ;; *) fail "switch: stats (text) [$out]" ;; esac
expect_eq "switch: list marks nothing" "" "$(clouds)"
expect_eq "switch: list --json has no snapshot" "" "$(json_clouds)"
pt_ok doctor --json
expect_eq "switch: doctor agrees" "False 0 3 None" \
    "$(echo "$out" | json_eval '"%s %d %d %s" % (d["offsite"]["newest_pushed"], d["offsite"]["copied"], d["offsite"]["total"], d["offsite"]["checked_at"])')"
pt_ok doctor
case $out in *"newest backup NOT sent; 0 of 3 backups there, never checked"*) ;; *) fail "switch: doctor (text) [$out]" ;; esac
pt_ok show b3
case $out in *"no copy yet"*"never checked against this repository"*) ;; *) fail "switch: show says no copy there [$out]" ;; esac
pt_ok push --missing --json
expect_eq "switch: push --missing sends all three, none 'already'" "b1 b2 b3 / 0" \
    "$(echo "$out" | json_eval '" ".join(sorted(p["name"] for p in d["pushed"] if p["snapshot"])) + " / " + str(sum(p["already"] for p in d["pushed"]))')"
expect_eq "switch: all three in b" "b1 b2 b3" "$(snapshot_names "$repo_b")"
expect_eq "switch: stats in b" "3 3 2026-11-21T10:00:00Z" \
    "$(stats_offsite '"%d %d %s" % (o["copied"], o["total"], o["checked_at"])')"
pt_ok stats
case $out in *"3 of 3 backups off-site"*"as of 2026-11-21 10:00"*) ;; *) fail "switch: stats says as of when [$out]" ;; esac
expect_eq "switch: ☁ again" "b1 b2 b3" "$(clouds)"
# Back to a: each record knows one repository's snapshot (now b's): none
# counts in a until a listing of a finds them again.
pt_ok settings set offsite.repository "$repo_a"
expect_eq "switch back: b's snapshots are none of a's" "0" "$(stats_offsite 'o["copied"]')"
pt_ok offsite list
expect_eq "switch back: a listed, its copies count" "3 2026-11-21T10:00:00Z" "$(stats_offsite '"%d %s" % (o["copied"], o["checked_at"])')"
pt_ok settings set offsite.repository "$repo_b"

# --- behind poshtiban's back
export POSHTIBAN_TEST_NOW=2026-11-22T10:00:00Z
b2snap=$(RESTIC_REPOSITORY=$repo_b RESTIC_PASSWORD=$password restic snapshots --json --no-lock --tag name:b2 | json_eval 'd[0]["id"]')
RESTIC_REPOSITORY=$repo_b RESTIC_PASSWORD=$password restic forget -q "$b2snap" >/dev/null 2>&1 || fail "restic forget b2"
pt_ok offsite list
expect_eq "behind: after offsite list b2 no longer counts" "2 2026-11-22T10:00:00Z" "$(stats_offsite '"%d %s" % (o["copied"], o["checked_at"])')"
expect_eq "behind: show b2 has no snapshot" None "$(offsite_of b2 'o and o["snapshot"]')"
expect_eq "behind: ☁ only where there is a copy" "b1 b3" "$(clouds)"
pt_ok push --missing --json
expect_eq "behind: push --missing sends b2 alone" "b2" "$(echo "$out" | json_eval '" ".join(p["name"] for p in d["pushed"])')"
# A new repository at the same path is another repository: its id says so.
mv "$repo_b" "$scratch/repo-b-old"
RESTIC_REPOSITORY=$repo_b RESTIC_PASSWORD=$password restic init -q >/dev/null 2>&1 || fail "restic init of a new b"
pt_ok offsite list
expect_eq "behind: a new repository at the same path holds nothing" "0" "$(stats_offsite 'o["copied"]')"
expect_eq "behind: ☁ nowhere" "" "$(clouds)"
rm -rf "$repo_b"
mv "$scratch/repo-b-old" "$repo_b"
# A path that is no repository: the listing fails, and nothing counts there.
pt_ok settings set offsite.repository "$scratch/nothing-here"
run_pt offsite list </dev/null
expect_eq "behind: offsite list of no repository: exit" 1 "$status"
expect_eq "behind: no repository, no copies" "0 None" "$(stats_offsite '"%d %s" % (o["copied"], o["checked_at"])')"
run_pt push --missing </dev/null
expect_eq "behind: push --missing to no repository fails" 1 "$status"
case $out in *"off-site already"*) fail "behind: push --missing to no repository says all is off-site [$out]" ;; esac
pt_ok settings set offsite.repository "$repo_b"
# A restic whose config gives a hostile or no id: refused, and nothing counts.
mkdir -p "$scratch/liar"
for bad in '{"id": "../../etc"}' '{"version": 2}' 'not json'; do
    printf '#!/bin/sh\nif [ "$1 $2" = "cat config" ]; then echo %s; exit 0; fi\nexec %s "$@"\n' \
        "'$bad'" "$(command -v restic)" >"$scratch/liar/restic"
    chmod +x "$scratch/liar/restic"
    PATH=$scratch/liar:$PATH run_pt offsite list </dev/null
    expect_eq "behind: config $bad: exit" 1 "$status"
    case $err in *"no repository id"*) ;; *) fail "behind: config $bad: says so [$err]" ;; esac
    PATH=$scratch/liar:$PATH run_pt push --missing </dev/null
    expect_eq "behind: config $bad: push fails" 1 "$status"
done
pt_ok offsite list
expect_eq "behind: the old b back: its copies count again" "3" "$(stats_offsite 'o["copied"]')"

# --- auto looks at the repository at most once a day
pt_ok settings set offsite.enabled true
pt_ok settings set offsite.after_backup false
RESTIC_REPOSITORY=$repo_b RESTIC_PASSWORD=$password restic forget -q \
    "$(RESTIC_REPOSITORY=$repo_b RESTIC_PASSWORD=$password restic snapshots --json --no-lock --tag name:b3 | json_eval 'd[0]["id"]')" >/dev/null 2>&1 ||
    fail "restic forget b3"
POSHTIBAN_TEST_NOW=2026-11-22T20:00:00Z run_pt auto </dev/null
expect_eq "auto: within a day of the last look it does not look ($err)" "3 2026-11-22T10:00:00Z" \
    "$(stats_offsite '"%d %s" % (o["copied"], o["checked_at"])')"
POSHTIBAN_TEST_NOW=2026-11-23T10:30:00Z run_pt auto </dev/null
expect_eq "auto: a day later it looks, and b3 no longer counts ($err)" "2 2026-11-23T10:30:00Z" \
    "$(stats_offsite '"%d %s" % (o["copied"], o["checked_at"])')"
# Within the day of that look, auto runs no restic at all, even with a
# repository that cannot be reached.
mkdir -p "$scratch/count"
printf '#!/bin/sh\necho "$*" >>%s\nexec %s "$@"\n' "$scratch/count/log" "$(command -v restic)" >"$scratch/count/restic"
chmod +x "$scratch/count/restic"
PATH=$scratch/count:$PATH POSHTIBAN_TEST_NOW=2026-11-23T12:00:00Z run_pt auto </dev/null
expect_eq "auto: no restic within the day ($err)" "" "$(cat "$scratch/count/log" 2>/dev/null)"
pt_ok settings set offsite.repository "$scratch/nothing-here"
PATH=$scratch/count:$PATH POSHTIBAN_TEST_NOW=2026-11-24T11:00:00Z run_pt auto </dev/null
check "auto: a day later it tries the new repository" grep -q "cat config" "$scratch/count/log"
: >"$scratch/count/log"
PATH=$scratch/count:$PATH POSHTIBAN_TEST_NOW=2026-11-24T11:15:00Z run_pt auto </dev/null
expect_eq "auto: one that failed is tried again only the next day" "" "$(cat "$scratch/count/log")"
pt_ok settings set offsite.repository "$repo_b"
pt_ok settings set offsite.enabled false
pt_ok push b3

# --- prune keeps what must be kept
# A second project in the same repository, whose snapshots prune never touches.
decoy=$scratch/decoy
make_project "$decoy"
run_pt -C "$decoy" settings set offsite.repository "$repo_b" </dev/null
POSHTIBAN_TEST_NOW=2026-11-23T08:00:00Z run_pt -C "$decoy" create --name d1 </dev/null
run_pt -C "$decoy" push --missing </dev/null
expect_eq "prune: the decoy pushed ($err)" 0 "$status"
decoy_before=$(RESTIC_REPOSITORY=$repo_b RESTIC_PASSWORD=$password restic snapshots --json --no-lock | json_eval 'sorted(s["id"] for s in d if "name:d1" in s["tags"])')

export POSHTIBAN_TEST_NOW=2026-11-23T10:00:00Z
POSHTIBAN_TEST_NOW=2026-11-23T09:00:00Z new_backup --name b4 || finish
pt_ok push b4
pt_ok pin b1
pt_ok verify b3
# b4, the newest, is damaged: its verify fails, so b3 is the newest verified.
bpath=$(field b4 'd["path"]')
for f in "$bpath"/database.sqlite3*; do flip_byte "$f" $(($(stat -c %s "$f") / 2)); done
run_pt verify b4 </dev/null
expect_eq "prune: b4 no longer verifies" 1 "$status"
pt_ok settings set offsite.keep_last 1
pt_ok settings set offsite.keep_daily 0
pt_ok settings set offsite.keep_weekly 0
pt_ok settings set offsite.keep_monthly 0
pt_ok offsite prune --dry-run
case $out in *"would keep b1 "*"its backup is pinned"*) ;; *) fail "prune: dry run says b1 is kept as pinned [$out]" ;; esac
case $out in *"would keep b3 "*"its backup is the newest that verified"*) ;; *) fail "prune: dry run says b3 is kept as newest verified [$out]" ;; esac
case $out in *"would keep b4 "*"the keep policy"*) ;; *) fail "prune: dry run says b4 is kept by the policy [$out]" ;; esac
case $out in *"would remove b2 "*"3 off-site copies kept"*) ;; *) fail "prune: dry run removes b2 alone [$out]" ;; esac
case $out in *"would remove b1"* | *"would remove b3"* | *"would remove b4"*) fail "prune: dry run removes a protected one [$out]" ;; esac
pt_ok offsite prune --dry-run --json
expect_eq "prune: dry run JSON" "b2 | b1:pinned b3:newest_verified b4:policy" \
    "$(echo "$out" | json_eval '" ".join(s["name"] for s in d["removed"]) + " | " + " ".join(s["name"] + ":" + ",".join(s["reasons"]) for s in d["kept_snapshots"])')"
expect_eq "prune: the dry run removed nothing" "b1 b2 b3 b4 d1" "$(snapshot_names "$repo_b")"
pt_ok offsite prune --json
expect_eq "prune: removed b2 alone" "b2" "$(echo "$out" | json_eval '" ".join(s["name"] for s in d["removed"])')"
expect_eq "prune: the pinned and the newest verified keep their snapshots" "b1 b3 b4 d1" "$(snapshot_names "$repo_b")"
expect_eq "prune: the decoy's snapshot is untouched" "$decoy_before" \
    "$(RESTIC_REPOSITORY=$repo_b RESTIC_PASSWORD=$password restic snapshots --json --no-lock | json_eval 'sorted(s["id"] for s in d if "name:d1" in s["tags"])')"
expect_eq "prune: ☁ only on real copies" "b1 b3 b4" "$(clouds)"
expect_eq "prune: list --json agrees" "b1 b3 b4" "$(json_clouds)"
expect_eq "prune: stats says 3 of 4, as of the prune" "3 4 2026-11-23T10:00:00Z" \
    "$(stats_offsite '"%d %d %s" % (o["copied"], o["total"], o["checked_at"])')"
finish
