#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# README "Help and completion": in a real bash and a real zsh in tmux, with
# the scripts of data/completion/ loaded, Tab completes commands, options,
# settings keys and their values, and backup names and ids. Underneath,
# `poshtiban __complete WORD…` answers from the command and settings tables
# and reads the catalog read-only: with no catalog, a damaged one, a locked
# one or a busy project it answers at once, prints nothing on stderr and
# writes nothing.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"
command -v zsh >/dev/null || { echo "zsh is not installed (scripts/setup installs it)" >&2; exit 1; }
command -v flock >/dev/null || { echo "flock (util-linux) is not installed" >&2; exit 1; }
unset LANGUAGE LC_ALL NO_COLOR
export LANG=C.UTF-8

# The shells find poshtiban on PATH, as an installed one.
bin=$scratch/bin
mkdir -p "$bin"
ln -s "$POSHTIBAN" "$bin/poshtiban"

proj=$scratch/proj
make_project "$proj"
for at in 2026-11-20T10:00:00Z 2026-11-21T10:00:00Z; do
    POSHTIBAN_TEST_NOW=$at "$POSHTIBAN" -C "$proj" create >/dev/null 2>&1 || fail "a backup at $at"
done
POSHTIBAN_TEST_NOW=2026-11-22T10:00:00Z "$POSHTIBAN" -C "$proj" create --name before-upgrade \
    >/dev/null 2>&1 || fail "a named backup"
names="backup_20261120_100000 backup_20261121_100000 before-upgrade"

# complete WORD…: __complete in the project; candidates sorted on one line, in $got; stderr in $err.
complete_in() {
    local dir=$1
    shift
    got=$(cd "$dir" && "$POSHTIBAN" __complete "$@" 2>"$scratch/stderr" | sort | tr '\n' ' ') &&
        status=0 || status=$?
    got=${got% }
    err=$(cat "$scratch/stderr")
}
complete_words() { complete_in "$proj" "$@"; }

complete_words re
expect_eq "re: the commands" "recover reindex report restore" "$got"
complete_words help re
expect_eq "help re: the commands" "recover reindex report restore" "$got"
complete_words restore ""
expect_eq "restore: the backups' ids and names, and latest" \
    "1 2 3 backup_20261120_100000 backup_20261121_100000 before-upgrade latest" "$got"
complete_words restore be
expect_eq "restore be" "before-upgrade" "$got"
complete_words -C "$proj" --backups backups verify --deep ""
expect_eq "after global and command options: the backups" \
    "1 2 3 backup_20261120_100000 backup_20261121_100000 before-upgrade latest" "$got"
keys=$("$POSHTIBAN" -C "$proj" --json settings list |
    "$PY" -c 'import json,sys; print(" ".join(sorted(k for k in json.load(sys.stdin) if k.startswith("offsite."))))')
complete_words settings set offsite.
expect_eq "settings set offsite.: the keys" "$keys" "$got"
complete_words settings get ui.
expect_eq "settings get ui." "ui.bidi ui.calendar ui.language" "$got"
complete_words settings set ui.bidi ""
expect_eq "a choice's values" "app auto off terminal" "$got"
complete_words settings set auto.enabled ""
expect_eq "a switch's values" "false true" "$got"
complete_words settings set offsite.password_file ""
expect_eq "a password file: the shell's paths" ":file" "$got"
complete_words settings set nosuch.key ""
expect_eq "an unknown key: nothing" "" "$got"
complete_words settings ""
expect_eq "settings: its actions" "get list set" "$got"
complete_words restore --t
expect_eq "restore's options" "--target-database --target-media --to" "$got"
complete_words restore --target-media ""
expect_eq "a folder option: the shell's folders" ":dir" "$got"
complete_words create --kind ""
expect_eq "an option's values" "auto manual scheduled" "$got"
complete_words --lang ""
expect_eq "a global option's values" "en fa" "$got"
complete_words list --status=c
expect_eq "--option=value" "--status=cancelled --status=completed" "$got"
complete_words offsite list --r
expect_eq "the options of offsite list" "--repository" "$got"
complete_words offsite check --r
expect_eq "the options of offsite check" "--read-data-subset" "$got"
complete_words cron ""
expect_eq "cron: its actions" "install remove status" "$got"
complete_words restore 1 ""
expect_eq "one backup only" "" "$got"
complete_words -- re
expect_eq "after --, no option: words" "recover reindex report restore" "$got"
complete_words nosuch ""
expect_eq "after an unknown command: nothing" "" "$got"
[ "$err" = "" ] || fail "__complete printed on stderr: [$err]"

# Hostile words: each answers at once, exit 0, nothing on stderr.
long=$(head -c 100000 /dev/zero | tr '\0' x)
for words in "-C" "-C|" "--|" "|" "--lang|--lang" "restore|-$long" "$long|" \
    "restore|$(printf 'a\tb\033[2J')" "settings|set|$(printf '\001')|" "help|help|help|"; do
    IFS='|' read -r -a w <<<"$words"
    [ "${words: -1}" = "|" ] && w+=("")
    complete_words "${w[@]}"
    expect_eq "__complete [${words:0:40}] exits 0" 0 "$status"
    expect_eq "__complete [${words:0:40}]: nothing on stderr" "" "$err"
done

# No catalog, a missing folder, a file for a folder: nothing, at once, nothing written.
empty=$scratch/empty
mkdir "$empty"
complete_in "$empty" restore ""
expect_eq "no catalog: no backups" "" "$got"
expect_eq "no catalog: nothing on stderr" "" "$err"
expect_eq "no catalog: exit 0" 0 "$status"
expect_eq "no catalog: nothing was created" "" "$(ls -A "$empty")"
complete_in "$empty" -C "$scratch/missing" restore ""
expect_eq "a missing project folder: nothing (${err})" "" "$got$err"
complete_in "$empty" -C "$proj/db.sqlite3" restore ""
expect_eq "a file for a project folder: nothing (${err})" "" "$got$err"

# The catalog as it was, byte for byte and time for time, after every look.
tree() { (cd "$1" && find . -printf '%p %s %T@ %m\n' | sort && find . -type f -exec sha256sum {} + | sort); }
before=$(tree "$proj/backups")

# A busy project (another poshtiban holds the lock): the names all the same, at once.
flock "$proj/backups/.poshtiban/lock" sleep 30 &
holder=$!
sleep 0.3
start=$(date +%s%N)
complete_words show ""
elapsed=$((($(date +%s%N) - start) / 1000000))
expect_eq "a busy project: still the backups" \
    "1 2 3 backup_20261120_100000 backup_20261121_100000 before-upgrade latest" "$got"
[ "$elapsed" -lt 3000 ] || fail "a busy project: answered in ${elapsed} ms"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# A catalog locked by a writer (sqlite EXCLUSIVE): no wait, nothing on stderr.
"$PY" - "$proj/backups/.poshtiban/catalog.sqlite3" "$scratch/locked" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(30)
PY
writer=$!
for _ in $(seq 100); do [ -e "$scratch/locked" ] && break; sleep 0.05; done
start=$(date +%s%N)
complete_words restore ""
elapsed=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed" -lt 3000 ] || fail "a locked catalog: answered in ${elapsed} ms"
expect_eq "a locked catalog: nothing on stderr" "" "$err"
expect_eq "a locked catalog: exit 0" 0 "$status"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
expect_eq "no look wrote anything in the backup folder" "$before" "$(tree "$proj/backups")"

# A damaged catalog: nothing on stderr, left as it was.
damaged=$scratch/damaged
make_project "$damaged"
mkdir -p "$damaged/backups/.poshtiban"
head -c 5000 /dev/urandom >"$damaged/backups/.poshtiban/catalog.sqlite3"
sum=$(sha256sum <"$damaged/backups/.poshtiban/catalog.sqlite3")
complete_in "$damaged" restore ""
expect_eq "a damaged catalog: nothing (${err})" "" "$got$err"
expect_eq "a damaged catalog is left alone" "$sum" "$(sha256sum <"$damaged/backups/.poshtiban/catalog.sqlite3")"
expect_eq "a damaged catalog: no recovery ran" "catalog.sqlite3" "$(ls "$damaged/backups/.poshtiban")"

# --- Real shells in tmux ---
# shell_start NAME COMMAND…: an interactive shell in the project, 200 columns wide.
shell_start() {
    tmux -S "$tmux_socket" kill-server 2>/dev/null
    tmux_started=$((tmux_started + 1))
    tmux_socket="$scratch/tmux.$tmux_started.sock"
    local cmd
    printf -v cmd '%q ' env PATH="$bin:$PATH" HOME="$scratch" "$@"
    tmux -S "$tmux_socket" -f /dev/null new-session -d -s tui -x 200 -y 50 \
        "cd $(printf %q "$proj") && $cmd"
    tmux -S "$tmux_socket" set-option -t tui status off >/dev/null
}
# line TEXT KEYS…: a fresh line with TEXT typed, then KEYS (Tab…).
line() {
    keys C-c
    sleep 0.2
    keys clear Enter
    sleep 0.3
    keys -l "$1"
    shift
    for k in "$@"; do
        keys "$k"
        sleep 0.4
    done
}
# offered DESCRIPTION WORD…: the screen shows every WORD.
offered() {
    local what=$1 w
    shift
    for w in "$@"; do
        wait_for "$w" 5 || fail "$what: [$w] never offered"
    done
}

for sh in bash zsh; do
    if [ "$sh" = bash ]; then
        shell_start bash --norc --noprofile
        keys "PS1='$ '" Enter
        keys -l ". $(printf %q "$SOURCE_ROOT/data/completion/poshtiban.bash")"
        keys Enter
        two=(Tab Tab)
    else
        mkdir -p "$scratch/zdot/functions"
        cp "$SOURCE_ROOT/data/completion/_poshtiban" "$scratch/zdot/functions/"
        printf '%s\n' "fpath=($(printf %q "$scratch/zdot/functions") \$fpath)" \
            'autoload -U compinit && compinit -u -D' "PS1='%% '" >"$scratch/zdot/.zshrc"
        shell_start ZDOTDIR="$scratch/zdot" zsh
        two=(Tab)
    fi
    if [ "$sh" = bash ]; then wait_for "$" 10; else wait_for "%" 10; fi || fail "$sh: no prompt"

    line "poshtiban re" "${two[@]}"
    offered "$sh: poshtiban re<Tab>" reindex report restore recover
    line "poshtiban cre" Tab
    wait_for "poshtiban create" 5 || fail "$sh: poshtiban cre<Tab> completes to create"
    line "poshtiban restore " "${two[@]}"
    offered "$sh: poshtiban restore <Tab>" $names latest
    line "poshtiban settings set offsite." "${two[@]}"
    offered "$sh: settings set offsite.<Tab>" offsite.enabled offsite.repository offsite.keep_daily \
        offsite.password_file
    line "poshtiban settings set ui.bid" Tab
    wait_for "poshtiban settings set ui.bidi" 5 || fail "$sh: a key completes whole"
    line "poshtiban settings set ui.bidi " "${two[@]}"
    offered "$sh: a key's values" terminal auto app
    line "poshtiban restore --dry" Tab
    wait_for "poshtiban restore --dry-run" 5 || fail "$sh: an option completes"
    line "poshtiban -C $scratch/missing restore " "${two[@]}"
    sleep 0.5
    screen | grep -q "poshtiban:" && fail "$sh: an error reached the prompt: [$(screen)]"
    keys C-c
    line "cd $empty" Enter
    line "poshtiban restore " "${two[@]}"
    sleep 0.5
    screen | grep -qE "poshtiban:|rror" && fail "$sh: an error reached the prompt with no catalog: [$(screen)]"
done
expect_eq "the empty folder stayed empty" "" "$(ls -A "$empty")"

finish
