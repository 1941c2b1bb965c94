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

static enum pt_status take(const struct pt_entry *e, struct pt_reader *r, void *user,
                           struct pt_error *err)
{
    struct extract *x = user;
    enum pt_compression c;
    bool db = pt_compression_match(e->path, "database.sqlite3", &c);
    if (e->type != PT_ENTRY_FILE)
        return PT_OK;
    if (strcmp(e->path, "SHA256SUMS") == 0) {
        size_t len = 0, cap = 0;
        char buf[64 * 1024];
        ssize_t n;
        while ((n = pt_reader_read(r, buf, sizeof(buf), err)) > 0) {
            if (len + (size_t)n > PT_SMALL_FILE_MAX)
                return pt_error_set(err, PT_EFAIL, _("%s is too large"), e->path);
            if (len + (size_t)n + 1 > cap) {
                cap = (len + (size_t)n + 1) * 2;
                x->sums = pt_xrealloc(x->sums, cap);
            }
            memcpy(x->sums + len, buf, (size_t)n);
            len += (size_t)n;
            x->sums[len] = '\0';
        }
        if (!x->sums)
            x->sums = pt_xstrdup("");
        return n < 0 ? PT_EFAIL : PT_OK;
    }
    if (!db)
        return PT_OK;
    if (x->member)
        return pt_error_set(err, PT_EFAIL, _("the backup holds database.sqlite3 twice"));
    x->member = pt_xstrdup(e->path);
    struct hashing h = {.reader = r, .md = EVP_MD_CTX_new()};
    EVP_DigestInit_ex(h.md, EVP_sha256(), NULL);
    bool damaged;
    enum pt_status rc = pt_unpack_snapshot(c, hashing_read, &h, x->dest, &damaged, NULL, err);
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
    pt_sha256_hex(digest, x->sha256);
    return rc;
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
