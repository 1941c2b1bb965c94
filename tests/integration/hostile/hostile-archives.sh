#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 3, acceptance 4: hostile archives given to restore.  A real zip or
# tar.zst backup is rebuilt under its own name with hostile members added
# below <name>/media/ (`../` escapes, an absolute path, a symlink out of the
# target and a file written through it, hardlinks out of the target).
# `restore --yes --media-only --target-media T` must fail (exit 1, one clear
# line) and write nothing outside T (nor leave T half-restored); so must
# `restore --path media --to T`.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false

outside=$scratch/outside
mkdir -p "$outside"
printf 'victim: must never change\n' >"$outside/victim.txt"
passwd_sha=$(sha256sum </etc/passwd)
passwd_links=$(stat -c %h /etc/passwd)
cp -p /etc/passwd "$scratch/passwd.orig"

# rebuild ARCHIVE NAME CASE: rewrites ARCHIVE in place with the same members
# and, for CASE, hostile ones after them.
rebuild() {
    local archive=$1 bname=$2 kase=$3
    local plain=$archive
    if [ "${archive%.tar.zst}" != "$archive" ]; then
        plain=$scratch/rebuild.tar
        zstd -q -d -f "$archive" -o "$plain" || { fail "zstd -d $archive"; return 1; }
    fi
    "$PY" - "$plain" "$bname" "$kase" "$outside" <<'PY' || { fail "rebuilding $archive ($kase)"; return 1; }
import io, os, stat, sys, tarfile, time, zipfile
path, name, case, outside = sys.argv[1:5]
m = name + "/media/"
up = "../" * 16  # from any folder below the scratch folder up to /
# Each hostile member: (kind, member name, data or link target).
hostile = {
    "none": [],
    "dotdot": [("file", m + "../escape-dotdot-1.txt", b"escaped 1"),
               ("file", m + "../../escape-dotdot-2.txt", b"escaped 2"),
               ("file", m + "docs/../../../../escape-dotdot-4.txt", b"escaped 4"),
               ("file", m + "../../../../../escape-dotdot-5.txt", b"escaped 5")],
    "absolute": [("file", outside + "/escape-absolute.txt", b"escaped abs")],
    "symlink-abs": [("symlink", m + "sneaky", outside),
                    ("file", m + "sneaky/through-abs.txt", b"written through a symlink")],
    "symlink-rel": [("symlink", m + "docs/up", up + outside[1:]),
                    ("file", m + "docs/up/through-rel.txt", b"written through a symlink")],
    "hardlink-passwd": [("hardlink", m + "passwd", "/etc/passwd")],
    "hardlink-write": [("hardlink", m + "victim", outside + "/victim.txt"),
                       ("file", m + "victim", b"PWNED through a hardlink\n")],
    "hardlink-dotdot": [("hardlink", m + "victim2", m + up + outside[1:] + "/victim.txt"),
                        ("file", m + "victim2", b"PWNED through a hardlink\n")],
}[case]
now = time.time()
if path.endswith(".zip"):
    with zipfile.ZipFile(path) as z:
        old = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path + ".new", "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in old:
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.create_system, copy.external_attr = info.create_system, info.external_attr
            z.writestr(copy, data, compress_type=zipfile.ZIP_DEFLATED)
        for kind, member, data in hostile:
            info = zipfile.ZipInfo(member, time.localtime(now)[:6])
            info.create_system = 3
            if kind == "symlink":
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, data.encode())
            elif kind == "file":
                info.external_attr = (stat.S_IFREG | 0o600) << 16
                z.writestr(info, data)
            else:
                sys.exit("zip has no hardlinks")
    with zipfile.ZipFile(path + ".new") as z:
        got = [i.filename for i in z.infolist()][len(old):]
else:
    with tarfile.open(path) as t:
        old = [(i, t.extractfile(i).read() if i.isfile() else None) for i in t.getmembers()]
    with tarfile.open(path + ".new", "w", format=tarfile.PAX_FORMAT) as t:
        for info, data in old:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
        for kind, member, data in hostile:
            info = tarfile.TarInfo(member)
            info.mtime, info.mode = now, 0o600
            if kind == "file":
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            else:
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                info.linkname = data
                info.mode = 0o777 if kind == "symlink" else 0o600
                t.addfile(info)
    with tarfile.open(path + ".new") as t:
        got = [i.name for i in t.getmembers()][len(old):]
if got != [h[1] for h in hostile]:
    sys.exit("hostile members were not written as given: %r" % got)
os.replace(path + ".new", path)
PY
    if [ "$plain" != "$archive" ]; then
        zstd -q -f "$plain" -o "$archive" || { fail "zstd $archive"; return 1; }
        rm -f "$plain"
    fi
    # The checksum beside the archive follows, so that the members' own
    # checks are what stands between the archive and the target.
    chmod u+w "$archive.sha256"
    (cd "$(dirname "$archive")" && sha256sum "$(basename "$archive")") >"$archive.sha256"
}

# Where restore writes: a target three folders down in its own tree, with
# something in it already.
work=$scratch/w
target=$work/p/q/target
fresh_target() {
    chmod -R u+w "$work" 2>/dev/null
    rm -rf "$work"
    mkdir -p "$target/old"
    printf 'old content\n' >"$target/old/file.txt"
    printf 'other\n' >"$work/p/q/sibling.txt"
}

# Nothing may appear anywhere in the scratch folder but in the target, the
# project's backup root, and the files made above.
outside_state() {
    (cd "$scratch" && find . -path ./w/p/q/target -prune -o -path ./proj/backups -prune -o -print | sort)
    tree_state "$outside"
    tree_state "$proj/media"
}

# Control: an archive rebuilt the same way but with nothing added is a good
# backup, and restore takes it (else the cases below would prove only that
# rebuilt archives are refused).
for fmt in zip tar.zst; do
    new_backup --format "$fmt" || continue
    rebuild "$path" "$name" none || continue
    fresh_target
    run_pt restore "$id" --yes --media-only --target-media "$target" </dev/null
    expect_eq "$fmt control: restore of a rebuilt but faithful archive: exit ($err)" 0 "$status"
    expect_eq "$fmt control: the target gets the backup's media" "$(tree_state "$proj/media")" "$(tree_state "$target")"
done

run_case() { # run_case FORMAT CASE
    local fmt=$1 kase=$2
    new_backup --format "$fmt" || return
    rebuild "$path" "$name" "$kase" || return
    fresh_target
    local before target_before
    before=$(outside_state)
    target_before=$(tree_state "$target")
    run_pt restore "$id" --yes --media-only --target-media "$target" </dev/null
    expect_eq "$fmt $kase: restore exit ($err)" 1 "$status"
    expect_eq "$fmt $kase: one line on stderr ($err)" 1 "$(printf '%s\n' "$err" | grep -c .)"
    case $err in
        "poshtiban: "*) ;;
        *) fail "$fmt $kase: a poshtiban error message: [$err]" ;;
    esac
    # restore --path walks the same members: refused the same way (issue 23).
    run_pt restore "$id" --path media --to "$target" --yes </dev/null
    expect_eq "$fmt $kase: restore --path media --to exit ($err)" 1 "$status"
    expect_eq "$fmt $kase: nothing written outside the target" "$before" "$(outside_state)"
    expect_eq "$fmt $kase: the target is left as it was" "$target_before" "$(tree_state "$target")"
    # ../ from a target five folders below the scratch folder's parent reaches it.
    local escaped
    escaped=$(find "$scratch" \( -name 'escape-*' -o -name 'through-*.txt' \) 2>/dev/null
        find "$(dirname "$scratch")" / -maxdepth 1 \( -name 'escape-dotdot-*' -o -name 'through-*.txt' \) 2>/dev/null)
    expect_eq "$fmt $kase: no escaped file anywhere" "" "$escaped"
    rm -f "$(dirname "$scratch")"/escape-dotdot-[0-9].txt /escape-dotdot-[0-9].txt
    expect_eq "$fmt $kase: victim unchanged" 'victim: must never change' "$(cat "$outside/victim.txt")"
    expect_eq "$fmt $kase: /etc/passwd unchanged" "$passwd_sha" "$(sha256sum </etc/passwd)"
    expect_eq "$fmt $kase: no new link to /etc/passwd" "$passwd_links" "$(stat -c %h /etc/passwd)"
    expect_eq "$fmt $kase: no link to /etc/passwd in the scratch folder" "" "$(find "$scratch" -samefile /etc/passwd 2>/dev/null)"
    expect_eq "$fmt $kase: no link to the victim" 1 "$(stat -c %h "$outside/victim.txt")"
    check "$fmt $kase: no leftovers in tmp" test -z "$(ls -A "$proj/backups/.poshtiban/tmp")"
    if [ "$(sha256sum </etc/passwd)" != "$passwd_sha" ]; then
        cat "$scratch/passwd.orig" >/etc/passwd # put it back: this test must not break the machine
    fi
    find "$scratch" -samefile /etc/passwd -delete 2>/dev/null
    # Each case starts clean even when an earlier one escaped.
    rm -f "$outside"/escape-* "$outside"/through-* "$outside/victim.txt"
    printf 'victim: must never change\n' >"$outside/victim.txt"
    if [ -n "$escaped" ]; then
        printf '%s\n' "$escaped" | while read -r f; do rm -f "$f"; done
    fi
}

for kase in dotdot absolute symlink-abs symlink-rel; do
    run_case zip "$kase"
    run_case tar.zst "$kase"
done
for kase in hardlink-passwd hardlink-write hardlink-dotdot; do
    run_case tar.zst "$kase"
done
finish
