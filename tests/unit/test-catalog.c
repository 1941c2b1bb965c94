// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/catalog.h"

#include "base/fsutil.h"
#include "helpers.h"
#include "store/catalog-totals.h"

static void make_record(struct pt_record *r, const char *name, const char *created,
                        enum pt_state state, enum pt_kind kind)
{
    memset(r, 0, sizeof(*r));
    r->name = pt_xstrdup(name);
    r->kind = kind;
    r->status = state;
    r->format = pt_xstrdup("dir");
    r->path = pt_xasprintf("/backups/%s", name);
    r->created_at = pt_xstrdup(created);
    r->verify_ok = -1;
}

static void insert(struct pt_catalog *c, const char *name, const char *created, enum pt_state state,
                   enum pt_kind kind)
{
    struct pt_record r;
    make_record(&r, name, created, state, kind);
    assert_int_equal(pt_catalog_insert(c, &r, NULL), PT_OK);
    pt_record_free(&r);
}

static void test_insert_get_update(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    char *path = pt_path_join(dir, "catalog.sqlite3");
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open_path(&c, path, NULL), PT_OK);
    assert_int_equal(pt_catalog_version(c), PT_CATALOG_VERSION);

    struct pt_record r;
    make_record(&r, "backup_20260101_000000", "2026-01-01T00:00:00Z", PT_STATE_RUNNING,
                PT_KIND_AUTO);
    r.pid = 4242;
    assert_int_equal(pt_catalog_insert(c, &r, NULL), PT_OK);
    assert_true(r.id > 0);
    r.status = PT_STATE_COMPLETED;
    r.size_bytes = 12345;
    r.pinned = true;
    r.verify_ok = 1;
    r.verified_at = pt_xstrdup("2026-01-02T00:00:00Z");
    r.message = pt_xstrdup("done");
    pt_record_add_table(&r, "app_thing", 7);
    pt_record_add_table(&r, "auth_user", 2);
    assert_int_equal(pt_catalog_update(c, &r, NULL), PT_OK);

    struct pt_record got;
    assert_int_equal(pt_catalog_get(c, "backup_20260101_000000", &got, NULL), PT_OK);
    assert_int_equal(got.id, r.id);
    assert_int_equal(got.status, PT_STATE_COMPLETED);
    assert_int_equal(got.kind, PT_KIND_AUTO);
    assert_int_equal(got.size_bytes, 12345);
    assert_true(got.pinned);
    assert_int_equal(got.verify_ok, 1);
    assert_int_equal(got.pid, 4242);
    assert_string_equal(got.message, "done");
    assert_null(got.message_code);
    /* No code: the stored text as it is (a record from before codes). */
    char *text = pt_record_message(&got);
    assert_string_equal(text, "done");
    free(text);
    /* A code and its figures, told in the current language, notes after them. */
    pt_record_set_message(&r, PT_MESSAGE_COMPLETED, "2 1234");
    r.message = pt_xstrdup("mail not sent: refused");
    assert_int_equal(pt_catalog_update(c, &r, NULL), PT_OK);
    pt_record_free(&got);
    assert_int_equal(pt_catalog_get(c, "backup_20260101_000000", &got, NULL), PT_OK);
    assert_string_equal(got.message_code, PT_MESSAGE_COMPLETED);
    assert_string_equal(got.message_args, "2 1234");
    text = pt_record_message(&got);
    assert_string_equal(text, "backup completed: 2 tables, 1234 rows; mail not sent: refused");
    free(text);
    pt_record_set_message(&got, PT_MESSAGE_COMPLETED, "1 1");
    text = pt_record_message(&got);
    assert_string_equal(text, "backup completed: 1 table, 1 row");
    free(text);
    assert_null(got.error);
    assert_int_equal(got.n_tables, 2);
    assert_string_equal(got.tables[0].name, "app_thing");
    assert_int_equal(got.tables[0].rows, 7);
    pt_record_free(&got);

    char id[32];
    snprintf(id, sizeof(id), "%lld", (long long)r.id);
    assert_int_equal(pt_catalog_get(c, id, &got, NULL), PT_OK);
    assert_string_equal(got.name, "backup_20260101_000000");
    pt_record_free(&got);

    struct pt_error err = {0};
    assert_int_equal(pt_catalog_get(c, "nope", &got, &err), PT_ENOTFOUND);
    assert_non_null(strstr(err.message, "nope"));
    pt_error_clear(&err);

    /* Names are unique. */
    struct pt_record dup;
    make_record(&dup, "backup_20260101_000000", "2026-01-01T00:00:00Z", PT_STATE_RUNNING,
                PT_KIND_MANUAL);
    assert_int_equal(pt_catalog_insert(c, &dup, &err), PT_EINVAL);
    pt_error_clear(&err);
    pt_record_free(&dup);
    assert_true(pt_catalog_name_taken(c, "backup_20260101_000000"));
    assert_false(pt_catalog_name_taken(c, "other"));

    pt_record_free(&r);
    pt_catalog_close(c);
    pt_test_rmtree(dir);
    free(path);
    free(dir);
}

static void test_list_filters_and_paging(void **state)
{
    (void)state;
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open_path(&c, ":memory:", NULL), PT_OK);
    insert(c, "a", "2026-01-01T00:00:00Z", PT_STATE_COMPLETED, PT_KIND_MANUAL);
    insert(c, "b", "2026-01-03T00:00:00Z", PT_STATE_FAILED, PT_KIND_AUTO);
    insert(c, "c", "2026-01-02T00:00:00Z", PT_STATE_COMPLETED, PT_KIND_AUTO);
    insert(c, "dd", "2026-01-04T00:00:00Z", PT_STATE_COMPLETED, PT_KIND_SCHEDULED);

    struct pt_record *rs;
    size_t n;
    int64_t total;
    assert_int_equal(pt_catalog_list(c, NULL, &rs, &n, &total, NULL), PT_OK);
    assert_int_equal(n, 4);
    assert_int_equal(total, 4);
    /* Newest first. */
    assert_string_equal(rs[0].name, "dd");
    assert_string_equal(rs[1].name, "b");
    assert_string_equal(rs[2].name, "c");
    assert_string_equal(rs[3].name, "a");
    pt_record_list_free(rs, n);

    struct pt_catalog_filter f = {.has_status = true, .status = PT_STATE_COMPLETED};
    assert_int_equal(pt_catalog_list(c, &f, &rs, &n, &total, NULL), PT_OK);
    assert_int_equal(total, 3);
    assert_int_equal(n, 3);
    pt_record_list_free(rs, n);

    f = (struct pt_catalog_filter){.has_kind = true, .kind = PT_KIND_AUTO};
    assert_int_equal(pt_catalog_list(c, &f, &rs, &n, &total, NULL), PT_OK);
    assert_int_equal(total, 2);
    assert_string_equal(rs[0].name, "b");
    pt_record_list_free(rs, n);

    f = (struct pt_catalog_filter){.limit = 2, .offset = 1};
    assert_int_equal(pt_catalog_list(c, &f, &rs, &n, &total, NULL), PT_OK);
    assert_int_equal(total, 4);
    assert_int_equal(n, 2);
    assert_string_equal(rs[0].name, "b");
    assert_string_equal(rs[1].name, "c");
    pt_record_list_free(rs, n);

    f = (struct pt_catalog_filter){.name_contains = "d"};
    assert_int_equal(pt_catalog_list(c, &f, &rs, &n, &total, NULL), PT_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rs[0].name, "dd");
    pt_record_list_free(rs, n);
    pt_catalog_close(c);
}

/* A catalog written by version 1 of the schema, with a record in it. */
static const char *const v1_schema =
    "CREATE TABLE backups (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL, status TEXT NOT NULL, format TEXT NOT NULL DEFAULT 'dir',"
    " path TEXT NOT NULL, created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,"
    " duration_ms INTEGER NOT NULL DEFAULT 0, size_bytes INTEGER NOT NULL DEFAULT 0,"
    " include_media INTEGER NOT NULL DEFAULT 1, message TEXT, error TEXT, verified_at TEXT,"
    " verify_ok INTEGER, pinned INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE backup_tables (backup_id INTEGER NOT NULL REFERENCES backups(id) ON DELETE "
    "CASCADE, name TEXT NOT NULL, rows INTEGER NOT NULL, PRIMARY KEY (backup_id, name));"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO backups (name, kind, status, path, created_at, size_bytes)"
    " VALUES ('old', 'manual', 'completed', '/x/old', '2025-01-01T00:00:00Z', 99);"
    "INSERT INTO backup_tables VALUES (1, 't', 3);"
    "INSERT INTO settings VALUES ('retention.max_backups', '4');"
    "PRAGMA user_version = 1;";

static void test_migrates_forward(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    char *path = pt_path_join(dir, "catalog.sqlite3");
    pt_test_sql(path, v1_schema);
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open_path(&c, path, NULL), PT_OK);
    assert_int_equal(pt_catalog_version(c), PT_CATALOG_VERSION);
    struct pt_record r;
    assert_int_equal(pt_catalog_get(c, "old", &r, NULL), PT_OK);
    assert_int_equal(r.size_bytes, 99);
    assert_int_equal(r.n_tables, 1);
    assert_int_equal(r.pid, 0);
    pt_record_free(&r);
    char *v;
    assert_int_equal(pt_catalog_setting_get(c, "retention.max_backups", &v, NULL), PT_OK);
    assert_string_equal(v, "4");
    free(v);
    pt_catalog_close(c);
    assert_int_equal(pt_test_sql_int(path, "SELECT count(*) FROM pragma_table_info('backups')"
                                           " WHERE name = 'pid'"),
                     1);
    pt_test_rmtree(dir);
    free(path);
    free(dir);
}

/* An id names one backup for ever: deleting the newest does not free its id. */
static void test_ids_never_reused(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    char *path = pt_path_join(dir, "catalog.sqlite3");
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open_path(&c, path, NULL), PT_OK);
    insert(c, "a", "2026-01-01T00:00:00Z", PT_STATE_COMPLETED, PT_KIND_MANUAL);
    insert(c, "b", "2026-01-02T00:00:00Z", PT_STATE_COMPLETED, PT_KIND_MANUAL);
    struct pt_record r;
    assert_int_equal(pt_catalog_get(c, "b", &r, NULL), PT_OK);
    assert_int_equal(pt_catalog_delete(c, r.id, NULL), PT_OK);
    int64_t deleted = r.id;
    pt_record_free(&r);
    insert(c, "c", "2026-01-03T00:00:00Z", PT_STATE_COMPLETED, PT_KIND_MANUAL);
    assert_int_equal(pt_catalog_get(c, "c", &r, NULL), PT_OK);
    assert_true(r.id > deleted);
    pt_record_free(&r);
    pt_catalog_close(c);
    pt_test_rmtree(dir);
    free(path);
    free(dir);
}

static void test_refuses_newer_catalog(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    char *path = pt_path_join(dir, "catalog.sqlite3");
    pt_test_sql(path, "CREATE TABLE future (x); PRAGMA user_version = 99;");
    struct pt_catalog *c = NULL;
    struct pt_error err = {0};
    assert_int_equal(pt_catalog_open_path(&c, path, &err), PT_EFAIL);
    assert_non_null(strstr(err.message, "99"));
    pt_error_clear(&err);
    /* Left as it was. */
    assert_int_equal(pt_test_sql_int(path, "PRAGMA user_version"), 99);
    pt_test_rmtree(dir);
    free(path);
    free(dir);
}

static void test_read_mode_writes_nothing(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    struct pt_project p;
    pt_test_project(&p, dir);
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open(&c, &p, PT_CATALOG_READ, NULL), PT_OK);
    struct pt_record *rs;
    size_t n;
    int64_t total = -1;
    assert_int_equal(pt_catalog_list(c, NULL, &rs, &n, &total, NULL), PT_OK);
    assert_int_equal(total, 0);
    pt_record_list_free(rs, n);
    pt_catalog_close(c);
    assert_int_equal(access(p.backups, F_OK), -1);
    pt_project_free(&p);
    pt_test_rmtree(dir);
    free(dir);
}

/* Completed backups, by finish time; one failed push, one older copy. */
static void test_totals(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    char *path = pt_path_join(dir, "catalog.sqlite3");
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open_path(&c, path, NULL), PT_OK);
    struct pt_catalog_totals t;
    assert_int_equal(pt_catalog_totals(c, &t, NULL), PT_OK);
    assert_int_equal(t.total, 0);
    assert_null(t.newest.name);
    assert_null(t.offsite.newest_name);
    assert_int_equal(t.offsite.newest_at_ms, -1);
    pt_catalog_totals_free(&t);

    static const char *const names[] = {"old", "new", "broken"};
    static const enum pt_state states[] = {PT_STATE_COMPLETED, PT_STATE_COMPLETED, PT_STATE_FAILED};
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        struct pt_record r;
        make_record(&r, names[i], "2026-01-01T00:00:00Z", states[i], PT_KIND_MANUAL);
        r.finished_at = pt_xasprintf("2026-01-0%dT00:00:00Z", i + 1);
        r.size_bytes = 100 * (i + 1);
        r.duration_ms = 10 * (i + 1);
        assert_int_equal(pt_catalog_insert(c, &r, NULL), PT_OK);
        ids[i] = r.id;
        pt_record_free(&r);
    }
    /* Copies count in the repository offsite.repository names, once its id is known. */
    assert_int_equal(pt_catalog_setting_put(c, "offsite.repository", "/srv/repo", NULL), PT_OK);
    assert_int_equal(pt_catalog_offsite_learn(c, "/srv/repo", "feed", NULL), PT_OK);
    assert_int_equal(pt_catalog_set_offsite(c, ids[0], "abc", 5000, NULL, 1, NULL), PT_OK);
    assert_int_equal(pt_catalog_set_offsite(c, ids[1], NULL, 6000, "no route", 0, NULL), PT_OK);
    assert_int_equal(pt_catalog_totals(c, &t, NULL), PT_OK);
    assert_int_equal(t.total, 3);
    assert_int_equal(t.completed, 2);
    assert_int_equal(t.failed, 1);
    assert_int_equal(t.completed_bytes, 300);
    assert_int_equal(t.completed_duration_ms, 30);
    assert_string_equal(t.newest.name, "new");
    assert_string_equal(t.newest.finished_at, "2026-01-02T00:00:00Z");
    assert_false(t.newest.offsite);
    assert_string_equal(t.newest.offsite_error, "no route");
    assert_int_equal(t.offsite.copied, 1);
    assert_string_equal(t.offsite.newest_name, "old");
    assert_int_equal(t.offsite.newest_at_ms, 5000);
    pt_catalog_totals_free(&t);
    pt_catalog_close(c);
    pt_test_rmtree(dir);
    free(path);
    free(dir);
}

/* A version 6 catalog with an off-site copy whose repository nobody knows yet. */
static const char *const v6_offsite =
    "ALTER TABLE backups ADD COLUMN pid INTEGER;"
    "ALTER TABLE backups ADD COLUMN offsite_snapshot TEXT;"
    "ALTER TABLE backups ADD COLUMN offsite_at INTEGER;"
    "ALTER TABLE backups ADD COLUMN offsite_error TEXT;"
    "ALTER TABLE backups ADD COLUMN offsite_bytes INTEGER;"
    "ALTER TABLE backups ADD COLUMN message_code TEXT;"
    "ALTER TABLE backups ADD COLUMN message_args TEXT;"
    "UPDATE backups SET offsite_snapshot = 'snap-old', offsite_at = 5000, offsite_bytes = 7;"
    "INSERT INTO settings VALUES ('offsite.repository', '/srv/a');"
    "PRAGMA user_version = 6;";

static int64_t copied(struct pt_catalog *c)
{
    struct pt_catalog_totals t;
    assert_int_equal(pt_catalog_totals(c, &t, NULL), PT_OK);
    int64_t n = t.offsite.copied;
    pt_catalog_totals_free(&t);
    return n;
}

/* The snapshot of "old" as pt_catalog_get reads it (NULL: no copy), and when it was checked. */
static char *snapshot_of(struct pt_catalog *c, int64_t *checked)
{
    struct pt_record r;
    assert_int_equal(pt_catalog_get(c, "old", &r, NULL), PT_OK);
    char *s = r.offsite_snapshot ? pt_xstrdup(r.offsite_snapshot) : NULL;
    if (checked)
        *checked = r.offsite_checked_ms;
    pt_record_free(&r);
    return s;
}

/*
 * 6 -> 7: off-site state is tied to a repository. An old copy counts only
 * after a listing of the current repository finds it; another repository
 * string means no copy there until it is synced; the string is never kept
 * in clear; a sync clears what the repository no longer holds.
 */
static void test_offsite_tied_to_repository(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    char *path = pt_path_join(dir, "catalog.sqlite3");
    pt_test_sql(path, v1_schema);
    pt_test_sql(path, v6_offsite);
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open_path(&c, path, NULL), PT_OK);
    assert_int_equal(pt_catalog_version(c), 7);
    assert_int_equal(pt_test_sql_int(path, "SELECT count(*) FROM pragma_table_info('backups')"
                                           " WHERE name = 'offsite_repo'"),
                     1);
    int64_t checked;
    /* Migrated: kept, but not counted until the repository is listed. */
    assert_int_equal(pt_test_sql_int(path, "SELECT count(*) FROM backups"
                                           " WHERE offsite_snapshot = 'snap-old'"),
                     1);
    assert_null(snapshot_of(c, &checked));
    assert_true(checked <= 0);
    assert_int_equal(copied(c), 0);

    /* Learned and listed: it counts, with the time of the listing. */
    assert_int_equal(pt_catalog_offsite_learn(c, "/srv/a", "aaaa", NULL), PT_OK);
    assert_int_equal(copied(c), 0);
    struct pt_catalog_offsite_copy found[] = {{"old", "snap-a", 4000}, {"nobody", "x", 1}};
    assert_int_equal(pt_catalog_offsite_sync(c, "aaaa", found, 2, 9000, NULL), PT_OK);
    char *s = snapshot_of(c, &checked);
    assert_string_equal(s, "snap-a");
    free(s);
    assert_int_equal(checked, 9000);
    assert_int_equal(copied(c), 1);
    char *id;
    pt_catalog_offsite_current(c, &id, &checked);
    assert_string_equal(id, "aaaa");
    assert_int_equal(checked, 9000);
    free(id);
    assert_int_equal(pt_test_sql_int(path, "SELECT count(*) FROM offsite_repositories"
                                           " WHERE location LIKE '%srv%'"),
                     0);

    /* Another repository: nothing there, not even once its id is known. */
    assert_int_equal(pt_catalog_setting_put(c, "offsite.repository", "/srv/b", NULL), PT_OK);
    assert_null(snapshot_of(c, NULL));
    assert_int_equal(copied(c), 0);
    pt_catalog_offsite_current(c, &id, &checked);
    assert_null(id);
    assert_int_equal(checked, -1);
    assert_int_equal(pt_catalog_offsite_learn(c, "/srv/b", "bbbb", NULL), PT_OK);
    assert_int_equal(copied(c), 0);
    /* A push there notes its snapshot as one of b. */
    struct pt_record r;
    assert_int_equal(pt_catalog_get(c, "old", &r, NULL), PT_OK);
    assert_int_equal(pt_catalog_set_offsite(c, r.id, "snap-b", 9500, NULL, 3, NULL), PT_OK);
    pt_record_free(&r);
    assert_int_equal(copied(c), 1);

    /* Back to a: b's snapshot is none of a's. */
    assert_int_equal(pt_catalog_setting_put(c, "offsite.repository", "/srv/a", NULL), PT_OK);
    assert_int_equal(copied(c), 0);
    /* A listing of a that finds nothing: nothing counts, and it says when it looked. */
    assert_int_equal(pt_catalog_offsite_sync(c, "aaaa", NULL, 0, 9900, NULL), PT_OK);
    assert_null(snapshot_of(c, &checked));
    assert_int_equal(checked, 9900);
    assert_int_equal(pt_test_sql_int(path, "SELECT count(*) FROM backups"
                                           " WHERE offsite_snapshot IS NOT NULL"),
                     0);
    /* The time of the last push stays. */
    assert_int_equal(pt_test_sql_int(path, "SELECT offsite_at FROM backups WHERE name = 'old'"),
                     9500);
    pt_catalog_close(c);
    pt_test_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_get_update),
        cmocka_unit_test(test_list_filters_and_paging),
        cmocka_unit_test(test_migrates_forward),
        cmocka_unit_test(test_ids_never_reused),
        cmocka_unit_test(test_refuses_newer_catalog),
        cmocka_unit_test(test_read_mode_writes_nothing),
        cmocka_unit_test(test_totals),
        cmocka_unit_test(test_offsite_tied_to_repository),
    };
    return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
