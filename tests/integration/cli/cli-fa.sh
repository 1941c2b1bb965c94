#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The CLI in Persian as people read it (README, "فارسی — Persian"), on a
# 100-column pseudo-terminal (util-linux `script`) where poshtiban reorders
# (ui.bidi app), and through pipes:
# - no middle dot anywhere: beside Persian digits it reads as zero;
# - settings list: "=" in one column on every line, empty values included,
#   in Persian and English; show: the values in one column although some
#   labels hold a ZWNJ;
# - doctor: a warning wider than the screen starts on its first line (cut
#   in logical order, then reordered), no screen line overflows, figures in
#   Persian digits;
# - a question (delete) is on the screen before the answer is asked for;
# - ui.bidi app leaves piped output in logical order; --bidi app reorders
#   a pipe, --bidi off a terminal; a bad --bidi is a usage error;
# - a backup's message in the reader's language, a stored old message as
#   it was written, after the catalog is migrated from schema 5;
# - counts in the singular: "1 backup found", not "1 backups".
. "$(dirname "$0")/../lib/lib.sh"
command -v script >/dev/null || { echo "script (util-linux) is not installed" >&2; exit 1; }
unset KONSOLE_VERSION MLTERM LANGUAGE LC_ALL NO_COLOR CODESPACES SSH_CONNECTION
export LANG=C.UTF-8 TERM=xterm-256color

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt() { "$POSHTIBAN" "$@"; }
pt create --name b1 >/dev/null 2>&1 || fail "create b1"
pt settings set ui.bidi app >/dev/null || fail "settings set ui.bidi app"


# screen_check FILE CHECK: what is wrong with the screen in FILE, one line each.
screen_check() {
    "$PY" - "$@" <<'PY'
import re, sys, unicodedata
path, check = sys.argv[1:3]
raw = open(path, encoding="utf-8", errors="replace").read()
screen = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "", raw).replace("\r\n", "\n").replace("\r", "\n")
lines = [l for l in screen.split("\n")]
arabic = re.compile(r"[\u0600-\u06ff\ufb50-\ufeff]")

def plain(text):
    text = "".join(unicodedata.normalize("NFKC", c)[::-1] if "\ufb50" <= c <= "\ufeff" else c
                   for c in text)
    return unicodedata.normalize("NFKC", text).replace("\u200c", "")

if "\u00b7" in screen:
    print("a middle dot on a Persian screen: %s" % next(l.strip() for l in lines if "\u00b7" in l))
def width(text):
    return sum(0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else 1 for c in text)

# A Persian line is cut to the screen; a command alone may be wider (the terminal wraps it).
for l in lines:
    if width(l) > 100 and arabic.search(l):
        print("a Persian line wider than the screen (%d): %s" % (width(l), l.strip()[:80]))
if check == "settings":
    cols = {l.index("=") for l in lines if "=" in l}
    if len(cols) != 1:
        print("'=' stands in %d columns: %s" % (len(cols), sorted(cols)))
    if not any(l.rstrip().endswith("auto.time") for l in lines):
        print("auto.time (empty) is not shown")
elif check == "settings-en":
    cols = {l.index("=") for l in lines if "=" in l}
    if len(cols) != 1:
        print("'=' stands in %d columns: %s" % (len(cols), sorted(cols)))
elif check == "show":
    # Right to left: labels on the right, padded to 16 columns; the values end at column 84.
    fields = [l for l in lines[:14] if l.strip()]
    off = [l.strip() for l in fields if len(l) < 85 or l[83] == " " or l[84] != " "]
    if off:
        print("values of show not ending at column 84: %s" % off)
elif check == "doctor":
    # The warning about the newest backup starts on its first screen line, by the bullet.
    start = "تازه‌ترین پشتیبان".replace("\u200c", "")
    bullet = [l for l in lines if l.rstrip().endswith(" !")]
    if not bullet:
        print("no warning bullet on screen")
    elif not any(start[::-1] in plain(l) for l in bullet):
        print("the warning does not start on the bullet's line: %s" % [plain(l).strip()[-50:] for l in bullet])
    # Figures stand alone; digits inside names, paths and commands are no figures.
    figure = re.compile(r"(?<![A-Za-z0-9_./:-])[0-9]+(?![A-Za-z0-9_./:-])")
    bad = [l.strip() for l in lines if arabic.search(l) and figure.search(l)]
    if bad:
        print("ASCII figures in a Persian line: %s" % bad)
elif check == "delete":
    q = [i for i, l in enumerate(lines) if "[y/N]" in l]
    if not q:
        print("no [y/N] on screen")
    elif arabic.search(lines[q[0]]):
        print("the question shares the line of [y/N]: %s" % lines[q[0]].strip())
    elif q[0] == 0 or not arabic.search(lines[q[0] - 1]):
        print("the question is not on the line before [y/N]")
PY
}

expect_screen() { # expect_screen WHAT CHECK ARGS…
    local what=$1 check=$2
    shift 2
    on_pty "$scratch/screen" "$@"
    local problems
    problems=$(screen_check "$scratch/screen" "$check")
    [ -n "$problems" ] && fail "$what: $(printf '%s' "$problems" | paste -sd '|')"
    return 0
}

expect_screen "settings list, fa" settings --lang fa settings list
expect_eq "settings list, fa: exit" 0 "$status"
expect_screen "settings list, en" settings-en --lang en settings list
expect_screen "show, fa" show --lang fa show b1
# With automatic backups on, doctor names their interval: a figure in a Persian sentence.
pt settings set auto.enabled true >/dev/null || fail "settings set auto.enabled true"
expect_screen "doctor, fa" doctor --lang fa doctor
pt settings set auto.enabled false >/dev/null
for cmd in "stats" "list" "cron status" "report b1" "restore b1 --dry-run" "verify b1"; do
    # shellcheck disable=SC2086 # the command's words
    expect_screen "$cmd, fa" none --lang fa $cmd
    expect_eq "$cmd, fa: exit" 0 "$status"
done
expect_screen "delete, fa: the question first" delete --lang fa delete b1
expect_eq "delete, fa: nobody answered: exit 1" 1 "$status"

# Pipes keep logical order under ui.bidi app; --bidi decides for one command.
forms() { "$PY" -c 'import sys; t=sys.stdin.read(); print(sum(1 for c in t if "\ufb50" <= c <= "\ufeff"))'; }
expect_eq "ui.bidi app, piped: no presentation forms" 0 "$(pt --lang fa stats 2>&1 | forms)"
check "--bidi app, piped: reordered and shaped" test "$(pt --lang fa stats --bidi app | forms)" -gt 10
expect_eq "--bidi app, piped stderr: reordered too" 1 \
    "$(pt --lang fa show nosuch --bidi app 2>&1 >/dev/null | forms | awk '{print ($1 > 3)}')"
on_pty "$scratch/off.screen" --lang fa --bidi off stats
expect_eq "--bidi off on a terminal: logical order" 0 "$(forms <"$scratch/off.screen")"
run_pt --bidi sideways stats
expect_eq "--bidi sideways: usage error" 2 "$status"
case $err in *"--bidi"*) ;; *) fail "--bidi sideways: the error names the option: [$err]" ;; esac

# A backup's message in the reader's language; an old catalog's text as written.
expect_eq "message code" completed "$(pt show b1 --json | json_eval 'd["message_code"]')"
rows=$(sqlite3 db.sqlite3 'SELECT (SELECT count(*) FROM investor) + (SELECT count(*) FROM unit)')
expect_eq "message in English" "backup completed: 2 tables, $rows rows" \
    "$(pt --lang en show b1 --json | json_eval 'd["message"]')"
fa_rows=$(LANGUAGE=fa "$PY" -c 'import sys; print(sys.argv[1].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))' "$rows")
case $(pt --lang fa show b1) in
    *"پشتیبان کامل شد: ۲ جدول، "*"$fa_rows"*" ردیف"*) ;;
    *) fail "message in Persian: [$(pt --lang fa show b1 | grep -F 'پیام')]" ;;
esac
catalog=backups/.poshtiban/catalog.sqlite3
sqlite3 "$catalog" "UPDATE backups SET message = 'backup completed: 2 tables, $rows rows', message_code = NULL, message_args = NULL;
ALTER TABLE backups DROP COLUMN message_code; ALTER TABLE backups DROP COLUMN message_args;
ALTER TABLE backups DROP COLUMN offsite_repo; DROP TABLE offsite_repositories; PRAGMA user_version = 5;" ||
    fail "make a schema 5 catalog"
case $(pt --lang fa show b1) in
    *"backup completed: 2 tables, $rows rows"*) ;;
    *) fail "an old record's message shows as stored: [$(pt --lang fa show b1 | grep -F 'پیام')]" ;;
esac
expect_eq "the catalog migrated to schema 7" 7 "$(sqlite3 "$catalog" 'PRAGMA user_version')"
pt create --name b2 >/dev/null 2>&1 || fail "create b2 after the migration"
expect_eq "a new record after the migration has its code" completed "$(pt show b2 --json | json_eval 'd["message_code"]')"

# One of a thing is one thing.
pt delete b2 --yes >/dev/null || fail "delete b2"
sqlite3 "$catalog" "DELETE FROM backups" || fail "empty the catalog"
expect_eq "reindex of one backup" "1 backup found and recorded" "$(pt --lang en reindex)"
finish
