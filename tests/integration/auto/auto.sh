#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 6, acceptance 1: `auto` with the test clock ($POSHTIBAN_TEST_NOW).
# Not due: no backup, the reason, exit 0. Due: exactly one backup of kind
# auto. Two at once: one backup. Three missed intervals: one catch-up.
# The preferred time of day (local time). Too little free space (a 2 MiB
# tmpfs): a failed record, nothing written, the failure mailed and pinged.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1

autos() { # autos: how many backups of kind auto, "TOTAL COMPLETED"
    run_pt list --kind auto --json </dev/null
    echo "$out" | json_eval '"%d %d" % (d["total"], sum(1 for r in d["backups"] if r["status"] == "completed"))'
}
auto_at() { # auto_at TIME [ARGS]: `auto --json` at TIME; sets out, err, status
    local when=$1
    shift
    out=$(POSHTIBAN_TEST_NOW=$when "$POSHTIBAN" auto --json "$@" </dev/null 2>"$scratch/stderr") && status=0 || status=$?
    err=$(cat "$scratch/stderr")
}
field_of() { echo "$out" | json_eval "$1"; }

# Too little free space: a 2 MiB tmpfs holds the backup root; the database is 3 MiB.
# Its own run (auto.sh free-space); the main run leaves it out.
if part_begins free-space; then
    small=$scratch/small
    try_mount "$small" -t tmpfs -o size=2m tmpfs || skip_part "cannot mount a tmpfs here"
    start_sink smtp_sink.py "$scratch/smtp" || exit 1
    smtp=$sink_port
    start_sink ping_sink.py "$scratch/ping" || exit 1
    ping=$sink_port
    tight=$scratch/tight
    mkdir -p "$tight"
    sqlite3 "$tight/db.sqlite3" "CREATE TABLE blob (id INTEGER PRIMARY KEY, b BLOB);
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
    INSERT INTO blob (b) SELECT randomblob(1000) FROM s;"
    tp() { run_pt -C "$tight" --backups "$small/backups" "$@" </dev/null; }
    for kv in "auto.enabled true" "notify.email.enabled true" "notify.email.to ops@example.com" \
        "notify.smtp.url smtp://127.0.0.1:$smtp" "notify.ping_url http://127.0.0.1:$ping/hc/x"; do
        # shellcheck disable=SC2086
        tp settings set $kv
        expect_eq "settings set $kv" 0 "$status"
    done
    out=$(POSHTIBAN_TEST_NOW=2026-12-20T10:00:00Z "$POSHTIBAN" -C "$tight" --backups "$small/backups" auto --json </dev/null 2>"$scratch/stderr") && status=0 || status=$?
    err=$(cat "$scratch/stderr")
    expect_eq "auto without space exits 1 ($err)" 1 "$status"
    case $err in *"free space"*) ;; *) fail "the error names the free space: [$err]" ;; esac
    expect_eq "a failed auto record" "auto failed" "$(field_of 'd["backup"]["kind"] + " " + d["backup"]["status"]')"
    case $(field_of 'd["backup"]["error"]') in *"free space"*"nothing was written"*) ;; *) fail "the record says why: $out" ;; esac
    tp list --json
    expect_eq "the catalog has exactly that failed record" "1 failed" "$(echo "$out" | json_eval '"%d %s" % (d["total"], d["backups"][0]["status"])')"
    expect_eq "no backup was written" "" "$(ls -A "$small/backups" | grep -v '^\.poshtiban$')"
    expect_eq "nothing in tmp" "" "$(ls -A "$small/backups/.poshtiban/tmp")"
    expect_eq "the failure was mailed" 1 "$(mails "$scratch/smtp")"
    case $(mail_eval "$scratch/smtp/001.eml" 'subject') in *FAILED*) ;; *) fail "the mail says FAILED: $(mail_eval "$scratch/smtp/001.eml" 'subject')" ;; esac
    case $(mail_eval "$scratch/smtp/001.eml" 'body') in *"free space"*) ;; *) fail "the mail says why" ;; esac
    expect_eq "pinged start then fail" "/hc/x/start /hc/x/fail" "$(tr '\n' ' ' <"$scratch/ping/requests" | sed 's/ $//')"
    finish
fi

# Off by default: nothing happens, and it says why.
auto_at 2026-11-26T10:00:00Z
expect_eq "auto while auto.enabled is false exits 0 ($err)" 0 "$status"
case $(field_of 'd["reason"]') in *auto.enabled*) ;; *) fail "the reason names auto.enabled: $out" ;; esac
expect_eq "no backup while off" "0 0" "$(autos)"
POSHTIBAN_TEST_NOW=2026-11-26T10:00:00Z run_pt auto </dev/null
case $out in *"not due"*) ;; *) fail "plain auto prints why nothing was due: [$out]" ;; esac

pt_ok settings set auto.enabled true
pt_ok settings set retention.auto_cleanup false

# The first one is due at once.
auto_at 2026-11-26T10:00:00Z
expect_eq "first auto exits 0 ($err)" 0 "$status"
expect_eq "first auto was due" True "$(field_of 'd["due"]')"
expect_eq "it made an auto backup" "auto completed" "$(field_of 'd["backup"]["kind"] + " " + d["backup"]["status"]')"
expect_eq "exactly one auto backup" "1 1" "$(autos)"

# An hour later: not due, the reason and the next time, no backup.
auto_at 2026-11-26T11:00:00Z
expect_eq "not due exits 0" 0 "$status"
expect_eq "not due" False "$(field_of 'd["due"]')"
expect_eq "no backup when not due" None "$(field_of 'd["backup"]')"
expect_eq "the next is a day after the first" 2026-11-27T10:00:00Z "$(field_of 'd["next_due_at"]')"
case $(field_of 'd["reason"]') in "not due: "*"2026-11-27 10:00"*) ;; *) fail "reason says when: $out" ;; esac
expect_eq "still one auto backup" "1 1" "$(autos)"
POSHTIBAN_TEST_NOW=2026-11-26T11:00:00Z run_pt auto </dev/null
expect_eq "text auto while not due exits 0" 0 "$status"
expect_eq "still one auto backup after the text auto" "1 1" "$(autos)"

# A manual backup does not reset the automatic schedule.
POSHTIBAN_TEST_NOW=2026-11-26T12:00:00Z pt_ok create
auto_at 2026-11-27T10:00:30Z
expect_eq "due after the interval" True "$(field_of 'd["due"]')"
expect_eq "two auto backups" "2 2" "$(autos)"

# Hourly; the machine was off for three intervals: one catch-up, not three.
pt_ok settings set auto.interval_hours 1
auto_at 2026-11-27T13:30:00Z
expect_eq "catch-up exits 0 ($err)" 0 "$status"
case $(field_of 'd["reason"]') in *"3 scheduled runs were missed"*"catches up"*) ;; *) fail "catch-up reason: $out" ;; esac
expect_eq "one catch-up backup" "3 3" "$(autos)"
auto_at 2026-11-27T13:31:00Z
expect_eq "no second catch-up" False "$(field_of 'd["due"]')"
auto_at 2026-11-27T14:00:00Z
expect_eq "not due before an interval after the catch-up" False "$(field_of 'd["due"]')"
expect_eq "still three" "3 3" "$(autos)"
auto_at 2026-11-27T14:30:00Z
expect_eq "due an interval after the catch-up" True "$(field_of 'd["due"]')"
expect_eq "four" "4 4" "$(autos)"

# Preferred time 03:00 daily.
pt_ok settings set auto.interval_hours 24
pt_ok settings set auto.time 03:00
auto_at 2026-11-28T02:59:00Z
expect_eq "not due before the preferred time" False "$(field_of 'd["due"]')"
expect_eq "due at the preferred time" 2026-11-28T03:00:00Z "$(field_of 'd["next_due_at"]')"
auto_at 2026-11-28T03:00:00Z
expect_eq "due at 03:00" True "$(field_of 'd["due"]')"
expect_eq "five" "5 5" "$(autos)"
auto_at 2026-11-28T12:00:00Z
expect_eq "not again that day" False "$(field_of 'd["due"]')"
# The preferred time is local time: 03:00 in Tehran (+03:30) is 23:30 UTC.
TZ='<+0330>-3:30' auto_at 2026-11-28T23:29:00Z
expect_eq "not due at 02:59 Tehran time" False "$(field_of 'd["due"]')"
expect_eq "next at 03:00 Tehran time" 2026-11-28T23:30:00Z "$(field_of 'd["next_due_at"]')"
TZ='<+0330>-3:30' auto_at 2026-11-28T23:30:00Z
expect_eq "due at 03:00 Tehran time" True "$(field_of 'd["due"]')"
expect_eq "six" "6 6" "$(autos)"
pt_ok settings set auto.time ""

# auto.log stays small: past 1 MiB only its last 256 KiB stay, whole lines.
log=backups/.poshtiban/auto.log
"$PY" -c 'import sys; open(sys.argv[1], "a").write("".join("old line %07d\n" % i for i in range(80000)))' "$log"
auto_at 2026-11-28T23:31:00Z
size=$(stat -c %s "$log")
check "auto.log was cut to its end ($size bytes)" test "$size" -le $((256 * 1024)) -a "$size" -gt $((200 * 1024))
expect_eq "auto.log keeps whole lines, the newest last" "old line 0079999" "$(tail -n 1 "$log")"
case $(head -n 1 "$log") in "old line "???????) ;; *) fail "auto.log starts on a whole line: [$(head -n 1 "$log")]" ;; esac

# Two at once: one backup. Big enough to take about a second.
sqlite3 db.sqlite3 "CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT, payload TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 150000)
INSERT INTO item (label, payload) SELECT 'ردیف ' || i, hex(randomblob(50)) FROM s;"
hit=0
day=1
for attempt in 1 2 3 4 5 6; do
    day=$((day + 1))
    when=2026-12-0${day}T12:00:00Z
    read -r before _ <<<"$(autos)"
    POSHTIBAN_TEST_NOW=$when "$POSHTIBAN" auto </dev/null >"$scratch/o1" 2>"$scratch/e1" &
    p1=$!
    POSHTIBAN_TEST_NOW=$when "$POSHTIBAN" auto </dev/null >"$scratch/o2" 2>"$scratch/e2" &
    p2=$!
    s1=0 s2=0
    wait "$p1" || s1=$?
    wait "$p2" || s2=$?
    read -r after completed <<<"$(autos)"
    expect_eq "attempt $attempt: two autos at once made exactly one backup" "$((before + 1))" "$after"
    expect_eq "attempt $attempt: and it completed" "$after" "$completed"
    if [ "$s1" = 0 ] && [ "$s2" = 0 ]; then
        echo "note: attempt $attempt: the two autos did not overlap (the second found nothing due)" >&2
        continue
    fi
    hit=1
    if [ "$s1" = 0 ]; then ls=$s2 loser=2; else ls=$s1 loser=1; fi
    expect_eq "the other auto exits 3 (busy)" 3 "$ls"
    case $(cat "$scratch/e$loser") in poshtiban:*busy*) ;; *) fail "the loser says busy: $(cat "$scratch/e$loser")" ;; esac
    break
done
check "two autos overlapped in one of the attempts" test "$hit" = 1
expect_eq "nothing left in tmp" "" "$(ls -A backups/.poshtiban/tmp)"
finish
