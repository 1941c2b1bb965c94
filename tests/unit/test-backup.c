// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/backup.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "helpers.h"

struct fixture {
    char *dir;
    struct pt_project project;
};

static int setup(void **state)
{
    struct fixture *f = pt_xcalloc(1, sizeof(*f));
    f->dir = pt_test_tmpdir();
    char *db = pt_path_join(f->dir, "db.sqlite3");
    pt_test_sql(db, "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);"
                    "INSERT INTO note (body) VALUES ('یک'), ('دو'), ('three');"
                    "CREATE TABLE tag (name TEXT);"
                    "INSERT INTO tag VALUES ('x');");
    free(db);
    char *media = pt_path_join(f->dir, "media/photos");
    assert_int_equal(pt_mkdir_p(media, 0755), 0);
    char *file = pt_path_join(media, "عکس.txt");
    pt_test_write_file(file, "pixels");
    free(file);
    free(media);
    pt_test_project(&f->project, f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pt_project_free(&f->project);
    pt_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode & 07777;
}

/* Every line of SHA256SUMS matches the file it names, and every file is named. */
static void check_sums(const char *dir)
{
    char *sums_path = pt_path_join(dir, "SHA256SUMS");
    char *sums = pt_read_file(sums_path, PT_SMALL_FILE_MAX, NULL);
    assert_non_null(sums);
    int lines = 0;
    for (char *line = strtok(sums, "\n"); line; line = strtok(NULL, "\n")) {
        char hex[PT_SHA256_HEX];
        assert_true(strlen(line) > 66);
        char *path = pt_path_join(dir, line + 66);
        assert_int_equal(pt_sha256_file(path, hex, NULL, NULL), PT_OK);
        assert_memory_equal(hex, line, 64);
        free(path);
        lines++;
    }
    /* snapshot, complete, 2 fixtures, 1 media file, settings, summary, report */
    assert_int_equal(lines, 8);
    free(sums);
    free(sums_path);
}

static void test_create_dir_backup(void **state)
{
    struct fixture *f = *state;
    mode_t old = umask(0); /* the backup is owner-only whatever the umask */
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    struct pt_record r = {0};
    struct pt_error err = {0};
    enum pt_status rc = pt_test_create(&f->project, &opts, NULL, &r, &err);
    umask(old);
    if (rc != PT_OK)
        fail_msg("create: %s", err.message);
    assert_int_equal(r.status, PT_STATE_COMPLETED);
    assert_true(r.include_media);
    assert_string_equal(r.format, "dir");
    assert_non_null(strstr(r.name, "backup_"));
    assert_int_equal(r.n_tables, 2);
    assert_string_equal(r.tables[0].name, "note");
    assert_int_equal(r.tables[0].rows, 3);
    assert_int_equal(mode_of(r.path), 0700);
    /* Compressed by default (backup.compress): no plain snapshot or fixture beside them. */
    static const char *const stored[] = {"database.sqlite3.zst", "complete_database.json.gz",
                                         "fixtures/note.json.gz", "fixtures/tag.json.gz"};
    static const char *const plain[] = {"database.sqlite3", "complete_database.json",
                                        "fixtures/note.json", "fixtures/tag.json"};
    for (size_t i = 0; i < 4; i++) {
        char *there = pt_path_join(r.path, stored[i]), *not_there = pt_path_join(r.path, plain[i]);
        assert_int_equal(mode_of(there), 0400);
        assert_int_not_equal(access(not_there, F_OK), 0);
        free(there);
        free(not_there);
    }
    char *media = pt_path_join(r.path, "media/photos/عکس.txt");
    assert_int_equal(mode_of(media), 0400);
    free(media);
    char *fixtures = pt_path_join(r.path, "fixtures");
    assert_int_equal(mode_of(fixtures), 0700);
    free(fixtures);
    check_sums(r.path);

    /* The size recorded is the size on disk of every file. */
    char *report_path = pt_path_join(r.path, "backup_report.json");
    json_t *report = pt_test_load_json(report_path);
    free(report_path);
    assert_string_equal(json_string_value(json_object_get(report, "status")), "completed");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(report, "media"), "files")),
                     1);
    assert_int_equal(json_array_size(json_object_get(report, "files")), 7); /* settings.json too */
    json_decref(report);

    /* Nothing left behind in tmp; the catalog agrees. */
    assert_int_equal(pt_test_count_entries(f->project.tmp), 0);
    assert_int_equal(pt_test_sql_int(f->project.catalog,
                                     "SELECT count(*) FROM backups WHERE status = 'completed'"),
                     1);
    assert_int_equal(mode_of(f->project.catalog), 0600);
    pt_record_free(&r);
}

/* backup.compress false: the plain names of old, and the snapshot opens as it is. */
static void test_create_plain_files(void **state)
{
    struct fixture *f = *state;
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open(&c, &f->project, PT_CATALOG_WRITE, NULL), PT_OK);
    assert_int_equal(pt_settings_set(c, PT_KEY_BACKUP_COMPRESS, "false", NULL), PT_OK);
    pt_catalog_close(c);
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    struct pt_record r = {0};
    struct pt_error err = {0};
    if (pt_test_create(&f->project, &opts, NULL, &r, &err) != PT_OK)
        fail_msg("create: %s", err.message);
    char *db = pt_path_join(r.path, "database.sqlite3");
    assert_int_equal(mode_of(db), 0400);
    assert_int_equal(pt_test_sql_int(db, "SELECT count(*) FROM note"), 3);
    free(db);
    static const char *const plain[] = {"complete_database.json", "fixtures/note.json"};
    for (size_t i = 0; i < 2; i++) {
        char *path = pt_path_join(r.path, plain[i]);
        json_t *doc = pt_test_load_json(path);
        assert_true(json_is_array(doc));
        json_decref(doc);
        free(path);
    }
    char *zst = pt_path_join(r.path, "database.sqlite3.zst");
    assert_int_not_equal(access(zst, F_OK), 0);
    free(zst);
    check_sums(r.path);
    char *report_path = pt_path_join(r.path, "backup_report.json");
    json_t *report = pt_test_load_json(report_path);
    free(report_path);
    json_t *how = json_object_get(report, "compression");
    assert_string_equal(json_string_value(json_object_get(how, "fixtures")), "none");
    assert_string_equal(json_string_value(json_object_get(how, "snapshot")), "none");
    assert_false(
        json_is_true(json_object_get(json_object_get(report, "settings"), "backup.compress")));
    json_decref(report);
    pt_record_free(&r);
}

static void test_same_second_names(void **state)
{
    struct fixture *f = *state;
    f->project.now_ms = 1795687200000LL; /* 2026-11-26T10:00:00Z */
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = 0};
    struct pt_record a = {0}, b = {0};
    assert_int_equal(pt_test_create(&f->project, &opts, NULL, &a, NULL), PT_OK);
    assert_int_equal(pt_test_create(&f->project, &opts, NULL, &b, NULL), PT_OK);
    assert_string_equal(a.name, "backup_20261126_100000");
    assert_string_equal(b.name, "backup_20261126_100000_2");
    assert_false(b.include_media);
    char *media = pt_path_join(b.path, "media");
    assert_int_equal(access(media, F_OK), -1);
    free(media);
    pt_record_free(&a);
    pt_record_free(&b);
}

static void test_missing_source_writes_nothing(void **state)
{
    struct fixture *f = *state;
    free(f->project.database);
    f->project.database = pt_path_join(f->dir, "missing.sqlite3");
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    struct pt_error err = {0};
    struct pt_record r = {0};
    assert_int_equal(pt_test_create(&f->project, &opts, NULL, &r, &err), PT_EINVAL);
    assert_non_null(strstr(err.message, "missing.sqlite3"));
    pt_error_clear(&err);
    assert_int_equal(r.id, 0);
    assert_int_equal(access(f->project.backups, F_OK), -1);
}

static void test_not_sqlite(void **state)
{
    struct fixture *f = *state;
    char *bogus = pt_path_join(f->dir, "bogus.sqlite3");
    pt_test_write_file(bogus, "this is not a database, just some text that is long enough");
    free(f->project.database);
    f->project.database = bogus;
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    struct pt_error err = {0};
    assert_int_equal(pt_test_create(&f->project, &opts, NULL, NULL, &err), PT_EINVAL);
    assert_non_null(strstr(err.message, "not a SQLite database"));
    pt_error_clear(&err);
    assert_int_equal(access(f->project.backups, F_OK), -1);
}

static void test_busy(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(pt_project_prepare(&f->project, NULL), PT_OK);
    struct pt_lock held;
    assert_int_equal(pt_lock_acquire(&held, &f->project, NULL), PT_OK);
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    struct pt_error err = {0};
    assert_int_equal(pt_test_create(&f->project, &opts, NULL, NULL, &err), PT_EBUSY);
    assert_non_null(strstr(err.message, "busy"));
    pt_error_clear(&err);
    pt_lock_release(&held);
    assert_int_equal(pt_test_sql_int(f->project.catalog, "SELECT count(*) FROM backups"), 0);
}

static void cancel_on_fixtures(const struct pt_progress *p, void *user)
{
    if (p->phase == PT_PHASE_FIXTURES)
        atomic_store((atomic_bool *)user, true);
}

static void test_cancel_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    atomic_bool cancel = false;
    struct pt_monitor monitor = {cancel_on_fixtures, &cancel, &cancel};
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    struct pt_record r = {0};
    struct pt_error err = {0};
    assert_int_equal(pt_test_create(&f->project, &opts, &monitor, &r, &err), PT_ECANCELLED);
    pt_error_clear(&err);
    /* Cancelled, not failed: the user asked, and no alarm goes out. */
    assert_int_equal(r.status, PT_STATE_CANCELLED);
    assert_null(r.error);
    assert_string_equal(r.message_code, PT_MESSAGE_CANCELLED);
    char *message = pt_record_message(&r);
    assert_string_equal(message, "cancelled by the user");
    free(message);
    assert_int_equal(access(r.path, F_OK), -1);
    assert_int_equal(pt_test_count_entries(f->project.tmp), 0);
    assert_int_equal(pt_test_sql_int(f->project.catalog,
                                     "SELECT count(*) FROM backups WHERE status = 'cancelled'"
                                     " AND error IS NULL"),
                     1);
    pt_record_free(&r);
}

static void test_bad_name(void **state)
{
    struct fixture *f = *state;
    const char *bad[] = {"../escape", ".hidden", "a/b", "", "tab\there"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct pt_create_options opts = {.name = bad[i], .kind = PT_KIND_MANUAL};
        struct pt_error err = {0};
        assert_int_equal(pt_test_create(&f->project, &opts, NULL, NULL, &err), PT_EINVAL);
        pt_error_clear(&err);
    }
    assert_int_equal(access(f->project.backups, F_OK), -1);
    struct pt_create_options opts = {.name = "پیش_از_ارتقا", .kind = PT_KIND_MANUAL};
    struct pt_record r = {0};
    assert_int_equal(pt_test_create(&f->project, &opts, NULL, &r, NULL), PT_OK);
    assert_string_equal(r.name, "پیش_از_ارتقا");
    pt_record_free(&r);
    struct pt_error err = {0};
    assert_int_equal(pt_test_create(&f->project, &opts, NULL, NULL, &err), PT_EINVAL);
    assert_non_null(strstr(err.message, "exists"));
    pt_error_clear(&err);
}

static void test_backup_root_inside_media(void **state)
{
    struct fixture *f = *state;
    free(f->project.backups);
    free(f->project.meta);
    free(f->project.catalog);
    free(f->project.lock);
    free(f->project.tmp);
    f->project.backups = pt_path_join(f->project.media, "backups");
    f->project.meta = pt_path_join(f->project.backups, ".poshtiban");
    f->project.catalog = pt_path_join(f->project.meta, "catalog.sqlite3");
    f->project.lock = pt_path_join(f->project.meta, "lock");
    f->project.tmp = pt_path_join(f->project.meta, "tmp");
    /* A restore of the media would delete such backups: refused, nothing written. */
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    struct pt_error err = {0};
    assert_int_equal(pt_test_create(&f->project, &opts, NULL, NULL, &err), PT_EINVAL);
    assert_non_null(strstr(err.message, "inside the media folder"));
    pt_error_clear(&err);
    assert_int_equal(access(f->project.backups, F_OK), -1);
}

/*
 * A backup folder that is a file is the user's mistake: the status says
 * so (exit 2), as the message does, not an I/O failure (exit 1).
 */
static void test_backup_root_is_a_file(void **state)
{
    struct fixture *f = *state;
    pt_test_write_file(f->project.backups, "not a folder");
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    struct pt_error err = {0};
    assert_int_equal(pt_test_create(&f->project, &opts, NULL, NULL, &err), PT_EINVAL);
    assert_int_equal(err.status, PT_EINVAL);
    assert_non_null(strstr(err.message, "is not a folder"));
    pt_error_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_dir_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_plain_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_second_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_source_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_root_inside_media, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_root_is_a_file, setup, teardown),
    };
    return cmocka_run_group_tests_name("backup", tests, NULL, NULL);
}
