#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Media folders as they are found in the wild, and archives made to escape:
# - a name that is not UTF-8: archives refuse it by name (exit 2, no crash),
#   the folder format keeps it exactly, and it verifies and restores;
# - a link to a folder outside media is left out with a warning, so that
#   what is recorded completed verifies and restores, in every format;
# - a chain of links (media/a -> ., media/b -> a/a/a/a/../../../..) that each
#   look harmless alone is refused by restore, which changes nothing;
# - escape sequences in a name never reach the terminal raw;
# - a small archive whose JSON is one line of 300 MB: verify says damaged
#   and stays small in memory.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
pt_ok settings set retention.auto_cleanup false
new_backup --name before || exit 1

# --- not UTF-8
bad=$(printf 'bad\xffname.txt')
echo "raw" >"media/$bad"
for fmt in zip tar.zst; do
    run_pt create --format "$fmt" </dev/null
    expect_eq "not UTF-8, $fmt: exit 2 ($err)" 2 "$status"
    case $err in *'bad\xffname.txt'*"not UTF-8"*) ;; *) fail "not UTF-8, $fmt: the error names the file: [$err]" ;; esac
    case $err in *Sanitizer* | *"runtime error"*) fail "not UTF-8, $fmt: a crash: [$err]" ;; esac
done
new_backup --name raw-names || exit 1
check "not UTF-8, dir: the name is kept byte for byte" test -f "$path/media/$bad"
pt_ok verify raw-names
run_pt export raw-names -o "$scratch/raw.zip" </dev/null
expect_eq "not UTF-8: export refuses by name ($err)" 2 "$status"
check "not UTF-8: export left no file" test ! -e "$scratch/raw.zip"
rm -f "media/$bad"
run_pt restore raw-names --media-only --yes </dev/null
expect_eq "not UTF-8: restore ($err)" 0 "$status"
check "not UTF-8: restored byte for byte" test -f "media/$bad"
rm -f "media/$bad"
pt_ok verify before

# --- a link out of media
mkdir -p "$scratch/shared"
echo "shared" >"$scratch/shared/s.txt"
ln -s "$scratch/shared" media/shared
ln -s docs media/docs-link
for fmt in dir zip tar.zst; do
    new_backup --format "$fmt" --name "outlink-$fmt" || continue
    expect_eq "link out, $fmt: completed" completed "$(echo "$rec" | json_eval 'd["status"]')"
    run_pt verify "outlink-$fmt" </dev/null
    expect_eq "link out, $fmt: it verifies ($out $err)" 0 "$status"
    run_pt report "outlink-$fmt" </dev/null
    case $out in *"lead out of it and were left out"*) ;; *) fail "link out, $fmt: the report says what was left out" ;; esac
    run_pt restore "outlink-$fmt" --media-only --target-media "$scratch/r-$fmt" --yes </dev/null
    expect_eq "link out, $fmt: it restores ($err)" 0 "$status"
    check "link out, $fmt: the link inside media is kept" test -L "$scratch/r-$fmt/docs-link"
    check "link out, $fmt: the link out is not" test ! -e "$scratch/r-$fmt/shared"
done
rm -f media/shared media/docs-link

# --- a chain of links
new_backup --format tar.zst --name chain || exit 1
"$PY" - "$path" chain <<'PY'
import io, os, subprocess, sys, tarfile
archive, name = sys.argv[1:3]
plain = subprocess.run(["zstd", "-q", "-d", "-c", archive], check=True, capture_output=True).stdout
out = io.BytesIO()
with tarfile.open(fileobj=io.BytesIO(plain)) as src, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as dst:
    for info in src.getmembers():
        dst.addfile(info, src.extractfile(info) if info.isfile() else None)
    for member, target in (("media/a", "."), ("media/b", "a/a/a/a/../../../..")):
        info = tarfile.TarInfo(name + "/" + member)
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, target, 0o777
        dst.addfile(info)
os.chmod(archive, 0o600)
open(archive, "wb").write(subprocess.run(["zstd", "-q", "-c"], input=out.getvalue(), check=True, capture_output=True).stdout)
os.chmod(archive + ".sha256", 0o600)
d = os.path.dirname(archive)
open(archive + ".sha256", "wb").write(subprocess.run(["sha256sum", os.path.basename(archive)], cwd=d, check=True, capture_output=True).stdout)
PY
before=$(tree_state "$proj" | grep -v "^f backups/.poshtiban/")
run_pt restore chain --media-only --yes </dev/null
expect_eq "chain: refused, exit 1 ($err)" 1 "$status"
case $err in *"leads out of the media folder"*) ;; *) fail "chain: the error says a link leads out: [$err]" ;; esac
expect_eq "chain: the project is unchanged" "$before" "$(tree_state "$proj" | grep -v '^f backups/.poshtiban/')"
check "chain: no link was left anywhere" test ! -L media/b
expect_eq "chain: no staging folder left" "" "$(ls -d "$proj"/media.poshtiban-* 2>/dev/null)"

# --- escape sequences in a name
esc=$(printf 'x\033]0;pwned\007\033[2Jy.txt')
new_backup --name plain || exit 1
echo "new" >"media/$esc"
"$POSHTIBAN" restore plain --media-only --dry-run </dev/null >"$scratch/plan.out" 2>&1
check "escape: the plan names the file" grep -q 'x\\x1b\]0;pwned\\x07\\x1b\[2Jy.txt' "$scratch/plan.out"
check "escape: no ESC byte reaches the output" sh -c "! grep -q \"$(printf '\033')\" '$scratch/plan.out'"
check "escape: no BEL byte reaches the output" sh -c "! grep -q \"$(printf '\007')\" '$scratch/plan.out'"
rm -f "media/$esc"
# --- a 3 MB archive whose complete_database.json is one line of 300 MB
new_backup --format tar.zst --name bomb || exit 1
"$PY" - "$path" bomb <<'PY'
import io, os, subprocess, sys, tarfile
archive, name = sys.argv[1:3]
plain = subprocess.run(["zstd", "-q", "-d", "-c", archive], check=True, capture_output=True).stdout

class Spaces(io.RawIOBase):
    """300 MB of one JSON line, made as it is read."""
    def __init__(self, n):
        self.left = n
    def readable(self):
        return True
    def readinto(self, b):
        k = min(len(b), self.left)
        b[:k] = b"[" + b" " * (k - 1) if self.left == 300 << 20 else b" " * k
        self.left -= k
        return k

zstd = subprocess.Popen(["zstd", "-q", "-c", "-o", archive + ".new"], stdin=subprocess.PIPE)
with tarfile.open(fileobj=io.BytesIO(plain)) as src, tarfile.open(fileobj=zstd.stdin, mode="w|", format=tarfile.PAX_FORMAT) as dst:
    for info in src.getmembers():
        if info.name.endswith("/complete_database.json"):
            info.size = 300 << 20
            dst.addfile(info, io.BufferedReader(Spaces(300 << 20)))
        else:
            dst.addfile(info, src.extractfile(info) if info.isfile() else None)
zstd.stdin.close()
zstd.wait()
os.chmod(archive, 0o600)
os.replace(archive + ".new", archive)
PY
check "bomb: the archive stays small ($(stat -c %s "$path") bytes)" test "$(stat -c %s "$path")" -lt $((8 << 20))
run_pt verify bomb </dev/null
expect_eq "bomb: verify says damaged (exit 1)" 1 "$status"
case $err in *"complete_database.json: checksum mismatch"*) ;; *) fail "bomb: verify names the file: [$err]" ;; esac
/usr/bin/time -f %M -o "$scratch/rss" "$POSHTIBAN" verify --deep bomb </dev/null >"$scratch/bomb.out" 2>&1
code=$?
rss=$(tail -n 1 "$scratch/rss")
expect_eq "bomb: verify --deep says damaged (exit 1)" 1 "$code"
grep -q "complete_database.json: not valid JSON" "$scratch/bomb.out" || fail "bomb: the JSON is named: $(cat "$scratch/bomb.out")"
check "bomb: verify --deep stays under 200 MiB of memory (${rss} KiB, sanitizers included)" test "$rss" -lt 204800

# --- verify reads hashes; --deep also parses the JSON: a fixture that is
# no JSON, resealed into SHA256SUMS, is seen by --deep (and restore) only
new_backup --name badjson || exit 1
fixture=$(cd "$path" && ls fixtures/*.json.gz | head -n 1)
chmod u+w "$path/$fixture" "$path/SHA256SUMS"
printf '[{"model": ' | gzip >"$path/$fixture"
sed -i "s|^[0-9a-f]\{64\}  $fixture\$|$(cd "$path" && sha256sum "$fixture")|" "$path/SHA256SUMS"
(cd "$path" && sha256sum -c --quiet SHA256SUMS) || fail "badjson: resealed"
run_pt verify badjson </dev/null
expect_eq "badjson: verify (hashes, quick_check, rows) passes ($err)" 0 "$status"
run_pt verify --deep badjson </dev/null
expect_eq "badjson: verify --deep finds it (exit 1)" 1 "$status"
case $err in *"$fixture: not valid JSON"*) ;; *) fail "badjson: --deep names the fixture: [$err]" ;; esac
run_pt restore badjson --yes </dev/null
expect_eq "badjson: restore verifies deeply and refuses" 1 "$status"
finish
