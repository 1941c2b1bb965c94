// SPDX-License-Identifier: GPL-3.0-or-later
/* The catalog (docs/catalog.md): opening and closing it, and looks at a catalog file that never
 * write. */
#include "poshtiban/catalog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"
#include "store/catalog-internal.h"

enum pt_status pt_catalog_db_error(struct pt_catalog *c, struct pt_error *err, const char *what)
{
    return pt_error_set(err, PT_EFAIL, _("catalog %s: %s: %s"), c->path, what,
                        sqlite3_errmsg(c->db));
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static enum pt_status migrate(struct pt_catalog *c, struct pt_error *err)
{
    int v = user_version(c->db);
    if (v < 0)
        return pt_catalog_db_error(c, err, _("not readable"));
    if (v > PT_CATALOG_VERSION)
        return pt_error_set(err, PT_EFAIL,
                            _("catalog %s has version %d; this poshtiban knows up to %d"), c->path,
                            v, PT_CATALOG_VERSION);
    if (v == PT_CATALOG_VERSION)
        return PT_OK;
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return pt_catalog_db_error(c, err, _("cannot migrate"));
    v = user_version(c->db); /* another process may have migrated meanwhile */
    for (; v < PT_CATALOG_VERSION; v++) {
        char *sql = pt_xasprintf("%s PRAGMA user_version = %d;", pt_catalog_migrations[v], v + 1);
        int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
        free(sql);
        if (rc != SQLITE_OK) {
            pt_catalog_db_error(c, err, _("cannot migrate"));
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            return PT_EFAIL;
        }
    }
    if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        pt_catalog_db_error(c, err, _("cannot migrate"));
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return PT_EFAIL;
    }
    return PT_OK;
}

/* SQLite's quick_check on the open file: PT_EFAIL, saying what, when it is damaged. */
static enum pt_status quick_check(sqlite3 *db, const char *path, struct pt_error *err)
{
    sqlite3_stmt *st = NULL;
    const char *verdict = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        rc = pt_error_set(err, PT_EFAIL, _("catalog %s is damaged: %s"), path, sqlite3_errmsg(db));
    else if (!(verdict = (const char *)sqlite3_column_text(st, 0)) || strcmp(verdict, "ok") != 0)
        rc = pt_error_set(err, PT_EFAIL, _("catalog %s is damaged: %s"), path,
                          verdict ? verdict : "?");
    sqlite3_finalize(st);
    return rc;
}

/* With damage, a file quick_check finds damaged leaves *out NULL and says why in damage. */
static enum pt_status open_file(struct pt_catalog **out, const char *path, int flags,
                                struct pt_error *damage, struct pt_error *err)
{
    struct pt_catalog *c = pt_xcalloc(1, sizeof(*c));
    c->path = pt_xstrdup(path);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        if (damage) {
            pt_error_set(damage, PT_EFAIL, _("catalog %s is damaged: %s"), path,
                         c->db ? sqlite3_errmsg(c->db) : _("cannot open"));
            pt_catalog_close(c);
            *out = NULL;
            return PT_OK;
        }
        pt_catalog_db_error(c, err, _("cannot open"));
        pt_catalog_close(c);
        return PT_EFAIL;
    }
    sqlite3_busy_timeout(c->db, 10000);
    if (strcmp(path, ":memory:") != 0)
        chmod(path, 0600);
    if (damage && quick_check(c->db, path, damage) != PT_OK) {
        pt_catalog_close(c);
        *out = NULL;
        return PT_OK;
    }
    /* Foreign keys only after migrating: a migration that rebuilds a table must not cascade. */
    enum pt_status rc = migrate(c, err);
    if (rc != PT_OK) {
        pt_catalog_close(c);
        return rc;
    }
    sqlite3_exec(c->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    *out = c;
    return PT_OK;
}

/* <backups>/.poshtiban/catalog.sqlite3 gives <backups>; NULL for any other path. */
static char *backups_of(const char *catalog)
{
    const char *tail = "/.poshtiban/catalog.sqlite3";
    size_t n = strlen(catalog), t = strlen(tail);
    return n > t && strcmp(catalog + n - t, tail) == 0 ? pt_xasprintf("%.*s", (int)(n - t), catalog)
                                                       : NULL;
}

enum pt_status pt_catalog_open_path(struct pt_catalog **out, const char *path, struct pt_error *err)
{
    enum pt_status rc = open_file(out, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL, err);
    if (rc == PT_OK)
        (*out)->backups = backups_of(path);
    return rc;
}

enum pt_status pt_catalog_open(struct pt_catalog **out, const struct pt_project *project,
                               enum pt_catalog_mode mode, struct pt_error *err)
{
    *out = NULL;
    if (mode == PT_CATALOG_READ && access(project->catalog, F_OK) != 0) {
        enum pt_status rc =
            open_file(out, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL, err);
        if (rc == PT_OK)
            (*out)->backups = pt_xstrdup(project->backups);
        return rc;
    }
    if (mode == PT_CATALOG_WRITE) {
        enum pt_status rc = pt_project_prepare(project, err);
        if (rc != PT_OK)
            return rc;
    }
    return pt_catalog_open_path(out, project->catalog, err);
}

enum pt_status pt_catalog_open_checked(struct pt_catalog **out, const struct pt_project *project,
                                       struct pt_error *damage, struct pt_error *err)
{
    enum pt_status rc = open_file(out, project->catalog, SQLITE_OPEN_READWRITE, damage, err);
    if (rc == PT_OK && *out)
        (*out)->backups = backups_of(project->catalog);
    return rc;
}

bool pt_catalog_in_memory(struct pt_catalog *c)
{
    return strcmp(c->path, ":memory:") == 0;
}

void pt_catalog_close(struct pt_catalog *c)
{
    if (!c)
        return;
    sqlite3_close_v2(c->db);
    free(c->path);
    free(c->backups);
    free(c);
}

int pt_catalog_version(struct pt_catalog *c)
{
    return user_version(c->db);
}

void pt_catalog_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

char *pt_catalog_column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? pt_xstrdup((const char *)s) : NULL;
}

bool pt_catalog_read_names_of(const char *path,
                              void (*fn)(int64_t id, const char *name, void *user), void *user)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    /* Read-only, no busy wait, no migration: a look that never writes nor waits. */
    bool whole = access(path, F_OK) == 0 &&
                 sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
                 sqlite3_prepare_v2(db, "SELECT id, name FROM backups ORDER BY id DESC", -1, &st,
                                    NULL) == SQLITE_OK;
    int step = SQLITE_DONE;
    while (whole && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (name)
            fn(sqlite3_column_int64(st, 0), name, user);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return whole && step == SQLITE_DONE;
}
