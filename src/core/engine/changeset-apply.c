// SPDX-License-Identifier: GPL-3.0-or-later
/* Applying a changeset, and the state before and after it that an apply checks first. */
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
    char *q = pt_changeset_quoted(table);
    char *sql = pt_xasprintf("SELECT count(*) FROM %s", q);
    free(q);
    sqlite3_stmt *st;
    int64_t rows = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        rows = sqlite3_column_int64(st, 0);
    else
        pt_changeset_db_fail(db, err, table);
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
    struct pt_changeset_stream in;
    if (pt_changeset_stream_open(&in, file, err) != PT_OK)
        return PT_EFAIL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    sqlite3_changeset_iter *it = NULL;
    sqlite3_stmt *lookup = NULL;
    char *table = NULL;
    enum pt_status out = PT_OK;
    int rc = sqlite3changeset_start_strm(&it, pt_changeset_stream_read, &in);
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
            struct pt_changeset_names cols = {0};
            if (pt_changeset_columns_of(db, name, &cols, err) != PT_OK || (int)cols.n != ncol) {
                pt_changeset_names_free(&cols);
                out = pt_error_set(err, PT_EFAIL, _("table %s was not recorded"), name);
                break;
            }
            char *where = pt_xstrdup("");
            for (int i = 0, k = 0; i < ncol; i++) {
                if (!pk[i])
                    continue;
                char *q = pt_changeset_quoted(cols.items[i]);
                char *next = pt_xasprintf("%s%s%s IS ?%d", where, k ? " AND " : "", q, k + 1);
                free(q);
                free(where);
                where = next;
                k++;
            }
            pt_changeset_names_free(&cols);
            char *t = pt_changeset_quoted(name);
            char *sql = pt_xasprintf("SELECT * FROM %s WHERE %s", t, where);
            free(t);
            free(where);
            if (sqlite3_prepare_v2(db, sql, -1, &lookup, NULL) != SQLITE_OK)
                out = pt_changeset_db_fail(db, err, name);
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
            out = pt_changeset_db_fail(db, err, name);
        }
        sqlite3_reset(lookup);
        sqlite3_clear_bindings(lookup);
    }
    sqlite3_finalize(lookup);
    free(table);
    out = pt_changeset_stream_end(&in, file, it, rc, out, err);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    if (out == PT_OK)
        pt_sha256_hex(digest, hex);
    return out;
}

json_t *pt_changeset_state(const char *path, const char *changeset, struct pt_error *err)
{
    sqlite3 *db = pt_changeset_open_db(path, SQLITE_OPEN_READONLY, err);
    if (!db)
        return NULL;
    struct pt_changeset_names names = {0};
    enum pt_status rc = pt_changeset_tables_of(db, "main", &names, err);
    json_t *tables = json_object();
    for (size_t i = 0; rc == PT_OK && i < names.n; i++) {
        int64_t rows = count_rows(db, names.items[i], err);
        if (rows < 0)
            rc = PT_EFAIL;
        json_object_set_new(tables, names.items[i], json_pack("{s:I}", "rows", (json_int_t)rows));
    }
    pt_changeset_names_free(&names);
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
    sqlite3 *db = pt_changeset_open_db(path, SQLITE_OPEN_READONLY, err);
    if (!db)
        return PT_EFAIL;
    struct pt_changeset_names names = {0};
    enum pt_status rc = pt_changeset_tables_of(db, "main", &names, err);
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
    pt_changeset_names_free(&names);
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
    sqlite3 *db = pt_changeset_open_db(path, SQLITE_OPEN_READWRITE, err);
    if (!db)
        return PT_EFAIL;
    enum pt_status rc = PT_OK;
    if (!exec(db, "BEGIN IMMEDIATE"))
        rc = pt_changeset_db_fail(db, err, path);
    struct pt_changeset_stream in;
    if (rc == PT_OK && (rc = pt_changeset_stream_open(&in, file, err)) == PT_OK) {
        int conflict = 0;
        int s = sqlite3changeset_apply_strm(db, pt_changeset_stream_read, &in, NULL, on_conflict,
                                            &conflict);
        if (conflict && !in.failed) {
            pt_error_clear(&in.err);
            pt_unpack_close(in.unpack);
            close(in.fd);
            rc = pt_error_set(err, PT_EFAIL,
                              _("%s does not fit the state it is applied to (a row is not as it "
                                "recorded)"),
                              file);
        } else {
            rc = pt_changeset_stream_close(&in, file, db, s == SQLITE_OK ? SQLITE_OK : s, err);
        }
    }
    if (rc == PT_OK && !set_sequence(db, json_object_get(state, "sqlite_sequence")))
        rc = pt_changeset_db_fail(db, err, path);
    if (rc == PT_OK && !exec(db, "COMMIT"))
        rc = pt_changeset_db_fail(db, err, path);
    if (rc != PT_OK)
        exec(db, "ROLLBACK");
    sqlite3_close(db);
    return rc;
}

bool pt_changeset_same_sequence(const char *a, const char *b)
{
    sqlite3 *x = pt_changeset_open_db(a, SQLITE_OPEN_READONLY, NULL),
            *y = pt_changeset_open_db(b, SQLITE_OPEN_READONLY, NULL);
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
