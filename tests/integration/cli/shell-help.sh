#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# README "Help and completion": `poshtiban help CMD`, `CMD --help` and
# `CMD -h` print the same page (usage, every option with its meaning, an
# example), made from the command table the parser reads; `--help` is a
# short overview; every line of all of them fits 80 columns in English and
# in Persian, piped and through the BiDi filter on a terminal. The man
# page's command list is the table's. help of an unknown command is one
# line and exit 2; help needs no project and writes nothing.
. "$(dirname "$0")/../lib/lib.sh"
command -v script >/dev/null || { echo "script (util-linux) is not installed" >&2; exit 1; }
command -v msgfmt >/dev/null || { echo "msgfmt (gettext) is not installed" >&2; exit 1; }
unset LANGUAGE LC_ALL NO_COLOR KONSOLE_VERSION MLTERM
export LANG=C.UTF-8 TERM=xterm-256color

# The Persian catalog from the sources: fa.po and, before the lead merges
# them, the helpers' po/pending-*.po (PO files with no header).
loc=$scratch/locale
mkdir -p "$loc/fa/LC_MESSAGES"
pos=("$SOURCE_ROOT/po/fa.po")
for p in "$SOURCE_ROOT"/po/pending-*.po; do
    [ -f "$p" ] || continue
    { printf 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'; cat "$p"; } \
        >"$scratch/$(basename "$p")"
    pos+=("$scratch/$(basename "$p")")
done
msgcat --use-first "${pos[@]}" -o "$scratch/fa.po" || fail "the Persian messages merge"
msgfmt -o "$loc/fa/LC_MESSAGES/poshtiban.mo" "$scratch/fa.po" || fail "the Persian catalog compiles"
export POSHTIBAN_LOCALEDIR=$loc

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1

# too_wide FILE: each line wider than 80 columns, as a terminal counts them
# (wcwidth: wide and fullwidth 2, combining marks and format characters 0).
too_wide() {
    "$PY" - "$1" <<'PY'
import re, sys, unicodedata
text = open(sys.argv[1], encoding="utf-8").read()
text = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "", text).replace("\r", "")
def width(line):
    w = 0
    for c in line:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return w
for line in text.split("\n"):
    if width(line) > 80:
        print("%d columns: [%s]" % (width(line), line))
PY
}
# persian FILE: how many Persian letters it holds.
persian() { "$PY" -c 'import sys; print(sum(1 for c in open(sys.argv[1], encoding="utf-8").read() if "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff"))' "$1"; }

commands=$("$POSHTIBAN" __complete "")
expect_eq "__complete lists the commands" 0 "$?"
for c in create restore settings offsite help; do
    printf '%s\n' "$commands" | grep -qx "$c" || fail "the command list has $c: [$commands]"
done

# Every command's page, three ways, in both languages: the same page, 80 columns.
for lang in en fa; do
    for c in $commands; do
        "$POSHTIBAN" --lang "$lang" help "$c" >"$scratch/help" 2>"$scratch/err" || fail "$lang help $c exits 0"
        "$POSHTIBAN" --lang "$lang" "$c" --help >"$scratch/dash" 2>>"$scratch/err" || fail "$lang $c --help exits 0"
        "$POSHTIBAN" --lang "$lang" "$c" -h >"$scratch/h" 2>>"$scratch/err" || fail "$lang $c -h exits 0"
        expect_eq "$lang help $c: nothing on stderr" "" "$(cat "$scratch/err")"
        check "$lang: $c --help is help $c" cmp -s "$scratch/help" "$scratch/dash"
        check "$lang: $c -h is help $c" cmp -s "$scratch/help" "$scratch/h"
        expect_eq "$lang help $c fits 80 columns" "" "$(too_wide "$scratch/help")"
        grep -q "poshtiban $c" "$scratch/help" || fail "$lang help $c has its usage and example: [$(cat "$scratch/help")]"
        grep -q -- "--help" "$scratch/help" || fail "$lang help $c lists --help"
        if [ "$lang" = fa ] && [ "$(persian "$scratch/help")" -lt 20 ]; then
            fail "help $c in Persian: [$(cat "$scratch/help")]"
        fi
    done
done

# restore's page: every option of the table with a meaning, and an example.
"$POSHTIBAN" help restore >"$scratch/restore"
for o in --database-only --media-only "--target-database P" "--target-media D" --dry-run "-y, --yes"; do
    grep -qE -- "^  $o +[a-z]" "$scratch/restore" || fail "help restore: [$o] and its meaning: [$(cat "$scratch/restore")]"
done
grep -qx "  poshtiban restore [^ ].*" "$scratch/restore" || fail "help restore has an example"
case $(head -n 1 "$scratch/restore") in "Usage: poshtiban restore ID | --at TIME [options]") ;;
*) fail "help restore starts with its usage: [$(head -n 1 "$scratch/restore")]" ;; esac
# Options of one action under their own heading.
"$POSHTIBAN" help offsite >"$scratch/offsite"
grep -A3 "^Options of offsite list:" "$scratch/offsite" | grep -q -- "--repository R" ||
    fail "help offsite: list's options under their heading: [$(cat "$scratch/offsite")]"
# What the parser takes is what the help lists: an alias from the table, and nothing else.
"$POSHTIBAN" restore --target-mediaa x y >/dev/null 2>"$scratch/err" && fail "an unknown option is refused"
case $(cat "$scratch/err") in *"unknown option --target-mediaa (see poshtiban help restore)") ;;
*) fail "an unknown option points at the command's help: [$(cat "$scratch/err")]" ;; esac

# The overview: short, one line a command, and where to look next.
for lang in en fa; do
    "$POSHTIBAN" --lang "$lang" --help >"$scratch/overview" || fail "$lang --help exits 0"
    expect_eq "$lang --help fits 80 columns" "" "$(too_wide "$scratch/overview")"
    [ "$(wc -l <"$scratch/overview")" -le 56 ] || fail "$lang --help is short: $(wc -l <"$scratch/overview") lines"
    for c in $commands; do
        expect_eq "$lang --help: one line for $c" 1 "$(grep -cE "^  $c +[^ ]" "$scratch/overview")"
    done
    grep -q "poshtiban help COMMAND" "$scratch/overview" || fail "$lang --help says poshtiban help COMMAND"
done
[ "$(persian "$scratch/overview")" -gt 200 ] || fail "--help in Persian"

# Through the BiDi filter on an 80-column terminal: Persian in display order, still 80 columns.
for args in "--bidi app help restore" "--bidi app restore --help" "--bidi app --help" \
    "--bidi off help restore" "--bidi terminal help restore"; do
    printf -v cmd '%q ' "$POSHTIBAN" --lang fa $args
    SHELL=/bin/sh script -qec "stty cols 80 rows 40 && exec $cmd" /dev/null </dev/null >"$scratch/pty" 2>&1 ||
        fail "fa $args on a terminal exits 0"
    expect_eq "fa $args on a terminal fits 80 columns" "" "$(too_wide "$scratch/pty")"
    [ "$(persian "$scratch/pty")" -gt 20 ] || fail "fa $args on a terminal is Persian: [$(cat "$scratch/pty")]"
    grep -qE "AddressSanitizer|runtime error" "$scratch/pty" && fail "fa $args: a sanitizer report"
done

# help of what is no command: one clear line on stderr, exit 2, nothing on stdout.
for args in "help nosuch" "nosuch --help" "nosuch -h"; do
    run_pt $args
    expect_eq "$args exits 2" 2 "$status"
    expect_eq "$args prints nothing on stdout" "" "$out"
    expect_eq "$args: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
    case $err in *'unknown command "nosuch"'*) ;; *) fail "$args names the command: [$err]" ;; esac
done
run_pt help restore extra
expect_eq "help takes one command" 2 "$status"

# help needs no project and writes nothing: not in an empty folder, not for a missing one.
empty=$scratch/empty
mkdir "$empty"
(cd "$empty" && "$POSHTIBAN" help create >/dev/null 2>&1) || fail "help in an empty folder exits 0"
(cd "$empty" && "$POSHTIBAN" create --help >/dev/null 2>&1) || fail "create --help in an empty folder exits 0"
expect_eq "help wrote nothing" "" "$(ls -A "$empty")"
run_pt -C "$scratch/missing" help restore
expect_eq "help with a missing project folder exits 0 ($err)" 0 "$status"
run_pt -C "$scratch/missing" restore --help
expect_eq "restore --help with a missing project folder exits 0 ($err)" 0 "$status"
check "create --help took no backup" test ! -e "$proj/backups"

# The project's ui.language speaks in the help too, with no --lang.
"$POSHTIBAN" settings set ui.language fa >/dev/null || fail "settings set ui.language fa"
for args in "--help" "help restore" "restore --help"; do
    "$POSHTIBAN" $args >"$scratch/ui" 2>&1 || fail "$args with ui.language fa exits 0"
    [ "$(persian "$scratch/ui")" -gt 20 ] || fail "$args follows ui.language fa: [$(cat "$scratch/ui")]"
done

# The man page's command list is the table's, both ways.
man_commands=$("$PY" - "$SOURCE_ROOT/data/poshtiban.1" <<'PY'
import re, shlex, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = lines.index(".SH COMMANDS")
names = set()
for i in range(start + 1, len(lines)):
    line = lines[i]
    if line.startswith(".SH"):
        break
    if lines[i - 1] != ".TP":
        continue
    if line.startswith(".BR "):
        words = shlex.split(line[4:])
        names.update(w for w in words[0::2])
    elif line.startswith(".B "):
        names.add(re.split(r"[ \\]", line[3:])[0])
print("\n".join(sorted(names)))
PY
)
expect_eq "the man page lists the table's commands" "$(printf '%s\n' $commands | sort)" "$man_commands"

finish
