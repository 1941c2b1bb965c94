// SPDX-License-Identifier: GPL-3.0-or-later
/* One digest per table of what its fixture's bytes depend on, from the snapshot's pages. */
#include "engine/table-digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

/* One b-tree whose pages are hashed: a fixture table's own, or a many-to-many table's. */
struct btree {
    const char *name;
    EVP_MD_CTX *md;
    unsigned char digest[EVP_MAX_MD_SIZE];
};

struct digests {
    struct btree *trees;
    size_t n, cap;
};

static struct btree *tree_find(struct digests *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->trees[i].name, name) == 0)
            return &d->trees[i];
    return NULL;
}

static void tree_add(struct digests *d, const char *name)
{
    if (tree_find(d, name))
        return;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->trees = pt_xrealloc(d->trees, d->cap * sizeof(*d->trees));
    }
    struct btree *t = &d->trees[d->n++];
    memset(t, 0, sizeof(*t));
    t->name = name;
    t->md = EVP_MD_CTX_new();
    if (!t->md || EVP_DigestInit_ex(t->md, EVP_sha256(), NULL) != 1)
        abort(); /* as an allocation failure */
}

/* A value with its length before it: no two different lists hash alike. */
static void put(EVP_MD_CTX *md, const void *data, size_t len)
{
    uint64_t n = len;
    EVP_DigestUpdate(md, &n, sizeof(n));
    EVP_DigestUpdate(md, data, len);
}

static void put_str(EVP_MD_CTX *md, const char *s)
{
    put(md, s ? s : "", s ? strlen(s) : 0);
    EVP_DigestUpdate(md, s ? "s" : "n", 1);
}

static void put_int(EVP_MD_CTX *md, int64_t v)
{
    put(md, &v, sizeof(v));
}

/* Every page of every b-tree wanted, in dbstat's order (root first, then down). */
static enum pt_status hash_pages(sqlite3 *db, int fd, int64_t page_size, struct digests *d,
                                 struct pt_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT name, pageno FROM dbstat", -1, &st, NULL) != SQLITE_OK)
        return pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"),
                            sqlite3_errmsg(db));
    unsigned char *page = pt_xmalloc((size_t)page_size);
    struct btree *last = NULL;
    enum pt_status rc = PT_OK;
    int step;
    while (rc == PT_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int64_t pageno = sqlite3_column_int64(st, 1);
        if (!name)
            continue;
        if (!last || strcmp(last->name, name) != 0)
            last = tree_find(d, name);
        if (!last)
            continue;
        ssize_t got = pread(fd, page, (size_t)page_size, (off_t)((pageno - 1) * page_size));
        if (got != page_size)
            rc = pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"),
                              got < 0 ? strerror(errno) : _("cut short"));
        else
            put(last->md, page, (size_t)page_size);
    }
    if (rc == PT_OK && step != SQLITE_DONE)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"),
                          sqlite3_errmsg(db));
    free(page);
    sqlite3_finalize(st);
    return rc;
}

static void put_sql(EVP_MD_CTX *md, sqlite3_stmt *sql, const char *table)
{
    sqlite3_reset(sql);
    sqlite3_bind_text(sql, 1, table, -1, SQLITE_STATIC);
    bool found = sqlite3_step(sql) == SQLITE_ROW;
    put_str(md, found ? (const char *)sqlite3_column_text(sql, 0) : NULL);
}

static void put_tree(EVP_MD_CTX *md, struct digests *d, const char *name)
{
    struct btree *t = tree_find(d, name);
    put(md, t->digest, 32);
}

/* The digest of table t: its mapping, options, CREATE statements and pages. */
static void table_digest(const struct pt_table *t, const struct pt_fixture_options *opts,
                         sqlite3_stmt *sql, struct digests *d, int64_t page_size,
                         char hex[PT_SHA256_HEX])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        abort();
    put_str(md, "poshtiban table digest");
    put_int(md, PT_FIXTURE_FORMAT_VERSION);
    put_str(md, PT_VERSION);
    put_int(md, opts->datetime_utc);
    put_str(md, pt_compression_name(opts->compression));
    put_int(md, opts->compression == PT_COMPRESSION_GZIP ? opts->gzip_level : 0);
    put_int(md, page_size);
    put_str(md, t->name);
    put_str(md, t->model);
    put_str(md, t->fixture);
    put_int(md, t->rowid);
    put_int(md, (int64_t)t->n_pk);
    for (size_t i = 0; i < t->n_pk; i++)
        put_int(md, t->pk[i]);
    put_int(md, (int64_t)t->n_columns);
    for (size_t i = 0; i < t->n_columns; i++) {
        put_str(md, t->columns[i].name);
        put_str(md, t->columns[i].field);
        put_int(md, t->columns[i].kind);
    }
    put_sql(md, sql, t->name);
    put_tree(md, d, t->name);
    put_int(md, (int64_t)t->n_m2m);
    for (size_t i = 0; i < t->n_m2m; i++) {
        put_str(md, t->m2m[i].field);
        put_str(md, t->m2m[i].through);
        put_str(md, t->m2m[i].owner_column);
        put_str(md, t->m2m[i].other_column);
        put_sql(md, sql, t->m2m[i].through);
        put_tree(md, d, t->m2m[i].through);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    pt_sha256_hex(digest, hex);
}

enum pt_status pt_table_digests(sqlite3 *db, const char *snapshot_path,
                                const struct pt_schema *schema,
                                const struct pt_fixture_options *opts, char (*out)[PT_SHA256_HEX],
                                struct pt_error *err)
{
    struct digests d = {0};
    for (size_t i = 0; i < schema->n_tables; i++) {
        out[i][0] = '\0';
        const struct pt_table *t = &schema->tables[i];
        if (!t->fixture)
            continue;
        tree_add(&d, t->name);
        for (size_t j = 0; j < t->n_m2m; j++)
            tree_add(&d, t->m2m[j].through);
    }
    int64_t page_size = pt_schema_pragma_int(db, "PRAGMA page_size");
    sqlite3_stmt *sql = NULL;
    int fd = open(snapshot_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    enum pt_status rc = PT_OK;
    if (fd < 0)
        rc =
            pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"), strerror(errno));
    else if (page_size < 512 || page_size > 65536)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"), "page_size");
    else if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = ?1", -1, &sql,
                                NULL) != SQLITE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"),
                          sqlite3_errmsg(db));
    if (rc == PT_OK)
        rc = hash_pages(db, fd, page_size, &d, err);
    for (size_t i = 0; i < d.n; i++) {
        unsigned len = 0;
        EVP_DigestFinal_ex(d.trees[i].md, d.trees[i].digest, &len);
        EVP_MD_CTX_free(d.trees[i].md);
    }
    for (size_t i = 0; rc == PT_OK && i < schema->n_tables; i++)
        if (schema->tables[i].fixture)
            table_digest(&schema->tables[i], opts, sql, &d, page_size, out[i]);
    sqlite3_finalize(sql);
    if (fd >= 0)
        close(fd);
    free(d.trees);
    return rc;
}
