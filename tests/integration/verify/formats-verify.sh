#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3, acceptance 1: a backup of every format verifies, and the archives
# hold the documented tree that unzip and tar --zstd read; a single flipped
# byte (snapshot, fixture, media, report, the archive itself) makes verify
# exit 1 naming the file, and the catalog records the failure.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
plain_files "$proj"
cd "$proj" || exit 1
root=$(pwd -P)/backups
# Many backups below: automatic retention must not remove any of them.
pt_ok settings set retention.auto_cleanup false

members="database.sqlite3 complete_database.json fixtures/investor.json fixtures/unit.json
media/docs/contract.txt media/photo.bin backup_report.json backup_summary.txt SHA256SUMS"

# expect_verified ID WHAT: verify exits 0 and the catalog says so.
expect_verified() {
    run_pt verify "$1" </dev/null
    expect_eq "$2: verify exit ($err)" 0 "$status"
    expect_eq "$2: verify_ok after a good verify" True "$(field "$1" 'd["verify_ok"]')"
    expect_eq "$2: verified_at set" True "$(field "$1" 'd["verified_at"] is not None')"
}

# expect_damaged ID WHAT WORD...: verify exits 1, stderr names one of the WORDs
# (the damaged file), --json says not ok with a problem naming it, and the
# catalog records the failure.
expect_damaged() {
    local bid=$1 what=$2 w named=no
    shift 2
    run_pt verify "$bid" </dev/null
    expect_eq "$what: verify exit" 1 "$status"
    for w in "$@"; do mentions "$err" "$w" && named=yes; done
    expect_eq "$what: stderr names the damaged file ($*): [$err]" yes "$named"
    expect_eq "$what: verify_ok false in the catalog" False "$(field "$bid" 'd["verify_ok"]')"
    expect_eq "$what: verified_at set" True "$(field "$bid" 'd["verified_at"] is not None')"
    run_pt verify "$bid" --json </dev/null
    expect_eq "$what: verify --json exit" 1 "$status"
    expect_eq "$what: verify --json result" "False 1" \
        "$(echo "$out" | json_eval '"%s %d" % (d["results"][0]["ok"], len(d["results"]))')"
    named=no
    for w in "$@"; do
        [ "$(echo "$out" | json_eval "any('''$w''' in p for p in d['results'][0]['problems'])")" = True ] && named=yes
    done
    expect_eq "$what: a --json problem names the damaged file ($*): $out" yes "$named"
}

declare -A good_id good_name
for fmt in dir zip tar.zst; do
    new_backup --format "$fmt" || continue
    good_id[$fmt]=$id
    good_name[$fmt]=$name
    expect_eq "$fmt: record format" "$fmt" "$(echo "$rec" | json_eval 'd["format"]')"
    case $fmt in
        dir) expect_eq "$fmt: path" "$root/$name" "$path" ;;
        *) expect_eq "$fmt: path" "$root/$name.$fmt" "$path" ;;
    esac
    if [ "$fmt" != dir ]; then
        check "$fmt: the archive is a file" test -f "$path"
        check "$fmt: no folder beside the archive" test ! -e "$root/$name"
        expect_eq "$fmt: size_bytes is the archive's size" "$(stat -c %s "$path")" \
            "$(echo "$rec" | json_eval 'd["size_bytes"]')"
        expect_eq "$fmt: owner-only archive" 600 "$(stat -c %a "$path")"
        if [ "$fmt" = zip ]; then
            listing=$(unzip -Z1 "$path") || fail "$fmt: unzip -Z1 cannot list the archive"
            check "$fmt: unzip -t accepts the archive" unzip -tq "$path" >/dev/null
        else
            listing=$(tar --zstd -tf "$path") || fail "$fmt: tar --zstd -tf cannot list the archive"
        fi
        expect_eq "$fmt: every entry under $name/" "" "$(printf '%s\n' "$listing" | grep -v "^$name/")"
        for m in $members; do
            check "$fmt: archive holds $name/$m" grep -qxF "$name/$m" <<<"$listing"
        done
    fi
    unpack_backup "$path" "$scratch/unpacked-$fmt"
    b=$scratch/unpacked-$fmt/$name
    check "$fmt: sha256sum -c SHA256SUMS of the extracted tree" \
        bash -c "cd '$b' && sha256sum --quiet --strict -c SHA256SUMS"
    expect_eq "$fmt: SHA256SUMS covers every file" \
        "$(cd "$b" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | sort)" \
        "$(cut -c67- "$b/SHA256SUMS" | sort)"
    check "$fmt: media tree equals the source" diff -r "$proj/media" "$b/media"
    expect_eq "$fmt: snapshot integrity" ok "$(sqlite3 "$b/database.sqlite3" 'PRAGMA integrity_check')"
    expect_eq "$fmt: verify_ok before any verify" None "$(field "$id" 'd["verify_ok"]')"
    expect_verified "$id" "$fmt"
done

run_pt verify --all --json </dev/null
expect_eq "verify --all of good backups: exit ($err)" 0 "$status"
expect_eq "verify --all: one ok result per backup" "3 True" \
    "$(echo "$out" | json_eval '"%d %s" % (len(d["results"]), all(r["ok"] and r["problems"] == [] and set(r) >= {"id","name","ok","problems"} for r in d["results"]))')"
if [ -n "${good_name[zip]:-}" ]; then
    run_pt verify "${good_name[zip]}" </dev/null
    expect_eq "verify by name: exit ($err)" 0 "$status"
fi

# Folder backups: one damage per fresh backup.
declare -A bad_dir
dir_case() { # dir_case FILE HOW
    local file=$1 how=$2
    # An unchanged media file is shared (hard-linked) with the previous
    # backup, and a flipped byte would damage both: a newer time makes
    # this backup's copy its own.
    case $file in media/*) touch "$proj/$file" ;; esac
    # So is the fixture of an unchanged table: a changed row makes it its own.
    case $file in fixtures/unit.*) sqlite3 "$proj/db.sqlite3" "UPDATE unit SET area = area + 1 WHERE id = 1" ;; esac
    new_backup --format dir || return
    expect_verified "$id" "dir before damaging $file"
    case $how in
        flip) flip_byte "$path/$file" $(($(stat -c %s "$path/$file") / 2)) ;;
        remove) rm -f "$path/$file" ;;
    esac
    # A damaged media file whose live twin is unchanged is healed by verify
    # (rot.sh): here the live file changed too, so the damage stands.
    case $file in media/*) printf 'changed' >>"$proj/$file" ;; esac
    expect_damaged "$id" "dir: $how $file" "$file"
    bad_dir[$id]=$file
}
dir_case database.sqlite3 flip
dir_case fixtures/unit.json flip
dir_case media/photo.bin flip
dir_case complete_database.json flip
dir_case backup_report.json flip
dir_case backup_summary.txt flip
dir_case media/docs/contract.txt remove
# The default dir backup: snapshot and fixtures compressed (backup.compress),
# a byte flipped in the bytes as stored.
pt_ok settings set backup.compress true
dir_case database.sqlite3.zst flip
dir_case fixtures/unit.json.gz flip
dir_case complete_database.json.gz flip
pt_ok settings set backup.compress false

# Archives: one flipped byte in the middle, one near the end.
declare -A bad_archive
archive_case() { # archive_case FORMAT WHERE
    local fmt=$1 where=$2 size off
    new_backup --format "$fmt" || return
    expect_verified "$id" "$fmt before damaging it ($where)"
    size=$(stat -c %s "$path")
    case $where in
        middle) off=$((size / 2)) ;;
        end)
            if [ "$fmt" = zip ]; then
                # The central directory's offset in the end-of-central-directory record.
                off=$("$PY" -c 'import sys; b=open(sys.argv[1],"rb").read(); print(b.rindex(b"PK\x05\x06") + 16)' "$path")
            else
                off=$((size - 4))
            fi
            ;;
    esac
    flip_byte "$path" "$off"
    # The archive's own name, or the member the flipped byte fell in.
    # shellcheck disable=SC2086
    expect_damaged "$id" "$fmt: byte $off of $size flipped ($where)" "$(basename "$path")" $members
    bad_archive[$id]=$fmt
}
for fmt in zip tar.zst; do
    archive_case "$fmt" middle
    archive_case "$fmt" end
done

# The good backups are untouched by all this; verify --all reports each one.
for fmt in dir zip tar.zst; do
    [ -n "${good_id[$fmt]:-}" ] && expect_verified "${good_id[$fmt]}" "$fmt: the first backup afterwards"
done
run_pt verify --all --json </dev/null
expect_eq "verify --all with damaged backups: exit" 1 "$status"
expected_results=$(
    for fmt in dir zip tar.zst; do [ -n "${good_id[$fmt]:-}" ] && echo "${good_id[$fmt]} True"; done
    for i in "${!bad_dir[@]}" "${!bad_archive[@]}"; do echo "$i False"; done
)
expect_eq "verify --all: every backup with its result" "$(sort <<<"$expected_results")" \
    "$(echo "$out" | json_eval '"\n".join(sorted("%s %s" % (r["id"], r["ok"]) for r in d["results"]))')"
run_pt verify --all </dev/null
expect_eq "verify --all (text): exit" 1 "$status"
for i in "${!bad_dir[@]}"; do
    mentions "$err" "${bad_dir[$i]}" || fail "verify --all names ${bad_dir[$i]}: $err"
done
check "no leftovers in tmp after verify" test -z "$(ls -A "$root/.poshtiban/tmp")"
finish
