#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# README "Codespaces": the dev container Feature in
# data/devcontainer-feature/poshtiban. Its install.sh, run as root with the
# options as environment variables (as the dev container tools run it, from
# a copy of the Feature's folder), builds and installs poshtiban into
# PREFIX; bad options fail with one clear line; running it again works.
# devcontainer-feature.json declares what install.sh reads and the scripts
# it installs. At a start, the entrypoint starts cron, and the
# postStartCommand runs `poshtiban auto` for the workspace in the
# background (nothing due: a "not due" line in auto.log; due: a backup)
# and, with automatic backups on, puts the crontab line back.
. "$(dirname "$0")/../lib/lib.sh"
unset POSHTIBAN_LOCALEDIR LANGUAGE LC_ALL LC_MESSAGES LANG
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: the Feature's install.sh runs as root" >&2
    exit 77
fi

prefix=$scratch/prefix
libexec=$prefix/libexec/poshtiban
pt=$prefix/bin/poshtiban
version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" "$SOURCE_ROOT/meson.build" | head -n 1)
tree_before=$(git -C "$SOURCE_ROOT" status --porcelain --untracked-files=all 2>/dev/null)
usr_local_before=$(ls -d /usr/local/bin/poshtiban /usr/local/libexec/poshtiban 2>/dev/null)

# The tools copy the Feature's folder and run install.sh there.
feature=$scratch/features/poshtiban
mkdir -p "$scratch/features"
cp -a "$SOURCE_ROOT/data/devcontainer-feature/poshtiban" "$feature"

feature_install() { # feature_install NAME=VALUE...: install.sh with these options; sets out, status
    out=$(cd "$feature" && env SOURCE= REF= PROJECT=. CRONTAB=true "$@" \
        PREFIX="$prefix" BUILD_DIR="$scratch/build" _REMOTE_USER=root _CONTAINER_USER=root \
        ./install.sh </dev/null 2>&1) && status=0 || status=$?
}

# Bad options: one clear line, nothing built.
feature_install
expect_eq "no source: exit 1" 1 "$status"
case $out in *'error: no source: set the Feature'\''s option "source"'*) ;; *) fail "no source says which option: [$out]" ;; esac
feature_install SOURCE="$scratch/nowhere"
case "$status $out" in "1 "*"error: source '$scratch/nowhere' is neither a git URL nor a folder"*) ;;
    *) fail "a missing source folder: [$status $out]" ;; esac
mkdir -p "$scratch/not-poshtiban"
feature_install SOURCE="$scratch/not-poshtiban"
case "$status $out" in "1 "*"is not a poshtiban checkout"*) ;; *) fail "a folder that is not poshtiban: [$status $out]" ;; esac
feature_install SOURCE="$SOURCE_ROOT" CRONTAB=yes
case "$status $out" in "1 "*"option crontab is true or false, not 'yes'"*) ;; *) fail "a bad boolean: [$status $out]" ;; esac
check "nothing installed after bad options" test ! -e "$prefix"

# The real thing.
feature_install SOURCE="$SOURCE_ROOT"
expect_eq "install.sh exits 0 ($out)" 0 "$status"
expect_eq "installed --version" "poshtiban $version" "$("$pt" --version 2>&1)"
for script in devcontainer-start devcontainer-entrypoint; do
    check "$script installed, executable" test -x "$libexec/$script"
done
expect_eq "the options it keeps" "POSHTIBAN='$pt' PROJECT='.' CRONTAB='true' WATCH='false'" \
    "$(grep -v '^#' "$libexec/devcontainer.conf" | tr '\n' ' ' | sed 's/ $//')"
files_first=$(cd "$prefix" && find . -type f | sort)
# Again, with another project folder (with a space and a quote): the same
# files, the new option.
feature_install SOURCE="$SOURCE_ROOT" PROJECT="my app's"
expect_eq "install.sh again exits 0 ($out)" 0 "$status"
expect_eq "the same files after installing again" "$files_first" "$(cd "$prefix" && find . -type f | sort)"
check "the new option is kept" grep -qx "PROJECT='my app'\\\\''s'" "$libexec/devcontainer.conf"

# devcontainer-feature.json: the id, the options install.sh reads, and the
# lifecycle hooks naming the scripts it installs (under /usr/local).
expect_eq "devcontainer-feature.json" ok "$("$PY" - "$feature" "$prefix" <<'PY'
import json, os, re, sys
feature, prefix = sys.argv[1:]
d = json.load(open(os.path.join(feature, "devcontainer-feature.json")))
install = open(os.path.join(feature, "install.sh")).read()
problems = []
if d.get("id") != "poshtiban" or os.path.basename(feature) != d.get("id"):
    problems.append("id %r" % d.get("id"))
if not re.fullmatch(r"\d+\.\d+\.\d+", d.get("version", "")) or not d.get("name"):
    problems.append("version and name")
types = {k: v.get("type") for k, v in d.get("options", {}).items()}
if types != {"source": "string", "ref": "string", "project": "string", "crontab": "boolean",
             "watch": "boolean"}:
    problems.append("options %r" % types)
for k, v in d["options"].items():
    if "${%s:-" % k.upper() not in install or "default" not in v or not v.get("description"):
        problems.append("option %s: read by install.sh as %s, with a default" % (k, k.upper()))
start = d.get("postStartCommand")
if start != ["/usr/local/libexec/poshtiban/devcontainer-start", "${containerWorkspaceFolder}"]:
    problems.append("postStartCommand %r" % start)
entry = d.get("entrypoint")
if entry != "/usr/local/libexec/poshtiban/devcontainer-entrypoint":
    problems.append("entrypoint %r" % entry)
for path in (start[0], entry):
    if not os.access(prefix + path[len("/usr/local"):], os.X_OK):
        problems.append("%s is not what install.sh installs" % path)
if not all(isinstance(f, str) and ":" not in f.rsplit("/", 1)[-1] for f in d.get("installsAfter", [])):
    problems.append("installsAfter takes ids without versions")
print("; ".join(problems) or "ok")
PY
)"

# A stand-in crontab(1) on PATH, the table in a file: the machine's stays as it is.
fake_crontab
export PATH=$scratch/bin:$PATH

cron_pids() { pgrep -x cron | sort; }
cron_before=$(cron_pids)
pidfile_before=$(ls /run/crond.pid 2>/dev/null)
stop_our_cron() { # the cron daemons this test started, and their pid file
    local pid
    for pid in $(comm -13 <(echo "$cron_before") <(cron_pids)); do kill "$pid"; done
    if [ -z "$cron_before" ] && [ -z "$pidfile_before" ]; then rm -f /run/crond.pid; fi
}
trap 'stop_our_cron; cleanup' EXIT

# The entrypoint: cron, then the container's own command.
out=$("$libexec/devcontainer-entrypoint" echo the command 2>&1) && status=0 || status=$?
expect_eq "the entrypoint runs the command after it" "0 the command" "$status $out"
if [ -z "$cron_before" ]; then
    check "the entrypoint started cron" test -n "$(cron_pids)"
else
    echo "note: cron was running already; the start of cron is not checked" >&2
fi

# waits SECONDS COMMAND...: until COMMAND succeeds, or fail after SECONDS.
waits() {
    local tenths=$(($1 * 10))
    shift
    while ! "$@"; do
        tenths=$((tenths - 1))
        [ "$tenths" -gt 0 ] || return 1
        sleep 0.1
    done
}
lines() { grep -c "$2" "$1" 2>/dev/null; }
has_lines() { [ "$(lines "$1" "$2")" -ge "$3" ]; }
start() { # start DIR [ARGS]: devcontainer-start ARGS, run from DIR; sets out, status
    local dir=$1
    shift
    local t0=$SECONDS
    out=$(cd "$dir" && "$libexec/devcontainer-start" "$@" </dev/null 2>&1) && status=0 || status=$?
    [ $((SECONDS - t0)) -lt 10 ] || fail "devcontainer-start returns at once, it took $((SECONDS - t0)) s"
}

# The option project is "my app's" now: a workspace with the project there.
ws=$scratch/workspace
proj="$ws/my app's"
make_project "$proj"
log=$proj/backups/.poshtiban/auto.log
start "$scratch" "$ws"
expect_eq "start exits 0 ($out)" 0 "$status"
case $out in *"runs in the background"*"$log"*) ;; *) fail "start says where auto's output goes: [$out]" ;; esac
waits 60 has_lines "$log" "not due: automatic backups are off" 1 ||
    fail "auto ran for the project: [$(cat "$log" 2>/dev/null)]"
check "the catalog exists" test -f "$proj/backups/.poshtiban/catalog.sqlite3"
expect_eq "the backup folder is owner-only" 700 "$(stat -c %a "$proj/backups/.poshtiban")"
check "no crontab line while automatic backups are off" test ! -e "$FAKE_CRONTAB"
if [ -z "$cron_before" ]; then
    check "cron still runs" test -n "$(cron_pids)"
fi

# The workspace folder left unreplaced by the tool: the working directory.
start "$ws" '${containerWorkspaceFolder}'
expect_eq "start with the literal variable exits 0 ($out)" 0 "$status"
waits 60 has_lines "$log" "not due" 2 || fail "auto ran from the working directory: [$(cat "$log")]"

# Automatic backups on: the first one is due at once, and the crontab line comes back.
"$pt" -C "$proj" settings set auto.enabled true >/dev/null || fail "settings set auto.enabled"
autos() { "$pt" -C "$proj" list --kind auto --status completed --json </dev/null 2>/dev/null | json_eval 'd["total"]'; }
start "$scratch" "$ws"
expect_eq "start with auto on exits 0 ($out)" 0 "$status"
waits 120 has_lines "$log" "completed" 1 || fail "the catch-up backup: [$(cat "$log")]"
expect_eq "one automatic backup" 1 "$(autos)"
expect_eq "one crontab line" 1 "$(lines "$FAKE_CRONTAB" poshtiban-auto)"
line=$(grep poshtiban-auto "$FAKE_CRONTAB")
case $line in *"$pt -C "*"my app"*" auto >> "*"auto.log"*) ;; *) fail "the line runs the installed auto: [$line]" ;; esac
start "$scratch" "$ws"
waits 60 has_lines "$log" "not due: the last automatic backup was at" 1 || fail "nothing due right after: [$(cat "$log")]"
expect_eq "still one automatic backup" 1 "$(autos)"
expect_eq "still one crontab line" 1 "$(lines "$FAKE_CRONTAB" poshtiban-auto)"

# The option watch: at start, one `poshtiban watch` for the project, and a
# commit becomes a change set within a minute; a second start leaves it be.
sed -i "s/^WATCH=.*/WATCH='true'/" "$libexec/devcontainer.conf"
start "$scratch" "$ws"
expect_eq "start with watch on exits 0 ($out)" 0 "$status"
wpid=$(cat "$proj/backups/.poshtiban/watch.pid" 2>/dev/null)
watching() { tr '\0' ' ' <"/proc/$wpid/cmdline" 2>/dev/null | grep -q "poshtiban -C .* watch"; }
waits 60 watching || fail "watch runs for the project: [$out] [$(cat "$proj/backups/.poshtiban/watch.log" 2>/dev/null)]"
sqlite3 "$proj/db.sqlite3" "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('x');" 2>/dev/null
sleep 3
sqlite3 "$proj/db.sqlite3" "INSERT INTO t (v) VALUES ('y');"
points() { find "$proj/backups/changes" -name 'changes_*.json' 2>/dev/null | wc -l; }
waits 60 eval '[ "$(points)" -ge 1 ]' || fail "watch saved a change set within a minute: [$(cat "$proj/backups/.poshtiban/watch.log")]"
start "$scratch" "$ws"
case $out in *"watch for $proj runs already"*) ;; *) fail "a second start leaves the watcher be: [$out]" ;; esac
kill -TERM "$wpid" 2>/dev/null
sed -i "s/^WATCH=.*/WATCH='false'/" "$libexec/devcontainer.conf"

# A Codespaces secret: the password file that a rebuild took away (with
# $HOME) is written again from it at start, mode 600; without the secret,
# start says which one to add.
pwfile=$scratch/gone-home/restic-password
mkdir -p "$scratch/gone-home"
printf 'old\n' >"$pwfile"
chmod 600 "$pwfile"
"$pt" -C "$proj" settings set offsite.password_file "$pwfile" >/dev/null || fail "settings set offsite.password_file"
rm -rf "$scratch/gone-home"
POSHTIBAN_RESTIC_PASSWORD='from the secret' start "$scratch" "$ws"
expect_eq "the password file is written again from the secret" "from the secret" "$(cat "$pwfile" 2>/dev/null)"
expect_eq "the password file is private" 600 "$(stat -c %a "$pwfile" 2>/dev/null)"
case $out in *"wrote the password file $pwfile"*) ;; *) fail "start says it wrote the file: [$out]" ;; esac
POSHTIBAN_RESTIC_PASSWORD='changed' start "$scratch" "$ws"
expect_eq "a password file that is there is left as it is" "from the secret" "$(cat "$pwfile")"
rm -f "$pwfile"
POSHTIBAN_RESTIC_PASSWORD= start "$scratch" "$ws"
case $out in *"add the Codespaces secret POSHTIBAN_RESTIC_PASSWORD"*) ;; *) fail "without the secret, start names it: [$out]" ;; esac
check "without the secret, no file is made" test ! -e "$pwfile"

# A fresh clone: no database and nothing set up yet; nothing is written.
mkdir -p "$scratch/fresh/my app's"
start "$scratch" "$scratch/fresh"
case "$status $out" in "0 "*"no database at $scratch/fresh/my app's/db.sqlite3 yet"*) ;; *) fail "a fresh clone: [$status $out]" ;; esac
check "nothing written in a fresh clone" test ! -e "$scratch/fresh/my app's/backups"

# Nothing left running, nothing left behind.
waits 60 eval '! pgrep -f "$pt" >/dev/null' || fail "poshtiban still runs: $(pgrep -af "$pt")"
stop_our_cron
if [ -z "$cron_before" ]; then
    waits 10 eval '[ -z "$(cron_pids)" ]' || fail "the cron this test started stopped"
fi
expect_eq "the source tree is as it was" "$tree_before" \
    "$(git -C "$SOURCE_ROOT" status --porcelain --untracked-files=all 2>/dev/null)"
expect_eq "nothing in /usr/local" "$usr_local_before" "$(ls -d /usr/local/bin/poshtiban /usr/local/libexec/poshtiban 2>/dev/null)"
finish
