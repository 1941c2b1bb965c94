#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A corpus of hostile backups, made from three real ones.

Usage: make-hostile-corpus.py OUTDIR BACKUP_DIR BACKUP_ZIP BACKUP_TARZST

BACKUP_DIR, BACKUP_ZIP and BACKUP_TARZST are backups poshtiban made of one
small project (the archives with their .sha256 beside them).  Each variant
is written into OUTDIR as a backup folder or archive named
backup_2026MMDD_HHMMSS as poshtiban names them (a few carry a hostile
suffix), so that `poshtiban reindex` in a backup root OUTDIR finds them,
and OUTDIR/hostile-corpus.json lists them: id, name (printable; name_hex is
the exact bytes), file (the entry in OUTDIR), format, class, what it tries,
what verify and restore must do ("refuse"; "ok" for the three controls,
faithful copies that prove the rebuilding sound; "any" for the two that are
sound backups with odd names or depth, where nothing but a crash, a hang or
a write outside the target is wrong) and what the .sha256 beside an archive
says ("matches", "before": the archive's before it was damaged, "none",
"fifo", or the text written).

Every variant starts from a faithful copy renamed to its own name (report,
summary, SHA256SUMS and the archive's .sha256 all made to match), then
breaks one thing.  Where the point is that the members' own checks catch
it, everything around the damage is made to match again ("resealed"), so
that nothing but that check stands between the variant and the project.
Links and ../ paths aim at a sentinel folder: $HOSTILE_SENTINEL, else
<OUTDIR>/../../sentinel (the test keeps a victim file there).
Big members are zeros deflated or zstd'ed, or sparse files, so that none
takes more than a few hundred KB on disk: the corpus weighs about as much
as a hundred copies of the backups it starts from (17 MB for lib.sh's
make_project).
"""
import datetime
import hashlib
import io
import itertools
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
import tempfile
import warnings
import zipfile

MB = 1 << 20
warnings.filterwarnings("ignore", "Duplicate name")  # duplicates are the point
MTIME = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc).timestamp()
ESC_NAME = "x\x1b]0;pwned\x07\x1b[2J\x1b[31my.txt"
NON_UTF8 = b"bad\xff\xfename.txt".decode("utf-8", "surrogateescape")


def raw(s):
    """The bytes of a name kept as str with surrogate escapes."""
    return s.encode("utf-8", "surrogateescape")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class Zeros:
    """A large member made as it is read: a prefix, then filler bytes."""

    def __init__(self, size, prefix=b"", fill=b"\0"):
        self.size, self.prefix, self.fill = size, prefix, fill

    def chunks(self):
        yield self.prefix
        left = self.size - len(self.prefix)
        block = self.fill * (MB // len(self.fill))
        while left > 0:
            yield block[:left]
            left -= len(block)

    def sha256(self):
        h = hashlib.sha256()
        for c in self.chunks():
            h.update(c)
        return h.hexdigest()

    def reader(self):
        it = self.chunks()
        buf = bytearray()

        class R(io.RawIOBase):
            def readable(self):
                return True

            def readinto(self, b):
                nonlocal buf
                while len(buf) < len(b):
                    try:
                        buf += next(it)
                    except StopIteration:
                        break
                k = min(len(b), len(buf))
                b[:k] = buf[:k]
                del buf[:k]
                return k

        return io.BufferedReader(R(), MB)


class Entry:
    """One member of a backup, its path relative to the top folder.

    kind: file, dir, symlink, hardlink (target: a member name as written in
    the archive, or a path on disk for a folder), fifo, sparse (a folder's
    file of `size` zeros that takes no disk).  top=False: the path is the
    whole member name, not under the top folder.
    """

    def __init__(self, path, kind="file", data=b"", mode=None, target=None, size=0, top=True):
        self.path, self.kind, self.data, self.target, self.size, self.top = (
            path, kind, data, target, size, top)
        self.mode = mode if mode is not None else (0o700 if kind == "dir" else 0o600)

    def copy(self):
        return Entry(self.path, self.kind, self.data, self.mode, self.target, self.size, self.top)


class Tree:
    def __init__(self, entries):
        self.entries = entries

    def copy(self):
        return Tree([e.copy() for e in self.entries])

    def find(self, path):
        for e in self.entries:
            if e.path == path and e.top:
                return e
        return None

    def data(self, path):
        return self.find(path).data

    def set(self, path, data):
        self.find(path).data = data

    def remove(self, path):
        self.entries = [e for e in self.entries if not (e.path == path and e.top)]

    def add(self, entry, before=None):
        if before is None:
            self.entries.append(entry)
        else:
            i = next(i for i, e in enumerate(self.entries) if e.path == before)
            self.entries.insert(i, entry)


def load_dir(path):
    entries = []
    for here, dirs, files in os.walk(path):
        dirs.sort()
        rel = os.path.relpath(here, path)
        for n in dirs:
            entries.append(Entry(os.path.normpath(os.path.join(rel, n)), "dir"))
        for n in sorted(files):
            p = os.path.join(here, n)
            with open(p, "rb") as f:
                entries.append(Entry(os.path.normpath(os.path.join(rel, n)), "file", f.read(),
                                     stat.S_IMODE(os.lstat(p).st_mode)))
    return Tree(entries)


def load_zip(path):
    entries = []
    with zipfile.ZipFile(path) as z:
        for i in z.infolist():
            rel = i.filename.split("/", 1)[1].rstrip("/")
            if not rel:
                continue
            mode = (i.external_attr >> 16) & 0o777 or None
            if i.is_dir():
                entries.append(Entry(rel, "dir", mode=mode))
            else:
                entries.append(Entry(rel, "file", z.read(i), mode))
    return Tree(entries)


def load_tar(path):
    plain = subprocess.run(["zstd", "-q", "-d", "-c", path], check=True,
                           capture_output=True).stdout
    entries = []
    with tarfile.open(fileobj=io.BytesIO(plain)) as t:
        for i in t.getmembers():
            rel = i.name.split("/", 1)[1].rstrip("/") if "/" in i.name else ""
            if not rel:
                continue
            if i.isdir():
                entries.append(Entry(rel, "dir", mode=i.mode))
            else:
                entries.append(Entry(rel, "file", t.extractfile(i).read(), i.mode))
    return Tree(entries)


def parse_sums(text):
    paths = []
    for line in text.decode("utf-8", "surrogateescape").splitlines():
        if len(line) > 66:
            paths.append(line[66:])
    return paths


def file_sha(e):
    return e.data.sha256() if isinstance(e.data, Zeros) else sha256(e.data)


def file_size(e):
    return e.data.size if isinstance(e.data, Zeros) else len(e.data)


def reseal(tree, listed=None, report=None):
    """Makes backup_report.json's files and SHA256SUMS match the tree again.

    listed: extra paths to list (their report entries are added too)."""
    if report is None:
        report = json.loads(tree.data("backup_report.json"))
    old = parse_sums(tree.data("SHA256SUMS"))
    for p in listed or []:
        if p not in old:
            old.insert(len(old) - 2, p)
            report["files"].insert(len(report["files"]) - 1, {"path": p})
    for f in report["files"]:
        e = tree.find(f["path"])
        if e is not None and e.kind == "file":
            f["size"], f["sha256"] = file_size(e), file_sha(e)
    tree.set("backup_report.json", raw(json.dumps(report, indent=2, ensure_ascii=False)))
    lines = []
    for p in old:
        e = tree.find(p)
        if e is not None and e.kind == "file":
            lines.append(file_sha(e) + "  " + p)
    tree.set("SHA256SUMS", raw("\n".join(lines) + "\n"))


def renamed(tree, old, new):
    """A faithful copy of tree under a new name: report, summary and sums follow."""
    t = tree.copy()
    report = json.loads(t.data("backup_report.json"))
    report["name"] = new
    d = new[7:22]  # YYYYMMDD_HHMMSS: the report's times follow the name
    when = "%s-%s-%sT%s:%s:%sZ" % (d[0:4], d[4:6], d[6:8], d[9:11], d[11:13], d[13:15])
    for key in ("created_at", "started_at", "finished_at"):
        report[key] = when
    t.set("backup_summary.txt", t.data("backup_summary.txt").replace(raw(old), raw(new)))
    reseal(t, report=report)
    return t


# --- writers

class RawZipInfo(zipfile.ZipInfo):
    """A zip member whose name is written byte for byte (names that are not UTF-8)."""

    def _encodeFilenameFlags(self):
        b = raw(self.filename)
        try:
            b.decode("ascii")
            return b, self.flag_bits
        except UnicodeDecodeError:
            pass
        try:
            b.decode("utf-8")
            return b, self.flag_bits | 0x800
        except UnicodeDecodeError:
            return b, self.flag_bits


def member_name(e, top):
    return e.path if not e.top else top + "/" + e.path


def write_zip(tree, path, top):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for e in tree.entries:
            name = member_name(e, top)
            info = RawZipInfo(name + ("/" if e.kind == "dir" else ""), (2026, 3, 1, 0, 0, 0))
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            if e.kind == "dir":
                info.external_attr = ((stat.S_IFDIR | e.mode) << 16) | 0x10
                z.writestr(info, b"")
            elif e.kind == "symlink":
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, raw(e.target))
            elif e.kind == "file":
                info.external_attr = (stat.S_IFREG | e.mode) << 16
                if isinstance(e.data, Zeros):
                    with z.open(info, "w", force_zip64=True) as f:
                        for c in e.data.chunks():
                            f.write(c)
                else:
                    z.writestr(info, e.data)
            else:
                raise ValueError("a zip holds no %s" % e.kind)


def write_tar(tree, path, top, compress=True):
    out = open(path, "wb")
    proc = subprocess.Popen(["zstd", "-q", "-c"], stdin=subprocess.PIPE, stdout=out) if compress else None
    sink = proc.stdin if proc else out
    with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT, encoding="utf-8",
                      errors="surrogateescape") as t:
        for e in tree.entries:
            info = tarfile.TarInfo(member_name(e, top))
            info.mtime, info.mode, info.uname, info.gname = MTIME, e.mode, "", ""
            if e.kind == "dir":
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            elif e.kind == "symlink":
                info.type, info.linkname, info.mode = tarfile.SYMTYPE, e.target, 0o777
                t.addfile(info)
            elif e.kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, e.target
                t.addfile(info)
            elif e.kind == "fifo":
                info.type = tarfile.FIFOTYPE
                t.addfile(info)
            elif isinstance(e.data, Zeros):
                info.size = e.data.size
                t.addfile(info, e.data.reader())
            else:
                info.size = len(e.data)
                t.addfile(info, io.BytesIO(e.data))
    if proc:
        proc.stdin.close()
        if proc.wait() != 0:
            sys.exit("zstd failed for " + path)
    out.close()


def write_dir(tree, dest):
    os.mkdir(dest, 0o700)
    for e in tree.entries:
        p = os.path.join(dest, e.path)
        if e.kind == "dir":
            os.mkdir(p, 0o700)
        elif e.kind == "file":
            with open(p, "wb") as f:
                f.write(e.data)
            os.chmod(p, e.mode)
        elif e.kind == "symlink":
            os.symlink(e.target, p)
        elif e.kind == "hardlink":
            os.link(e.target, p)
        elif e.kind == "fifo":
            os.mkfifo(p, 0o600)
        elif e.kind == "sparse":
            with open(p, "wb") as f:
                f.truncate(e.size)
            os.chmod(p, 0o600)
        else:
            raise ValueError(e.kind)


def flip(data, offset=None):
    b = bytearray(data)
    i = len(b) // 2 if offset is None else offset
    b[i] ^= 0xFF
    return bytes(b)


# --- databases, made in a scratch folder

WORK = tempfile.mkdtemp(prefix="hostile-corpus-")
DB_COUNTER = itertools.count()


def with_db(data, sql, wal=False):
    """The bytes of a copy of a database after sql (and its -wal when wal)."""
    p = os.path.join(WORK, "db-%d.sqlite3" % next(DB_COUNTER))
    with open(p, "wb") as f:
        f.write(data)
    con = sqlite3.connect(p, isolation_level=None)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA wal_autocheckpoint=0")
    con.executescript(sql)
    with open(p, "rb") as f:
        db = f.read()
    walbytes = None
    if wal:
        with open(p + "-wal", "rb") as f:
            walbytes = f.read()
    con.close()
    return db, walbytes


def foreign_db():
    db, _ = with_db(b"", "CREATE TABLE evil (x); INSERT INTO evil VALUES ('pwned');")
    return db


def corrupt_page(data):
    """A leaf page of table unit made garbage: the header says SQLite, integrity_check does not."""
    b = bytearray(data)
    ps = int.from_bytes(b[16:18], "big") or 65536
    page = len(b) // ps - 1  # the last page: a leaf of unit
    b[page * ps:page * ps + 12] = b"\x0d\xff\xff\x7f\xff\x10\x00\xff\xff\xff\xff\xff"
    return bytes(b)


# --- the corpus

def main():
    if len(sys.argv) != 5:
        sys.exit("usage: make-hostile-corpus.py OUTDIR BACKUP_DIR BACKUP_ZIP BACKUP_TARZST")
    outdir, src_dir, src_zip, src_tar = (os.path.abspath(a) for a in sys.argv[1:5])
    sentinel = os.environ.get("HOSTILE_SENTINEL") or os.path.join(
        os.path.dirname(os.path.dirname(outdir)), "sentinel")
    only = os.environ.get("HOSTILE_ONLY")
    os.makedirs(outdir, exist_ok=True)
    src_name = {
        "dir": os.path.basename(src_dir),
        "zip": os.path.basename(src_zip)[:-len(".zip")],
        "tar.zst": os.path.basename(src_tar)[:-len(".tar.zst")],
    }
    base = {"dir": load_dir(src_dir), "zip": load_zip(src_zip), "tar.zst": load_tar(src_tar)}
    up = "../" * 24  # from any target below the scratch folder up to /
    victim = sentinel + "/victim.txt"
    manifest = []
    counter = [0]

    def next_name():
        t = datetime.datetime(2026, 3, 1, 1, 0, 0) + datetime.timedelta(minutes=7 * counter[0])
        counter[0] += 1
        return t.strftime("backup_%Y%m%d_%H%M%S")

    def emit(vid, fmt, cls, tries, build, expect="refuse", sidecar="matches", suffix=""):
        """One variant: build(tree, ctx) breaks a faithful copy and returns it to be
        written (or None when it wrote the variant itself); ctx["mutate"] then
        changes the archive file's bytes, before the .sha256 is written.
        $HOSTILE_ONLY (a regular expression) keeps only the variants it finds."""
        name = next_name() + suffix
        if only and not re.search(only, vid):
            return
        tree = renamed(base[fmt], src_name[fmt], name)
        ext = {"dir": "", "zip": ".zip", "tar.zst": ".tar.zst"}[fmt]
        path = os.path.join(outdir, name + ext)
        ctx = {"name": name, "path": path, "fmt": fmt, "sidecar": sidecar}
        tree = build(tree, ctx)
        if tree is not None:
            if fmt == "dir":
                write_dir(tree, path)
            elif fmt == "zip":
                write_zip(tree, path, ctx.get("top", name))
            else:
                write_tar(tree, path, ctx.get("top", name))
        if fmt != "dir":
            with open(path, "rb") as f:
                before = f.read()
            mutate = ctx.get("mutate")
            if mutate:
                with open(path, "wb") as f:
                    f.write(mutate(before))
            sc = ctx["sidecar"]
            side = path + ".sha256"
            if sc == "matches":
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                with open(side, "wb") as f:
                    f.write(raw("%s  %s\n" % (digest, os.path.basename(path))))
            elif sc == "before":
                with open(side, "wb") as f:
                    f.write(raw("%s  %s\n" % (sha256(before), os.path.basename(path))))
            elif sc == "fifo":
                os.mkfifo(side, 0o600)
            elif sc == "none":
                pass
            else:  # literal text
                with open(side, "wb") as f:
                    f.write(raw(sc))
        manifest.append({
            "id": vid, "name": raw(name).decode("utf-8", "backslashreplace"),
            "name_hex": raw(name).hex(),
            "file": raw(os.path.basename(path)).decode("utf-8", "backslashreplace"),
            "file_hex": raw(os.path.basename(path)).hex(), "format": fmt, "class": cls,
            "tries": tries, "expect": expect,
            "sidecar": sidecar if fmt != "dir" else None,
        })

    def add(*entries, reseal_paths=None):
        def build(t, ctx):
            for e in entries:
                t.add(e.copy())
            if reseal_paths is not None:
                reseal(t, listed=reseal_paths)
            return t
        return build

    def mutate_member(path, fn, do_reseal=False):
        def build(t, ctx):
            t.set(path, fn(t.data(path)))
            if do_reseal:
                reseal(t)
            return t
        return build

    def raw_mutation(fn):
        def build(t, ctx):
            ctx["mutate"] = fn
            return t
        return build

    def compose(*builds):
        def build(t, ctx):
            for b in builds:
                t = b(t, ctx)
            return t
        return build

    A = ("zip", "tar.zst")
    photo = base["dir"].data("media/photo.bin")

    # --- controls: faithful copies under new names; these must verify and restore
    for fmt in ("dir",) + A:
        emit("control-" + fmt.replace(".", ""), fmt, "control",
             "a faithful copy under a new name (proves the rebuild is sound)",
             lambda t, ctx: t, expect="ok")

    # --- paths with ..
    emit("dotdot-zip", "zip", "dotdot", "media/../../ escapes the media target",
         add(Entry("media/../../hostile-corpus-escape-1.txt", data=b"escaped 1")))
    emit("dotdot-deep-tar", "tar.zst", "dotdot", "media/docs/ then enough ../ to reach /",
         add(Entry("media/docs/" + up + "hostile-corpus-escape-2.txt", data=b"escaped 2")))
    emit("dotdot-listed-zip", "zip", "dotdot",
         "a ../ member listed in SHA256SUMS and the report with its true hash",
         add(Entry("media/../../../hostile-corpus-escape-3.txt", data=b"escaped 3"),
             reseal_paths=["media/../../../hostile-corpus-escape-3.txt"]))
    emit("dotdot-top-tar", "tar.zst", "dotdot", "<name>/../ at the top: out of the backup's folder",
         add(Entry("../hostile-corpus-escape-4.txt", data=b"escaped 4")))

    # --- absolute paths
    emit("absolute-zip", "zip", "absolute", "a member named by an absolute path into the sentinel",
         add(Entry(sentinel + "/hostile-corpus-escape-abs.txt", data=b"escaped abs", top=False)))
    emit("absolute-tar", "tar.zst", "absolute", "a member named by an absolute path into the sentinel",
         add(Entry(sentinel + "/hostile-corpus-escape-abs.txt", data=b"escaped abs", top=False)))
    emit("absolute-after-top-tar", "tar.zst", "absolute",
         "<name>//<sentinel>/…: an absolute path once the top folder is taken off",
         add(Entry("/" + sentinel.lstrip("/") + "/hostile-corpus-escape-abs2.txt",
                   data=b"escaped abs2", top=True)))

    # --- symlinks out of the target
    emit("symlink-abs-zip", "zip", "symlink-out", "media/sneaky -> <sentinel> and a file through it",
         add(Entry("media/sneaky", "symlink", target=sentinel),
             Entry("media/sneaky/hostile-corpus-through-1.txt", data=b"through a link")))
    emit("symlink-rel-tar", "tar.zst", "symlink-out", "media/docs/up -> ../../…/<sentinel>, a file through it",
         add(Entry("media/docs/up", "symlink", target=up + sentinel.lstrip("/")),
             Entry("media/docs/up/hostile-corpus-through-3.txt", data=b"through a link")))
    emit("symlink-rel-alone-zip", "zip", "symlink-out",
         "a lone relative link out (media/out -> ../../../..), listed nowhere",
         add(Entry("media/out", "symlink", target="../../../..")))
    emit("symlink-abs-dir", "dir", "symlink-out", "a folder backup's media/out -> <sentinel>",
         add(Entry("media/out", "symlink", target=sentinel)))
    emit("symlink-db-dir", "dir", "symlink-out",
         "database.sqlite3 a link to the real backup's snapshot (same bytes, so the hash matches)",
         compose(lambda t, ctx: (t.remove("database.sqlite3"), t)[1],
                 add(Entry("database.sqlite3", "symlink",
                           target=os.path.join(src_dir, "database.sqlite3")))))
    emit("symlink-devzero-dir", "dir", "symlink-out",
         "SHA256SUMS and media/photo.bin links to /dev/zero",
         compose(lambda t, ctx: (t.remove("SHA256SUMS"), t.remove("media/photo.bin"), t)[2],
                 add(Entry("SHA256SUMS", "symlink", target="/dev/zero"),
                     Entry("media/photo.bin", "symlink", target="/dev/zero"))))

    # --- chains of links, each harmless-looking alone
    chain = (Entry("media/a", "symlink", target="."),
             Entry("media/b", "symlink", target="a/a/a/a/../../../.."))
    emit("chain-tar", "tar.zst", "link-chain", "media/a -> ., media/b -> a/a/a/a/../../../..", add(*chain))
    emit("chain-dir", "dir", "link-chain", "media/a -> ., media/b -> a/a/a/a/../../../.. on disk", add(*chain))
    emit("chain-through-tar", "tar.zst", "link-chain", "the chain, then a file written through media/b",
         add(*chain, Entry("media/b/hostile-corpus-escape-chain.txt", data=b"through the chain")))
    emit("link-loop-tar", "tar.zst", "link-chain", "media/l1 -> l2, media/l2 -> l1, a file through l1",
         add(Entry("media/l1", "symlink", target="l2"), Entry("media/l2", "symlink", target="l1"),
             Entry("media/l1/x.txt", data=b"loop")))

    # --- hard links out
    emit("hardlink-abs-tar", "tar.zst", "hardlink-out", "media/victim a hard link to <sentinel>/victim.txt",
         add(Entry("media/victim", "hardlink", target=victim)))
    emit("hardlink-dotdot-tar", "tar.zst", "hardlink-out", "a hard link to <name>/media/../…/<sentinel>/victim.txt",
         lambda t, ctx: add(Entry("media/victim2", "hardlink",
                                  target=ctx["name"] + "/media/" + up + victim.lstrip("/")))(t, ctx))
    emit("hardlink-inside-tar", "tar.zst", "hardlink-out",
         "media/copy.bin a hard link to media/photo.bin, listed with photo's hash",
         lambda t, ctx: add(Entry("media/copy.bin", "hardlink", target=ctx["name"] + "/media/photo.bin"))(t, ctx))

    # --- a file written through a link
    emit("through-symlink-same-tar", "tar.zst", "write-through-link",
         "media/photo.bin a link to the victim, then a regular media/photo.bin (its hash listed)",
         lambda t, ctx: (t.add(Entry("media/photo.bin", "symlink", target=victim), before="media/photo.bin"), t)[1])
    emit("through-dirlink-tar", "tar.zst", "write-through-link",
         "media/docs a link to <sentinel>, then media/docs/contract.txt as listed",
         lambda t, ctx: (t.remove("media/docs"),
                         t.add(Entry("media/docs", "symlink", target=sentinel), before="media/docs/contract.txt"),
                         t)[2])
    emit("through-hardlink-tar", "tar.zst", "write-through-link",
         "media/victim a hard link to the victim, then a file media/victim over it",
         add(Entry("media/victim", "hardlink", target=victim),
             Entry("media/victim", data=b"PWNED through a hard link\n")))

    # --- a second, foreign database.sqlite3
    evil = foreign_db()
    emit("foreign-db-after-zip", "zip", "foreign-db", "a second database.sqlite3 (table evil) after the real one",
         add(Entry("database.sqlite3", data=evil)))
    emit("foreign-db-before-tar", "tar.zst", "foreign-db", "a foreign database.sqlite3 before the real one",
         lambda t, ctx: (t.add(Entry("database.sqlite3", data=evil), before="database.sqlite3"), t)[1])
    emit("foreign-db-swapped-tar", "tar.zst", "foreign-db",
         "database.sqlite3 replaced by a foreign one, SHA256SUMS resealed (only row counts differ)",
         mutate_member("database.sqlite3", lambda d: evil, do_reseal=True))

    # --- duplicate members
    emit("dup-media-zip", "zip", "dup-member", "media/docs/contract.txt twice, the second different",
         add(Entry("media/docs/contract.txt", data=b"not the backup")))
    emit("dup-identical-tar", "tar.zst", "dup-member", "media/photo.bin twice, both matching its hash",
         add(Entry("media/photo.bin", data=photo)))
    emit("dup-sums-zip", "zip", "dup-member", "a second SHA256SUMS that also lists a planted file",
         lambda t, ctx: add(Entry("media/planted.txt", data=b"planted"),
                            Entry("SHA256SUMS", data=t.data("SHA256SUMS") + raw(
                                sha256(b"planted") + "  media/planted.txt\n")))(t, ctx))

    # --- members nobody listed
    emit("unlisted-zip", "zip", "unlisted", "media/new.txt, in no SHA256SUMS",
         add(Entry("media/new.txt", data=b"unlisted")))
    emit("unlisted-dir", "dir", "unlisted", "media/new.txt, in no SHA256SUMS",
         add(Entry("media/new.txt", data=b"unlisted")))

    def wal_build(t, ctx):
        db, wal = with_db(t.data("database.sqlite3"),
                          "INSERT INTO investor (name, share) VALUES ('evil from the WAL', 9);", wal=True)
        t.set("database.sqlite3", db)
        reseal(t)
        t.add(Entry("database.sqlite3-wal", data=wal))
        return t
    emit("unlisted-wal-dir", "dir", "unlisted",
         "database.sqlite3 in WAL mode (listed) and an unlisted -wal that adds a row", wal_build)
    emit("unlisted-top-tar", "tar.zst", "unlisted", "a top-level <name>/README, unlisted",
         add(Entry("README", data=b"read me")))

    # --- a flipped byte
    # The live photo still has the recorded checksum: verify heals the copy (rot.sh).
    emit("flip-media-dir", "dir", "flipped-byte", "one byte of media/photo.bin, healed by verify",
         mutate_member("media/photo.bin", flip), expect="ok")
    emit("flip-db-dir", "dir", "flipped-byte", "one byte of database.sqlite3",
         mutate_member("database.sqlite3", flip))
    emit("flip-report-dir", "dir", "flipped-byte", "one byte of backup_report.json (a row count 3 -> 2)",
         mutate_member("backup_report.json", lambda d: d.replace(b'"rows": 3,', b'"rows": 2,', 1)))
    # --- the report's list of files, read one entry at a time (engine/report-split.c);
    # SHA256SUMS is left as it was, so verify and restore refuse on the checksum, and
    # show and export must say one line or show what they showed before
    def report_text(fn):
        def build(t, ctx):
            t.set("backup_report.json", fn(t.data("backup_report.json")))
            return t
        return build

    def report_json(fn):
        def change(data):
            report = json.loads(data)
            fn(report)
            return raw(json.dumps(report, indent=2, ensure_ascii=False))
        return report_text(change)

    emit("report-files-object-dir", "dir", "report-files", "the report's \"files\" an object",
         report_json(lambda r: r.__setitem__("files", {"path": "media/photo.bin"})))
    emit("report-files-scalar-dir", "dir", "report-files", "an entry of \"files\" a number",
         report_json(lambda r: r["files"].insert(0, 7)))
    emit("report-files-deep-dir", "dir", "report-files", "an entry nested 100,000 deep",
         report_text(lambda d: raw(json.dumps(dict(json.loads(d), files=[{"x": "DEEP"}]), indent=2)
                                   .replace('"DEEP"', "[" * 100000 + "]" * 100000))))
    emit("report-files-escapes-dir", "dir", "report-files",
         "a path with escapes and \\u0000, a quote and a backslash in it",
         report_json(lambda r: r["files"].insert(0, {"path": "media/a\u0000b\"c\\d\u202e", "size": 1})))
    emit("report-files-twice-dir", "dir", "report-files", "\"files\" twice in the report",
         report_text(lambda d: d.replace(b"{", b'{\n  "files": [],', 1)))
    emit("report-files-escaped-key-dir", "dir", "report-files",
         "\"files\" twice, once spelt with an escape",
         report_text(lambda d: d.replace(b"{", b'{\n  "fil\\u0065s": [{"path": "x"}],', 1)))
    emit("report-cut-dir", "dir", "report-files", "the report cut in the middle of its files",
         report_text(lambda d: d[:d.rfind(b'"sha256"')]))
    emit("report-cut-tar", "tar.zst", "report-files", "the report cut in the middle of its files",
         report_text(lambda d: d[:d.rfind(b'"sha256"')]))
    emit("report-huge-entry-zip", "zip", "report-files", "an entry of the files of 8 MB",
         report_json(lambda r: r["files"].insert(0, {"path": "media/" + "a" * (8 << 20)})))
    emit("flip-archive-zip", "zip", "flipped-byte", "one byte of the archive, the .sha256 as it was",
         raw_mutation(flip), sidecar="before")
    emit("flip-archive-tar", "tar.zst", "flipped-byte", "one byte of the archive, the .sha256 as it was",
         raw_mutation(flip), sidecar="before")
    emit("flip-archive-zip-sealed", "zip", "flipped-byte",
         "one byte of the archive (inside a deflated member), a .sha256 that matches",
         raw_mutation(lambda d: flip(d, d.find(b"media/photo.bin") + 200)))
    emit("flip-media-zip-sealed", "zip", "flipped-byte", "one byte of media/photo.bin, a .sha256 that matches",
         mutate_member("media/photo.bin", flip))
    emit("flip-db-tar-sealed", "tar.zst", "flipped-byte", "one byte of database.sqlite3, a .sha256 that matches",
         mutate_member("database.sqlite3", flip))

    # --- a missing file
    emit("missing-media-dir", "dir", "missing-file", "media/photo.bin removed",
         lambda t, ctx: (t.remove("media/photo.bin"), t)[1])
    emit("missing-db-dir", "dir", "missing-file", "database.sqlite3 removed",
         lambda t, ctx: (t.remove("database.sqlite3"), t)[1])
    emit("missing-media-zip", "zip", "missing-file", "media/docs/contract.txt left out, a .sha256 that matches",
         lambda t, ctx: (t.remove("media/docs/contract.txt"), t)[1])
    emit("missing-db-tar", "tar.zst", "missing-file", "database.sqlite3 left out, a .sha256 that matches",
         lambda t, ctx: (t.remove("database.sqlite3"), t)[1])
    emit("missing-sums-dir", "dir", "missing-file", "SHA256SUMS removed",
         lambda t, ctx: (t.remove("SHA256SUMS"), t)[1])
    emit("missing-report-dir", "dir", "missing-file", "backup_report.json removed (reindex cannot know it)",
         lambda t, ctx: (t.remove("backup_report.json"), t)[1])

    # --- a database.sqlite3 that is damaged but whose checksum matches
    garbage = hashlib.sha512(b"garbage").digest() * 320
    emit("garbage-db-dir", "dir", "bad-db", "database.sqlite3 random bytes, resealed",
         mutate_member("database.sqlite3", lambda d: garbage, do_reseal=True))
    emit("truncated-db-dir", "dir", "bad-db", "database.sqlite3 cut in half, resealed",
         mutate_member("database.sqlite3", lambda d: d[:len(d) // 2], do_reseal=True))
    emit("truncated-db-zip", "zip", "bad-db", "database.sqlite3 cut in half, resealed",
         mutate_member("database.sqlite3", lambda d: d[:len(d) // 2], do_reseal=True))
    emit("corrupt-page-db-dir", "dir", "bad-db",
         "a SQLite header but a garbage b-tree page, resealed (only integrity_check sees it)",
         mutate_member("database.sqlite3", corrupt_page, do_reseal=True))
    emit("empty-db-dir", "dir", "bad-db", "database.sqlite3 of 0 bytes (an empty database to SQLite), resealed",
         mutate_member("database.sqlite3", lambda d: b"", do_reseal=True))
    emit("rows-differ-db-zip", "zip", "bad-db",
         "a sound database with one row fewer than the report says, resealed",
         mutate_member("database.sqlite3",
                       lambda d: with_db(d, "DELETE FROM unit WHERE id = 7; VACUUM;")[0], do_reseal=True))
    emit("endless-view-db-dir", "dir", "bad-db",
         "table unit replaced by an endless recursive view of that name, resealed: counting it never ends",
         mutate_member("database.sqlite3", lambda d: with_db(
             d, "DROP TABLE unit; CREATE VIEW unit AS WITH RECURSIVE c(x) AS "
                "(SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c; VACUUM;")[0], do_reseal=True))

    # --- SHA256SUMS that is not sha256sum's
    def sums_text(text):
        return lambda t, ctx: (t.set("SHA256SUMS", raw(text(t))), t)[1]
    emit("sums-malformed-dir", "dir", "bad-sums",
         "SHA256SUMS lines: not hex, too short, CR endings, a NUL, spaces only",
         sums_text(lambda t: "\r\n".join(("zz" * 32 + "  database.sqlite3", "abc  media/photo.bin", "      ",
                                          t.data("SHA256SUMS").decode().replace("\n", "\r\n"),
                                          "0" * 64 + "  nul\0here"))))
    emit("sums-dup-dir", "dir", "bad-sums", "SHA256SUMS lists media/photo.bin twice with different hashes",
         sums_text(lambda t: t.data("SHA256SUMS").decode() + "0" * 64 + "  media/photo.bin\n"))
    emit("sums-outside-dir", "dir", "bad-sums",
         "SHA256SUMS names media/../../<sentinel>/victim.txt, /etc/passwd and <sentinel>/victim.txt",
         sums_text(lambda t: t.data("SHA256SUMS").decode()
                   + sha256(b"victim: must never change\n") + "  media/" + up + victim.lstrip("/") + "\n"
                   + sha256(b"victim: must never change\n") + "  " + victim + "\n"
                   + "0" * 64 + "  /etc/passwd\n"))
    emit("sums-nul-zip", "zip", "bad-sums", "a NUL byte in the middle of SHA256SUMS",
         mutate_member("SHA256SUMS", lambda d: d[:len(d) // 2] + b"\0" + d[len(d) // 2:]))
    emit("sums-escaped-tar", "tar.zst", "bad-sums",
         "backslash-escaped lines: \\n and \\\\ in names, a dangling backslash",
         sums_text(lambda t: t.data("SHA256SUMS").decode()
                   + "\\" + "1" * 64 + "  media/docs\\ncontract.txt\n"
                   + "\\" + "2" * 64 + "  media\\\\..\\\\..\\\\x\n"
                   + "\\" + "3" * 64 + "  trailing\\\n"))

    # --- far too large: SHA256SUMS, report, a fixture, too many members
    big = 200 * MB
    emit("sums-sparse-dir", "dir", "oversized", "SHA256SUMS a sparse file of 200 MB",
         lambda t, ctx: (t.remove("SHA256SUMS"), t.add(Entry("SHA256SUMS", "sparse", size=big)), t)[2])

    def big_report(t, ctx):
        head = json.dumps({"name": ctx["name"], "files": [], "created_at": "2026-03-01T00:00:00Z"})[:-1]
        t.set("backup_report.json", Zeros(big, raw(head + ', "pad": "'), b" "))
        return t
    emit("report-200mb-zip", "zip", "oversized",
         "backup_report.json one JSON line of 200 MB naming the backup (~200 KB deflated)", big_report)
    emit("report-200mb-tar", "tar.zst", "oversized",
         "backup_report.json one JSON line of 200 MB naming the backup (zstd)", big_report)
    emit("report-sparse-dir", "dir", "oversized", "backup_report.json a sparse file of 200 MB",
         lambda t, ctx: (t.remove("backup_report.json"),
                         t.add(Entry("backup_report.json", "sparse", size=big)), t)[2])
    emit("sums-63mb-lines-zip", "zip", "oversized",
         "SHA256SUMS just under the 64 MB limit: 960,000 well-formed lines (deflated to ~100 KB)",
         mutate_member("SHA256SUMS", lambda d: Zeros(63 * MB, b"", raw("0" * 64 + "  media/photo.bin\n"))))
    emit("fixture-bomb-tar", "tar.zst", "oversized",
         "complete_database.json one line of 100 MB, resealed (only the JSON check sees it)",
         mutate_member("complete_database.json", lambda d: Zeros(100 * MB, b"[", b" "), do_reseal=True))

    def many(t, ctx):
        for i in range(5000):
            t.add(Entry("media/many/%05d" % i, data=b""))
        return t
    emit("many-members-tar", "tar.zst", "oversized", "5,000 unlisted empty members", many)
    emit("long-name-tar", "tar.zst", "oversized", "a member whose name is 64 KB long (pax), unlisted",
         add(Entry("media/" + "/".join(["n" * 250] * 256) + "/x.txt", data=b"long")))

    # --- deep nesting
    def deep_dir(t, ctx):
        write_dir(t, ctx["path"])
        fd = os.open(os.path.join(ctx["path"], "media"), os.O_DIRECTORY)
        # 300 folders, 4,440 bytes of path (past PATH_MAX), 1.2 MB on disk
        for i in range(300):
            d = "d" * (120 if i % 10 == 0 else 2)
            os.mkdir(d, 0o700, dir_fd=fd)
            nfd = os.open(d, os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "wb") as f:
            f.write(b"deep")
        os.close(fd)
        return None
    emit("deep-dir", "dir", "deep-nesting", "media/d…/dd/… 300 folders deep (a path past PATH_MAX), unlisted", deep_dir)
    emit("deep-tar", "tar.zst", "deep-nesting", "a member 3,000 folders deep, unlisted",
         add(Entry("media/" + "d/" * 3000 + "deep.txt", data=b"deep")))
    deep_path = "media/" + "d/" * 2500 + "deep.txt"
    emit("deep-listed-zip", "zip", "deep-nesting",
         "a member 2,500 folders deep (past PATH_MAX) listed with its true hash: sound, so restore may take it",
         add(Entry(deep_path, data=b"deep"), reseal_paths=[deep_path]), expect="any")

    # --- FIFOs and other non-files
    emit("fifo-report-dir", "dir", "fifo", "backup_report.json a FIFO nobody writes",
         lambda t, ctx: (t.remove("backup_report.json"), t.add(Entry("backup_report.json", "fifo")), t)[2])
    emit("fifo-db-dir", "dir", "fifo", "database.sqlite3 a FIFO nobody writes",
         lambda t, ctx: (t.remove("database.sqlite3"), t.add(Entry("database.sqlite3", "fifo")), t)[2])
    emit("fifo-sums-dir", "dir", "fifo", "SHA256SUMS a FIFO nobody writes",
         lambda t, ctx: (t.remove("SHA256SUMS"), t.add(Entry("SHA256SUMS", "fifo")), t)[2])
    emit("fifo-media-dir", "dir", "fifo", "media/pipe a FIFO",
         add(Entry("media/pipe", "fifo")))
    emit("fifo-member-tar", "tar.zst", "fifo", "a FIFO member media/pipe",
         add(Entry("media/pipe", "fifo")))
    emit("fifo-sidecar-zip", "zip", "fifo", "the archive's .sha256 a FIFO", lambda t, ctx: t, sidecar="fifo")

    # --- names: escape sequences, not UTF-8, newlines
    emit("esc-media-dir", "dir", "names", "an unlisted media file whose name holds OSC/CSI escapes and BEL",
         add(Entry("media/" + ESC_NAME, data=b"esc")))
    emit("esc-media-zip", "zip", "names", "an unlisted member whose name holds escapes",
         add(Entry("media/" + ESC_NAME, data=b"esc")))
    emit("nonutf8-media-tar", "tar.zst", "names", "an unlisted member whose name is not UTF-8",
         add(Entry("media/" + NON_UTF8, data=b"raw")))
    emit("nonutf8-media-zip", "zip", "names", "an unlisted member whose name is not UTF-8",
         add(Entry("media/" + NON_UTF8, data=b"raw")))
    emit("newline-media-tar", "tar.zst", "names", "an unlisted member whose name holds \\n and \\r",
         add(Entry("media/two\nlines\rhere.txt", data=b"nl")))
    emit("esc-backup-name-dir", "dir", "names",
         "the backup's own name ends in escapes (report agrees), and a byte of its summary is flipped",
         mutate_member("backup_summary.txt", flip), suffix="_\x1b]0;pwned\x07\x1b[2J")
    emit("nonutf8-backup-name-dir", "dir", "names",
         "the backup's own name ends in bytes that are not UTF-8, and a byte of its summary is flipped",
         mutate_member("backup_summary.txt", flip), suffix=b"_\xff\xfe".decode("utf-8", "surrogateescape"))
    emit("esc-sound-dir", "dir", "names",
         "an escape-named media file listed with its true hash, nothing else wrong: restore may take it, "
         "and must not print the escapes raw",
         add(Entry("media/" + ESC_NAME, data=b"esc"), reseal_paths=["media/" + ESC_NAME]), expect="any")

    # --- not an archive, empty, truncated
    def replace_file(data):
        def build(t, ctx):
            with open(ctx["path"], "wb") as f:
                f.write(data)
            return None
        return build
    emit("empty-file-zip", "zip", "bad-archive", "a .zip of 0 bytes", replace_file(b""))
    emit("empty-zip", "zip", "bad-archive", "a valid zip with no member",
         replace_file(b"PK\x05\x06" + bytes(18)))
    emit("empty-tar", "tar.zst", "bad-archive", "a valid zstd'ed tar with no member",
         replace_file(subprocess.run(["zstd", "-q", "-c"], input=bytes(10240), capture_output=True,
                                     check=True).stdout))
    emit("truncated-zip", "zip", "bad-archive", "the archive cut in half, a .sha256 that matches",
         raw_mutation(lambda d: d[:len(d) // 2]))
    emit("truncated-tail-zip", "zip", "bad-archive",
         "the last 100 bytes cut (no central directory end), a .sha256 that matches",
         raw_mutation(lambda d: d[:-100]))
    emit("notarchive-zip", "zip", "bad-archive", "a text file named .zip",
         replace_file(b"this is no archive\n" * 10))
    emit("zstd-garbage-tar", "tar.zst", "bad-archive", "a sound zstd frame around bytes that are no tar",
         replace_file(subprocess.run(["zstd", "-q", "-c"], input=garbage, capture_output=True,
                                     check=True).stdout))

    # --- a top folder that is not the backup's name
    def top(new):
        def build(t, ctx):
            ctx["top"] = new(ctx["name"])
            return t
        return build
    emit("topname-other-zip", "zip", "top-folder", "every member under backup_19990101_000000/",
         top(lambda n: "backup_19990101_000000"))
    emit("topname-prefix-tar", "tar.zst", "top-folder", "every member under <name>_2/ (the name is a prefix)",
         top(lambda n: n + "_2"))
    emit("topname-flat-tar", "tar.zst", "top-folder", "no top folder: members at the archive's root",
         lambda t, ctx: Tree([Entry(e.path, e.kind, e.data, e.mode, top=False) for e in t.entries]))
    emit("topname-stray-zip", "zip", "top-folder", "all under <name>/ but one member evil/x.txt beside it",
         add(Entry("evil/hostile-corpus-stray.txt", data=b"stray", top=False)))

    # --- the report names another backup
    def report_names(other):
        def build(t, ctx):
            report = json.loads(t.data("backup_report.json"))
            report["name"] = other
            reseal(t, report=report)
            return t
        return build
    emit("reportname-real-dir", "dir", "report-name",
         "report (resealed) names the real folder backup this corpus was made from",
         report_names(src_name["dir"]))
    emit("reportname-other-zip", "zip", "report-name", "report (resealed) names the real zip backup",
         report_names(src_name["zip"]))

    # --- the .sha256 beside an archive
    emit("sidecar-missing-zip", "zip", "sidecar", "an intact archive without its .sha256",
         lambda t, ctx: t, sidecar="none")
    emit("sidecar-garbage-tar", "tar.zst", "sidecar", "a .sha256 that is not a hash",
         lambda t, ctx: t, sidecar="not a hash at all, but long enough to pass a length check........\n")

    shutil.rmtree(WORK, ignore_errors=True)
    with open(os.path.join(outdir, "hostile-corpus.json"), "w") as f:
        json.dump({"sentinel": sentinel, "variants": manifest}, f, indent=1, ensure_ascii=True)
        f.write("\n")


if __name__ == "__main__":
    main()
