#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Mail never gives a password away: with a login, an smtp:// server that
# offers no STARTTLS gets nothing (unless notify.smtp.insecure says so); a
# login that would break the sender is refused; no password is stored in a
# URL; a password in an error is cut out, whatever characters it holds.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
start_sink smtp_sink.py "$scratch/smtp" || exit 1
smtp=$sink_port
pt_ok settings set notify.email.to ops@example.com
pt_ok settings set notify.smtp.url "smtp://127.0.0.1:$smtp"
secret='s3cr/et@p#ss?word'

# Without a login, a plain server takes the test mail.
pt_ok notify test
expect_eq "no login: the mail arrived" 1 "$(mails "$scratch/smtp")"

# With a login, the plain server gets no mail and no password.
pt_ok settings set notify.smtp.user ops@example.com
out=$(POSHTIBAN_SMTP_PASSWORD=$secret "$POSHTIBAN" notify test </dev/null 2>"$scratch/stderr") && status=0 || status=$?
err=$(cat "$scratch/stderr")
expect_eq "login over plain smtp: refused, exit 1 ($err)" 1 "$status"
expect_eq "login over plain smtp: nothing was sent" 1 "$(mails "$scratch/smtp")"
case $err in *"$secret"* | *"s3cr"*) fail "the password is not in the error: [$err]" ;; esac
grep -rqF "s3cr" backups 2>/dev/null && fail "the password is nowhere in the backup folder"

# Header-breaking logins and passwords in URLs are refused, and not echoed.
run_pt settings set notify.smtp.user 'ops>evil@example.com' </dev/null
expect_eq "a login with > is refused" 2 "$status"
run_pt settings get notify.smtp.user </dev/null
expect_eq "and the stored login kept" ops@example.com "$out"
run_pt settings set notify.smtp.url "smtp://ops:$secret@127.0.0.1:$smtp" </dev/null
expect_eq "a password in the mail URL is refused" 2 "$status"
case $err in *"s3cr"*) fail "the refused URL's password is not echoed: [$err]" ;; esac
run_pt settings set notify.ping_url "https://u:$secret@127.0.0.1:9/hc" </dev/null
expect_eq "a password in the ping URL is refused" 2 "$status"
case $err in *"s3cr"*) fail "the refused ping URL's password is not echoed: [$err]" ;; esac
check "the catalog holds no password" sh -c "! sqlite3 backups/.poshtiban/catalog.sqlite3 .dump | grep -q s3cr"
finish
