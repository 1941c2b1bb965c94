// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "poshtiban/backup.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"

#include "base/fsutil.h"
#include "helpers.h"

/* The tables Django 3.2 creates on SQLite for a small app, as it writes them. */
static const char *const django_schema =
    "CREATE TABLE \"django_migrations\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"app\" varchar(255) NOT NULL, \"name\" varchar(255) NOT NULL, \"applied\" datetime NOT "
    "NULL);"
    "CREATE TABLE \"django_content_type\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"app_label\" varchar(100) NOT NULL, \"model\" varchar(100) NOT NULL);"
    "CREATE TABLE \"shop_tag\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"label\" varchar(50) NOT NULL);"
    "CREATE TABLE \"shop_customer\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"name\" varchar(100) NOT NULL, \"active\" bool NOT NULL, \"joined\" datetime NOT NULL,"
    " \"born\" date NULL, \"balance\" decimal NOT NULL,"
    " \"prefs\" text NULL CHECK ((JSON_VALID(\"prefs\") OR \"prefs\" IS NULL)),"
    " \"avatar\" BLOB NULL, \"score\" real NULL,"
    " \"referrer_id\" bigint NULL REFERENCES \"shop_customer\" (\"id\") DEFERRABLE INITIALLY "
    "DEFERRED);"
    "CREATE TABLE \"shop_customer_tags\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"customer_id\" bigint NOT NULL REFERENCES \"shop_customer\" (\"id\") DEFERRABLE INITIALLY "
    "DEFERRED,"
    " \"tag_id\" bigint NOT NULL REFERENCES \"shop_tag\" (\"id\") DEFERRABLE INITIALLY DEFERRED);"
    "CREATE TABLE \"shop_tag_related\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " \"from_tag_id\" bigint NOT NULL REFERENCES \"shop_tag\" (\"id\"),"
    " \"to_tag_id\" bigint NOT NULL REFERENCES \"shop_tag\" (\"id\"));"
    "CREATE TABLE legacy_stuff (a, b);"
    "INSERT INTO django_migrations (app, name, applied) VALUES"
    " ('shop', '0001_initial', '2026-01-01 10:00:00.000000');"
    "INSERT INTO django_content_type (app_label, model) VALUES ('contenttypes', 'contenttype'),"
    " ('shop', 'tag'), ('shop', 'customer');"
    "INSERT INTO shop_tag (label) VALUES ('ویژه'), ('new');"
    "INSERT INTO shop_customer VALUES (1, 'علی می‌خواهد 🏠', 1, '2026-11-26 "
    "08:30:00.123456',"
    " '1990-03-21', 1234567.89, '{\"lang\": \"fa\", \"tags\": [1, null, true]}', x'00ff10',"
    " 0.25, NULL);"
    "INSERT INTO shop_customer VALUES (2, 'Sara', 0, '2026-11-26 08:31:00', NULL, 12.5, NULL, NULL,"
    " NULL, 1);"
    "INSERT INTO shop_customer_tags (customer_id, tag_id) VALUES (1, 2), (1, 1), (2, 2);"
    "INSERT INTO shop_tag_related (from_tag_id, to_tag_id) VALUES (1, 2);"
    "INSERT INTO legacy_stuff VALUES (1, 2);";

struct fixture {
    char *dir;
    struct pt_project project;
    struct pt_record record;
    bool compressed; /* backup.compress, true by default */
};

static int setup(void **state)
{
    struct fixture *f = pt_xcalloc(1, sizeof(*f));
    f->dir = pt_test_tmpdir();
    char *db = pt_path_join(f->dir, "db.sqlite3");
    pt_test_sql(db, django_schema);
    free(db);
    pt_test_project(&f->project, f->dir);
    f->compressed = true;
    *state = f;
    return 0;
}

/* The same fixtures, in plain files, with backup.compress false. */
static int setup_plain(void **state)
{
    setup(state);
    struct fixture *f = *state;
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open(&c, &f->project, PT_CATALOG_WRITE, NULL), PT_OK);
    assert_int_equal(pt_settings_set(c, PT_KEY_BACKUP_COMPRESS, "false", NULL), PT_OK);
    pt_catalog_close(c);
    f->compressed = false;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pt_record_free(&f->record);
    pt_project_free(&f->project);
    pt_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void create(struct fixture *f)
{
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    struct pt_error err = {0};
    if (pt_test_create(&f->project, &opts, NULL, &f->record, &err) != PT_OK)
        fail_msg("create: %s", err.message);
}

/*
 * A JSON file of the backup by its plain name: the fixtures are gzip by
 * default (backup.compress), so "x.json" is read from x.json.gz, which must
 * be there in place of the plain file.
 */
static json_t *load(struct fixture *f, const char *rel)
{
    bool fixture = strcmp(rel, "backup_report.json") != 0 && f->compressed;
    char *path =
        fixture ? pt_xasprintf("%s/%s.gz", f->record.path, rel) : pt_path_join(f->record.path, rel);
    if (fixture) {
        char *plain = pt_path_join(f->record.path, rel);
        assert_int_not_equal(access(plain, F_OK), 0);
        free(plain);
    }
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        fail_msg("cannot open %s", path);
    char *text = NULL;
    size_t len = 0;
    char buf[4096];
    int n;
    while ((n = gzread(gz, buf, sizeof(buf))) > 0) {
        text = pt_xrealloc(text, len + (size_t)n + 1);
        memcpy(text + len, buf, (size_t)n);
        len += (size_t)n;
    }
    assert_int_equal(n, 0);
    gzclose(gz);
    json_error_t jerr;
    json_t *doc = json_loadb(text ? text : "", len, 0, &jerr);
    if (!doc)
        fail_msg("%s: %s", path, jerr.text);
    free(text);
    free(path);
    return doc;
}

static json_t *find(json_t *list, const char *model, json_int_t pk)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "model")), model) == 0 &&
            json_integer_value(json_object_get(o, "pk")) == pk)
            return json_object_get(o, "fields");
    }
    fail_msg("no %s %lld", model, (long long)pk);
    return NULL;
}

static const char *str(json_t *fields, const char *key)
{
    json_t *v = json_object_get(fields, key);
    if (!json_is_string(v))
        fail_msg("%s is not a string", key);
    return json_string_value(v);
}

static void test_django_format(void **state)
{
    struct fixture *f = *state;
    create(f);
    json_t *all = load(f, "complete_database.json");
    assert_true(json_is_array(all));
    /* 3 content types + 2 tags + 2 customers; no django_migrations, no m2m tables, no legacy. */
    assert_int_equal(json_array_size(all), 7);
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o)
    {
        assert_int_equal(json_object_size(o), 3);
        const char *model = json_string_value(json_object_get(o, "model"));
        assert_true(strcmp(model, "contenttypes.contenttype") == 0 ||
                    strcmp(model, "shop.tag") == 0 || strcmp(model, "shop.customer") == 0);
    }
    json_t *c1 = find(all, "shop.customer", 1);
    assert_string_equal(str(c1, "name"), "علی می‌خواهد 🏠");
    assert_true(json_is_true(json_object_get(c1, "active")));
    assert_string_equal(str(c1, "joined"), "2026-11-26T08:30:00.123456Z");
    assert_string_equal(str(c1, "born"), "1990-03-21");
    assert_string_equal(str(c1, "balance"), "1234567.89");
    json_t *prefs = json_object_get(c1, "prefs");
    assert_true(json_is_object(prefs));
    assert_string_equal(json_string_value(json_object_get(prefs, "lang")), "fa");
    assert_true(json_is_null(json_array_get(json_object_get(prefs, "tags"), 1)));
    assert_string_equal(str(c1, "avatar"), "AP8Q");
    assert_true(json_is_real(json_object_get(c1, "score")));
    assert_true(json_is_null(json_object_get(c1, "referrer")));
    assert_null(json_object_get(c1, "referrer_id"));
    assert_null(json_object_get(c1, "id"));
    /* The many-to-many in through-table order. */
    json_t *tags = json_object_get(c1, "tags");
    assert_int_equal(json_array_size(tags), 2);
    assert_int_equal(json_integer_value(json_array_get(tags, 0)), 2);
    assert_int_equal(json_integer_value(json_array_get(tags, 1)), 1);

    json_t *c2 = find(all, "shop.customer", 2);
    assert_true(json_is_false(json_object_get(c2, "active")));
    assert_string_equal(str(c2, "joined"), "2026-11-26T08:31:00Z");
    assert_string_equal(str(c2, "balance"), "12.5");
    assert_true(json_is_null(json_object_get(c2, "born")));
    assert_true(json_is_null(json_object_get(c2, "prefs")));
    assert_int_equal(json_integer_value(json_object_get(c2, "referrer")), 1);
    json_t *t1 = find(all, "shop.tag", 1);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(t1, "related"), 0)), 2);
    assert_string_equal(str(find(all, "contenttypes.contenttype", 3), "model"), "customer");
    json_decref(all);

    /* One file per model, same rows. */
    json_t *one = load(f, "fixtures/shop.customer.json");
    assert_int_equal(json_array_size(one), 2);
    json_decref(one);
    char *absent = pt_path_join(f->record.path, "fixtures/django_migrations.json");
    assert_int_equal(access(absent, F_OK), -1);
    free(absent);

    /* Every table counted, those left out of the fixtures too, with a warning for legacy. */
    json_t *report = load(f, "backup_report.json");
    assert_true(json_is_true(json_object_get(json_object_get(report, "source"), "django")));
    json_t *tables = json_object_get(report, "tables");
    assert_int_equal(json_array_size(tables), 7);
    /* The report names each file as stored, and how. */
    json_t *how = json_object_get(report, "compression");
    assert_string_equal(json_string_value(json_object_get(how, "fixtures")),
                        f->compressed ? "gzip" : "none");
    assert_string_equal(json_string_value(json_object_get(how, "snapshot")),
                        f->compressed ? "zstd" : "none");
    assert_string_equal(json_string_value(json_object_get(report, "snapshot")),
                        f->compressed ? "database.sqlite3.zst" : "database.sqlite3");
    assert_string_equal(json_string_value(json_object_get(report, "complete_fixture")),
                        f->compressed ? "complete_database.json.gz" : "complete_database.json");
    size_t k;
    json_t *t;
    json_array_foreach(tables, k, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "name")), "shop_customer") == 0)
            assert_string_equal(json_string_value(json_object_get(t, "fixture")),
                                f->compressed ? "fixtures/shop.customer.json.gz"
                                              : "fixtures/shop.customer.json");
    }
    json_t *warnings = json_object_get(report, "warnings");
    assert_int_equal(json_array_size(warnings), 1);
    assert_non_null(strstr(json_string_value(json_array_get(warnings, 0)), "legacy_stuff"));
    json_decref(report);
}

static void test_naive_datetimes_when_asked(void **state)
{
    struct fixture *f = *state;
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open(&c, &f->project, PT_CATALOG_WRITE, NULL), PT_OK);
    assert_int_equal(pt_settings_set(c, PT_KEY_FIXTURES_DATETIME_UTC, "false", NULL), PT_OK);
    pt_catalog_close(c);
    create(f);
    json_t *all = load(f, "fixtures/shop.customer.json");
    assert_string_equal(str(find(all, "shop.customer", 1), "joined"), "2026-11-26T08:30:00.123456");
    json_decref(all);
}

static void test_plain_sqlite(void **state)
{
    struct fixture *f = *state;
    free(f->project.database);
    f->project.database = pt_path_join(f->dir, "plain.sqlite3");
    pt_test_sql(
        f->project.database,
        "CREATE TABLE item (id INTEGER PRIMARY KEY, title TEXT, price REAL, data BLOB);"
        "INSERT INTO item VALUES (5, 'x', 2.5, x'ff'), (3, 'bad' || x'ff' || 'utf', NULL, NULL);"
        "CREATE TABLE loose (a, b);"
        "INSERT INTO loose VALUES ('first', 1), ('second', 2);"
        "CREATE TABLE pair (k TEXT, n INTEGER, v, PRIMARY KEY (n, k)) WITHOUT ROWID;"
        "INSERT INTO pair VALUES ('a', 1, 'one');"
        "CREATE TABLE \"odd/name\" (x);"
        "INSERT INTO \"odd/name\" VALUES (1);");
    create(f);
    json_t *all = load(f, "complete_database.json");
    assert_int_equal(json_array_size(all), 6);
    json_t *items = load(f, "fixtures/item.json");
    assert_int_equal(json_array_size(items), 2);
    /* Ordered by primary key. */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "pk")), 3);
    json_t *bad = json_object_get(json_array_get(items, 0), "fields");
    assert_string_equal(str(bad, "title"), "bad\xef\xbf\xbdutf");
    json_t *good = json_object_get(json_array_get(items, 1), "fields");
    assert_string_equal(str(good, "data"), "/w==");
    assert_null(json_object_get(good, "id"));
    json_decref(items);
    json_t *loose = load(f, "fixtures/loose.json");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(loose, 1), "pk")), 2);
    assert_string_equal(str(json_object_get(json_array_get(loose, 1), "fields"), "a"), "second");
    json_decref(loose);
    json_t *pair = load(f, "fixtures/pair.json");
    json_t *pk = json_object_get(json_array_get(pair, 0), "pk");
    assert_true(json_is_array(pk));
    assert_int_equal(json_integer_value(json_array_get(pk, 0)), 1);
    assert_string_equal(json_string_value(json_array_get(pk, 1)), "a");
    json_decref(pair);
    json_t *odd = load(f, "fixtures/odd_name.json");
    assert_int_equal(json_array_size(odd), 1);
    json_decref(odd);
    json_decref(all);
    json_t *report = load(f, "backup_report.json");
    assert_true(json_is_false(json_object_get(json_object_get(report, "source"), "django")));
    assert_int_equal(json_array_size(json_object_get(report, "warnings")), 1);
    json_decref(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_django_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_naive_datetimes_when_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_django_format, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_plain_sqlite, setup_plain, teardown),
    };
    return cmocka_run_group_tests_name("fixtures", tests, NULL, NULL);
}
