#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Bad input gets one clear line on stderr, the documented exit code, and changes nothing.
. "$(dirname "$0")/../lib/lib.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
run_pt create --json
first=$(echo "$out" | json_eval 'd["path"]')
run_pt list --json
catalog_before=$out

# expect_refusal DESCRIPTION EXIT-CODE WORD-IN-MESSAGE ARGS...
expect_refusal() {
    local what=$1 code=$2 word=$3
    shift 3
    run_pt "$@"
    expect_eq "$what: exit status" "$code" "$status"
    expect_eq "$what: nothing on stdout" "" "$out"
    expect_eq "$what: one line on stderr" 1 "$(printf '%s\n' "$err" | wc -l)"
    case $err in
        "poshtiban: "*"$word"*) ;;
        *) fail "$what: message should name \"$word\": $err" ;;
    esac
}

expect_refusal "missing source database" 2 "nope.sqlite3" create --database nope.sqlite3
printf 'just some text, not a database at all......' >notdb.sqlite3
expect_refusal "not a SQLite file" 2 "not a SQLite database" create --database notdb.sqlite3
head -c 4096 /dev/urandom >random.bin
expect_refusal "random bytes" 2 "not a SQLite database" create --database random.bin
expect_refusal "database is a folder" 2 "media" create --database media
touch afile
expect_refusal "backup root is a file" 2 "afile" create --backups afile
expect_refusal "negative retention" 2 "retention.max_backups" settings set retention.max_backups -3
expect_refusal "retention zero" 2 "1 to 10000" settings set retention.max_backups 0
expect_refusal "unknown setting" 2 "retention.maximum" settings set retention.maximum 3
expect_refusal "unknown setting get" 2 "no.such" settings get no.such
expect_refusal "unknown command" 2 "frobnicate" frobnicate
expect_refusal "unknown option" 2 "--frob" list --frob
expect_refusal "bad status filter" 2 "--status" list --status sideways
expect_refusal "bad kind" 2 "--kind" create --kind weekly
expect_refusal "bad format" 2 "rar" create --format rar
expect_refusal "no such backup" 2 "backup_19990101_000000" show backup_19990101_000000
expect_refusal "bad name" 2 "../x" create --name ../x
# Names that read as another name, or as nothing (issue 21, Why 6).
expect_refusal "name with a right-to-left override" 2 "not allowed" create --name "$(printf 'x\u202egpj.exe')"
expect_refusal "name with a C1 control" 2 "not allowed" create --name "$(printf 'x\xc2\x85y')"
expect_refusal "name with a leading BOM" 2 "not allowed" create --name "$(printf '\xef\xbb\xbfname')"
expect_refusal "name of spaces only" 2 "not allowed" create --name "   "
expect_refusal "name of a lone RLM" 2 "not allowed" create --name "$(printf '\u200f')"
expect_refusal "-C a file" 2 "is a file, not a folder" -C afile list
case $err in *"Invalid argument"*) fail "-C a file says what is wrong, not strerror: $err" ;; esac
# An unknown terminal: a line of ours, not ncurses' own, and no leak on the way out.
TERM=no-such-terminal script -qec "$POSHTIBAN" /dev/null </dev/null >"$scratch/term.out" 2>&1
expect_eq "unknown TERM: exit" 2 "$?"
tr -d '\r' <"$scratch/term.out" >"$scratch/term.txt"
expect_eq "unknown TERM: one line" 1 "$(grep -c . "$scratch/term.txt")"
grep -q '^poshtiban: .*"no-such-terminal" (TERM)' "$scratch/term.txt" ||
    fail "unknown TERM: poshtiban names the terminal: $(cat "$scratch/term.txt")"
expect_refusal "missing -C folder" 2 "no-such-dir" -C no-such-dir list
expect_refusal "bad --lang" 2 "xx" --lang xx list

# An unwritable backup root: permissions stop everyone but root, so drop to nobody.
ro=$scratch/ro
mkdir -p "$ro/backups"
cp db.sqlite3 "$ro/"
chmod 0555 "$ro/backups"
chmod 0755 "$scratch" "$ro"
chmod 0644 "$ro/db.sqlite3"
if [ "$(id -u)" = 0 ]; then
    as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
    as_user() { "$@"; }
fi
binary_dir=$(dirname "$POSHTIBAN")
if as_user test -x "$POSHTIBAN" && as_user test -r "$ro/db.sqlite3"; then
    status=0
    err=$(cd "$ro" && as_user "$POSHTIBAN" create 2>&1 >/dev/null) || status=$?
    expect_eq "unwritable backup root: exit status" 1 "$status"
    expect_eq "unwritable backup root: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
    case $err in *"backups"*) ;; *) fail "unwritable backup root: message names it: $err" ;; esac
    expect_eq "unwritable backup root: nothing written" "" "$(ls -A "$ro/backups")"
else
    echo "note: $binary_dir is not reachable by an unprivileged user; unwritable-root case not run" >&2
fi

# Nothing above changed the catalog, the earlier backup or the settings.
run_pt list --json
expect_eq "catalog unchanged" "$catalog_before" "$out"
check "earlier backup still verifies" bash -c "cd '$first' && sha256sum --quiet -c SHA256SUMS"
run_pt settings get retention.max_backups
expect_eq "setting kept" "10" "$out"
check "no leftovers in tmp" test -z "$(ls -A backups/.poshtiban/tmp)"
finish
