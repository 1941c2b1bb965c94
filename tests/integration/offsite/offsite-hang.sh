#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 20, point 6: failures that say what happened, fast. A real REST
# server (rclone serve restic on 127.0.0.1) stopped (SIGSTOP) while restic
# backs up: the push fails within a minute saying that the repository
# stopped answering, not restic's lock-cleanup noise, and meanwhile a
# `create` and an `auto` complete (the push holds only the off-site lock).
# kill -9 of poshtiban during a push leaves no restic behind. A repository
# locked by another restic names who holds it and says not to unlock it.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"
. "$(dirname "$0")/../lib/lib-offsite-servers.sh"

proj=$scratch/proj
make_project "$proj"
head -c 8000000 /dev/urandom >"$proj/media/big.bin"
cd "$proj" || exit 1
offsite_rest_start || exit 1
repo=$OFFSITE_REST_REPO
pt_ok settings set offsite.repository "$repo"
pt_ok offsite init
new_backup --name first || exit 1

# ms_since NANOSECONDS: milliseconds since that `date +%s%N`.
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# restic_of PID: the restic that PID (poshtiban) runs with `backup`, once it runs (30 s at most).
restic_of() {
    local kid
    for _ in $(seq 300); do
        for kid in $(offsite_children "$1"); do
            case $(tr '\0' ' ' <"/proc/$kid/cmdline" 2>/dev/null) in
                restic\ backup*) echo "$kid" && return 0 ;;
            esac
        done
        sleep 0.1
    done
    return 1
}

# push_bg NAME: `poshtiban push NAME` in the background; its pid in $push_pid,
# its exit status in $scratch/push.rc once it ends.
push_bg() {
    rm -f "$scratch/push.rc" "$scratch/push.end"
    ("$POSHTIBAN" push "$1" </dev/null >"$scratch/push.out" 2>"$scratch/push.err"
    echo $? >"$scratch/push.rc"
    date +%s%N >"$scratch/push.end") &
    push_pid=$!
}

# --- the server stops while restic backs up ---------------------------------
pt_ok settings set offsite.enabled true
pt_ok settings set auto.enabled true
push_bg first
# The subshell forks poshtiban: find it, then its restic.
pt_pid=
for _ in $(seq 100); do
    pt_pid=$(offsite_children "$push_pid" | head -n 1)
    [ -n "$pt_pid" ] && break
    sleep 0.05
done
restic_pid=$(restic_of "$pt_pid") || fail "push runs restic backup"
kill -STOP "$offsite_rest_pid"
stopped=$(date +%s%N)

# Meanwhile: a create and an auto complete, never "busy".
run_pt create --name during </dev/null
expect_eq "a create during the hung push completes ($err)" 0 "$status"
run_pt auto </dev/null
expect_eq "an auto during the hung push completes ($err)" 0 "$status"

for _ in $(seq 1800); do
    [ -s "$scratch/push.end" ] && break
    sleep 0.1
done
took=$((($(cat "$scratch/push.end" 2>/dev/null || date +%s%N) - stopped) / 1000000))
echo "the push ended $took ms after the server stopped"
expect_eq "the hung push fails" 1 "$(cat "$scratch/push.rc" 2>/dev/null)"
check "the hung push fails within 90 s (it took $took ms)" [ "$took" -lt 90000 ]
perr=$(cat "$scratch/push.err")
case $perr in *"stopped answering"*) ;; *) fail "the push says the repository stopped answering: [$perr]" ;; esac
case $perr in *lock*) fail "the push reports the cause, not restic's lock noise: [$perr]" ;; esac
case $perr in *"127.0.0.1:$OFFSITE_REST_PORT"*) ;; *) fail "the push names the repository: [$perr]" ;; esac
err_first=$(offsite_of first 'o["error"]')
case $err_first in *"stopped answering"*) ;; *) fail "the record keeps the cause: [$err_first]" ;; esac
if offsite_alive "$restic_pid"; then fail "restic of the hung push is gone"; fi
pt_ok list --json
expect_eq "the backups taken meanwhile are there" "3" "$(echo "$out" | json_eval 'd["total"]')"
kill -CONT "$offsite_rest_pid"

# The server back: the same push works.
pt_ok push first
expect_eq "with the server back, the push works" True "$(offsite_of first 'o["snapshot"] is not None and o["error"] is None')"

# --- kill -9 of poshtiban during a push: no restic runs on -------------------
pt_ok settings set offsite.enabled false
new_backup --name killed || exit 1
push_bg killed
pt_pid=
for _ in $(seq 100); do
    pt_pid=$(offsite_children "$push_pid" | head -n 1)
    [ -n "$pt_pid" ] && break
    sleep 0.05
done
restic_pid=$(restic_of "$pt_pid") || fail "push runs restic backup (kill -9)"
kill -STOP "$offsite_rest_pid"
kill -KILL "$pt_pid"
wait "$push_pid" 2>/dev/null
gone=0
for _ in $(seq 100); do
    offsite_alive "$restic_pid" || {
        gone=1
        break
    }
    sleep 0.1
done
expect_eq "restic ended with poshtiban (kill -9)" 1 "$gone"
for p in $(pgrep -x restic); do
    offsite_alive "$p" && tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "RESTIC_REPOSITORY=$repo" &&
        fail "no restic of this test runs on (pgrep: $p)"
done
offsite_alive "$restic_pid" && kill -KILL "$restic_pid"
kill -CONT "$offsite_rest_pid"

# --- a repository locked by another restic: who, and not to unlock -----------
# The killed restic could not remove its lock from the stopped server: the
# server's folder is cleared of it, so that the lock seen next is the prune's.
rm -f "$OFFSITE_REST_DIR"/locks/*
# A prune of this small repository is quick: stopped while its lock is there (a few tries).
for _ in 1 2 3 4 5; do
    RESTIC_REPOSITORY=$repo RESTIC_PASSWORD=$password restic prune </dev/null >/dev/null 2>&1 &
    prune_pid=$!
    for _ in $(seq 400); do
        [ -n "$(ls "$OFFSITE_REST_DIR/locks" 2>/dev/null)" ] && break
        sleep 0.01
    done
    kill -STOP "$prune_pid"
    [ -n "$(ls "$OFFSITE_REST_DIR/locks" 2>/dev/null)" ] && break
    kill -CONT "$prune_pid"
    wait "$prune_pid"
done
run_pt push killed </dev/null
kill -CONT "$prune_pid"
wait "$prune_pid"
expect_eq "push to a locked repository fails" 1 "$status"
case $err in *"locked by another restic"*"PID $prune_pid"*"do not unlock"*) ;; *) fail "the lock's holder is named, with the warning: [$err]" ;; esac
case $err in *"unlock\` command"* | *"remove stale locks"*) fail "no bare unlock advice: [$err]" ;; esac
pt_ok push killed
finish
