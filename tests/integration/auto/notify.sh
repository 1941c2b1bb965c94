#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 6, acceptance 3 and 4: a real SMTP server (python3-aiosmtpd) and an
# HTTP listener on loopback, started here. With notify.email.on=failure: no
# mail for a plain success, the failure mail of a failed backup, the "works
# again" mail of the next success; with always: every backup. Subjects are
# RFC 2047 encoded UTF-8 and decode to the gettext string of the language
# (Persian once po/fa.po is built, the English text before). With the server
# down the backup still completes and the record and auto.log note it. The
# pings: URL/start, then URL on success or URL/fail on failure.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"

start_sink smtp_sink.py "$scratch/smtp" || exit 1
smtp=$sink_port
start_sink ping_sink.py "$scratch/ping" || exit 1
ping=$sink_port
maildir=$scratch/smtp
# The catalogs built next to the binary, which it finds on its own.
locales=$(cd "$(dirname "$POSHTIBAN")/../.." && pwd)/po
host=$("$PY" -c 'import socket; print(socket.gethostname())')
# English unless a test says --lang fa, whatever the caller's locale.
unset LANGUAGE LANG
unset CODESPACE_NAME
export LC_ALL=C.UTF-8


proj=$scratch/پروژه
make_project "$proj"
cd "$proj" || exit 1
cp db.sqlite3 "$scratch/good.sqlite3"
pt_ok settings set auto.enabled true
pt_ok settings set retention.auto_cleanup false
pt_ok settings set notify.email.enabled true
pt_ok settings set notify.email.to "ops@example.com, dev@example.com"
pt_ok settings set notify.smtp.url "smtp://127.0.0.1:$smtp"
pt_ok settings set notify.ping_url "http://127.0.0.1:$ping/hc/abc/"

auto_at() { # auto_at TIME [GLOBAL OPTIONS]: `auto --json` at TIME
    local when=$1
    shift
    out=$(POSHTIBAN_TEST_NOW=$when "$POSHTIBAN" "$@" auto --json </dev/null 2>"$scratch/stderr") && status=0 || status=$?
    err=$(cat "$scratch/stderr")
}
pings() { tr '\n' ' ' <"$scratch/ping/requests" | sed 's/ $//'; : >"$scratch/ping/requests"; }
# expected_subject LANG MSGID ARGS...: the gettext translation, formatted as C does.
expected_subject() {
    "$PY" - "$locales" "$@" <<'PY'
import gettext, sys
localedir, lang, msgid, *args = sys.argv[1:]
t = gettext.translation("poshtiban", localedir, languages=[lang], fallback=True)
print(t.gettext(msgid) % tuple(args))
PY
}
check_subject() { # check_subject WHAT FILE LANG MSGID ARGS...
    local what=$1 file=$2
    shift 2
    local raw
    raw=$(mail_eval "$file" 'raw')
    if ! LC_ALL=C grep -q '^[ -~]*$' <<<"$raw"; then fail "$what: the Subject header is ASCII on the wire: [$raw]"; fi
    case $raw in *=?UTF-8?B?*) ;; *) fail "$what: the Subject is RFC 2047 encoded UTF-8: [$raw]" ;; esac
    expect_eq "$what: the subject decodes to the translated text" "$(expected_subject "$@")" "$(mail_eval "$file" 'subject')"
}

# A success with nothing failed before: no mail with "failure"; the pings
# (the URL was given with a final slash: URL/start, not URL//start).
auto_at 2026-11-26T10:00:00Z
expect_eq "first auto completes ($err)" 0 "$status"
expect_eq "no mail for a plain success" 0 "$(mails "$maildir")"
expect_eq "pings: start, then success" "/hc/abc/start /hc/abc/" "$(pings)"

# The source is no SQLite database: a failed automatic backup, mailed.
echo "not a database" >db.sqlite3
auto_at 2026-11-27T10:00:00Z
expect_eq "auto of a broken source fails with exit 2" 2 "$status"
name=$(echo "$out" | json_eval 'd["backup"]["name"]')
expect_eq "the failed record" "auto failed" "$(echo "$out" | json_eval 'd["backup"]["kind"] + " " + d["backup"]["status"]')"
expect_eq "one mail: the failure" 1 "$(mails "$maildir")"
check_subject "failure mail" "$maildir/001.eml" en "poshtiban: backup %s of %s FAILED on %s" "$name" پروژه "$host"
body=$(mail_eval "$maildir/001.eml" 'body')
case $body in *"$name"*"not a SQLite database"*) ;; *) fail "the failure mail names the backup and the error: [$body]" ;; esac
expect_eq "both recipients" "<ops@example.com> <dev@example.com>" "$(sed 's/.*/<&>/' "$maildir/001.rcpt" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "pings: start, then fail" "/hc/abc/start /hc/abc/fail" "$(pings)"

# Fixed: the next success (an hour later, the retry) mails that backups work again.
cp "$scratch/good.sqlite3" db.sqlite3
auto_at 2026-11-27T11:00:00Z
expect_eq "the retry completes ($err)" 0 "$status"
fixed=$(echo "$out" | json_eval 'd["backup"]["name"]')
expect_eq "a second mail: fixed" 2 "$(mails "$maildir")"
check_subject "fixed mail" "$maildir/002.eml" en "poshtiban: backups of %s work again: %s on %s" پروژه "$fixed" "$host"
case $(mail_eval "$maildir/002.eml" 'body') in *"$name"*) ;; *) fail "the fixed mail names the failed one" ;; esac
expect_eq "pings: start, success" "/hc/abc/start /hc/abc/" "$(pings)"
# And then quiet again.
auto_at 2026-11-28T11:00:00Z
expect_eq "a second success in a row: no mail" 2 "$(mails "$maildir")"
pings >/dev/null

# always: every backup, create included.
pt_ok settings set notify.email.on always
auto_at 2026-11-29T11:00:00Z
expect_eq "always: auto mails" 3 "$(mails "$maildir")"
pings >/dev/null
new_backup
expect_eq "always: create mails" 4 "$(mails "$maildir")"
check_subject "completed mail" "$maildir/004.eml" en "poshtiban: backup %s of %s completed on %s" "$name" پروژه "$host"
expect_eq "create pings too" "/hc/abc/start /hc/abc/" "$(pings)"

# Persian: --lang fa gives the Persian subject (English until po/fa.po is built).
run_pt --lang fa create --json </dev/null
expect_eq "create --lang fa ($err)" 0 "$status"
name=$(echo "$out" | json_eval 'd["name"]')
expect_eq "the fa mail" 5 "$(mails "$maildir")"
check_subject "fa mail" "$maildir/005.eml" fa "poshtiban: backup %s of %s completed on %s" "$name" پروژه "$host"
case $(mail_eval "$maildir/005.eml" 'msg.get_content_charset()') in utf-8) ;; *) fail "the body is UTF-8" ;; esac

# notify test
pt_ok notify test
expect_eq "notify test sends one" 6 "$(mails "$maildir")"

# A create the user cancels (Ctrl-C): "cancelled", no /fail ping, no mail, even with "always".
pings >/dev/null
sqlite3 db.sqlite3 "CREATE TABLE heavy (id INTEGER PRIMARY KEY, data BLOB);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 60000)
INSERT INTO heavy (data) SELECT randomblob(1000) FROM s;"
"$POSHTIBAN" create --name cancelme >/dev/null 2>"$scratch/cancel.err" </dev/null &
creator=$!
for _ in $(seq 200); do
    [ -n "$(ls -A backups/.poshtiban/tmp 2>/dev/null)" ] && break
    sleep 0.05
done
kill -INT "$creator"
wait "$creator" && fail "a cancelled create exits 0"
sqlite3 db.sqlite3 "DROP TABLE heavy; VACUUM;"
run_pt show cancelme --json </dev/null
expect_eq "cancel: the record is cancelled, with no error" "cancelled None" \
    "$(echo "$out" | json_eval '"%s %s" % (d["status"], d["error"])')"
expect_eq "cancel: no mail" 6 "$(mails "$maildir")"
expect_eq "cancel: the start ping only, no /fail" "/hc/abc/start" "$(pings)"

# The mail server and the ping listener are gone: the backup still completes; the record says so.
kill "${sink_pids[0]}" "${sink_pids[1]}"
wait "${sink_pids[0]}" "${sink_pids[1]}" 2>/dev/null
new_backup
expect_eq "with the servers down, create completes" completed "$(echo "$rec" | json_eval 'd["status"]')"
msg=$(field "$id" 'd["message"]')
case $msg in *"backup completed"*"ping failed"*"mail not sent"*) ;; *) fail "the record notes the failed ping and mail: [$msg]" ;; esac
case $(cat backups/.poshtiban/auto.log) in *"$name: "*"mail not sent"*) ;; *) fail "auto.log notes the failed mail: [$(cat backups/.poshtiban/auto.log)]" ;; esac
auto_at 2026-11-30T11:00:00Z
expect_eq "auto with the servers down still completes" "0 completed" "$status $(echo "$out" | json_eval 'd["backup"]["status"]')"
case $(echo "$out" | json_eval 'd["backup"]["message"]') in *"mail not sent"*) ;; *) fail "the auto record notes it: $out" ;; esac
run_pt notify test </dev/null
expect_eq "notify test with the server down exits 1" 1 "$status"
finish
