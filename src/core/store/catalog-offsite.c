// SPDX-License-Identifier: GPL-3.0-or-later
/* The catalog's off-site repositories: which one each offsite.repository string leads to, and which
   backups have a copy there. */
#include "poshtiban/catalog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "poshtiban/i18n.h"
#include "poshtiban/settings.h"

#include "base/fsutil.h"
#include "store/catalog-internal.h"

/* ---- which repository ---------------------------------------------------- */

/* An offsite.repository string as the catalog keeps it: hashed (FNV-1a, 64 bits), never again in
 * clear. New string. */
static char *location_of(const char *repository)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)repository; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return pt_xasprintf("fnv1a64:%016llx:%zu", (unsigned long long)h, strlen(repository));
}

enum pt_status pt_catalog_offsite_learn(struct pt_catalog *c, const char *repository,
                                        const char *id, struct pt_error *err)
{
    char *location = location_of(repository);
    sqlite3_stmt *st;
    /* The same repository reached another way keeps the time it was last listed. */
    int rc = sqlite3_prepare_v2(
        c->db,
        "INSERT INTO offsite_repositories (location, id, checked_at) VALUES (?1, ?2,"
        " (SELECT max(checked_at) FROM offsite_repositories WHERE id = ?2))"
        " ON CONFLICT (location) DO UPDATE SET id = excluded.id,"
        " checked_at = CASE WHEN id = excluded.id THEN checked_at ELSE excluded.checked_at END",
        -1, &st, NULL);
    if (rc == SQLITE_OK) {
        pt_catalog_bind_text(st, 1, location);
        pt_catalog_bind_text(st, 2, id);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    free(location);
    return rc == SQLITE_DONE ? PT_OK : pt_catalog_db_error(c, err, _("cannot write"));
}

void pt_catalog_offsite_current(struct pt_catalog *c, char **id, int64_t *checked_ms)
{
    *id = NULL;
    *checked_ms = -1;
    char *repository = NULL;
    if (pt_catalog_setting_get(c, pt_settings_def(PT_KEY_OFFSITE_REPOSITORY)->key, &repository,
                               NULL) != PT_OK ||
        !repository || !*repository) {
        free(repository);
        return;
    }
    char *location = location_of(repository);
    free(repository);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT id, checked_at FROM offsite_repositories WHERE location = ?", -1,
                           &st, NULL) == SQLITE_OK) {
        pt_catalog_bind_text(st, 1, location);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *id = pt_catalog_column_text(st, 0);
            if (sqlite3_column_type(st, 1) != SQLITE_NULL)
                *checked_ms = sqlite3_column_int64(st, 1);
        }
    }
    sqlite3_finalize(st);
    free(location);
}

static bool exec_ok(struct pt_catalog *c, sqlite3_stmt *st)
{
    (void)c;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE;
}

enum pt_status pt_catalog_offsite_sync(struct pt_catalog *c, const char *repo,
                                       const struct pt_catalog_offsite_copy *copies, size_t n,
                                       int64_t at_ms, struct pt_error *err)
{
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return pt_catalog_db_error(c, err, _("cannot write"));
    sqlite3_stmt *clear = NULL, *set = NULL, *checked = NULL;
    bool ok =
        sqlite3_prepare_v2(c->db,
                           "UPDATE backups SET offsite_snapshot = NULL, offsite_repo = NULL"
                           " WHERE offsite_snapshot IS NOT NULL OR offsite_repo IS NOT NULL",
                           -1, &clear, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(c->db,
                           "UPDATE backups SET offsite_snapshot = ?2, offsite_repo = ?3,"
                           " offsite_error = NULL, offsite_at = coalesce(offsite_at, ?4),"
                           " offsite_bytes = coalesce(offsite_bytes, 0) WHERE name = ?1",
                           -1, &set, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(c->db, "UPDATE offsite_repositories SET checked_at = ?2 WHERE id = ?1",
                           -1, &checked, NULL) == SQLITE_OK &&
        exec_ok(c, clear);
    for (size_t i = 0; ok && i < n; i++) {
        pt_catalog_bind_text(set, 1, copies[i].name);
        pt_catalog_bind_text(set, 2, copies[i].snapshot);
        pt_catalog_bind_text(set, 3, repo);
        sqlite3_bind_int64(set, 4, copies[i].time_ms);
        ok = exec_ok(c, set);
    }
    if (ok) {
        pt_catalog_bind_text(checked, 1, repo);
        sqlite3_bind_int64(checked, 2, at_ms);
        ok = exec_ok(c, checked);
    }
    sqlite3_finalize(clear);
    sqlite3_finalize(set);
    sqlite3_finalize(checked);
    if (!ok || sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        pt_catalog_db_error(c, err, _("cannot write"));
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return PT_EFAIL;
    }
    return PT_OK;
}
