// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The restore plan compares rows by primary key (issue 21): what it counts
 * as added, removed and changed, on a real backup of a real SQLite file.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/backup.h"
#include "poshtiban/present.h"
#include "poshtiban/restore.h"
#include "poshtiban/session.h"

#include "base/fsutil.h"
#include "helpers.h"

struct fixture {
    char *dir, *db;
    struct pt_project project;
    char *backup; /* the name of the backup taken before the edits */
};

static int setup(void **state)
{
    struct fixture *f = pt_xcalloc(1, sizeof(*f));
    f->dir = pt_test_tmpdir();
    f->db = pt_path_join(f->dir, "db.sqlite3");
    pt_test_sql(
        f->db,
        /* A rowid key, a text column whose collation ignores case. */
        "CREATE TABLE product (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE,"
        " price REAL, photo BLOB);"
        "INSERT INTO product VALUES (1, 'chair', 10, NULL), (2, 'table', 20, x'00ff'),"
        " (3, 'lamp', NULL, NULL), (4, 'rug', 5, 'abc');"
        /* WITHOUT ROWID, a composite key declared out of column order. */
        "CREATE TABLE stock (qty INTEGER, shop TEXT, sku TEXT,"
        " PRIMARY KEY (sku, shop)) WITHOUT ROWID;"
        "INSERT INTO stock VALUES (3, 'north', 'a1'), (4, 'north', 'b2'), (5, 'south', 'a1');"
        /* A text key that may hold NULL (SQLite allows it outside WITHOUT ROWID). */
        "CREATE TABLE code (k TEXT PRIMARY KEY, v TEXT);"
        "INSERT INTO code VALUES (NULL, 'n'), ('x', 'y');"
        /* No key at all; a name that needs quoting; a key only one side keeps. */
        "CREATE TABLE log (at TEXT, what TEXT);"
        "INSERT INTO log VALUES ('a', 'b');"
        "CREATE TABLE \"odd \"\"name\" (\"the key\" INTEGER PRIMARY KEY, v);"
        "INSERT INTO \"odd \"\"name\" VALUES (1, 'one');"
        "CREATE TABLE rekeyed (a INTEGER PRIMARY KEY, b TEXT);"
        "INSERT INTO rekeyed VALUES (1, 'x');"
        "CREATE TABLE retyped (k TEXT PRIMARY KEY, v TEXT);"
        "INSERT INTO retyped VALUES ('1', 'a'), ('01', 'b');"
        "CREATE TABLE gone (id INTEGER PRIMARY KEY);"
        "CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT,"
        " applied TEXT);"
        "INSERT INTO django_migrations (app, name, applied) VALUES"
        " ('shop', '0001_initial', 'then'), ('shop', '0002_price', 'then');");
    /* More columns than SQLite's expression depth (1000) allows in a chain of ORs. */
    char *wide = pt_xstrdup("CREATE TABLE wide (id INTEGER PRIMARY KEY");
    for (int i = 0; i < 1100; i++) {
        char *next = pt_xasprintf("%s, c%d", wide, i);
        free(wide);
        wide = next;
    }
    char *sql = pt_xasprintf("%s); INSERT INTO wide (id) VALUES (1), (2);", wide);
    pt_test_sql(f->db, sql);
    free(sql);
    free(wide);
    pt_test_project(&f->project, f->dir);
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = 0};
    struct pt_record r = {0};
    struct pt_error err = {0};
    if (pt_test_create(&f->project, &opts, NULL, &r, &err) != PT_OK)
        fail_msg("create: %s", err.message);
    f->backup = pt_xstrdup(r.name);
    pt_record_free(&r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pt_project_free(&f->project);
    pt_test_rmtree(f->dir);
    free(f->backup);
    free(f->db);
    free(f->dir);
    free(f);
    return 0;
}

static const struct pt_restore_table *table(const struct pt_restore_plan *plan, const char *name)
{
    for (size_t i = 0; i < plan->n_tables; i++)
        if (strcmp(plan->tables[i].name, name) == 0)
            return &plan->tables[i];
    fail_msg("the plan has no table %s", name);
    return NULL;
}

static void plan_of(struct fixture *f, struct pt_restore_plan *plan)
{
    struct pt_restore_options opts = {.database_only = true};
    struct pt_error err = {0};
    if (pt_test_restore_plan(&f->project, f->backup, &opts, plan, &err) != PT_OK)
        fail_msg("plan: %s", err.message);
}

/* added, removed, changed of a table compared by key. */
static void expect_rows(const struct pt_restore_plan *plan, const char *name, int64_t added,
                        int64_t removed, int64_t changed)
{
    const struct pt_restore_table *t = table(plan, name);
    assert_int_equal(t->rows, PT_ROWS_COMPARED);
    if (t->added != added || t->removed != removed || t->changed != changed)
        fail_msg("%s: added %lld removed %lld changed %lld, want %lld %lld %lld", name,
                 (long long)t->added, (long long)t->removed, (long long)t->changed,
                 (long long)added, (long long)removed, (long long)changed);
}

/* Nothing changed since the backup: every table with a key compares equal. */
static void test_unchanged(void **state)
{
    struct fixture *f = *state;
    struct pt_restore_plan plan;
    plan_of(f, &plan);
    expect_rows(&plan, "product", 0, 0, 0);
    expect_rows(&plan, "stock", 0, 0, 0);
    expect_rows(&plan, "odd \"name", 0, 0, 0);
    expect_rows(&plan, "wide", 0, 0, 0);
    /* The NULL key matches nothing: its row is removed and added back, as the restore does. */
    expect_rows(&plan, "code", 1, 1, 0);
    assert_int_equal(table(&plan, "log")->rows, PT_ROWS_NO_KEY);
    assert_false(plan.migrations_differ);
    assert_int_equal(plan.n_migrations_backup + plan.n_migrations_now, 0);
    pt_restore_plan_free(&plan);
}

static void test_edits(void **state)
{
    struct fixture *f = *state;
    pt_test_sql(f->db,
                /* Case only (NOCASE would call it equal), NULL to a value, blob to text. */
                "UPDATE product SET name = 'Chair' WHERE id = 1;"
                "UPDATE product SET price = 1 WHERE id = 3;"
                "UPDATE product SET photo = CAST(photo AS TEXT) WHERE id = 2;"
                "UPDATE product SET price = 5.0 WHERE id = 4;" /* the same value */
                "DELETE FROM stock WHERE shop = 'north' AND sku = 'b2';"
                "INSERT INTO stock VALUES (1, 'south', 'b2');"
                "UPDATE stock SET qty = 9 WHERE shop = 'south' AND sku = 'a1';"
                "INSERT INTO stock VALUES (7, 'north', 'c3');"
                "UPDATE \"odd \"\"name\" SET v = 'uno';"
                "UPDATE wide SET c1099 = 'last' WHERE id = 2;"
                "DELETE FROM log;"
                "DROP TABLE rekeyed;"
                "CREATE TABLE rekeyed (a INTEGER, b TEXT PRIMARY KEY);"
                /* The same key by name, another type: '1' and '01' would both match 1. */
                "DROP TABLE retyped;"
                "CREATE TABLE retyped (k INTEGER PRIMARY KEY, v TEXT);"
                "INSERT INTO retyped VALUES (1, 'a');"
                "DROP TABLE gone;"
                "CREATE TABLE newer (id INTEGER PRIMARY KEY);"
                "DELETE FROM django_migrations WHERE name = '0002_price';"
                "INSERT INTO django_migrations (app, name, applied) VALUES"
                " ('shop', '0003_stock', 'now'), ('blog', '0001_initial', 'now');");
    struct pt_restore_plan plan;
    plan_of(f, &plan);
    expect_rows(&plan, "product", 0, 0, 3);
    /* b2 of north is added back; b2 and c3 of south and north are removed; a1 of south changes. */
    expect_rows(&plan, "stock", 1, 2, 1);
    expect_rows(&plan, "odd \"name", 0, 0, 1);
    expect_rows(&plan, "wide", 0, 0, 1);
    const struct pt_restore_table *log = table(&plan, "log");
    assert_int_equal(log->rows, PT_ROWS_NO_KEY);
    assert_int_equal(log->now, 0);
    assert_int_equal(log->after, 1);
    assert_int_equal(table(&plan, "rekeyed")->rows, PT_ROWS_KEY_DIFFERS);
    assert_int_equal(table(&plan, "retyped")->rows, PT_ROWS_KEY_DIFFERS);
    assert_int_equal(table(&plan, "gone")->rows, PT_ROWS_ONLY_BACKUP);
    assert_int_equal(table(&plan, "newer")->rows, PT_ROWS_ONLY_NOW);
    assert_true(plan.migrations_differ);
    assert_int_equal(plan.n_migrations_backup, 1);
    assert_string_equal(plan.migrations_backup[0], "shop.0002_price");
    assert_int_equal(plan.n_migrations_now, 2);
    assert_string_equal(plan.migrations_now[0], "blog.0001_initial");
    assert_string_equal(plan.migrations_now[1], "shop.0003_stock");

    json_t *doc = pt_present_restore_plan_json(&plan);
    json_t *tables = json_object_get(doc, "tables");
    size_t i;
    json_t *t;
    bool seen = false;
    json_array_foreach(tables, i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "name")), "stock") == 0) {
            seen = true;
            assert_string_equal(json_string_value(json_object_get(t, "rows")), "compared");
            assert_int_equal(json_integer_value(json_object_get(t, "added")), 1);
            assert_int_equal(json_integer_value(json_object_get(t, "removed")), 2);
            assert_int_equal(json_integer_value(json_object_get(t, "changed")), 1);
        }
        if (strcmp(json_string_value(json_object_get(t, "name")), "log") == 0)
            assert_true(json_is_null(json_object_get(t, "added")));
    }
    assert_true(seen);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(doc, "migrations"), "only_now"), 0)),
                        "blog.0001_initial");
    json_decref(doc);
    pt_restore_plan_free(&plan);
}

/* No database where the restore goes: nothing to compare, nothing claimed. */
static void test_no_target(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(unlink(f->db), 0);
    struct pt_restore_plan plan;
    plan_of(f, &plan);
    for (size_t i = 0; i < plan.n_tables; i++) {
        assert_int_equal(plan.tables[i].rows, PT_ROWS_NOT_COMPARED);
        assert_int_equal(plan.tables[i].now, -1);
    }
    assert_false(plan.migrations_differ);
    pt_restore_plan_free(&plan);
}

static bool holds(char *const *list, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], want) == 0)
            return true;
    return false;
}

/*
 * Media compared by checksum, from an archive (zip): what the restore adds
 * back, changes and removes, each a path under the media folder.
 */
static void test_media(void **state)
{
    struct fixture *f = *state;
    static const char *const files[] = {"media/a.txt", "media/b.txt", "media/sub/c.txt"};
    char *sub = pt_path_join(f->dir, "media/sub");
    assert_int_equal(pt_mkdir_p(sub, 0755), 0);
    free(sub);
    for (size_t i = 0; i < 3; i++) {
        char *path = pt_path_join(f->dir, files[i]);
        pt_test_write_file(path, files[i]);
        free(path);
    }
    /* The project found its media folder when it was resolved: again, now that there is one. */
    pt_project_free(&f->project);
    pt_test_project(&f->project, f->dir);
    struct pt_create_options copts = {
        .name = "with_media", .kind = PT_KIND_MANUAL, .include_media = 1, .format = "zip"};
    struct pt_record r = {0};
    struct pt_error err = {0};
    if (pt_test_create(&f->project, &copts, NULL, &r, &err) != PT_OK)
        fail_msg("create: %s", err.message);
    pt_record_free(&r);
    char *a = pt_path_join(f->dir, "media/a.txt"), *b = pt_path_join(f->dir, "media/b.txt");
    char *added = pt_path_join(f->dir, "media/sub/new.txt");
    pt_test_write_file(a, "edited");
    assert_int_equal(unlink(b), 0);
    pt_test_write_file(added, "new");
    free(a);
    free(b);
    free(added);
    struct pt_restore_options opts = {0};
    struct pt_restore_plan plan;
    if (pt_test_restore_plan(&f->project, "with_media", &opts, &plan, &err) != PT_OK)
        fail_msg("plan: %s", err.message);
    assert_non_null(plan.database_target);
    assert_non_null(plan.media_target);
    assert_int_equal(plan.n_add, 1);
    assert_true(holds(plan.add, plan.n_add, "b.txt"));
    assert_int_equal(plan.n_change, 1);
    assert_true(holds(plan.change, plan.n_change, "a.txt"));
    assert_int_equal(plan.n_remove, 1);
    assert_true(holds(plan.remove, plan.n_remove, "sub/new.txt"));
    /* The tables are compared as well, from the same archive. */
    expect_rows(&plan, "product", 0, 0, 0);
    pt_restore_plan_free(&plan);

    /* Media only: the database is left out of the plan. */
    opts.media_only = true;
    if (pt_test_restore_plan(&f->project, "with_media", &opts, &plan, &err) != PT_OK)
        fail_msg("plan: %s", err.message);
    assert_null(plan.database_target);
    assert_int_equal(plan.n_tables, 0);
    assert_int_equal(plan.n_change, 1);
    pt_restore_plan_free(&plan);
}

/* No such backup: an error naming it, and no plan to free. */
static void test_unknown_backup(void **state)
{
    struct fixture *f = *state;
    struct pt_restore_options opts = {0};
    struct pt_restore_plan plan;
    struct pt_error err = {0};
    assert_int_not_equal(pt_test_restore_plan(&f->project, "no_such_backup", &opts, &plan, &err),
                         PT_OK);
    assert_non_null(err.message);
    assert_non_null(strstr(err.message, "no_such_backup"));
    pt_error_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_media, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_backup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
