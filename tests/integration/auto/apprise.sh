#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 23, alerts: the real apprise (Debian package apprise) delivers to a
# json:// sink and to an ntfy-style sink on loopback (ping_sink.py, which
# records every request) on failure, on "works again", on an off-site
# failure and on damage found by auto's deep verify; notify.apprise.on
# failure / always / changes. The URLs file must be private: a 0644 file, a
# missing one, a symbolic link and garbage are refused in one line, and a
# backup with a bad file still completes. The tokens in the URLs never reach
# apprise's argv (a wrapper first in $PATH records it), the catalog,
# auto.log, the record or any error. A failed healthchecks-style ping
# carries the error in its POST body.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"

if ! command -v apprise >/dev/null; then
    echo "apprise is not installed (Debian package apprise)" >&2
    exit 77
fi
unset LANGUAGE LANG CODESPACE_NAME
export LC_ALL=C.UTF-8

start_sink ping_sink.py "$scratch/json" || exit 1
json_port=$sink_port
start_sink ping_sink.py "$scratch/ntfy" || exit 1
ntfy_port=$sink_port
start_sink ping_sink.py "$scratch/hc" || exit 1
hc_port=$sink_port

# apprise as a wrapper first in $PATH: its argv and environment, then the real one.
mkdir -p "$scratch/bin"
cat >"$scratch/bin/apprise" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$scratch/apprise-argv"
env >>"$scratch/apprise-env"
exec $(command -v apprise) "\$@"
EOF
chmod +x "$scratch/bin/apprise"
export PATH=$scratch/bin:$PATH

# Tokens no other string of the test holds: found anywhere else, they leaked.
tok_json=tokJ-Vq83nRw5Xk2
tok_ntfy=tokN-Hs61pLm9Zc4
urls=$scratch/alerts.urls
printf '# alerts of the test\njson://127.0.0.1:%s/hook/%s/\nntfy://alice:%s@127.0.0.1:%s/backups\n' \
    "$json_port" "$tok_json" "$tok_ntfy" "$ntfy_port" >"$urls"
chmod 600 "$urls"

proj=$scratch/shop
make_project "$proj"
cd "$proj" || exit 1
cp db.sqlite3 "$scratch/good.sqlite3"
pt_ok settings set auto.enabled true
pt_ok settings set retention.auto_cleanup false
pt_ok settings set verify.deep_every_days 0
pt_ok settings set notify.apprise.enabled true
pt_ok settings set notify.apprise.urls_file "$urls"
pt_ok settings set notify.ping_url "http://127.0.0.1:$hc_port/hc/abc"

auto_at() { # auto_at TIME: `auto --json` at TIME
    out=$(POSHTIBAN_TEST_NOW=$1 "$POSHTIBAN" auto --json </dev/null 2>"$scratch/stderr") && status=0 || status=$?
    err=$(cat "$scratch/stderr")
}
posts() { [ -f "$1/posts.jsonl" ] && wc -l <"$1/posts.jsonl" || echo 0; }
# last_post DIR EXPRESSION: on the newest request of a sink (p; m = its JSON body when it has one).
last_post() {
    tail -1 "$1/posts.jsonl" | "$PY" -c '
import json, sys
p = json.loads(sys.stdin.read())
try:
    m = json.loads(p["body"])
except ValueError:
    m = None
print(eval(sys.argv[1]))' "$2"
}
break_db() { echo "not a database" >db.sqlite3; }
fix_db() { cp "$scratch/good.sqlite3" db.sqlite3; }

# --- on=failure (the default): quiet for a plain success ---
auto_at 2026-11-26T10:00:00Z
expect_eq "first auto completes ($err)" 0 "$status"
expect_eq "no alert for a plain success" "0 0" "$(posts "$scratch/json") $(posts "$scratch/ntfy")"

# --- a failure: both services, with the error ---
break_db
auto_at 2026-11-27T10:00:00Z
expect_eq "auto of a broken source fails" 2 "$status"
failed=$(echo "$out" | json_eval 'd["backup"]["name"]')
expect_eq "json:// got the failure" 1 "$(posts "$scratch/json")"
expect_eq "json:// failure: type, title" "failure True" \
    "$(last_post "$scratch/json" 'm["type"] + " " + str("FAILED" in m["title"] and "'"$failed"'" in m["title"])')"
case $(last_post "$scratch/json" 'm["message"]') in *"not a SQLite database"*) ;; *) fail "the alert carries the error: $(last_post "$scratch/json" 'm')" ;; esac
expect_eq "json:// posted to the path of the URL" "/hook/$tok_json/" "$(last_post "$scratch/json" 'p["path"]')"
expect_eq "ntfy got the failure" 1 "$(posts "$scratch/ntfy")"
expect_eq "ntfy: topic and login" "backups Basic $(printf 'alice:%s' "$tok_ntfy" | base64)" \
    "$(last_post "$scratch/ntfy" 'm["topic"] + " " + p["authorization"]')"
case $(last_post "$scratch/ntfy" 'm["message"]') in *"not a SQLite database"*) ;; *) fail "ntfy: the alert carries the error" ;; esac
# The healthchecks-style ping: a POST to URL/fail whose body is the error.
expect_eq "ping: POST to /fail" "POST /hc/abc/fail" "$(last_post "$scratch/hc" 'p["method"] + " " + p["path"]')"
case $(last_post "$scratch/hc" 'p["body"]') in *"$failed"*"not a SQLite database"*) ;; *) fail "the /fail ping carries the error: [$(last_post "$scratch/hc" 'p["body"]')]" ;; esac
expect_eq "ping body is plain text" "text/plain; charset=utf-8" "$(last_post "$scratch/hc" 'p["content_type"]')"

# --- works again ---
fix_db
auto_at 2026-11-27T11:00:00Z
expect_eq "the retry completes ($err)" 0 "$status"
expect_eq "works again: both services" "2 2" "$(posts "$scratch/json") $(posts "$scratch/ntfy")"
expect_eq "works again: success, named" "success True True" \
    "$(last_post "$scratch/json" 'm["type"] + " " + str("work again" in m["title"]) + " " + str("'"$failed"'" in m["message"])')"
expect_eq "ping: POST to URL with the story" "POST /hc/abc True" \
    "$(last_post "$scratch/hc" 'p["method"] + " " + p["path"] + " " + str("completed" in p["body"])')"
auto_at 2026-11-28T11:00:00Z
expect_eq "a second success: quiet" "2 2" "$(posts "$scratch/json") $(posts "$scratch/ntfy")"

# --- on=always: every backup ---
pt_ok settings set notify.apprise.on always
new_backup
expect_eq "always: create alerts" 3 "$(posts "$scratch/json")"
expect_eq "always: a success" success "$(last_post "$scratch/json" 'm["type"]')"

# --- on=changes: the first failure only, then the first success ---
pt_ok settings set notify.apprise.on changes
break_db
auto_at 2026-11-29T11:00:00Z
expect_eq "changes: the first failure" 4 "$(posts "$scratch/json")"
auto_at 2026-11-29T12:00:00Z
expect_eq "changes: a second failure in a row is quiet" 4 "$(posts "$scratch/json")"
fix_db
auto_at 2026-11-29T13:00:00Z
expect_eq "changes: works again" "5 success" "$(posts "$scratch/json") $(last_post "$scratch/json" 'm["type"]')"
auto_at 2026-11-30T13:00:00Z
expect_eq "changes: then quiet" 5 "$(posts "$scratch/json")"

# --- an off-site copy that fails: alerted whatever .on says ---
: >"$scratch/not-a-repository"
export POSHTIBAN_RESTIC_PASSWORD=pw-apprise-test
pt_ok settings set offsite.repository "$scratch/not-a-repository"
pt_ok settings set offsite.enabled true
new_backup
expect_eq "the backup itself completes" completed "$(echo "$rec" | json_eval 'd["status"]')"
expect_eq "off-site failure alerted" "6 failure True" \
    "$(posts "$scratch/json") $(last_post "$scratch/json" 'm["type"]') $(last_post "$scratch/json" 'str("off-site" in m["title"] and "'"$name"'" in m["title"])')"
expect_eq "off-site failure: ntfy too" 6 "$(posts "$scratch/ntfy")"
expect_eq "off-site failure: ping /fail with the error" "/hc/abc/fail True" \
    "$(last_post "$scratch/hc" 'p["path"] + " " + str("off-site" in p["body"])')"
pt_ok settings set offsite.enabled false

# --- damage found by auto's deep verify ---
pt_ok settings set verify.deep_every_days 1
auto_at 2026-12-01T13:00:00Z # starts the deep verify's clock
before=$(posts "$scratch/json")
victim=$(ls -d backups/backup_* | head -1)
chmod -R u+w "$victim"
f=$(find "$victim" -name '*.json.gz' | head -1)
printf 'rot' | dd of="$f" bs=1 seek=20 conv=notrunc 2>/dev/null
auto_at 2026-12-02T14:00:00Z
expect_eq "damage: auto says so" True "$(echo "$out" | json_eval 'any(not v["ok"] for v in d.get("verified", []))' 2>/dev/null || echo "?: $out")"
expect_eq "damage alerted" "$((before + 1)) failure" "$(posts "$scratch/json") $(last_post "$scratch/json" 'm["type"]')"
case $(last_post "$scratch/json" 'm["title"] + m["message"]') in *damage*"$(basename "$victim")"*) ;; *) fail "the damage alert names the backup: $(last_post "$scratch/json" 'm')" ;; esac
pt_ok settings set verify.deep_every_days 0

# --- a service that does not answer: the backup completes, the record says why ---
pt_ok settings set notify.apprise.on always
stop_last_sink # the healthchecks sink
kill "${sink_pids[1]}" && wait "${sink_pids[1]}" 2>/dev/null # the ntfy sink
new_backup
expect_eq "ntfy down: create completes" completed "$(echo "$rec" | json_eval 'd["status"]')"
msg=$(field "$id" 'd["message"]')
case $msg in *"Apprise alert not sent"*) ;; *) fail "the record notes the failed alert: [$msg]" ;; esac
case $(cat backups/.poshtiban/auto.log) in *"$name: "*"Apprise alert not sent"*) ;; *) fail "auto.log notes it" ;; esac
case $msg in *"$tok_ntfy"*) fail "the note holds the token" ;; esac
# ntfy answers again, on another port.
start_sink ping_sink.py "$scratch/ntfy2" || exit 1
printf 'json://127.0.0.1:%s/hook/%s/\nntfy://alice:%s@127.0.0.1:%s/backups\n' \
    "$json_port" "$tok_json" "$tok_ntfy" "$sink_port" >"$urls"

# --- hostile URLs files: one line, the backup unaffected ---
hostile() { # hostile WHAT FILE EXPECTED-WORDS
    run_pt settings set notify.apprise.urls_file "$2" </dev/null
    expect_eq "$1: settings set refuses it" 2 "$status"
    case $err in *"$3"*) ;; *) fail "$1: the refusal says why: [$err]" ;; esac
    expect_eq "$1: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
}
cp "$urls" "$scratch/open.urls" && chmod 644 "$scratch/open.urls"
hostile "0644 file" "$scratch/open.urls" "chmod 600"
hostile "missing file" "$scratch/nothing.urls" "cannot read"
ln -s "$urls" "$scratch/link.urls"
hostile "symbolic link" "$scratch/link.urls" "symbolic link"
mkdir "$scratch/folder.urls"
hostile "a folder" "$scratch/folder.urls" "not a regular file"
expect_eq "the refused values left the setting" "$urls" "$(run_pt settings get notify.apprise.urls_file </dev/null; echo "$out" | sed 's/.*= //')"
# The file changes behind poshtiban's back: caught at each use.
after_set() { # after_set WHAT EXPECTED-WORDS: a create with the file as it is now
    local before
    before=$(posts "$scratch/json")
    new_backup
    expect_eq "$1: the backup completes" completed "$(echo "$rec" | json_eval 'd["status"]')"
    local m
    m=$(field "$id" 'd["message"]')
    case $m in *"Apprise alert not sent"*"$2"*) ;; *) fail "$1: the record says why: [$m]" ;; esac
    expect_eq "$1: nothing delivered" "$before" "$(posts "$scratch/json")"
}
chmod 644 "$urls"
after_set "made 0644" "chmod 600"
chmod 600 "$urls"
printf 'garbage %s\nmore garbage\n' "$tok_json" >"$scratch/garbage.urls"
chmod 600 "$scratch/garbage.urls"
pt_ok settings set notify.apprise.urls_file "$scratch/garbage.urls"
after_set "garbage content" "holds no Apprise URL"
printf 'json://127.0.0.1:%s/hook/%s/\nthis is no url %s\n' "$json_port" "$tok_json" "$tok_ntfy" >"$scratch/garbage.urls"
after_set "a bad line among URLs" "no URL it can use"
run_pt notify test </dev/null
expect_eq "notify test with a bad file exits 2" 2 "$status"
case $err in *"no URL it can use"*) ;; *) fail "notify test says why: [$err]" ;; esac
rm "$scratch/garbage.urls"
after_set "file removed" "cannot read"
pt_ok settings set notify.apprise.urls_file "$urls"

# --- without apprise installed: doctor and notify test say how to get it ---
mkdir -p "$scratch/emptybin"
out=$(PATH=$scratch/emptybin "$POSHTIBAN" notify test 2>&1 </dev/null) && status=0 || status=$?
expect_eq "notify test without apprise exits 1" 1 "$status"
case $out in *"apt-get install apprise"*) ;; *) fail "notify test says how to install apprise: [$out]" ;; esac
out=$(PATH=$scratch/emptybin "$POSHTIBAN" doctor 2>&1 </dev/null)
case $out in *"apt-get install apprise"*) ;; *) fail "doctor says how to install apprise: [$out]" ;; esac
pt_ok notify test
case $out in *"Test alert sent through Apprise"*) ;; *) fail "notify test reports the alert: [$out]" ;; esac
expect_eq "notify test: an info alert to both" "info True" \
    "$(last_post "$scratch/json" 'm["type"]') $(last_post "$scratch/ntfy2" 'str("test alert" in m["title"])')"

# --- the tokens never leaked ---
check "apprise ran" test -s "$scratch/apprise-argv"
for t in "$tok_json" "$tok_ntfy"; do
    if grep -q -- "$t" "$scratch/apprise-argv"; then fail "a token is on apprise's command line"; fi
    if grep -q -- "$t" "$scratch/apprise-env"; then fail "a token is in apprise's environment"; fi
    if grep -rqa -- "$t" backups/.poshtiban; then fail "a token is in the catalog or auto.log"; fi
    run_pt list --json </dev/null
    case $out in *"$t"*) fail "a token is in list --json" ;; esac
    run_pt doctor --json </dev/null
    case $out$err in *"$t"*) fail "a token is in doctor" ;; esac
done
case $(cat "$scratch/apprise-argv") in *"--config $urls"*) ;; *) fail "apprise reads the URLs file itself: $(head -1 "$scratch/apprise-argv")" ;; esac
finish
