#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The servers the off-site tests copy to (lib-offsite-servers.sh) work with
# restic alone, given the repository and the password in its environment
# only: over SFTP and over REST, init, a backup, one snapshot listed, and a
# restore of the same bytes. With sshd stopped restic fails, within a minute,
# and the repository stays; started again, the same repository string serves
# it. Stopping leaves no process behind, and the ssh and rclone set-up of
# whoever runs the tests is left as it was.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-offsite-servers.sh"

export RESTIC_PASSWORD='پشتیبان offsite'
# restic's cache, which would go to ~/.cache, stays in the scratch folder.
export RESTIC_CACHE_DIR=$scratch/restic-cache
unset RESTIC_PASSWORD_FILE RESTIC_PASSWORD_COMMAND RESTIC_REPOSITORY_FILE
unset RCLONE_CONFIG

# home_state: the user's ssh and rclone files, as a listing to compare.
home_state() {
    ls -la --time-style=full-iso "$HOME/.ssh" "$HOME/.config/rclone" "$HOME/.cache/rclone" 2>&1
    sha256sum "$HOME/.ssh/known_hosts" 2>&1
}
home_before=$(home_state)

# restic_ok WHAT ARGS...: restic ARGS on $RESTIC_REPOSITORY; output in $scratch/restic.out.
restic_ok() {
    local what=$1
    shift
    if ! timeout 120 restic "$@" </dev/null >"$scratch/restic.out" 2>&1; then
        fail "$what: restic $*: $(tail -n 5 "$scratch/restic.out")"
        return 1
    fi
}

# closed PORT: whether nothing answers on 127.0.0.1:PORT.
closed() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ms_since NANOSECONDS: milliseconds since that `date +%s%N`.
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

src=$scratch/src
make_project "$src"

# roundtrip NAME: init, backup, snapshots and restore on $RESTIC_REPOSITORY.
roundtrip() {
    local name=$1 target=$scratch/restored-$1
    restic_ok "$name: init" init || return
    restic_ok "$name: backup" backup "$src" || return
    restic_ok "$name: snapshots" snapshots --json || return
    expect_eq "$name: one snapshot" 1 "$(json_eval 'len(d)' <"$scratch/restic.out")"
    expect_eq "$name: of the project" "['$src']" "$(json_eval 'd[0]["paths"]' <"$scratch/restic.out")"
    restic_ok "$name: restore" restore latest --target "$target" || return
    check "$name: the restore has the same bytes" diff -r "$src" "$target$src"
}

started=$(date +%s%N)
offsite_sftp_start || exit 1
echo "sshd answered after $(ms_since "$started") ms on port $OFFSITE_SFTP_PORT"
started=$(date +%s%N)
offsite_rest_start || exit 1
echo "rclone serve restic answered after $(ms_since "$started") ms on port $OFFSITE_REST_PORT"
expect_eq "the sftp repository string" "sftp:poshtiban-offsite:$OFFSITE_SFTP_DIR/repo" "$OFFSITE_SFTP_REPO"
expect_eq "the REST repository string" "rest:http://127.0.0.1:$OFFSITE_REST_PORT/" "$OFFSITE_REST_REPO"

export RESTIC_REPOSITORY=$OFFSITE_SFTP_REPO
roundtrip sftp
check "the sftp repository is in the server's folder" test -f "$OFFSITE_SFTP_DIR/repo/config"
export RESTIC_REPOSITORY=$OFFSITE_REST_REPO
roundtrip rest
check "the REST repository is the folder served" test -f "$OFFSITE_REST_DIR/config"

# sshd stopped: restic fails, and fails by itself, not by the timeout.
offsite_sftp_stop
check "the sftp port is closed" closed "$OFFSITE_SFTP_PORT"
export RESTIC_REPOSITORY=$OFFSITE_SFTP_REPO
started=$(date +%s%N)
timeout 60 restic snapshots </dev/null >"$scratch/down.out" 2>&1 && status=0 || status=$?
echo "with sshd stopped, restic gave up after $(ms_since "$started") ms"
case $status in
    0) fail "with sshd stopped, restic snapshots fails" ;;
    124) fail "with sshd stopped, restic snapshots gives up within 60 s" ;;
esac
check "with sshd stopped, the repository stays" test -f "$OFFSITE_SFTP_DIR/repo/config"

# Started again: the same repository string, the same snapshot.
offsite_sftp_start || exit 1
restic_ok "sftp again: snapshots" snapshots --json &&
    expect_eq "sftp again: the snapshot is still there" 1 "$(json_eval 'len(d)' <"$scratch/restic.out")"

# Nothing runs after offsite_servers_stop, not even the sshd processes of a
# session still open then; and that session's client sees the end.
mkfifo "$scratch/session.in"
ssh poshtiban-offsite -s sftp <"$scratch/session.in" >/dev/null 2>&1 &
client=$!
exec 3>"$scratch/session.in"
for _ in $(seq 100); do
    [ -n "$(offsite_descendants "$offsite_sshd_pid")" ] && break
    sleep 0.1
done
check "an sftp session is open" test -n "$(offsite_descendants "$offsite_sshd_pid")"
pids="$offsite_sshd_pid $offsite_rest_pid $(offsite_descendants "$offsite_sshd_pid")"
ports="$OFFSITE_SFTP_PORT $OFFSITE_REST_PORT"
offsite_servers_stop
for p in $pids; do
    offsite_alive "$p" && fail "process $p still runs: $(tr '\0' ' ' <"/proc/$p/cmdline")"
done
for p in $ports; do
    check "port $p is closed" closed "$p"
done
for _ in $(seq 100); do
    offsite_alive "$client" || break
    sleep 0.1
done
offsite_alive "$client" && fail "the session's ssh client ends with the server" && kill "$client"
wait "$client" 2>/dev/null
exec 3>&-
check "sshd removed its pid file" test ! -e "$scratch/offsite-sftp/sshd.pid"
check "stopping twice is harmless" offsite_servers_stop

expect_eq "the user's ssh and rclone files are as they were" "$home_before" "$(home_state)"
finish
