#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# docs/cli.md, "JSON": every listing command prints one JSON document of the documented shape.
. "$(dirname "$0")/../lib/lib.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1

run_pt list --json
expect_eq "empty list" "0 0" "$(echo "$out" | json_eval '"%d %d" % (len(d["backups"]), d["total"])')"
check "list on an empty project creates no backup folder" test ! -e backups

run_pt create --json
expect_eq "create exit" 0 "$status"
expect_eq "create prints nothing but JSON on stdout" "completed" "$(echo "$out" | json_eval 'd["status"]')"
run_pt create --json --kind auto --name nightly
expect_eq "create --kind --name" "auto nightly" "$(echo "$out" | json_eval 'd["kind"] + " " + d["name"]')"

# A record's duration is measured, not rounded up from a start cut to the
# second: never longer than the process's own wall time, and finished_at
# no earlier than started_at. Three creates, since a start cut to the second
# can err by anything under a second.
for i in 1 2 3; do
    t0=$(date +%s%N)
    run_pt create --json --no-media
    t1=$(date +%s%N)
    took=$(echo "$out" | json_eval 'd["duration_ms"]')
    check "create $i: duration $took ms within the process's $(((t1 - t0) / 1000000)) ms" \
        test "$took" -le $(((t1 - t0) / 1000000))
    expect_eq "create $i: finished at or after started" True "$(echo "$out" | json_eval 'd["finished_at"] >= d["started_at"]')"
    run_pt delete "$(echo "$out" | json_eval 'd["id"]')" --yes
done

record_keys='["id","name","kind","status","format","path","created_at","started_at","finished_at","duration_ms","size_bytes","include_media","pinned","message","error","tables","verified_at","verify_ok"]'
run_pt list --json
expect_eq "list exit" 0 "$status"
expect_eq "list shape" "ok" "$(echo "$out" | json_eval "'ok' if set(d) >= {'backups','total'} and d['total'] == 2 and all(set($record_keys) <= set(r) for r in d['backups']) else d")"
expect_eq "newest first" "nightly" "$(echo "$out" | json_eval 'd["backups"][0]["name"]')"
expect_eq "absolute path" "True" "$(echo "$out" | json_eval 'all(r["path"].startswith("/") for r in d["backups"])')"
expect_eq "ISO 8601 UTC times" "True" "$(echo "$out" | json_eval 'all(r["created_at"].endswith("Z") and "T" in r["created_at"] for r in d["backups"])')"
expect_eq "typed fields" "True" "$(echo "$out" | json_eval 'all(isinstance(r["size_bytes"], int) and isinstance(r["pinned"], bool) and isinstance(r["tables"], dict) for r in d["backups"])')"
expect_eq "table counts in records" "500" "$(echo "$out" | json_eval 'd["backups"][0]["tables"]["unit"]')"

run_pt list --json --kind manual
expect_eq "list --kind" "1" "$(echo "$out" | json_eval 'd["total"]')"
run_pt list --json --limit 1 --offset 1
expect_eq "list --limit --offset" "1 2" "$(echo "$out" | json_eval '"%d %d" % (len(d["backups"]), d["total"])')"
run_pt list --json --status failed
expect_eq "list --status" "0" "$(echo "$out" | json_eval 'd["total"]')"

run_pt show nightly --json
expect_eq "show exit" 0 "$status"
expect_eq "show files" "ok" "$(echo "$out" | json_eval "'ok' if set($record_keys) <= set(d) and any(f['path'] == 'database.sqlite3.zst' and len(f['sha256']) == 64 and f['size'] > 0 for f in d['files']) else d")"
id=$(echo "$out" | json_eval 'd["id"]')
run_pt show "$id" --json
expect_eq "show by id" "nightly" "$(echo "$out" | json_eval 'd["name"]')"
# The files list matches what is on disk.
path=$(echo "$out" | json_eval 'd["path"]')
expect_eq "show files hash" "True" "$(echo "$out" | "$PY" -c '
import json, sys, hashlib, os
d = json.load(sys.stdin)
print(all(hashlib.sha256(open(os.path.join(d["path"], f["path"]), "rb").read()).hexdigest() == f["sha256"] for f in d["files"]))')"

run_pt stats --json
expect_eq "stats exit" 0 "$status"
expect_eq "stats shape" "ok" "$(echo "$out" | json_eval "'ok' if set(d['backups']) >= {'total','completed','failed','bytes','last_success_at','last_success_name'} and set(d['database']) >= {'path','size_bytes','tables'} else d")"
expect_eq "stats totals" "2 2 0 nightly" "$(echo "$out" | json_eval '"%d %d %d %s" % (d["backups"]["total"], d["backups"]["completed"], d["backups"]["failed"], d["backups"]["last_success_name"])')"
# Row counts equal SELECT count(*) of every table, also after the source changed.
sqlite3 db.sqlite3 "INSERT INTO investor (name) VALUES ('تازه'); DELETE FROM unit WHERE id <= 17;"
run_pt stats --json
for table in investor unit; do
    expect_eq "stats rows of $table" "$(sqlite3 db.sqlite3 "SELECT count(*) FROM $table")" \
        "$(echo "$out" | json_eval "d['database']['tables']['$table']")"
done
expect_eq "stats size" "$(stat -c %s db.sqlite3)" "$(echo "$out" | json_eval 'd["database"]["size_bytes"]')"

run_pt settings list --json
expect_eq "settings list exit" 0 "$status"
expect_eq "settings typed" "10 False dir" "$(echo "$out" | json_eval '"%s %s %s" % (d["retention.max_backups"], d["auto.enabled"], d["backup.format"])')"
expect_eq "settings count (section 4's twenty, notify.smtp.insecure, backup.compress, section 10's nine, notify.smtp.password_file, verify.after_auto, verify.deep_every_days, auto.changes_minutes and changes.keep_*, notify.apprise.enabled, urls_file and on, metrics.textfile, the five hooks.*)" "46" "$(echo "$out" | json_eval 'len(d)')"
run_pt settings set retention.max_backups 4
expect_eq "settings set" "0 retention.max_backups = 4" "$status $out"
run_pt settings get retention.max_backups
expect_eq "settings get" "4" "$out"
run_pt settings get retention.max_backups --json
expect_eq "settings get --json" "4" "$(echo "$out" | json_eval 'd["retention.max_backups"]')"

run_pt report nightly
expect_eq "report exit" 0 "$status"
case $out in *"Backup: nightly"*) ;; *) fail "report shows the summary: $out" ;; esac
finish
