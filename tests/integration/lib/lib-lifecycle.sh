# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the backup-lifecycle tests (issue 3); sourced after lib.sh.

# pt_ok ARGS...: run_pt, and a failure naming the command when it does not exit 0.
# stdin is never a terminal here.
pt_ok() {
    run_pt "$@" </dev/null
    if [ "$status" != 0 ]; then
        fail "poshtiban $*: exit $status: $err"
        return 1
    fi
}

# new_backup ARGS...: `create --json ARGS`; sets id, name, path (and rec, the JSON).
new_backup() {
    id='' name='' path='' rec=''
    pt_ok create --json "$@" || return 1
    rec=$out
    id=$(echo "$rec" | json_eval 'd["id"]')
    name=$(echo "$rec" | json_eval 'd["name"]')
    path=$(echo "$rec" | json_eval 'd["path"]')
}

# field ID EXPRESSION: evaluates EXPRESSION on `show ID --json` (d).
field() {
    run_pt show "$1" --json </dev/null
    if [ "$status" != 0 ]; then
        echo "show $1 failed: exit $status: $err"
        return
    fi
    echo "$out" | json_eval "$2"
}

# unpack_backup PATH DEST: the backup's tree appears as DEST/<name>/ for every format.
unpack_backup() {
    mkdir -p "$2"
    case $1 in
        *.zip) unzip -q "$1" -d "$2" ;;
        *.tar.zst) tar --zstd -xf "$1" -C "$2" ;;
        *) cp -a "$1" "$2/" ;;
    esac
}

# tree_state DIR: one sorted line per entry below DIR: "d path", "f path sha256",
# "l path -> target"; the same tree gives the same text.
tree_state() {
    "$PY" - "$1" <<'PY'
import hashlib, os, sys
root = sys.argv[1]
lines = []
for here, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(here, n)
        rel = os.path.relpath(p, root)
        if os.path.islink(p):
            lines.append("l %s -> %s" % (rel, os.readlink(p)))
        elif os.path.isdir(p):
            lines.append("d " + rel)
        else:
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            lines.append("f %s %s" % (rel, h.hexdigest()))
print("\n".join(sorted(lines)))
PY
}

# flip_byte FILE OFFSET: inverts every bit of one byte (a negative OFFSET counts from the end).
flip_byte() {
    "$PY" - "$1" "$2" <<'PY'
import os, sys
path, off = sys.argv[1], int(sys.argv[2])
if off < 0:
    off += os.path.getsize(path)
with open(path, "r+b") as f:
    f.seek(off)
    b = f.read(1)
    f.seek(off)
    f.write(bytes([b[0] ^ 0xFF]))
PY
}

# db_dump DB: schema and every row, in rowid order (sqlite3's .dump). A
# backup's snapshot is named by its plain name: DB.zst (the default of a dir
# backup) is unpacked with zstd first, as by hand.
db_dump() {
    if [ ! -e "$1" ] && [ -e "$1.zst" ]; then
        local plain
        plain=$(mktemp "$scratch/snapshot.XXXXXX")
        zstd -dcq "$1.zst" >"$plain" && sqlite3 "$plain" .dump
        rm -f "$plain"
        return
    fi
    sqlite3 "$1" .dump
}

# mentions TEXT WORD: whether TEXT holds WORD (a fixed string).
mentions() {
    case $1 in *"$2"*) return 0 ;; esac
    return 1
}
