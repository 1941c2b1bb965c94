// SPDX-License-Identifier: GPL-3.0-or-later
/* export: a backup of any format streamed into a ZIP, plain or as it is stored. */
#include "engine/pack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "poshtiban/i18n.h"
#include "poshtiban/text.h"

#include "base/fsutil.h"
#include "engine/compress.h"
#include "engine/pack-internal.h"
#include "engine/reader.h"

static const struct plain_member *find_plain(const struct writer *w, const char *path)
{
    for (size_t i = 0; i < w->n_plain; i++)
        if (strcmp(w->plain[i].path, path) == 0)
            return &w->plain[i];
    return NULL;
}

static ssize_t reader_source(void *user, void *buf, size_t len, struct pt_error *err)
{
    return pt_reader_read(user, buf, len, err);
}

static enum pt_status write_data(struct writer *w, const void *data, size_t len, const char *what,
                                 struct pt_error *err)
{
    enum pt_status rc =
        pt_pack_wrote(w, archive_write_data(w->a, data, len) == (la_ssize_t)len, err);
    if (rc != PT_OK)
        return rc;
    w->done += (int64_t)len;
    if (w->monitor && w->monitor->progress) {
        struct pt_progress p = {PT_PHASE_ARCHIVE, w->done, w->total, what};
        w->monitor->progress(&p, w->monitor->user);
    }
    if (w->monitor && w->monitor->cancel && atomic_load(w->monitor->cancel))
        return pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    return PT_OK;
}

static enum pt_status add_text(struct writer *w, const char *text, struct pt_error *err)
{
    return write_data(w, text, strlen(text), "SHA256SUMS", err);
}

/* A compressed member, written unpacked: the bytes the first walk hashed, or a failure. */
static enum pt_status add_unpacked(struct writer *w, const struct plain_member *pm,
                                   struct pt_reader *r, struct pt_error *err)
{
    struct pt_unpack *u = pt_unpack_open(pm->c, reader_source, r);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    enum pt_status rc = PT_OK;
    int64_t written = 0;
    while (rc == PT_OK) {
        ssize_t n = pt_unpack_read(u, w->buf, COPY_BUF, err);
        if (n <= 0) {
            rc = n < 0 ? PT_EFAIL : PT_OK;
            break;
        }
        if (written + n > pm->size) {
            rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), pm->path);
            break;
        }
        EVP_DigestUpdate(md, w->buf, (size_t)n);
        written += n;
        rc = write_data(w, w->buf, (size_t)n, pm->plain, err);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char hex[PT_SHA256_HEX];
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    pt_sha256_hex(digest, hex);
    pt_unpack_close(u);
    if (rc == PT_OK && (written != pm->size || strcmp(hex, pm->sha256) != 0))
        rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), pm->path);
    return rc;
}

/* The compressed members export --plain writes unpacked: the snapshot and the fixtures. */
static bool unpacked_name(const char *path, enum pt_compression *c, char **plain)
{
    size_t n = strlen(path);
    bool fixture = strncmp(path, "fixtures/", 9) == 0 && !strchr(path + 9, '/') && n > 8 &&
                   strcmp(path + n - 8, ".json.gz") == 0;
    if (fixture)
        *c = PT_COMPRESSION_GZIP;
    else if (!pt_compression_match(path, "database.sqlite3", c) &&
             !pt_compression_match(path, "complete_database.json", c))
        return false;
    if (*c == PT_COMPRESSION_NONE)
        return false;
    *plain = pt_xasprintf("%.*s", (int)(n - strlen(pt_compression_suffix(*c))), path);
    return true;
}

/* First walk of export --plain: each compressed member unpacked as a stream, hashed, counted. */
static enum pt_status survey_plain(const struct pt_entry *e, struct pt_reader *r, void *user,
                                   struct pt_error *err)
{
    struct writer *w = user;
    enum pt_compression c;
    char *plain = NULL;
    if (e->type != PT_ENTRY_FILE) {
        return PT_OK;
    } else if (strcmp(e->path, "SHA256SUMS") == 0) {
        if (w->sums)
            return pt_error_set(err, PT_EFAIL, _("%s holds SHA256SUMS twice"), w->top);
        size_t len;
        w->sums = pt_xstrdup("");
        char *text = NULL;
        size_t cap = 0;
        len = 0;
        for (;;) {
            ssize_t n = pt_reader_read(r, w->buf, COPY_BUF, err);
            if (n < 0) {
                free(text);
                return PT_EFAIL;
            }
            if (n == 0)
                break;
            if (len + (size_t)n > PT_SMALL_FILE_MAX) {
                free(text);
                return pt_error_set(err, PT_EFAIL,
                                    _("%s is larger than poshtiban ever writes it: refused"),
                                    e->path);
            }
            if (len + (size_t)n + 1 > cap) {
                cap = (len + (size_t)n + 1) * 2;
                text = pt_xrealloc(text, cap);
            }
            memcpy(text + len, w->buf, (size_t)n);
            len += (size_t)n;
            text[len] = '\0';
        }
        free(w->sums);
        w->sums = text ? text : pt_xstrdup("");
        return PT_OK;
    } else if (!unpacked_name(e->path, &c, &plain)) {
        return PT_OK;
    }
    w->plain = pt_xrealloc(w->plain, (w->n_plain + 1) * sizeof(*w->plain));
    struct plain_member *pm = &w->plain[w->n_plain++];
    *pm = (struct plain_member){.path = pt_xstrdup(e->path), .plain = plain, .c = c};
    struct pt_unpack *u = pt_unpack_open(c, reader_source, r);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    enum pt_status rc = PT_OK;
    for (;;) {
        ssize_t n = pt_unpack_read(u, w->buf, COPY_BUF, err);
        if (n < 0) {
            if (!pt_unpack_source_failed(u) && err) {
                char *why = pt_xstrdup(err->message ? err->message : _("damaged"));
                pt_error_clear(err);
                pt_error_set(err, PT_EFAIL, _("backup %s: %s: %s"), w->top, e->path, why);
                free(why);
            }
            rc = PT_EFAIL;
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(md, w->buf, (size_t)n);
        pm->size += n;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    pt_sha256_hex(digest, pm->sha256);
    pt_unpack_close(u);
    return rc;
}

/*
 * SHA256SUMS with each unpacked member's line rewritten: its plain name and
 * the checksum of its plain bytes, so that `sha256sum -c` passes in the
 * unzipped folder. Other lines stay as they are.
 */
static char *rewrite_sums(const struct writer *w, const char *sums)
{
    size_t cap = strlen(sums) + 1 + w->n_plain * 2, len = 0;
    char *out = pt_xmalloc(cap);
    out[0] = '\0';
    for (const char *line = sums; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        const struct plain_member *pm = NULL;
        if (n > 66 && line[64] == ' ' && (line[65] == ' ' || line[65] == '*'))
            for (size_t i = 0; i < w->n_plain && !pm; i++)
                if (strlen(w->plain[i].path) == n - 66 &&
                    strncmp(line + 66, w->plain[i].path, n - 66) == 0)
                    pm = &w->plain[i];
        char *piece = pm ? pt_xasprintf("%s  %s\n", pm->sha256, pm->plain)
                         : pt_xasprintf("%.*s\n", (int)n, line);
        size_t k = strlen(piece);
        if (len + k + 1 > cap) {
            cap = (len + k + 1) * 2;
            out = pt_xrealloc(out, cap);
        }
        memcpy(out + len, piece, k + 1);
        len += k;
        free(piece);
        line += n + (end ? 1 : 0);
    }
    return out;
}

static void plain_free(struct writer *w)
{
    for (size_t i = 0; i < w->n_plain; i++) {
        free(w->plain[i].path);
        free(w->plain[i].plain);
    }
    free(w->plain);
    free(w->sums);
    w->plain = NULL;
    w->sums = NULL;
    w->n_plain = 0;
}

static enum pt_status add_entry(const struct pt_entry *e, struct pt_reader *r, void *user,
                                struct pt_error *err)
{
    struct writer *w = user;
    const struct plain_member *pm = e->type == PT_ENTRY_FILE ? find_plain(w, e->path) : NULL;
    bool new_sums = w->sums && e->type == PT_ENTRY_FILE && strcmp(e->path, "SHA256SUMS") == 0;
    char *name = pt_xasprintf("%s/%s%s", w->top, pm ? pm->plain : e->path,
                              e->type == PT_ENTRY_DIR ? "/" : "");
    /* Again here: an archive's members and a backup's own name were never surveyed. */
    enum pt_status rc = pt_pack_check_utf8(name, e->link_target, err);
    if (rc != PT_OK) {
        free(name);
        return rc;
    }
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname_utf8(ae, name);
    archive_entry_set_mtime(ae, e->mtime, e->mtime_nsec); /* tar.zst keeps it, zip not */
    if (e->type == PT_ENTRY_DIR) {
        archive_entry_set_filetype(ae, AE_IFDIR);
        archive_entry_set_perm(ae, 0700);
    } else if (e->type == PT_ENTRY_LINK) {
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_perm(ae, 0777);
        archive_entry_set_symlink_utf8(ae, e->link_target);
    } else {
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0600);
        archive_entry_set_size(ae, pm ? pm->size : new_sums ? (int64_t)strlen(w->sums) : e->size);
    }
    rc = pt_pack_wrote(w, archive_write_header(w->a, ae) == ARCHIVE_OK, err);
    if (rc == PT_OK && (pm || new_sums)) {
        rc = pm ? add_unpacked(w, pm, r, err) : add_text(w, w->sums, err);
        archive_entry_free(ae);
        free(name);
        return rc;
    }
    int64_t written = 0;
    while (rc == PT_OK && e->type == PT_ENTRY_FILE) {
        ssize_t n = pt_reader_read(r, w->buf, COPY_BUF, err);
        if (n < 0) {
            rc = PT_EFAIL;
            break;
        }
        if (n == 0)
            break;
        if (written + n > e->size) {
            /* The file grew since it was listed: the member's size is fixed. */
            rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), e->path);
            break;
        }
        if ((rc = pt_pack_wrote(w, archive_write_data(w->a, w->buf, (size_t)n) == n, err)) != PT_OK)
            break;
        written += n;
        w->done += n;
        if (w->monitor && w->monitor->progress) {
            struct pt_progress p = {PT_PHASE_ARCHIVE, w->done, w->total, e->path};
            w->monitor->progress(&p, w->monitor->user);
        }
        if (w->monitor && w->monitor->cancel && atomic_load(w->monitor->cancel))
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    }
    if (rc == PT_OK && e->type == PT_ENTRY_FILE && written != e->size)
        rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), e->path);
    archive_entry_free(ae);
    free(name);
    return rc;
}

/*
 * Before an archive is begun: every name must be UTF-8, which both formats
 * store names in; the total size, for progress.
 */
static enum pt_status survey(const struct pt_entry *e, struct pt_reader *r, void *user,
                             struct pt_error *err)
{
    (void)r;
    enum pt_status rc = pt_pack_check_utf8(e->path, e->link_target, err);
    if (rc != PT_OK)
        return rc;
    *(int64_t *)user += e->type == PT_ENTRY_FILE ? e->size : 0;
    return PT_OK;
}

enum pt_status pt_pack_export(const struct pt_record *record, const char *dest, bool plain,
                              const struct pt_monitor *monitor, struct pt_error *err)
{
    struct writer w = {
        .monitor = monitor, .top = record->name, .dest = dest, .total = record->size_bytes};
    int64_t total = 0;
    /* An archive's names went through the survey when it was made; a folder's not. */
    enum pt_status rc = pt_reader_archive_suffix(record->format)
                            ? PT_OK
                            : pt_reader_walk(record, survey, &total, err);
    if (rc == PT_OK && plain) {
        w.buf = pt_xmalloc(COPY_BUF);
        rc = pt_reader_walk(record, survey_plain, &w, err);
        free(w.buf);
        w.buf = NULL;
        if (rc == PT_OK && !w.sums)
            rc = pt_error_set(err, PT_EFAIL, _("%s lacks database.sqlite3 or SHA256SUMS"),
                              record->path);
        if (rc == PT_OK) {
            char *sums = rewrite_sums(&w, w.sums);
            free(w.sums);
            w.sums = sums;
        }
    }
    bool opened = rc == PT_OK && (rc = pt_pack_writer_open(&w, "zip", 6 * 19 / 9, err)) == PT_OK;
    if (rc == PT_OK)
        rc = pt_reader_walk(record, add_entry, &w, err);
    if (rc == PT_OK)
        rc = pt_pack_writer_close(&w, NULL, NULL, err);
    else if (opened)
        pt_pack_writer_abort(&w);
    plain_free(&w);
    return rc;
}
