// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The fixture writer's rows written straight as text (engine/rowjson.c)
 * against an oracle: the jansson objects the writer built before, dumped
 * with json_dumpb(JSON_COMPACT). Hostile values, value by value and row by
 * row; any escape or number spelled differently fails.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "base/fsutil.h"
#include "engine/rowjson-internal.h"
#include "engine/rowjson.h"
#include "engine/schema.h"
#include "helpers.h"

/* ------------------------------------------------ the oracle: the old writer */

struct oracle {
    bool utc;
    int64_t invalid_text;
};

static size_t o_utf8_sequence(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t len;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (left < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static json_t *o_text(struct oracle *o, const unsigned char *s, size_t len)
{
    json_t *j = json_stringn((const char *)s, len);
    if (j)
        return j;
    o->invalid_text++;
    char *fixed = pt_xmalloc(len * 3 + 1);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t k = o_utf8_sequence(s + i, len - i);
        if (k == 0) {
            memcpy(fixed + n, "\xef\xbf\xbd", 3);
            n += 3;
            i++;
        } else {
            memcpy(fixed + n, s + i, k);
            n += k;
            i += k;
        }
    }
    j = json_stringn(fixed, n);
    free(fixed);
    return j ? j : json_null();
}

static json_t *o_base64(const void *data, int len)
{
    unsigned char *out = pt_xmalloc(4 * (((size_t)len + 2) / 3) + 1);
    int n = EVP_EncodeBlock(out, data, len);
    json_t *j = json_stringn((const char *)out, (size_t)n);
    free(out);
    return j;
}

static json_t *o_datetime(struct oracle *o, const char *s, size_t len)
{
    bool naive = len >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') &&
                 s[13] == ':' && s[16] == ':';
    for (size_t i = 19; naive && i < len; i++)
        naive = (i == 19 && s[i] == '.') || (i > 19 && s[i] >= '0' && s[i] <= '9');
    if (!naive && !(len >= 19 && s[10] == ' '))
        return o_text(o, (const unsigned char *)s, len);
    char *iso = pt_xmalloc(len + 2);
    memcpy(iso, s, len);
    iso[10] = 'T';
    size_t n = len;
    if (naive && o->utc)
        iso[n++] = 'Z';
    json_t *j = json_stringn(iso, n);
    free(iso);
    return j ? j : o_text(o, (const unsigned char *)s, len);
}

static json_t *o_value(struct oracle *o, sqlite3_stmt *st, int i, enum pt_value_kind kind)
{
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_NULL)
        return json_null();
    if (type == SQLITE_BLOB)
        return o_base64(sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
    switch (kind) {
    case PT_VALUE_BOOL:
        if (type == SQLITE_INTEGER)
            return json_boolean(sqlite3_column_int64(st, i) != 0);
        break;
    case PT_VALUE_DECIMAL:
        return json_string((const char *)sqlite3_column_text(st, i));
    case PT_VALUE_DATETIME:
        if (type == SQLITE_TEXT)
            return o_datetime(o, (const char *)sqlite3_column_text(st, i),
                              (size_t)sqlite3_column_bytes(st, i));
        break;
    case PT_VALUE_JSON:
        if (type == SQLITE_TEXT) {
            json_t *j = json_loadb((const char *)sqlite3_column_text(st, i),
                                   (size_t)sqlite3_column_bytes(st, i),
                                   JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            if (j)
                return j;
        }
        break;
    case PT_VALUE_PLAIN:
        break;
    }
    if (type == SQLITE_INTEGER)
        return json_integer(sqlite3_column_int64(st, i));
    if (type == SQLITE_FLOAT) {
        json_t *j = json_real(sqlite3_column_double(st, i));
        return j ? j : json_string((const char *)sqlite3_column_text(st, i));
    }
    return o_text(o, sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
}

static json_t *o_row(struct oracle *o, const struct pt_table *t, sqlite3_stmt *st,
                     sqlite3_stmt **m2m)
{
    json_t *pk;
    int pk_index = t->rowid ? (int)t->n_columns : t->pk[0];
    if (t->rowid)
        pk = json_integer(sqlite3_column_int64(st, (int)t->n_columns));
    else if (t->n_pk == 1)
        pk = o_value(o, st, t->pk[0], t->columns[t->pk[0]].kind);
    else {
        pk = json_array();
        for (size_t i = 0; i < t->n_pk; i++)
            json_array_append_new(pk, o_value(o, st, t->pk[i], t->columns[t->pk[i]].kind));
    }
    json_t *fields = json_object();
    for (size_t i = 0; i < t->n_columns; i++) {
        if (t->n_pk == 1 && (int)i == t->pk[0])
            continue;
        json_object_set_new(fields, t->columns[i].field,
                            o_value(o, st, (int)i, t->columns[i].kind));
    }
    for (size_t i = 0; i < t->n_m2m; i++) {
        json_t *list = json_array();
        sqlite3_reset(m2m[i]);
        sqlite3_bind_value(m2m[i], 1, sqlite3_column_value(st, pk_index));
        while (sqlite3_step(m2m[i]) == SQLITE_ROW)
            json_array_append_new(list, o_value(o, m2m[i], 0, PT_VALUE_PLAIN));
        json_object_set_new(fields, t->m2m[i].field, list);
    }
    json_t *obj = json_object();
    json_object_set_new(obj, "model", json_string(t->model));
    json_object_set_new(obj, "pk", pk);
    json_object_set_new(obj, "fields", fields);
    return obj;
}

/* json_dumpb as the old writer called it; NULL for no value. Owned. */
static char *o_dump(json_t *j, size_t flags, size_t *len)
{
    if (!j) {
        *len = 0;
        return NULL;
    }
    size_t need = json_dumpb(j, NULL, 0, flags);
    assert_true(need > 0);
    char *buf = pt_xmalloc(need + 1);
    assert_int_equal(json_dumpb(j, buf, need, flags), need);
    buf[need] = '\0';
    *len = need;
    return buf;
}

/* --------------------------------------------------------- the comparison */

static char *select_sql(const struct pt_table *t)
{
    char *sql = pt_xstrdup("SELECT ");
    for (size_t i = 0; i < t->n_columns; i++) {
        char *q = pt_sql_quote(t->columns[i].name);
        char *next = pt_xasprintf("%s%s%s", sql, i ? ", " : "", q);
        free(q);
        free(sql);
        sql = next;
    }
    char *q = pt_sql_quote(t->name);
    char *next = pt_xasprintf(
        "%s%s%s", sql, t->n_columns ? (t->rowid ? ", rowid FROM " : " FROM ") : "rowid FROM ", q);
    free(q);
    free(sql);
    return next;
}

static sqlite3_stmt *prepare_m2m(sqlite3 *db, const struct pt_m2m *m)
{
    char *through = pt_sql_quote(m->through);
    char *owner = pt_sql_quote(m->owner_column);
    char *other = pt_sql_quote(m->other_column);
    char *sql =
        pt_xasprintf("SELECT %s FROM %s WHERE %s = ? ORDER BY \"id\"", other, through, owner);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    free(sql);
    free(through);
    free(owner);
    free(other);
    return st;
}

static void expect_same(const char *what, const char *table, int64_t row, const char *want,
                        size_t want_len, const char *got, size_t got_len)
{
    if (want_len == got_len && (want_len == 0 || memcmp(want, got, want_len) == 0))
        return;
    fail_msg("%s of %s row %lld differs:\n  jansson: %.*s\n  rowjson: %.*s", what, table,
             (long long)row, (int)want_len, want ? want : "", (int)got_len, got ? got : "");
}

/* Every row and value of t, both ways; returns the rows compared. */
static int64_t compare_table(sqlite3 *db, const struct pt_table *t, bool utc)
{
    char *sql = select_sql(t);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    free(sql);
    sqlite3_stmt **m2m = pt_xcalloc(t->n_m2m + 1, sizeof(*m2m));
    for (size_t i = 0; i < t->n_m2m; i++)
        m2m[i] = prepare_m2m(db, &t->m2m[i]);
    struct pt_rowjson *rj = pt_rowjson_new(t, utc);
    struct pt_rowjson_buf out = {0};
    struct oracle o = {.utc = utc};
    int64_t invalid = 0, rows = 0;
    struct pt_error err = {0};
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < (int)t->n_columns; i++) {
            json_t *j = o_value(&o, st, i, t->columns[i].kind);
            size_t want_len;
            char *want = o_dump(j, JSON_COMPACT | JSON_ENCODE_ANY, &want_len);
            json_decref(j);
            out.len = 0;
            bool written;
            assert_int_equal(
                pt_rowjson_value(&out, st, i, t->columns[i].kind, utc, &written, &invalid, &err),
                PT_OK);
            assert_int_equal(written, want != NULL);
            expect_same(t->columns[i].name, t->name, rows, want, want_len, out.data, out.len);
            free(want);
            assert_int_equal(invalid, o.invalid_text);
        }
        json_t *obj = o_row(&o, t, st, m2m);
        size_t want_len;
        char *want = o_dump(obj, JSON_COMPACT, &want_len);
        json_decref(obj);
        /* Appended after what the buffer holds: rows follow one another. */
        out.len = 0;
        if (out.cap < 6)
            out.data = pt_xrealloc(out.data, out.cap = 64);
        memcpy(out.data, "prefix", 6);
        out.len = 6;
        assert_int_equal(pt_rowjson_row(rj, st, m2m, &out, &invalid, &err), PT_OK);
        assert_memory_equal(out.data, "prefix", 6);
        expect_same("the row", t->name, rows, want, want_len, out.data + 6, out.len - 6);
        assert_int_equal(invalid, o.invalid_text);
        free(want);
        rows++;
    }
    free(out.data);
    pt_rowjson_free(rj);
    for (size_t i = 0; i < t->n_m2m; i++)
        sqlite3_finalize(m2m[i]);
    free(m2m);
    sqlite3_finalize(st);
    return rows;
}

/* ------------------------------------------------------- hostile databases */

/* Values of every storage class that make a writer slip: one per row of vals. */
static const char *const hostile_values =
    "INSERT INTO vals (v) VALUES (0), (-1), (9223372036854775807), (-9223372036854775807 - 1),"
    " (1.0), (-0.0), (0.1), (1e300), (-1e-300), (5e-324), (1.7976931348623157e308),"
    " (9e999), (-9e999), (123456789012345678.0), (1e16), (1e15), (0.5), (3.141592653589793),"
    " (2.5e-5), (1e21), (1e22), (100.0), (-7.0), (4.35), (0.30000000000000004),"
    " (''), ('a\"b\\c'), ('/slash/ and \\/'), (char(1,2,8,9,10,12,13,27,31,32,127,128)),"
    " ('سلام دنیا'), ('می‌خواهم'), ('😀 🏠 𝄞'), (char(65279, 8206, 8207, "
    "8232, "
    "8233)),"
    " (CAST(x'610062' AS TEXT)), (CAST(x'00' AS TEXT)), (CAST(x'ff61c3' AS TEXT)),"
    " (CAST(x'c0af' AS TEXT)), (CAST(x'eda080' AS TEXT)), (CAST(x'e282' AS TEXT)),"
    " (CAST(x'f4908080' AS TEXT)), (CAST(x'f8888080' AS TEXT)), (CAST(x'e282ac' AS TEXT)),"
    " (CAST(x'61e2' AS TEXT)), (CAST(x'22ff5c' AS TEXT)), ('  lead and trail  '),"
    " ('{\"not\": \"json column\"}'), ('1.5'), ('true'), ('null'),"
    " (x''), (x'00ff10'), (zeroblob(5)), (x'fbff'), (x'01020304050607'), (NULL),"
    " ('2026-11-26 08:30:00'), ('2026-11-26 08:30:00.123456'), ('2026-11-26T08:30:00'),"
    " ('2026-11-26 08:30:00+03:30'), ('2026-11-26'), ('2026-11-26 08:30:00.'),"
    " ('2026-11-26 08:30:00.12a'), ('garbage but long enough!'),"
    " (CAST(x'ff3032362d31312d32362030383a33303a3030' AS TEXT)),"
    " ('2026-11-26 08:30:00' || CAST(x'ff' AS TEXT)), ('2026-11-26 08:30:00 tail'),"
    " ('2026-11-26 08:30:00' || char(10)), (CAST(x'32303236ff31312d3236203038' AS TEXT)),"
    " ('{\"b\":1,\"a\":[1,2.5,null,true,\"x\\u0000y\"],\"b\":2}'), ('1e400'), ('\"str\"'),"
    " ('12345678901234567890'), ('[1.0, 1e5, -0.0, 0.1, 1E-7]'), (' 3 '),"
    " ('{\"k\":\"\\u00e9\\/\\u001f\\ud83d\\ude00\"}'), ('{}'), ('[]'), ('{\"\":{\"\":[]}}'),"
    " ('12.50'), ('7'), (CAST(x'31003200' AS TEXT)), (CAST(x'31ff' AS TEXT)),"
    " ('yes'), (2), (1.5);";

static const char *const plain_schema =
    "CREATE TABLE vals (id INTEGER PRIMARY KEY, v);"
    "CREATE TABLE \"we\"\"ird/ta ble\" (\"qu\"\"ote\", \"سطر\", \"a\\b\");"
    "CREATE TABLE comp (a, b, c, PRIMARY KEY (b, a)) WITHOUT ROWID;"
    "CREATE TABLE textpk (k TEXT PRIMARY KEY, v);"
    "CREATE TABLE empty (x);"
    "CREATE TABLE nocols_but_rowid (only);";

/* Fills the tables of plain_schema (and Django's) from vals. */
static const char *const spread =
    "INSERT INTO \"we\"\"ird/ta ble\" SELECT v, v, id FROM vals;"
    "INSERT OR IGNORE INTO comp SELECT v, id, v FROM vals;"
    "INSERT OR IGNORE INTO comp SELECT 'k' || id, v, 1 FROM vals WHERE v IS NOT NULL;"
    "INSERT OR IGNORE INTO textpk SELECT v, id FROM vals;"
    "INSERT INTO nocols_but_rowid SELECT v FROM vals;";

static const char *const django_schema =
    "PRAGMA ignore_check_constraints = 1;"
    "CREATE TABLE \"django_migrations\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"app\" varchar(255) NOT NULL, \"name\" varchar(255) NOT NULL, \"applied\" datetime NOT "
    "NULL);"
    "CREATE TABLE \"django_content_type\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"app_label\" varchar(100) NOT NULL, \"model\" varchar(100) NOT NULL);"
    "CREATE TABLE \"shop_tag\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"label\" varchar(50) NULL);"
    "CREATE TABLE \"shop_customer\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"name\" varchar(100) NULL, \"active\" bool NULL, \"joined\" datetime NULL,"
    " \"balance\" decimal NULL,"
    " \"prefs\" text NULL CHECK ((JSON_VALID(\"prefs\") OR \"prefs\" IS NULL)),"
    " \"avatar\" BLOB NULL, \"score\" real NULL,"
    " \"referrer_id\" bigint NULL REFERENCES \"shop_customer\" (\"id\"), \"referrer\" text);"
    "CREATE TABLE \"shop_customer_tags\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"customer_id\" bigint NOT NULL REFERENCES \"shop_customer\" (\"id\"),"
    " \"tag_id\" bigint NULL REFERENCES \"shop_tag\" (\"id\"));"
    "CREATE TABLE \"shop_tag_related\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"from_tag_id\" bigint NOT NULL REFERENCES \"shop_tag\" (\"id\"),"
    " \"to_tag_id\" bigint NOT NULL REFERENCES \"shop_tag\" (\"id\"));"
    "CREATE TABLE \"shop_price\" (\"code\" decimal NOT NULL PRIMARY KEY, \"at\" datetime);"
    "CREATE TABLE \"shop_pair\" (\"left\" datetime, \"right\" decimal, \"on\" bool,"
    " PRIMARY KEY (\"right\", \"left\"));"
    "INSERT INTO django_migrations (app, name, applied) VALUES"
    " ('shop', '0001_initial', '2026-01-01 10:00:00.000000');"
    "INSERT INTO django_content_type (app_label, model) VALUES ('contenttypes', 'contenttype'),"
    " ('shop', 'tag'), ('shop', 'customer'), ('shop', 'price'), ('shop', 'pair');"
    "INSERT INTO shop_tag (id, label) SELECT id, v FROM vals;"
    "INSERT INTO shop_tag (id, label) VALUES (1000, 'x'), (1001, 'y');"
    "INSERT INTO shop_customer SELECT id, v, v, v, v, v, v, v, (id % 3) + 1, v FROM vals;"
    "INSERT INTO shop_customer_tags (customer_id, tag_id) SELECT id, 1000 FROM vals WHERE id % 2;"
    "INSERT INTO shop_customer_tags (customer_id, tag_id) SELECT id, id FROM vals WHERE id % 3;"
    "INSERT INTO shop_customer_tags (customer_id, tag_id) VALUES (1, 'text id'), (1, 2.5),"
    " (1, x'00'), (1, NULL), (1, CAST(x'ff' AS TEXT));"
    "INSERT INTO shop_tag_related (from_tag_id, to_tag_id) SELECT id, 1001 FROM vals;"
    "INSERT OR IGNORE INTO shop_price SELECT v, v FROM vals;"
    "INSERT OR IGNORE INTO shop_pair SELECT v, v, v FROM vals;"
    "INSERT OR IGNORE INTO shop_pair SELECT '2026-11-26 08:30:00', v, id FROM vals;";

struct db {
    char *dir;
    sqlite3 *h;
    struct pt_schema schema;
};

static void open_db(struct db *d, bool django)
{
    d->dir = pt_test_tmpdir();
    char *path = pt_path_join(d->dir, "db.sqlite3");
    pt_test_sql(path, plain_schema);
    pt_test_sql(path, hostile_values);
    pt_test_sql(path, spread);
    if (django)
        pt_test_sql(path, django_schema);
    assert_int_equal(sqlite3_open(path, &d->h), SQLITE_OK);
    free(path);
    struct pt_error err = {0};
    assert_int_equal(pt_schema_read(d->h, &d->schema, &err), PT_OK);
    assert_int_equal(d->schema.django, django);
}

static void close_db(struct db *d)
{
    pt_schema_free(&d->schema);
    sqlite3_close(d->h);
    pt_test_rmtree(d->dir);
    free(d->dir);
}

static int64_t compare_all(struct db *d)
{
    int64_t rows = 0;
    for (size_t i = 0; i < d->schema.n_tables; i++)
        if (d->schema.tables[i].fixture) {
            rows += compare_table(d->h, &d->schema.tables[i], false);
            rows += compare_table(d->h, &d->schema.tables[i], true);
        }
    return rows;
}

static struct pt_table *table(struct db *d, const char *name)
{
    for (size_t i = 0; i < d->schema.n_tables; i++)
        if (strcmp(d->schema.tables[i].name, name) == 0)
            return &d->schema.tables[i];
    fail_msg("no table %s", name);
    return NULL;
}

/* Plain tables: every storage class, odd names, composite and text keys. */
static void test_plain(void **state)
{
    (void)state;
    struct db d;
    open_db(&d, false);
    assert_true(compare_all(&d) > 400);
    close_db(&d);
}

/* Django's kinds (bool, decimal, date-time, JSON), m2m lists, decimal and composite keys. */
static void test_django(void **state)
{
    (void)state;
    struct db d;
    open_db(&d, true);
    struct pt_table *c = table(&d, "shop_customer");
    assert_int_equal(c->n_m2m, 1);
    assert_int_equal(table(&d, "shop_tag")->n_m2m, 1);
    /* referrer_id's field is "referrer", the next column's too: a key set twice. */
    assert_string_equal(c->columns[8].field, "referrer");
    assert_string_equal(c->columns[9].field, "referrer");
    assert_true(compare_all(&d) > 500);
    close_db(&d);
}

/* Keys jansson refuses or sees twice, a model that is not UTF-8 or needs escapes. */
static void test_odd_keys(void **state)
{
    (void)state;
    struct db d;
    open_db(&d, true);
    struct pt_table *c = table(&d, "shop_customer");
    char *saved_model = c->model;
    const char *models[] = {"shop.\xff", "a\"b\\c\x01/", "مدل.مشتری"};
    const char *fields[][3] = {
        {"name", "name", "tags"},          /* a column twice */
        {"tags", "x", "name"},             /* a column and the m2m list on one key */
        {"\xff", "active", "\"q\\\n"},     /* a refused key, escapes in a key */
        {"score", "\xc3", "score"},        /* refused between two of the same */
        {"balance", "balance", "balance"}, /* a decimal that may be no value, then another */
    };
    char *saved[3] = {c->columns[1].field, c->columns[2].field, c->m2m[0].field};
    for (size_t m = 0; m < sizeof(models) / sizeof(*models); m++)
        for (size_t f = 0; f < sizeof(fields) / sizeof(*fields); f++) {
            c->model = (char *)models[m];
            c->columns[1].field = (char *)fields[f][0];
            c->columns[2].field = (char *)fields[f][1];
            c->m2m[0].field = (char *)fields[f][2];
            assert_true(compare_table(d.h, c, false) > 50);
        }
    /* The decimal pk: rows whose key is no value at all. */
    struct pt_table *p = table(&d, "shop_price");
    char *price_model = p->model;
    assert_true(compare_table(d.h, p, false) > 20);
    p->model = (char *)"\xfe";
    assert_true(compare_table(d.h, p, true) > 20);
    p->model = price_model;
    c->model = saved_model;
    c->columns[1].field = saved[0];
    c->columns[2].field = saved[1];
    c->m2m[0].field = saved[2];
    close_db(&d);
}

/* Rows follow one another in one buffer; a long text crosses the writer's steps. */
static void test_long_text(void **state)
{
    (void)state;
    struct db d;
    open_db(&d, false);
    char *path = pt_path_join(d.dir, "db.sqlite3");
    pt_test_sql(path, "INSERT INTO vals (v) SELECT replace(hex(zeroblob(70000)), '00',"
                      " 'é\"' || char(1) || 'x') ;"
                      "INSERT INTO vals (v) SELECT CAST(x'ff' AS TEXT) ||"
                      " replace(hex(zeroblob(40000)), '00', '😀');");
    free(path);
    assert_true(compare_table(d.h, table(&d, "vals"), false) > 80);
    close_db(&d);
}

/* ------------------------------------------------ JSON columns, text by text */

/*
 * A JSON column's text rewritten without jansson (engine/rowjson-json.c):
 * where the rewriter answers, its bytes are jansson's; where jansson
 * refuses the text, the rewriter does too, leaving the buffer as it was.
 * Returns whether the rewriter answered.
 */
static bool json_case(const char *text, size_t len)
{
    struct pt_rowjson_buf b = {0};
    pt_rowjson_put(&b, "<", 1);
    bool handled = pt_rowjson_json(&b, text, len);
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    size_t want_len = 0;
    char *want = j ? o_dump(j, JSON_COMPACT | JSON_ENCODE_ANY, &want_len) : NULL;
    json_decref(j);
    if (handled && !want)
        fail_msg("rewritten, but jansson refuses [%.*s]", (int)len, text);
    if (handled && (b.len - 1 != want_len || memcmp(b.data + 1, want, want_len) != 0))
        fail_msg("[%.*s]: wrote [%.*s], jansson [%s]", (int)len, text, (int)b.len - 1, b.data + 1,
                 want);
    if (!handled && b.len != 1)
        fail_msg("[%.*s]: left for jansson, but the buffer changed", (int)len, text);
    free(want);
    free(b.data);
    return handled;
}

static const char *const json_texts[] = {
    "{\"a\":1}",
    " \t\n\r{ \"a\" : [ 1 , 2 ] , \"b\" :{}} \n",
    "[]",
    "{}",
    "{\"\":{\"\":[]}}",
    "\"\\u0646\\u0648\\u0639 \\u200c \\u2028\"",
    "\"\\ud83d\\ude00\"",
    "\"\\uD83D\\uDE00\"",
    "\"\\ud83d\"",
    "\"\\ude00\"",
    "\"\\ud83d\\u0041\"",
    "\"\\ud83dx\"",
    "\"a\\u0000b\"",
    "{\"a\\u0000\":1}",
    "{\"a\":1,\"a\":2}",
    "{\"a\":1,\"b\":{\"a\":2}}",
    "{\"\\u0061\":1,\"a\":2}",
    "-0",
    "0",
    "-",
    "01",
    "-01",
    "1.",
    ".5",
    "1e",
    "1e+",
    "1E-7",
    "1.5e308",
    "1e309",
    "-1e309",
    "1e-400",
    "5e-324",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "0.1",
    "1.0",
    "100",
    "1E2",
    "1e+02",
    "-0.0",
    "0.30000000000000004",
    "true",
    "false",
    "null",
    "tru",
    "truex",
    "nul",
    "null ",
    "[1,]",
    "{\"a\":1,}",
    "[",
    "]",
    "{",
    "}",
    "\"unterminated",
    "\"bad\\x\"",
    "\"\\u12\"",
    "\"\\uZZZZ\"",
    "\"a\x01b\"",
    "\"\x7f\"",
    "\x7f",
    "\"/\"",
    "\"\\/\"",
    "\"\xff\"",
    "\"\xc0\xaf\"",
    "\"\xed\xa0\x80\"",
    "\"\xf4\x90\x80\x80\"",
    "\"سلام 😀‌\"",
    "",
    " ",
    "1 2",
    "[1 2]",
    "{\"a\" 1}",
    "{1:2}",
    "{\"a\":}",
    "[,1]",
    "\"\\\"\\\\\\b\\f\\n\\r\\t\"",
    "\"\\'\"",
    "[true,false,null,\"\",0,-1,2.5]",
    "{\"k\":\"\\u00e9\\/\\u001f\\ud83d\\ude00\"}",
    "\v1",
    "1\f",
    "\xef\xbb\xbf{}",
    "[1.0, 1e5, -0.0, 0.1, 1E-7]",
};

/* Random texts of every shape, with whitespace, escapes, keys that come twice, odd numbers. */
struct gen {
    uint64_t state;
    struct pt_rowjson_buf b;
};

static unsigned gen_next(struct gen *g, unsigned n)
{
    g->state = g->state * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(g->state >> 33) % n;
}

static void gen_ws(struct gen *g)
{
    static const char *const ws[] = {"", "", "", " ", "\n", "\t", "\r\n  ", "\v", "\f"};
    const char *w = ws[gen_next(g, gen_next(g, 20) == 0 ? 9 : 7)];
    pt_rowjson_put(&g->b, w, strlen(w));
}

static void gen_string(struct gen *g, bool key)
{
    static const char *const parts[] = {
        "a",       "b",       "id",      "نام",     "😀",    "\\u0646",
        "\\u06CC", "\\n",     "\\\"",    "\\\\",    "\\/",  "\\ud83d\\ude00",
        "\\u0000", "\\u001f", " ",       "‌",     "\\t",  "x y",
        "\\u00e9", "é",       "\\ud800", "\\uDC00", "\x01", "\xff",
        "\\q"};
    pt_rowjson_put(&g->b, "\"", 1);
    unsigned n = gen_next(g, key ? 3 : 6);
    unsigned pick = gen_next(g, 40) == 0 ? 25 : 20;
    for (unsigned i = 0; i < n; i++) {
        const char *p = parts[gen_next(g, pick)];
        pt_rowjson_put(&g->b, p, strlen(p));
    }
    pt_rowjson_put(&g->b, "\"", 1);
}

static void gen_number(struct gen *g)
{
    static const char *const forms[] = {"0",
                                        "-0",
                                        "7",
                                        "-12",
                                        "4.35",
                                        "1e5",
                                        "-2.5E-3",
                                        "1e+300",
                                        "123456789012345678",
                                        "9223372036854775807",
                                        "-9223372036854775808",
                                        "0.1",
                                        "100.000",
                                        "3.141592653589793",
                                        "1e400",
                                        "99999999999999999999",
                                        "01",
                                        "1.",
                                        "5e-324",
                                        "2E2"};
    const char *f = forms[gen_next(g, gen_next(g, 10) == 0 ? 20 : 16)];
    pt_rowjson_put(&g->b, f, strlen(f));
}

static void gen_value(struct gen *g, int depth)
{
    unsigned kind = gen_next(g, depth > 4 ? 4 : 6);
    gen_ws(g);
    if (kind == 0) {
        gen_string(g, false);
    } else if (kind == 1) {
        gen_number(g);
    } else if (kind == 2) {
        static const char *const lit[] = {"true", "false", "null"};
        const char *l = lit[gen_next(g, 3)];
        pt_rowjson_put(&g->b, l, strlen(l));
    } else if (kind == 3) {
        gen_number(g);
    } else if (kind == 4) {
        pt_rowjson_put(&g->b, "[", 1);
        unsigned n = gen_next(g, 5);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                pt_rowjson_put(&g->b, ",", 1);
            gen_value(g, depth + 1);
        }
        gen_ws(g);
        pt_rowjson_put(&g->b, "]", 1);
    } else {
        pt_rowjson_put(&g->b, "{", 1);
        unsigned n = gen_next(g, 5);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                pt_rowjson_put(&g->b, ",", 1);
            gen_ws(g);
            gen_string(g, true);
            gen_ws(g);
            pt_rowjson_put(&g->b, ":", 1);
            gen_value(g, depth + 1);
        }
        gen_ws(g);
        pt_rowjson_put(&g->b, "}", 1);
    }
    gen_ws(g);
}

static void test_json_text(void **state)
{
    (void)state;
    size_t handled = 0, cases = 0;
    for (size_t i = 0; i < sizeof(json_texts) / sizeof(json_texts[0]); i++, cases++)
        handled += json_case(json_texts[i], strlen(json_texts[i]));
    /* Depth and width at the rewriter's limits and past them. */
    for (int depth = 30; depth <= 34; depth++) {
        char deep[80] = "";
        for (int i = 0; i < depth; i++)
            strcat(deep, "[");
        for (int i = 0; i < depth; i++)
            strcat(deep, "]");
        handled += json_case(deep, strlen(deep));
        cases++;
    }
    for (int keys = 63; keys <= 66; keys++) {
        struct pt_rowjson_buf w = {0};
        pt_rowjson_put(&w, "{", 1);
        for (int i = 0; i < keys; i++) {
            char one[24];
            snprintf(one, sizeof(one), "%s\"k%d\":%d", i ? "," : "", i, i);
            pt_rowjson_put(&w, one, strlen(one));
        }
        pt_rowjson_put(&w, "}", 1);
        handled += json_case(w.data, w.len);
        cases++;
        free(w.data);
    }
    assert_true(json_case("1\0", 2) == false);
    /* Random texts, then each cut short, with a byte changed, with a byte more. */
    size_t whole = 0, whole_handled = 0;
    struct gen g = {.state = 20261206};
    for (int i = 0; i < 4000; i++) {
        g.b.len = 0;
        gen_value(&g, 0);
        bool h = json_case(g.b.data, g.b.len);
        whole++, whole_handled += h;
        size_t len = g.b.len;
        if (len > 1) {
            json_case(g.b.data, gen_next(&g, (unsigned)len));
            size_t at = gen_next(&g, (unsigned)len);
            char keep = g.b.data[at];
            g.b.data[at] = "\"\\{}[],:0e-.\x01 u"[gen_next(&g, 16)];
            json_case(g.b.data, len);
            g.b.data[at] = keep;
            pt_rowjson_put(&g.b, "}", 1);
            json_case(g.b.data, g.b.len);
            cases += 3;
        }
    }
    cases += whole;
    handled += whole_handled;
    /* The rewriter does the common texts itself: more than a third of the random ones. */
    assert_true(whole_handled * 3 > whole);
    assert_true(handled > 1000);
    print_message("%zu texts, %zu rewritten; %zu of %zu whole random ones\n", cases, handled,
                  whole_handled, whole);
    assert_true(cases > 15000);
    free(g.b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),     cmocka_unit_test(test_django),
        cmocka_unit_test(test_odd_keys),  cmocka_unit_test(test_long_text),
        cmocka_unit_test(test_json_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
