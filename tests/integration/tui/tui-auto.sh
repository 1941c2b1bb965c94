#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The TUI's part of automation (issue 6): the settings pane installs and
# removes the cron line and shows its state, sends a test mail, the
# dashboard shows where backups live and when the next one is due, and an
# automatic backup due at start is offered.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"

fake_crontab
printf '# my own line\nMAILTO=me\n*/5 * * * * echo hi\n' >"$FAKE_CRONTAB"
mine=$(cat "$FAKE_CRONTAB")

proj=$scratch/proj
make_project "$proj"
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
pt create --name first >/dev/null || fail "create"
env_tui=(PATH="$scratch/bin:$PATH" FAKE_CRONTAB="$FAKE_CRONTAB")

# --- dashboard: storage verdict, automatic backups off ---
tui_start 80 24 "$proj" "${env_tui[@]}"
expect_screen "storage line" "B free"
expect_screen "automatic backups off" "off (auto.enabled"

# --- settings: cron line in and out, other lines untouched ---
keys 4
expect_screen "cron state" "no line for this project"
keys c
expect_screen "c asks before it edits the crontab" "Add a line to your crontab"
keys n
expect_screen "declined: crontab unchanged" "crontab unchanged"
expect_eq "declined: the user's own table as it was" "$mine" "$(cat "$FAKE_CRONTAB")"
keys c y
expect_screen "cron installed" "cron line installed"
grep -q "poshtiban-auto" "$FAKE_CRONTAB" || fail "the marked line is in the crontab"
grep -q " auto" "$FAKE_CRONTAB" || fail "the line runs auto"
expect_eq "the user's own lines kept" "$mine" "$(grep -v poshtiban "$FAKE_CRONTAB")"
expect_screen "state after install" "line installed"
keys c
expect_screen "c asks before it removes the line" "Remove this project's line"
keys y
expect_screen "cron removed" "cron line removed"
expect_eq "back to the user's own table" "$mine" "$(cat "$FAKE_CRONTAB")"

# --- test mail without a server: a clear message, nothing sent ---
keys m
expect_screen "test mail says what is missing" "notify.smtp.url is not set" 20
keys q
expect_eq "q exits 0" 0 "$(tui_exit)"

# --- m with Apprise set up: a test alert, said as the CLI says it ---
if command -v apprise >/dev/null; then
    mkdir -p "$scratch/json"
    "$PY" "$SOURCE_ROOT/tests/integration/lib/ping_sink.py" "$scratch/json" >/dev/null 2>&1 </dev/null &
    sink=$!
    for _ in $(seq 100); do [ -s "$scratch/json/port" ] && break; sleep 0.1; done
    printf 'json://127.0.0.1:%s/alerts/\n' "$(cat "$scratch/json/port")" >"$scratch/alerts.urls"
    chmod 600 "$scratch/alerts.urls"
    pt settings set notify.apprise.urls_file "$scratch/alerts.urls" >/dev/null || fail "set urls_file"
    pt settings set notify.apprise.enabled true >/dev/null || fail "enable apprise"
    tui_start 100 24 "$proj" "${env_tui[@]}"
    keys 4 m
    expect_screen "m sends a test alert" "Test alert sent through Apprise" 30
    expect_eq "the sink got it" 1 "$(wc -l <"$scratch/json/posts.jsonl" 2>/dev/null || echo 0)"
    keys q
    tui_exit >/dev/null
    kill "$sink"
    wait "$sink" 2>/dev/null
    pt settings set notify.apprise.enabled false >/dev/null
    pt settings set notify.apprise.urls_file "" >/dev/null
fi

# --- an automatic backup due at start is offered, and taken as kind auto ---
pt settings set auto.enabled true >/dev/null
tui_start 80 24 "$proj" "${env_tui[@]}"
expect_screen "the overdue backup is offered" "An automatic backup is due"
keys y
expect_screen "taken" "completed:" 60
expect_eq "one automatic backup" 1 "$(pt list --kind auto --json | json_eval 'd["total"]')"
expect_screen "next due time on the dashboard" "every 24 hours · next"
keys q
tui_exit >/dev/null
# Not due any more: no question this time.
tui_start 80 24 "$proj" "${env_tui[@]}"
expect_screen "dashboard" "in all"
sleep 0.5
screen | grep -q "An automatic backup is due" && fail "no offer when nothing is due"
keys q
expect_eq "q exits 0" 0 "$(tui_exit)"
finish
