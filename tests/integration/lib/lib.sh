# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the integration tests: a scratch folder, checks that name what broke.
set -u
: "${POSHTIBAN:?POSHTIBAN must name the built poshtiban binary}"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"
PY=/usr/bin/python3
failures=0

scratch=$(mktemp -d "${TMPDIR:-/tmp}/poshtiban-it.XXXXXX")
cleanup() { chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if ! "$@"; then fail "$what"; fi
}

expect_eq() { # expect_eq DESCRIPTION EXPECTED ACTUAL
    if [ "$2" != "$3" ]; then fail "$1: expected [$2], got [$3]"; fi
}

# run_pt: runs poshtiban, keeps stdout in $out, stderr in $err, status in $status.
run_pt() {
    out=$("$POSHTIBAN" "$@" 2>"$scratch/stderr") && status=0 || status=$?
    err=$(cat "$scratch/stderr")
}

# json_get FILE-OR-TEXT EXPRESSION: evaluates a Python expression on the parsed JSON `d`.
json_eval() {
    "$PY" -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1"
}

# A small project: a SQLite database with Persian text and a media folder.
make_project() { # make_project DIR
    mkdir -p "$1/media/docs"
    sqlite3 "$1/db.sqlite3" <<'SQL'
CREATE TABLE investor (id INTEGER PRIMARY KEY, name TEXT NOT NULL, share REAL);
INSERT INTO investor (name, share) VALUES ('مریم', 0.5), ('رضا‌زاده', 0.25), ('Sam 🏠', 0.25);
CREATE TABLE unit (id INTEGER PRIMARY KEY, investor_id INTEGER REFERENCES investor(id), area REAL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO unit (investor_id, area) SELECT 1 + i % 3, i * 1.5 FROM n;
SQL
    printf 'قرارداد' >"$1/media/docs/contract.txt"
    head -c 100000 /dev/urandom >"$1/media/photo.bin"
}

# plain_files DIR: the project's dir backups hold plain files (backup.compress
# false), for tests about other things that read the snapshot with sqlite3.
plain_files() {
    "$POSHTIBAN" -C "$1" settings set backup.compress false >/dev/null || fail "plain_files $1"
}

# on_pty OUT ARGS…: poshtiban ARGS on a 100x30 pseudo-terminal (stdin, stdout
# and stderr on it, nobody typing); the screen's bytes in OUT, the status in $status.
on_pty() {
    local out=$1 cmd
    shift
    printf -v cmd '%q ' "$POSHTIBAN" "$@"
    SHELL=/bin/sh script -qec "stty cols 100 rows 30 && exec $cmd" /dev/null </dev/null >"$out" 2>&1 &&
        status=0 || status=$?
}

# fake_crontab: crontab(1) as a file, speaking its protocol (-l, -), at
# $scratch/bin/crontab; the table is $FAKE_CRONTAB. The machine's stays as it is.
fake_crontab() {
    mkdir -p "$scratch/bin"
    export FAKE_CRONTAB=$scratch/crontab
    cat >"$scratch/bin/crontab" <<'SH'
#!/bin/sh
case "$*" in
    -l) [ -f "$FAKE_CRONTAB" ] && exec cat "$FAKE_CRONTAB"; echo "no crontab for $(id -un)" >&2; exit 1 ;;
    -) cat >"$FAKE_CRONTAB.new" && mv "$FAKE_CRONTAB.new" "$FAKE_CRONTAB" ;;
    *) echo "crontab stand-in: unsupported: $*" >&2; exit 2 ;;
esac
SH
    chmod +x "$scratch/bin/crontab"
}

# A part of a test that only some machines can run (a tmpfs or a bind mount
# to make, a file system with holes, git) is a meson test of its own, NAME-PART:
# the same script with PART as its argument (tests/meson.build,
# integration_parts). That run goes through the script's set-up, runs the
# part and stops there; the main run (no argument) leaves the part out. A
# part that cannot run here exits 77, which meson counts as skipped, never
# as passed.
PART=${1:-}
part_seen=
part_begins() { # part_begins NAME: true in part NAME's own run
    if [ "$PART" = "$1" ]; then
        part_seen=1
        return 0
    fi
    return 1
}
skip_part() { # skip_part WHY: this part cannot run on this machine
    if [ "$failures" -gt 0 ]; then finish; fi
    echo "SKIP (part $PART): $*" >&2
    exit 77
}

finish() {
    if [ -n "$PART" ] && [ -z "$part_seen" ]; then fail "this test has no part $PART"; fi
    if [ "$failures" -gt 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    exit 0
}
