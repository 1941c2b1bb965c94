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

enum pt_status pt_changeset_diff(const char *old_db, const char *new_db, const char *dest,
                                 int level, bool *empty, char hex[PT_SHA256_HEX], int64_t *size,
                                 struct pt_change_table **tables, size_t *n_tables,
                                 struct pt_error *err)
{
    *empty = false;
    *tables = NULL;
    *n_tables = 0;
    sqlite3 *db = open_pair(old_db, new_db, err);
    if (!db)
        return PT_EFAIL;
    struct names names = {0};
    sqlite3_session *session = NULL;
    enum pt_status rc = tables_of(db, "main", &names, err);
    if (rc == PT_OK && sqlite3session_create(db, "main", &session) != SQLITE_OK)
        rc = db_fail(db, err, _("cannot start a session"));
    for (size_t i = 0; rc == PT_OK && i < names.n; i++) {
        char *why = NULL;
        if (sqlite3session_attach(session, names.items[i]) != SQLITE_OK ||
            sqlite3session_diff(session, "old", names.items[i], &why) != SQLITE_OK)
            rc = pt_error_set(err, PT_EFAIL, _("cannot compare table %s: %s"), names.items[i],
                              why ? why : sqlite3_errmsg(db));
        sqlite3_free(why);
    }
    names_free(&names);
    if (rc == PT_OK && sqlite3session_isempty(session)) {
        *empty = true;
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

static bool touched_by(const struct pt_change_table *touched, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(touched[i].name, name) == 0)
            return true;
    return false;
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

json_t *pt_changeset_state(const char *path, const struct pt_change_table *touched, size_t n,
                           bool all, struct pt_error *err)
{
    sqlite3 *db = open_db(path, SQLITE_OPEN_READONLY, err);
    if (!db)
        return NULL;
    struct names names = {0};
    enum pt_status rc = tables_of(db, "main", &names, err);
    json_t *tables = json_object();
    for (size_t i = 0; rc == PT_OK && i < names.n; i++) {
        const char *name = names.items[i];
        json_t *t = json_object();
        int64_t rows = 0;
        if (all || touched_by(touched, n, name)) {
            char hex[PT_SHA256_HEX];
            rc = table_hash(db, "main", name, hex, &rows, err);
            if (rc == PT_OK)
                json_object_set_new(t, "sha256", json_string(hex));
        } else {
            char *q = quoted(name);
            char *sql = pt_xasprintf("SELECT count(*) FROM %s", q);
            free(q);
            sqlite3_stmt *st;
            if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW)
                rows = sqlite3_column_int64(st, 0);
            else
                rc = db_fail(db, err, name);
            sqlite3_finalize(st);
            free(sql);
        }
        json_object_set_new(t, "rows", json_integer(rows));
        json_object_set_new(tables, name, t);
    }
    names_free(&names);
    json_t *state = NULL;
    if (rc == PT_OK)
        state = json_pack("{s:o, s:o}", "tables", tables, "sqlite_sequence", sequence_of(db));
    else
        json_decref(tables);
    sqlite3_close(db);
    return state;
}

enum pt_status pt_changeset_state_check(const char *path, const json_t *state, struct pt_error *err)
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
        const char *want = json_string_value(json_object_get(t, "sha256"));
        int64_t rows = 0;
        char hex[PT_SHA256_HEX];
        if (want) {
            rc = table_hash(db, "main", names.items[i], hex, &rows, err);
        } else {
            char *q = quoted(names.items[i]);
            char *sql = pt_xasprintf("SELECT count(*) FROM %s", q);
            free(q);
            sqlite3_stmt *st;
            if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW)
                rows = sqlite3_column_int64(st, 0);
            else
                rc = db_fail(db, err, names.items[i]);
            sqlite3_finalize(st);
            free(sql);
        }
        if (rc != PT_OK)
            break;
        if (rows != json_integer_value(json_object_get(t, "rows")))
            rc = pt_error_set(err, PT_EFAIL, _("table %s has %lld rows where %lld were recorded"),
                              names.items[i], (long long)rows,
                              (long long)json_integer_value(json_object_get(t, "rows")));
        else if (want && strcmp(want, hex) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("the rows of table %s differ from those recorded"),
                              names.items[i]);
    }
    names_free(&names);
    json_t *seq = json_object_get(state, "sqlite_sequence");
    if (rc == PT_OK && seq) {
        json_t *now = sequence_of(db);
        if (!json_equal(now, seq))
            rc = pt_error_set(err, PT_EFAIL, _("sqlite_sequence differs from what was recorded"));
        json_decref(now);
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
