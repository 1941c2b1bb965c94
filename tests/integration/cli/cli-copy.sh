#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every command that `report`, `doctor` and `cron status` print in Persian,
# copied from the screen of a terminal that does no BiDi (README, "فارسی —
# Persian"), runs with sh and does what it says. The commands run on a
# pseudo-terminal (util-linux `script`) with ui.bidi app and auto, so they
# pass through poshtiban's line filter. What a copy yields: the cells of
# the screen as they stand, left to right, without the padding around
# them; the filter lets no invisible mark reach the screen (checked), so
# there is nothing a copy could carry that the screen does not show. A
# user copies: what stands between backquotes; a line of Latin text alone
# under a sentence that ends in a colon (the download command, the crontab
# line, the command that starts cron); and in the report's recipe, the
# command left of its label, or alone on the line under it when the line
# was too wide for both. A backquoted word that is no command (`-r`) is
# not run. The project's path holds a space, a quote and
# $HOME, so that only commands quoted right survive.
# - doctor in a codespace: `gh codespace cp …` through a stand-in gh that
#   checks its arguments and copies the remote path, which must exist;
# - doctor over SSH: `scp …` through a stand-in scp that checks user, host
#   and port and copies the path (as scp's SFTP mode takes it, literally);
# - cron status: the crontab line's command part (after cron's own %
#   processing) takes an automatic backup and writes to auto.log;
# - report: the recipe puts back the database and the media;
# - `sudo service cron start` and the like reach stand-ins that record them;
#   `poshtiban …` runs the real program.
. "$(dirname "$0")/../lib/lib.sh"
command -v script >/dev/null || { echo "script (util-linux) is not installed" >&2; exit 1; }
check "the Persian catalog is built" test -f "$(dirname "$POSHTIBAN")/../../po/fa/LC_MESSAGES/poshtiban.mo"
unset KONSOLE_VERSION MLTERM LANGUAGE LC_ALL NO_COLOR CODESPACES CODESPACE_NAME SSH_CONNECTION
export LANG=C.UTF-8 TERM=xterm-256color

bin=$scratch/bin
mkdir -p "$bin"
export FAKE_LOG=$scratch/fake.log FAKE_CRONTAB=$scratch/crontab
: >"$FAKE_LOG"
ln -s "$POSHTIBAN" "$bin/poshtiban"
cat >"$bin/crontab" <<'SH'
#!/bin/sh
case "$*" in
    -l) [ -f "$FAKE_CRONTAB" ] && exec cat "$FAKE_CRONTAB"; echo "no crontab for $(id -un)" >&2; exit 1 ;;
    -) cat >"$FAKE_CRONTAB.new" && mv "$FAKE_CRONTAB.new" "$FAKE_CRONTAB" ;;
    *) echo "crontab stand-in: $*" >>"$FAKE_LOG" ;;
esac
SH
cat >"$bin/sudo" <<'SH'
#!/bin/sh
exec "$@"
SH
for tool in service systemctl apt-get; do
    printf '#!/bin/sh\necho "%s $*" >>"$FAKE_LOG"\n' "$tool" >"$bin/$tool"
done
cat >"$bin/gh" <<'SH'
#!/bin/sh
echo "gh $*" >>"$FAKE_LOG"
[ "$1 $2" = "codespace list" ] && exit 0
[ "$1 $2" = "codespace cp" ] || { echo "gh stand-in: not cp: $*" >&2; exit 2; }
shift 2
r=
while [ $# -gt 2 ]; do
    case $1 in
        -r) r=-R ;;
        -e) ;;
        -c) [ "$2" = "$FAKE_CODESPACE" ] || { echo "gh stand-in: codespace [$2]" >&2; exit 2; }; shift ;;
        *) echo "gh stand-in: unexpected [$1]" >&2; exit 2 ;;
    esac
    shift
done
case $1 in remote:/*) src=${1#remote:} ;; *) echo "gh stand-in: not remote:/… [$1]" >&2; exit 2 ;; esac
[ "$2" = . ] || { echo "gh stand-in: destination [$2]" >&2; exit 2; }
[ -e "$src" ] || { echo "gh stand-in: no such remote path [$src]" >&2; exit 1; }
exec cp $r "$src" .
SH
cat >"$bin/scp" <<'SH'
#!/bin/sh
echo "scp $*" >>"$FAKE_LOG"
port=22 r=
while [ $# -gt 2 ]; do
    case $1 in
        -P) port=$2; shift ;;
        -r) r=-R ;;
        *) echo "scp stand-in: unexpected [$1]" >&2; exit 2 ;;
    esac
    shift
done
[ "$port" = "$FAKE_SSH_PORT" ] || { echo "scp stand-in: port [$port]" >&2; exit 2; }
case $1 in "$FAKE_SSH_TARGET:"/*) src=${1#"$FAKE_SSH_TARGET:"} ;; *) echo "scp stand-in: source [$1]" >&2; exit 2 ;; esac
[ "$2" = . ] || { echo "scp stand-in: destination [$2]" >&2; exit 2; }
[ -e "$src" ] || { echo "scp stand-in: no such remote path [$src]" >&2; exit 1; }
exec cp $r "$src" .
SH
chmod +x "$bin"/*
export PATH=$bin:$PATH

proj="$scratch/my project's \$HOME"
make_project "$proj"
cd "$proj" || exit 1
pt() { "$POSHTIBAN" "$@"; }
pt create --name b1 >/dev/null 2>&1 || fail "create b1"
backup="$proj/backups/b1"
# The newest completed backup, which doctor offers to download.
newest() { pt list --status completed --limit 1 --json | json_eval 'd["backups"][0]["path"]'; }
pt settings set auto.enabled true >/dev/null || fail "settings set auto.enabled"
pt cron install >/dev/null 2>&1 || fail "cron install"
want_db=$(sqlite3 "$proj/db.sqlite3" .dump | sha256sum)
want_media=$(cd "$proj/media" && find . -type f -exec sha256sum {} + | sort)


# copies FILE: the commands a user copies from the screen, one per line;
# "recipe<TAB>command" for the report's recipe. Problems as "PROBLEM …" lines.
copies() {
    "$PY" - "$1" <<'PY'
import re, sys, unicodedata
raw = open(sys.argv[1], encoding="utf-8", errors="replace").read()
screen = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "", raw).replace("\r\n", "\n").replace("\r", "\n")
marks = [c for c in screen if c in "\u200e\u200f\u061c\ufeff\u200c\u200d"
         or "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069"]
if marks:
    print("PROBLEM invisible marks reach the screen: %s" % " ".join("U+%04X" % ord(c) for c in set(marks)))
for alarm in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
    if alarm in screen:
        print("PROBLEM sanitizer report on screen")
arabic = re.compile(r"[\u0600-\u06ff\ufb50-\ufeff]")

def plain(text):
    text = "".join(unicodedata.normalize("NFKC", c)[::-1] if "\ufb50" <= c <= "\ufeff" else c
                   for c in text)
    return unicodedata.normalize("NFKC", text)

lines = screen.split("\n")
recipe = False
previous = ""
for line in lines:
    text = line.strip()
    for m in re.finditer(r"`([^`]+)`", text):
        print(m.group(1))
    alone = text and not arabic.search(text) and "`" not in text and previous.startswith(":")
    if recipe:
        m = re.match(r"^(.*?) :(.*)$", text)
        if m and not arabic.search(m.group(1)) and arabic.search(m.group(2)):
            print("recipe\t" + m.group(1))
        elif alone:
            print("recipe\t" + text)
    elif alone:
        print(text)
    # The recipe's heading, shown right to left: "برای بازیابی دستی …:".
    if "بازیابی دستی"[::-1] in plain(text) or "بازیابی دستی" in plain(text):
        recipe = True
    if text:
        previous = text
PY
}

# run_copy WHAT COMMAND: the copied command, run with sh in the project folder
# (a backquoted word that names no command is skipped).
run_copy() {
    command -v "${2%% *}" >/dev/null || return 0
    (cd "$proj" && sh -c "$2") >"$scratch/run.out" 2>&1 ||
        fail "$1: [$2] failed: $(tail -n 3 "$scratch/run.out")"
}

damage() {
    sqlite3 "$proj/db.sqlite3" "DELETE FROM unit; INSERT INTO investor (name) VALUES ('x');"
    rm -f "$proj/media/photo.bin"
    printf 'other' >"$proj/media/docs/contract.txt"
}

for bidi in app auto; do
    pt settings set ui.bidi "$bidi" >/dev/null || fail "settings set ui.bidi $bidi"
    where="--lang fa, ui.bidi $bidi, on a terminal"

    # report: the recipe, copied and run in the backup's folder.
    on_pty "$scratch/report.screen" --lang fa report b1
    expect_eq "$where: report exits 0" 0 "$status"
    copied=$(copies "$scratch/report.screen")
    printf '%s\n' "$copied" | grep '^PROBLEM' | while read -r p; do echo "FAIL: $where: report: $p" >&2; done
    check "$where: report: no problem on screen" test -z "$(printf '%s\n' "$copied" | grep '^PROBLEM')"
    recipe=$(printf '%s\n' "$copied" | sed -n 's/^recipe\t//p')
    expect_eq "$where: report: three recipe commands ($recipe)" 3 "$(printf '%s\n' "$recipe" | grep -c .)"
    damage
    while IFS= read -r command; do
        case $command in python*) sh -n -c "$command" || fail "$where: [$command] does not parse"; continue ;; esac
        (cd "$backup" && sh -e -c "$command") >"$scratch/run.out" 2>&1 ||
            fail "$where: recipe [$command]: $(tail -n 3 "$scratch/run.out")"
    done <<<"$recipe"
    expect_eq "$where: the recipe brings the database back" "$want_db" "$(sqlite3 "$proj/db.sqlite3" .dump | sha256sum)"
    expect_eq "$where: the recipe brings the media back" "$want_media" \
        "$(cd "$proj/media" && find . -type f -exec sha256sum {} + | sort)"

    # doctor in a codespace and over SSH: the download command, and every `command`.
    for env in codespace ssh; do
        rm -rf "$scratch/download"
        mkdir -p "$scratch/download"
        if [ "$env" = codespace ]; then
            export CODESPACES=true CODESPACE_NAME=fancy-space-x FAKE_CODESPACE=fancy-space-x
        else
            unset CODESPACES CODESPACE_NAME
            export SSH_CONNECTION="192.0.2.7 50022 198.51.100.4 2222" USER=backupper
            export FAKE_SSH_TARGET=backupper@198.51.100.4 FAKE_SSH_PORT=2222
        fi
        on_pty "$scratch/doctor.screen" --lang fa doctor
        expect_eq "$where: doctor ($env) exits 0" 0 "$status"
        copied=$(copies "$scratch/doctor.screen")
        check "$where: doctor ($env): no problem on screen [$(printf '%s\n' "$copied" | grep '^PROBLEM')]" \
            test -z "$(printf '%s\n' "$copied" | grep '^PROBLEM')"
        download=$(printf '%s\n' "$copied" | grep -E '^(gh|scp) ')
        expect_eq "$where: doctor ($env): one download command" 1 "$(printf '%s\n' "$download" | grep -c .)"
        (cd "$scratch/download" && sh -c "$download") >"$scratch/run.out" 2>&1 ||
            fail "$where: doctor ($env): [$download]: $(tail -n 3 "$scratch/run.out")"
        want=$(newest)
        check "$where: doctor ($env): [$download] downloads the newest backup whole" \
            diff -r "$want" "$scratch/download/${want##*/}"
        while IFS= read -r command; do
            case $command in gh\ codespace\ cp* | scp\ *) continue ;; esac
            # `poshtiban push` needs an off-site repository this test has none of: it must parse.
            case $command in *push*) sh -n -c "$command" || fail "$where: [$command] does not parse"; continue ;; esac
            run_copy "$where: doctor ($env)" "$command"
        done < <(printf '%s\n' "$copied" | grep -v '^PROBLEM')
        unset CODESPACES CODESPACE_NAME SSH_CONNECTION
    done
    check "$where: doctor's gh reached the stand-in" grep -q "^gh codespace cp -r -c fancy-space-x" "$FAKE_LOG"
    check "$where: doctor's scp reached the stand-in" grep -qF "scp -P 2222 -r backupper@198.51.100.4:$(newest) ." "$FAKE_LOG"

    # cron status: the crontab line's command takes an automatic backup; the start command runs.
    : >"$FAKE_LOG"
    on_pty "$scratch/cron.screen" --lang fa cron status
    expect_eq "$where: cron status exits 0" 0 "$status"
    copied=$(copies "$scratch/cron.screen")
    check "$where: cron status: no problem on screen" test -z "$(printf '%s\n' "$copied" | grep '^PROBLEM')"
    line=$(printf '%s\n' "$copied" | grep 'poshtiban-auto')
    expect_eq "$where: cron status shows the crontab line as installed" "$(grep poshtiban-auto "$FAKE_CRONTAB")" "$line"
    # What cron runs: after the five time fields, with \% turned into %.
    command=$(printf '%s\n' "$line" | sed -E 's/^([^ ]+ +){5}//; s/\\%/%/g')
    autos=$(pt list --kind auto --json | json_eval 'd["total"]')
    log_before=$(wc -c <"$proj/backups/.poshtiban/auto.log" 2>/dev/null || echo 0)
    run_copy "$where: the crontab line" "$command"
    expect_eq "$where: the crontab line took an automatic backup" $((autos + 1)) \
        "$(pt list --kind auto --json | json_eval 'd["total"]')"
    check "$where: the crontab line wrote to auto.log" test "$(wc -c <"$proj/backups/.poshtiban/auto.log")" -gt "$log_before"
    # The next round's crontab line finds an automatic backup due again.
    pt delete "$(pt list --kind auto --limit 1 --json | json_eval 'd["backups"][0]["name"]')" --yes >/dev/null ||
        fail "delete the automatic backup"
    while IFS= read -r command; do
        case $command in *poshtiban-auto*) continue ;; esac
        run_copy "$where: cron status" "$command"
    done < <(printf '%s\n' "$copied" | grep -v '^PROBLEM')
    if ! pgrep -x cron >/dev/null; then
        check "$where: cron status's start command reached the stand-in ($(cat "$FAKE_LOG"))" \
            grep -qE '^(service cron start|systemctl enable --now cron|apt-get install -y cron)' "$FAKE_LOG"
    fi
done
finish
