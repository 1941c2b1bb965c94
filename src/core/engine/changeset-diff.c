// SPDX-License-Identifier: GPL-3.0-or-later
/* Writing the changeset between two databases: the tables narrowed to the rows that differ, then
 * diffed. */
#include "engine/changeset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

#include "engine/changeset-internal.h"
#include "engine/compress.h"
#include "engine/row-range.h"
#include "engine/schema.h"
#include "engine/table-digest.h"

/* The zstd writer a session streams into. */
static int stream_out(void *user, const void *data, int len)
{
    struct pt_error e = {0};
    int rc = pt_zstd_writer_write(user, data, (size_t)len, &e) == PT_OK ? SQLITE_OK : SQLITE_IOERR;
    pt_error_clear(&e);
    return rc;
}

/* SQLite's own order of two values under BINARY collation: NULL, numbers, text, blobs. */
static int compare_values(sqlite3_stmt *a, sqlite3_stmt *b, int col)
{
    int ta = sqlite3_column_type(a, col), tb = sqlite3_column_type(b, col);
    int ra = ta == SQLITE_NULL ? 0 : ta == SQLITE_TEXT ? 2 : ta == SQLITE_BLOB ? 3 : 1;
    int rb = tb == SQLITE_NULL ? 0 : tb == SQLITE_TEXT ? 2 : tb == SQLITE_BLOB ? 3 : 1;
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 0)
        return 0;
    if (ra == 1) {
        if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) {
            sqlite3_int64 x = sqlite3_column_int64(a, col), y = sqlite3_column_int64(b, col);
            return x < y ? -1 : x > y;
        }
        double x = sqlite3_column_double(a, col), y = sqlite3_column_double(b, col);
        return x < y ? -1 : x > y;
    }
    const void *x =
        ra == 2 ? (const void *)sqlite3_column_text(a, col) : sqlite3_column_blob(a, col);
    const void *y =
        rb == 2 ? (const void *)sqlite3_column_text(b, col) : sqlite3_column_blob(b, col);
    int nx = sqlite3_column_bytes(a, col), ny = sqlite3_column_bytes(b, col);
    int c = memcmp(x, y, (size_t)(nx < ny ? nx : ny));
    return c ? c : nx < ny ? -1 : nx > ny;
}

/* The same value, type and bytes: what a changeset would not record as a change. */
static bool same_value(sqlite3_stmt *a, sqlite3_stmt *b, int col)
{
    int t = sqlite3_column_type(a, col);
    if (t != sqlite3_column_type(b, col))
        return false;
    switch (t) {
    case SQLITE_NULL:
        return true;
    case SQLITE_INTEGER:
        return sqlite3_column_int64(a, col) == sqlite3_column_int64(b, col);
    case SQLITE_FLOAT: {
        double x = sqlite3_column_double(a, col), y = sqlite3_column_double(b, col);
        return memcmp(&x, &y, sizeof(x)) == 0;
    }
    default: {
        const void *x = t == SQLITE_TEXT ? (const void *)sqlite3_column_text(a, col)
                                         : sqlite3_column_blob(a, col);
        const void *y = t == SQLITE_TEXT ? (const void *)sqlite3_column_text(b, col)
                                         : sqlite3_column_blob(b, col);
        int n = sqlite3_column_bytes(a, col);
        return n == sqlite3_column_bytes(b, col) && (n == 0 || memcmp(x, y, (size_t)n) == 0);
    }
    }
}

static bool copy_row(sqlite3_stmt *from, sqlite3_stmt *insert, int ncol)
{
    for (int i = 0; i < ncol; i++)
        sqlite3_bind_value(insert, i + 1, sqlite3_column_value(from, i));
    bool ok = sqlite3_step(insert) == SQLITE_DONE;
    sqlite3_reset(insert);
    return ok;
}

/* What narrowing one table needs: the two sides in key order, and where differing rows go. */
struct narrow {
    sqlite3_stmt *fresh, *prior, *into_fresh, *into_prior;
    /* keyed by the rowid: the two sides from rowid ?1 to ?2 (NULL otherwise) */
    sqlite3_stmt *fresh_between, *prior_between;
    int ncol;
    int *key; /* the key's columns, in key order */
    int nkey;
    bool any; /* a row differs */
};

static int compare_keys(const struct narrow *n)
{
    for (int i = 0; i < n->nkey; i++) {
        int c = compare_values(n->fresh, n->prior, n->key[i]);
        if (c)
            return c;
    }
    return 0;
}

static bool rows_differ(const struct narrow *n)
{
    for (int i = 0; i < n->ncol; i++)
        if (!same_value(n->fresh, n->prior, i))
            return true;
    return false;
}

/* One merge of the two sides in key order: each row only one side has, or that differs, is copied.
 */
static enum pt_status narrow_rows(sqlite3 *db, struct narrow *n, const char *table,
                                  struct pt_error *err)
{
    int a = sqlite3_step(n->fresh), b = sqlite3_step(n->prior);
    bool ok = true;
    while (ok && (a == SQLITE_ROW || b == SQLITE_ROW)) {
        int c = a != SQLITE_ROW ? 1 : b != SQLITE_ROW ? -1 : compare_keys(n);
        if (c < 0) {
            ok = copy_row(n->fresh, n->into_fresh, n->ncol);
            n->any = true;
            a = sqlite3_step(n->fresh);
        } else if (c > 0) {
            ok = copy_row(n->prior, n->into_prior, n->ncol);
            n->any = true;
            b = sqlite3_step(n->prior);
        } else {
            if (rows_differ(n)) {
                ok = copy_row(n->fresh, n->into_fresh, n->ncol) &&
                     copy_row(n->prior, n->into_prior, n->ncol);
                n->any = true;
            }
            a = sqlite3_step(n->fresh);
            b = sqlite3_step(n->prior);
        }
    }
    if (!ok || (a != SQLITE_DONE && a != SQLITE_ROW) || (b != SQLITE_DONE && b != SQLITE_ROW))
        return pt_error_set(err, PT_EFAIL, _("cannot compare table %s: %s"), table,
                            sqlite3_errmsg(db));
    return PT_OK;
}

/*
 * Whether table's one key column is its rowid on both sides (INTEGER
 * PRIMARY KEY AUTOINCREMENT, which only the rowid's alias can be) and no
 * column hides the rowid from SQL: then its rows can be read between two
 * rowids, in key order.
 */
static bool rowid_keyed(sqlite3 *db, const char *table, const char *key,
                        const struct pt_changeset_names *cols)
{
    for (size_t i = 0; i < cols->n; i++)
        if (pt_sql_hides_rowid(cols->items[i]))
            return false;
    return pt_schema_autoincrement(db, "src_new", table, key) &&
           pt_schema_autoincrement(db, "src_old", table, key);
}

/* A table's root page on one side; 0 when it has none. */
static int64_t root_of(sqlite3 *db, const char *schema, const char *table)
{
    char *sql = pt_xasprintf("SELECT rootpage FROM %s.sqlite_schema WHERE type = 'table' AND "
                             "name = ?1",
                             schema);
    sqlite3_stmt *st = NULL;
    int64_t root = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            root = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    free(sql);
    return root;
}

/* Creates table in "main" and "old" as new.sqlite_schema says, and the statements of a narrowing.
 */
static enum pt_status narrow_prepare(sqlite3 *db, const char *table, struct narrow *n,
                                     struct pt_error *err)
{
    memset(n, 0, sizeof(*n));
    sqlite3_stmt *st;
    char *sql_text = NULL;
    if (sqlite3_prepare_v2(
            db, "SELECT sql FROM src_new.sqlite_schema WHERE type = 'table' AND name = ?1", -1, &st,
            NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            sql_text = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (!sql_text)
        return pt_changeset_db_fail(db, err, table);
    /* "CREATE TABLE name…" made "CREATE TABLE old.name…": the schema goes before the name. */
    const char *rest = sql_text + strlen("CREATE TABLE ");
    char *in_main = pt_xasprintf("CREATE TABLE main.%s", rest);
    char *in_old = pt_xasprintf("CREATE TABLE old.%s", rest);
    bool ok = strncmp(sql_text, "CREATE TABLE ", 13) == 0 &&
              sqlite3_exec(db, in_main, NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_exec(db, in_old, NULL, NULL, NULL) == SQLITE_OK;
    free(in_main);
    free(in_old);
    free(sql_text);
    if (!ok)
        return pt_changeset_db_fail(db, err, table);
    struct pt_changeset_names key = {0}, cols = {0};
    enum pt_status rc = pt_changeset_key_of(db, "src_new", table, &key, err);
    if (rc == PT_OK) {
        char *sql = pt_xasprintf("SELECT name FROM pragma_table_info(?1, 'src_new') ORDER BY cid");
        rc = pt_changeset_collect(db, sql, table, &cols, err);
        free(sql);
    }
    if (rc != PT_OK) {
        pt_changeset_names_free(&key);
        pt_changeset_names_free(&cols);
        return rc;
    }
    n->ncol = (int)cols.n;
    n->nkey = (int)key.n;
    if (key.n == 0) {
        /* No key, no changeset: pt_changeset_incompatible() sees to these tables. */
        pt_changeset_names_free(&key);
        pt_changeset_names_free(&cols);
        return PT_OK;
    }
    n->key = pt_xcalloc(key.n ? key.n : 1, sizeof(int));
    char *order = pt_xstrdup(""), *marks = pt_xstrdup("");
    for (size_t i = 0; i < key.n; i++) {
        for (size_t j = 0; j < cols.n; j++)
            if (strcmp(key.items[i], cols.items[j]) == 0)
                n->key[i] = (int)j;
        char *q = pt_changeset_quoted(key.items[i]);
        char *next = pt_xasprintf("%s%s%s", order, i ? ", " : "", q);
        free(q);
        free(order);
        order = next;
    }
    for (size_t j = 0; j < cols.n; j++) {
        char *next = pt_xasprintf("%s%s?", marks, j ? ", " : "");
        free(marks);
        marks = next;
    }
    char *t = pt_changeset_quoted(table);
    if (key.n == 1 && rowid_keyed(db, table, key.items[0], &cols)) {
        char *fresh = pt_xasprintf(
            "SELECT * FROM src_new.%s WHERE rowid BETWEEN ?1 AND ?2 ORDER BY %s", t, order);
        char *prior = pt_xasprintf(
            "SELECT * FROM src_old.%s WHERE rowid BETWEEN ?1 AND ?2 ORDER BY %s", t, order);
        if (sqlite3_prepare_v2(db, fresh, -1, &n->fresh_between, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(db, prior, -1, &n->prior_between, NULL) != SQLITE_OK) {
            sqlite3_finalize(n->fresh_between);
            sqlite3_finalize(n->prior_between);
            n->fresh_between = n->prior_between = NULL;
        }
        free(fresh);
        free(prior);
    }
    char *fresh = pt_xasprintf("SELECT * FROM src_new.%s ORDER BY %s", t, order);
    char *prior = pt_xasprintf("SELECT * FROM src_old.%s ORDER BY %s", t, order);
    char *into_fresh = pt_xasprintf("INSERT INTO main.%s VALUES (%s)", t, marks);
    char *into_prior = pt_xasprintf("INSERT INTO old.%s VALUES (%s)", t, marks);
    ok = sqlite3_prepare_v2(db, fresh, -1, &n->fresh, NULL) == SQLITE_OK &&
         sqlite3_prepare_v2(db, prior, -1, &n->prior, NULL) == SQLITE_OK &&
         sqlite3_prepare_v2(db, into_fresh, -1, &n->into_fresh, NULL) == SQLITE_OK &&
         sqlite3_prepare_v2(db, into_prior, -1, &n->into_prior, NULL) == SQLITE_OK &&
         sqlite3_column_count(n->fresh) == n->ncol;
    free(t);
    free(fresh);
    free(prior);
    free(into_fresh);
    free(into_prior);
    free(order);
    free(marks);
    pt_changeset_names_free(&key);
    pt_changeset_names_free(&cols);
    return ok ? PT_OK : pt_changeset_db_fail(db, err, table);
}

static void narrow_free(struct narrow *n)
{
    sqlite3_finalize(n->fresh);
    sqlite3_finalize(n->prior);
    sqlite3_finalize(n->fresh_between);
    sqlite3_finalize(n->prior_between);
    sqlite3_finalize(n->into_fresh);
    sqlite3_finalize(n->into_prior);
    free(n->key);
}

/* Rowids from lo to hi. */
struct span {
    int64_t lo, hi;
};

static int span_order(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The rowids of each range of mine whose key theirs lacks (or not with its rows and rowids). */
static void unmatched(const struct pt_row_ranges *mine, const struct pt_row_ranges *theirs,
                      struct span **spans, size_t *n)
{
    const struct pt_row_range **by_key = pt_row_ranges_by_key(theirs);
    for (size_t i = 0; i < mine->n; i++) {
        const struct pt_row_range *r = &mine->r[i];
        if (pt_row_range_match(by_key, theirs->n, r))
            continue;
        *spans = pt_xrealloc(*spans, (*n + 1) * sizeof(**spans));
        (*spans)[(*n)++] = (struct span){r->first, r->last};
    }
    free(by_key);
}

/*
 * Where table's rows may differ, from the cell ranges of both files
 * (engine/table-digest.h, pt_table_cell_ranges): a range of one side whose
 * key the other has holds the same rows on both, and nothing else lies
 * between its first and last rowid on either; every other range's rowids
 * are looked at. The spans, in order and not overlapping; false when
 * either file's cells cannot be read so (then every row is looked at).
 */
static bool differing_spans(sqlite3 *db, const char *old_db, const char *new_db, const char *table,
                            struct span **out, size_t *n_out)
{
    struct pt_row_ranges prior = {0}, fresh = {0};
    int64_t prior_root = root_of(db, "src_old", table), fresh_root = root_of(db, "src_new", table);
    bool ok = prior_root > 0 && fresh_root > 0 &&
              pt_table_cell_ranges(old_db, prior_root, &prior) &&
              pt_table_cell_ranges(new_db, fresh_root, &fresh);
    struct span *spans = NULL;
    size_t n = 0;
    if (ok) {
        unmatched(&fresh, &prior, &spans, &n);
        unmatched(&prior, &fresh, &spans, &n);
        if (n > 1)
            qsort(spans, n, sizeof(*spans), span_order);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            if (kept > 0 && spans[i].lo <= spans[kept - 1].hi) {
                if (spans[i].hi > spans[kept - 1].hi)
                    spans[kept - 1].hi = spans[i].hi;
            } else {
                spans[kept++] = spans[i];
            }
        }
        n = kept;
    }
    pt_row_ranges_free(&prior);
    pt_row_ranges_free(&fresh);
    *out = spans;
    *n_out = n;
    return ok;
}

/* The merge of narrow_rows within each span only, through the statements bounded by rowid. */
static enum pt_status narrow_spans(sqlite3 *db, struct narrow *n, const char *table,
                                   const struct span *spans, size_t n_spans, struct pt_error *err)
{
    enum pt_status rc = PT_OK;
    for (size_t i = 0; rc == PT_OK && i < n_spans; i++) {
        struct narrow within = *n;
        within.fresh = n->fresh_between;
        within.prior = n->prior_between;
        within.any = false;
        sqlite3_stmt *both[2] = {within.fresh, within.prior};
        for (int k = 0; k < 2; k++) {
            sqlite3_reset(both[k]);
            sqlite3_bind_int64(both[k], 1, spans[i].lo);
            sqlite3_bind_int64(both[k], 2, spans[i].hi);
        }
        rc = narrow_rows(db, &within, table, err);
        n->any = n->any || within.any;
    }
    return rc;
}

/*
 * The two databases narrowed to the rows that differ: one merge of each
 * table in key order copies, into two in-memory databases ("main" the
 * new side, "old" the prior), every row that only one side has or that
 * differs; a table keyed by its rowid is merged only where its cell
 * ranges differ (differing_spans). A changeset between those is the changeset between the files,
 * and sqlite3session_diff then looks at a few rows, not at every row
 * three times. Memory follows the size of the change.
 */
static sqlite3 *open_narrowed(const char *old_db, const char *new_db,
                              struct pt_changeset_names *differ, struct pt_error *err)
{
    sqlite3 *db = pt_changeset_open_db(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err);
    if (!db)
        return NULL;
    sqlite3_stmt *st;
    bool ok = true;
    const char *files[] = {new_db, old_db, ":memory:"}, *names[] = {"src_new", "src_old", "old"};
    for (int i = 0; ok && i < 3; i++) {
        ok = sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS ?2", -1, &st, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_text(st, 1, files[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, names[i], -1, SQLITE_STATIC);
            ok = sqlite3_step(st) == SQLITE_DONE;
        }
        sqlite3_finalize(st);
    }
    /* Both sides read as of one moment each; nothing else writes them. */
    ok = ok && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) {
        pt_changeset_db_fail(db, err, old_db);
        sqlite3_close(db);
        return NULL;
    }
    struct pt_changeset_names tables = {0};
    enum pt_status rc = pt_changeset_tables_of(db, "src_new", &tables, err);
    for (size_t i = 0; rc == PT_OK && i < tables.n; i++) {
        struct narrow n;
        struct span *spans = NULL;
        size_t n_spans = 0;
        rc = narrow_prepare(db, tables.items[i], &n, err);
        if (rc == PT_OK && n.nkey && n.fresh_between &&
            differing_spans(db, old_db, new_db, tables.items[i], &spans, &n_spans))
            rc = narrow_spans(db, &n, tables.items[i], spans, n_spans, err);
        else if (rc == PT_OK && n.nkey)
            rc = narrow_rows(db, &n, tables.items[i], err);
        free(spans);
        if (rc == PT_OK && n.any)
            pt_changeset_names_push(differ, tables.items[i]);
        narrow_free(&n);
    }
    pt_changeset_names_free(&tables);
    if (rc == PT_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = pt_changeset_db_fail(db, err, new_db);
    if (rc != PT_OK) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

enum pt_status pt_changeset_diff(const char *old_db, const char *new_db, const char *dest,
                                 int level, bool *empty, char hex[PT_SHA256_HEX], int64_t *size,
                                 struct pt_change_table **tables, size_t *n_tables,
                                 struct pt_error *err)
{
    *empty = false;
    *tables = NULL;
    *n_tables = 0;
    struct pt_changeset_names names = {0};
    sqlite3 *db = open_narrowed(old_db, new_db, &names, err);
    if (!db)
        return PT_EFAIL;
    sqlite3_session *session = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3session_create(db, "main", &session) != SQLITE_OK)
        rc = pt_changeset_db_fail(db, err, _("cannot start a session"));
    for (size_t i = 0; rc == PT_OK && i < names.n; i++) {
        char *why = NULL;
        if (sqlite3session_attach(session, names.items[i]) != SQLITE_OK ||
            sqlite3session_diff(session, "old", names.items[i], &why) != SQLITE_OK)
            rc = pt_error_set(err, PT_EFAIL, _("cannot compare table %s: %s"), names.items[i],
                              why ? why : sqlite3_errmsg(db));
        sqlite3_free(why);
    }
    if (rc == PT_OK && sqlite3session_isempty(session)) {
        *empty = true;
        pt_changeset_names_free(&names);
        sqlite3session_delete(session);
        sqlite3_close(db);
        return PT_OK;
    }
    struct pt_file_writer w;
    bool open = rc == PT_OK && (rc = pt_file_writer_open(&w, dest, err)) == PT_OK;
    struct pt_zstd_writer *z = open ? pt_zstd_writer_new(&w, level) : NULL;
    if (open) {
        int s = sqlite3session_changeset_strm(session, stream_out, z);
        if (s != SQLITE_OK)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dest, sqlite3_errstr(s));
        if (rc == PT_OK)
            rc = pt_zstd_writer_end(z, err);
        pt_zstd_writer_free(z);
        if (rc == PT_OK)
            rc = pt_file_writer_close(&w, hex, size, err);
        else
            pt_file_writer_abort(&w);
    }
    if (session)
        sqlite3session_delete(session);
    pt_changeset_names_free(&names);
    if (rc == PT_OK)
        rc = pt_changeset_count(dest, tables, n_tables, err);
    for (size_t i = 0; rc == PT_OK && i < *n_tables; i++) {
        struct pt_changeset_names cols = {0};
        rc = pt_changeset_columns_of(db, (*tables)[i].name, &cols, err);
        (*tables)[i].columns = cols.items;
        (*tables)[i].n_columns = cols.n;
    }
    sqlite3_close(db);
    if (rc != PT_OK) {
        unlink(dest);
        pt_change_tables_free(*tables, *n_tables);
        *tables = NULL;
        *n_tables = 0;
    }
    return rc;
}
