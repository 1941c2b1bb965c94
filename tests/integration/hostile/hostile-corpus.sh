#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A corpus of hostile backups (make-hostile-corpus.py) made from three real
# ones, dropped into the backup root: reindex takes what it takes, and the
# ones it leaves are recorded by hand (as if recorded before their files
# were swapped).  Then for every variant: show --json, export -o,
# verify, restore --media-only --target-media T and restore, each under
# `timeout 60`, and after each:
# - no hang (124 or a minute), no crash (>= 128), no sanitizer report; a
#   command that hangs is killed, and the variant's later verify and
#   restores are skipped (each verifies first: they would hang alike);
# - a failure says so in lines that start with "poshtiban: " (one line but
#   for verify, which lists its problems), and nothing a terminal would
#   obey (ESC, BEL) reaches stdout or stderr;
# - verify and both restores refuse every variant but the controls (which
#   must verify and restore) and the few marked "any" (sound backups with
#   odd names or depth);
# - nothing written outside the target and the backup root: the scratch
#   folder (the project, a sentinel folder with a victim file that links
#   and ../ aim at) is listed before and after; a refused restore leaves
#   db.sqlite3, media/ and the catalog's pre_restore records as they were;
# - each command's peak RSS under 300 MiB (sanitizers included, their
#   quarantine cut to 16 MiB).
# Afterwards the three real backups still verify and `list` works.
# One line per variant says what each command returned, and how long the
# five took; the largest peak RSS is printed at the end.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

limit_s=60
rss_limit_kb=$((300 * 1024))
# ASan keeps up to 256 MiB of freed memory resident (its quarantine), which
# would be measured as poshtiban's: 16 MiB keeps use-after-free detection
# and lets the peak RSS speak of poshtiban.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
log=$scratch/log
mkdir -p "$log"

# pt CMD-ARGS...: runs poshtiban under timeout and time; sets rc, secs, rss,
# and err and out (the text of stderr and stdout, also in $log/err, $log/out).
max_rss=0
max_rss_what=''
pt() {
    rm -f "$log/time"
    /usr/bin/time -f '%e %M' -o "$log/time" timeout -k 5 "$limit_s" "$POSHTIBAN" "$@" \
        </dev/null >"$log/out" 2>"$log/err"
    rc=$?
    local line last=''
    while IFS= read -r line; do last=$line; done <"$log/time" # after "Command exited…"
    read -r secs rss <<<"$last"
    secs=${secs%.*}
    : "${secs:=0}" "${rss:=0}"
    err=$(<"$log/err")
    out=$(<"$log/out")
}

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt settings set retention.auto_cleanup false
[ "$rc" = 0 ] || { fail "settings set: exit $rc: $err"; finish; }
# The corpus breaks the plain members of a dir backup; compressed ones are
# broken by compression.sh.
pt settings set backup.compress false
[ "$rc" = 0 ] || { fail "settings set: exit $rc: $err"; finish; }
good=() # the three real backups: names, then paths
good_paths=()
for fmt in dir zip tar.zst; do
    pt create --json --format "$fmt"
    [ "$rc" = 0 ] || { fail "create --format $fmt: exit $rc: $err"; finish; }
    good+=("$(echo "$out" | json_eval 'd["name"]')")
    good_paths+=("$(echo "$out" | json_eval 'd["path"]')")
done

sentinel=$scratch/sentinel
mkdir -p "$sentinel"
printf 'victim: must never change\n' >"$sentinel/victim.txt"
mkdir -p "$scratch/pristine"
cp -a "$proj/db.sqlite3" "$proj/media" "$scratch/pristine/"
catalog=$proj/backups/.poshtiban/catalog.sqlite3

HOSTILE_SENTINEL=$sentinel "$PY" "$SOURCE_ROOT/tests/integration/lib/make-hostile-corpus.py" \
    "$proj/backups" "${good_paths[@]}" || { fail "the generator failed"; finish; }
manifest=$proj/backups/hostile-corpus.json
echo "corpus: $(du -sh "$proj/backups" | cut -f1) on disk in the backup root"

target=$scratch/t/target
mkdir -p "$target"
fresh_target() {
    chmod -R u+w "$scratch/t" 2>/dev/null
    rm -rf "$scratch/t"
    mkdir -p "$target/old"
    printf 'old content\n' >"$target/old/file.txt"
}

# state: everything poshtiban may not change, one line each.  The scratch
# folder but for the target, the backup root and this test's own files
# ("f path size links sha256", "d path", "l path -> target", "o path type";
# not below 3,000 bytes of path, where only a restored sound variant goes);
# P: the project's database and media; R: pre_restore records; N: all
# records; T: each leftover in the backup root's tmp; E: escaped files at /
# and beside the scratch folder.
state() {
    "$PY" - "$scratch" "$proj" "$catalog" <<'PY'
import hashlib, os, sqlite3, stat, sys
scratch, proj, catalog = (os.fsencode(a) for a in sys.argv[1:4])
skip = {os.path.join(scratch, p) for p in (b"t/target", b"log", b"x.zip")} | {os.path.join(proj, b"backups")}
lines = []
todo = [scratch]
while todo:
    here = todo.pop()
    try:
        names = os.listdir(here)
    except OSError as e:
        lines.append(b"? %s %d" % (os.path.relpath(here, scratch), e.errno))
        continue
    for n in names:
        p = os.path.join(here, n)
        if p in skip:
            continue
        rel = os.path.relpath(p, scratch)
        mark = b"P " if rel in (b"proj/db.sqlite3", b"proj/media") or rel.startswith(
            (b"proj/db.sqlite3-", b"proj/media/")) else b""
        try:
            st = os.lstat(p)
        except OSError as e:
            lines.append(mark + b"? %s %d" % (rel, e.errno))
            continue
        if stat.S_ISLNK(st.st_mode):
            lines.append(mark + b"l " + rel + b" -> " + os.readlink(p))
        elif stat.S_ISDIR(st.st_mode):
            lines.append(mark + b"d " + rel)
            if len(p) < 3000:
                todo.append(p)
        elif stat.S_ISREG(st.st_mode):
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            lines.append(mark + b"f %s %d %d %s" % (rel, st.st_size, st.st_nlink, h.hexdigest().encode()))
        else:
            lines.append(mark + b"o %s %o" % (rel, stat.S_IFMT(st.st_mode)))
con = sqlite3.connect("file:%s?mode=ro" % os.fsdecode(catalog), uri=True, timeout=30)
lines.append(b"R %d" % con.execute("SELECT count(*) FROM backups WHERE name LIKE 'pre\\_restore\\_%' ESCAPE '\\'").fetchone()[0])
lines.append(b"N %d" % con.execute("SELECT count(*) FROM backups").fetchone()[0])
con.close()
tmp = os.path.join(proj, b"backups/.poshtiban/tmp")
lines += [b"T " + n for n in (os.listdir(tmp) if os.path.isdir(tmp) else [])]
for d in (b"/", os.path.dirname(scratch)):
    lines += [b"E " + os.path.join(d, n) for n in os.listdir(d) if n.startswith(b"hostile-corpus-")]
sys.stdout.buffer.write(b"\n".join(sorted(lines)) + b"\n")
PY
}

# judge WHAT [lines]: the checks every command passes, whatever it was given;
# "lines": stderr may hold several lines (verify lists its problems).
# Bash alone, no process: it runs some 500 times.
judge() {
    local what=$1 several=${2:-} LC_ALL=C
    local last=${err##*$'\n'}
    if [ "$rss" -gt "$rss_limit_kb" ]; then fail "$what: peak RSS $((rss / 1024)) MiB"; fi
    if [ "$rss" -gt "$max_rss" ]; then max_rss=$rss max_rss_what=$what; fi
    if [ "$rc" = 124 ] || [ "$secs" -ge "$limit_s" ]; then
        fail "$what: hangs (exit $rc after ${secs}s)"
        rc=hang
        return
    fi
    local report=''
    case $err in
        *"ERROR: AddressSanitizer"* | *"ERROR: LeakSanitizer"* | *"runtime error"*)
            report=${err#*ERROR: }
            [ "$report" != "$err" ] || report="runtime error${err#*runtime error}"
            report=${report%%$'\n'*}
            ;;
    esac
    if [ -n "$report" ] || [ "$rc" -ge 128 ]; then
        fail "$what: crashed (exit $rc): ${report:-${last:0:200}}${report:+ (${last:0:100}) after [${err%%$'\n'*}]}"
    elif [ "$rc" -gt 2 ]; then
        fail "$what: exit $rc is none of 0, 1, 2: ${last:0:200}"
    fi
    case $err$out in
        *[$'\x1b\x07']*) fail "$what: an ESC or BEL byte reaches the terminal" ;;
    esac
    if [ "$rc" != 0 ] && [ -z "$report" ] && [ "$rc" -lt 128 ]; then
        case $last in
            "poshtiban: "*) ;;
            *) fail "$what: the last line on stderr is no poshtiban error: [$(printf '%q' "${last:0:200}")]" ;;
        esac
        local nl=${err//[!$'\n']/}
        if [ -z "$err" ]; then
            fail "$what: fails (exit $rc) saying nothing"
        elif [ "$several" = lines ]; then
            local line
            while IFS= read -r line; do
                case $line in
                    "poshtiban: "*) ;;
                    *) fail "$what: a line on stderr is not poshtiban's: [$(printf '%q' "${line:0:200}")]" ;;
                esac
            done <<<"$err"
        elif [ -n "$nl" ]; then
            fail "$what: $((${#nl} + 1)) lines on stderr, not one: ${err:0:300}"
        fi
    fi
}

# unchanged WHAT [MAY]: the state is as in $log/cur (which then follows);
# leftovers in tmp may go.  MAY=project: a restore that succeeded changed
# the project's database, media and records; MAY=killed: a process killed
# at the timeout left its work in tmp, for the next command to clear.
unchanged() {
    state >"$log/new"
    local ignore='^< T '
    case ${2:-} in
        project) ignore='^< T |^[<>] [PRN] ' ;;
        killed) ignore='^[<>] T ' ;;
    esac
    local changed
    changed=$(diff "$log/cur" "$log/new" | grep -a '^[<>]' | grep -avE "$ignore")
    if [ -n "$changed" ]; then
        fail "$1: changed outside the target: $(printf '%s\n' "$changed" | head -n 4 | cut -c1-200 | tr '\n' ' ')"
    fi
    mv "$log/new" "$log/cur"
}

# export_safe NAME-FILE: the exported zip holds only <name>/… members that stay inside.
export_safe() {
    "$PY" - "$scratch/x.zip" "$1" <<'PY'
import os, stat, sys, zipfile
name = open(sys.argv[2], "rb").read()
bad = []
try:
    z = zipfile.ZipFile(sys.argv[1])
except Exception as e:  # such as a name flagged UTF-8 that is not
    print("the zip does not open: %s" % e)
    sys.exit(1)
with z:
    for i in z.infolist():
        raw = i.orig_filename.encode("utf-8" if i.flag_bits & 0x800 else "cp437", "surrogateescape")
        parts = raw.rstrip(b"/").split(b"/")
        if parts[0] != name or b".." in parts or raw.startswith(b"/"):
            bad.append(raw)
        elif stat.S_ISLNK(i.external_attr >> 16):
            target = z.read(i)
            depth = len(parts) - 1
            for c in target.split(b"/"):
                depth += -1 if c == b".." else (0 if c in (b"", b".") else 1)
                if depth < 1:
                    break
            if target.startswith(b"/") or depth < 1:
                bad.append(raw + b" -> " + target)
if bad:
    print(repr(bad[:3]))
    sys.exit(1)
PY
}

# --- reindex the root full of them
state >"$log/cur"
pt reindex
judge "reindex"
case $rc in 0 | 1) ;; *) fail "reindex: exit $rc, not 0 or 1: ${err##*$'\n'}" ;; esac
echo "reindex: exit $rc in ${secs}s: ${out:0:200}${err##*$'\n'}"
grep -av '^N ' "$log/cur" >"$log/cur.n" && mv "$log/cur.n" "$log/cur"
state | grep -av '^N ' >"$log/new"
cmp -s "$log/cur" "$log/new" || fail "reindex: changed something outside the backup root: $(diff "$log/cur" "$log/new" | head -n 3)"

# Record what reindex left out, as a backup recorded before its files were
# swapped would be; list the variants, one per line.
"$PY" - "$manifest" "$catalog" "$proj/backups" "$log" >"$log/variants" <<'PY' || fail "recording the variants"
import json, os, sqlite3, sys
manifest, catalog, root, log = sys.argv[1:5]
m = json.load(open(manifest))
con = sqlite3.connect(catalog, timeout=30)
for v in m["variants"]:
    name = bytes.fromhex(v["name_hex"])
    path = os.fsencode(root) + b"/" + bytes.fromhex(v["file_hex"])
    how = "indexed"
    if not con.execute("SELECT 1 FROM backups WHERE CAST(name AS BLOB) = ?", (name,)).fetchone():
        how = "recorded"
        d = name[7:22].decode("ascii", "replace")
        when = "%s-%s-%sT%s:%s:%sZ" % (d[0:4], d[4:6], d[6:8], d[9:11], d[11:13], d[13:15])
        con.execute("INSERT INTO backups (name, kind, status, format, path, created_at, started_at,"
                    " finished_at, size_bytes, include_media, message) VALUES (CAST(? AS TEXT), 'manual',"
                    " 'completed', ?, CAST(? AS TEXT), ?, ?, ?, 1000, 1, 'recorded by the test')",
                    (name, v["format"], path, when, when, when))
    with open(os.path.join(log, "name-" + v["id"]), "wb") as f:
        f.write(name)
    print("\t".join((v["id"], v["class"], v["format"], v["expect"], how)))
con.commit()
PY
total=$(grep -c . "$log/variants")
echo "$total variants ($(grep -c $'\tindexed$' "$log/variants") found by reindex, the others recorded by hand)"
echo "by class: $(cut -f2 "$log/variants" | sort | uniq -c | awk '{printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1}')"

printf '%-26s %-18s %-7s %-8s %-28s %s\n' variant class format catalog 'show export verify r-media restore' time
while IFS=$'\t' read -r -u 3 vid cls fmt expect how; do
    vname=$(<"$log/name-$vid")
    codes=()
    hung=''
    began=$SECONDS
    state >"$log/cur"
    for cmd in show export verify restore-media restore; do
        if [ -n "$hung" ] && [ "$cmd" != show ] && [ "$cmd" != export ]; then
            codes+=(skip) # each of these verifies first, where it hung
            continue
        fi
        case $cmd in
            show) pt show "$vname" --json ;;
            export)
                rm -f "$scratch/x.zip"
                pt export "$vname" -o "$scratch/x.zip"
                ;;
            verify) pt verify --deep "$vname" ;;
            restore-media)
                fresh_target
                pt restore "$vname" --yes --media-only --target-media "$target"
                ;;
            restore) pt restore "$vname" --yes ;;
        esac
        what="$vid ($fmt, $cls): $cmd"
        if [ "$cmd" = verify ]; then judge "$what" lines; else judge "$what"; fi
        codes+=("$rc")
        if [ "$rc" = hang ]; then
            hung=1
            unchanged "$what" killed
            continue
        fi
        case $expect:$cmd in
            refuse:verify) [ "$rc" != 0 ] || fail "$what: says a hostile backup is ok" ;;
            refuse:restore*) [ "$rc" != 0 ] || fail "$what: restores a hostile backup (exit 0)" ;;
            ok:*) [ "$rc" = 0 ] || fail "$what: a sound copy fails: ${err##*$'\n'}" ;;
        esac
        restored=''
        [ "${cmd#restore}" != "$cmd" ] && [ "$rc" = 0 ] && restored=project
        # show and export are checked with verify, which follows them
        case $cmd in
            verify) unchanged "$vid ($fmt, $cls): show, export or verify" ;;
            restore*) unchanged "$what" "$restored" ;;
        esac
        if [ "$cmd" = restore-media ] && [ "$expect" = ok ]; then
            expect_eq "$what: the target holds the backup's media" \
                "$(tree_state "$scratch/pristine/media")" "$(tree_state "$target")"
        fi
        if [ "$cmd" = show ] && [ "$rc" = 0 ]; then
            "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["files"]' "$log/out" 2>/dev/null ||
                fail "$what: stdout is not one JSON record with files"
        fi
        if [ "$cmd" = export ]; then
            if [ "$rc" = 0 ]; then
                bad=$(export_safe "$log/name-$vid") || fail "$what: the exported zip is unsafe: $bad"
            elif [ -e "$scratch/x.zip" ]; then
                fail "$what: a failed export left $scratch/x.zip"
            fi
        fi
        if [ -n "$restored" ]; then # the project as it was, for the next
            chmod -R u+w "$proj/media" 2>/dev/null
            rm -rf "$proj/media" "$proj/db.sqlite3"
            cp -a "$scratch/pristine/media" "$scratch/pristine/db.sqlite3" "$proj/"
            state >"$log/cur"
        fi
    done
    printf '%-26s %-18s %-7s %-8s %-28s %ss\n' "$vid" "$cls" "$fmt" "$how" "${codes[*]}" $((SECONDS - began))
done 3<"$log/variants"

# --- afterwards: the real backups, the catalog, the sentinel
for g in "${good[@]}"; do
    pt verify "$g"
    judge "afterwards: verify $g" lines
    expect_eq "afterwards: $g still verifies ($(tail -n 1 "$log/err"))" 0 "$rc"
done
pt list
judge "afterwards: list"
expect_eq "afterwards: list works ($(tail -n 1 "$log/err"))" 0 "$rc"
pt list --json
expect_eq "afterwards: list --json ($(tail -n 1 "$log/err"))" 0 "$rc"
"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["total"] >= len(d["backups"]) > 3' "$log/out" 2>/dev/null ||
    fail "afterwards: list --json is not one JSON document"
expect_eq "afterwards: the victim is unchanged" 'victim: must never change' "$(cat "$sentinel/victim.txt")"
expect_eq "afterwards: nothing links to the victim" 1 "$(stat -c %h "$sentinel/victim.txt")"
expect_eq "afterwards: the project's database is as it was" \
    "$(sha256sum <"$scratch/pristine/db.sqlite3")" "$(sha256sum <"$proj/db.sqlite3")"
expect_eq "afterwards: the project's media are as they were" \
    "$(tree_state "$scratch/pristine/media")" "$(tree_state "$proj/media")"
echo "largest peak RSS: $((max_rss / 1024)) MiB ($max_rss_what)"
finish
