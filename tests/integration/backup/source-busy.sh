#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A source database held by another process's exclusive lock: create waits
# for it, but not past a SIGTERM (it stops within a moment and leaves
# nothing), and after the wait it fails with exit 1 and says "busy", not
# "bad input".
. "$(dirname "$0")/../lib/lib.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
# The holder sleeps on the real clock (faketime, when the suite runs under it, breaks its sleep).
env -u LD_PRELOAD "$PY" -c 'import sqlite3, sys, time
c = sqlite3.connect("db.sqlite3", isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[1], "w").write("locked")
time.sleep(90)' "$scratch/locked" &
holder=$!
trap 'kill $holder 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do [ -e "$scratch/locked" ] && break; sleep 0.1; done

# SIGTERM during the wait: out within a moment.
"$POSHTIBAN" create </dev/null >/dev/null 2>"$scratch/term.err" &
pid=$!
sleep 2
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
code=$?
took=$((($(date +%s%N) - start) / 1000000))
check "SIGTERM while waiting for the lock: ended in ${took} ms" test "$took" -lt 3000
check "SIGTERM: not exit 0 ($code)" test "$code" != 0
expect_eq "SIGTERM: nothing left in tmp" "" "$(ls -A backups/.poshtiban/tmp 2>/dev/null)"

# The whole wait: exit 1, "busy".
run_pt create </dev/null
expect_eq "locked source: exit 1, not 2 ($err)" 1 "$status"
case $err in *"is busy"*) ;; *) fail "the error says busy: [$err]" ;; esac
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
run_pt create </dev/null
expect_eq "once the lock is gone, create works ($err)" 0 "$status"
finish
