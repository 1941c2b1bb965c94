#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Persian end to end (issue 5): every pane in Persian, mirrored, with Jalali
# dates and Persian digits, at 80x24, in C.UTF-8 only; presentation forms on
# screen when poshtiban reorders (app), logical letters when the terminal does.
# The CLI in Persian too, in logical order when piped.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"
# The translations meson built beside the binary, which it finds on its own.
locales=$(cd "$(dirname "$POSHTIBAN")/../.." && pwd)/po
check "the Persian catalog is built" test -f "$locales/fa/LC_MESSAGES/poshtiban.mo"

proj=$scratch/proj
make_project "$proj"
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
POSHTIBAN_TEST_NOW=2026-11-26T11:06:18Z pt create >/dev/null || fail "create"
name=backup_20261126_110618

# What a screen holds: logical Arabic-script letters, presentation forms, Persian digits.
letters() { "$PY" -c '
import sys
t = sys.stdin.read()
# Letters only: marks (hamza above) and separators (٫ ٬) have no presentation forms.
logical = sum(1 for c in t if "\u0621" <= c <= "\u063a" or "\u0641" <= c <= "\u064a"
              or "\u0671" <= c <= "\u06d3")
forms = sum(1 for c in t if "\ufb50" <= c <= "\ufeff")
digits = sum(1 for c in t if "\u06f0" <= c <= "\u06f9")
print(logical, forms, digits)'; }

# --- the CLI, piped: Persian, logical order, Jalali dates, Persian digits ---
out=$(LANGUAGE=fa LANG=C.UTF-8 pt list 2>&1)
case $out in *"نام"*"۱۴۰۵/۰۹/۰۵ ۱۱:۰۶"*) ;; *) fail "list in Persian with a Jalali date: $out" ;; esac
set -- $(printf '%s' "$out" | letters)
check "piped CLI output is in logical order (no presentation forms)" test "$2" -eq 0
err=$(pt --lang fa settings set retention.max_backups -3 2>&1 >/dev/null)
case $err in *"retention.max_backups"*"۱۰٬۰۰۰"*) ;; *) fail "the error in Persian, with Persian digits: $err" ;; esac
report=$(pt --lang fa report "$name")
case $report in *"پنجشنبه ۵ آذر ۱۴۰۵"*) ;; *) fail "report --lang fa tells the date in the Jalali calendar: $report" ;; esac
report_en=$(pt --lang en report "$name")
case $report_en in *"Thursday 26 November 2026"*) ;; *) fail "report --lang en: $report_en" ;; esac
json=$(pt --lang fa list --json)
case $json in *"2026-11-26T11:06:18Z"*) ;; *) fail "JSON keeps ISO 8601 and ASCII digits: $json" ;; esac

# --- the TUI with the terminal doing BiDi: logical letters, laid out right to left ---
pt settings set ui.bidi terminal >/dev/null
tui_start 80 24 "$proj" LANGUAGE=fa LANG=C.UTF-8 TERM=xterm-256color
expect_screen "dashboard tab in Persian" "پیشخوان"
expect_screen "dashboard label" "پشتیبان‌ها"
expect_screen "last good backup" "$name"
# Right-aligned: the label column sits at the right edge.
line=$(screen | grep -F "در مجموع" | head -n 1 | sed 's/ *$//')
case $line in *"پشتیبان‌ها") ;; *) fail "labels are on the right: [$line]" ;; esac
# No middle dot between figures: beside Persian digits it reads as a zero (۰).
case $(screen) in *"·"*) fail "the Persian dashboard separates with a middle dot: [$line]" ;; esac
set -- $(screen | letters)
check "terminal mode: logical letters on screen ($1)" test "$1" -gt 20
expect_eq "terminal mode: no presentation forms" 0 "$2"
check "Persian digits on the dashboard ($3)" test "$3" -gt 3
keys 2
expect_screen "list header in Persian" "نام"
expect_screen "the whole Jalali date and time in its column" "۱۴۰۵/۰۹/۰۵ ۱۱:۰۶"
expect_screen "the name whole in its column" "$name"
row=$(screen | grep -F "$name" | sed 's/ *$//')
case $row in *"۱") ;; *) fail "the id column is the rightmost: [$row]" ;; esac
screen | grep -q '[0-9]\{4\}-[0-9][0-9]-' && fail "no Gregorian ISO date in the Persian list"
keys Enter
expect_screen "detail in Persian" "جزئیات"
expect_screen "detail: the Jalali date in long form" "پنجشنبه ۵ آذر ۱۴۰۵"
keys 4
expect_screen "settings in Persian" "تنظیمات"
expect_screen "setting keys stay as they are" "retention.max_backups"
keys '?'
expect_screen "help in Persian" "راهنما"
keys x q
expect_eq "q exits 0" 0 "$(tui_exit)"

# --- the TUI with poshtiban doing BiDi (xterm, VS Code…): presentation forms ---
pt settings set ui.bidi app >/dev/null
tui_start 80 24 "$proj" LANGUAGE=fa LANG=C.UTF-8 TERM=xterm-256color
expect_screen "app mode: the dashboard" "$name"
sleep 0.3
set -- $(screen | letters)
check "app mode: presentation forms on screen ($2)" test "$2" -gt 20
expect_eq "app mode: no logical letters left" 0 "$1"
keys 2
expect_screen "app mode: Jalali date in the list" "۱۴۰۵/۰۹/۰۵"
expect_screen "app mode: the name unscrambled" "$name"
keys q
expect_eq "q exits 0" 0 "$(tui_exit)"
finish
