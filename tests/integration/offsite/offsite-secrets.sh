#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 20, points 4 and 7: the passwords reach the scheduled run, and no
# secret is ever shown. With only shell variables, `offsite init`, `settings
# set`, `cron install` and `doctor` say that cron will not find them and
# print the commands that fix it; those very commands, run as printed, make
# an `auto` in cron's environment (env -i with cron's variables, through the
# crontab line itself) push to a real REST server and mail through a real
# SMTP server with the passwords of the files. A password file others may
# read is refused; *_password_env refuses variables that hold something
# else; the login inside offsite.repository never shows in settings (text,
# JSON, the TUI's Settings pane), doctor, or an error.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"
. "$(dirname "$0")/../lib/tmux.sh"
trap 'tmux -S "$tmux_socket" kill-server 2>/dev/null; stop_everything' EXIT
. "$(dirname "$0")/../lib/lib-offsite-servers.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
fake_crontab
export PATH=$scratch/bin:$PATH
# `poshtiban` as the printed commands name it.
ln -s "$POSHTIBAN" "$scratch/bin/poshtiban"
export HOME=$scratch/home
mkdir -p "$HOME"
smtp_password='mail-Hq4Wt9pL2xVb7Nc'
rest_login='bob'
rest_secret='rest-Kd8Fj3sY6uQe1Za'
export POSHTIBAN_SMTP_PASSWORD=$smtp_password

SMTP_SINK_AUTH=1 start_sink smtp_sink.py "$scratch/smtp" || exit 1
maildir=$scratch/smtp
offsite_rest_start || exit 1
# rclone serves without a login and ignores the one sent: the string has one all the same.
repo_with_login=rest:http://$rest_login:$rest_secret@127.0.0.1:$OFFSITE_REST_PORT/
shown_repo="rest:http://***@127.0.0.1:$OFFSITE_REST_PORT/"

# no_secret WHAT TEXT: none of the passwords is in TEXT.
no_secret() {
    case $2 in
        *"$password"* | *"$smtp_password"* | *"$rest_secret"*) fail "$1: a password shows: [$2]" ;;
    esac
}

# --- *_password_env: never a variable that holds something else --------------
for var in PATH HOME USER SHELL LD_PRELOAD LD_LIBRARY_PATH TERM LANG LC_ALL TZ PWD \
    POSHTIBAN_DATABASE RESTIC_PASSWORD; do
    run_pt settings set offsite.password_env "$var" </dev/null
    expect_eq "offsite.password_env $var: refused as bad input" 2 "$status"
    case $err in *"variable of its own"*) ;; *) fail "offsite.password_env $var: says why: [$err]" ;; esac
    run_pt settings set notify.smtp.password_env "$var" </dev/null
    expect_eq "notify.smtp.password_env $var: refused" 2 "$status"
done
pt_ok settings get offsite.password_env
expect_eq "the stored variable is kept" POSHTIBAN_RESTIC_PASSWORD "$out"
pt_ok settings set offsite.password_env MY_RESTIC_PASSWORD
pt_ok settings set offsite.password_env POSHTIBAN_RESTIC_PASSWORD

# --- the login in the repository string is never shown ------------------------
pt_ok settings set offsite.repository "$repo_with_login"
expect_eq "settings set shows the repository without its login" \
    "offsite.repository = $shown_repo" "$out"
pt_ok settings get offsite.repository
expect_eq "settings get: redacted" "$shown_repo" "$out"
pt_ok settings get offsite.repository --json
expect_eq "settings get --json: redacted" "$shown_repo" "$(echo "$out" | json_eval 'd["offsite.repository"]')"
pt_ok settings list
no_secret "settings list" "$out"
case $out in *"$shown_repo"*) ;; *) fail "settings list shows the redacted repository: [$out]" ;; esac
pt_ok settings list --json
no_secret "settings list --json" "$out"
expect_eq "settings list --json: redacted" "$shown_repo" "$(echo "$out" | json_eval 'd["offsite.repository"]')"
run_pt settings set offsite.repository "$(printf 'rest:http://%s:%s@h/\001' "$rest_login" "$rest_secret")" </dev/null
expect_eq "a repository with a control character: refused" 2 "$status"
no_secret "the refusal of a repository" "$err"
pt_ok settings get offsite.repository
expect_eq "the refused value left the stored one" "$shown_repo" "$out"

# --- only shell variables: every door says cron will not find them -----------
pt_ok offsite init
no_secret "offsite init" "$out$err"
case $err in
    *"scheduled run (cron) will not find the off-site repository password"*"printenv POSHTIBAN_RESTIC_PASSWORD > "*"poshtiban settings set offsite.password_file "*) ;;
    *) fail "offsite init says cron will not find the password, and the fix: [$err]" ;;
esac
pt_ok settings set offsite.enabled true
case $err in *"will not find the off-site repository password"*) ;; *) fail "settings set offsite.enabled true warns: [$err]" ;; esac
pt_ok settings set notify.email.to ops@example.com
pt_ok settings set notify.smtp.url "smtp://127.0.0.1:$sink_port"
pt_ok settings set notify.smtp.insecure true
pt_ok settings set notify.email.on always
pt_ok settings set notify.smtp.user ops@example.com
pt_ok settings set notify.email.enabled true
case $err in *"will not find the mail password"*"printenv POSHTIBAN_SMTP_PASSWORD > "*) ;; *) fail "settings set notify.email.enabled true warns: [$err]" ;; esac
pt_ok settings set auto.enabled true
pt_ok cron install
case $err in
    *"off-site repository password"*"mail password"*) ;;
    *) fail "cron install warns about both passwords: [$err]" ;;
esac
fixes=$(echo "$err" | grep '^    ')
no_secret "cron install" "$out$err"
pt_ok doctor
case $out in
    *"will not find the off-site repository password"*"will not find the mail password"*) ;;
    *) fail "doctor warns about both passwords: [$out]" ;;
esac
case $out in *"poshtiban settings set notify.smtp.password_file "*) ;; *) fail "doctor prints the fix: [$out]" ;; esac
no_secret "doctor" "$out"
pt_ok doctor --json
no_secret "doctor --json" "$out"
expect_eq "doctor --json: the repository redacted" "$shown_repo" "$(echo "$out" | json_eval 'd["offsite"]["repository"]')"

# cron's own environment, through the crontab line itself.
cron_line=$(grep poshtiban-auto "$FAKE_CRONTAB")
cron_cmd=$("$PY" -c 'import sys
rest = sys.argv[1]
for _ in range(5):
    rest = rest.lstrip(" \t")
    rest = rest[rest.index(" "):]
rest = rest.lstrip(" \t")
out, i = "", 0
while i < len(rest):
    if rest[i] == "\\" and i + 1 < len(rest) and rest[i + 1] == "%":
        out += "%"; i += 2; continue
    if rest[i] == "%":
        break
    out += rest[i]; i += 1
print(out)' "$cron_line")
as_cron() {
    (cd / && env -i HOME="$HOME" LOGNAME="$(id -un)" PATH=/usr/bin:/bin SHELL=/bin/sh \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
        RESTIC_CACHE_DIR="$RESTIC_CACHE_DIR" POSHTIBAN_TEST_NOW="$1" sh -c "$cron_cmd")
}
log=$proj/backups/.poshtiban/auto.log
as_cron 2026-11-26T10:00:00Z
pt_ok list --json
expect_eq "cron with shell variables only: the backup was taken" 1 "$(echo "$out" | json_eval 'd["total"]')"
first=$(echo "$out" | json_eval 'd["backups"][0]["name"]')
err_first=$(offsite_of "$first" 'o["error"]')
case $err_first in *"POSHTIBAN_RESTIC_PASSWORD"*"is not set"*) ;; *) fail "cron with shell variables only: the push failed for want of the password: [$err_first]" ;; esac
expect_eq "cron with shell variables only: no mail could go out" 0 "$(mails "$maildir")"

# --- a password file others may read is refused -----------------------------
mkdir -p "$HOME/loose"
printf '%s\n' "$password" >"$HOME/loose/pw"
chmod 644 "$HOME/loose/pw"
run_pt settings set offsite.password_file "$HOME/loose/pw" </dev/null
expect_eq "a 0644 password file: refused as bad input" 2 "$status"
case $err in *"chmod 600 "*) ;; *) fail "the refusal says how to fix it: [$err]" ;; esac
run_pt settings set notify.smtp.password_file "$HOME/loose/pw" </dev/null
expect_eq "a 0644 mail password file: refused" 2 "$status"
run_pt settings set offsite.password_file "$HOME/loose" </dev/null
expect_eq "a folder as the password file: refused" 2 "$status"
run_pt settings set offsite.password_file /dev/null </dev/null
expect_eq "a device as the password file: refused" 2 "$status"
run_pt settings set offsite.password_file "$HOME/missing" </dev/null
expect_eq "a missing password file: refused" 2 "$status"
pt_ok settings get offsite.password_file
expect_eq "after the refusals, no password file is set" "" "$out"
no_secret "the refusals" "$err"

# --- the printed commands, run as they are, fix it --------------------------
check "the fix is three commands for each password" [ "$(echo "$fixes" | grep -c .)" = 6 ]
while IFS= read -r cmd; do
    sh -c "$cmd" </dev/null >/dev/null 2>"$scratch/fix.err" || fail "the printed command [$cmd] failed: $(cat "$scratch/fix.err")"
done <<<"$(echo "$fixes" | sed 's/^ *//')"
rfile=$(ls "$HOME"/.config/poshtiban/*-restic-password)
mfile=$(ls "$HOME"/.config/poshtiban/*-smtp-password)
expect_eq "the repository password file is private" 600 "$(stat -c %a "$rfile")"
expect_eq "the mail password file is private" 600 "$(stat -c %a "$mfile")"
expect_eq "the repository password file holds it" "$password" "$(cat "$rfile")"
pt_ok settings get offsite.password_file
expect_eq "offsite.password_file set by the printed command" "$rfile" "$out"
pt_ok cron install
case $err in *WARNING*) fail "cron install after the fix: no warning: [$err]" ;; esac
pt_ok doctor
case $out in *"will not find"*) fail "doctor after the fix: no password warning: [$out]" ;; esac

# A file made loose afterwards is refused when used, and doctor says so.
chmod 640 "$rfile"
pt_ok doctor
case $out in *"cannot use the off-site repository password"*"chmod 600 "*) ;; *) fail "doctor: a loose file, with chmod: [$out]" ;; esac
POSHTIBAN_TEST_NOW=2026-11-26T12:00:00Z run_pt push </dev/null
expect_eq "push with a loose password file fails" 1 "$status"
case $err in *"chmod 600"*) ;; *) fail "push says how to fix the file: [$err]" ;; esac
chmod 600 "$rfile"

# --- cron's environment: push and mail with the files -------------------------
before=$(mails "$maildir")
as_cron 2026-11-27T11:00:00Z
pt_ok list --json
expect_eq "cron with the password files: a second backup" 2 "$(echo "$out" | json_eval 'd["total"]')"
second=$(echo "$out" | json_eval 'd["backups"][0]["name"]')
expect_eq "cron with the password files: its off-site copy" True "$(offsite_of "$second" 'o["snapshot"] is not None and o["error"] is None')"
expect_eq "cron: the first backup's owed copy was sent too" True "$(offsite_of "$first" 'o["snapshot"] is not None')"
check "cron with the password files: a mail went out" [ "$(mails "$maildir")" -gt "$before" ]
grep -qxF "ops@example.com:$smtp_password" "$maildir/auth" ||
    fail "the mail server got the password from the file: [$(cat "$maildir/auth" 2>/dev/null)]"
RESTIC_REPOSITORY=$OFFSITE_REST_REPO RESTIC_PASSWORD=$password restic snapshots --json >"$scratch/snaps.json" 2>"$scratch/snaps.err" ||
    fail "restic lists the repository: $(cat "$scratch/snaps.err")"
expect_eq "the repository holds both backups" 2 "$(json_eval 'len(d)' <"$scratch/snaps.json")"
no_secret "auto.log" "$(cat "$log")"
no_secret "the catalog" "$(sqlite3 "$proj/backups/.poshtiban/catalog.sqlite3" .dump | grep -v "$rest_secret@127.0.0.1" || true)"

# --- the Settings pane: redacted, and the prompt never offers the login -------
tui_start 120 40 "$proj" "ASAN_OPTIONS=${ASAN_OPTIONS:-}" "HOME=$HOME" "PATH=$PATH"
expect_screen "the TUI is up" "Latest backups" 20
for _ in 1 2 3 4 5; do
    keys 4
    wait_for "auto.interval_hours" 4 2>/dev/null && break
done
expect_screen "settings pane" "offsite.repository"
expect_screen "the pane shows the repository redacted" "$shown_repo"
no_secret "the Settings pane" "$(screen)"
# The cursor onto offsite.repository: as many rows down as settings list puts before it.
pt_ok settings list
rows_before=$(($(echo "$out" | grep -n '^offsite.repository ' | cut -d: -f1) - 1))
for _ in $(seq "$rows_before"); do keys Down; done
sleep 0.3
case $(screen) in *"restic repository, given to restic"*) ;; *) fail "the cursor is on offsite.repository: [$(screen)]" ;; esac
keys Enter
sleep 0.5
no_secret "the Settings pane's prompt" "$(screen)"
keys Escape
sleep 0.3
no_secret "the Settings pane after the prompt" "$(screen)"
keys q
pt_ok settings get offsite.repository
expect_eq "the pane left the repository as it was" "$shown_repo" "$out"
finish
