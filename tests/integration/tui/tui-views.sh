#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# What users see (issue 12), in the real TUI in tmux at 80x24, 100x30 and
# 132x43, in English and in Persian:
# - the dashboard's storage verdict is whole, wrapped over as many lines as
#   it needs (the sentence `doctor --json` gives, in a codespace whose
#   backups would die with the container);
# - the dashboard says when automatic backups are on but no crontab line
#   runs them;
# - r in the List opens the restore preview, which names every table with
#   its rows now and after, and the media files added, changed and removed;
#   n leaves everything as it was; y restores (once, at 80x24);
# - Esc during a backup records it `cancelled`: no /fail ping, no mail.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"
. "$(dirname "$0")/../lib/tmux.sh"
trap 'tmux -S "$tmux_socket" kill-server 2>/dev/null; stop_everything' EXIT
unset LANGUAGE LANG CODESPACE_NAME GITHUB_REPOSITORY CODESPACE_VSCODE_FOLDER
export LC_ALL=C.UTF-8 TZ=UTC

# crontab(1) as a file, empty: no line runs `auto`.
fake_crontab

proj=$scratch/proj
make_project "$proj"
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
POSHTIBAN_TEST_NOW=2026-11-26T11:06:18Z pt create --name before >/dev/null || fail "create"
pt settings set auto.enabled true >/dev/null
# What the restore preview must name: a table that changes, files added, changed and removed.
sqlite3 "$proj/db.sqlite3" "DELETE FROM unit WHERE id > 400; CREATE TABLE extra (id INTEGER);"
echo "new" >"$proj/media/added-later.txt"
printf 'changed' >"$proj/media/docs/contract.txt"
head -c 1000 /dev/urandom >"$proj/media/photo.bin"
rm -f "$proj/media/photo.bin"
mkdir -p "$proj/media/invoices"
printf 'فاکتور' >"$proj/media/invoices/فاکتور-خانه‌ها.txt"

# Screen text without the isolates a terminal does not show, and without spaces.
squeeze() { "$PY" -c '
import re, sys, unicodedata
t = unicodedata.normalize("NFKC", sys.stdin.read())
print(re.sub(r"[\s\u2066-\u2069\u200e\u200f]", "", t))'; }

# The rows of the dashboard's Storage line: from its label to the next label.
storage_rows() { # storage_rows LABEL NEXT-LABEL
    screen | awk -v a="$1" -v b="$2" 'index($0, a) { on = 1 } on && index($0, b) { exit } on'
}

# A Persian file name among the media, as a terminal that does no BiDi must show it
# (poshtiban reorders: letters right to left, joined, inside a name that reads left to right),
# and as one that does BiDi gets it (logical order).
persian_visual="invoices/$("$PY" -c 'print("فاکتور-خانهها"[::-1])').txt"
persian_logical="invoices/فاکتور-خانه‌ها.txt"
for mode in "en auto" "fa terminal" "fa app"; do
    set -- $mode
    lang=$1
    pt settings set ui.bidi "$2" >/dev/null
    if [ "$lang" = en ]; then
        storage=Storage automatic=Automatic due="Take it now"
        ui=(LANGUAGE=en)
    else
        storage="فضای دیسک" automatic=خودکار due="همین حالا"
        ui=(LANGUAGE=fa LANG=fa_IR.UTF-8)
    fi
    if [ "$2" = terminal ]; then persian_name=$persian_logical; else persian_name=$persian_visual; fi
    verdict=$(env "${ui[@]}" CODESPACES=true "$POSHTIBAN" -C "$proj" --lang "$lang" doctor --json |
        json_eval 'd["storage"]["verdict"]')
    [ -n "$verdict" ] || fail "$lang: doctor --json gives the verdict"
    for size in "80 24" "100 30" "132 43"; do
        set -- $size
        at="$mode $1x$2"
        tui_start "$1" "$2" "$proj" "${ui[@]}" CODESPACES=true \
            FAKE_CRONTAB="$scratch/crontab" PATH="$scratch/bin:$PATH"
        # The overdue automatic backup is offered first: not now.
        [ "$mode" = "fa app" ] || expect_screen "$at: the overdue backup is offered" "$due"
        [ "$mode" != "fa app" ] || sleep 2
        keys n
        [ "$mode" = "fa app" ] || wait_gone "$due" 10 || fail "$at: n closes the question"
        # The screen in logical order: the verdict whole, over as many lines as it takes.
        if [ "$mode" != "fa app" ]; then
            expect_screen "$at: dashboard" "$storage"
            rows=$(storage_rows "$storage" "$automatic" | sed "s|$storage||" | squeeze)
            want=$(printf '%s' "$verdict" | squeeze)
            case $rows in *"$want"*) ;; *) fail "$at: the storage verdict is whole: want [$verdict], screen: $(storage_rows "$storage" "$automatic")" ;; esac
        fi
        # Automatic backups on, and nothing to run them.
        [ "$lang" = en ] && expect_screen "$at: automatic backups that nothing runs" "NOTHING runs them"

        # r in the List: the preview names tables and files; n changes nothing.
        keys 2
        wait_for before 10 || fail "$at: the list shows the backup"
        keys End r
        expect_screen "$at: the restore preview" "contract.txt" 30
        preview=$(screen)
        for want in investor unit added-later.txt photo.bin; do
            case $preview in *"$want"*) ;; *) fail "$at: the preview names $want: $preview" ;; esac
        done
        printf '%s\n' "$preview" | grep -qE '(400|۴۰۰) +(→|←) +(500|۵۰۰)|(500|۵۰۰) +(←|→) +(400|۴۰۰)' ||
            fail "$at: unit's rows now and after: $preview"
        printf '%s' "$preview" | squeeze | grep -qF "$persian_name" ||
            fail "$at: a Persian file name whole: want [$persian_name]: $preview"
        keys n
        wait_gone "contract.txt" 10 || fail "$at: n closes the preview"
        expect_eq "$at: n restores nothing" 400 "$(sqlite3 "$proj/db.sqlite3" 'SELECT count(*) FROM unit')"
        keys q
        expect_eq "$at: quit" 0 "$(tui_exit)"
    done
done
pt settings set ui.bidi auto >/dev/null

# --- y restores, from the List; the undo backup is named ---
tui_start 80 24 "$proj" LANGUAGE=en
wait_for "Storage" 10
if screen | grep -q 'Take it now'; then keys n; fi
keys 2
wait_for before 10
keys End r
expect_screen "the preview again" "contract.txt" 30
keys y
expect_screen "restored from the List" "To undo, restore pre_restore_" 60
expect_eq "the database is the backup's again" 500 "$(sqlite3 "$proj/db.sqlite3" 'SELECT count(*) FROM unit')"
check "the media are the backup's again" test ! -e "$proj/media/added-later.txt"
keys q
expect_eq "quit" 0 "$(tui_exit)"

# --- Esc during a backup: cancelled, no /fail ping, no mail (notify.email.on always) ---
start_sink smtp_sink.py "$scratch/smtp" || exit 1
smtp=$sink_port
start_sink ping_sink.py "$scratch/ping" || exit 1
ping=$sink_port
pt settings set notify.email.enabled true >/dev/null
pt settings set notify.email.on always >/dev/null
pt settings set notify.email.to ops@example.com >/dev/null
pt settings set notify.smtp.url "smtp://127.0.0.1:$smtp" >/dev/null
pt settings set notify.ping_url "http://127.0.0.1:$ping/hc/abc/" >/dev/null
pt settings set auto.enabled false >/dev/null
sqlite3 "$proj/db.sqlite3" "CREATE TABLE heavy (id INTEGER PRIMARY KEY, data BLOB);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 150000)
INSERT INTO heavy (data) SELECT randomblob(2000) FROM s;"
for lang in en fa; do
    : >"$scratch/ping/requests"
    mails_before=$(mails "$scratch/smtp")
    tui_start 100 30 "$proj" LANGUAGE=$lang LANG=C.UTF-8
    sleep 1
    keys n
    wait_for "Esc" 30 || fail "$lang: the progress box"
    sleep 0.3
    keys Escape
    # The record, not the screen, says it: the message is in either language.
    for _ in $(seq 200); do
        [ "$(pt list --json | json_eval 'd["backups"][0]["status"]')" = cancelled ] && break
        sleep 0.1
    done
    expect_eq "$lang: Esc records the backup cancelled, with no error" "cancelled None" \
        "$(pt list --json | json_eval '"%s %s" % (d["backups"][0]["status"], d["backups"][0]["error"])')"
    keys q
    tui_exit >/dev/null
    expect_eq "$lang: the start ping only, no /fail" "/hc/abc/start" \
        "$(tr '\n' ' ' <"$scratch/ping/requests" | sed 's/ $//')"
    expect_eq "$lang: no mail for a cancel" "$mails_before" "$(mails "$scratch/smtp")"
done
expect_eq "a cancel is not counted failed" 0 "$(pt stats --json | json_eval 'd["backups"]["failed"]')"
finish
