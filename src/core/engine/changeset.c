// SPDX-License-Identifier: GPL-3.0-or-later
/* Changesets between database files, through SQLite's session extension (docs/changes.md):
   the helpers the other changeset-*.c share, reading a stored changeset back (its counts, its rows)
 */
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

#define BUSY_TIMEOUT_MS 30000

enum pt_status pt_changeset_db_fail(sqlite3 *db, struct pt_error *err, const char *what)
{
    return pt_error_set(err, PT_EFAIL, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

sqlite3 *pt_changeset_open_db(const char *path, int flags, struct pt_error *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        pt_changeset_db_fail(db, err, path);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    return db;
}

/* "name" quoted as an SQL identifier. */
char *pt_changeset_quoted(const char *name)
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

void pt_changeset_names_free(struct pt_changeset_names *names)
{
    for (size_t i = 0; i < names->n; i++)
        free(names->items[i]);
    free(names->items);
    names->items = NULL;
    names->n = 0;
}

void pt_changeset_names_push(struct pt_changeset_names *names, const char *s)
{
    names->items = pt_xrealloc(names->items, (names->n + 1) * sizeof(*names->items));
    names->items[names->n++] = pt_xstrdup(s);
}

enum pt_status pt_changeset_collect(sqlite3 *db, const char *sql, const char *bind,
                                    struct pt_changeset_names *out, struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return pt_changeset_db_fail(db, err, _("cannot read the schema"));
    if (bind)
        sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        pt_changeset_names_push(out, t ? (const char *)t : "");
    }
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? PT_OK : pt_changeset_db_fail(db, err, _("cannot read the schema"));
}

/* The ordinary tables of schema (main, old) whose changes a changeset carries. */
enum pt_status pt_changeset_tables_of(sqlite3 *db, const char *schema,
                                      struct pt_changeset_names *out, struct pt_error *err)
{
    char *sql = pt_xasprintf("SELECT name FROM %s.sqlite_schema WHERE type = 'table' AND name NOT "
                             "LIKE 'sqlite\\_%%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%%' "
                             "ORDER BY name",
                             schema);
    enum pt_status rc = pt_changeset_collect(db, sql, NULL, out, err);
    free(sql);
    return rc;
}

/* The primary key's columns of a table, in key order. */
enum pt_status pt_changeset_key_of(sqlite3 *db, const char *schema, const char *table,
                                   struct pt_changeset_names *out, struct pt_error *err)
{
    char *sql = pt_xasprintf(
        "SELECT name FROM pragma_table_info(?1, '%s') WHERE pk > 0 ORDER BY pk", schema);
    enum pt_status rc = pt_changeset_collect(db, sql, table, out, err);
    free(sql);
    return rc;
}

enum pt_status pt_changeset_columns_of(sqlite3 *db, const char *table,
                                       struct pt_changeset_names *out, struct pt_error *err)
{
    return pt_changeset_collect(db, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", table,
                                out, err);
}

int pt_changeset_stream_read(void *user, void *data, int *len)
{
    struct pt_changeset_stream *in = user;
    ssize_t n = pt_unpack_read(in->unpack, data, (size_t)*len, &in->err);
    if (n < 0) {
        in->failed = true;
        *len = 0;
        return SQLITE_IOERR;
    }
    *len = (int)n;
    return SQLITE_OK;
}

enum pt_status pt_changeset_stream_open(struct pt_changeset_stream *in, const char *file,
                                        struct pt_error *err)
{
    memset(in, 0, sizeof(*in));
    in->fd = open(file, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), file, strerror(errno));
    in->unpack = pt_unpack_open(PT_COMPRESSION_ZSTD, pt_source_fd, &in->fd);
    return PT_OK;
}

/* The stream's own failure when it had one, else SQLite's. */
enum pt_status pt_changeset_stream_close(struct pt_changeset_stream *in, const char *file,
                                         sqlite3 *db, int rc, struct pt_error *err)
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
    struct pt_changeset_stream in;
    if (pt_changeset_stream_open(&in, file, err) != PT_OK)
        return PT_EFAIL;
    sqlite3_changeset_iter *it = NULL;
    int rc = sqlite3changeset_start_strm(&it, pt_changeset_stream_read, &in);
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
    enum pt_status out = pt_changeset_stream_end(&in, file, it, rc, PT_OK, err);
    if (out != PT_OK) {
        pt_change_tables_free(*tables, *n_tables);
        *tables = NULL;
        *n_tables = 0;
    } else if (*n_tables > 1) {
        qsort(*tables, *n_tables, sizeof(**tables), compare_tables);
    }
    return out;
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
    struct pt_changeset_stream in;
    if (pt_changeset_stream_open(&in, file, err) != PT_OK)
        return PT_EFAIL;
    sqlite3_changeset_iter *it = NULL;
    enum pt_status out = PT_OK;
    const char **changed = NULL;
    int rc = sqlite3changeset_start_strm(&it, pt_changeset_stream_read, &in);
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
    return pt_changeset_stream_end(&in, file, it, rc, out, err);
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

enum pt_status pt_changeset_stream_end(struct pt_changeset_stream *in, const char *file,
                                       struct sqlite3_changeset_iter *it, int rc,
                                       enum pt_status out, struct pt_error *err)
{
    int fin = it ? sqlite3changeset_finalize(it) : SQLITE_OK;
    if (rc == SQLITE_DONE)
        rc = fin;
    enum pt_status closed =
        pt_changeset_stream_close(in, file, NULL, out == PT_OK ? rc : SQLITE_OK, err);
    return out != PT_OK ? out : closed;
}
