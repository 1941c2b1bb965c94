#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# An uninstalled build speaks Persian with the catalogs meson built beside
# it, with no variable to point at them; a binary with no catalog to be
# found says so in one English line and carries on in English.
. "$(dirname "$0")/../lib/lib.sh"
unset POSHTIBAN_LOCALEDIR LANGUAGE LC_ALL LC_MESSAGES LANG
proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
run_pt create </dev/null
expect_eq "create ($err)" 0 "$status"

run_pt --lang fa stats </dev/null
expect_eq "stats in Persian exits 0 ($err)" 0 "$status"
case $out in *"پشتیبان‌ها"*"کامل‌شده"*) ;; *) fail "Persian words from the build tree's catalog: [$out]" ;; esac
expect_eq "nothing on stderr when the catalog is found" "" "$err"
run_pt --lang en stats </dev/null
case $out in *"Backups: 1 (1 completed"*) ;; *) fail "English stays English: [$out]" ;; esac

# The same binary away from its build tree: no catalog anywhere it looks.
mkdir -p "$scratch/elsewhere"
cp "$POSHTIBAN" "$scratch/elsewhere/poshtiban"
out=$("$scratch/elsewhere/poshtiban" --lang fa stats </dev/null 2>"$scratch/stderr") && status=0 || status=$?
err=$(cat "$scratch/stderr")
expect_eq "stats without a catalog still exits 0" 0 "$status"
expect_eq "one line on stderr" 1 "$(printf '%s\n' "$err" | grep -c .)"
case $err in "poshtiban: Persian translations not found in "*"; messages stay in English") ;;
    *) fail "the missing catalog is said in English: [$err]" ;; esac
case $out in *"completed"*) ;; *) fail "and the output is English: [$out]" ;; esac
# English asked for: no such line.
"$scratch/elsewhere/poshtiban" --lang en stats </dev/null >/dev/null 2>"$scratch/stderr"
expect_eq "no warning in English" "" "$(cat "$scratch/stderr")"
# POSHTIBAN_LOCALEDIR points the moved binary at a catalog.
locales=$(cd "$(dirname "$POSHTIBAN")/../.." && pwd)/po
out=$(POSHTIBAN_LOCALEDIR=$locales "$scratch/elsewhere/poshtiban" --lang fa stats </dev/null 2>&1)
case $out in *"پشتیبان‌ها"*) ;; *) fail "POSHTIBAN_LOCALEDIR is honoured: [$out]" ;; esac
finish
