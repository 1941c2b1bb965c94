#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The CLI on a real terminal (README, "Using it"): every command that prints, run on a
# pseudo-terminal (util-linux `script`), in English and Persian, with ui.bidi
# auto, app and off. On a terminal stdout and stderr go through the BiDi line
# filter (src/cli/bidi-stream.c) and create, verify and export draw progress
# lines starting with \r: pipes never see either, so every other test misses
# them. Each run: exit 0, no sanitizer report, the expected words on screen,
# names and paths unscrambled, and in Persian presentation forms exactly when
# poshtiban reorders (auto on a plain terminal means app).
. "$(dirname "$0")/../lib/lib.sh"
command -v script >/dev/null || { echo "script (util-linux) is not installed" >&2; exit 1; }
# The binary finds the catalogs meson built beside it, on its own.
check "the Persian catalog is built" test -f "$(dirname "$POSHTIBAN")/../../po/fa/LC_MESSAGES/poshtiban.mo"
# restic for the off-site rows (Debian package restic).
command -v restic >/dev/null || { echo "restic is not installed" >&2; exit 1; }
# A plain terminal: no Konsole or mlterm to do BiDi itself, so auto means app.
unset KONSOLE_VERSION MLTERM LANGUAGE LC_ALL NO_COLOR
export LANG=C.UTF-8 TERM=xterm-256color

proj=$scratch/proj
make_project "$proj"
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
# One backup made through a pipe: what verify, export, show… look at.
POSHTIBAN_TEST_NOW=2026-11-26T11:06:18Z pt create >/dev/null 2>&1 || fail "the first backup (piped)"
base=backup_20261126_110618

# on_pty OUT ARGS…: poshtiban with ARGS on a 100x30 pseudo-terminal (stdin,
# stdout and stderr); the screen's bytes in OUT, the exit status in $status.
on_pty() {
    local out=$1 cmd
    shift
    printf -v cmd '%q ' "$POSHTIBAN" -C "$proj" "$@"
    SHELL=/bin/sh script -qec "stty cols 100 rows 30 && exec $cmd" /dev/null </dev/null >"$out" 2>&1 &&
        status=0 || status=$?
}

# screen_lacks FILE LANG BIDI WANT…: prints what is wrong with the captured
# screen, one line each; nothing when all is well.
screen_lacks() {
    "$PY" - "$@" <<'PY'
import re, sys, unicodedata
path, lang, bidi, *want = sys.argv[1:]
raw = open(path, encoding="utf-8", errors="replace").read()
# Whole escape sequences (the progress line's erase-line) go; a broken one stays.
screen = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "", raw).replace("\r", "\n")
if "\x1b" in screen:
    line = next(l for l in screen.splitlines() if "\x1b" in l)
    print("a broken escape sequence, a stray ESC reaches the terminal: [%s]"
          % line.strip().replace("\x1b", "^[")[:120])
alarms = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
          "Segmentation fault", "core dumped")
report = [l.strip() for l in screen.splitlines() if any(a in l for a in alarms)]
if report:
    print("a crash or sanitizer report: %s" % report[-1][:160])

def plain(text):
    # Presentation forms back to letters. A ligature (lam-alef) expands in
    # logical order while the line around it is in visual order: turn it round.
    text = "".join(unicodedata.normalize("NFKC", c)[::-1] if "\ufb50" <= c <= "\ufeff" else c
                   for c in text)
    text = unicodedata.normalize("NFKC", text).replace("\u200c", "")
    return re.sub(r"[ \t]+", " ", text)

seen = plain(screen)
for w in want:
    p = plain(w)
    # Visual order (bidi app) shows a right-to-left word reversed; logical order as it is.
    if p not in seen and p[::-1] not in seen:
        print("missing [%s]" % w)

if lang == "fa":
    logical = sum(1 for c in screen if "\u0621" <= c <= "\u063a" or "\u0641" <= c <= "\u064a"
                  or "\u0671" <= c <= "\u06d3")
    forms = sum(1 for c in screen if "\ufb50" <= c <= "\ufeff")
    if bidi == "off" and forms:
        print("ui.bidi off, yet %d presentation forms (text must stay logical)" % forms)
    if bidi != "off" and logical:
        print("ui.bidi %s on a plain terminal, yet %d logical Arabic-script letters "
              "(poshtiban must reorder and shape every line)" % (bidi, logical))
PY
}

# show_screen FILE: what a run printed, on stderr, control characters visible.
show_screen() {
    "$PY" -c '
import sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
text = text.replace("\x1b[K", "").replace("\r\n", "\n").replace("\r", "^M\n").replace("\x1b", "^[")
print("\n".join(l.strip() for l in text.splitlines()[:25]))' "$1" >&2
}

# The table: command | what English shows | what Persian shows (words from
# po/fa.po), each list separated by ";". @B is the backup made above, @C the
# one this round's create makes, @P the project, @S the scratch folder, @M
# the ui.bidi mode.
table=(
    "create --name @C|completed;@C;@P/backups/@C|کامل;@C;@P/backups/@C"
    "verify @B|@B verified|سالم;@B"
    "verify --all|@B verified;@C verified|سالم;@B;@C"
    "export @B -o @S/@C.zip|Exported to;@S/@C.zip|برون‌بری;@S/@C.zip"
    "restore @B --dry-run|Restore @B;investor;unit;@P/db.sqlite3|بازیابی;@B;investor;unit;@P/db.sqlite3"
    "list|NAME;STATUS;completed;@B;@C;2026-11-26 11:06|نام;وضعیت;@B;@C;۱۴۰۵/۰۹/۰۵"
    "show @B|Status;completed;investor;@P/backups/@B|وضعیت;@B;investor;@P/backups/@B"
    "report @B|Backup: @B;Status: completed;investor;@P/db.sqlite3|گزارش;وضعیت;@B;investor;@P/db.sqlite3"
    "stats|Last successful backup;investor;unit;@P/db.sqlite3|آخرین;موفق;investor;@P/db.sqlite3"
    "doctor|Backup folder;Free space;@P/backups|آزاد;@P/backups"
    "cron status|cron daemon;@P/backups/.poshtiban/auto.log|سرویس;@P/backups/.poshtiban/auto.log"
    "settings list|retention.max_backups = 10;ui.bidi = @M|retention.max_backups;10;ui.bidi;@M"
    "prune --dry-run|kept|نگه"
    "push @B|off-site;@B|دور;@B"
    "offsite list|NAME;SNAPSHOT;@B;2026-11-26 11:06|اسنپ‌شات;@B;۱۴۰۵/۰۹/۰۵"
)
# Off-site copies to a local restic repository (README, "Off-site copies").
export POSHTIBAN_RESTIC_PASSWORD=pty-test-password RESTIC_CACHE_DIR=$scratch/restic-cache
pt settings set offsite.repository "$scratch/repo" >/dev/null || fail "settings set offsite.repository"
pt offsite init >/dev/null 2>"$scratch/init.err" || fail "offsite init: $(cat "$scratch/init.err")"

# fill TEXT: the placeholders of the table filled in for this round.
fill() {
    local t=${1//@B/$base}
    t=${t//@C/$created}
    t=${t//@P/$proj}
    t=${t//@S/$scratch}
    printf '%s' "${t//@M/$bidi}"
}

runs=0
failed=()
for bidi in auto app off; do
    pt settings set ui.bidi "$bidi" >/dev/null || fail "settings set ui.bidi $bidi"
    for lang in en fa; do
        created=pty-$lang-$bidi
        for row in "${table[@]}"; do
            IFS='|' read -r cmd en fa <<<"$row"
            [ "$lang" = en ] && want=$en || want=$fa
            cmd=$(fill "$cmd")
            IFS=';' read -r -a words <<<"$(fill "$want")"
            runs=$((runs + 1))
            out=$scratch/screen.$runs
            # shellcheck disable=SC2086 # the command's words
            on_pty "$out" --lang "$lang" $cmd
            problems=$(screen_lacks "$out" "$lang" "$bidi" "${words[@]}")
            [ "$status" = 0 ] || problems="exit status $status"$'\n'$problems
            if [ -n "$problems" ]; then
                failed+=("--lang $lang, ui.bidi $bidi, \`poshtiban $cmd\` on a terminal: $(printf '%s' "$problems" | paste -sd '|' | sed 's/|/; /g')")
                # The first few screens; the FAIL lines all come last, where a log's tail shows them.
                if [ "${#failed[@]}" -le 3 ]; then
                    echo "--- the screen of ${failed[-1]%%: *}:" >&2
                    show_screen "$out"
                fi
            fi
        done
    done
done
for what in "${failed[@]}"; do fail "$what"; done
expect_eq "every run happened" $((3 * 2 * ${#table[@]})) "$runs"
finish
