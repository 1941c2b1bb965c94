// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/backup-db.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "base/sums.h"
#include "engine/compress.h"
#include "engine/reader.h"

#define BUF_SIZE (256 * 1024)

struct extract {
    const char *dest;
    char *member; /* "database.sqlite3.zst" */
    char sha256[PT_SHA256_HEX];
    char *sums;
};

struct hashing {
    struct pt_reader *reader;
    EVP_MD_CTX *md;
};

static ssize_t hashing_read(void *user, void *buf, size_t len, struct pt_error *err)
{
    struct hashing *h = user;
    ssize_t n = pt_reader_read(h->reader, buf, len, err);
    if (n > 0)
        EVP_DigestUpdate(h->md, buf, (size_t)n);
    return n;
}

enum pt_status pt_snapshot_member_take(struct pt_reader *r, enum pt_compression c, const char *dest,
                                       char hex[PT_SHA256_HEX], bool *damaged, struct pt_error *err)
{
    struct hashing h = {.reader = r, .md = EVP_MD_CTX_new()};
    EVP_DigestInit_ex(h.md, EVP_sha256(), NULL);
    *damaged = false;
    enum pt_status rc = pt_unpack_snapshot(c, hashing_read, &h, dest, damaged, NULL, err);
    /* What follows the snapshot's own end is hashed too: the checksum is of the whole member. */
    unsigned char *buf = pt_xmalloc(BUF_SIZE);
    ssize_t n;
    while (rc == PT_OK && (n = hashing_read(&h, buf, BUF_SIZE, err)) != 0)
        if (n < 0)
            rc = PT_EFAIL;
    free(buf);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(h.md, digest, &len);
    EVP_MD_CTX_free(h.md);
    pt_sha256_hex(digest, hex);
    return rc;
}

enum pt_status pt_small_member_read(struct pt_reader *r, const struct pt_entry *e, char **out,
                                    struct pt_error *err)
{
    size_t len = 0, cap = 0;
    char *text = NULL;
    unsigned char *buf = pt_xmalloc(BUF_SIZE);
    enum pt_status rc = PT_OK;
    for (;;) {
        ssize_t n = pt_reader_read(r, buf, BUF_SIZE, err);
        if (n <= 0) {
            rc = n < 0 ? PT_EFAIL : PT_OK;
            break;
        }
        if (len + (size_t)n > PT_SMALL_FILE_MAX) {
            rc = pt_error_set(err, PT_EFAIL,
                              _("%s is larger than poshtiban ever writes it: refused"), e->path);
            break;
        }
        if (len + (size_t)n + 1 > cap) {
            /* The size the archive declares when it fits, else twice as much each time. */
            bool declared = cap == 0 && e->size > 0 && e->size <= (int64_t)PT_SMALL_FILE_MAX;
            cap = declared ? (size_t)e->size + 1 : cap ? cap * 2 : BUF_SIZE;
            while (cap < len + (size_t)n + 1)
                cap *= 2;
            text = pt_xrealloc(text, cap);
        }
        memcpy(text + len, buf, (size_t)n);
        len += (size_t)n;
        text[len] = '\0';
    }
    free(buf);
    if (rc != PT_OK) {
        free(text);
        text = NULL;
    }
    *out = rc == PT_OK && !text ? pt_xstrdup("") : text;
    return rc;
}

static enum pt_status take(const struct pt_entry *e, struct pt_reader *r, void *user,
                           struct pt_error *err)
{
    struct extract *x = user;
    enum pt_compression c;
    bool db = pt_compression_match(e->path, "database.sqlite3", &c);
    if (e->type != PT_ENTRY_FILE)
        return PT_OK;
    if (strcmp(e->path, "SHA256SUMS") == 0) {
        free(x->sums); /* the last one read counts, as for any member read twice */
        x->sums = NULL;
        return pt_small_member_read(r, e, &x->sums, err);
    }
    if (!db)
        return PT_OK;
    if (x->member)
        return pt_error_set(err, PT_EFAIL, _("the backup holds database.sqlite3 twice"));
    x->member = pt_xstrdup(e->path);
    bool damaged;
    return pt_snapshot_member_take(r, c, x->dest, x->sha256, &damaged, err);
}

enum pt_status pt_backup_database_extract(const struct pt_record *record, const char *dest,
                                          struct pt_error *err)
{
    struct extract x = {.dest = dest};
    unlink(dest);
    enum pt_status rc = pt_reader_walk(record, take, &x, err);
    if (rc == PT_OK && (!x.member || !x.sums))
        rc =
            pt_error_set(err, PT_EFAIL, _("%s lacks database.sqlite3 or SHA256SUMS"), record->path);
    if (rc == PT_OK) {
        struct pt_sums sums;
        pt_sums_parse(x.sums, &sums);
        const struct pt_sum *sum = pt_sums_find(&sums, x.member);
        if (!sum || strcmp(sum->sha256, x.sha256) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("backup %s: %s does not match its checksum"),
                              record->name, x.member);
        pt_sums_free(&sums);
    }
    if (rc != PT_OK)
        unlink(dest);
    free(x.member);
    free(x.sums);
    return rc;
}
