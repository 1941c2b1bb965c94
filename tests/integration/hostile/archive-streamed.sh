#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# create --format zip|tar.zst streams the media straight from the project's
# folder into the archive (docs/backup-layout.md, "Member order"): a tar
# header declares a file's size before its bytes, so what changes while it
# is read must not give a wrong member.
# - a media file that grows, or shrinks, while it is read: create fails with
#   one line naming it ("changed while it was read"), the record is failed,
#   nothing is left in the backup root or in .poshtiban/tmp;
# - killed (SIGKILL) while a media member is half written: nothing in the
#   backup root, what tmp held is no whole archive (zstd -t, unzip -t fail
#   on it), and the next command leaves tmp empty, the record interrupted;
# - once the media are still, the same create succeeds, and the archive
#   opens by hand (zstd -d | tar x, unzip) and passes sha256sum -c, its
#   reports last.
# - verify of an archive on a terminal: its progress never passes 100%.
# - no room (part disk-full: the backup root on a 6 MiB tmpfs, 8 MiB of
#   random media): one line saying so, nothing left.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-notify.sh" # try_mount
proj=$scratch/proj
mkdir -p "$proj/media/big"
cd "$proj" || exit 1
sqlite3 db.sqlite3 "CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT); INSERT INTO item (label) VALUES ('یک');"
echo small >media/small.txt
root=$(pwd -P)/backups
tmp=$root/.poshtiban/tmp
pt_ok settings set retention.auto_cleanup false

# nothing_left WHAT: no archive in the root, nothing in tmp
nothing_left() {
    expect_eq "$1: nothing in the backup root" "" \
        "$(find "$root" -mindepth 1 -maxdepth 1 ! -name .poshtiban -printf '%f\n' 2>/dev/null)"
    expect_eq "$1: nothing in .poshtiban/tmp" "" "$(ls -A "$tmp" 2>/dev/null)"
}

# changing KIND SCRIPT: a writer changes media/big/f.bin while create runs
changing() {
    local kind=$1 fmt
    for fmt in zip tar.zst; do
        head -c $((48 * 1024 * 1024)) /dev/urandom >media/big/f.bin
        bash -c "$2" &
        local writer=$!
        run_pt create --format "$fmt" --json </dev/null
        kill "$writer" 2>/dev/null
        wait "$writer" 2>/dev/null
        expect_eq "$kind ($fmt): create fails ($err)" 1 "$status"
        case $err in
            *"media/big/f.bin changed while it was read"*) ;;
            *) fail "$kind ($fmt): the error names the file and says why: [$err]" ;;
        esac
        expect_eq "$kind ($fmt): one line" 1 "$(printf '%s\n' "$err" | grep -c .)"
        nothing_left "$kind ($fmt)"
        run_pt list --json </dev/null
        expect_eq "$kind ($fmt): the record is failed" failed \
            "$(json_eval 'd["backups"][0]["status"]' <<<"$out" 2>/dev/null)"
    done
}
if part_begins disk-full; then
    small=$scratch/small
    try_mount "$small" -t tmpfs -o size=6m tmpfs || skip_part "cannot mount a tmpfs here"
    head -c $((8 * 1024 * 1024)) /dev/urandom >media/big/f.bin
    root=$small/backups tmp=$small/backups/.poshtiban/tmp
    for fmt in zip tar.zst; do
        run_pt --backups "$root" create --format "$fmt" --json </dev/null
        expect_eq "no room ($fmt): create fails ($err)" 1 "$status"
        case $err in *"No space left on device"*) ;; *) fail "no room ($fmt): the error says so: [$err]" ;; esac
        expect_eq "no room ($fmt): one line" 1 "$(printf '%s\n' "$err" | grep -c .)"
        nothing_left "no room ($fmt)"
    done
    finish
fi

changing growing 'while :; do printf x >>media/big/f.bin; done'
changing shrinking 'n=$((48 * 1024 * 1024)); while :; do n=$((n - 4096)); truncate -s "$n" media/big/f.bin; done'

# Killed with a media member half written: one 40 MiB file is 160 progress
# reports of 256 KiB; the few before it (snapshot, one row) come first. The
# kill comes 32 MiB in: zstd's workers hold at most a few jobs of 2 MiB each
# (engine/compress.c), so however slow they are, bytes of the member have
# reached the file by then.
head -c $((40 * 1024 * 1024)) /dev/urandom >media/big/f.bin
day=0
for fmt in zip tar.zst; do
    day=$((day + 1))
    when=$(printf '2026-07-%02dT12:00:00Z' "$day")
    bname=$(printf 'backup_202607%02d_120000' "$day")
    st=0
    POSHTIBAN_TEST_NOW=$when POSHTIBAN_TEST_KILL_AFTER=130 \
        "$POSHTIBAN" create --format "$fmt" --json </dev/null >"$scratch/out" 2>"$scratch/err" || st=$?
    expect_eq "killed ($fmt): create ends by SIGKILL" 137 "$st"
    part=$tmp/$bname.$fmt
    check "killed ($fmt): the archive was begun in tmp" test -s "$part"
    if [ "$fmt" = zip ]; then
        check "killed ($fmt): what tmp holds is no whole zip" bash -c "! unzip -tq '$part' >/dev/null 2>&1"
    else
        check "killed ($fmt): what tmp holds is no whole zstd frame" bash -c "! zstd -tq '$part' 2>/dev/null"
        # The media member it was writing is there, cut short.
        check "killed ($fmt): the kill fell inside the media member" \
            bash -c "zstd -dc '$part' 2>/dev/null | tar tf - 2>/dev/null | grep -qx '$bname/media/big/f.bin'"
    fi
    expect_eq "killed ($fmt): nothing in the backup root" "" \
        "$(find "$root" -mindepth 1 -maxdepth 1 ! -name .poshtiban -printf '%f\n')"
    run_pt list --json </dev/null
    expect_eq "killed ($fmt): list after the kill ($err)" 0 "$status"
    expect_eq "killed ($fmt): the record is interrupted" interrupted \
        "$(json_eval "' '.join(r['status'] for r in d['backups'] if r['name'] == '$bname')" <<<"$out")"
    nothing_left "killed ($fmt)"
done

# Still media: the same create succeeds, opens by hand, reports last.
for fmt in zip tar.zst; do
    new_backup --format "$fmt" || { fail "create --format $fmt"; continue; }
    file=$root/$name.$fmt
    expect_eq "$fmt: owner-only" 600 "$(stat -c %a "$file")"
    rm -rf "$scratch/x" && mkdir "$scratch/x"
    if [ "$fmt" = zip ]; then
        (cd "$scratch/x" && unzip -q "$file") || fail "$fmt: unzip"
        last=$(unzip -Z1 "$file" | tail -n 1)
    else
        zstd -dc "$file" | tar xf - -C "$scratch/x" || fail "$fmt: zstd -d | tar x"
        last=$(zstd -dc "$file" | tar tf - | tail -n 1)
    fi
    expect_eq "$fmt: SHA256SUMS is the last member" "$name/SHA256SUMS" "$last"
    check "$fmt: sha256sum -c passes" bash -c "cd '$scratch/x/$name' && sha256sum --quiet -c SHA256SUMS"
    check "$fmt: the big media file is whole" cmp "$scratch/x/$name/media/big/f.bin" media/big/f.bin
    # SHA256SUMS lists every file member but itself, the report every one but those two.
    members=$(cd "$scratch/x/$name" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | sort)
    summed=$(sed 's/^[0-9a-f]*  //' "$scratch/x/$name/SHA256SUMS" | sort)
    expect_eq "$fmt: SHA256SUMS lists exactly the members" "$members" "$summed"
    listed=$(json_eval '"\n".join(sorted(f["path"] for f in d["files"]))' <"$scratch/x/$name/backup_report.json")
    expect_eq "$fmt: the report lists exactly the members" "$(grep -vx backup_report.json <<<"$members")" "$listed"
    run_pt verify "$name" </dev/null
    expect_eq "$fmt: verify ($err)" 0 "$status"
done

# verify of an archive on a terminal: its members are read unpacked, so the
# archive's size is no total for them; no progress line passes 100%.
rm -f media/big/f.bin
head -c $((24 * 1024 * 1024)) /dev/zero >media/big/zeros.bin
for fmt in zip tar.zst; do
    new_backup --format "$fmt" || { fail "create --format $fmt with zeros"; continue; }
    on_pty "$scratch/verify.pty" verify "$name"
    expect_eq "$fmt: verify on a terminal" 0 "$status"
    over=$(tr '\r' '\n' <"$scratch/verify.pty" | grep -oE '[0-9]+%' | tr -d % | awk '$1 > 100' | head -n 1)
    expect_eq "$fmt: verify's progress on a terminal stays within 100%" "" "$over"
done
finish
