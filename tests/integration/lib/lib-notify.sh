# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the automation tests (issue 6); sourced after lib.sh.
# Loopback only: no proxy may stand between poshtiban and the test's listeners.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export TZ=UTC
sinks_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

sink_pids=()
mounts=()
# The scratch folder goes last: listeners stopped and mounts undone first.
stop_everything() {
    local p i
    for p in "${sink_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" 2>/dev/null; done
    cleanup
}
trap stop_everything EXIT

# try_mount DIR ARGS...: mount ARGS on DIR (made first); false when not allowed here.
try_mount() {
    local dir=$1
    shift
    mkdir -p "$dir"
    if mount "$@" "$dir" 2>/dev/null; then
        mounts+=("$dir")
        return 0
    fi
    return 1
}

# start_sink SCRIPT DIR: runs a listener of tests/integration/lib and waits for
# its port, which it leaves in $sink_port (not to be called inside $(…)).
start_sink() {
    mkdir -p "$2"
    "$PY" "$sinks_dir/$1" "$2" >"$2/stdout" 2>"$2/stderr" </dev/null &
    sink_pids+=($!)
    local i
    sink_port=
    for i in $(seq 100); do
        if [ -s "$2/port" ]; then
            sink_port=$(cat "$2/port")
            return 0
        fi
        sleep 0.1
    done
    echo "FAIL: $1 did not start: $(cat "$2/stderr")" >&2
    return 1
}

# stop_last_sink: kills the listener started last (its port stops answering).
stop_last_sink() {
    local p=${sink_pids[-1]}
    kill "$p" 2>/dev/null
    wait "$p" 2>/dev/null
}

# mails DIR: how many messages the SMTP sink saved.
mails() { ls "$1" 2>/dev/null | grep -c '\.eml$'; }

# mail_eval FILE EXPRESSION: a Python expression on one saved message, with
# raw (the Subject header as sent), subject (decoded), body (decoded text), msg.
mail_eval() {
    "$PY" - "$1" "$2" <<'PY'
import email, sys
from email.header import decode_header, make_header
data = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(data)
raw = msg.get("Subject")
subject = str(make_header(decode_header(raw)))
body = msg.get_payload(decode=True).decode("utf-8")
print(eval(sys.argv[2]))
PY
}
