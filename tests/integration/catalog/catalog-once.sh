#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The core resolves once (README, "Development"): every command opens the
# catalog file once, counted with strace (openat of catalog.sqlite3 itself,
# not its -journal or -wal), whatever it does with it afterwards.
. "$SOURCE_ROOT/tests/integration/lib/lib.sh"
if ! command -v strace >/dev/null; then
    echo "strace is not installed (Debian package strace)" >&2
    exit 77
fi
unset LANGUAGE LANG
export LC_ALL=C.UTF-8 TZ=UTC POSHTIBAN_TEST_NOW=2026-03-01T10:00:00Z
export POSHTIBAN_RESTIC_PASSWORD='pw-once-4fT9' RESTIC_CACHE_DIR=$scratch/restic-cache
export HOME=$scratch/home
mkdir -p "$HOME"
fake_crontab
export PATH=$scratch/bin:$PATH
# LeakSanitizer cannot work under ptrace; the other tests look for leaks.
no_leaks=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

proj=$scratch/p
make_project "$proj"

# once WHAT ARGS…: poshtiban -C $proj ARGS under strace; fails unless it opened the catalog once.
once() {
    local what=$1 n
    shift
    ASAN_OPTIONS=$no_leaks strace -f -qq -e trace=openat,open -o "$scratch/trace" \
        "$POSHTIBAN" -C "$proj" "$@" \
        >"$scratch/out" 2>"$scratch/err" </dev/null && status=0 || status=$?
    n=$(grep -c 'catalog\.sqlite3"' "$scratch/trace")
    expect_eq "$what: opens of the catalog ($(head -c 300 "$scratch/err"))" 1 "$n"
}
# once_ok WHAT ARGS…: the same, and the command succeeded.
once_ok() {
    once "$@"
    expect_eq "$1: exit status ($(head -c 300 "$scratch/err"))" 0 "$status"
}

# A command that makes the catalog opens it once too.
once_ok "settings set (new catalog)" settings set backup.compress false
once_ok "create" create --name first
once_ok "create (second)" create --name second
once_ok "list" list
once_ok "list --json" list --json
once_ok "show" show first
once_ok "report" report first
once_ok "ls" ls first
once_ok "stats" stats
once_ok "verify" verify first
once_ok "verify --all" verify --all
once_ok "settings get" settings get backup.compress
once_ok "settings list" settings list
once_ok "settings set" settings set retention.max_backups 5
once_ok "pin" pin first
once_ok "unpin" unpin first
once_ok "export" export first -o "$scratch/first.zip"
once_ok "restore --dry-run" restore first --dry-run
once_ok "restore --yes" restore first --yes
once_ok "prune --dry-run" prune --dry-run
once_ok "prune --yes" prune --yes
once_ok "reindex" reindex
sqlite3 "$proj/db.sqlite3" "INSERT INTO investor (name, share) VALUES ('new', 0.1)"
once_ok "capture" capture
once_ok "changes" changes
once_ok "auto" auto
once "doctor" doctor
once_ok "cron status" cron status
once_ok "cron install" cron install
once_ok "cron remove" cron remove
# watch runs until stopped: its captures go through the one catalog too.
ASAN_OPTIONS=$no_leaks strace -f -qq -e trace=openat,open -o "$scratch/trace" timeout -s INT 3 "$POSHTIBAN" -C "$proj" \
    watch --interval 1 >"$scratch/out" 2>"$scratch/err" </dev/null
expect_eq "watch: opens of the catalog" 1 "$(grep -c 'catalog\.sqlite3"' "$scratch/trace")"

# Off-site: a local restic repository.
once_ok "settings set offsite.repository" settings set offsite.repository "$scratch/repo"
once_ok "offsite init" offsite init
once_ok "push" push first
once_ok "offsite list" offsite list
once_ok "offsite check" offsite check
once_ok "offsite prune --dry-run" offsite prune --dry-run
once_ok "delete" delete first --yes
once_ok "pull" pull first
fresh=$scratch/fresh
mkdir -p "$fresh"
proj=$fresh once_ok "recover (a new folder)" recover --repository "$scratch/repo"

finish
