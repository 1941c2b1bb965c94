#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 6, acceptance 5: `doctor --json` reports the filesystem type and
# mount point that `findmnt -T` gives, on the root filesystem, on a tmpfs
# and on a bind mount (when this machine lets the test mount them); with
# CODESPACES=true CODESPACE_NAME=x the exact `gh codespace cp` line for the
# newest backup; with SSH_CONNECTION the `scp` line with the server's
# address. Also its warnings: backups inside the media folder, inside a git
# work tree that does not ignore them, overdue, cron not running.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh"
unset CODESPACES CODESPACE_NAME SSH_CONNECTION

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
mkdir -p "$scratch/bin"
printf '#!/bin/sh\necho "no crontab for $(id -un)" >&2\nexit 1\n' >"$scratch/bin/crontab"
chmod +x "$scratch/bin/crontab"
export PATH=$scratch/bin:$PATH

doctor() { # doctor [GLOBAL OPTIONS]: `doctor --json`; out holds it
    run_pt "$@" doctor --json </dev/null
    if [ "$status" != 0 ]; then fail "doctor $*: exit $status: $err"; fi
}
get() { echo "$out" | json_eval "$1"; }
# same_as_findmnt WHAT DIR: doctor's fstype and mount point against findmnt's for DIR.
same_as_findmnt() {
    local want
    want=$(findmnt -T "$2" -n -o FSTYPE,TARGET | awk '{ t = $1; $1 = ""; sub(/^ /, ""); print t " " $0 }')
    expect_eq "$1: fstype and mount point as findmnt says" "$want" "$(get 'd["storage"]["fstype"] + " " + d["storage"]["mount_point"]')"
}

# A tmpfs, with a space in its mount point (mountinfo writes it as \040).
# Its own run (doctor.sh tmpfs), as are the two below; the main run leaves them out.
if part_begins tmpfs; then
    tmp="$scratch/small disk"
    try_mount "$tmp" -t tmpfs -o size=4m tmpfs || skip_part "cannot mount a tmpfs here"
    run_pt --backups "$tmp/backups" create </dev/null
    doctor --backups "$tmp/backups"
    same_as_findmnt "tmpfs" "$tmp/backups"
    expect_eq "tmpfs: its mount point" "$tmp" "$(get 'd["storage"]["mount_point"]')"
    expect_eq "tmpfs: memory" "tmpfs memory" "$(get 'd["storage"]["fstype"] + " " + d["storage"]["kind"]')"
    expect_eq "tmpfs: total size" 4194304 "$(get 'd["storage"]["total_bytes"]')"
    expect_eq "tmpfs: free space" "$(( $(stat -f -c '%a * %S' "$tmp") ))" "$(get 'd["storage"]["free_bytes"]')"
    case $(get '" ".join(d["warnings"])') in *"LOST at the next restart"*) ;; *) fail "tmpfs: a warning: $out" ;; esac
    finish
fi

# A bind mount of a folder of the scratch filesystem.
if part_begins bind-mount; then
    mkdir -p "$scratch/bind-src"
    try_mount "$scratch/bind" --bind "$scratch/bind-src" || skip_part "cannot make a bind mount here"
    doctor --backups "$scratch/bind/backups"
    same_as_findmnt "bind mount" "$scratch/bind"
    expect_eq "bind mount: its mount point" "$scratch/bind" "$(get 'd["storage"]["mount_point"]')"
    expect_eq "bind mount: the folder mounted" "$(findmnt -T "$scratch/bind" -n -o FSROOT)" "$(get 'd["storage"]["mount_root"]')"
    # Read-only (root writes anywhere else): doctor says the backups cannot be recorded.
    mkdir -p "$scratch/bind-src/backups/.poshtiban"
    if mount -o remount,bind,ro "$scratch/bind" 2>/dev/null; then
        doctor --backups "$scratch/bind/backups"
        case $(get '" ".join(d["warnings"])') in *"cannot be written"*) ;; *) fail "read-only: a warning: $out" ;; esac
        mount -o remount,bind,rw "$scratch/bind" 2>/dev/null
    fi
    finish
fi

# Inside a git work tree that does not ignore it, and not once it does.
if part_begins git; then
    command -v git >/dev/null || skip_part "git is not installed"
    new_backup
    git init -q "$proj"
    doctor
    case $(get '" ".join(d["warnings"])') in *"inside the git work tree $proj"*) ;; *) fail "a warning for backups in git: $out" ;; esac
    echo "/backups/" >"$proj/.gitignore"
    doctor
    case $(get '" ".join(d["warnings"])') in *"git work tree"*) fail "no git warning once ignored: $out" ;; esac
    finish
fi

# The root filesystem (wherever the scratch folder lives).
new_backup --format zip
zip_path=$path
free_before=$(( $(stat -f -c '%a * %S' "$proj/backups") ))
doctor
free_after=$(( $(stat -f -c '%a * %S' "$proj/backups") ))
same_as_findmnt "the backup root" "$proj/backups"
expect_eq "the path examined" "$(cd "$proj/backups" && pwd -P)" "$(get 'd["storage"]["path"]')"
# Other tests write to this filesystem meanwhile: between what statvfs said just
# before and just after, give or take 64 MiB (exact on the tmpfs below).
check "free space as statvfs says" test "$(get "min($free_before, $free_after) - (64 << 20) <= d['storage']['free_bytes'] <= max($free_before, $free_after) + (64 << 20)")" = True
check "backups_fit is free / last size" test "$(get 'd["backups_fit"] == d["storage"]["free_bytes"] // d["newest_backup"]["size_bytes"]')" = True
expect_eq "outside a Codespace and SSH: no download command" None "$(get 'd["download"]')"
case $(get 'd["storage"]["verdict"]') in "") fail "a verdict" ;; esac
run_pt doctor </dev/null
case $out in *"Survives: "*) ;; *) fail "the text says what the backups survive: [$out]" ;; esac

# A backups folder that is a link into the media folder is seen through.
mkdir -p "$scratch/lk/media/store"
ln -s media/store "$scratch/lk/backups"
run_pt -C "$scratch/lk" doctor --json </dev/null
case $(echo "$out" | json_eval '" ".join(d["warnings"])') in *"inside the media folder"*) ;;
    *) fail "a backups link into media is seen through: $out" ;; esac

# A backup root that does not exist yet: its nearest folder is examined.
doctor --backups "$scratch/not/yet"
expect_eq "a missing backup root is not made" no "$([ -e "$scratch/not" ] && echo yes || echo no)"
expect_eq "its nearest existing folder" "$(cd "$scratch" && pwd -P) False" "$(get 'd["storage"]["path"] + " " + str(d["storage"]["exists"])')"

# In a Codespace: the exact command for the newest backup (a zip: one file).
CODESPACES=true CODESPACE_NAME=x doctor
expect_eq "the gh codespace cp line for the newest backup" \
    "gh codespace cp -c x -e 'remote:$zip_path' ." "$(get 'd["download"]["command"]')"
expect_eq "the codespace in the environment" "True x" "$(get 'str(d["environment"]["codespace"]) + " " + d["environment"]["codespace_name"]')"
CODESPACES=true CODESPACE_NAME=x run_pt doctor </dev/null
case $out in *"gh codespace cp -c x -e 'remote:$zip_path' ."*) ;; *) fail "the text shows the line: [$out]" ;; esac
# The newest is a folder: copied with -r, and export offered.
new_backup
CODESPACES=true CODESPACE_NAME=x doctor
expect_eq "a folder: gh codespace cp -r" "gh codespace cp -r -c x -e 'remote:$path' ." "$(get 'd["download"]["command"]')"
case $(get 'd["download"]["note"]') in *"poshtiban export $name"*) ;; *) fail "the note offers export: $out" ;; esac

# Over SSH: scp with the server's address (the third field) and $USER.
SSH_CONNECTION="203.0.113.9 50022 198.51.100.7 22" USER=deploy doctor
expect_eq "the scp line" "scp -r deploy@198.51.100.7:$path ." "$(get 'd["download"]["command"]')"
expect_eq "the server's address" 198.51.100.7 "$(get 'd["environment"]["ssh_server"]')"
run_pt delete "$name" --yes </dev/null
SSH_CONNECTION="203.0.113.9 50022 198.51.100.7 2222" USER=deploy doctor
expect_eq "scp of the zip on port 2222" "scp -P 2222 deploy@198.51.100.7:$zip_path ." "$(get 'd["download"]["command"]')"

# Warnings. The backup root inside the media folder:
doctor --backups media/backups
case $(get '" ".join(d["warnings"])') in *"inside the media folder"*) ;; *) fail "a warning for backups inside media: $out" ;; esac
# Overdue: two days after the last success, with automatic backups off (a day).
POSHTIBAN_TEST_NOW=$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ) doctor
expect_eq "overdue after two days" True "$(get 'd["last_success"]["overdue"]')"
case $(get '" ".join(d["warnings"])') in *"overdue"*) ;; *) fail "an overdue warning: $out" ;; esac
doctor
expect_eq "not overdue now" False "$(get 'd["last_success"]["overdue"]')"
# Automatic backups on but nothing runs them.
pt_ok settings set auto.enabled true
doctor
case $(get '" ".join(d["warnings"])') in *"cron install"*) ;; *) fail "a warning that nothing runs auto: $out" ;; esac
# Mail on, but nowhere to send it; then a login whose password variable is not set.
pt_ok settings set notify.email.enabled true
doctor
case $(get '" ".join(d["warnings"])') in *"no mail can go out"*) ;; *) fail "a warning that mail cannot go out: $out" ;; esac
pt_ok settings set notify.smtp.url smtp://127.0.0.1:9
pt_ok settings set notify.email.to ops@example.com
pt_ok settings set notify.smtp.user me@example.com
# The variable in the shell is no help at night: cron does not pass it on.
POSHTIBAN_SMTP_PASSWORD=set-in-the-shell doctor
case $(get '" ".join(d["warnings"])') in *"will not find the mail password"*"POSHTIBAN_SMTP_PASSWORD"*"printenv POSHTIBAN_SMTP_PASSWORD"*"settings set notify.smtp.password_file"*) ;; *) fail "a shell variable only: cron will not find it, and the fix: $out" ;; esac
unset POSHTIBAN_SMTP_PASSWORD
doctor
case $(get '" ".join(d["warnings"])') in *"will not find the mail password"*"cat > "*) ;; *) fail "a warning for the password, typed into the file: $out" ;; esac
printf 'pw\n' >"$scratch/smtp-password"
chmod 600 "$scratch/smtp-password"
pt_ok settings set notify.smtp.password_file "$scratch/smtp-password"
doctor
case $(get '" ".join(d["warnings"])') in *"mail password"*) fail "a password file: no warning: $out" ;; esac
expect_eq "the schedule" "True 24" "$(get 'str(d["auto"]["enabled"]) + " " + str(d["auto"]["interval_hours"])')"
finish
