// SPDX-License-Identifier: GPL-3.0-or-later
/* The two databases of a restore's plan compared: rows, keys and migrations. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "poshtiban/alloc.h"

#include "engine/schema.h"
#include "ops/restore-internal.h"

void pt_restore_push(char ***list, size_t *n, const char *s)
{
    *list = pt_xrealloc(*list, (*n + 1) * sizeof(**list));
    (*list)[(*n)++] = pt_xstrdup(s);
}

static struct pt_restore_table *find_table(struct pt_restore_plan *plan, const char *name)
{
    for (size_t i = 0; i < plan->n_tables; i++)
        if (strcmp(plan->tables[i].name, name) == 0)
            return &plan->tables[i];
    plan->tables = pt_xrealloc(plan->tables, (plan->n_tables + 1) * sizeof(*plan->tables));
    struct pt_restore_table *t = &plan->tables[plan->n_tables++];
    *t = (struct pt_restore_table){.name = pt_xstrdup(name), .now = -1, .after = -1};
    return t;
}

static sqlite3 *open_read(const char *path)
{
    sqlite3 *db = NULL;
    struct stat st;
    /* Only a regular file: opening a FIFO would wait for a writer forever. */
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 30000);
    return db;
}

/* Rows per table of one side, in the caller's transaction. */
static void tables_of(sqlite3 *db, struct pt_restore_plan *plan, bool after)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM main.sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            struct pt_restore_table *t = find_table(plan, name);
            *(after ? &t->after : &t->now) = pt_schema_count_rows(db, name);
        }
    }
    sqlite3_finalize(st);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
    char **items;
    size_t n;
};

static void names_free(struct names *names)
{
    for (size_t i = 0; i < names->n; i++)
        free(names->items[i]);
    free(names->items);
    memset(names, 0, sizeof(*names));
}

/* "app.name" of every applied migration of one side, sorted; none without the table. */
static void migrations_of(sqlite3 *db, struct names *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT app || '.' || name FROM main.django_migrations", -1, &st,
                           NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW)
            if (sqlite3_column_text(st, 0))
                pt_restore_push(&out->items, &out->n, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (out->n > 1)
        qsort(out->items, out->n, sizeof(*out->items), compare_strings);
}

/* The migrations only in the backup and only in the target. */
static void compare_migrations(struct pt_restore_plan *plan, const struct names *now,
                               const struct names *after)
{
    size_t i = 0, j = 0;
    while (i < now->n || j < after->n) {
        int c = i == now->n ? 1 : j == after->n ? -1 : strcmp(now->items[i], after->items[j]);
        if (c < 0)
            pt_restore_push(&plan->migrations_now, &plan->n_migrations_now, now->items[i]);
        else if (c > 0)
            pt_restore_push(&plan->migrations_backup, &plan->n_migrations_backup, after->items[j]);
        i += c <= 0;
        j += c >= 0;
    }
    plan->migrations_differ = plan->n_migrations_now || plan->n_migrations_backup;
}

/* A table's columns on one side: the primary key's first, in key order. */
struct columns {
    struct names names, types; /* the declared types decide how keys compare */
    size_t n_key;
};

static bool columns_of(sqlite3 *db, const char *schema, const char *table, struct columns *out)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof(*out));
    if (sqlite3_prepare_v2(db,
                           "SELECT name, pk, type FROM pragma_table_info(?1, ?2)"
                           " ORDER BY pk = 0, pk, cid",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return false;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, schema, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        const unsigned char *type = sqlite3_column_text(st, 2);
        pt_restore_push(&out->names.items, &out->names.n, (const char *)sqlite3_column_text(st, 0));
        pt_restore_push(&out->types.items, &out->types.n, type ? (const char *)type : "");
        out->n_key += sqlite3_column_int64(st, 1) > 0;
    }
    sqlite3_finalize(st);
    return step == SQLITE_DONE && out->names.n > 0;
}

static bool has_column(const struct columns *c, const char *name)
{
    for (size_t i = c->n_key; i < c->names.n; i++)
        if (sqlite3_stricmp(c->names.items[i], name) == 0)
            return true;
    return false;
}

/* "a.k1 = m.k1 AND …": the key's own collation, so its index answers. */
static char *key_match(const struct columns *c, const char *probed, const char *other)
{
    char *match = pt_xstrdup("");
    for (size_t i = 0; i < c->n_key; i++) {
        char *q = pt_sql_quote(c->names.items[i]);
        char *next =
            pt_xasprintf("%s%s%s.%s = %s.%s", match, i ? " AND " : "", probed, q, other, q);
        free(q);
        free(match);
        match = next;
    }
    return match;
}

static bool count_query(sqlite3 *db, const char *sql, int64_t *a, int64_t *b)
{
    sqlite3_stmt *st;
    bool ok =
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    if (ok)
        *a = sqlite3_column_int64(st, 0);
    if (ok && b)
        *b = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    return ok;
}

static void columns_free(struct columns *c)
{
    names_free(&c->names);
    names_free(&c->types);
}

/*
 * "a.c COLLATE BINARY IS NOT m.c OR …" over n columns, as a balanced tree:
 * a chain would pass SQLite's expression depth (1000) on a wide table.
 */
static char *any_differs(char **columns, size_t n)
{
    if (n == 1) {
        char *q = pt_sql_quote(columns[0]);
        char *one = pt_xasprintf("a.%s COLLATE BINARY IS NOT m.%s", q, q);
        free(q);
        return one;
    }
    char *left = any_differs(columns, n / 2), *right = any_differs(columns + n / 2, n - n / 2);
    char *both = pt_xasprintf("(%s OR %s)", left, right);
    free(left);
    free(right);
    return both;
}

/*
 * One table, in both: rows added, removed and changed by primary key. SQLite
 * counts as it reads, one key lookup per row each way; nothing is held.
 * Each lookup compares keys as the table looked up does (its collation, its
 * index), and the keys' declared types must agree, so a row matches at most
 * one. Values are compared byte for byte (BINARY), whatever the column's
 * collation, in the columns both sides have.
 */
static void compare_table(sqlite3 *db, struct pt_restore_table *t)
{
    struct columns now, after;
    bool read = columns_of(db, "main", t->name, &now);
    read = columns_of(db, "snapshot", t->name, &after) && read;
    bool same_key = now.n_key == after.n_key;
    for (size_t i = 0; read && same_key && i < now.n_key; i++)
        same_key = sqlite3_stricmp(now.names.items[i], after.names.items[i]) == 0 &&
                   sqlite3_stricmp(now.types.items[i], after.types.items[i]) == 0;
    if (!read || !now.n_key || !after.n_key || !same_key) {
        t->rows = !read                        ? PT_ROWS_NOT_COMPARED
                  : !now.n_key || !after.n_key ? PT_ROWS_NO_KEY
                                               : PT_ROWS_KEY_DIFFERS;
        columns_free(&now);
        columns_free(&after);
        return;
    }
    struct names common = {0};
    for (size_t i = now.n_key; i < now.names.n; i++)
        if (has_column(&after, now.names.items[i]))
            pt_restore_push(&common.items, &common.n, now.names.items[i]);
    char *differs = common.n ? any_differs(common.items, common.n) : pt_xstrdup("0");
    names_free(&common);
    char *table = pt_sql_quote(t->name), *first_key = pt_sql_quote(now.names.items[0]);
    char *in_now = key_match(&now, "m", "a"), *in_after = key_match(&now, "a", "m");
    char *added = pt_xasprintf("SELECT count(*) FROM snapshot.%s AS a WHERE NOT EXISTS"
                               " (SELECT 1 FROM main.%s AS m WHERE %s)",
                               table, table, in_now);
    /*
     * A key column of a matched row is never NULL (= matches no NULL). The
     * rows are counted outside the join: SQLite allows no more than 2000
     * column terms inside one aggregate, and LIMIT -1 keeps the join a
     * co-routine, not folded into the count.
     */
    char *others = pt_xasprintf(
        "SELECT count(*) - count(found), count(differs) FROM"
        " (SELECT a.%s AS found, CASE WHEN a.%s IS NOT NULL AND %s THEN 1 END AS differs"
        " FROM main.%s AS m LEFT JOIN snapshot.%s AS a ON %s LIMIT -1)",
        first_key, first_key, differs, table, table, in_after);
    bool ok = count_query(db, added, &t->added, NULL) &&
              count_query(db, others, &t->removed, &t->changed);
    t->rows = ok ? PT_ROWS_COMPARED : PT_ROWS_NOT_COMPARED;
    if (!ok)
        t->added = t->removed = t->changed = 0;
    free(added);
    free(others);
    free(in_now);
    free(in_after);
    free(first_key);
    free(table);
    free(differs);
    columns_free(&now);
    columns_free(&after);
}

/*
 * Both sides: rows per table, the migrations, and, when compare, every
 * table in both compared key by key. The target is read in one transaction
 * with the snapshot attached, so its counts and its rows are of one moment.
 */
static void compare_databases(sqlite3 *now, sqlite3 *after, const char *snapshot,
                              struct pt_restore_plan *plan, bool compare)
{
    struct names now_migrations = {0}, after_migrations = {0};
    sqlite3_exec(after, "BEGIN", NULL, NULL, NULL);
    tables_of(after, plan, true);
    migrations_of(after, &after_migrations);
    sqlite3_exec(after, "COMMIT", NULL, NULL, NULL);
    if (now) {
        sqlite3_stmt *st = NULL;
        /* A file name, never a URI (Debian's SQLite reads "file:…" as one): "./" before it. */
        char *name = snapshot[0] == '/' ? pt_xstrdup(snapshot) : pt_xasprintf("./%s", snapshot);
        bool attached = false;
        if (compare &&
            sqlite3_prepare_v2(now, "ATTACH ?1 AS snapshot", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
            attached = sqlite3_step(st) == SQLITE_DONE;
        }
        sqlite3_finalize(st);
        free(name);
        sqlite3_exec(now, "BEGIN", NULL, NULL, NULL);
        tables_of(now, plan, false);
        migrations_of(now, &now_migrations);
        for (size_t i = 0; i < plan->n_tables; i++) {
            struct pt_restore_table *t = &plan->tables[i];
            t->rows = t->now < 0 && t->after >= 0   ? PT_ROWS_ONLY_BACKUP
                      : t->now >= 0 && t->after < 0 ? PT_ROWS_ONLY_NOW
                                                    : PT_ROWS_NOT_COMPARED;
            if (attached && t->now >= 0 && t->after >= 0)
                compare_table(now, t);
        }
        sqlite3_exec(now, "COMMIT", NULL, NULL, NULL);
        if (attached)
            sqlite3_exec(now, "DETACH snapshot", NULL, NULL, NULL);
        compare_migrations(plan, &now_migrations, &after_migrations);
    }
    names_free(&now_migrations);
    names_free(&after_migrations);
}

static int compare_tables(const void *a, const void *b)
{
    return strcmp(((const struct pt_restore_table *)a)->name,
                  ((const struct pt_restore_table *)b)->name);
}

bool pt_restore_compare_files(const char *target, const char *snapshot,
                              struct pt_restore_plan *plan, bool compare)
{
    sqlite3 *now = open_read(target);
    sqlite3 *after = open_read(snapshot);
    if (!after) {
        sqlite3_close(now);
        return false;
    }
    compare_databases(now, after, snapshot, plan, compare);
    sqlite3_close(now);
    sqlite3_close(after);
    if (plan->n_tables > 1)
        qsort(plan->tables, plan->n_tables, sizeof(*plan->tables), compare_tables);
    return true;
}
