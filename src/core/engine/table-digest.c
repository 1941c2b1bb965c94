// SPDX-License-Identifier: GPL-3.0-or-later
/* One digest per table of what its fixture's bytes depend on, from the snapshot's pages. */
#include "engine/table-digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

#define WINDOW_PAGES 64       /* pages read at once: a b-tree's pages mostly follow each other */
#define CELLS_BUF (64 * 1024) /* cell bytes hashed at once */

/* A range table's ranges, made from the cells of its leaf pages in key order. */
struct cells {
    struct pt_row_ranges *out;
    EVP_MD_CTX *md;     /* the open range's cells; NULL when none is open */
    EVP_MD_CTX *tree;   /* its b-tree's: each range's digest, in order */
    unsigned char *buf; /* cell bytes not hashed yet */
    size_t used;
    bool any, failed;
    int64_t last; /* the rowid of the last cell seen */
};

/*
 * One b-tree hashed: a fixture table's own, or a many-to-many table's. A
 * table cut into ranges is hashed by its cells (rowids and records), each
 * other by its pages.
 */
struct btree {
    const char *name;
    EVP_MD_CTX *md;
    unsigned char digest[EVP_MAX_MD_SIZE];
    struct cells *cells; /* NULL: its rows are not cut into ranges */
};

struct digests {
    struct btree *trees;
    size_t n, cap;
    int fd;
    int64_t page_size, usable, pages; /* usable: without the bytes reserved at each page's end */
    int64_t encoding;                 /* the header's text encoding: 1 UTF-8, 2 and 3 UTF-16 */
    unsigned char *overflow;          /* one page, for overflow chains */
    unsigned char *window;            /* pages window_first.. (window_n of them) */
    int64_t window_first, window_n;
};

static EVP_MD_CTX *md_new(void)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        abort(); /* as an allocation failure */
    return md;
}

static struct btree *tree_find(struct digests *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->trees[i].name, name) == 0)
            return &d->trees[i];
    return NULL;
}

static struct btree *tree_add(struct digests *d, const char *name)
{
    struct btree *found = tree_find(d, name);
    if (found)
        return found;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->trees = pt_xrealloc(d->trees, d->cap * sizeof(*d->trees));
    }
    struct btree *t = &d->trees[d->n++];
    memset(t, 0, sizeof(*t));
    t->name = name;
    t->md = md_new();
    return t;
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

/* Page pageno of the snapshot, read with the pages after it; valid until the next call. */
static const unsigned char *page_at(struct digests *d, int64_t pageno)
{
    if (pageno < 1 || pageno > d->pages)
        return NULL;
    if (pageno >= d->window_first && pageno < d->window_first + d->window_n)
        return d->window + (pageno - d->window_first) * d->page_size;
    int64_t n = d->pages - pageno + 1 < WINDOW_PAGES ? d->pages - pageno + 1 : WINDOW_PAGES;
    ssize_t got =
        pread(d->fd, d->window, (size_t)(n * d->page_size), (off_t)((pageno - 1) * d->page_size));
    d->window_n = got < d->page_size ? 0 : got / d->page_size;
    d->window_first = pageno;
    return d->window_n ? d->window : NULL;
}

/* Bytes of the open range's cells, hashed a buffer at a time. */
static void cells_put(struct cells *c, const void *data, size_t len)
{
    if (c->used + len > CELLS_BUF) {
        EVP_DigestUpdate(c->md, c->buf, c->used);
        c->used = 0;
    }
    if (len >= CELLS_BUF) {
        EVP_DigestUpdate(c->md, data, len);
        return;
    }
    memcpy(c->buf + c->used, data, len);
    c->used += len;
}

static void cells_int(struct cells *c, int64_t v)
{
    cells_put(c, &v, sizeof(v));
}

/* A SQLite varint at p, before end: 1 to 9 bytes. */
static bool varint(const unsigned char *p, const unsigned char *end, uint64_t *v, size_t *used)
{
    uint64_t x = 0;
    for (size_t i = 0; i < 9; i++) {
        if (p + i >= end)
            return false;
        if (i == 8) {
            x = (x << 8) | p[i];
        } else {
            x = (x << 7) | (p[i] & 0x7f);
            if (p[i] & 0x80)
                continue;
        }
        *v = x;
        *used = i + 1;
        return true;
    }
    return false;
}

static uint32_t be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The rest of a payload, rest bytes, from its overflow chain beginning at page next. */
static bool hash_overflow(struct digests *d, struct cells *c, uint32_t next, uint64_t rest)
{
    int64_t hops = 0;
    while (rest > 0) {
        if (next < 1 || next > d->pages || ++hops > d->pages)
            return false;
        off_t at = (off_t)((int64_t)(next - 1) * d->page_size);
        if (pread(d->fd, d->overflow, (size_t)d->page_size, at) != d->page_size)
            return false;
        uint64_t take = rest < (uint64_t)(d->usable - 4) ? rest : (uint64_t)(d->usable - 4);
        cells_put(c, d->overflow + 4, (size_t)take);
        rest -= take;
        next = be32(d->overflow);
    }
    return true;
}

static void range_close(struct cells *c)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestUpdate(c->md, c->buf, c->used);
    c->used = 0;
    EVP_DigestFinal_ex(c->md, digest, &len);
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
    EVP_DigestUpdate(c->tree, digest, len);
    pt_sha256_hex(digest, c->out->r[c->out->n - 1].key);
}

/*
 * One cell of a table leaf page: its rowid and its whole payload go into
 * the open range's digest (the record holds every column but the rowid).
 * False when the page is not as SQLite writes a table leaf.
 */
static bool hash_cell(struct digests *d, struct cells *c, const unsigned char *page, size_t at)
{
    const unsigned char *end = page + d->usable;
    uint64_t payload, key;
    size_t n1, n2;
    if (at >= (size_t)d->usable || !varint(page + at, end, &payload, &n1) ||
        !varint(page + at + n1, end, &key, &n2))
        return false;
    int64_t rowid = (int64_t)key;
    if (c->any && rowid <= c->last)
        return false;
    /* How much of the payload the page holds (the file format's own rule). */
    uint64_t x = (uint64_t)d->usable - 35, local = payload;
    if (payload > x) {
        uint64_t m = (((uint64_t)d->usable - 12) * 32 / 255) - 23;
        uint64_t k = m + ((payload - m) % ((uint64_t)d->usable - 4));
        local = k <= x ? k : m;
    }
    const unsigned char *body = page + at + n1 + n2;
    if (local + (local < payload ? 4 : 0) > (uint64_t)(end - body))
        return false;
    if (!c->md) {
        c->md = md_new();
        pt_row_ranges_add(c->out)->first = rowid;
    }
    struct pt_row_range *r = &c->out->r[c->out->n - 1];
    cells_int(c, rowid);
    cells_int(c, (int64_t)payload);
    cells_put(c, body, (size_t)local);
    if (local < payload && !hash_overflow(d, c, be32(body + local), payload - local))
        return false;
    r->rows++;
    r->last = rowid;
    c->any = true;
    c->last = rowid;
    if (pt_row_range_ends(rowid))
        range_close(c);
    return true;
}

/*
 * The table b-tree below page pageno, its leaves' cells in key order:
 * interior pages (0x05) lead to their children left to right, leaves
 * (0x0d) hold the rows. Anything else fails the table's ranges.
 */
static void walk(struct digests *d, struct cells *c, int64_t pageno, int depth, int64_t *visits)
{
    const unsigned char *page =
        c->failed || depth > 40 || ++*visits > d->pages ? NULL : page_at(d, pageno);
    size_t hdr = pageno == 1 ? 100 : 0;
    if (!page || (page[hdr] != 0x05 && page[hdr] != 0x0d)) {
        c->failed = true;
        return;
    }
    bool leaf = page[hdr] == 0x0d;
    size_t n = be16(page + hdr + 3), cells_at = hdr + (leaf ? 8 : 12);
    if (cells_at + 2 * n > (size_t)d->usable) {
        c->failed = true;
        return;
    }
    if (leaf) {
        for (size_t i = 0; i < n && !c->failed; i++) {
            size_t at = be16(page + cells_at + 2 * i);
            if (at < cells_at + 2 * n || !hash_cell(d, c, page, at))
                c->failed = true;
        }
        return;
    }
    /* The children first, copied: the page is gone once another is read. */
    uint32_t *kids = pt_xcalloc(n + 1, sizeof(*kids));
    for (size_t i = 0; i < n && !c->failed; i++) {
        size_t at = be16(page + cells_at + 2 * i);
        if (at < cells_at + 2 * n || at + 4 > (size_t)d->usable)
            c->failed = true;
        else
            kids[i] = be32(page + at);
    }
    kids[n] = be32(page + hdr + 8);
    for (size_t i = 0; i <= n && !c->failed; i++)
        walk(d, c, kids[i], depth + 1, visits);
    free(kids);
}

/* The ranges of the table b-tree at page root into c, each range's digest also into tree. */
static void walk_cells(struct digests *d, struct cells *c, EVP_MD_CTX *tree, int64_t root)
{
    int64_t visits = 0;
    c->tree = tree;
    c->buf = pt_xmalloc(CELLS_BUF);
    walk(d, c, root, 0, &visits);
    if (c->md)
        range_close(c);
    free(c->buf);
    c->buf = NULL;
}

/* A range table's cells, from its root page (sqlite_schema's rootpage). */
static void hash_cells(sqlite3 *db, struct digests *d, struct btree *t)
{
    sqlite3_stmt *st = NULL;
    int64_t root = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            root = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    walk_cells(d, t->cells, t->md, root);
}

/* Every page of a b-tree not cut into ranges, in dbstat's order (root first, then down). */
static enum pt_status hash_pages(sqlite3 *db, struct digests *d, struct btree *t,
                                 struct pt_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT pageno FROM dbstat WHERE name = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"),
                            sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    enum pt_status rc = PT_OK;
    int step;
    while (rc == PT_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *page = page_at(d, sqlite3_column_int64(st, 0));
        if (!page)
            rc = pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"),
                              _("cut short"));
        else
            put(t->md, page, (size_t)d->page_size);
    }
    if (rc == PT_OK && step != SQLITE_DONE)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"),
                          sqlite3_errmsg(db));
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

/* What t's fixture bytes depend on besides its rows: its mapping, the options, its CREATE. */
static void put_frame(EVP_MD_CTX *md, const struct pt_table *t,
                      const struct pt_fixture_options *opts, sqlite3_stmt *sql,
                      const struct digests *d)
{
    put_int(md, PT_FIXTURE_FORMAT_VERSION);
    put_str(md, PT_VERSION);
    put_int(md, opts->datetime_utc);
    put_str(md, pt_compression_name(opts->compression));
    put_int(md, opts->compression == PT_COMPRESSION_GZIP ? opts->gzip_level : 0);
    put_int(md, d->page_size);
    put_int(md, d->encoding); /* the same record bytes are other text in another encoding */
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
}

static void md_hex(EVP_MD_CTX *md, char hex[PT_SHA256_HEX])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    pt_sha256_hex(digest, hex);
}

/* The digest of table t: its mapping, options, CREATE statements and pages. */
static void table_digest(const struct pt_table *t, const struct pt_fixture_options *opts,
                         sqlite3_stmt *sql, struct digests *d, char hex[PT_SHA256_HEX])
{
    EVP_MD_CTX *md = md_new();
    put_str(md, "poshtiban table digest");
    put_frame(md, t, opts, sql, d);
    put_int(md, tree_find(d, t->name)->cells != NULL); /* its cells' ranges, or its pages */
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
    md_hex(md, hex);
}

/*
 * Each range's key from the digest of its cells: with the table's frame
 * and whether it is the table's first (its member then begins with no
 * ",\n"), all its fixture bytes depend on.
 */
static void range_keys(const struct pt_table *t, const struct pt_fixture_options *opts,
                       sqlite3_stmt *sql, struct digests *d, struct pt_row_ranges *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        EVP_MD_CTX *md = md_new();
        put_str(md, "poshtiban row range");
        put_frame(md, t, opts, sql, d);
        put_int(md, i == 0);
        put_str(md, rs->r[i].key);
        md_hex(md, rs->r[i].key);
    }
}

/* From the file's header: the bytes kept at the end of each page (byte 20), the text encoding. */
static bool read_header(struct digests *d)
{
    unsigned char header[100];
    if (pread(d->fd, header, sizeof(header), 0) != (ssize_t)sizeof(header))
        return false;
    d->usable = d->page_size - header[20];
    d->encoding = be32(header + 56);
    return true;
}

enum pt_status pt_table_digests(sqlite3 *db, const char *snapshot_path,
                                const struct pt_schema *schema,
                                const struct pt_fixture_options *opts, char (*out)[PT_SHA256_HEX],
                                struct pt_row_ranges *ranges, struct pt_error *err)
{
    struct digests d = {.fd = -1};
    struct cells *cells = pt_xcalloc(schema->n_tables + 1, sizeof(*cells));
    /* The ranges are made whether wanted or not: the tables' digests are of them. */
    struct pt_row_ranges *scratch =
        ranges ? NULL : pt_xcalloc(schema->n_tables + 1, sizeof(*scratch));
    if (!ranges)
        ranges = scratch;
    for (size_t i = 0; i < schema->n_tables; i++) {
        out[i][0] = '\0';
        const struct pt_table *t = &schema->tables[i];
        ranges[i] = (struct pt_row_ranges){0};
        if (!t->fixture)
            continue;
        struct btree *own = tree_add(&d, t->name);
        if (pt_row_range_table(t)) {
            cells[i].out = &ranges[i];
            own->cells = &cells[i];
        }
        for (size_t j = 0; j < t->n_m2m; j++)
            tree_add(&d, t->m2m[j].through);
    }
    d.page_size = pt_schema_pragma_int(db, "PRAGMA page_size");
    sqlite3_stmt *sql = NULL;
    d.fd = open(snapshot_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    enum pt_status rc = PT_OK;
    if (d.fd < 0 || fstat(d.fd, &st) != 0)
        rc =
            pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"), strerror(errno));
    else if (d.page_size < 512 || d.page_size > 65536)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"), "page_size");
    else if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = ?1", -1, &sql,
                                NULL) != SQLITE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's pages: %s"),
                          sqlite3_errmsg(db));
    if (rc == PT_OK) {
        if (!read_header(&d))
            d.usable = 0;
        d.pages = (int64_t)st.st_size / d.page_size;
        d.overflow = pt_xmalloc((size_t)d.page_size);
        d.window = pt_xmalloc((size_t)(WINDOW_PAGES * d.page_size));
        /* Below 480 usable bytes SQLite opens no file: no ranges then. */
        for (size_t i = 0; d.usable < 480 && i < d.n; i++)
            d.trees[i].cells = NULL;
        for (size_t i = 0; rc == PT_OK && i < d.n; i++) {
            if (d.trees[i].cells)
                hash_cells(db, &d, &d.trees[i]);
            else
                rc = hash_pages(db, &d, &d.trees[i], err);
        }
    }
    for (size_t i = 0; i < d.n; i++) {
        unsigned len = 0;
        EVP_DigestFinal_ex(d.trees[i].md, d.trees[i].digest, &len);
        EVP_MD_CTX_free(d.trees[i].md);
        if (d.trees[i].cells && d.trees[i].cells->md)
            EVP_MD_CTX_free(d.trees[i].cells->md);
    }
    for (size_t i = 0; rc == PT_OK && i < schema->n_tables; i++) {
        const struct pt_table *t = &schema->tables[i];
        struct btree *own = t->fixture ? tree_find(&d, t->name) : NULL;
        /* Cells not as SQLite writes them: no digest, no ranges; the table is written whole. */
        if (!own || (own->cells && own->cells->failed))
            continue;
        table_digest(t, opts, sql, &d, out[i]);
        range_keys(t, opts, sql, &d, &ranges[i]);
    }
    for (size_t i = 0; i < schema->n_tables; i++)
        if (rc != PT_OK || cells[i].failed || scratch)
            pt_row_ranges_free(&ranges[i]);
    free(scratch);
    sqlite3_finalize(sql);
    if (d.fd >= 0)
        close(d.fd);
    free(d.overflow);
    free(d.window);
    free(d.trees);
    free(cells);
    return rc;
}

/* A "-journal" or "-wal" beside path that holds anything: pages may not all be in the file. */
static bool beside(const char *path, const char *suffix)
{
    char *other = pt_xasprintf("%s%s", path, suffix);
    struct stat st;
    bool found = stat(other, &st) == 0 && st.st_size > 0;
    free(other);
    return found;
}

bool pt_table_cell_ranges(const char *path, int64_t root, struct pt_row_ranges *out)
{
    *out = (struct pt_row_ranges){0};
    struct digests d = {.fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
    struct stat st;
    unsigned char header[100];
    /* Rollback-journal format (bytes 18 and 19), UTF-8, nothing beside it: every row is here. */
    bool ok = d.fd >= 0 && fstat(d.fd, &st) == 0 &&
              pread(d.fd, header, sizeof(header), 0) == (ssize_t)sizeof(header) &&
              header[18] == 1 && header[19] == 1 && be32(header + 56) == 1 &&
              !beside(path, "-journal") && !beside(path, "-wal");
    if (ok) {
        d.page_size = be16(header + 16) == 1 ? 65536 : be16(header + 16);
        d.usable = d.page_size - header[20];
        d.pages = (int64_t)st.st_size / (d.page_size ? d.page_size : 1);
        ok = d.page_size >= 512 && (d.page_size & (d.page_size - 1)) == 0 && d.usable >= 480;
    }
    struct cells c = {.out = out};
    if (ok) {
        d.window = pt_xmalloc((size_t)(WINDOW_PAGES * d.page_size));
        d.overflow = pt_xmalloc((size_t)d.page_size);
        EVP_MD_CTX *tree = md_new();
        walk_cells(&d, &c, tree, root);
        EVP_MD_CTX_free(tree);
        ok = !c.failed;
    }
    if (d.fd >= 0)
        close(d.fd);
    free(d.window);
    free(d.overflow);
    if (!ok)
        pt_row_ranges_free(out);
    return ok;
}
