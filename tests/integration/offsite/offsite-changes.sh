#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Change sets off-site (docs/changes.md, "Off-site"; issue 22, point 5):
# each capture sends its chain to a real local restic repository as one
# snapshot of changes/<base>/; on a new machine `recover --repository R
# --at T` brings back exactly the database as it was captured at or before
# T; `offsite prune` keeps the newest chain snapshot of the backup it keeps.
# Hostile chain snapshots (a link, a second base tag, an extra file, another
# path, a JSON naming another base, a damaged data file, a folder for a
# file, another project's tag) are refused: nothing of the chain is placed,
# nothing outside is touched, .poshtiban/tmp is left empty.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"

proj=$scratch/proj
repo=$scratch/repo
snaps=$scratch/snaps
outside=$scratch/outside
mkdir -p "$snaps" "$outside"
echo victim >"$outside/victim.txt"
make_project "$proj"
cd "$proj" || exit 1
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
t0=$(date -u -d 2026-12-01T00:00:00Z +%s)
export POSHTIBAN_TEST_NOW=$(iso "$t0")
pt_ok settings set retention.auto_cleanup false
pt_ok settings set offsite.repository "$repo"
pt_ok offsite init
pt_ok settings set offsite.enabled true
new_backup
base=$name
project=$(rx snapshots --json | json_eval '[t[8:] for t in d[0]["tags"] if t.startswith("project:")][0]')
[ -n "$project" ] || fail "setup: the backup went off-site with its project tag"

names=()
times=()
for k in 0 1 2 3; do
    sqlite3 db.sqlite3 "INSERT INTO investor (name, share) VALUES ('نفر $k', 0.1);
        UPDATE unit SET area = area * 2 WHERE id % 7 = $k; DELETE FROM unit WHERE id = 50 + $k;"
    t=$((t0 + 900 * (k + 1)))
    POSHTIBAN_TEST_NOW=$(iso "$t") pt_ok capture --json || break
    names[k]=$(echo "$out" | json_eval 'd["name"]')
    times[k]=$(iso "$t")
    sqlite3 db.sqlite3 ".backup '$snaps/$k.sqlite3'"
done

# chains: the chain snapshots in the repository, "point:… " each, oldest first.
chains() {
    rx snapshots --json --tag changes | json_eval \
        '" ".join(sorted([t for t in s["tags"] if t.startswith("point:")][0] for s in d))'
}
expect_eq "each capture sent its chain" \
    "point:${names[0]} point:${names[1]} point:${names[2]} point:${names[3]}" "$(chains)"
expect_eq "tags of a chain snapshot" "base:$base changes poshtiban project:$project" \
    "$(rx snapshots --json --tag "point:${names[3]}" |
        json_eval '" ".join(sorted(t for t in d[0]["tags"] if not t.startswith("point:")))')"
pt_ok push --missing
expect_eq "push --missing sends no chain the repository has" 4 \
    "$(rx snapshots --json --tag changes | json_eval 'len(d)')"

# ---- a new machine: recover --at brings back the state captured then
# (the database it restores, when this build has restore --at; and always
# the chain it placed, rebuilt to that moment by tests/tools/changes-at).
has_at=0
if "$POSHTIBAN" --help 2>&1 | grep -q -- 'restore .*--at'; then has_at=1; fi
at_case() {
    local what=$1 at=$2 snap=$3 dir
    dir=$(mktemp -d "$scratch/fresh.XXXXXX")
    HOME=$dir run_pt -C "$dir" recover --repository "$repo" --at "$at" </dev/null
    if [ "$status" != 0 ]; then
        fail "$what: recover --at $at: exit $status: $err"
        return
    fi
    if [ "$has_at" = 1 ]; then
        "$PY" "$SOURCE_ROOT/tests/integration/lib/compare_dumps.py" --label "$what" --sqlite "$snap" "$dir/db.sqlite3" ||
            fail "$what: recover --at $at differs from the database captured then"
    fi
    if ! "$CHANGES_AT" "$dir" "$at" "$dir/at.sqlite3" >/dev/null 2>"$scratch/changes-at.err"; then
        fail "$what: the recovered chain at $at: $(cat "$scratch/changes-at.err")"
    else
        "$PY" "$SOURCE_ROOT/tests/integration/lib/compare_dumps.py" --label "$what" --sqlite "$snap" "$dir/at.sqlite3" ||
            fail "$what: the recovered chain at $at differs from the database captured then"
    fi
}
at_case "at the second capture" "${times[1]}" "$snaps/1.sqlite3"
at_case "between the third and the fourth" "$(iso $((t0 + 900 * 3 + 300)))" "$snaps/2.sqlite3"
at_case "at the newest" "${times[3]}" "$snaps/3.sqlite3"

# ---- offsite prune keeps the newest chain snapshot of the backup it keeps
pt_ok offsite prune --dry-run --json
expect_eq "offsite prune would forget the three older chain snapshots" \
    "changes/$base changes/$base changes/$base" \
    "$(echo "$out" | json_eval '" ".join(s["name"] for s in d["removed"])')"
pt_ok offsite prune
expect_eq "offsite prune kept the newest chain snapshot" "point:${names[3]}" "$(chains)"
expect_eq "offsite prune kept the backup" 1 "$(rx snapshots --json --tag "name:$base" | json_eval 'len(d)')"
at_case "at the newest, after offsite prune" "${times[3]}" "$snaps/3.sqlite3"

# ---- hostile chain snapshots
genuine=$scratch/genuine
mkdir -p "$genuine/changes"
cp -a "backups/changes/$base" "$genuine/changes/"
chmod -R u+w "$genuine"
first=${names[0]}
forged_n=0
# forge TREE [TAG…]: a chain snapshot of TREE/changes, tagged as poshtiban
# tags one (project, changes, base) plus TAGs, newer than every genuine one.
forge() {
    local tree=$1 args=() t
    shift
    for t in "$@"; do args+=(--tag "$t"); done
    forged_n=$((forged_n + 1))
    (cd "$tree" && rx backup --json --host forger --time "2026-12-02 00:00:$(printf %02d $forged_n)" \
        --tag "poshtiban,project:$project,changes,base:$base,point:forged" --tag forged \
        "${args[@]}" -- $(ls -A) >/dev/null) || fail "forge $tree: restic backup failed"
}
forget_forged() {
    local ids
    ids=$(rx snapshots --json --tag forged | json_eval '" ".join(s["id"] for s in d)')
    [ -z "$ids" ] || rx forget $ids >/dev/null || fail "forget the forged snapshots"
}
# new_tree: a copy of the genuine chain in $t to tamper with.
tree_n=0
new_tree() {
    tree_n=$((tree_n + 1))
    t=$scratch/trees/$tree_n
    mkdir -p "$t"
    cp -a "$genuine/changes" "$t/"
    c=$t/changes/$base
}
# refused WHAT EXPECT: recover --at in a new folder refuses the chain, saying
# EXPECT (a glob), places no point, and leaves the outside and tmp alone.
refused() {
    local what=$1 expect=$2 dir before
    dir=$(mktemp -d "$scratch/hostile.XXXXXX")
    before=$(tree_state "$outside")
    HOME=$dir run_pt -C "$dir" recover --repository "$repo" --at "${times[3]}" </dev/null
    expect_eq "$what: refused" 1 "$status"
    # shellcheck disable=SC2254
    case $err in $expect) ;; *) fail "$what: says why: [$err]" ;; esac
    [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || fail "$what: one line: [$err]"
    [ ! -e "$dir/backups/changes" ] || fail "$what: no point placed: $(ls -R "$dir/backups/changes")"
    expect_eq "$what: nothing outside changed" "$before" "$(tree_state "$outside")"
    expect_eq "$what: tmp is empty again" "" "$(ls -A "$dir/backups/.poshtiban/tmp" 2>/dev/null)"
    [ ! -e "$dir/db.sqlite3" ] || fail "$what: nothing restored"
    forget_forged
}

new_tree
ln -s "$outside/victim.txt" "$c/changes_20261201_020000.json"
forge "$t"
refused "a link in the chain" "*link or special file*nothing was kept*"

new_tree
forge "$t" "base:../$base"
refused "a second base tag (../)" "*carry the tags of another project, backup or chain*"

new_tree
forge "$t" "project:someone-else"
refused "another project's tag" "*carry the tags of another project, backup or chain*"

new_tree
echo hello >"$c/README.txt"
forge "$t"
refused "an extra file" "*hold README.txt, which is no file of a change set*"

new_tree
mkdir -p "$t/elsewhere" && echo x >"$t/elsewhere/x"
forge "$t"
refused "another path beside changes/" "*hold more than its chain*"

new_tree
"$PY" - "$c/$first.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["base"] = "backup_20000101_000000"
json.dump(p, open(sys.argv[1], "w"))
PY
forge "$t"
refused "a JSON naming another base" "*names another backup as its base*"

new_tree
flip_byte "$c/$first.changeset.zst" 20
forge "$t"
refused "a damaged data file" "*missing or damaged (its checksum differs)*"

new_tree
rm "$c/$first.changeset.zst"
mkdir "$c/$first.changeset.zst"
forge "$t"
refused "a folder for a data file" "*link or special file*"

new_tree
cp "$c/$first.changeset.zst" "$c/changes_20261201_000001.changeset.zst"
forge "$t"
refused "a data file no point names" "*data file no change set names*"

# Control: with the forged ones gone, the genuine chain recovers again.
at_case "the genuine chain after the hostile ones" "${times[3]}" "$snaps/3.sqlite3"

finish
