// SPDX-License-Identifier: GPL-3.0-or-later
#include "helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "poshtiban/session.h"
#include "poshtiban/settings.h"

#include "base/fsutil.h"

char *pt_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *templ = pt_xasprintf("%s/poshtiban-test-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(templ));
    return templ;
}

void pt_test_rmtree(const char *path)
{
    assert_int_equal(pt_remove_tree(path), 0);
}

void pt_test_sql(const char *db, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("SQL failed: %s", msg);
    sqlite3_close(h);
}

int64_t pt_test_sql_int(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

void pt_test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

json_t *pt_test_load_json(const char *path)
{
    json_error_t err;
    json_t *doc = json_load_file(path, JSON_DECODE_ANY, &err);
    if (!doc)
        fail_msg("%s: %s (line %d)", path, err.text, err.line);
    return doc;
}

void pt_test_project(struct pt_project *project, const char *dir)
{
    struct pt_project_options opts = {.root = dir};
    assert_int_equal(pt_project_resolve(project, &opts, NULL), PT_OK);
    /* A fixed "now": no test depends on today's date. 2026-11-26T10:00:00Z. */
    project->now_ms = 1795687200000LL;
}

int pt_test_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

int pt_test_catalog_setup(void **state)
{
    struct pt_test_catalog *f = pt_xcalloc(1, sizeof(*f));
    f->dir = pt_test_tmpdir();
    pt_test_project(&f->project, f->dir);
    assert_int_equal(pt_catalog_open(&f->catalog, &f->project, PT_CATALOG_WRITE, NULL), PT_OK);
    *state = f;
    return 0;
}

int pt_test_catalog_teardown(void **state)
{
    struct pt_test_catalog *f = *state;
    pt_catalog_close(f->catalog);
    pt_project_free(&f->project);
    pt_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

enum pt_status pt_test_create(const struct pt_project *project,
                              const struct pt_create_options *opts,
                              const struct pt_monitor *monitor, struct pt_record *out,
                              struct pt_error *err)
{
    struct pt_session session;
    enum pt_status rc = pt_session_open(&session, project, err);
    if (rc == PT_OK)
        rc = pt_backup_create(&session, opts, monitor, out, err);
    pt_session_close(&session);
    return rc;
}

enum pt_status pt_test_restore_plan(const struct pt_project *project, const char *id,
                                    const struct pt_restore_options *opts,
                                    struct pt_restore_plan *plan, struct pt_error *err)
{
    struct pt_session session;
    enum pt_status rc = pt_session_open(&session, project, err);
    if (rc == PT_OK)
        rc = pt_restore_plan(&session, id, opts, plan, err);
    pt_session_close(&session);
    return rc;
}

enum pt_status pt_test_verify(const struct pt_project *project, const char *id, bool deep,
                              struct pt_record *out, struct pt_verify_result *result,
                              struct pt_error *err)
{
    struct pt_session session;
    enum pt_status rc = pt_session_open(&session, project, err);
    if (rc == PT_OK)
        rc = pt_verify_backup(&session, id, deep, NULL, out, result, err);
    pt_session_close(&session);
    return rc;
}

enum pt_status pt_test_settings_save(const struct pt_project *project, enum pt_setting_id id,
                                     const char *text, char **stored, struct pt_error *err)
{
    struct pt_session session;
    enum pt_status rc = pt_session_open(&session, project, err);
    if (rc == PT_OK)
        rc = pt_settings_save(&session, id, text, stored, err);
    pt_session_close(&session);
    return rc;
}
