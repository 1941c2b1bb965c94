# SPDX-License-Identifier: GPL-3.0-or-later
# Off-site repositories for the tests of off-site copies, served on 127.0.0.1;
# sourced after lib.sh and after any other lib that sets an EXIT trap.
#   offsite_sftp_start: a private sshd; restic reaches its repository from the
#     repository string alone (OFFSITE_SFTP_REPO, sftp:poshtiban-offsite:/…),
#     through an `ssh` first on PATH that reads the test's own ssh_config.
#   offsite_rest_start: rclone's restic REST server (OFFSITE_REST_REPO).
# Keys, configs, logs and repositories all stay in $scratch: the ssh and
# rclone set-up of whoever runs the tests is neither read nor changed.
# A server stopped keeps its repository; started again it serves the same
# folder, on the same port when that port is still free. Not to be called
# inside $(…): the servers are children of the test's own shell. A test that
# sets its own EXIT trap afterwards calls offsite_servers_stop in it.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
offsite_sshd_pid=
offsite_rest_pid=

# offsite_free_port: a TCP port of 127.0.0.1 that nothing listens on just now.
offsite_free_port() {
    "$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# offsite_alive PID: whether PID runs (a zombie counts as ended).
offsite_alive() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# offsite_listening PID PORT: whether PID itself holds the listening socket
# of 127.0.0.1:PORT, so a port taken by someone else in the meantime never
# passes for a server of ours.
offsite_listening() {
    local inode fd
    if [ ! -r /proc/net/tcp ]; then # a sandbox without it: the port answers, at least
        offsite_alive "$1" && (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null
        return
    fi
    inode=$(awk -v le="$(printf '0100007F:%04X' "$2")" -v be="$(printf '7F000001:%04X' "$2")" \
        '($2 == le || $2 == be) && $4 == "0A" { print $10; exit }' /proc/net/tcp)
    [ -n "$inode" ] || return 1
    for fd in /proc/"$1"/fd/*; do
        [ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ] && return 0
    done
    return 1
}

# offsite_children PID: the processes PID forked (from /proc).
offsite_children() {
    local f stat pid
    for f in /proc/[0-9]*/stat; do
        read -r stat 2>/dev/null <"$f" || continue
        stat=${stat##*) }
        stat=${stat#* }
        [ "${stat%% *}" = "$1" ] || continue
        pid=${f#/proc/}
        echo "${pid%/stat}"
    done
}

# offsite_descendants PID: the processes PID forked, and theirs.
offsite_descendants() {
    local pid
    for pid in $(offsite_children "$1"); do
        echo "$pid"
        offsite_descendants "$pid"
    done
}

# offsite_gone PID: waits up to 5 seconds for PID to end and be reaped; then SIGKILL.
offsite_gone() {
    for _ in $(seq 50); do
        [ -e "/proc/$1" ] || return 0
        sleep 0.1
    done
    offsite_alive "$1" && kill -KILL "$1" 2>/dev/null
    return 0
}

# offsite_end PID: ends a server and every process it forked: sshd's
# connections outlive their listener otherwise. Its children end first, so
# that it reaps them; an orphan would wait for an init that may never reap.
offsite_end() {
    local kids tree p
    kill -STOP "$1" 2>/dev/null # it accepts nothing more while its tree is read
    kids=$(offsite_children "$1")
    tree=$(offsite_descendants "$1")
    kill -TERM $kids 2>/dev/null # an sshd session passes it on to its own child
    kill -CONT "$1" 2>/dev/null
    for p in $tree; do offsite_gone "$p"; done
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 50); do
        offsite_alive "$1" || break
        sleep 0.1
    done
    offsite_alive "$1" && kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# offsite_sftp_start: sets OFFSITE_SFTP_REPO, OFFSITE_SFTP_PORT and
# OFFSITE_SFTP_DIR (the server's folder that holds the repository "repo").
offsite_sftp_start() {
    local d=$scratch/offsite-sftp user attempt port ready
    [ -z "$offsite_sshd_pid" ] || return 0
    user=$(id -un)
    if [ ! -f "$d/ssh_config.in" ]; then
        mkdir -p "$d/bin" "$d/server" || return 1
        if ! ssh-keygen -q -t ed25519 -N '' -C poshtiban-offsite-host -f "$d/host_key" </dev/null ||
            ! ssh-keygen -q -t ed25519 -N '' -C poshtiban-offsite-client -f "$d/client_key" </dev/null; then
            echo "offsite_sftp_start: ssh-keygen failed" >&2
            return 1
        fi
        cp "$d/client_key.pub" "$d/authorized_keys"
        # The host key is known under the alias: the entry holds whatever the port.
        echo "poshtiban-offsite $(cat "$d/host_key.pub")" >"$d/known_hosts"
        # What restic runs as "ssh" (it looks the name up on PATH).
        printf '#!/bin/sh\nexec /usr/bin/ssh -F "%s" "$@"\n' "$d/ssh_config" >"$d/bin/ssh"
        chmod 755 "$d/bin/ssh"
        cat >"$d/ssh_config.in" <<EOF
Host poshtiban-offsite
    HostName 127.0.0.1
    Port @PORT@
    User $user
    IdentityFile "$d/client_key"
    IdentitiesOnly yes
    IdentityAgent none
    HostKeyAlias poshtiban-offsite
    UserKnownHostsFile "$d/known_hosts"
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    UpdateHostKeys no
    CheckHostIP no
    BatchMode yes
    ConnectTimeout 5
    ServerAliveInterval 5
    ServerAliveCountMax 2
    ControlMaster no
    ControlPath none
    LogLevel ERROR
EOF
        # internal-sftp serves even a user whose shell is nologin; StrictModes
        # no and UsePAM no let a normal user run it as well as root in CI.
        # Without PAM, sshd refuses an account whose password is locked ("!"
        # in /etc/shadow, which only root's sshd reads): its log says so.
        cat >"$d/sshd_config.in" <<EOF
ListenAddress 127.0.0.1
Port @PORT@
HostKey "$d/host_key"
PidFile "$d/sshd.pid"
AuthorizedKeysFile "$d/authorized_keys"
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $user
StrictModes no
UsePAM no
UseDNS no
PrintMotd no
X11Forwarding no
AllowTcpForwarding no
Subsystem sftp internal-sftp
EOF
    fi
    # As root, sshd needs its (empty) privilege separation folder, which a
    # fresh machine or container may lack until the ssh service first starts:
    # the one thing these servers make outside $scratch.
    if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ] && ! mkdir -m 0755 /run/sshd; then
        echo "offsite_sftp_start: cannot make /run/sshd" >&2
        return 1
    fi
    # A free port can be taken before sshd binds it: another port, twice.
    for attempt in 1 2 3; do
        if [ "$attempt" = 1 ] && [ -n "${OFFSITE_SFTP_PORT:-}" ]; then
            port=$OFFSITE_SFTP_PORT
        else
            port=$(offsite_free_port) || return 1
        fi
        sed "s/@PORT@/$port/" "$d/sshd_config.in" >"$d/sshd_config"
        sed "s/@PORT@/$port/" "$d/ssh_config.in" >"$d/ssh_config"
        chmod 600 "$d/ssh_config"
        if ! /usr/sbin/sshd -t -f "$d/sshd_config" 2>"$d/sshd-t.err"; then
            echo "offsite_sftp_start: sshd refuses its configuration: $(cat "$d/sshd-t.err")" >&2
            return 1
        fi
        echo "offsite: sshd on 127.0.0.1:$port" >>"$d/sshd.log"
        /usr/sbin/sshd -D -e -f "$d/sshd_config" </dev/null >>"$d/sshd.log" 2>&1 &
        offsite_sshd_pid=$!
        # Listening, then one real session: the host key proves it is ours.
        ready=0
        for _ in $(seq 200); do
            offsite_alive "$offsite_sshd_pid" || break
            if offsite_listening "$offsite_sshd_pid" "$port"; then
                "$d/bin/ssh" poshtiban-offsite -s sftp </dev/null >/dev/null 2>"$d/probe.err" && ready=1
                break
            fi
            sleep 0.1
        done
        if [ "$ready" = 1 ]; then
            export OFFSITE_SFTP_PORT=$port OFFSITE_SFTP_DIR=$d/server
            export OFFSITE_SFTP_REPO=sftp:poshtiban-offsite:$d/server/repo
            case ":$PATH:" in *":$d/bin:"*) ;; *) export PATH=$d/bin:$PATH ;; esac
            return 0
        fi
        offsite_end "$offsite_sshd_pid"
        offsite_sshd_pid=
    done
    echo "offsite_sftp_start: sshd did not serve on 127.0.0.1: $(tail -n 5 "$d/sshd.log") $(cat "$d/probe.err" 2>/dev/null)" >&2
    return 1
}

# offsite_sftp_stop: the port stops answering; the repository stays on disk
# and restic keeps finding the ssh wrapper, so it gets "connection refused".
offsite_sftp_stop() {
    [ -n "$offsite_sshd_pid" ] || return 0
    offsite_end "$offsite_sshd_pid"
    offsite_sshd_pid=
}

# offsite_rest_start: sets OFFSITE_REST_REPO, OFFSITE_REST_PORT and
# OFFSITE_REST_DIR (the folder served, which is the repository).
offsite_rest_start() {
    local d=$scratch/offsite-rest attempt port ready
    [ -z "$offsite_rest_pid" ] || return 0
    mkdir -p "$d/repo" "$d/cache" || return 1
    # An empty configuration of its own: no remote of the user's is read.
    [ -f "$d/rclone.conf" ] || : >"$d/rclone.conf"
    for attempt in 1 2 3; do
        if [ "$attempt" = 1 ] && [ -n "${OFFSITE_REST_PORT:-}" ]; then
            port=$OFFSITE_REST_PORT
        else
            port=$(offsite_free_port) || return 1
        fi
        echo "offsite: rclone on 127.0.0.1:$port" >>"$d/rclone.log"
        rclone serve restic --config "$d/rclone.conf" \
            --cache-dir "$d/cache" --temp-dir "$d/cache" --addr "127.0.0.1:$port" "$d/repo" \
            </dev/null >>"$d/rclone.log" 2>&1 &
        offsite_rest_pid=$!
        ready=0
        for _ in $(seq 200); do
            offsite_alive "$offsite_rest_pid" || break
            if offsite_listening "$offsite_rest_pid" "$port"; then
                ready=1
                break
            fi
            sleep 0.1
        done
        if [ "$ready" = 1 ]; then
            export OFFSITE_REST_PORT=$port OFFSITE_REST_DIR=$d/repo
            export OFFSITE_REST_REPO=rest:http://127.0.0.1:$port/
            return 0
        fi
        offsite_end "$offsite_rest_pid"
        offsite_rest_pid=
    done
    echo "offsite_rest_start: rclone serve restic did not listen on 127.0.0.1: $(tail -n 5 "$d/rclone.log")" >&2
    return 1
}

offsite_rest_stop() {
    [ -n "$offsite_rest_pid" ] || return 0
    offsite_end "$offsite_rest_pid"
    offsite_rest_pid=
}

offsite_servers_stop() {
    offsite_sftp_stop
    offsite_rest_stop
}

# The servers stop first, then whatever was to run at exit (lib.sh's cleanup
# removes $scratch, which they still use).
offsite_chain_exit_trap() {
    eval "set -- $(trap -p EXIT)" # trap -- 'COMMAND' EXIT
    trap "offsite_servers_stop; ${3:-:}" EXIT
}
offsite_chain_exit_trap
