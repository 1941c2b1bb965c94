/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_SCHEMA_H
#define POSHTIBAN_CORE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "poshtiban/status.h"

/* How a column's values are written into a fixture. */
enum pt_value_kind {
    PT_VALUE_PLAIN,    /* by SQLite storage class */
    PT_VALUE_BOOL,     /* Django BooleanField */
    PT_VALUE_DECIMAL,  /* Django DecimalField: a string */
    PT_VALUE_DATETIME, /* Django DateTimeField: ISO 8601 */
    PT_VALUE_JSON,     /* Django JSONField: embedded JSON */
};

struct pt_column {
    char *name;
    char *field; /* the fixture's field name ("project" for Django's project_id) */
    enum pt_value_kind kind;
};

/* An auto-created many-to-many table folded into its owner's rows. */
struct pt_m2m {
    char *field;
    char *through;
    char *owner_column;
    char *other_column;
};

struct pt_table {
    char *name;
    char *model;   /* "app_label.model" or the table name; NULL: no fixture */
    char *fixture; /* "fixtures/<model>.json"; NULL: no fixture */
    bool is_virtual;
    struct pt_column *columns;
    size_t n_columns;
    int *pk; /* indexes into columns of the primary key, in key order */
    size_t n_pk;
    bool rowid; /* the pk is the rowid (no column holds it) */
    /* Read in rowid order: the rowid is the pk, or its one column is INTEGER PRIMARY KEY
     * AUTOINCREMENT. */
    bool rowid_order;
    struct pt_m2m *m2m;
    size_t n_m2m;
};

/* The tables of a snapshot, as the fixture writer sees them. */
struct pt_schema {
    bool django;             /* it has django_content_type and django_migrations */
    struct pt_table *tables; /* every table but sqlite_*, by name */
    size_t n_tables;
};

/* Reads the schema of db and maps Django models when it is a Django database. */
enum pt_status pt_schema_read(sqlite3 *db, struct pt_schema *out, struct pt_error *err);
void pt_schema_free(struct pt_schema *schema);

/* SELECT count(*) of a table; -1 when it cannot be read or is no table. */
int64_t pt_schema_count_rows(sqlite3 *db, const char *table);

/* The integer a PRAGMA such as "PRAGMA page_size" answers; -1 when it cannot be read. */
int64_t pt_schema_pragma_int(sqlite3 *db, const char *pragma);

/*
 * Whether column of table (in the attached database schema; NULL: main)
 * is an INTEGER PRIMARY KEY AUTOINCREMENT: only the rowid's alias can be,
 * so its order is the rowid's.
 */
bool pt_schema_autoincrement(sqlite3 *db, const char *schema, const char *table,
                             const char *column);
/* A column so named hides the rowid from SQL (rowid, _rowid_, oid). */
bool pt_sql_hides_rowid(const char *column);

/* "name" with inner quotes doubled, for SQL; owned. */
char *pt_sql_quote(const char *identifier);

#endif
