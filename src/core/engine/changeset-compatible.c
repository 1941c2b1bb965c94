// SPDX-License-Identifier: GPL-3.0-or-later
/* Whether two databases can be diffed by a changeset: the same schema, and no changed table without
 * a key. */
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
        pt_changeset_db_fail(db, err, _("cannot read the schema"));
    }
    sqlite3_finalize(st);
    free(sql);
    return text;
}

/* Opens new_db with old_db attached as "old". */
static sqlite3 *open_pair(const char *old_db, const char *new_db, struct pt_error *err)
{
    sqlite3 *db = pt_changeset_open_db(new_db, SQLITE_OPEN_READONLY, err);
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
        pt_changeset_db_fail(db, err, old_db);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* SHA-256 of a table's rows in key order (rowid order when it has no key). */
static enum pt_status table_hash(sqlite3 *db, const char *schema, const char *table,
                                 char hex[PT_SHA256_HEX], int64_t *rows, struct pt_error *err)
{
    struct pt_changeset_names key = {0};
    enum pt_status rc = pt_changeset_key_of(db, schema, table, &key, err);
    if (rc != PT_OK)
        return rc;
    char *order = pt_xstrdup(key.n ? "" : "rowid");
    for (size_t i = 0; i < key.n; i++) {
        char *q = pt_changeset_quoted(key.items[i]);
        char *next = pt_xasprintf("%s%s%s", order, i ? ", " : "", q);
        free(q);
        free(order);
        order = next;
    }
    pt_changeset_names_free(&key);
    char *t = pt_changeset_quoted(table);
    char *sql = pt_xasprintf("SELECT * FROM %s.%s ORDER BY %s", schema, t, order);
    free(t);
    free(order);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        free(sql);
        return pt_changeset_db_fail(db, err, table);
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
        return pt_changeset_db_fail(db, err, table);
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
    struct pt_changeset_names tables = {0};
    if (rc == PT_OK && !*reason)
        rc = pt_changeset_tables_of(db, "main", &tables, err);
    for (size_t i = 0; rc == PT_OK && !*reason && i < tables.n; i++) {
        struct pt_changeset_names key = {0};
        rc = pt_changeset_key_of(db, "main", tables.items[i], &key, err);
        bool keyless = rc == PT_OK && key.n == 0;
        pt_changeset_names_free(&key);
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
    pt_changeset_names_free(&tables);
    sqlite3_close(db);
    return rc;
}
