#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Memory stays flat however large the project (README, "Development"): a
# table of 5,000,000 rows and 100,000 small media files, and the peak RSS of
# `create` (default format, with media) stays under 64 MiB, as do those of
# `verify`, `restore --dry-run`, `export --plain`, `ls` (of a folder and
# of everything, printed as read), `restore --path` of one file and `show`
# (text and --json: the report's files are read one entry at a time) of
# that backup, of the TUI's Detail of it scrolled to
# its last file, and of `capture` after 1% of the rows changed. Peak RSS is
# the kernel's (getrusage, through /usr/bin/time %M; the TUI's VmHWM in
# /proc), not a timing.
# - the backup must be complete (every row, every file) and verify, so the
#   test cannot pass by failing early;
# - a binary built with AddressSanitizer is skipped (exit 77): its shadow
#   memory is all the figure would show. scripts/test runs this test (meson
#   suite `memory`, which the default `meson test` leaves out) against its
#   clang build, which has no sanitizers.
# The scratch folder goes to /dev/shm when it is a tmpfs with room: the
# figure is the same there (a file's pages are not the writer's RSS), and
# the 100,000 fsyncs of one file each take minutes on a slow disk.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
    [ "$(df -k --output=avail /dev/shm 2>/dev/null | tail -n 1)" -gt $((4 * 1024 * 1024)) ]; then
    export TMPDIR=/dev/shm
fi
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"
trap 'exit 143' TERM INT # a timeout still removes the scratch folder (in memory, perhaps)
# glibc's perturbation (meson sets it for every test) writes into every
# block malloc hands out: pages a real run never touches would count.
unset MALLOC_PERTURB_

LIMIT_KIB=65536
ROWS=5000000
FOLDERS=100 PER_FOLDER=1000

if grep -q __asan_init "$POSHTIBAN"; then
    echo "SKIP: $POSHTIBAN is built with AddressSanitizer; peak RSS means nothing there" >&2
    exit 77
fi
command -v /usr/bin/time >/dev/null || { echo "SKIP: /usr/bin/time is missing (apt-get install time)" >&2; exit 77; }

# measured NAME ARGS...: runs poshtiban, its peak RSS in KiB in $rss (and the
# output in $out and $err, its status in $status), then checks the limit
measured() {
    local name=$1
    shift
    out=$(/usr/bin/time -f %M -o "$scratch/rss" "$POSHTIBAN" "$@" 2>"$scratch/stderr") && status=0 || status=$?
    err=$(cat "$scratch/stderr")
    rss=$(tail -n 1 "$scratch/rss")
    printf 'peak RSS of %s: %s KiB (%d MiB), limit %s KiB\n' "$name" "$rss" $((rss / 1024)) "$LIMIT_KIB"
    expect_eq "$name exits 0 ($err)" 0 "$status"
    check "$name: peak RSS ${rss} KiB is under ${LIMIT_KIB} KiB" test "$rss" -lt "$LIMIT_KIB"
}

proj=$scratch/proj
mkdir -p "$proj"
t0=$SECONDS
sqlite3 "$proj/db.sqlite3" <<SQL >/dev/null || { fail "cannot make the database"; finish; }
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
CREATE TABLE reading (id INTEGER PRIMARY KEY, sensor INTEGER NOT NULL, value REAL, tag TEXT);
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < $ROWS)
INSERT INTO reading SELECT n, n % 97, n * 0.25, 'r' || (n % 1000) FROM c;
SQL
"$PY" - "$proj/media" "$FOLDERS" "$PER_FOLDER" <<'PY' || { fail "cannot make the media"; finish; }
import os, sys
root, folders, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for d in range(folders):
    folder = os.path.join(root, "uploads-%03d" % d)
    os.makedirs(folder)
    for i in range(per):
        n = d * per + i
        with open(os.path.join(folder, "file-%06d.txt" % n), "w") as f:
            f.write("upload %d\n" % n)
PY
echo "data: $ROWS rows, $((FOLDERS * PER_FOLDER)) media files, made in $((SECONDS - t0)) s"

cd "$proj" || exit 1
t0=$SECONDS
measured create create --json
echo "create: $((SECONDS - t0)) s"
record=$out
expect_eq "create: the backup is complete" completed "$(json_eval 'd.get("status")' <<<"$record" 2>/dev/null)"
expect_eq "create: every row" "$ROWS" "$(json_eval 'd["tables"].get("reading")' <<<"$record" 2>/dev/null)"
name=$(json_eval 'd["name"]' <<<"$record" 2>/dev/null)
[ -n "$name" ] || { fail "create gave no backup name"; finish; }
measured "show --json" show "$name" --json
expect_eq "show --json: every media file is in the backup" $((FOLDERS * PER_FOLDER)) \
    "$(json_eval 'sum(f["path"].startswith("media/") for f in d["files"])' <<<"$out" 2>/dev/null)"
measured show show "$name"
expect_eq "show: a line for every media file" $((FOLDERS * PER_FOLDER)) "$(grep -c ' media/uploads-' <<<"$out")"

t0=$SECONDS
measured verify verify "$name"
echo "verify: $((SECONDS - t0)) s"
t0=$SECONDS
measured "restore --dry-run" restore "$name" --dry-run --yes
echo "restore --dry-run: $((SECONDS - t0)) s"
# export --plain unpacks the snapshot as a stream, twice (sizes and checksums first).
t0=$SECONDS
measured "export --plain" export "$name" --plain -o "$scratch/plain.zip"
echo "export --plain: $((SECONDS - t0)) s"
measured ls ls "$name" media/uploads-000
# ls of the whole backup: its members printed as they are read.
measured "ls --json" ls "$name" --json
expect_eq "ls --json: every media file" $((FOLDERS * PER_FOLDER)) \
    "$(json_eval 'sum(m["type"] == "file" and m["path"].startswith("media/") for m in d["members"])' <<<"$out" 2>/dev/null)"
# One file back: only its own mode is taken from the report's 100,000.
one=media/uploads-000/file-000001.txt
rm -f "$one"
measured "restore --path" restore "$name" --path "$one" --yes
expect_eq "restore --path: the file is back" "upload 1" "$(cat "$one" 2>/dev/null)"
# The TUI's Detail of the backup, scrolled to its last file: its peak RSS
# (VmHWM) read from /proc before it quits.
last=$(printf 'media/uploads-%03d/file-%06d.txt' $((FOLDERS - 1)) $((FOLDERS * PER_FOLDER - 1)))
tui_start 132 40 "$proj"
if wait_for "in all" 30; then
    keys 2
    wait_for "1 backup" 30 || fail "tui: the list never showed"
    keys Enter
    wait_for "r on a media file restores just that file" 120 || fail "tui: the Detail never showed the files"
    keys End
    wait_for "$last" 60 || fail "tui: End never reached $last"
    shell=$(tmux -S "$tmux_socket" list-panes -t tui -F '#{pane_pid}')
    pid=$(pgrep -P "$shell" -x poshtiban | head -n 1)
    rss=$(awk '/^VmHWM:/ {print $2}' "/proc/${pid:-0}/status" 2>/dev/null)
    printf 'peak RSS of the TUI'"'"'s Detail: %s KiB, limit %s KiB\n' "${rss:-?}" "$LIMIT_KIB"
    check "tui: Detail's peak RSS ${rss:-?} KiB is under ${LIMIT_KIB} KiB" test "${rss:-$LIMIT_KIB}" -lt "$LIMIT_KIB"
    keys q
    expect_eq "tui: quits" 0 "$(tui_exit)"
else
    fail "tui: the dashboard never showed"
fi
# A change set after 1% of the rows changed: memory follows the change, not the table.
sqlite3 db.sqlite3 "UPDATE reading SET value = value + 1 WHERE id % 100 = 7" || fail "cannot change the rows"
t0=$SECONDS
measured capture capture --json
echo "capture: $((SECONDS - t0)) s"
expect_eq "capture: every changed row" $((ROWS / 100)) "$(json_eval 'd.get("updated")' <<<"$out" 2>/dev/null)"
finish
