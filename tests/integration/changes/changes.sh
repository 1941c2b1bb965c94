#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 22, deliverable 4: `poshtiban changes` after real captures of known
# inserts, updates and deletes (the test clock, $POSHTIBAN_TEST_NOW): exact
# counts per table, --rows names the keys and the changed columns, the
# filters, English and Persian, hostile input; `stats` and `show` agree.
. "$(dirname "$0")/../lib/lib.sh"

proj=$scratch/proj
make_project "$proj"
at() { # at TIME ARGS…: poshtiban -C proj ARGS at TIME, through run_pt
    local when=$1
    shift
    POSHTIBAN_TEST_NOW=$when run_pt -C "$proj" "$@" </dev/null
}
db() { sqlite3 "$proj/db.sqlite3" "$@"; }

# --- no change sets yet ---
at 2026-12-06T02:00:00Z create
expect_eq "create" 0 "$status"
base=$(echo "$out" | grep -o 'backup_[0-9_]*' | head -n 1)
[ -n "$base" ] || base=$("$POSHTIBAN" -C "$proj" list --json | json_eval 'd["backups"][0]["name"]')
at 2026-12-06T02:05:00Z changes
expect_eq "changes with none: exit 0" 0 "$status"
case $out in *"No change sets yet"*) ;; *) fail "changes with none says so: [$out]" ;; esac
at 2026-12-06T02:05:00Z changes --json
expect_eq "changes --json with none" "0 [] None" \
    "$(echo "$out" | json_eval '"%s %s %s" % (d["total"], d["points"], d["checked_at"])')"
at 2026-12-06T02:05:00Z stats --json
expect_eq "stats: no change sets" "0 0 None" \
    "$(echo "$out" | json_eval '"%s %s %s" % (d["changes"]["points"], d["changes"]["bytes"], d["changes"]["newest_at"])')"
at 2026-12-06T02:05:00Z stats
case $out in *"no change sets yet"*) ;; *) fail "stats text: no change sets yet: [$out]" ;; esac

# --- 02:15: 3 investors in, 2 units updated (one column, then two), 1 unit deleted ---
db "INSERT INTO investor (name, share) VALUES ('نگار', 0.1), ('Ali', 0.2), ('Zoë', 0.3);
UPDATE unit SET area = 999.5 WHERE id = 1;
UPDATE unit SET area = 1.25, investor_id = 1 WHERE id = 2;
DELETE FROM unit WHERE id = 3;"
at 2026-12-06T02:15:00Z capture
expect_eq "capture at 02:15" 0 "$status"
# --- 02:30: nothing new: a check, no point ---
at 2026-12-06T02:30:00Z capture
expect_eq "capture at 02:30 (unchanged)" 0 "$status"
# --- 02:45: a unit replaced ---
db "DELETE FROM unit WHERE id = 10; INSERT INTO unit (id, investor_id, area) VALUES (900, 2, 7.0);"
at 2026-12-06T02:45:00Z capture
expect_eq "capture at 02:45" 0 "$status"

at 2026-12-06T02:50:00Z changes --json
expect_eq "changes --json: exit" 0 "$status"
doc=$out
expect_eq "two points, newest first" "2 2026-12-06T02:45:00Z 2026-12-06T02:15:00Z" \
    "$(echo "$doc" | json_eval '"%s %s %s" % (d["total"], d["points"][0]["taken_at"], d["points"][1]["taken_at"])')"
expect_eq "02:15: investor" "3 0 0" \
    "$(echo "$doc" | json_eval '" ".join(str(d["points"][1]["tables"]["investor"][k]) for k in ("inserted","updated","deleted"))')"
expect_eq "02:15: unit" "0 2 1" \
    "$(echo "$doc" | json_eval '" ".join(str(d["points"][1]["tables"]["unit"][k]) for k in ("inserted","updated","deleted"))')"
expect_eq "02:45: unit only" "['unit'] 1 0 1" \
    "$(echo "$doc" | json_eval '"%s %s %s %s" % (sorted(d["points"][0]["tables"]), d["points"][0]["tables"]["unit"]["inserted"], d["points"][0]["tables"]["unit"]["updated"], d["points"][0]["tables"]["unit"]["deleted"])')"
expect_eq "the base and the kind" "$base rows $base rows" \
    "$(echo "$doc" | json_eval '"%s %s %s %s" % (d["points"][0]["base"], d["points"][0]["kind"], d["points"][1]["base"], d["points"][1]["kind"])')"
expect_eq "no rows without --rows" "False" "$(echo "$doc" | json_eval '"rows" in d["points"][0]')"
expect_eq "checked_at: no check since the newest point" "None" "$(echo "$doc" | json_eval 'd["checked_at"]')"

# --- --rows: the keys, and for updates the columns that changed ---
at 2026-12-06T02:50:00Z changes --json --rows
expect_eq "changes --json --rows: exit" 0 "$status"
rows=$(echo "$out" | json_eval 'sorted("%s %s %s %s" % (r["table"], r["op"], r["key"], ",".join(r["columns"])) for r in d["points"][1]["rows"])')
expect_eq "02:15's rows" \
    "['investor insert [4] ', 'investor insert [5] ', 'investor insert [6] ', 'unit delete [3] ', 'unit update [1] area', 'unit update [2] investor_id,area']" \
    "$rows"
expect_eq "02:45's rows" "['unit delete [10] ', 'unit insert [900] ']" \
    "$(echo "$out" | json_eval 'sorted("%s %s %s %s" % (r["table"], r["op"], r["key"], ",".join(r["columns"])) for r in d["points"][0]["rows"])')"
at 2026-12-06T02:50:00Z changes --rows --lang en
case $out in *"updated unit [2]: investor_id, area"*) ;; *) fail "changes --rows names the changed columns: [$out]" ;; esac
case $out in *"inserted investor [5]"*) ;; *) fail "changes --rows names an inserted key: [$out]" ;; esac

# --- the filters ---
at 2026-12-06T02:50:00Z changes --json --since 2026-12-06T02:20:00Z
expect_eq "--since ISO" "1 2026-12-06T02:45:00Z" "$(echo "$out" | json_eval '"%s %s" % (d["total"], d["points"][0]["taken_at"])')"
at 2026-12-06T02:50:00Z changes --json --until "2026-12-06 02:44"
expect_eq "--until as list prints it" "1 2026-12-06T02:15:00Z" "$(echo "$out" | json_eval '"%s %s" % (d["total"], d["points"][0]["taken_at"])')"
at 2026-12-06T02:50:00Z changes --json --since "2026-12-06 02:15"
expect_eq "--since takes the minute's start" 2 "$(echo "$out" | json_eval 'd["total"]')"
at 2026-12-06T02:50:00Z changes --json --since 2026-12-07
expect_eq "--since a later day" 0 "$(echo "$out" | json_eval 'd["total"]')"
at 2026-12-06T02:50:00Z changes --json --since "۱۴۰۵/۰۹/۱۵ ۰۲:۲۰"
expect_eq "--since in Persian (Solar Hijri, Persian digits)" 1 "$(echo "$out" | json_eval 'd["total"]')"
at 2026-12-06T02:50:00Z changes --json --table investor --rows
expect_eq "--table investor: the point that touched it, that table alone" "1 ['investor'] {'investor'}" \
    "$(echo "$out" | json_eval '"%s %s %s" % (d["total"], sorted(d["points"][0]["tables"]), set(r["table"] for r in d["points"][0]["rows"]))')"
at 2026-12-06T02:50:00Z changes --table nosuch
case $out in *"No change set matches"*) ;; *) fail "--table with no match: [$out]" ;; esac

# --- English and Persian text ---
at 2026-12-06T02:50:00Z changes --lang en
expect_eq "changes: exit" 0 "$status"
case $out in *"2026-12-06 02:45 UTC"*"1 table, 2 rows"*"2026-12-06 02:15 UTC"*"2 tables, 6 rows"*) ;;
*) fail "changes text: newest first, times and what each touched: [$out]" ;; esac
case $out in *"investor"*"3 inserted · 0 updated · 0 deleted"*) ;; *) fail "changes text: investor's counts: [$out]" ;; esac
case $out in *"unit"*"0 inserted · 2 updated · 1 deleted"*) ;; *) fail "changes text: unit's counts: [$out]" ;; esac
at 2026-12-06T02:50:00Z changes --lang fa --bidi off
expect_eq "changes in Persian: exit" 0 "$status"
case $out in *"۱۴۰۵/۰۹/۱۵ ۰۲:۴۵"*) ;; *) fail "changes in Persian: a Jalali date in Persian digits: [$out]" ;; esac
case $out in *"۳ "*) ;; *) fail "changes in Persian: Persian digits: [$out]" ;; esac
case $out in *"inserted"*) fail "changes in Persian says inserted in English: [$out]" ;; esac

# --- a schema change: a whole database, said so and why ---
db "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO note (body) VALUES ('x');"
at 2026-12-06T03:00:00Z capture
expect_eq "capture after a migration" 0 "$status"
at 2026-12-06T03:10:00Z capture
at 2026-12-06T03:15:00Z changes --json
expect_eq "the snapshot point" "snapshot schema changed 2026-12-06T03:10:00Z" \
    "$(echo "$out" | json_eval '"%s %s %s" % (d["points"][0]["kind"], d["points"][0]["reason"], d["checked_at"])')"
at 2026-12-06T03:15:00Z changes --lang en
case $out in *"whole database: schema changed"*) ;; *) fail "changes says a snapshot point is a whole database and why: [$out]" ;; esac
case $out in *"nothing new"*) ;; *) fail "changes says when it last found nothing new: [$out]" ;; esac

# --- stats and show agree with the files ---
at 2026-12-06T03:15:00Z stats --json
expect_eq "stats --json changes" "3 2026-12-06T03:00:00Z 2026-12-06T03:10:00Z True" \
    "$(echo "$out" | json_eval '"%s %s %s %s" % (d["changes"]["points"], d["changes"]["newest_at"], d["changes"]["checked_at"], d["changes"]["bytes"] > 0)')"
at 2026-12-06T03:15:00Z stats --lang en
case $out in *"Change sets: 3 ("*"changes saved 5 minutes ago"*) ;; *) fail "stats text: the change sets line: [$out]" ;; esac
at 2026-12-06T03:15:00Z show "$base" --json
expect_eq "show --json lists the backup's change sets, newest first" "3 2026-12-06T03:00:00Z" \
    "$(echo "$out" | json_eval '"%s %s" % (len(d["changes"]), d["changes"][0]["taken_at"])')"
at 2026-12-06T03:15:00Z show "$base" --lang en
case $out in *"Change sets:"*"2026-12-06 03:00 UTC"*"2026-12-06 02:15 UTC"*"Files:"*) ;; *) fail "show lists the change sets before the files: [$out]" ;; esac
at 2026-12-06T03:15:00Z stats --lang fa --bidi off
case $out in *"۵ دقیقه"*) ;; *) fail "stats in Persian: changes saved 5 minutes ago: [$out]" ;; esac

# --- hostile: a bad time, a damaged point ---
at 2026-12-06T03:15:00Z changes --since yesterday
expect_eq "a bad --since is bad usage" 2 "$status"
case $err in *"--since"*"yesterday"*) ;; *) fail "a bad --since names the option and the value: [$err]" ;; esac
at 2026-12-06T03:15:00Z changes --until 2026-13-45
expect_eq "a bad --until is bad usage" 2 "$status"
at 2026-12-06T03:15:00Z changes --rows --since
expect_eq "--since without a value" 2 "$status"
chain=$proj/backups/changes/$base
damaged=$(ls "$chain" | grep '\.json$' | sort | sed -n 2p)
check "the chain's JSON files are there" test -n "$damaged"
printf '{"format": 1, "name": ' >"$chain/$damaged"
at 2026-12-06T03:15:00Z changes --json
expect_eq "a damaged point: changes still exits 0" 0 "$status"
expect_eq "the damaged point is left out" 2 "$(echo "$out" | json_eval 'd["total"]')"
case $err in *"${damaged%.json}"*) ;; *) fail "a damaged point gets a warning line naming it: [$err]" ;; esac
at 2026-12-06T03:15:00Z changes --lang en
expect_eq "a damaged point: text still exits 0" 0 "$status"
printf '\x00\xff garbage' >"$chain/$damaged"
at 2026-12-06T03:15:00Z changes --rows --json
expect_eq "binary garbage as a point's JSON: no crash" 0 "$status"

# --- change sets off ---
proj2=$scratch/proj2
make_project "$proj2"
"$POSHTIBAN" -C "$proj2" settings set auto.changes_minutes 0 >/dev/null || fail "settings set"
POSHTIBAN_TEST_NOW=2026-12-06T02:00:00Z run_pt -C "$proj2" stats --lang en </dev/null
case $out in *"change sets off"*) ;; *) fail "stats: change sets off: [$out]" ;; esac
finish
