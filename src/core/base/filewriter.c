// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/filewriter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"

#define BUF_SIZE (256 * 1024)
/*
 * Every WRITEBACK_EVERY bytes, the disk is asked to start writing what is
 * there (sync_file_range, not waiting): without it nothing of a large
 * backup reaches the disk until its fsync or syncfs, which then waits for
 * all of it while nothing else is done.
 */
#define WRITEBACK_EVERY (8 * 1024 * 1024)

void pt_sha256_hex(const unsigned char *digest, char hex[PT_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

static enum pt_status write_error(struct pt_error *err, const char *path)
{
    return pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), path, strerror(errno));
}

enum pt_status pt_file_writer_open(struct pt_file_writer *w, const char *path, struct pt_error *err)
{
    memset(w, 0, sizeof(*w));
    w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w->fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), path, strerror(errno));
    /* The umask may have taken bits away, never added: 0600 stands. */
    w->path = pt_xstrdup(path);
    w->buf = pt_xmalloc(BUF_SIZE);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        pt_file_writer_abort(w);
        return pt_error_set(err, PT_EFAIL, _("cannot start SHA-256"));
    }
    w->md = md;
    return PT_OK;
}

/* Starts the disk on the bytes written since the last call; a hint, so its failure is not one. */
static void writeback(struct pt_file_writer *w)
{
    (void)sync_file_range(w->fd, (off_t)w->queued, (off_t)(w->at - w->queued),
                          SYNC_FILE_RANGE_WRITE);
    w->queued = w->at;
}

static enum pt_status flush(struct pt_file_writer *w, struct pt_error *err)
{
    size_t off = 0;
    while (off < w->used) {
        ssize_t n = write(w->fd, w->buf + off, w->used - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return write_error(err, w->path);
        }
        off += (size_t)n;
    }
    w->at += (int64_t)w->used;
    w->used = 0;
    if (w->at - w->queued >= WRITEBACK_EVERY)
        writeback(w);
    return PT_OK;
}

enum pt_status pt_file_writer_write(struct pt_file_writer *w, const void *data, size_t len,
                                    struct pt_error *err)
{
    EVP_DigestUpdate(w->md, data, len);
    w->size += (int64_t)len;
    const unsigned char *p = data;
    while (len > 0) {
        size_t room = BUF_SIZE - w->used;
        size_t take = len < room ? len : room;
        memcpy(w->buf + w->used, p, take);
        w->used += take;
        p += take;
        len -= take;
        enum pt_status rc = w->used == BUF_SIZE ? flush(w, err) : PT_OK;
        if (rc != PT_OK)
            return rc;
    }
    return PT_OK;
}

enum pt_status pt_file_writer_hole(struct pt_file_writer *w, int64_t len, struct pt_error *err)
{
    static const unsigned char zeros[64 * 1024];
    if (flush(w, err) != PT_OK)
        return PT_EFAIL;
    for (int64_t left = len; left > 0;) {
        size_t take = left < (int64_t)sizeof(zeros) ? (size_t)left : sizeof(zeros);
        EVP_DigestUpdate(w->md, zeros, take);
        left -= (int64_t)take;
    }
    if (lseek(w->fd, (off_t)len, SEEK_CUR) < 0)
        return write_error(err, w->path);
    w->at += len;
    w->size += len;
    w->holes = true;
    return PT_OK;
}

enum pt_status pt_file_writer_puts(struct pt_file_writer *w, const char *s, struct pt_error *err)
{
    return pt_file_writer_write(w, s, strlen(s), err);
}

static void release(struct pt_file_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    EVP_MD_CTX_free(w->md);
    w->md = NULL;
    free(w->buf);
    w->buf = NULL;
    free(w->path);
    w->path = NULL;
}

enum pt_status pt_file_writer_close(struct pt_file_writer *w, char hex[PT_SHA256_HEX],
                                    int64_t *size, struct pt_error *err)
{
    /* A hole at the end gives the file its length. */
    if (flush(w, err) != PT_OK || (w->holes && ftruncate(w->fd, (off_t)w->size) != 0)) {
        write_error(err, w->path);
        pt_file_writer_abort(w);
        return PT_EFAIL;
    }
    /* A large file synced later: its tail on its way to the disk too. */
    if (w->defer_sync && w->at - w->queued >= WRITEBACK_EVERY / 8)
        writeback(w);
    if (!w->defer_sync && fsync(w->fd) != 0) {
        write_error(err, w->path);
        pt_file_writer_abort(w);
        return PT_EFAIL;
    }
    if (close(w->fd) != 0) {
        w->fd = -1;
        write_error(err, w->path);
        pt_file_writer_abort(w);
        return PT_EFAIL;
    }
    w->fd = -1;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_DigestFinal_ex(w->md, digest, &dlen);
    if (hex)
        pt_sha256_hex(digest, hex);
    if (size)
        *size = w->size;
    release(w);
    return PT_OK;
}

void pt_file_writer_abort(struct pt_file_writer *w)
{
    if (w->path)
        unlink(w->path);
    release(w);
}

enum pt_status pt_sha256_file(const char *path, char hex[PT_SHA256_HEX], int64_t *size,
                              struct pt_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    unsigned char *buf = pt_xmalloc(BUF_SIZE);
    int64_t total = 0;
    enum pt_status rc = PT_OK;
    for (;;) {
        ssize_t n = read(fd, buf, BUF_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(md, buf, (size_t)n);
        total += n;
    }
    if (rc == PT_OK) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;
        EVP_DigestFinal_ex(md, digest, &dlen);
        pt_sha256_hex(digest, hex);
        if (size)
            *size = total;
    }
    free(buf);
    EVP_MD_CTX_free(md);
    close(fd);
    return rc;
}
