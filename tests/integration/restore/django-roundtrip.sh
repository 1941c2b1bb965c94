#!/usr/bin/env bash
# Fixture compatibility with Django (docs/backup-layout.md, "Fixtures").
#
# Builds the demo project (data/demo), takes a backup with poshtiban, and
# checks that `manage.py loaddata` of the backup's complete_database.json,
# and of all its fixtures/*.json at once, into a freshly migrated database
# reproduces the data: dumpdata equals the original's dumpdata, and every
# stored value is the same.  Also checks the shape of the fixture values.
# Every variant: the default (complete_database.json.gz, fixtures/*.json.gz,
# which loaddata reads as they are) and backup.compress false (plain .json).
#
# Environment: POSHTIBAN (the CLI binary), SOURCE_ROOT (repository root).
# Exit 0 pass, 1 fail (one line on stderr per failed check), 77 skip.
set -u

PY=/usr/bin/python3
if ! "$PY" -c 'import django' >/dev/null 2>&1; then
    echo "django-roundtrip: skipped: $PY cannot import django" >&2
    exit 77
fi
if [ -z "${POSHTIBAN:-}" ] || [ -z "${SOURCE_ROOT:-}" ]; then
    echo "django-roundtrip: POSHTIBAN and SOURCE_ROOT must be set" >&2
    exit 1
fi

demo=$SOURCE_ROOT/data/demo
here=$SOURCE_ROOT/tests/integration/lib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=demo.settings
unset POSHTIBAN_DATABASE

failures=0
fail() { echo "django-roundtrip: $*" >&2; failures=$((failures + 1)); }
die() { echo "django-roundtrip: $*" >&2; exit 1; }
lastline() { grep -v '^[[:space:]]*$' "$1" | tail -n 1; }

# manage DB ARGS...: run the demo's manage.py against database DB.
manage() {
    local db=$1; shift
    DEMO_DATABASE=$db DEMO_MEDIA=$tmp/no-media "$PY" "$demo/manage.py" "$@"
}

# fresh NAME FIXTURE...: migrate an empty database NAME.sqlite3, load the
# fixtures in one loaddata call, dump it to NAME.json, compare with the
# original, both as dumps and row by row.
fresh() {
    local name=$1; shift
    local db=$tmp/$name.sqlite3
    if ! manage "$db" migrate --no-input -v 0 >"$tmp/$name.log" 2>&1; then
        fail "$name: migrate of a fresh database failed: $(lastline "$tmp/$name.log")"
        return
    fi
    if ! manage "$db" loaddata -v 0 "$@" >"$tmp/$name.log" 2>&1; then
        fail "$name: loaddata failed: $(lastline "$tmp/$name.log")"
        return
    fi
    if ! manage "$db" dumpdata >"$tmp/$name.json" 2>"$tmp/$name.log"; then
        fail "$name: dumpdata failed: $(lastline "$tmp/$name.log")"
        return
    fi
    "$PY" "$here/compare_dumps.py" --label "django-roundtrip: $name: dumpdata differs from the original's" \
        "$tmp/orig.json" "$tmp/$name.json" || failures=$((failures + 1))
    "$PY" "$here/compare_dumps.py" --label "django-roundtrip: $name: stored rows differ from the original's" \
        --sqlite "$tmp/proj/db.sqlite3" "$db" || failures=$((failures + 1))
}

# 1. The demo project.
"$demo/make-demo" "$tmp/proj" >/dev/null || die "make-demo failed"

# 3. The original, as Django dumps it.
manage "$tmp/proj/db.sqlite3" dumpdata >"$tmp/orig.json" 2>"$tmp/orig.log" ||
    die "dumpdata of the original failed: $(lastline "$tmp/orig.log")"

# variant NAME EXT: a backup whose JSON files end in EXT (".json.gz" by
# default, ".json" with backup.compress false) loads back into Django.
variant() {
    local v=$1 ext=$2
    # 2. A backup.
    (cd "$tmp" && "$POSHTIBAN" -C "$tmp/proj" create --json) >"$tmp/create-$v.json" 2>"$tmp/create-$v.err"
    local rc=$?
    [ $rc -eq 0 ] || die "poshtiban create failed (exit $rc): $(lastline "$tmp/create-$v.err")"
    local backup
    backup=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["path"])' \
        "$tmp/create-$v.json" 2>"$tmp/path.err") ||
        die "create --json printed no record with a path: $(lastline "$tmp/path.err")"
    [ -d "$backup" ] || die "the backup path '$backup' is not a folder"
    [ -f "$backup/complete_database$ext" ] || die "$v: no complete_database$ext in $backup"
    shopt -s nullglob
    fixtures=("$backup"/fixtures/*$ext)
    shopt -u nullglob
    [ ${#fixtures[@]} -gt 0 ] || fail "$v: no fixtures/*$ext in $backup"
    # 4. complete_database.json into a fresh database.
    fresh "complete-$v" "$backup/complete_database$ext"

    # 5. All per-model fixtures, in one loaddata call.
    [ ${#fixtures[@]} -gt 0 ] && fresh "fixtures-$v" "${fixtures[@]}"
    # 6. The values themselves, against the original database.
    "$PY" - "$backup/complete_database$ext" "$tmp/proj/db.sqlite3" "$backup/fixtures" <<'PY' ||
import base64, binascii, datetime, decimal, json, os, re, sqlite3, sys

complete_path, db_path, fixtures_dir = sys.argv[1:4]
import gzip
EXT = ".json.gz" if complete_path.endswith(".gz") else ".json"


def opened(path):
    """A fixture file as loaddata reads it: through gzip when it ends in .gz."""
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
errors = {}          # check -> [first message, count]


def bad(check, message):
    entry = errors.setdefault(check, [message, 0])
    entry[1] += 1


def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def short(v):
    r = repr(v)
    return r if len(r) < 100 else r[:100] + "…"


# -- shape ----------------------------------------------------------------
try:
    with opened(complete_path) as f:
        data = json.loads(f.read().decode("utf-8"))
except (OSError, ValueError) as e:
    print("django-roundtrip: complete_database.json is not UTF-8 JSON: %s" % e,
          file=sys.stderr)
    sys.exit(1)
if not isinstance(data, list):
    print("django-roundtrip: complete_database.json is not a JSON array", file=sys.stderr)
    sys.exit(1)
index = {}
for obj in data:
    if not isinstance(obj, dict) or set(obj) != {"model", "pk", "fields"}:
        bad("shape", "an object without exactly the keys model, pk, fields: %s" % short(obj))
        continue
    if not isinstance(obj["fields"], dict) or not isinstance(obj["model"], str):
        bad("shape", "bad model or fields in %s" % short(obj))
        continue
    index[(obj["model"], str(obj["pk"]))] = obj

# -- fixtures/<label>.json --------------------------------------------------
fixture_count = 0
for name in sorted(os.listdir(fixtures_dir)) if os.path.isdir(fixtures_dir) else []:
    if not name.endswith(EXT):
        continue
    label = name[:-len(EXT)]
    try:
        with opened(os.path.join(fixtures_dir, name)) as f:
            objs = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        bad("fixture files", "fixtures/%s is not JSON: %s" % (name, e))
        continue
    for obj in objs if isinstance(objs, list) else [None]:
        if not isinstance(obj, dict) or obj.get("model") != label:
            bad("fixture files", "fixtures/%s holds an object of another model: %s"
                % (name, short(obj)))
            continue
        fixture_count += 1
        if not same(obj, index.get((label, str(obj.get("pk"))))):
            bad("fixture files", "fixtures/%s pk=%s differs from complete_database.json"
                % (name, obj.get("pk")))
if fixture_count != len(data):
    bad("fixture files", "fixtures/ hold %d objects, complete_database.json %d"
        % (fixture_count, len(data)))

# -- every value against the database ---------------------------------------
con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
con.text_factory = bytes
TABLES = {"admin.logentry": "django_admin_log", "sessions.session": "django_session",
          "contenttypes.contenttype": "django_content_type"}
existing = {r[0].decode() for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
labels = {}
for app, model in con.execute("SELECT app_label, model FROM django_content_type"):
    label = "%s.%s" % (app.decode(), model.decode())
    table = TABLES.get(label, label.replace(".", "_"))
    if table in existing:
        labels[label] = table
M2M = [  # table, owner model, field, owner column, target column
    ("realestate_project_investors", "realestate.project", "investors", "project_id", "investor_id"),
    ("auth_group_permissions", "auth.group", "permissions", "group_id", "permission_id"),
    ("auth_user_groups", "auth.user", "groups", "user_id", "group_id"),
    ("auth_user_user_permissions", "auth.user", "user_permissions", "user_id", "permission_id"),
]
FLAGSHIP = False
EMOJI = re.compile("[\U0001F300-\U0001FAFF]")


def parse_dt(text):
    return datetime.datetime.fromisoformat(text)


for label, table in sorted(labels.items()):
    info = con.execute('PRAGMA table_info("%s")' % table).fetchall()
    cols = [(r[1].decode(), r[2].decode().lower(), r[5]) for r in info]
    sql = con.execute("SELECT sql FROM sqlite_master WHERE name=?", (table,)).fetchone()[0].decode()
    json_cols = set(re.findall(r'JSON_VALID\("([^"]+)"\)', sql, flags=re.I))
    fk_cols = {r[3].decode() for r in con.execute('PRAGMA foreign_key_list("%s")' % table)}
    pk_col = [c for c, _, pk in cols if pk][0]
    n_db = 0
    for row in con.execute('SELECT * FROM "%s"' % table):
        n_db += 1
        values = dict(zip([c for c, _, _ in cols], row))
        pk = values[pk_col]
        pk = pk.decode() if isinstance(pk, bytes) else pk
        obj = index.get((label, str(pk)))
        where = "%s pk=%s" % (label, pk)
        if obj is None:
            bad("rows", "%s is missing from complete_database.json" % where)
            continue
        if not same(obj["pk"], pk):
            bad("pk", "%s: pk is %s, not %s" % (where, short(obj["pk"]), short(pk)))
        fields = obj["fields"]
        for col, decl, is_pk in cols:
            if is_pk:
                continue
            name = col[:-3] if col in fk_cols and col.endswith("_id") else col
            if name not in fields:
                bad("fields", "%s: field %s is missing" % (where, name))
                continue
            got, want = fields[name], values[col]
            what = "%s field %s: %s (database %s)" % (where, name, short(got), short(want))
            if want is None:
                if got is not None:
                    bad("null", what + " should be null")
                continue
            if col in fk_cols:
                if not same(got, want.decode() if isinstance(want, bytes) else want):
                    bad("foreign keys", what)
            elif col in json_cols:
                if not same(got, json.loads(want)):
                    bad("json", what + " should be the column's JSON itself")
            elif decl == "bool":
                if not isinstance(got, bool) or got != bool(want):
                    bad("booleans", what + " should be true/false")
            elif decl == "datetime":
                if not isinstance(got, str) or not got.endswith("Z"):
                    bad("datetimes", what + " should be ISO 8601 ending in Z")
                elif parse_dt(got[:-1]) != parse_dt(want.decode()):
                    bad("datetimes", what + " is not the same instant")
            elif decl == "date":
                if got != want.decode():
                    bad("dates", what)
            elif decl == "time":
                if not isinstance(got, str) or \
                        datetime.time.fromisoformat(got) != datetime.time.fromisoformat(want.decode()):
                    bad("times", what)
            elif decl == "decimal":
                if not isinstance(got, str):
                    bad("decimals", what + " should be a JSON string")
                elif decimal.Decimal(got) != decimal.Decimal(repr(want) if isinstance(want, float) else str(want)):
                    bad("decimals", what)
            elif decl == "blob":
                try:
                    ok = isinstance(got, str) and base64.b64decode(got, validate=True) == bytes(want)
                except (binascii.Error, ValueError):
                    ok = False
                if not ok:
                    bad("blobs", what + " should be the bytes in base64")
            elif isinstance(want, bytes):          # text: byte-exact
                if not isinstance(got, str) or got.encode("utf-8", "surrogatepass") != want:
                    bad("text", what + " is not byte-exact")
                elif "\u200c" in got and EMOJI.search(got):
                    FLAGSHIP = True
            elif isinstance(want, float):
                if not isinstance(got, (int, float)) or isinstance(got, bool) or got != want:
                    bad("numbers", what)
            elif not same(got, want):
                bad("numbers", what)
    n_fixture = sum(1 for (m, _) in index if m == label)
    if n_fixture != n_db:
        bad("rows", "%s: %d objects in complete_database.json, %d rows in the database"
            % (label, n_fixture, n_db))

for table, owner, field, own_col, tgt_col in M2M:
    want = {}
    for o, t in con.execute('SELECT "%s", "%s" FROM "%s"' % (own_col, tgt_col, table)):
        want.setdefault(o, []).append(t)
    for (model, pk), obj in index.items():
        if model != owner:
            continue
        got = obj["fields"].get(field)
        if not isinstance(got, list) or sorted(got) != sorted(want.get(obj["pk"], [])):
            bad("many-to-many", "%s pk=%s field %s: %s, the table %s says %s" % (
                model, pk, field, short(got), table, sorted(want.get(obj["pk"], []))))
    if not any(m == owner for m, _ in index):
        bad("many-to-many", "no %s objects to carry %s" % (owner, table))

if not FLAGSHIP:
    bad("text", "no text with ZWNJ and emoji was found and compared")
project = index.get(("realestate.project", "1"))
if not project or "\u200c" not in project["fields"].get("name", "") \
        or "🏠" not in project["fields"].get("name", ""):
    bad("text", "realestate.project pk=1 name lost its ZWNJ or emoji: %s" % short(project))

for check, (message, count) in errors.items():
    more = " (%d in all)" % count if count > 1 else ""
    print("django-roundtrip: %s: %s%s" % (check, message, more), file=sys.stderr)
sys.exit(1 if errors else 0)
PY
        failures=$((failures + 1))
    # The setting for the next variant.
    "$POSHTIBAN" -C "$tmp/proj" settings set backup.compress false >/dev/null ||
        die "settings set backup.compress false failed"
}

variant compressed .json.gz
variant plain .json

if [ "$failures" -gt 0 ]; then
    exit 1
fi
exit 0
