/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_CATALOG_INTERNAL_H
#define POSHTIBAN_CORE_CATALOG_INTERNAL_H

/*
 * What the parts of the catalog (store/catalog*.c) share; nothing outside
 * them includes this.
 */
#include <sqlite3.h>

#include "poshtiban/catalog.h"

struct pt_catalog {
    sqlite3 *db;
    char *path;
    /*
     * The backup root as this process reaches it. A record's path is made
     * from it and the record's name, so a project reached through a link
     * or moved elsewhere keeps finding its backups.
     */
    char *backups;
};

/* pt_catalog_migrations[v] brings a catalog from version v to v + 1 (catalog-migrations.c). */
extern const char *const pt_catalog_migrations[PT_CATALOG_VERSION];

/* PT_EFAIL with "catalog PATH: WHAT: SQLite's message". */
enum pt_status pt_catalog_db_error(struct pt_catalog *c, struct pt_error *err, const char *what);
/* Binds S to parameter I, or NULL when S is NULL. */
void pt_catalog_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Column I as a new string, NULL when it is NULL. */
char *pt_catalog_column_text(sqlite3_stmt *st, int i);

#endif
