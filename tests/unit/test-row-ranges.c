// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The row ranges of a table read from the snapshot's pages
 * (engine/table-digest.h, engine/row-range.h): they must be the rows SQL
 * gives, cut where pt_row_range_ends says; a range's key changes when one
 * of its rows does (in the page, or in an overflow page) and no other's
 * does; pages not as SQLite writes them give no ranges and no digest.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/fsutil.h"
#include "engine/row-range.h"
#include "engine/schema.h"
#include "engine/table-digest.h"
#include "helpers.h"

#define ROWS 6000

struct digested {
    struct pt_schema schema;
    char (*digests)[PT_SHA256_HEX];
    struct pt_row_ranges *ranges;
};

static void digest(const char *path, struct digested *out)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    struct pt_error err = {0};
    assert_int_equal(pt_schema_read(db, &out->schema, &err), PT_OK);
    out->digests = pt_xcalloc(out->schema.n_tables + 1, sizeof(*out->digests));
    out->ranges = pt_xcalloc(out->schema.n_tables + 1, sizeof(*out->ranges));
    struct pt_fixture_options opts = {
        .datetime_utc = true, .compression = PT_COMPRESSION_GZIP, .gzip_level = 1};
    assert_int_equal(
        pt_table_digests(db, path, &out->schema, &opts, out->digests, out->ranges, &err), PT_OK);
    sqlite3_close(db);
}

static void digested_free(struct digested *d)
{
    for (size_t i = 0; i < d->schema.n_tables; i++)
        pt_row_ranges_free(&d->ranges[i]);
    free(d->ranges);
    free(d->digests);
    pt_schema_free(&d->schema);
}

static size_t table_index(const struct digested *d, const char *name)
{
    for (size_t i = 0; i < d->schema.n_tables; i++)
        if (strcmp(d->schema.tables[i].name, name) == 0)
            return i;
    fail_msg("no table %s", name);
    return 0;
}

/* The ranges SQL says the table holds: its rowids in order, cut by the rule. */
static void expect_sql_ranges(const char *path, const char *table, const struct pt_row_ranges *rs)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *sql = pt_xasprintf("SELECT rowid FROM \"%s\" ORDER BY rowid", table);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    size_t at = 0;
    int64_t rows = 0, first = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t rowid = sqlite3_column_int64(st, 0);
        if (rows++ == 0)
            first = rowid;
        if (pt_row_range_ends(rowid)) {
            assert_true(at < rs->n);
            assert_int_equal(rs->r[at].rows, rows);
            assert_int_equal(rs->r[at].first, first);
            assert_int_equal(rs->r[at].last, rowid);
            at++;
            rows = 0;
        }
    }
    if (rows > 0) {
        assert_true(at < rs->n);
        assert_int_equal(rs->r[at].rows, rows);
        assert_int_equal(rs->r[at].first, first);
        at++;
    }
    assert_int_equal(at, rs->n);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(sql);
}

/*
 * Small pages (1024 bytes) so that the table has interior pages over
 * several levels and many rows spill into overflow chains; rowids with
 * gaps and below zero; a table keyed by its rowid alone, one by a text key
 * (WITHOUT ROWID: no ranges), one that has a plain INTEGER PRIMARY KEY
 * without AUTOINCREMENT (no ranges: its order is not proven to be the
 * rowid's) and one with a column named oid (no ranges).
 */
static char *make_db(const char *dir)
{
    char *path = pt_path_join(dir, "snap.sqlite3");
    pt_test_sql(path, "PRAGMA page_size = 1024;"
                      "CREATE TABLE t (id integer NOT NULL PRIMARY KEY AUTOINCREMENT,"
                      " body text NOT NULL, n integer);"
                      "CREATE TABLE plain (a, b);"
                      "CREATE TABLE keyed (k text PRIMARY KEY, v) WITHOUT ROWID;"
                      "CREATE TABLE other (id INTEGER PRIMARY KEY, v);"
                      "CREATE TABLE shadowed (oid, v);");
    pt_test_sql(path,
                "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 6000)"
                " INSERT INTO t (id, body, n) SELECT i * 3 + (i % 7),"
                " CASE WHEN i % 53 = 0 THEN printf('%.*c', 3000 + i % 5000, 'x') || 'آخر'"
                " ELSE 'ردیف ' || i END, i FROM c;"
                "WITH RECURSIVE c(i) AS (SELECT -50 UNION ALL SELECT i + 1 FROM c WHERE i < 2500)"
                " INSERT INTO plain (rowid, a, b) SELECT i, i * 2, printf('%d', i) FROM c;"
                "INSERT INTO keyed VALUES ('a', 1), ('b', 2);"
                "INSERT INTO other VALUES (1, 'x'), (2, 'y');"
                "INSERT INTO shadowed VALUES (1, 'x'), (2, 'y');");
    return path;
}

static void test_ranges_are_the_rows(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    char *path = make_db(dir);
    struct digested d = {0};
    digest(path, &d);
    const struct pt_row_ranges *t = &d.ranges[table_index(&d, "t")];
    assert_true(t->n >= 3);
    expect_sql_ranges(path, "t", t);
    expect_sql_ranges(path, "plain", &d.ranges[table_index(&d, "plain")]);
    assert_int_equal(d.ranges[table_index(&d, "keyed")].n, 0);
    assert_int_equal(d.ranges[table_index(&d, "other")].n, 0);
    /* A column named oid hides the rowid from SQL: no ranges. */
    assert_int_equal(d.ranges[table_index(&d, "shadowed")].n, 0);
    for (size_t i = 0; i < t->n; i++) {
        assert_int_equal(strlen(t->r[i].key), PT_SHA256_HEX - 1);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(t->r[i].key, t->r[j].key);
    }
    /* Every table has its digest. */
    for (size_t i = 0; i < d.schema.n_tables; i++)
        assert_int_equal(strlen(d.digests[i]), PT_SHA256_HEX - 1);
    digested_free(&d);
    pt_test_rmtree(dir);
    free(path);
    free(dir);
}

/* The range that holds rowid, by index. */
static size_t range_of(const struct pt_row_ranges *rs, int64_t rowid)
{
    for (size_t i = 0; i < rs->n; i++)
        if (rowid >= rs->r[i].first && rowid <= rs->r[i].last)
            return i;
    fail_msg("no range holds %lld", (long long)rowid);
    return 0;
}

/* After sql, only the range holding rowid has another key; the table's digest changed. */
static void expect_one_changed(const char *path, const char *sql, int64_t rowid)
{
    struct digested before = {0}, after = {0};
    digest(path, &before);
    pt_test_sql(path, sql);
    digest(path, &after);
    size_t ti = table_index(&before, "t");
    const struct pt_row_ranges *a = &before.ranges[ti], *b = &after.ranges[ti];
    assert_int_equal(a->n, b->n);
    size_t changed = range_of(a, rowid);
    for (size_t i = 0; i < a->n; i++) {
        if (i == changed)
            assert_string_not_equal(a->r[i].key, b->r[i].key);
        else
            assert_string_equal(a->r[i].key, b->r[i].key);
    }
    assert_string_not_equal(before.digests[ti], after.digests[ti]);
    /* The other tables did not change. */
    size_t pi = table_index(&before, "plain");
    assert_string_equal(before.digests[pi], after.digests[pi]);
    digested_free(&before);
    digested_free(&after);
}

static void test_keys_follow_the_rows(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    char *path = make_db(dir);
    /* A row's column in its leaf page, kept the same length. */
    expect_one_changed(path, "UPDATE t SET n = n + 1 WHERE n = 3000", 3000 * 3 + 3000 % 7);
    /* The last byte of a row whose text runs into overflow pages (i = 53 * 40). */
    int64_t big = 53 * 40 * 3 + (53 * 40) % 7;
    char *sql =
        pt_xasprintf("UPDATE t SET body = substr(body, 1, length(body) - 1) || 'ز' WHERE id = %lld",
                     (long long)big);
    expect_one_changed(path, sql, big);
    free(sql);
    /* The same content in other pages (VACUUM moves every page): the same keys and digest. */
    struct digested before = {0}, after = {0};
    digest(path, &before);
    pt_test_sql(path, "VACUUM");
    digest(path, &after);
    size_t ti = table_index(&before, "t");
    assert_int_equal(before.ranges[ti].n, after.ranges[ti].n);
    for (size_t i = 0; i < before.ranges[ti].n; i++)
        assert_string_equal(before.ranges[ti].r[i].key, after.ranges[ti].r[i].key);
    assert_string_equal(before.digests[ti], after.digests[ti]);
    digested_free(&before);
    digested_free(&after);
    pt_test_rmtree(dir);
    free(path);
    free(dir);
}

/* A leaf of t whose page type byte is not a table leaf's: no ranges and no digest for t. */
static void test_damaged_page(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    char *path = make_db(dir);
    int64_t page = pt_test_sql_int(
        path, "SELECT pageno FROM dbstat WHERE name = 't' AND pagetype = 'leaf' LIMIT 1 OFFSET 20");
    assert_true(page > 1);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    unsigned char type = 0x0a; /* an index leaf's */
    assert_int_equal(pwrite(fd, &type, 1, (off_t)((page - 1) * 1024)), 1);
    close(fd);
    struct digested d = {0};
    digest(path, &d);
    size_t ti = table_index(&d, "t");
    assert_int_equal(d.ranges[ti].n, 0);
    assert_string_equal(d.digests[ti], "");
    expect_sql_ranges(path, "plain", &d.ranges[table_index(&d, "plain")]);
    digested_free(&d);
    pt_test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges_are_the_rows),
        cmocka_unit_test(test_keys_follow_the_rows),
        cmocka_unit_test(test_damaged_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
