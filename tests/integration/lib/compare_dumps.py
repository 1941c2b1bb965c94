#!/usr/bin/python3
"""Compare two Django dumps, or two SQLite databases, for equality.

    compare_dumps.py [--label L] A.json B.json
        Two `manage.py dumpdata` outputs (JSON arrays of fixture objects).
        Objects are matched by (model, str(pk)); values are compared
        strictly (true is not 1, "1" is not 1, list order matters, object
        key order does not).

    compare_dumps.py [--label L] --sqlite A.sqlite3 B.sqlite3
        Every row of every table of A must be in B with the same values and
        storage classes, and B must have no other rows.  django_migrations
        (it records when migrations ran) and sqlite_sequence are skipped.
        Text in JSON columns (CHECK JSON_VALID) is compared as JSON.

Exit 0 when equal.  Otherwise one line on stderr naming the first
difference (model or table, pk, field or column, both values) and the
number of differing objects or rows; exit 1.  Exit 2 on bad input.
"""
import json
import re
import sqlite3
import sys


def short(value, limit=120):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def fail(label, message, count):
    more = " (%d differences in all)" % count if count > 1 else ""
    sys.stderr.write("%s%s%s\n" % (label, message, more))
    return 1


# -- dumpdata -----------------------------------------------------------------
def load_dump(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write("compare_dumps: cannot read %s: %s\n" % (path, e))
        sys.exit(2)
    if not isinstance(data, list):
        sys.stderr.write("compare_dumps: %s is not a JSON array\n" % path)
        sys.exit(2)
    objects = {}
    for obj in data:
        if not isinstance(obj, dict) or "model" not in obj or "fields" not in obj:
            sys.stderr.write("compare_dumps: %s: not a fixture object: %s\n"
                             % (path, short(obj)))
            sys.exit(2)
        key = (obj["model"], str(obj.get("pk")))
        if key in objects:
            sys.stderr.write("compare_dumps: %s: duplicate object %s pk=%s\n"
                             % (path, key[0], key[1]))
            sys.exit(2)
        objects[key] = obj
    return objects


def compare_json(label, path_a, path_b):
    a, b = load_dump(path_a), load_dump(path_b)
    diffs = []
    for key in sorted(set(a) | set(b)):
        model, pk = key
        if key not in b:
            diffs.append("%s pk=%s: missing from %s" % (model, pk, path_b))
            continue
        if key not in a:
            diffs.append("%s pk=%s: only in %s" % (model, pk, path_b))
            continue
        oa, ob = a[key], b[key]
        if not same(oa.get("pk"), ob.get("pk")):
            diffs.append("%s pk=%s: pk %s != %s" % (model, pk, short(oa.get("pk")),
                                                     short(ob.get("pk"))))
            continue
        fa, fb = oa["fields"], ob["fields"]
        for field in list(fa) + [f for f in fb if f not in fa]:
            if field not in fb:
                diffs.append("%s pk=%s field %s: missing from %s" % (model, pk, field, path_b))
            elif field not in fa:
                diffs.append("%s pk=%s field %s: only in %s" % (model, pk, field, path_b))
            elif not same(fa[field], fb[field]):
                hint = ""
                if (isinstance(fa[field], list) and isinstance(fb[field], list)
                        and len(fa[field]) == len(fb[field])
                        and sorted(map(json.dumps, fa[field])) == sorted(map(json.dumps, fb[field]))):
                    hint = " (same elements, other order)"
                diffs.append("%s pk=%s field %s: %s != %s%s" % (
                    model, pk, field, short(fa[field]), short(fb[field]), hint))
            else:
                continue
            break  # one difference per object is enough
    if diffs:
        return fail(label, diffs[0], len(diffs))
    return 0


# -- raw SQLite -----------------------------------------------------------------
SKIP_TABLES = {"django_migrations", "sqlite_sequence"}


def tables(con):
    rows = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").fetchall()
    rows = [(n.decode("utf-8"), (s or b"").decode("utf-8")) for n, s in rows]
    return {name: sql for name, sql in rows if name not in SKIP_TABLES}


def columns(con, table):
    info = con.execute('PRAGMA table_info("%s")' % table.replace('"', '""')).fetchall()
    names = [r[1].decode("utf-8") for r in info]
    pk = [r[1].decode("utf-8") for r in sorted(info, key=lambda r: r[5]) if r[5] > 0]
    return names, pk


def is_through(con, table, names, pk):
    """Looks like a many-to-many table: an id and two foreign keys."""
    fks = {r[3].decode("utf-8") for r in
           con.execute('PRAGMA foreign_key_list("%s")' % table.replace('"', '""'))}
    return len(names) == 3 and pk == ["id"] and len(fks) == 2 and set(names) - {"id"} == fks


def json_columns(sql):
    return set(re.findall(r'JSON_VALID\("([^"]+)"\)', sql, flags=re.I))


def typed(value):
    return (type(value).__name__, value)


def compare_sqlite(label, path_a, path_b):
    cons = []
    for path in (path_a, path_b):
        try:
            con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
            con.text_factory = bytes  # compare text byte for byte
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as e:
            sys.stderr.write("compare_dumps: cannot open %s: %s\n" % (path, e))
            sys.exit(2)
        cons.append(con)
    ca, cb = cons
    ta, tb = tables(ca), tables(cb)
    diffs = ["table %s: missing from %s" % (t, path_b) for t in sorted(set(ta) - set(tb))]
    diffs += ["table %s: only in %s" % (t, path_b) for t in sorted(set(tb) - set(ta))]
    for table in sorted(set(ta) & set(tb)):
        names_a, pk = columns(ca, table)
        names_b, _ = columns(cb, table)
        if sorted(names_a) != sorted(names_b):
            diffs.append("table %s: columns %s != %s" % (table, names_a, names_b))
            continue
        jcols = json_columns(ta[table])
        if is_through(ca, table, names_a, pk):
            # An auto-created many-to-many table: loaddata recreates its
            # rows with new ids, so only the pairs themselves must match.
            names_a = [n for n in names_a if n not in pk]
            names_b, pk = names_a, []
        quoted = ", ".join('"%s"' % n.replace('"', '""') for n in names_a)
        order = ", ".join('"%s"' % n for n in (pk or names_a))
        sql = 'SELECT %s FROM "%s" ORDER BY %s' % (quoted, table.replace('"', '""'), order)
        key_idx = [names_a.index(n) for n in pk] or None
        rows_a = {}
        for row in ca.execute(sql):
            rows_a[tuple(row[i] for i in key_idx) if key_idx else row] = row
        seen = set()
        for row_b in cb.execute(sql):
            key = tuple(row_b[i] for i in key_idx) if key_idx else row_b
            shown = "pk=%s" % ",".join(
                k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k)
                for k in key) if key_idx else "row %s" % (dict(zip(names_a, row_b)),)
            row_a = rows_a.get(key)
            if row_a is None:
                diffs.append("table %s %s: only in %s" % (table, shown, path_b))
                continue
            seen.add(key)
            for name, va, vb in zip(names_a, row_a, row_b):
                if typed(va) == typed(vb):
                    continue
                if name in jcols and isinstance(va, bytes) and isinstance(vb, bytes):
                    try:
                        if same(json.loads(va), json.loads(vb)):
                            continue
                    except ValueError:
                        pass
                diffs.append("table %s %s column %s: %s != %s" % (
                    table, shown, name, short(va), short(vb)))
                break
        for key in rows_a:
            if key not in seen:
                shown = ("pk=%s" % ",".join(map(str, key)) if key_idx
                         else "row %s" % (dict(zip(names_a, key)),))
                diffs.append("table %s %s: missing from %s" % (table, shown, path_b))
    if diffs:
        return fail(label, diffs[0], len(diffs))
    return 0


def main(argv):
    label = ""
    if len(argv) >= 2 and argv[0] == "--label":
        label = argv[1] + ": "
        argv = argv[2:]
    if len(argv) == 3 and argv[0] == "--sqlite":
        return compare_sqlite(label, argv[1], argv[2])
    if len(argv) == 2 and not argv[0].startswith("--"):
        return compare_json(label, argv[0], argv[1])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
