#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A hostile off-site repository (README, "Off-site copies"; issue 20, point
# 1), beside the hostile backup corpus: a real local restic repository that
# holds, next to this project's real snapshots, snapshots forged with
# `restic backup --tag …` of crafted trees, as anyone who can write to the
# repository (another project sharing it) could make them:
# - name tags forged and percent-encoded: "/", "..", a leading dot, control
#   and bidi characters, digits only, "latest", "%00", an existing name;
# - a symbolic link as the backup, a link to outside inside it, extra
#   top-level paths, a folder that differs from its tag, an archive without
#   its .sha256, a second project tag, another project's snapshot, two
#   snapshots with one name and other content, a damaged backup;
# - the attack of issue 20: A%2Fsub (planting a link to outside inside A),
#   then A%2Fsub%2Fout%2Fpayload through it;
# - on a small tmpfs (when this runs as root and may mount one): a huge
#   snapshot (a sparse file), a restore that runs out of inodes, and a good
#   copy with room to fetch but not to unpack its database.
# Each is pulled with every form of pull there is (`pull NAME`, `pull
# latest`, and `pull --at TIME` when the build has it), and after each:
# exit 1 or 2, one line on stderr saying why (nothing a terminal obeys),
# nothing written in the project but .poshtiban/tmp (emptied again),
# nothing outside it (a sibling folder and the victim a link aims at), the
# catalog (`list --json`) unchanged, and backup A still verifying.
# Controls: a good copy pulls and verifies; the forged ones are forgotten
# after each case, so `pull latest` always meets the case's snapshot.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"
export POSHTIBAN_TEST_NOW=2026-11-26T10:00:00Z

proj=$scratch/proj
outside=$scratch/outside
repo=$scratch/repo
mkdir -p "$outside"
echo 'victim' >"$outside/victim.txt"
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set backup.format dir
pt_ok settings set retention.auto_cleanup false
pt_ok settings set offsite.repository "$repo"
pt_ok offsite init
new_backup --name A
pt_ok push A
project=$(rx snapshots --json | json_eval '[t[8:] for t in d[0]["tags"] if t.startswith("project:")][0]')
[ -n "$project" ] || fail "setup: the project id of A's snapshot"

# Real backups whose folders the forged trees borrow (then deleted here).
forge_src=$scratch/forge-src
mkdir -p "$forge_src"
for b in Dmg S E Good; do
    new_backup --name "$b"
    cp -a "$path" "$forge_src/"
done
pt_ok push Good
for b in Dmg S E Good; do pt_ok delete "$b" --yes; done

# The forms of pull; another form (recover, say) is one more case in pull_form.
forms=(name latest)
if "$POSHTIBAN" help pull 2>&1 | grep -q -- '--at'; then forms+=(at); fi

# state DIR: tree_state of DIR less backups/.poshtiban (the catalog's own files).
state() { tree_state "$1" | grep -v '^[a-z] backups/\.poshtiban'; }

# everything DIR: what a refused pull must leave as it was, in one text: the
# project (less the catalog's files), the outside folder, what
# .poshtiban/tmp holds (nothing) and the catalog's records (`list --json`).
everything() {
    "$PY" - "$1" "$outside" <<'PY'
import hashlib, os, sys
for root in sys.argv[1:]:
    lines = []
    for here, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(here, n)
            rel = os.path.relpath(p, root)
            if rel.startswith("backups/.poshtiban"):
                continue
            if os.path.islink(p):
                lines.append("l %s -> %s" % (rel, os.readlink(p)))
            elif os.path.isdir(p):
                lines.append("d " + rel)
            else:
                with open(p, "rb") as f:
                    lines.append("f %s %s" % (rel, hashlib.sha256(f.read()).hexdigest()))
    print("== %s\n%s" % (root, "\n".join(sorted(lines))))
tmp = os.path.join(sys.argv[1], "backups/.poshtiban/tmp")
print("== tmp holds:", sorted(os.listdir(tmp)) if os.path.isdir(tmp) else None)
PY
    run_pt -C "$1" list --json </dev/null
    echo "== catalog ($status)"
    echo "$out"
}

# forge TREE TAG…: one snapshot of TREE's entries, tagged poshtiban, forged
# and the tags given (name:… at least), dated after every earlier one.
forged_n=0
forge() {
    local tree=$1 args=() t
    shift
    for t in "$@"; do args+=(--tag "$t"); done
    forged_n=$((forged_n + 1))
    (cd "$tree" && rx backup --json --host forger --time "2030-01-01 00:00:$(printf %02d $((forged_n % 60)))" \
        --tag poshtiban --tag forged "${args[@]}" -- $(ls -A) >/dev/null) ||
        fail "forge ${*}: restic backup failed"
    forged_at=2030-01-01T00:00:$(printf %02d $((forged_n % 60)))Z
}

# forget_forged: the forged snapshots go, so that latest is the next case's.
forget_forged() {
    local ids
    ids=$(rx snapshots --json --tag forged | json_eval '" ".join(s["id"] for s in d)')
    [ -z "$ids" ] || rx forget $ids >/dev/null || fail "forget the forged snapshots"
}

# new_tree: an empty folder for a case's tree in $t.
tree_n=0
new_tree() {
    tree_n=$((tree_n + 1))
    t=$scratch/trees/$tree_n
    mkdir -p "$t"
}

# pull_form DIR FORM NAME [ARGS…]: one pull of the case in DIR.
pull_form() {
    local dir=$1 form=$2 name=$3
    shift 3
    case $form in
        name) run_pt -C "$dir" pull "$name" "$@" </dev/null ;;
        latest) run_pt -C "$dir" pull latest "$@" </dev/null ;;
        at) run_pt -C "$dir" pull --at "$forged_at" "$@" </dev/null ;;
    esac
}

# refused WHAT DIR NAME EXPECT [ARGS…]: every form of pull in DIR refuses the
# case's snapshot NAME, saying EXPECT (a glob), and changes nothing. What
# DIR held is measured once and kept while refusals follow one another
# (known_dir); whatever changes the project sets known_dir=''.
known_dir=''
refused() {
    local what=$1 dir=$2 name=$3 expect=$4 form lines after
    shift 4
    if [ "$known_dir" != "$dir" ]; then
        known=$(everything "$dir")
        known_dir=$dir
    fi
    for form in "${forms[@]}"; do
        pull_form "$dir" "$form" "$name" "$@"
        case $status in 1 | 2) ;; *) fail "$what (pull $form): exit 1 or 2, not $status: [$out] [$err]" ;; esac
        lines=$(printf '%s\n' "$err" | grep -c '')
        expect_eq "$what (pull $form): one line on stderr [$err]" 1 "$lines"
        case $err in "poshtiban: "*) ;; *) fail "$what (pull $form): the line says poshtiban: [$err]" ;; esac
        # shellcheck disable=SC2254
        case $err in $expect) ;; *) fail "$what (pull $form): says why ($expect): [$err]" ;; esac
        case $err in *"it was removed again"*) fail "$what (pull $form): no false 'removed again': [$err]" ;; esac
        if printf '%s' "$err$out" | LC_ALL=C grep -q $'[\x1b\x07\x01]'; then
            fail "$what (pull $form): a control character reached the terminal"
        fi
        last_err=$err
        after=$(everything "$dir")
        if [ "$after" != "$known" ]; then
            fail "$what (pull $form): the project, the outside folder, .poshtiban/tmp or the catalog changed:"
            diff <(echo "$known") <(echo "$after") | head -20 >&2
            known=$after
        fi
    done
    forget_forged
}

A_state=$(state "$proj" | grep ' backups/A')

# --- the attack of issue 20: a link planted inside A, then a write through it
# The first carries a report of its own name, so that a pull that trusted the
# tag recorded it, failed to verify it and could not remove it again.
new_tree
mkdir -p "$t/A/sub" && ln -s "$outside" "$t/A/sub/out"
echo '{"name": "A/sub", "created_at": "2026-11-26T09:00:00Z", "files": []}' >"$t/A/sub/backup_report.json"
forge "$t" "project:$project" "name:A%2Fsub"
refused "attack, first snapshot (A%2Fsub)" "$proj" "A/sub" "*which no backup may have*"
new_tree
mkdir -p "$t/A/sub/out/payload" && touch "$t/A/sub/out/payload/__init__.py"
echo '{"name": "A/sub/out/payload", "created_at": "2026-11-26T09:00:00Z", "files": []}' \
    >"$t/A/sub/out/payload/backup_report.json"
forge "$t" "project:$project" "name:A%2Fsub%2Fout%2Fpayload"
refused "attack, second snapshot" "$proj" "A/sub/out/payload" "*which no backup may have*"
check "attack: nothing reached outside" test ! -e "$outside/payload"
expect_eq "attack: A is as it was" "$A_state" "$(state "$proj" | grep ' backups/A')"
pt_ok verify A
known_dir=''

# --- names that no backup may have
for case in 'dot-dot|..|..' 'dot-dot-slash|..%2F..%2Fescape|../../escape' 'leading dot|.hid|.hid' \
    'control character|bad%01x|bad'$'\x01''x' 'escape|esc%1B[31mred|esc'$'\x1b''[31mred' \
    'bidi override|x%E2%80%AEgpj.exe|x'$'\u202e''gpj.exe' 'bidi isolate|x%E2%81%A6y|x'$'\u2066''y' \
    'digits only|12345|12345' 'latest|latest|latest' 'backslash|a%5Cb|a\b' 'not UTF-8|bad%FFname|bad'$'\xff''name' \
    'newline|two%0Alines|two'$'\n''lines'; do
    IFS='|' read -r what tag name <<<"$case"
    [ "$what" = newline ] && name=two$'\n'lines
    new_tree
    mkdir -p "$t/x"
    cp -a "$forge_src/Good/." "$t/x/"
    forge "$t" "project:$project" "name:$tag"
    if [ "$what" = latest ]; then
        # `pull latest` asks for the newest snapshot; its name tag is then refused.
        refused "name tag: $what" "$proj" latest "*which no backup may have*"
    else
        refused "name tag: $what" "$proj" "$name" "*which no backup may have*"
    fi
done
# "%00" is no NUL: the tag named "B%00junk" is not the backup B.
new_tree
cp -a "$forge_src/Good" "$t/B"
forge "$t" "project:$project" "name:B%00junk"
refused "name tag: %00" "$proj" 'B%00junk' "*holds B*differ*"

# --- an existing name
new_tree
cp -a "$proj/backups/A" "$t/A"
touch "$t/A/extra"
forge "$t" "project:$project" "name:A"
refused "existing name" "$proj" A "*exists here already*"

# --- what the snapshot holds
new_tree
ln -s "$outside" "$t/L"
forge "$t" "project:$project" "name:L"
refused "a symbolic link as the backup" "$proj" L "*symbolic link*"
new_tree
cp -a "$forge_src/S" "$t/S"
ln -s "$outside/victim.txt" "$t/S/media/victim.txt"
forge "$t" "project:$project" "name:S"
refused "a link to outside inside the backup" "$proj" S "*symbolic link*"
new_tree
cp -a "$forge_src/E" "$t/E"
echo x >"$t/E.extra"
mkdir "$t/etc" && echo x >"$t/etc/cron"
forge "$t" "project:$project" "name:E"
refused "extra top-level paths" "$proj" E "*more than that one backup*"
new_tree
cp -a "$forge_src/S" "$t/S"
forge "$t" "project:$project" "name:F"
refused "a folder that differs from its tag" "$proj" F "*holds S*differ*"
new_tree
cp -a "$forge_src/E" "$t/F"
forge "$t" "project:$project" "name:F"
refused "a folder of the tag's name holding another backup" "$proj" F "*does not verify*"
new_tree
head -c 1000 /dev/urandom >"$t/Z.zip"
forge "$t" "project:$project" "name:Z"
refused "an archive without its .sha256" "$proj" Z "*archive without its .sha256*"
new_tree
cp -a "$forge_src/E" "$t/E"
forge "$t" "project:$project" "project:otherproject" "name:E"
refused "a second project tag" "$proj" E "*another project*"

# --- another project's snapshot: not this project's to pull
new_tree
cp -a "$forge_src/E" "$t/E"
forge "$t" "project:otherproject" "name:E"
forms_kept=("${forms[@]}")
forms=(name)
refused "another project's snapshot" "$proj" E "*no off-site copy of E*"
forms=("${forms_kept[@]}")

# --- two snapshots with one name and other content
new_tree
cp -a "$forge_src/E" "$t/E"
forge "$t" "project:$project" "name:E"
new_tree
cp -a "$forge_src/E" "$t/E"
echo changed >>"$t/E/backup_report.json"
forge "$t" "project:$project" "name:E"
refused "two snapshots named E" "$proj" E "*ambiguous*"

# --- a damaged backup
new_tree
cp -a "$forge_src/Dmg" "$t/Dmg"
flip_byte "$t/Dmg/media/photo.bin" 100
forge "$t" "project:$project" "name:Dmg"
refused "a damaged backup" "$proj" Dmg "*does not verify*checksum mismatch*"

# --- control: a good copy comes back, verified, and is the one new thing
before_out=$(tree_state "$outside")
before_tree=$(state "$proj")
pt_ok pull Good
expect_eq "control: pulled Good" "$proj/backups/Good" "$(echo "$out" | tail -1)"
expect_eq "control: the one new thing is Good" "$(printf '%s\n' "$before_tree" | grep -v '^$')" \
    "$(state "$proj" | grep -v ' backups/Good')"
expect_eq "control: nothing outside" "$before_out" "$(tree_state "$outside")"
expect_eq "control: Good is recorded verified" "completed True" "$(field Good 'd["status"] + " " + str(d["verify_ok"])')"
expect_eq "control: .poshtiban/tmp is empty again" "" "$(ls -A "$proj/backups/.poshtiban/tmp")"
pt_ok verify A
pt_ok verify Good
known_dir=''

# --- room: a small tmpfs (root only), unmounted again whatever happens
mounts=()
unmount_all() {
    local m
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m"; done
    cleanup
}
trap unmount_all EXIT
# small_folder DIR OPTIONS: a fresh project folder on a tmpfs of its own.
small_folder() {
    mkdir -p "$1"
    mount -t tmpfs -o "$2" poshtiban-test "$1" 2>/dev/null || return 1
    mounts+=("$1")
    # The first pull stores the repository and the project id.
    run_pt -C "$1" pull no_such_backup --repository "$repo" --project "$project" </dev/null
    expect_eq "small folder $1: first pull finds nothing ($err)" 2 "$status"
}
if [ "$(id -u)" = 0 ] && small_folder "$scratch/small" size=12m,mode=0700; then
    # A huge snapshot: 64 MiB (sparse here) where 12 MiB are free.
    new_tree
    mkdir "$t/H" && truncate -s 64M "$t/H/big"
    forge "$t" "project:$project" "name:H"
    refused "a huge snapshot" "$scratch/small" H "*No space left on device*needs 64*free*"
    # Room to fetch but not to unpack the database: a good copy is not "damaged".
    maker=$scratch/maker
    make_project "$maker"
    sqlite3 "$maker/db.sqlite3" 'CREATE TABLE filler (b BLOB); INSERT INTO filler VALUES (zeroblob(24000000));'
    pt_ok -C "$maker" settings set backup.format dir
    pt_ok -C "$maker" create --name Roomy --no-media
    new_tree
    cp -a "$maker/backups/Roomy" "$t/Roomy"
    forge "$t" "project:$project" "name:Roomy"
    refused "room to fetch, not to unpack" "$scratch/small" Roomy "*cannot check the off-site copy of Roomy*would take*"
    case $last_err in *"does not verify"*) fail "room: a good copy called damaged: [$last_err]" ;; esac
    forge "$t" "project:$project" "name:Roomy"
    mkdir -p "$scratch/roomy-big"
    pt_ok -C "$scratch/roomy-big" pull Roomy --repository "$repo" --project "$project"
    expect_eq "room: the same copy pulls where there is room" "$scratch/roomy-big/backups/Roomy" "$(echo "$out" | tail -1)"
    forget_forged
else
    echo "skipped: the tmpfs cases (need root and mount)" >&2
fi
if [ "$(id -u)" = 0 ] && small_folder "$scratch/tiny" size=32m,nr_inodes=40,mode=0700; then
    # Out of room while restic restores: 200 empty files where 40 inodes are.
    new_tree
    mkdir "$t/Many"
    for i in $(seq 200); do : >"$t/Many/f$i"; done
    forge "$t" "project:$project" "name:Many"
    refused "no room while restoring" "$scratch/tiny" Many "*No space left on device*needs*"
fi
finish
