#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Off-site copies to a local-path restic repository (README, "Off-site copies"):
# - the Django demo pushed, listed, then pulled into a new empty folder with
#   only the repository string and the password, and restored: dumpdata and
#   the media equal the original's (offsite-local: roundtrip);
# - a push is idempotent; push --missing; record JSON carries "offsite";
#   offsite.enabled pushes after create (offsite-local: push);
# - a second push after 1% of the rows changed, media unchanged, grows the
#   repository by under 15% of the first (offsite-local: growth);
# - pull refuses a name that exists here, and an unknown one;
# - the repository string reaches restic unchanged (s3:…) through
#   RESTIC_REPOSITORY, never argv (offsite-local: pass-through).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"
export POSHTIBAN_TEST_NOW=2026-11-26T10:00:00Z

# --- roundtrip
proj=$scratch/proj
demo_project "$proj"
cd "$proj" || exit 1
repo=$scratch/repo
roundtrip "$repo" local
expect_eq "roundtrip: one snapshot in the repository" 1 "$(rx snapshots --json | json_eval 'len(d)')"
expect_eq "roundtrip: tagged for this project" True "$(rx snapshots --json | json_eval '"poshtiban" in d[0]["tags"] and any(t.startswith("project:") for t in d[0]["tags"]) and "name:'"$name"'" in d[0]["tags"] and "kind:manual" in d[0]["tags"]')"
# The pulled backup is a whole, verified backup of the new catalog.
run_pt -C "$scratch/fresh-local" show "$name" --json </dev/null
expect_eq "roundtrip: pulled record" "completed True" "$(echo "$out" | json_eval 'd["status"] + " " + str(d["verify_ok"] and d["offsite"]["snapshot"] is not None)')"

# --- push
first=$name
pt_ok push "$first"
case $out in *"off-site already"*) ;; *) fail "push: a second push of $first sends nothing: [$out]" ;; esac
expect_eq "push: still one snapshot" 1 "$(rx snapshots --json | json_eval 'len(d)')"
new_backup
expect_eq "push: a new record has offsite null" None "$(echo "$rec" | json_eval 'd["offsite"]')"
run_pt list --json </dev/null
expect_eq "push: list --json has offsite" True "$(echo "$out" | json_eval 'all("offsite" in b for b in d["backups"])')"
POSHTIBAN_TEST_NOW=2026-11-26T10:00:05Z new_backup
pt_ok push --missing --json
expect_eq "push --missing sends the two others, newest first" "$name False" \
    "$(echo "$out" | json_eval 'd["pushed"][0]["name"] + " " + str(d["pushed"][0]["already"])')"
expect_eq "push --missing: two" 2 "$(echo "$out" | json_eval 'len(d["pushed"])')"
pt_ok push --missing
case $out in *"Every completed backup is off-site already"*) ;; *) fail "push --missing with nothing left: [$out]" ;; esac
pt_ok settings set offsite.enabled true
POSHTIBAN_TEST_NOW=2026-11-26T10:00:10Z new_backup
expect_eq "after_backup: create pushed it" True "$(echo "$rec" | json_eval 'd["offsite"]["snapshot"] is not None')"
pt_ok settings set offsite.after_backup false
POSHTIBAN_TEST_NOW=2026-11-26T10:00:15Z new_backup
expect_eq "after_backup false: create sends nothing" None "$(echo "$rec" | json_eval 'd["offsite"]')"
pt_ok settings set offsite.enabled false

# --- doctor: the newest backup not sent is a warning; sent, none; a login in the repository is never shown
pt_ok doctor --json
expect_eq "doctor: newest backup not sent" "False" "$(echo "$out" | json_eval 'd["offsite"]["newest_pushed"]')"
case $(echo "$out" | json_eval '" ".join(d["warnings"])') in *"has no off-site copy"*) ;; *) fail "doctor warns of the unsent backup: $out" ;; esac
pt_ok push
pt_ok doctor --json
expect_eq "doctor: newest backup sent, restic found" "True True" "$(echo "$out" | json_eval 'str(d["offsite"]["newest_pushed"]) + " " + str(d["offsite"]["restic_found"])')"
pt_ok settings set offsite.repository "rest:https://alice:hunter2-secret@backup.example.com:8000/repo/"
pt_ok doctor
case $out in *"to rest:https://***@backup.example.com:8000/repo/"*) ;; *) fail "doctor shows the repository without its login: [$out]" ;; esac
case $out in *hunter2*) fail "doctor shows the REST password" ;; esac
pt_ok settings set offsite.repository "$scratch/repo"

# --- pull refusals
run_pt -C "$scratch/fresh-local" pull "$first" </dev/null
expect_eq "pull: a name that exists here: exit" 2 "$status"
case $err in *"exists here already"*) ;; *) fail "pull: says it exists: [$err]" ;; esac
run_pt -C "$scratch/fresh-local" pull backup_19990101_000000 </dev/null
expect_eq "pull: an unknown name: exit" 2 "$status"
case $err in *"no off-site copy of backup_19990101_000000"*) ;; *) fail "pull: unknown name: [$err]" ;; esac
# Settings: refused values name the key.
run_pt settings set offsite.keep_daily -1 </dev/null
expect_eq "settings: keep_daily -1 refused" 2 "$status"
case $err in *offsite.keep_daily*) ;; *) fail "settings: the refusal names the key: [$err]" ;; esac

# --- growth: 1% of the rows changed, media unchanged
g=$scratch/growth
mkdir -p "$g/media"
sqlite3 "$g/db.sqlite3" <<'SQL'
CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT NOT NULL, qty INTEGER NOT NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO item (label, qty) SELECT 'item ' || i || ' ' || hex(randomblob(24)), i FROM n;
SQL
for i in $(seq 1 16); do head -c 1000000 /dev/urandom >"$g/media/photo$i.jpg"; done
repo=$scratch/repo-growth
run_pt -C "$g" settings set offsite.repository "$repo" </dev/null
run_pt -C "$g" offsite init </dev/null
run_pt -C "$g" create --json </dev/null
run_pt -C "$g" push --json </dev/null
expect_eq "growth: first push ($err)" 0 "$status"
added1=$(echo "$out" | json_eval 'd["pushed"][0]["bytes_added"]')
size1=$(du -sb "$repo" | cut -f1)
sqlite3 "$g/db.sqlite3" "UPDATE item SET qty = qty + 1 WHERE id % 100 = 0"
POSHTIBAN_TEST_NOW=2026-11-27T10:00:00Z run_pt -C "$g" create --json </dev/null
SECONDS=0
POSHTIBAN_TEST_NOW=2026-11-27T10:00:00Z run_pt -C "$g" push --json </dev/null
took=$SECONDS
expect_eq "growth: second push ($err)" 0 "$status"
added2=$(echo "$out" | json_eval 'd["pushed"][0]["bytes_added"]')
size2=$(du -sb "$repo" | cut -f1)
grew=$((size2 - size1))
echo "growth: first push added $added1 bytes (repository $size1), second $added2 (repository grew $grew), ratio $((100 * grew / size1))%, second push ${took}s" >&2
# restic 0.14's data_added counts bytes before compression: the folder on disk is what grew.
check "growth: the catalog records what restic added" test "$added2" -gt 0
check "growth: the repository grows by under 15% (on disk $grew of $size1)" test $((grew * 100)) -lt $((size1 * 15))

# --- pass-through: a fake restic first on PATH records what it is given
fake=$scratch/fake-bin
mkdir -p "$fake"
cat >"$fake/restic" <<'SH'
#!/bin/sh
{ printf 'REPO=%s\n' "$RESTIC_REPOSITORY"; printf 'ARG=%s\n' "$@"; } >>"$FAKE_LOG"
case $1 in snapshots) echo '[]' ;; esac
exit 0
SH
chmod +x "$fake/restic"
s3='s3:https://s3.example.com:9000/bucket/with%20path/poshtiban?region=x'
pt_ok settings set offsite.repository "$s3"
FAKE_LOG=$scratch/fake.log PATH=$fake:$PATH run_pt push "$first" </dev/null
expect_eq "pass-through: RESTIC_REPOSITORY is the setting, unchanged" "REPO=$s3" "$(sort -u "$scratch/fake.log" | grep '^REPO=')"
if grep '^ARG=' "$scratch/fake.log" | grep -q -e "$password" -e 's3:' -e '^ARG=-r$' -e '^ARG=--repo' -e '^ARG=--password'; then
    fail "pass-through: argv holds the repository or the password: $(grep '^ARG=' "$scratch/fake.log" | tr '\n' ' ')"
fi
finish
