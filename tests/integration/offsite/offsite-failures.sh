#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A push that fails (README, "Off-site copies"): wrong password, no repository there, an SFTP
# server that does not answer, restic not installed, the password variable
# not set. Each: exit 1 with one line naming why, every local backup
# untouched, the failure in the catalog, a ping to URL/fail and a mail. The
# password is never in any process's argv during a push, nor in auto.log,
# the catalog, the reports or an error. auto tries a failed push again an
# hour later, not before; a push cut short by Ctrl-C (SIGINT) is cancelled:
# exit 1, nothing recorded, no alarm.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"
export POSHTIBAN_TEST_NOW=2026-11-26T10:00:00Z

start_sink smtp_sink.py "$scratch/smtp" || exit 1
smtp=$sink_port
start_sink ping_sink.py "$scratch/ping" || exit 1
ping=$sink_port
pings() { tr '\n' ' ' <"$scratch/ping/requests" 2>/dev/null | sed 's/ $//'; : >"$scratch/ping/requests"; }

proj=$scratch/proj
make_project "$proj"
head -c 3000000 /dev/urandom >"$proj/media/big.bin"
cd "$proj" || exit 1
repo=$scratch/repo
pt_ok settings set offsite.repository "$repo"
pt_ok settings set notify.ping_url "http://127.0.0.1:$ping/hc"
pt_ok settings set notify.email.enabled true
pt_ok settings set notify.email.to ops@example.com
pt_ok settings set notify.smtp.url "smtp://127.0.0.1:$smtp"
pt_ok offsite init
new_backup --format zip
pings >/dev/null

# sample_argv FILE: every process's argv, over and over, until FILE.stop exists.
sample_argv() {
    while [ ! -e "$1.stop" ]; do
        cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ' >>"$1"
        echo >>"$1"
    done
}
# push_watched ARGS…: `push ARGS` while every argv is sampled into $scratch/argv.
push_watched() {
    rm -f "$scratch/argv.stop"
    sample_argv "$scratch/argv" &
    local sampler=$!
    run_pt push "$@" </dev/null
    touch "$scratch/argv.stop"
    wait "$sampler"
}
local_state() { tree_state "$proj/backups" | grep -v ' \.poshtiban/'; }

# A successful push, watched: restic ran, and no argv held the password or the repository.
push_watched "$name"
expect_eq "a push that works ($err)" 0 "$status"
check "the sampler saw restic run" grep -q 'restic backup' "$scratch/argv"
check "no argv holds the password" test "$(grep -c -- "$password" "$scratch/argv")" = 0
check "no argv holds the repository" test "$(grep 'restic' "$scratch/argv" | grep -c -- "$repo")" = 0

mails_before=0
failure() { # failure WHAT WORDS [ENV…]: push another backup with ENV; it fails as it should
    local what=$1 words=$2
    shift 2
    POSHTIBAN_TEST_NOW=$when new_backup
    pings >/dev/null
    local before mails_before
    before=$(local_state)
    mails_before=$(mails "$scratch/smtp")
    : >"$scratch/argv"
    env "$@" POSHTIBAN_TEST_NOW="$when" "$POSHTIBAN" push "$name" </dev/null >/dev/null 2>"$scratch/stderr" && status=0 || status=$?
    err=$(cat "$scratch/stderr")
    expect_eq "$what: exit" 1 "$status"
    expect_eq "$what: one line on stderr" 1 "$(printf '%s\n' "$err" | grep -c .)"
    case $err in *"$words"*) ;; *) fail "$what: the error says [$words]: [$err]" ;; esac
    case $err in *"$password"*) fail "$what: the error holds the password" ;; esac
    expect_eq "$what: local backups untouched" "$before" "$(local_state)"
    expect_eq "$what: the catalog records the failure" "None True" \
        "$(offsite_of "$name" 'str(o["snapshot"]) + " " + str(bool(o["error"]))')"
    expect_eq "$what: pinged /fail" "/hc/fail" "$(pings)"
    expect_eq "$what: one mail" $((mails_before + 1)) "$(mails "$scratch/smtp")"
    when=$(date -u -d "$when 1 minute" +%Y-%m-%dT%H:%M:%SZ)
}
when=2026-11-26T11:00:00Z
failure "wrong password" "wrong password" POSHTIBAN_RESTIC_PASSWORD=not-the-password
pt_ok settings set offsite.repository "$scratch/nowhere"
failure "no repository there" "$scratch/nowhere"
# An SFTP server that does not answer: ssh to a port nobody listens on.
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$scratch/ssh-bin"
cat >"$scratch/ssh-bin/ssh" <<SH
#!/bin/sh
exec /usr/bin/ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -o HostName=127.0.0.1 -p $port "\$@"
SH
chmod +x "$scratch/ssh-bin/ssh"
pt_ok settings set offsite.repository "sftp:poshtiban-offsite:/srv/repo"
# restic says why the session did not start; what ssh said ("Connection refused")
# follows in parentheses when restic printed it before it exited, which it does
# not always do (its copy of ssh's stderr races with its exit).
failure "SFTP unreachable" "unable to start the sftp session" PATH="$scratch/ssh-bin:$PATH"
pt_ok settings set offsite.repository "$repo"
mkdir -p "$scratch/no-restic"
for tool in sh sqlite3; do ln -sf "$(command -v "$tool")" "$scratch/no-restic/$tool"; done
failure "restic not installed" "sudo apt install restic" PATH="$scratch/no-restic"
failure "password variable not set" "POSHTIBAN_RESTIC_PASSWORD" -u POSHTIBAN_RESTIC_PASSWORD
body=$(mail_eval "$scratch/smtp/$(ls "$scratch/smtp" | grep '\.eml$' | sort | tail -1)" 'subject + body')
case $body in *"off-site copy"*"$name"*) ;; *) fail "the mail names the off-site copy and the backup: [$body]" ;; esac

# The password is nowhere poshtiban writes.
for f in backups/.poshtiban/catalog.sqlite3 backups/.poshtiban/auto.log; do
    check "$f exists" test -e "$f"
    check "$f does not hold the password" test "$(grep -c -a -- "$password" "$f")" = 0
done
check "no report holds the password" test "$(grep -r -a -l -- "$password" backups | wc -l)" = 0
case $(cat backups/.poshtiban/auto.log) in *"$name: the off-site copy failed"*) ;; *) fail "auto.log notes the failed push" ;; esac

# auto: the failed pushes are retried an hour after their try, not before.
pt_ok settings set offsite.enabled true
pt_ok settings set auto.enabled false
POSHTIBAN_TEST_NOW=2026-11-26T11:30:00Z run_pt auto </dev/null
expect_eq "auto half an hour later: exit" 0 "$status"
expect_eq "auto half an hour later retries nothing" "None" "$(offsite_of "$name" 'o["snapshot"]')"
POSHTIBAN_TEST_NOW=2026-11-26T13:00:00Z run_pt auto </dev/null
expect_eq "auto two hours later: exit ($err)" 0 "$status"
expect_eq "auto two hours later sent the failed one" "True None" "$(offsite_of "$name" 'str(o["snapshot"] is not None) + " " + str(o["error"])')"
run_pt list --json </dev/null
expect_eq "every completed backup is off-site now" 0 "$(echo "$out" | json_eval 'sum(1 for b in d["backups"] if b["status"] == "completed" and not (b["offsite"] and b["offsite"]["snapshot"]))')"

# Cancelled (SIGINT, as Ctrl-C): exit 1, "cancelled", nothing recorded, no ping.
head -c 40000000 /dev/urandom >"$proj/media/huge.bin"
pt_ok settings set offsite.enabled false
POSHTIBAN_TEST_NOW=2026-11-26T14:00:00Z new_backup
pings >/dev/null
"$POSHTIBAN" push "$name" </dev/null >/dev/null 2>"$scratch/stderr" &
pusher=$!
for _ in $(seq 100); do pgrep -P "$pusher" -x restic >/dev/null && break; sleep 0.1; done
sleep 0.5
kill -INT "$pusher"
wait "$pusher" && status=0 || status=$?
expect_eq "cancelled: exit" 1 "$status"
case $(cat "$scratch/stderr") in *cancelled*) ;; *) fail "cancelled: says so: [$(cat "$scratch/stderr")]" ;; esac
expect_eq "cancelled: nothing recorded" None "$(offsite_of "$name" 'o')"
expect_eq "cancelled: no alarm" "" "$(pings)"
locks=$(rx list locks --no-lock 2>&1)
expect_eq "cancelled: restic left no lock" "" "$locks"
finish
