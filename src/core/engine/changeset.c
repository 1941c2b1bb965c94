// SPDX-License-Identifier: GPL-3.0-or-later
/* Changesets between database files, through SQLite's session extension (docs/changes.md). */
#ifndef SQLITE_ENABLE_SESSION
#define SQLITE_ENABLE_SESSION 1
#endif
#ifndef SQLITE_ENABLE_PREUPDATE_HOOK
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#endif
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

#include "engine/compress.h"
#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

#define BUSY_TIMEOUT_MS 30000

static enum pt_status db_fail(sqlite3 *db, struct pt_error *err, const char *what)
{
    return pt_error_set(err, PT_EFAIL, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

static sqlite3 *open_db(const char *path, int flags, struct pt_error *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        db_fail(db, err, path);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    return db;
}

/* "name" quoted as an SQL identifier. */
static char *quoted(const char *name)
{
    size_t n = 0;
    for (const char *p = name; *p; p++)
        n += *p == '"' ? 2 : 1;
    char *out = pt_xmalloc(n + 3), *o = out;
    *o++ = '"';
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            *o++ = '"';
        *o++ = *p;
    }
    *o++ = '"';
    *o = '\0';
    return out;
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
    names->items = NULL;
    names->n = 0;
}

static void names_push(struct names *names, const char *s)
{
    names->items = pt_xrealloc(names->items, (names->n + 1) * sizeof(*names->items));
    names->items[names->n++] = pt_xstrdup(s);
}

static enum pt_status collect(sqlite3 *db, const char *sql, const char *bind, struct names *out,
                              struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, _("cannot read the schema"));
    if (bind)
        sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        names_push(out, t ? (const char *)t : "");
    }
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? PT_OK : db_fail(db, err, _("cannot read the schema"));
}

/* The ordinary tables of schema (main, old) whose changes a changeset carries. */
static enum pt_status tables_of(sqlite3 *db, const char *schema, struct names *out,
                                struct pt_error *err)
{
    char *sql = pt_xasprintf("SELECT name FROM %s.sqlite_schema WHERE type = 'table' AND name NOT "
                             "LIKE 'sqlite\\_%%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%%' "
                             "ORDER BY name",
                             schema);
    enum pt_status rc = collect(db, sql, NULL, out, err);
    free(sql);
    return rc;
}

/* The primary key's columns of a table, in key order. */
static enum pt_status key_of(sqlite3 *db, const char *schema, const char *table, struct names *out,
                             struct pt_error *err)
{
    char *sql = pt_xasprintf(
        "SELECT name FROM pragma_table_info(?1, '%s') WHERE pk > 0 ORDER BY pk", schema);
    enum pt_status rc = collect(db, sql, table, out, err);
    free(sql);
    return rc;
}

static enum pt_status columns_of(sqlite3 *db, const char *table, struct names *out,
                                 struct pt_error *err)
{
    return collect(db, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", table, out, err);
}

/* Every schema entry but the statistics, as one text: equal texts, equal schemas. */
static char *schema_text(sqlite3 *db, const char *schema, struct pt_error *err)
{
    char *sql = pt_xasprintf(
        "SELECT group_concat(type || ' ' || name || ' ' || tbl_name || ' ' || ifnull(sql, ''), "
        "char(10)) FROM (SELECT * FROM %s.sqlite_schema WHERE name NOT LIKE 'sqlite\\_stat%%' "
        "ESCAPE '\\' ORDER BY type, name)",
        schema);
    sqlite3_stmt *st;
    char *text = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        text = pt_xstrdup(t ? (const char *)t : "");
    } else {
        db_fail(db, err, _("cannot read the schema"));
    }
    sqlite3_finalize(st);
    free(sql);
    return text;
}

/* Opens new_db with old_db attached as "old". */
static sqlite3 *open_pair(const char *old_db, const char *new_db, struct pt_error *err)
{
    sqlite3 *db = open_db(new_db, SQLITE_OPEN_READONLY, err);
    if (!db)
        return NULL;
    sqlite3_stmt *st;
    bool ok = sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS old", -1, &st, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(st, 1, old_db, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    if (!ok) {
        db_fail(db, err, old_db);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* SHA-256 of a table's rows in key order (rowid order when it has no key). */
static enum pt_status table_hash(sqlite3 *db, const char *schema, const char *table,
                                 char hex[PT_SHA256_HEX], int64_t *rows, struct pt_error *err)
{
    struct names key = {0};
    enum pt_status rc = key_of(db, schema, table, &key, err);
    if (rc != PT_OK)
        return rc;
    char *order = pt_xstrdup(key.n ? "" : "rowid");
    for (size_t i = 0; i < key.n; i++) {
        char *q = quoted(key.items[i]);
        char *next = pt_xasprintf("%s%s%s", order, i ? ", " : "", q);
        free(q);
        free(order);
        order = next;
    }
    names_free(&key);
    char *t = quoted(table);
    char *sql = pt_xasprintf("SELECT * FROM %s.%s ORDER BY %s", schema, t, order);
    free(t);
    free(order);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        free(sql);
        return db_fail(db, err, table);
    }
    free(sql);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    int step, ncol = sqlite3_column_count(st);
    int64_t n = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        n++;
        for (int i = 0; i < ncol; i++) {
            unsigned char type = (unsigned char)sqlite3_column_type(st, i);
            EVP_DigestUpdate(md, &type, 1);
            unsigned char word[8];
            uint64_t v = 0;
            if (type == SQLITE_INTEGER) {
                v = (uint64_t)sqlite3_column_int64(st, i);
            } else if (type == SQLITE_FLOAT) {
                double d = sqlite3_column_double(st, i);
                memcpy(&v, &d, sizeof(v));
            } else if (type != SQLITE_NULL) {
                const void *data = type == SQLITE_TEXT ? (const void *)sqlite3_column_text(st, i)
                                                       : sqlite3_column_blob(st, i);
                v = (uint64_t)sqlite3_column_bytes(st, i);
                for (int b = 0; b < 8; b++)
                    word[b] = (unsigned char)(v >> (56 - 8 * b));
                EVP_DigestUpdate(md, word, 8);
                if (v)
                    EVP_DigestUpdate(md, data, (size_t)v);
                continue;
            }
            if (type == SQLITE_NULL)
                continue;
            for (int b = 0; b < 8; b++)
                word[b] = (unsigned char)(v >> (56 - 8 * b));
            EVP_DigestUpdate(md, word, 8);
        }
    }
    sqlite3_finalize(st);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    if (step != SQLITE_DONE)
        return db_fail(db, err, table);
    pt_sha256_hex(digest, hex);
    if (rows)
        *rows = n;
    return PT_OK;
}

enum pt_status pt_changeset_incompatible(const char *old_db, const char *new_db, char **reason,
                                         struct pt_error *err)
{
    *reason = NULL;
    sqlite3 *db = open_pair(old_db, new_db, err);
    if (!db)
        return PT_EFAIL;
    char *a = schema_text(db, "old", err), *b = a ? schema_text(db, "main", err) : NULL;
    enum pt_status rc = a && b ? PT_OK : PT_EFAIL;
    if (rc == PT_OK && strcmp(a, b) != 0)
        *reason = pt_xstrdup("schema changed");
    free(a);
    free(b);
    struct names tables = {0};
    if (rc == PT_OK && !*reason)
        rc = tables_of(db, "main", &tables, err);
    for (size_t i = 0; rc == PT_OK && !*reason && i < tables.n; i++) {
        struct names key = {0};
        rc = key_of(db, "main", tables.items[i], &key, err);
        bool keyless = rc == PT_OK && key.n == 0;
        names_free(&key);
        if (!keyless)
            continue;
        /* Its rows cannot be told apart: only an unchanged table can stay out of a changeset. */
        char old_hex[PT_SHA256_HEX], new_hex[PT_SHA256_HEX];
        rc = table_hash(db, "old", tables.items[i], old_hex, NULL, err);
        if (rc == PT_OK)
            rc = table_hash(db, "main", tables.items[i], new_hex, NULL, err);
        if (rc == PT_OK && strcmp(old_hex, new_hex) != 0)
            *reason = pt_xasprintf("table %s has no primary key", tables.items[i]);
    }
    names_free(&tables);
    sqlite3_close(db);
    return rc;
}

/* The zstd writer a session streams into. */
static int stream_out(void *user, const void *data, int len)
{
    struct pt_error e = {0};
    int rc = pt_zstd_writer_write(user, data, (size_t)len, &e) == PT_OK ? SQLITE_OK : SQLITE_IOERR;
    pt_error_clear(&e);
    return rc;
}

/* A stored changeset, read back as plain bytes. */
struct stream_in {
    int fd;
    struct pt_unpack *unpack;
    struct pt_error err;
    bool failed;
};

static ssize_t read_fd(void *user, void *buf, size_t len, struct pt_error *err)
{
    struct stream_in *in = user;
    ssize_t n;
    do
        n = read(in->fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        pt_error_set(err, PT_EFAIL, "%s", strerror(errno));
    return n;
}

static int stream_in_read(void *user, void *data, int *len)
{
    struct stream_in *in = user;
    ssize_t n = pt_unpack_read(in->unpack, data, (size_t)*len, &in->err);
    if (n < 0) {
        in->failed = true;
        *len = 0;
        return SQLITE_IOERR;
    }
    *len = (int)n;
    return SQLITE_OK;
}

static enum pt_status stream_in_open(struct stream_in *in, const char *file, struct pt_error *err)
{
    memset(in, 0, sizeof(*in));
    in->fd = open(file, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), file, strerror(errno));
    in->unpack = pt_unpack_open(PT_COMPRESSION_ZSTD, read_fd, in);
    return PT_OK;
}

/* The stream's own failure when it had one, else SQLite's. */
static enum pt_status stream_in_close(struct stream_in *in, const char *file, sqlite3 *db, int rc,
                                      struct pt_error *err)
{
    enum pt_status out = PT_OK;
    if (in->failed)
        out = pt_error_set(err, PT_EFAIL, "%s: %s", file,
                           in->err.message ? in->err.message : _("damaged"));
    else if (rc != SQLITE_OK && rc != SQLITE_DONE)
        out = pt_error_set(err, PT_EFAIL, "%s: %s", file,
                           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    pt_error_clear(&in->err);
    pt_unpack_close(in->unpack);
    close(in->fd);
    return out;
}

static struct pt_change_table *find_table(struct pt_change_table **tables, size_t *n,
                                          const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*tables)[i].name, name) == 0)
            return &(*tables)[i];
    *tables = pt_xrealloc(*tables, (*n + 1) * sizeof(**tables));
    struct pt_change_table *t = &(*tables)[(*n)++];
    memset(t, 0, sizeof(*t));
    t->name = pt_xstrdup(name);
    return t;
}

static int compare_tables(const void *a, const void *b)
{
    return strcmp(((const struct pt_change_table *)a)->name,
                  ((const struct pt_change_table *)b)->name);
}

enum pt_status pt_changeset_count(const char *file, struct pt_change_table **tables,
                                  size_t *n_tables, struct pt_error *err)
{
    *tables = NULL;
    *n_tables = 0;
    struct stream_in in;
    if (stream_in_open(&in, file, err) != PT_OK)
        return PT_EFAIL;
    sqlite3_changeset_iter *it = NULL;
    int rc = sqlite3changeset_start_strm(&it, stream_in_read, &in);
    while (rc == SQLITE_OK && (rc = sqlite3changeset_next(it)) == SQLITE_ROW) {
        const char *name;
        int ncol, op, indirect;
        sqlite3changeset_op(it, &name, &ncol, &op, &indirect);
        struct pt_change_table *t = find_table(tables, n_tables, name);
        if (op == SQLITE_INSERT)
            t->inserted++;
        else if (op == SQLITE_UPDATE)
            t->updated++;
        else
            t->deleted++;
        rc = SQLITE_OK;
    }
    int fin = it ? sqlite3changeset_finalize(it) : SQLITE_OK;
    if (rc == SQLITE_DONE)
        rc = fin;
    enum pt_status out = stream_in_close(&in, file, NULL, rc, err);
    if (out != PT_OK) {
        pt_change_tables_free(*tables, *n_tables);
        *tables = NULL;
        *n_tables = 0;
    } else if (*n_tables > 1) {
        qsort(*tables, *n_tables, sizeof(**tables), compare_tables);
    }
    return out;
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
        return db_fail(db, err, table);
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
        return db_fail(db, err, table);
    struct names key = {0}, cols = {0};
    enum pt_status rc = key_of(db, "src_new", table, &key, err);
    if (rc == PT_OK) {
        char *sql = pt_xasprintf("SELECT name FROM pragma_table_info(?1, 'src_new') ORDER BY cid");
        rc = collect(db, sql, table, &cols, err);
        free(sql);
    }
    if (rc != PT_OK) {
        names_free(&key);
        names_free(&cols);
        return rc;
    }
    n->ncol = (int)cols.n;
    n->nkey = (int)key.n;
    if (key.n == 0) {
        /* No key, no changeset: pt_changeset_incompatible() sees to these tables. */
        names_free(&key);
        names_free(&cols);
        return PT_OK;
    }
    n->key = pt_xcalloc(key.n ? key.n : 1, sizeof(int));
    char *order = pt_xstrdup(""), *marks = pt_xstrdup("");
    for (size_t i = 0; i < key.n; i++) {
        for (size_t j = 0; j < cols.n; j++)
            if (strcmp(key.items[i], cols.items[j]) == 0)
                n->key[i] = (int)j;
        char *q = quoted(key.items[i]);
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
    char *t = quoted(table);
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
    names_free(&key);
    names_free(&cols);
    return ok ? PT_OK : db_fail(db, err, table);
}

static void narrow_free(struct narrow *n)
{
    sqlite3_finalize(n->fresh);
    sqlite3_finalize(n->prior);
    sqlite3_finalize(n->into_fresh);
    sqlite3_finalize(n->into_prior);
    free(n->key);
}

/*
 * The two databases narrowed to the rows that differ: one merge of each
 * table in key order copies, into two in-memory databases ("main" the
 * new side, "old" the prior), every row that only one side has or that
 * differs. A changeset between those is the changeset between the files,
 * and sqlite3session_diff then looks at a few rows, not at every row
 * three times. Memory follows the size of the change.
 */
static sqlite3 *open_narrowed(const char *old_db, const char *new_db, struct names *differ,
                              struct pt_error *err)
{
    sqlite3 *db = open_db(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err);
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
        db_fail(db, err, old_db);
        sqlite3_close(db);
        return NULL;
    }
    struct names tables = {0};
    enum pt_status rc = tables_of(db, "src_new", &tables, err);
    for (size_t i = 0; rc == PT_OK && i < tables.n; i++) {
        struct narrow n;
        rc = narrow_prepare(db, tables.items[i], &n, err);
        if (rc == PT_OK && n.nkey)
            rc = narrow_rows(db, &n, tables.items[i], err);
        if (rc == PT_OK && n.any)
            names_push(differ, tables.items[i]);
        narrow_free(&n);
    }
    names_free(&tables);
    if (rc == PT_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(db, err, new_db);
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
    struct names names = {0};
    sqlite3 *db = open_narrowed(old_db, new_db, &names, err);
    if (!db)
        return PT_EFAIL;
    sqlite3_session *session = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3session_create(db, "main", &session) != SQLITE_OK)
        rc = db_fail(db, err, _("cannot start a session"));
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
        names_free(&names);
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
    names_free(&names);
    if (rc == PT_OK)
        rc = pt_changeset_count(dest, tables, n_tables, err);
    for (size_t i = 0; rc == PT_OK && i < *n_tables; i++) {
        struct names cols = {0};
        rc = columns_of(db, (*tables)[i].name, &cols, err);
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

static json_t *sequence_of(sqlite3 *db)
{
    json_t *out = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT name, seq FROM sqlite_sequence ORDER BY name", -1, &st,
                           NULL) != SQLITE_OK)
        return out; /* no AUTOINCREMENT table: no sqlite_sequence */
    while (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(st, 0);
        json_array_append_new(out, json_pack("[s, I]", name ? (const char *)name : "",
                                             (json_int_t)sqlite3_column_int64(st, 1)));
    }
    sqlite3_finalize(st);
    return out;
}

static int64_t count_rows(sqlite3 *db, const char *table, struct pt_error *err)
{
    char *q = quoted(table);
    char *sql = pt_xasprintf("SELECT count(*) FROM %s", q);
    free(q);
    sqlite3_stmt *st;
    int64_t rows = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        rows = sqlite3_column_int64(st, 0);
    else
        db_fail(db, err, table);
    sqlite3_finalize(st);
    free(sql);
    return rows;
}

static void hash_value(EVP_MD_CTX *md, sqlite3_value *v)
{
    unsigned char type = (unsigned char)(v ? sqlite3_value_type(v) : SQLITE_NULL);
    EVP_DigestUpdate(md, &type, 1);
    unsigned char word[8];
    uint64_t x = 0;
    const void *data = NULL;
    if (type == SQLITE_NULL)
        return;
    if (type == SQLITE_INTEGER) {
        x = (uint64_t)sqlite3_value_int64(v);
    } else if (type == SQLITE_FLOAT) {
        double d = sqlite3_value_double(v);
        memcpy(&x, &d, sizeof(x));
    } else {
        data = type == SQLITE_TEXT ? (const void *)sqlite3_value_text(v) : sqlite3_value_blob(v);
        x = (uint64_t)sqlite3_value_bytes(v);
    }
    for (int b = 0; b < 8; b++)
        word[b] = (unsigned char)(x >> (56 - 8 * b));
    EVP_DigestUpdate(md, word, 8);
    if (data && x)
        EVP_DigestUpdate(md, data, (size_t)x);
}

/*
 * SHA-256 of every row a changeset names, as db holds it: looked up by
 * its key in the changeset's order, each value as its type, length and
 * bytes, a row db lacks as one byte 0xff. What the capture saw after the
 * change, and what a rebuilt chain must hold again.
 */
static enum pt_status changed_hash(sqlite3 *db, const char *file, char hex[PT_SHA256_HEX],
                                   struct pt_error *err)
{
    struct stream_in in;
    if (stream_in_open(&in, file, err) != PT_OK)
        return PT_EFAIL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    sqlite3_changeset_iter *it = NULL;
    sqlite3_stmt *lookup = NULL;
    char *table = NULL;
    enum pt_status out = PT_OK;
    int rc = sqlite3changeset_start_strm(&it, stream_in_read, &in);
    while (out == PT_OK && rc == SQLITE_OK && (rc = sqlite3changeset_next(it)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        const char *name;
        int ncol, op, indirect;
        sqlite3changeset_op(it, &name, &ncol, &op, &indirect);
        unsigned char *pk;
        int npk;
        sqlite3changeset_pk(it, &pk, &npk);
        if (!table || strcmp(table, name) != 0) {
            sqlite3_finalize(lookup);
            lookup = NULL;
            free(table);
            table = pt_xstrdup(name);
            struct names cols = {0};
            if (columns_of(db, name, &cols, err) != PT_OK || (int)cols.n != ncol) {
                names_free(&cols);
                out = pt_error_set(err, PT_EFAIL, _("table %s was not recorded"), name);
                break;
            }
            char *where = pt_xstrdup("");
            for (int i = 0, k = 0; i < ncol; i++) {
                if (!pk[i])
                    continue;
                char *q = quoted(cols.items[i]);
                char *next = pt_xasprintf("%s%s%s IS ?%d", where, k ? " AND " : "", q, k + 1);
                free(q);
                free(where);
                where = next;
                k++;
            }
            names_free(&cols);
            char *t = quoted(name);
            char *sql = pt_xasprintf("SELECT * FROM %s WHERE %s", t, where);
            free(t);
            free(where);
            if (sqlite3_prepare_v2(db, sql, -1, &lookup, NULL) != SQLITE_OK)
                out = db_fail(db, err, name);
            free(sql);
            if (out != PT_OK)
                break;
        }
        for (int i = 0, k = 0; i < ncol; i++) {
            if (!pk[i])
                continue;
            sqlite3_value *v = NULL;
            if (op == SQLITE_INSERT)
                sqlite3changeset_new(it, i, &v);
            else
                sqlite3changeset_old(it, i, &v);
            sqlite3_bind_value(lookup, ++k, v);
        }
        int step = sqlite3_step(lookup);
        if (step == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(lookup); i++)
                hash_value(md, sqlite3_column_value(lookup, i));
        } else if (step == SQLITE_DONE) {
            unsigned char none = 0xff;
            EVP_DigestUpdate(md, &none, 1);
        } else {
            out = db_fail(db, err, name);
        }
        sqlite3_reset(lookup);
        sqlite3_clear_bindings(lookup);
    }
    sqlite3_finalize(lookup);
    free(table);
    int fin = it ? sqlite3changeset_finalize(it) : SQLITE_OK;
    if (rc == SQLITE_DONE)
        rc = fin;
    enum pt_status closed = stream_in_close(&in, file, NULL, out == PT_OK ? rc : SQLITE_OK, err);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    if (out == PT_OK && closed == PT_OK)
        pt_sha256_hex(digest, hex);
    return out != PT_OK ? out : closed;
}

json_t *pt_changeset_state(const char *path, const char *changeset, struct pt_error *err)
{
    sqlite3 *db = open_db(path, SQLITE_OPEN_READONLY, err);
    if (!db)
        return NULL;
    struct names names = {0};
    enum pt_status rc = tables_of(db, "main", &names, err);
    json_t *tables = json_object();
    for (size_t i = 0; rc == PT_OK && i < names.n; i++) {
        int64_t rows = count_rows(db, names.items[i], err);
        if (rows < 0)
            rc = PT_EFAIL;
        json_object_set_new(tables, names.items[i], json_pack("{s:I}", "rows", (json_int_t)rows));
    }
    names_free(&names);
    json_t *state = NULL;
    char hex[PT_SHA256_HEX];
    if (rc == PT_OK && changeset)
        rc = changed_hash(db, changeset, hex, err);
    if (rc == PT_OK) {
        state = json_pack("{s:o, s:o}", "tables", tables, "sqlite_sequence", sequence_of(db));
        if (changeset)
            json_object_set_new(state, "changed_sha256", json_string(hex));
    } else {
        json_decref(tables);
    }
    sqlite3_close(db);
    return state;
}

enum pt_status pt_changeset_state_check(const char *path, const json_t *state,
                                        const char *changeset, struct pt_error *err)
{
    json_t *tables = json_object_get(state, "tables");
    if (!json_is_object(tables))
        return pt_error_set(err, PT_EFAIL, _("the recorded state is damaged"));
    sqlite3 *db = open_db(path, SQLITE_OPEN_READONLY, err);
    if (!db)
        return PT_EFAIL;
    struct names names = {0};
    enum pt_status rc = tables_of(db, "main", &names, err);
    if (rc == PT_OK && names.n != json_object_size(tables))
        rc = pt_error_set(err, PT_EFAIL, _("%zu tables where %zu were recorded"), names.n,
                          json_object_size(tables));
    for (size_t i = 0; rc == PT_OK && i < names.n; i++) {
        json_t *t = json_object_get(tables, names.items[i]);
        if (!t) {
            rc = pt_error_set(err, PT_EFAIL, _("table %s was not recorded"), names.items[i]);
            break;
        }
        int64_t rows = count_rows(db, names.items[i], err);
        if (rows < 0)
            rc = PT_EFAIL;
        else if (rows != json_integer_value(json_object_get(t, "rows")))
            rc = pt_error_set(err, PT_EFAIL, _("table %s has %lld rows where %lld were recorded"),
                              names.items[i], (long long)rows,
                              (long long)json_integer_value(json_object_get(t, "rows")));
    }
    names_free(&names);
    json_t *seq = json_object_get(state, "sqlite_sequence");
    if (rc == PT_OK && seq) {
        json_t *now = sequence_of(db);
        if (!json_equal(now, seq))
            rc = pt_error_set(err, PT_EFAIL, _("sqlite_sequence differs from what was recorded"));
        json_decref(now);
    }
    const char *want = json_string_value(json_object_get(state, "changed_sha256"));
    if (rc == PT_OK && want && changeset) {
        char hex[PT_SHA256_HEX];
        rc = changed_hash(db, changeset, hex, err);
        if (rc == PT_OK && strcmp(hex, want) != 0)
            rc = pt_error_set(err, PT_EFAIL,
                              _("the rows it changed differ from those recorded after it"));
    }
    sqlite3_close(db);
    return rc;
}

/* Any row that is not as the changeset recorded it stops the whole apply. */
static int on_conflict(void *user, int kind, sqlite3_changeset_iter *it)
{
    (void)it;
    *(int *)user = kind;
    return SQLITE_CHANGESET_ABORT;
}

static bool exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static bool set_sequence(sqlite3 *db, const json_t *seq)
{
    if (!json_is_array(seq))
        return true;
    sqlite3_stmt *st = NULL;
    bool has = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_sequence", -1, &st, NULL) == SQLITE_OK;
    sqlite3_finalize(st);
    if (!has)
        return json_array_size(seq) == 0;
    if (!exec(db, "DELETE FROM sqlite_sequence") ||
        sqlite3_prepare_v2(db, "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    bool ok = true;
    size_t i;
    json_t *row;
    json_array_foreach(seq, i, row)
    {
        sqlite3_bind_text(st, 1, json_string_value(json_array_get(row, 0)), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, json_integer_value(json_array_get(row, 1)));
        ok = ok && sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return ok;
}

enum pt_status pt_changeset_apply(const char *path, const char *file, const json_t *state,
                                  struct pt_error *err)
{
    sqlite3 *db = open_db(path, SQLITE_OPEN_READWRITE, err);
    if (!db)
        return PT_EFAIL;
    enum pt_status rc = PT_OK;
    if (!exec(db, "BEGIN IMMEDIATE"))
        rc = db_fail(db, err, path);
    struct stream_in in;
    if (rc == PT_OK && (rc = stream_in_open(&in, file, err)) == PT_OK) {
        int conflict = 0;
        int s = sqlite3changeset_apply_strm(db, stream_in_read, &in, NULL, on_conflict, &conflict);
        if (conflict && !in.failed) {
            pt_error_clear(&in.err);
            pt_unpack_close(in.unpack);
            close(in.fd);
            rc = pt_error_set(err, PT_EFAIL,
                              _("%s does not fit the state it is applied to (a row is not as it "
                                "recorded)"),
                              file);
        } else {
            rc = stream_in_close(&in, file, db, s == SQLITE_OK ? SQLITE_OK : s, err);
        }
    }
    if (rc == PT_OK && !set_sequence(db, json_object_get(state, "sqlite_sequence")))
        rc = db_fail(db, err, path);
    if (rc == PT_OK && !exec(db, "COMMIT"))
        rc = db_fail(db, err, path);
    if (rc != PT_OK)
        exec(db, "ROLLBACK");
    sqlite3_close(db);
    return rc;
}

static json_t *value_json(sqlite3_value *v)
{
    if (!v)
        return json_null();
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        return json_integer((json_int_t)sqlite3_value_int64(v));
    case SQLITE_FLOAT:
        return json_real(sqlite3_value_double(v));
    case SQLITE_TEXT: {
        json_t *s =
            json_stringn((const char *)sqlite3_value_text(v), (size_t)sqlite3_value_bytes(v));
        return s ? s : json_string("?");
    }
    case SQLITE_BLOB: {
        int n = sqlite3_value_bytes(v);
        const unsigned char *b = sqlite3_value_blob(v);
        char *hex = pt_xmalloc((size_t)n * 2 + 4);
        strcpy(hex, "x'");
        for (int i = 0; i < n; i++)
            sprintf(hex + 2 + 2 * i, "%02x", b[i]);
        strcat(hex, "'");
        json_t *s = json_string(hex);
        free(hex);
        return s;
    }
    default:
        return json_null();
    }
}

enum pt_status pt_changeset_rows(const char *file, const struct pt_change_table *tables,
                                 size_t n_tables, const char *table, pt_change_row_fn fn,
                                 void *user, struct pt_error *err)
{
    struct stream_in in;
    if (stream_in_open(&in, file, err) != PT_OK)
        return PT_EFAIL;
    sqlite3_changeset_iter *it = NULL;
    enum pt_status out = PT_OK;
    const char **changed = NULL;
    int rc = sqlite3changeset_start_strm(&it, stream_in_read, &in);
    while (out == PT_OK && rc == SQLITE_OK && (rc = sqlite3changeset_next(it)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        const char *name;
        int ncol, op, indirect;
        sqlite3changeset_op(it, &name, &ncol, &op, &indirect);
        if (table && strcmp(table, name) != 0)
            continue;
        const struct pt_change_table *t = NULL;
        for (size_t i = 0; i < n_tables; i++)
            if (strcmp(tables[i].name, name) == 0)
                t = &tables[i];
        unsigned char *pk;
        int npk;
        sqlite3changeset_pk(it, &pk, &npk);
        json_t *key = json_array();
        changed = pt_xrealloc(changed, (size_t)(ncol + 1) * sizeof(*changed));
        size_t n_changed = 0;
        for (int i = 0; i < ncol; i++) {
            sqlite3_value *v = NULL;
            if (pk[i]) {
                if (op == SQLITE_INSERT)
                    sqlite3changeset_new(it, i, &v);
                else
                    sqlite3changeset_old(it, i, &v);
                json_array_append_new(key, value_json(v));
            } else if (op == SQLITE_UPDATE && sqlite3changeset_new(it, i, &v) == SQLITE_OK && v) {
                changed[n_changed++] = t && (size_t)i < t->n_columns ? t->columns[i] : "?";
            }
        }
        struct pt_change_row row = {
            .table = name,
            .op = op == SQLITE_INSERT   ? "insert"
                  : op == SQLITE_UPDATE ? "update"
                                        : "delete",
            .key = key,
            .columns = changed,
            .n_columns = n_changed,
        };
        out = fn(&row, user, err);
        json_decref(key);
    }
    free(changed);
    int fin = it ? sqlite3changeset_finalize(it) : SQLITE_OK;
    if (rc == SQLITE_DONE)
        rc = fin;
    enum pt_status closed = stream_in_close(&in, file, NULL, out == PT_OK ? rc : SQLITE_OK, err);
    return out != PT_OK ? out : closed;
}

void pt_change_tables_free(struct pt_change_table *tables, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(tables[i].name);
        for (size_t j = 0; j < tables[i].n_columns; j++)
            free(tables[i].columns[j]);
        free(tables[i].columns);
    }
    free(tables);
}

bool pt_changeset_same_sequence(const char *a, const char *b)
{
    sqlite3 *x = open_db(a, SQLITE_OPEN_READONLY, NULL),
            *y = open_db(b, SQLITE_OPEN_READONLY, NULL);
    bool same = false;
    if (x && y) {
        json_t *sx = sequence_of(x), *sy = sequence_of(y);
        same = json_equal(sx, sy);
        json_decref(sx);
        json_decref(sy);
    }
    sqlite3_close(x);
    sqlite3_close(y);
    return same;
}

enum pt_status pt_changeset_write_empty(const char *dest, int level, char hex[PT_SHA256_HEX],
                                        int64_t *size, struct pt_error *err)
{
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, dest, err);
    if (rc != PT_OK)
        return rc;
    struct pt_zstd_writer *z = pt_zstd_writer_new(&w, level);
    rc = pt_zstd_writer_end(z, err);
    pt_zstd_writer_free(z);
    if (rc == PT_OK)
        return pt_file_writer_close(&w, hex, size, err);
    pt_file_writer_abort(&w);
    return rc;
}

bool pt_changeset_same_file(const char *a, const char *b)
{
    int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
    struct stat sa, sb;
    bool same = fa >= 0 && fb >= 0 && fstat(fa, &sa) == 0 && fstat(fb, &sb) == 0 &&
                sa.st_size == sb.st_size;
    enum { CHUNK = 1 << 20 };
    unsigned char *x = same ? pt_xmalloc(CHUNK) : NULL, *y = same ? pt_xmalloc(CHUNK) : NULL;
    while (same) {
        ssize_t n = read(fa, x, CHUNK), m = n > 0 ? read(fb, y, (size_t)n) : 0;
        if (n <= 0) {
            same = n == 0;
            break;
        }
        same = m == n && memcmp(x, y, (size_t)n) == 0;
    }
    free(x);
    free(y);
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    return same;
}
