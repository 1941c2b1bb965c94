// SPDX-License-Identifier: GPL-3.0-or-later
/* The catalog's settings rows. */
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

bool pt_catalog_read_settings_of(const char *path,
                                 void (*fn)(const char *key, const char *value, void *user),
                                 void *user)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool whole =
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT key, value FROM settings", -1, &st, NULL) == SQLITE_OK;
    int step = SQLITE_DONE;
    while (whole && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *value = (const char *)sqlite3_column_text(st, 1);
        if (key && value)
            fn(key, value, user);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return whole && step == SQLITE_DONE;
}

enum pt_status pt_catalog_setting_get(struct pt_catalog *c, const char *key, char **value,
                                      struct pt_error *err)
{
    sqlite3_stmt *st;
    *value = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT value FROM settings WHERE key = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return pt_catalog_db_error(c, err, _("cannot read"));
    pt_catalog_bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *value = pt_catalog_column_text(st, 0);
    sqlite3_finalize(st);
    /* A page that cannot be read is an error, never "not set". */
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? PT_OK
                                                 : pt_catalog_db_error(c, err, _("cannot read"));
}

enum pt_status pt_catalog_setting_delete(struct pt_catalog *c, const char *key,
                                         struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "DELETE FROM settings WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
        return pt_catalog_db_error(c, err, _("cannot write"));
    pt_catalog_bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? PT_OK : pt_catalog_db_error(c, err, _("cannot write"));
}

enum pt_status pt_catalog_setting_put(struct pt_catalog *c, const char *key, const char *value,
                                      struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO settings (key, value) VALUES (?, ?)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           -1, &st, NULL) != SQLITE_OK)
        return pt_catalog_db_error(c, err, _("cannot write"));
    pt_catalog_bind_text(st, 1, key);
    pt_catalog_bind_text(st, 2, value);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? PT_OK : pt_catalog_db_error(c, err, _("cannot write"));
}
