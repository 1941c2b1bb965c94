#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A damaged catalog never stops backups silently. The next command moves it
# aside (catalog.sqlite3.damaged-<time>), rebuilds it from the backups'
# reports with every setting still readable, and says so; a catalog whose
# settings are lost makes `auto` fail loudly instead of reading "off".
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
cat=backups/.poshtiban/catalog.sqlite3
setup_catalog() {
    rm -rf backups
    pt_ok settings set retention.auto_cleanup false
    pt_ok settings set retention.max_backups 7
    POSHTIBAN_TEST_NOW=2026-11-20T10:00:00Z pt_ok create --name one
    POSHTIBAN_TEST_NOW=2026-11-21T10:00:00Z pt_ok create --name two --format zip
}
backups_listed() { run_pt list --json </dev/null; echo "$out" | json_eval '" ".join(sorted(r["name"] for r in d["backups"]))'; }
damaged_copies() { ls backups/.poshtiban/ | grep -c '^catalog.sqlite3.damaged-'; }

for kind in truncated garbage page; do
    setup_catalog
    case $kind in
        truncated) truncate -s 3000 "$cat" ;;
        garbage) head -c 40000 /dev/urandom >"$cat" ;;
        page) # the page that holds the backups table
            page=$(sqlite3 "$cat" "SELECT rootpage FROM sqlite_master WHERE name = 'backups'")
            size=$(sqlite3 "$cat" "PRAGMA page_size")
            head -c "$size" /dev/urandom | dd of="$cat" bs="$size" seek=$((page - 1)) conv=notrunc status=none ;;
    esac
    run_pt create --name three </dev/null
    expect_eq "$kind: create goes on ($err)" 0 "$status"
    case $err in *"is damaged"*"moved aside"*"rebuilt from the reports of 2 backups"*) ;;
        *) fail "$kind: one line says what happened: [$err]" ;; esac
    case $err in *'\x'[0-9a-f][0-9a-f]*) fail "$kind: the notice shows no escaped bytes: [$err]" ;; esac
    expect_eq "$kind: the notice is one line" 1 "$(printf '%s\n' "$err" | grep -c .)"
    expect_eq "$kind: the damaged file is kept aside" 1 "$(damaged_copies)"
    expect_eq "$kind: every backup is listed again" "one three two" "$(backups_listed)"
    run_pt reindex </dev/null
    expect_eq "$kind: reindex works ($err)" 0 "$status"
    grep -q "moved aside" backups/.poshtiban/auto.log || fail "$kind: auto.log keeps the notice"
done
run_pt settings get retention.max_backups </dev/null
expect_eq "page: the settings were recovered" 7 "$out"

# The page holding the settings: auto must not read "off".
setup_catalog
pt_ok settings set auto.enabled true
page=$(sqlite3 "$cat" "SELECT rootpage FROM sqlite_master WHERE name = 'settings'")
size=$(sqlite3 "$cat" "PRAGMA page_size")
head -c "$size" /dev/urandom | dd of="$cat" bs="$size" seek=$((page - 1)) conv=notrunc status=none
POSHTIBAN_TEST_NOW=2026-11-22T10:00:00Z run_pt auto </dev/null
expect_eq "settings lost: auto exits 1 ($out)" 1 "$status"
case $err in *"automatic backups are stopped"*"settings list"*) ;; *) fail "settings lost: auto says why: [$err]" ;; esac
case $out in *"not due"*) fail "settings lost: auto must not say 'not due': [$out]" ;; esac
POSHTIBAN_TEST_NOW=2026-11-22T10:05:00Z run_pt auto </dev/null
expect_eq "settings lost: and again, until the settings are seen to" 1 "$status"
pt_ok settings set auto.enabled true
POSHTIBAN_TEST_NOW=2026-11-22T10:10:00Z run_pt auto --json </dev/null
expect_eq "settings set again: auto runs ($err)" 0 "$status"
expect_eq "settings set again: the backup is due and taken" True "$(echo "$out" | json_eval 'd["due"]')"
finish
