#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Hooks (README, "Hooks"): the settings hooks.before_backup, after_backup,
# before_restore, after_restore and timeout_seconds.
# - a hook gets the POSHTIBAN_* variables, runs in the project folder with
#   stdin /dev/null, and never sees the passwords poshtiban knows of (env);
# - a failing before-hook stops a backup and a restore with nothing changed:
#   list --json, the database's bytes, the media and the backup root are as
#   they were; the error line says the hook's last line (before);
# - a failing after-hook leaves the backup completed, exit 0, the record's
#   error and the closing sentence saying it, the ping sent to URL/fail (after);
# - a hook that hangs is stopped at hooks.timeout_seconds, with what it
#   started in the background (timeout); its output is kept bounded (bounded);
# - kill -9 while the before-hook runs leaves nothing changed (kill);
# - `auto` runs them, and a failing before-hook is a failed auto record (auto);
# - bad values are refused; doctor lists the hooks in force (settings, doctor);
# - a pulled backup's settings.json holding hooks.* installs no hook
#   (pulled; real restic, local repository).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"
unset POSHTIBAN_DATABASE LANGUAGE LANG
export LC_ALL=C.UTF-8 TZ=UTC

p=$scratch/proj
make_project "$p"
cd "$p" || exit 1
marks=$scratch/marks
mkdir -p "$marks"
sha() { sha256sum "$1" | cut -d' ' -f1; }
# state: what a failed operation must leave as it was. A restore verifies the
# backup before its hook runs (a damaged one disturbs nobody), and that check's
# stamp (verified_at, verify_ok) is all it may write.
state() {
    run_pt list --json </dev/null
    echo "$out" | json_eval 'json.dumps([{k: v for k, v in b.items() if not k.startswith("verif")} for b in d["backups"]], indent=1)' 2>/dev/null ||
        echo "$out"
    sha "$p/db.sqlite3"
    tree_state "$p/media"
    tree_state "$p/backups" | grep -v '^. \.poshtiban'
    ls -A "$p/backups/.poshtiban/tmp" 2>/dev/null
    ls "$p/backups/.poshtiban" 2>/dev/null | grep -c journal
}
last_log() { tail -n "${1:-1}" "$p/backups/.poshtiban/auto.log"; }

# --- env: every variable, the folder, stdin, no password
pt_ok settings set offsite.password_env MY_RESTIC_PW
pt_ok settings set hooks.before_backup "env >'$marks/before.env'; pwd >'$marks/before.pwd'; readlink /proc/self/fd/0 >'$marks/before.stdin'; cat; echo before-said"
pt_ok settings set hooks.after_backup "env >'$marks/after.env'"
MY_RESTIC_PW=pw-one-9d7 POSHTIBAN_SMTP_PASSWORD=pw-two-4k2 POSHTIBAN_RESTIC_PASSWORD=pw-three-7q1 \
    RESTIC_PASSWORD=pw-four-2m8 HOOK_TEST_OWN=kept new_backup --name first
first=$name
envof() { grep "^$2=" "$marks/$1.env" | head -1 | cut -d= -f2-; }
expect_eq "env: POSHTIBAN_OPERATION" backup "$(envof before POSHTIBAN_OPERATION)"
expect_eq "env: POSHTIBAN_HOOK" before_backup "$(envof before POSHTIBAN_HOOK)"
expect_eq "env: POSHTIBAN_BACKUP_NAME" first "$(envof before POSHTIBAN_BACKUP_NAME)"
expect_eq "env: POSHTIBAN_BACKUP_PATH" "$path" "$(envof before POSHTIBAN_BACKUP_PATH)"
expect_eq "env: POSHTIBAN_STATUS before" running "$(envof before POSHTIBAN_STATUS)"
expect_eq "env: POSHTIBAN_STATUS after" completed "$(envof after POSHTIBAN_STATUS)"
expect_eq "env: POSHTIBAN_HOOK after" after_backup "$(envof after POSHTIBAN_HOOK)"
expect_eq "env: POSHTIBAN_PROJECT" "$p" "$(envof before POSHTIBAN_PROJECT)"
expect_eq "env: POSHTIBAN_DATABASE" "$p/db.sqlite3" "$(envof before POSHTIBAN_DATABASE)"
expect_eq "env: POSHTIBAN_MEDIA" "$p/media" "$(envof before POSHTIBAN_MEDIA)"
expect_eq "env: the user's own variables pass" kept "$(envof before HOOK_TEST_OWN)"
expect_eq "env: runs in the project folder" "$p" "$(cat "$marks/before.pwd")"
expect_eq "env: stdin is /dev/null" /dev/null "$(cat "$marks/before.stdin")"
for secret in pw-one-9d7 pw-two-4k2 pw-three-7q1 pw-four-2m8; do
    check "env: no password reaches a hook ($secret)" bash -c "! grep -q '$secret' '$marks/before.env' '$marks/after.env'"
done
check "env: the hook's output is in auto.log" grep -q "first: hook before_backup: before-said" "$p/backups/.poshtiban/auto.log"
expect_eq "env: a hook that worked leaves no error" None "$(field first 'd["error"]')"

# --- before: a failing before-hook stops a backup, then a restore, with nothing changed
pt_ok settings set hooks.after_backup "echo \"\$POSHTIBAN_STATUS\" >'$marks/after-status'"
pt_ok settings set hooks.before_backup 'echo "lots of noise"; echo "maintenance mode is stuck" >&2; exit 3'
before=$(state)
run_pt create --name second </dev/null
expect_eq "before: create fails" 1 "$status"
case $err in *"hook before_backup failed with exit status 3: maintenance mode is stuck"*) ;;
    *) fail "before: the error line says the hook's last line: [$err]" ;; esac
expect_eq "before: nothing changed" "$before" "$(state)"
expect_eq "before: the after-hook still ran, told it failed" failed "$(cat "$marks/after-status")"
run_pt --json create </dev/null
expect_eq "before: create --json fails too" 1 "$status"
expect_eq "before: still nothing changed" "$before" "$(state)"
pt_ok settings set hooks.before_backup ''
pt_ok settings set hooks.after_backup ''

sqlite3 "$p/db.sqlite3" "INSERT INTO investor (name, share) VALUES ('after first', 0.1)"
printf 'new' >"$p/media/new.txt"
pt_ok settings set hooks.before_restore 'echo "site busy, not now"; exit 1'
pt_ok settings set hooks.after_restore "echo \"\$POSHTIBAN_OPERATION \$POSHTIBAN_STATUS \$POSHTIBAN_BACKUP_NAME\" >'$marks/after-restore'"
before=$(state)
run_pt restore first --yes </dev/null
expect_eq "before: restore fails" 1 "$status"
case $err in *"hook before_restore failed with exit status 1: site busy, not now"*) ;;
    *) fail "before: restore's error line says the hook's last line: [$err]" ;; esac
expect_eq "before: the restore changed nothing" "$before" "$(state)"
expect_eq "before: after_restore told it failed" "restore failed first" "$(cat "$marks/after-restore")"

# A restore whose hooks work: restored, and after_restore sees it done.
pt_ok settings set hooks.before_restore "echo \"\$POSHTIBAN_OPERATION \$POSHTIBAN_HOOK \$POSHTIBAN_BACKUP_PATH\" >'$marks/before-restore'"
pt_ok restore first --yes
expect_eq "env: before_restore's variables" "restore before_restore $p/backups/first" "$(cat "$marks/before-restore")"
expect_eq "env: after_restore's variables" "restore completed first" "$(cat "$marks/after-restore")"
expect_eq "env: the restore happened" 3 "$(sqlite3 "$p/db.sqlite3" 'SELECT count(*) FROM investor')"

# --- after: a failing after-hook changes nothing else and is said
pt_ok settings set hooks.before_restore ''
pt_ok settings set hooks.after_restore 'echo "migrate: no such table" >&2; exit 5'
pt_ok restore first --yes
case $out in *"Restored first."*"hook after_restore failed with exit status 5: migrate: no such table"*) ;;
    *) fail "after: restore's sentence says the hook failed: [$out]" ;; esac
pt_ok --json restore first --yes
expect_eq "after: restore --json has hook_error" "hook after_restore failed with exit status 5: migrate: no such table" \
    "$(echo "$out" | json_eval 'd["hook_error"]')"
pt_ok settings set hooks.after_restore ''

# Ping and mail sinks: a failing after_backup pings URL/fail and mails
# (notify.email.on failure) though the backup completed.
start_sink ping_sink.py "$scratch/pings" || exit 1
pt_ok settings set notify.ping_url "http://127.0.0.1:$sink_port/check"
start_sink smtp_sink.py "$scratch/smtp" || exit 1
pt_ok settings set notify.email.enabled true
pt_ok settings set notify.email.to ops@example.com
pt_ok settings set notify.smtp.url "smtp://127.0.0.1:$sink_port"
pt_ok settings set hooks.after_backup 'echo "could not leave maintenance"; exit 7'
new_backup --name third
expect_eq "after: the backup completed" completed "$(echo "$rec" | json_eval 'd["status"]')"
expect_eq "after: the record's error says the hook failed" "hook after_backup failed with exit status 7: could not leave maintenance" \
    "$(echo "$rec" | json_eval 'd["error"]')"
check "after: the backup is there" test -d "$p/backups/third"
pt_ok create --name fourth
case $out in *"Backup fourth completed"*"but hook after_backup failed with exit status 7: could not leave maintenance"*) ;;
    *) fail "after: create's sentence says the hook failed: [$out]" ;; esac
check "after: pinged URL/fail" grep -q '/check/fail' "$scratch/pings/requests"
check "after: never pinged success for it" bash -c "! grep -q '/check\$' '$scratch/pings/requests'"
expect_eq "after: one mail for each of the two backups" 2 "$(mails "$scratch/smtp")"
mail=$(ls "$scratch/smtp"/*.eml | head -1)
check "after: the mail says the hook failed" mail_eval "$mail" '"hook after_backup failed with exit status 7: could not leave maintenance" in body or sys.exit(1)'
pt_ok settings set notify.ping_url ''
pt_ok settings set notify.email.enabled false
pt_ok settings set hooks.after_backup ''

# --- timeout: a hook that hangs is stopped, with what it left in the background
pt_ok settings set hooks.timeout_seconds 2
pt_ok settings set hooks.before_backup "sleep 300 & echo \$! >'$marks/bg.pid'; echo started; sleep 300"
before=$(state)
t0=$(date +%s)
run_pt create --name hung </dev/null
t1=$(date +%s)
expect_eq "timeout: create fails" 1 "$status"
case $err in *"hook before_backup was stopped after 2 seconds (hooks.timeout_seconds): started"*) ;;
    *) fail "timeout: the error says it was stopped: [$err]" ;; esac
check "timeout: stopped near the limit, not after the hook's 300 s ($((t1 - t0)) s)" test $((t1 - t0)) -lt 30
sleep 0.5
# Stopped, or a zombie nobody reaps (a container's init may not).
bg_state=$(awk '/^State:/ {print $2}' "/proc/$(cat "$marks/bg.pid")/status" 2>/dev/null)
check "timeout: its background child was stopped too (state ${bg_state:-gone})" test "${bg_state:-Z}" = Z
expect_eq "timeout: nothing changed" "$before" "$(state)"
pt_ok settings set hooks.timeout_seconds 300

# --- bounded: a hook that prints a lot
pt_ok settings set hooks.before_backup "head -c 3000000 /dev/zero | tr '\\\\0' x; echo; seq 1 5000; echo the-very-end; exit 1"
log_before=$(wc -c <"$p/backups/.poshtiban/auto.log")
run_pt create --name loud </dev/null
expect_eq "bounded: create fails" 1 "$status"
case $err in *"exit status 1: the-very-end") ;; *) fail "bounded: the last line is said: [${err:0:300}]" ;; esac
log_after=$(wc -c <"$p/backups/.poshtiban/auto.log")
check "bounded: auto.log grew by at most 8 KiB ($((log_after - log_before)) bytes)" test $((log_after - log_before)) -lt 8192
check "bounded: auto.log has the last line" grep -q 'loud: hook before_backup: the-very-end' "$p/backups/.poshtiban/auto.log"
check "bounded: the error line is one line" test "$(printf '%s\n' "$err" | wc -l)" = 1
# Terminal escapes and bytes that are not UTF-8 in its last line reach no terminal and no log.
pt_ok settings set hooks.before_backup "printf 'clear\\033[2J\\033]0;title\\007 \\377 end\\n'; exit 1"
run_pt create --name escapes </dev/null
expect_eq "bounded: escapes: create fails" 1 "$status"
check "bounded: escapes: the error line holds no escape or control byte" \
    bash -c "! printf '%s' \"\$1\" | LC_ALL=C grep -q \$'[\\x01-\\x1f\\x7f]'" _ "$err"
check "bounded: escapes: auto.log holds no escape byte" bash -c "! LC_ALL=C grep -q \$'\\x1b' '$p/backups/.poshtiban/auto.log'"
case $err in *"end"*) ;; *) fail "bounded: escapes: the line is still said: [$err]" ;; esac
pt_ok settings set hooks.before_backup ''

# --- kill: killed while the before-hook runs, nothing changed
pt_ok settings set hooks.before_backup 'kill -9 $PPID; sleep 5'
before=$(state)
run_pt create --name killed </dev/null
expect_eq "kill: create was killed" 137 "$status"
expect_eq "kill: nothing changed" "$before" "$(state)"
pt_ok settings set hooks.before_backup ''
sqlite3 "$p/db.sqlite3" "INSERT INTO investor (name, share) VALUES ('kept', 0.1)"
pt_ok settings set hooks.before_restore 'kill -9 $PPID; sleep 5'
before=$(state)
run_pt restore first --yes </dev/null
expect_eq "kill: restore was killed" 137 "$status"
expect_eq "kill: the restore changed nothing" "$before" "$(state)"
pt_ok settings set hooks.before_restore ''

# --- auto: hooks run there too; a failing before-hook is a failed auto record
pt_ok settings set auto.enabled true
pt_ok settings set hooks.before_backup 'echo "auto said no"; exit 4'
n_before=$(run_pt list --json </dev/null; echo "$out" | json_eval 'd["total"]')
POSHTIBAN_TEST_NOW=2030-01-01T00:00:00Z run_pt auto </dev/null
expect_eq "auto: fails" 1 "$status"
run_pt list --json </dev/null
expect_eq "auto: one more record" $((n_before + 1)) "$(echo "$out" | json_eval 'd["total"]')"
expect_eq "auto: it is a failed auto backup saying why" "auto failed hook before_backup failed with exit status 4: auto said no" \
    "$(echo "$out" | json_eval '" ".join([d["backups"][0]["kind"], d["backups"][0]["status"], d["backups"][0]["error"]])')"
pt_ok settings set hooks.before_backup "echo \"\$POSHTIBAN_BACKUP_NAME\" >'$marks/auto-name'"
POSHTIBAN_TEST_NOW=2030-01-02T00:00:00Z run_pt auto </dev/null
expect_eq "auto: with a hook that works ($err)" 0 "$status"
run_pt list --json </dev/null
expect_eq "auto: the hook saw the auto backup's name" "$(echo "$out" | json_eval 'd["backups"][0]["name"]')" "$(cat "$marks/auto-name")"
pt_ok settings set auto.enabled false

# --- settings: bad values are refused and the stored one kept; doctor lists the hooks
for bad in 0 86401 -1 abc; do
    run_pt settings set hooks.timeout_seconds "$bad" </dev/null
    expect_eq "settings: timeout_seconds $bad refused" 2 "$status"
done
run_pt settings set hooks.before_backup "$(printf 'echo a\necho b')" </dev/null
expect_eq "settings: a command with a newline is refused" 2 "$status"
pt_ok settings get hooks.before_backup
expect_eq "settings: the stored hook is kept" "echo \"\$POSHTIBAN_BACKUP_NAME\" >'$marks/auto-name'" "$out"
pt_ok settings set hooks.after_restore 'python3 manage.py migrate'
pt_ok doctor
case $out in *"hooks.before_backup: "*"hooks.after_restore: python3 manage.py migrate"*) ;;
    *) fail "doctor: lists the hooks in force: [$out]" ;; esac
pt_ok --json doctor
expect_eq "doctor --json: hooks" "True None None python3 manage.py migrate 300" \
    "$(echo "$out" | json_eval '" ".join(str(x) for x in [d["hooks"]["before_backup"] is not None, d["hooks"]["after_backup"], d["hooks"]["before_restore"], d["hooks"]["after_restore"], d["hooks"]["timeout_seconds"]])')"

# --- pulled: a backup's settings.json never installs a hook
if command -v restic >/dev/null; then
    . "$(dirname "$0")/../lib/lib-offsite.sh"
    repo=$scratch/repo
    h=$scratch/hostile
    make_project "$h"
    pt_ok -C "$h" settings set offsite.repository "$repo"
    pt_ok -C "$h" offsite init
    pt_ok -C "$h" settings set hooks.before_backup "touch '$marks/own-hook'"
    pt_ok -C "$h" create --json --name forged
    fp=$(echo "$out" | json_eval 'd["path"]')
    expect_eq "pulled: a backup carries no hook of its own" "[]" \
        "$(json_eval '[k for k in d["settings"] if k.startswith("hooks.")]' <"$fp/settings.json")"
    chmod u+w "$fp" "$fp/settings.json" "$fp/SHA256SUMS" "$fp/backup_report.json"
    evil="touch '$marks/pwned'"
    "$PY" - "$fp" "$evil" <<'EOF'
import hashlib, json, os, sys
p, evil = sys.argv[1], sys.argv[2]
s = json.load(open(os.path.join(p, "settings.json")))
for k in ("before_backup", "after_backup", "before_restore", "after_restore"):
    s["settings"]["hooks." + k] = evil
s["settings"]["hooks.timeout_seconds"] = 86400
open(os.path.join(p, "settings.json"), "w").write(json.dumps(s))
def digest(path):
    return hashlib.sha256(open(os.path.join(p, path), "rb").read()).hexdigest()
r = json.load(open(os.path.join(p, "backup_report.json")))
for f in r["files"]:
    if f["path"] == "settings.json":
        f["size"], f["sha256"] = os.path.getsize(os.path.join(p, "settings.json")), digest("settings.json")
json.dump(r, open(os.path.join(p, "backup_report.json"), "w"), indent=2)
lines = []
for line in open(os.path.join(p, "SHA256SUMS")):
    path = line.rstrip("\n").split("  ", 1)[1]
    if path in ("settings.json", "backup_report.json"):
        line = digest(path) + "  " + path + "\n"
    lines.append(line)
open(os.path.join(p, "SHA256SUMS"), "w").writelines(lines)
EOF
    pt_ok -C "$h" settings set hooks.before_backup ''
    pt_ok -C "$h" verify forged
    pt_ok -C "$h" push forged
    for how in pull recover; do
        fresh=$scratch/fresh-$how
        mkdir -p "$fresh"
        if [ $how = pull ]; then
            run_pt -C "$fresh" pull latest --repository "$repo" </dev/null
        else
            run_pt -C "$fresh" recover --repository "$repo" </dev/null
        fi
        expect_eq "pulled: $how works ($err)" 0 "$status"
        for k in before_backup after_backup before_restore after_restore timeout_seconds; do
            expect_eq "pulled: $how refuses hooks.$k in one line" 1 "$(echo "$err" | grep -c "setting hooks.$k from")"
        done
        pt_ok -C "$fresh" --json doctor
        expect_eq "pulled: $how installed no hook" "None None None None 300" \
            "$(echo "$out" | json_eval '" ".join(str(d["hooks"][k]) for k in ["before_backup", "after_backup", "before_restore", "after_restore", "timeout_seconds"])')"
        pt_ok -C "$fresh" restore latest --yes
        pt_ok -C "$fresh" create
        check "pulled: $how: no forged hook ran" test ! -e "$marks/pwned"
    done
    check "pulled: the project's own hook ran once, at home" test -e "$marks/own-hook"
fi
finish
