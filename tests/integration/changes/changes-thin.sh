#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Thinning of change sets (docs/changes.md, "Retention"; issue 22, points 5
# and 6): twelve captures 20 minutes apart, one of them a schema change,
# then prune under a clock moved 3½ days and then 19 days ahead. After each
# thinning the chain holds the newest point of each hour (then day), the
# merged points say what they merged, a row inserted and deleted within a
# merge counts nowhere, and `restore --at` each remaining point (and between
# them) gives exactly the database as it was captured (compare_dumps.py
# --sqlite, every row of every table; rebuilt by tests/tools/changes-at as
# restore --at stages it, and by restore --at itself when the build has it). kill -9 at every step of a thinning
# leaves the old chain or the new one, whole, each restoring right.
# Retention that deletes a base takes its chain and says so.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
snaps=$scratch/snaps
mkdir -p "$snaps"
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
t0=$(date -u -d 2026-12-01T00:00:00Z +%s)
POSHTIBAN_TEST_NOW=$(iso "$t0") new_backup --no-media
base=$name
sqlite3 db.sqlite3 ".backup '$snaps/base.sqlite3'"

# capture K: the K-th change (K = 0…11), captured at 00:10 + 20 min × K.
names=()
times=()
change() {
    local k=$1
    sqlite3 db.sqlite3 "INSERT INTO investor (name, share) VALUES ('سرمایه‌گذار $k', 0.0$k);
        UPDATE unit SET area = area + $k WHERE id % 12 = $k;
        DELETE FROM unit WHERE id = 100 + $k;"
    case $k in
        1) sqlite3 db.sqlite3 "INSERT INTO unit (id, investor_id, area) VALUES (9001, 1, 1.5)" ;;
        2) sqlite3 db.sqlite3 "DELETE FROM unit WHERE id = 9001" ;;
        7) sqlite3 db.sqlite3 "ALTER TABLE investor ADD COLUMN note TEXT" ;;
        9) sqlite3 db.sqlite3 "UPDATE investor SET note = 'یادداشت' WHERE id = 1" ;;
    esac
}
for k in $(seq 0 11); do
    change "$k"
    t=$((t0 + 600 + 1200 * k))
    POSHTIBAN_TEST_NOW=$(iso "$t") pt_ok capture --json || break
    names[k]=$(echo "$out" | json_eval 'd["name"]')
    times[k]=$(iso "$t")
    sqlite3 db.sqlite3 ".backup '$snaps/$k.sqlite3'"
done
expect_eq "the schema change is a snapshot point" True \
    "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["kind"] == "snapshot")' \
        "backups/changes/$base/${names[7]}.json")"

# chain: the names of the chain's points by seq, one line.
chain() {
    "$PY" - "$1/backups/changes/$base" <<'PY'
import glob, json, os, sys
pts = [json.load(open(p)) for p in glob.glob(os.path.join(sys.argv[1], "changes_*.json"))]
print(" ".join(p["name"] for p in sorted(pts, key=lambda p: p["seq"])))
PY
}
# point DIR NAME EXPR: EXPR on the JSON of point NAME (p).
point() {
    "$PY" -c 'import json,sys; p=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$1/backups/changes/$base/$2.json" "$3"
}
# restores_to DIR WHAT AT SNAP: the database of DIR at AT is exactly SNAP:
# rebuilt by changes-at (pt_changes_resolve and pt_changes_apply, as
# restore --at stages it) and, when this build has it, by restore --at.
has_at=0
if "$POSHTIBAN" --help 2>&1 | grep -q -- 'restore .*--at'; then has_at=1; fi
restores_to() {
    local dir=$1 what=$2 at=$3 snap=$4 target
    target=$(mktemp -u "$scratch/restored.XXXXXX")
    if ! "$CHANGES_AT" "$dir" "$at" "$target" >/dev/null 2>"$scratch/changes-at.err"; then
        fail "$what: the state at $at: $(cat "$scratch/changes-at.err")"
    else
        "$PY" "$SOURCE_ROOT/tests/integration/lib/compare_dumps.py" --label "$what" --sqlite "$snap" "$target" ||
            fail "$what: the state at $at differs from the database captured then"
    fi
    rm -f "$target"
    [ "$has_at" = 1 ] || return 0
    run_pt -C "$dir" restore --at "$at" --database-only --target-database "$target" --yes </dev/null
    if [ "$status" != 0 ]; then
        fail "$what: restore --at $at: exit $status: $err"
        return
    fi
    "$PY" "$SOURCE_ROOT/tests/integration/lib/compare_dumps.py" --label "$what" --sqlite "$snap" "$target" ||
        fail "$what: restore --at $at differs from the database captured then"
    rm -f "$target"
}
# every_point DIR WHAT K…: each remaining point K restores to its capture;
# the moment before each point reaches the point before.
every_point() {
    local dir=$1 what=$2 k prev=base
    shift 2
    for k in "$@"; do
        restores_to "$dir" "$what: at point $k" "${times[k]}" "$snaps/$k.sqlite3"
        restores_to "$dir" "$what: just before point $k" \
            "$(iso $(($(date -u -d "${times[k]}" +%s) - 1)))" "$snaps/$prev.sqlite3"
        prev=$k
    done
}

all="${names[*]}"
expect_eq "twelve points before thinning" "$all" "$(chain "$proj")"
saved=$scratch/saved
cp -a "$proj" "$saved"

# ---- hourly: 3½ days later, the points of each hour merge into its newest
export POSHTIBAN_TEST_NOW=2026-12-04T12:00:00Z
pt_ok prune --dry-run --json
expect_eq "dry run: three merges (the hour of the schema change merges nothing)" \
    "${names[2]}:${names[0]},${names[1]} ${names[5]}:${names[3]},${names[4]} ${names[11]}:${names[9]},${names[10]}" \
    "$(echo "$out" | json_eval '" ".join(m["into"] + ":" + ",".join(m["merged"]) for m in d["thinned"])')"
expect_eq "dry run changes nothing" "$all" "$(chain "$proj")"
pt_ok prune --dry-run
mentions "$out" "would merge 3 change sets of $base into ${names[2]}" ||
    fail "prune --dry-run names the merge: [$out]"
pt_ok prune --yes
mentions "$out" "merged 3 change sets of $base into ${names[11]}" ||
    fail "prune names the merges it made: [$out]"
hourly="${names[2]} ${names[5]} ${names[6]} ${names[7]} ${names[8]} ${names[11]}"
expect_eq "hourly: the newest point of each hour, the schema change alone" "$hourly" "$(chain "$proj")"
expect_eq "merged point: seq, previous, captures, first_at, taken_at" \
    "1 None 3 ${times[0]} ${times[2]}" \
    "$(point "$proj" "${names[2]}" '" ".join(map(str, [p["seq"], p["previous"], p["captures"], p["first_at"], p["taken_at"]]))')"
expect_eq "the point after a merge keeps its previous, its seq renumbered" \
    "2 ${names[2]} 3" \
    "$(point "$proj" "${names[5]}" '" ".join(map(str, [p["seq"], p["previous"], p["captures"]]))')"
expect_eq "a row inserted then deleted within a merge counts nowhere" "0" \
    "$(point "$proj" "${names[2]}" 'p["tables"]["unit"]["inserted"]')"
expect_eq "every point of the hour's updates and deletes are in the merge" "3 3" \
    "$(point "$proj" "${names[2]}" '"%d %d" % (p["tables"]["unit"]["deleted"], p["tables"]["investor"]["inserted"])')"
expect_eq "no data file is left of the merged points" "" \
    "$(cd "backups/changes/$base" && ls | grep -e "${names[0]}\." -e "${names[1]}\." -e "${names[10]}\.")"
every_point "$proj" hourly 2 5 6 7 8 11
restores_to "$proj" "hourly: between merged points, the point before" "${times[4]}" "$snaps/2.sqlite3"
pt_ok prune --dry-run --json
expect_eq "thinned once, nothing more to merge this hour" 0 "$(echo "$out" | json_eval 'len(d["thinned"])')"

# ---- daily: 19 days later, one point a day (the schema change still alone)
export POSHTIBAN_TEST_NOW=2026-12-20T12:00:00Z
pt_ok prune --yes
expect_eq "daily: the newest point of the day on each side of the schema change" \
    "${names[6]} ${names[7]} ${names[11]}" "$(chain "$proj")"
expect_eq "daily: the first merged point holds 7 captures since 00:10" "7 ${times[0]}" \
    "$(point "$proj" "${names[6]}" '"%d %s" % (p["captures"], p["first_at"])')"
every_point "$proj" daily 6 7 11

# ---- kill -9 at every step of the hourly thinning, on copies of the chain before it
export POSHTIBAN_TEST_NOW=2026-12-04T12:00:00Z
done_ok=0
for n in $(seq 1 40); do
    k=$scratch/kill-$n
    cp -a "$saved" "$k"
    POSHTIBAN_TEST_KILL_AFTER=$n run_pt -C "$k" prune --yes </dev/null
    now=$(chain "$k")
    if [ "$status" = 0 ]; then
        expect_eq "kill test: unkilled, the run thins" "$hourly" "$now"
        done_ok=1
        break
    fi
    expect_eq "kill after step $n: killed" 137 "$status"
    case $now in
        "$all" | "$hourly") ;;
        *) fail "kill after step $n: the chain is neither the old nor the new one: [$now]" ;;
    esac
    expect_eq "kill after step $n: the whole chain leads to the newest point" \
        "$base $(echo "$now" | wc -w)" "$("$CHANGES_AT" "$k" "${times[11]}" "$scratch/kill.db" 2>&1)"
    rm -f "$scratch/kill.db"
    expect_eq "kill after step $n: no work left beside the chain" "" \
        "$(ls -A "$k/backups/changes" | grep -v -x "$base")"
    restores_to "$k" "kill after step $n: newest" "${times[11]}" "$snaps/11.sqlite3"
    restores_to "$k" "kill after step $n: middle" "${times[5]}" "$snaps/5.sqlite3"
    # The next prune finishes the work.
    run_pt -C "$k" prune --yes </dev/null
    expect_eq "kill after step $n: the next prune thins" "$hourly" "$(chain "$k")"
    rm -rf "$k"
done
expect_eq "a thinning without a kill ends within 40 steps" 1 "$done_ok"

# ---- retention deletes a base with its chain, and says so
cd "$saved" || exit 1
export POSHTIBAN_TEST_NOW=2026-12-05T00:00:00Z
pt_ok settings set retention.max_backups 1
new_backup --no-media
pt_ok prune --dry-run
mentions "$out" "would delete $base: more than 1 backups, and its 12 change sets" ||
    fail "the prune plan says the chain goes with its base: [$out]"
pt_ok prune --yes
[ ! -e "backups/changes/$base" ] || fail "the chain of a deleted base is gone"
[ ! -e "backups/$base" ] || fail "the base is deleted"
restores_to "$saved" "after the base and its chain went" 2026-12-05T00:00:00Z "$snaps/11.sqlite3"

finish
