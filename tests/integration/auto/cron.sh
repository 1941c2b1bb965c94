#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 6, acceptance 2: `cron install|remove|status` through a stand-in
# `crontab` on $PATH that speaks the real protocol (`crontab -l` prints the
# table or says "no crontab for USER" and exits 1; `crontab -` reads a new
# table on stdin). The round trip keeps every other line byte-identical;
# installing twice leaves one line; the installed line, run by `sh -c` after
# cron's own % processing, works for a project path with spaces, quotes, $,
# backquotes and %.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"

mkdir -p "$scratch/bin"
export FAKE_CRONTAB=$scratch/crontab
cat >"$scratch/bin/crontab" <<'SH'
#!/bin/sh
# A stand-in for crontab(1): the table is the file $FAKE_CRONTAB.
case "$*" in
    -l)
        if [ -f "$FAKE_CRONTAB" ]; then exec cat "$FAKE_CRONTAB"; fi
        echo "no crontab for $(id -un)" >&2
        exit 1 ;;
    -)
        if [ -n "$FAKE_CRONTAB_REFUSE" ]; then echo "crontab: $FAKE_CRONTAB_REFUSE" >&2; exit 1; fi
        cat >"$FAKE_CRONTAB.new" && mv "$FAKE_CRONTAB.new" "$FAKE_CRONTAB" ;;
    *)
        echo "crontab stand-in: unsupported: $*" >&2
        exit 2 ;;
esac
SH
chmod +x "$scratch/bin/crontab"
export PATH=$scratch/bin:$PATH

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1

ours() { grep -c 'poshtiban-auto' "$FAKE_CRONTAB"; }

# No crontab at all yet.
pt_ok cron status --json
expect_eq "status without a crontab: not installed" "False None" "$(echo "$out" | json_eval 'str(d["installed"]) + " " + str(d["crontab_error"])')"
pt_ok cron install
expect_eq "install into no crontab: one line" 1 "$(ours)"
pt_ok cron remove
expect_eq "remove leaves an empty table" "" "$(cat "$FAKE_CRONTAB")"

# A table with comments, odd spacing, environment lines, Persian text, a
# tab, a line without a final newline before ours, and another project's line.
printf '%s\n' \
    '# m h  dom mon dow   command' \
    'SHELL=/bin/bash' \
    'MAILTO="ops@example.com"' \
    '  PATH = /usr/local/bin:/usr/bin:/bin  ' \
    '' \
    '   */5   *  *   *   *     /usr/bin/true    # odd   spacing' \
    "@reboot	echo 'سلام دنیا' >/dev/null" \
    '30 2 * * 1 /opt/poshtiban -C /srv/other auto >> /srv/other/backups/.poshtiban/auto.log 2>&1 # poshtiban-auto 0123456789abcdef' \
    >"$FAKE_CRONTAB"
printf '0 0 1 1 * echo last line without newline' >>"$FAKE_CRONTAB"
cp "$FAKE_CRONTAB" "$scratch/original"
marker=$(printf '%s' "$proj/backups" | sha256sum | cut -c1-16)

pt_ok cron install --json
expect_eq "installed" True "$(echo "$out" | json_eval 'd["installed"]')"
expect_eq "one line of this project" 1 "$(grep -c "poshtiban-auto $marker" "$FAKE_CRONTAB")"
line=$(grep "poshtiban-auto $marker" "$FAKE_CRONTAB")
expect_eq "status --json shows the line" "$line" "$(echo "$out" | json_eval 'd["line"]')"
case $line in "*/15 * * * * "*" -C $proj auto >> $proj/backups/.poshtiban/auto.log 2>&1 # poshtiban-auto $marker") ;;
    *) fail "the line runs auto every 15 minutes into auto.log: [$line]" ;; esac
# Every other byte as it was: the table without our line is the original plus
# the newline the last line needed before ours.
grep -v "poshtiban-auto $marker" "$FAKE_CRONTAB" >"$scratch/others"
{ cat "$scratch/original"; echo; } >"$scratch/original-nl"
check "install kept every other line byte-identical" cmp -s "$scratch/others" "$scratch/original-nl"
cp "$FAKE_CRONTAB" "$scratch/after-first"
pt_ok cron install
check "installing twice changes nothing" cmp -s "$FAKE_CRONTAB" "$scratch/after-first"
expect_eq "installing twice leaves one line" 2 "$(ours)"
pt_ok cron install --every 5
expect_eq "a new interval replaces the line" "*/5 * * * *" "$(grep "poshtiban-auto $marker" "$FAKE_CRONTAB" | cut -d' ' -f1-5)"
expect_eq "still one line of this project after --every" 1 "$(grep -c "poshtiban-auto $marker" "$FAKE_CRONTAB")"
pt_ok cron remove --json
expect_eq "remove says it removed" True "$(echo "$out" | json_eval 'd["removed"]')"
check "install and remove leave the table byte-identical" cmp -s "$FAKE_CRONTAB" "$scratch/original-nl"
pt_ok cron remove
case $out in *"nothing to do"*) ;; *) fail "removing twice says there is nothing to do: [$out]" ;; esac
check "removing twice changes nothing" cmp -s "$FAKE_CRONTAB" "$scratch/original-nl"

# crontab refuses the new table: a clear error, exit 1, the table untouched.
FAKE_CRONTAB_REFUSE="errors in crontab file, can't install" run_pt cron install </dev/null
expect_eq "a refused table exits 1" 1 "$status"
case $err in *"errors in crontab file"*) ;; *) fail "the error carries crontab's words: [$err]" ;; esac
check "a refused install leaves the table" cmp -s "$FAKE_CRONTAB" "$scratch/original-nl"
# No crontab program at all.
PATH=/nonexistent "$POSHTIBAN" cron install </dev/null >/dev/null 2>"$scratch/stderr" && status=0 || status=$?
err=$(cat "$scratch/stderr")
expect_eq "no crontab program: exit 1" 1 "$status"
case $err in *"crontab is not installed"*"apt-get install cron"*) ;; *) fail "says how to install cron: [$err]" ;; esac

# A project path with spaces, quotes, $, backquotes and %.
odd="$scratch/my proj's \"dir\" \$HOME \`id\` 100%"
make_project "$odd"
run_pt -C "$odd" settings set auto.enabled true </dev/null
expect_eq "settings in the odd project" 0 "$status"
run_pt -C "$odd" cron install </dev/null
expect_eq "install for the odd project ($err)" 0 "$status"
oddmarker=$(printf '%s' "$odd/backups" | sha256sum | cut -c1-16)
oddline=$(grep "poshtiban-auto $oddmarker" "$FAKE_CRONTAB")
expect_eq "one line for the odd project" 1 "$(grep -c "poshtiban-auto $oddmarker" "$FAKE_CRONTAB")"
# cron's part: the five time fields go, an unescaped % would end the command, \% is %.
cmd=$("$PY" -c '
import sys
line = sys.argv[1]
rest = line
for _ in range(5):
    rest = rest.lstrip(" \t")
    rest = rest[rest.index(" "):]
rest = rest.lstrip(" \t")
out, i = "", 0
while i < len(rest):
    if rest[i] == "\\" and i + 1 < len(rest) and rest[i + 1] == "%":
        out += "%"; i += 2; continue
    if rest[i] == "%":
        break
    out += rest[i]; i += 1
print(out)' "$oddline")
( cd / && env -i PATH=/usr/bin:/bin HOME="$scratch" POSHTIBAN_TEST_NOW=2026-11-26T10:00:00Z sh -c "$cmd" )
expect_eq "the cron line ran one auto backup in the odd project" \
    "1 auto completed" "$(cd "$odd" && "$POSHTIBAN" list --json | json_eval '"%d %s %s" % (d["total"], d["backups"][0]["kind"], d["backups"][0]["status"])')"
log="$odd/backups/.poshtiban/auto.log"
case $(cat "$log") in *"2026-11-26T10:00:00Z due: there is no automatic backup yet"*) ;; *) fail "auto.log has the run: [$(cat "$log")]" ;; esac
( cd / && env -i PATH=/usr/bin:/bin HOME="$scratch" POSHTIBAN_TEST_NOW=2026-11-26T10:15:00Z sh -c "$cmd" )
case $(tail -n 2 "$log") in *"not due"*"Change set: nothing changed"*) ;; *) fail "the second run appends why not, and the check for changes auto.changes_minutes asks: [$(tail -n 2 "$log")]" ;; esac
run_pt -C "$odd" cron status --json </dev/null
expect_eq "status: the odd project's line" "$oddline" "$(echo "$out" | json_eval 'd["line"]')"
expect_eq "status: the last automatic run and its result" "completed" "$(echo "$out" | json_eval 'd["last_auto"]["status"]')"
expect_eq "status: the log" "$log" "$(echo "$out" | json_eval 'd["log"]')"
run_pt -C "$odd" cron remove </dev/null
check "the odd project's remove restores the table" cmp -s "$FAKE_CRONTAB" "$scratch/original-nl"

# Whether a cron daemon runs, and how to start it.
running=False
for c in /proc/[0-9]*/comm; do
    case $(cat "$c" 2>/dev/null) in cron | crond) running=True ;; esac
done
pt_ok cron status --json
expect_eq "daemon_running matches /proc" "$running" "$(echo "$out" | json_eval 'd["daemon_running"]')"
if [ "$running" = False ]; then
    CODESPACES=true run_pt cron status --json </dev/null
    case $(echo "$out" | json_eval 'd["start_command"]') in *"sudo service cron start") ;; *) fail "in a Codespace: sudo service cron start: $out" ;; esac
    case $(echo "$out" | json_eval 'd["start_hint"]') in *postStartCommand*"sudo service cron start"*devcontainer.json*) ;; *) fail "the devcontainer.json hint: $out" ;; esac
    CODESPACES=true run_pt cron status </dev/null
    case $out in *"NOT running"*"sudo service cron start"*postStartCommand*) ;; *) fail "text status says how to start cron: [$out]" ;; esac
else
    echo "note: a cron daemon runs here; the start command is not checked" >&2
fi
# The program the line runs: checked, so a removed build folder or an
# uninstalled poshtiban is seen, in `cron status` and in `doctor`.
pt_ok cron install
pt_ok cron status --json
expect_eq "the line's program is this poshtiban, and runs" "$(realpath "$POSHTIBAN") True" \
    "$(echo "$out" | json_eval 'd["program"] + " " + str(d["program_ok"])')"
mkdir -p "$scratch/gone dir"
cp "$POSHTIBAN" "$scratch/gone dir/poshtiban"
"$scratch/gone dir/poshtiban" cron install </dev/null >/dev/null 2>&1 || fail "install from a copy"
rm -rf "$scratch/gone dir"
pt_ok cron status --json
expect_eq "a program that is gone" "$scratch/gone dir/poshtiban False" \
    "$(echo "$out" | json_eval 'd["program"] + " " + str(d["program_ok"])')"
pt_ok cron status
case $out in *"WARNING: the line runs $scratch/gone dir/poshtiban, which is not there"*) ;;
    *) fail "text status warns: [$out]" ;; esac
run_pt doctor --json </dev/null
case $(echo "$out" | json_eval '" ".join(d["warnings"])') in *"which is not there to run"*) ;;
    *) fail "doctor warns about the line's program: $out" ;; esac
finish
