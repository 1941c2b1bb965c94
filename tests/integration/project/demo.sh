#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# README "Two commands": `scripts/demo` in a fresh copy of the repository, on a
# 100x30 terminal, builds into build/, makes the demo project, takes its first
# backup and opens the TUI on the dashboard with that one completed backup.
# The copy holds exactly the tracked files as they are in the working tree, so
# uncommitted work is tested too, and nothing already built is reused.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"
command -v git >/dev/null || { echo "git is not installed" >&2; exit 1; }

clone=$scratch/clone
mkdir -p "$clone"
# Tracked files only (a tracked file deleted in the work tree is simply absent).
git -C "$SOURCE_ROOT" ls-files -z |
    tar -C "$SOURCE_ROOT" --null -T - --ignore-failed-read -cf - 2>/dev/null |
    tar -C "$clone" -xf - || fail "copying the tracked files"
git -C "$clone" init -q || fail "git init in the copy"
check "the copy has scripts/demo" test -x "$clone/scripts/demo"
check "the copy has no build yet" test ! -e "$clone/build"

# In tmux at 100x30, through `script` so that every byte the demo prints
# (the build, the first backup, the TUI) is kept in demo.log; its exit status
# (the TUI's, which it execs) goes to $scratch/exit.
log=$scratch/demo.log
tmux_socket=$scratch/tmux.demo.sock
rm -f "$scratch/exit"
printf -v run 'cd %q && env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 script -qefc scripts/demo %q; echo $? >%q; sleep 600' \
    "$clone" "$log" "$scratch/exit"
tmux -S "$tmux_socket" -f /dev/null new-session -d -s tui -x 100 -y 30 "$run"
tmux -S "$tmux_socket" set-option -t tui status off >/dev/null

# Configuring and compiling a whole build takes minutes on a small machine:
# look once a second until the dashboard is up or the demo has ended.
started=$SECONDS
while [ $((SECONDS - started)) -lt 780 ] && [ ! -s "$scratch/exit" ]; do
    screen | grep -qF "Latest backups" && break
    sleep 1
done
echo "demo: waited $((SECONDS - started)) s for the dashboard" >&2
# A crash or a failed step anywhere in what the demo printed (stdin), line by line.
crash_lines() { tr '\r' '\n' | grep -aE 'Segmentation fault|core dumped|setup: failed|make-demo: could not'; }
if ! wait_for "Latest backups" 5; then
    crash=$(crash_lines <"$log") && fail "scripts/demo crashed or failed before the TUI opened: $crash"
    fail "scripts/demo never showed the TUI's dashboard (exit status $(tui_exit)); the end of what it printed:"
    sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$log" | tr -d '\r' | tail -n 40 >&2
    finish
fi
expect_screen "the dashboard's first pane" "Dashboard"
expect_screen "one backup, completed" "1 in all · 1 completed · 0 failed"
expect_screen "the data is backed up" "✓ Backed up"
sleep 0.5
dashboard=$(screen)
keys q
expect_eq "q leaves the TUI with status 0" 0 "$(tui_exit)"
crash=$({ printf '%s\n' "$dashboard"; screen; cat "$log"; } | crash_lines) &&
    fail "the demo crashed or failed: $crash"
check "the build is in the copy's build/" test -x "$clone/build/src/cli/poshtiban"

# The demo project's catalog: exactly one backup, completed, the one on the dashboard.
catalog=$("$clone/build/src/cli/poshtiban" -C "$clone/build/demo-project" list --json) ||
    fail "list --json on the demo project"
expect_eq "the demo's catalog holds one completed backup" "1 completed" \
    "$(printf '%s' "$catalog" | json_eval '"%d %s" % (d["total"], ",".join(r["status"] for r in d["backups"]))')"
name=$(printf '%s' "$catalog" | json_eval 'd["backups"][0]["name"] if d["backups"] else ""')
case $dashboard in
    *"✓ $name "*) ;;
    *) fail "the dashboard's latest backups list $name, completed:"$'\n'"$dashboard" ;;
esac
finish
