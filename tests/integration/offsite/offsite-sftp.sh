#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Off-site copies over the network (README, "Off-site copies"), to the servers of
# lib-offsite-servers.sh on loopback:
# - SFTP: the Django demo pushed, listed, pulled into a new empty folder with
#   only the repository string and the password, restored: dumpdata and the
#   media equal the original's (offsite-sftp: sftp);
# - the SFTP server stopped: the push fails with exit 1 and one line, the
#   local backups untouched, the failure recorded (offsite-sftp: down);
# - REST (rclone serve restic): push, list, pull (offsite-sftp: rest).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"
. "$(dirname "$0")/../lib/lib-offsite-servers.sh"
export POSHTIBAN_TEST_NOW=2026-11-26T10:00:00Z

proj=$scratch/proj
demo_project "$proj"
cd "$proj" || exit 1

# --- sftp
offsite_sftp_start || exit 1
repo=$OFFSITE_SFTP_REPO
roundtrip "$OFFSITE_SFTP_REPO" sftp
expect_eq "sftp: the repository lives in the server's folder" True "$(test -f "$OFFSITE_SFTP_DIR/config" -o -n "$(find "$OFFSITE_SFTP_DIR" -name config -print -quit)" && echo True)"

# --- the server down
offsite_sftp_stop
POSHTIBAN_TEST_NOW=2026-11-26T11:00:00Z new_backup
before=$(tree_state "$proj/backups" | grep -v ' \.poshtiban/')
run_pt push "$name" </dev/null
expect_eq "down: exit" 1 "$status"
expect_eq "down: one line" 1 "$(printf '%s\n' "$err" | grep -c .)"
case $err in *"off-site copy of $name failed"*) ;; *) fail "down: the error names the backup: [$err]" ;; esac
expect_eq "down: local backups untouched" "$before" "$(tree_state "$proj/backups" | grep -v ' \.poshtiban/')"
expect_eq "down: recorded" True "$(offsite_of "$name" 'o["snapshot"] is None and bool(o["error"])')"

# --- rest
offsite_rest_start || exit 1
repo=$OFFSITE_REST_REPO
cd "$scratch" && mkdir -p rest-proj && cd rest-proj || exit 1
proj=$scratch/rest-proj
demo_project "$proj"
roundtrip "$OFFSITE_REST_REPO" rest
offsite_servers_stop
finish
