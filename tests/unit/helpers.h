/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TEST_HELPERS_H
#define POSHTIBAN_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "poshtiban/backup.h"
#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/restore.h"
#include "poshtiban/settings.h"
#include "poshtiban/verify.h"

/* A new empty folder under $TMPDIR; the caller removes it with pt_test_rmtree(). */
char *pt_test_tmpdir(void);
void pt_test_rmtree(const char *path);
/* Runs SQL on a database file (created when missing); fails the test on error. */
void pt_test_sql(const char *db, const char *sql);
/* One integer from a query. */
int64_t pt_test_sql_int(const char *db, const char *sql);
void pt_test_write_file(const char *path, const char *text);
json_t *pt_test_load_json(const char *path);
/* A project in dir: db.sqlite3, media/, backups/. */
void pt_test_project(struct pt_project *project, const char *dir);
/* Entries in a folder other than . and .. (-1 when it does not exist). */
int pt_test_count_entries(const char *dir);

/* A fresh project (pt_test_project) and its catalog, open for writing. */
struct pt_test_catalog {
    char *dir;
    struct pt_project project;
    struct pt_catalog *catalog;
};
/* cmocka setup and teardown that make and remove a struct pt_test_catalog. */
int pt_test_catalog_setup(void **state);
int pt_test_catalog_teardown(void **state);

/*
 * Core entry points in a session of their own (poshtiban/session.h), as a
 * command runs them: opened, used once, closed.
 */
enum pt_status pt_test_create(const struct pt_project *project,
                              const struct pt_create_options *opts,
                              const struct pt_monitor *monitor, struct pt_record *out,
                              struct pt_error *err);
enum pt_status pt_test_restore_plan(const struct pt_project *project, const char *id,
                                    const struct pt_restore_options *opts,
                                    struct pt_restore_plan *plan, struct pt_error *err);
enum pt_status pt_test_verify(const struct pt_project *project, const char *id, bool deep,
                              struct pt_record *out, struct pt_verify_result *result,
                              struct pt_error *err);
enum pt_status pt_test_settings_save(const struct pt_project *project, enum pt_setting_id id,
                                     const char *text, char **stored, struct pt_error *err);

#endif
