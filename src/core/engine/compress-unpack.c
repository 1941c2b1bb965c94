// SPDX-License-Identifier: GPL-3.0-or-later
/* Reading compressed members back, every checksum checked; a compressed snapshot unpacked. */
#include "engine/compress.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"

#include "base/fsutil.h"
#include "engine/compress-internal.h"

/* ---------------------------------------------------------------- reading */

/*
 * gzip through zlib, member after member: each member's CRC-32 and length
 * (ISIZE) are checked as it ends, and after the last one only zero padding
 * may follow, as `gzip -t` and Python's gzip (so Django's loaddata) have it.
 * zstd through libzstd, frame after frame, each frame's content checksum
 * checked where the frame has one (frames written before poshtiban set it
 * have none: they are read, and said, see pt_unpack_unchecked).
 */
struct pt_unpack {
    enum pt_compression c;
    pt_source_fn source;
    void *user;
    unsigned char *in;
    size_t in_len, in_pos;
    bool in_eof;
    struct pt_error source_err;
    bool source_failed, ended, failed;
    /* a member or frame begun and not yet ended; how many have ended */
    bool open;
    int64_t parts;
    z_stream z;
    bool z_ready;
    ZSTD_DStream *zd;
    bool unchecked;
};

ssize_t pt_source_fd(void *user, void *buf, size_t len, struct pt_error *err)
{
    int fd = *(const int *)user;
    ssize_t n;
    do
        n = read(fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        pt_error_set(err, PT_EFAIL, "%s", strerror(errno));
    return n;
}

struct pt_unpack *pt_unpack_open(enum pt_compression c, pt_source_fn source, void *user)
{
    struct pt_unpack *u = pt_xcalloc(1, sizeof(*u));
    u->c = c;
    u->source = source;
    u->user = user;
    u->in = pt_xmalloc(PT_COMPRESS_CHUNK);
    return u;
}

static ssize_t damaged(struct pt_unpack *u, const char *why, struct pt_error *err)
{
    u->failed = true;
    if (u->source_failed) {
        pt_error_set(err, u->source_err.status ? u->source_err.status : PT_EFAIL, "%s",
                     u->source_err.message ? u->source_err.message : _("failed"));
        return -1;
    }
    pt_error_set(err, PT_EFAIL, _("damaged %s data: %s"), pt_compression_name(u->c),
                 why ? why : "?");
    return -1;
}

/* A verdict of its own on the data: the checks of every member or frame. */
static ssize_t refused(struct pt_unpack *u, const char *why, struct pt_error *err)
{
    u->failed = true;
    pt_error_set(err, PT_EFAIL, "%s", why);
    return -1;
}

/* At least want bytes unread in u->in, unless the source ends first; false on its failure. */
static bool fill(struct pt_unpack *u, size_t want)
{
    while (u->in_len - u->in_pos < want && !u->in_eof) {
        if (u->in_pos > 0) {
            memmove(u->in, u->in + u->in_pos, u->in_len - u->in_pos);
            u->in_len -= u->in_pos;
            u->in_pos = 0;
        }
        ssize_t n =
            u->source(u->user, u->in + u->in_len, PT_COMPRESS_CHUNK - u->in_len, &u->source_err);
        if (n < 0) {
            u->source_failed = true;
            return false;
        }
        if (n == 0)
            u->in_eof = true;
        u->in_len += (size_t)n;
    }
    return true;
}

/*
 * Between members or frames: true with nothing more when only zero padding
 * (gzip) or nothing (zstd) is left, after at least one.
 */
static ssize_t at_boundary(struct pt_unpack *u, bool *end, struct pt_error *err)
{
    *end = false;
    if (!fill(u, 1))
        return damaged(u, NULL, err);
    if (u->in_pos == u->in_len) {
        if (u->parts == 0)
            return damaged(u, _("empty"), err);
        *end = true;
        return 0;
    }
    if (u->parts == 0 || u->c != PT_COMPRESSION_GZIP || u->in[u->in_pos] != 0)
        return 0;
    /* Zero padding, to the end. */
    for (;;) {
        for (; u->in_pos < u->in_len; u->in_pos++)
            if (u->in[u->in_pos] != 0)
                return refused(u, _("data after the last gzip member"), err);
        if (!fill(u, 1))
            return damaged(u, NULL, err);
        if (u->in_pos == u->in_len) {
            *end = true;
            return 0;
        }
    }
}

static ssize_t read_gzip(struct pt_unpack *u, void *buf, size_t len, struct pt_error *err)
{
    size_t made = 0;
    while (made == 0 && len > 0) {
        if (!u->open) {
            bool end;
            if (at_boundary(u, &end, err) < 0)
                return -1;
            if (end) {
                u->ended = true;
                return 0;
            }
            if (u->parts > 0 && (!fill(u, 2) || u->in_len - u->in_pos < 2 ||
                                 u->in[u->in_pos] != 0x1f || u->in[u->in_pos + 1] != 0x8b))
                return u->source_failed ? damaged(u, NULL, err)
                                        : refused(u, _("data after the last gzip member"), err);
            int zr = u->z_ready ? inflateReset(&u->z) : inflateInit2(&u->z, 15 + 16);
            if (zr != Z_OK)
                return damaged(u, "zlib", err);
            u->z_ready = true;
            u->open = true;
        }
        if (u->in_pos == u->in_len) {
            if (!fill(u, 1))
                return damaged(u, NULL, err);
            if (u->in_pos == u->in_len)
                return damaged(u, _("cut short"), err);
        }
        u->z.next_in = u->in + u->in_pos;
        u->z.avail_in = (uInt)(u->in_len - u->in_pos);
        u->z.next_out = (Bytef *)buf + made;
        u->z.avail_out = (uInt)(len - made > PT_COMPRESS_CHUNK ? PT_COMPRESS_CHUNK : len - made);
        uInt before = u->z.avail_out;
        int zr = inflate(&u->z, Z_NO_FLUSH);
        u->in_pos = u->in_len - u->z.avail_in;
        made += before - u->z.avail_out;
        if (zr == Z_STREAM_END) {
            u->open = false;
            u->parts++;
        } else if (zr == Z_DATA_ERROR) {
            const char *m = u->z.msg ? u->z.msg : "";
            if (strcmp(m, "incorrect data check") == 0)
                return refused(u, _("gzip CRC mismatch"), err);
            if (strcmp(m, "incorrect length check") == 0)
                return refused(u, _("gzip length (ISIZE) mismatch"), err);
            if (strcmp(m, "incorrect header check") == 0 && u->parts == 0)
                return damaged(u, _("not in that format"), err);
            return damaged(u, m, err);
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            return damaged(u, u->z.msg ? u->z.msg : "zlib", err);
        }
    }
    return (ssize_t)made;
}

static ssize_t read_zstd(struct pt_unpack *u, void *buf, size_t len, struct pt_error *err)
{
    ZSTD_outBuffer ob = {buf, len, 0};
    while (ob.pos == 0 && len > 0) {
        if (!u->open) {
            bool end;
            if (at_boundary(u, &end, err) < 0)
                return -1;
            if (end) {
                u->ended = true;
                return 0;
            }
            /* The frame's magic number and header descriptor: its checksum flag is bit 2. */
            if (!fill(u, 5))
                return damaged(u, NULL, err);
            const unsigned char *h = u->in + u->in_pos;
            size_t have = u->in_len - u->in_pos;
            uint32_t magic = have >= 4 ? (uint32_t)h[0] | (uint32_t)h[1] << 8 |
                                             (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24
                                       : 0;
            bool skippable = (magic & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START;
            if (magic != ZSTD_MAGICNUMBER && !skippable)
                return u->parts > 0 ? refused(u, _("data after the last zstd frame"), err)
                                    : damaged(u, _("not in that format"), err);
            if (!skippable && have >= 5 && !(h[4] & 0x04))
                u->unchecked = true;
            if (!u->zd && !(u->zd = ZSTD_createDStream()))
                abort(); /* as an allocation failure */
            ZSTD_DCtx_reset(u->zd, ZSTD_reset_session_only);
            u->open = true;
        }
        if (u->in_pos == u->in_len) {
            if (!fill(u, 1))
                return damaged(u, NULL, err);
            if (u->in_pos == u->in_len)
                return damaged(u, _("cut short"), err);
        }
        ZSTD_inBuffer ib = {u->in + u->in_pos, u->in_len - u->in_pos, 0};
        size_t left = ZSTD_decompressStream(u->zd, &ob, &ib);
        u->in_pos += ib.pos;
        if (ZSTD_isError(left))
            return ZSTD_getErrorCode(left) == ZSTD_error_checksum_wrong
                       ? refused(u, _("zstd checksum mismatch"), err)
                       : damaged(u, ZSTD_getErrorName(left), err);
        if (left == 0) {
            u->open = false;
            u->parts++;
        }
    }
    return (ssize_t)ob.pos;
}

ssize_t pt_unpack_read(struct pt_unpack *u, void *buf, size_t len, struct pt_error *err)
{
    if (u->c == PT_COMPRESSION_NONE) {
        ssize_t n = u->source(u->user, buf, len, err);
        u->source_failed = n < 0;
        return n;
    }
    if (u->ended)
        return 0;
    if (u->failed)
        return damaged(u, NULL, err);
    return u->c == PT_COMPRESSION_GZIP ? read_gzip(u, buf, len, err) : read_zstd(u, buf, len, err);
}

bool pt_unpack_source_failed(const struct pt_unpack *u)
{
    return u->source_failed;
}

bool pt_unpack_unchecked(const struct pt_unpack *u)
{
    return u->unchecked;
}

void pt_unpack_close(struct pt_unpack *u)
{
    if (!u)
        return;
    if (u->z_ready)
        inflateEnd(&u->z);
    ZSTD_freeDStream(u->zd);
    pt_error_clear(&u->source_err);
    free(u->in);
    free(u);
}

/* The size a SQLite database's first 100 bytes say it has; -1 when they do not say. */
static int64_t sqlite_size(const unsigned char *h)
{
    if (memcmp(h, "SQLite format 3", 16) != 0)
        return -2;
    uint32_t page = (uint32_t)h[16] << 8 | h[17];
    if (page == 1)
        page = 65536;
    uint32_t count = (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 | (uint32_t)h[30] << 8 | h[31];
    /* The page count is valid only when written by the version that last changed the file. */
    if (count == 0 || memcmp(h + 24, h + 92, 4) != 0 || page < 512 || (page & (page - 1)))
        return -1;
    return (int64_t)page * count;
}

static int64_t free_bytes(const char *path)
{
    char *dir = pt_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    struct statvfs vfs;
    int64_t room = statvfs(slash ? dir : ".", &vfs) == 0
                       ? (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize
                       : INT64_MAX;
    free(dir);
    /* Some room is left for the rest: a catalog, a pre-restore backup's report. */
    return room - room / 16;
}

enum pt_status pt_unpack_snapshot(enum pt_compression c, pt_source_fn source, void *user,
                                  const char *dest, bool *is_damaged, bool *unchecked,
                                  struct pt_error *err)
{
    *is_damaged = false;
    if (unchecked)
        *unchecked = false;
    struct pt_file_writer out;
    unlink(dest);
    enum pt_status rc = pt_file_writer_open(&out, dest, err);
    if (rc != PT_OK)
        return rc;
    struct pt_unpack *u = pt_unpack_open(c, source, user);
    unsigned char *buf = pt_xmalloc(PT_COMPRESS_CHUNK);
    unsigned char head[100];
    int64_t done = 0, said = 0, room = free_bytes(dest);
    bool headed = false;
    for (;;) {
        ssize_t n = pt_unpack_read(u, buf, PT_COMPRESS_CHUNK, err);
        if (n < 0) {
            *is_damaged = !pt_unpack_source_failed(u);
            rc = PT_EFAIL;
            break;
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n && done + i < 100; i++)
            head[done + i] = buf[i];
        if (!headed && done + n >= 100) {
            headed = true;
            said = sqlite_size(head);
            if (said == -2) {
                *is_damaged = true;
                rc = pt_error_set(err, PT_EFAIL, _("the snapshot is not a SQLite database"));
                break;
            }
            if (said > room) {
                char a[48], b[48];
                pt_l10n_size(said, a, sizeof(a));
                pt_l10n_size(room, b, sizeof(b));
                rc = pt_error_set(err, PT_EFAIL,
                                  _("the snapshot would take %s, more than the %s free for it"), a,
                                  b);
                break;
            }
        }
        done += n;
        if (said > 0 && done > said) {
            *is_damaged = true;
            rc = pt_error_set(err, PT_EFAIL, _("the snapshot is larger than its own header says"));
            break;
        }
        if (done > room) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dest, strerror(ENOSPC));
            break;
        }
        if ((rc = pt_file_writer_write(&out, buf, (size_t)n, err)) != PT_OK)
            break;
    }
    if (rc == PT_OK && (done < 100 || (said > 0 && done != said))) {
        *is_damaged = true;
        rc = pt_error_set(err, PT_EFAIL, _("the snapshot is shorter than its own header says"));
    }
    free(buf);
    if (unchecked)
        *unchecked = pt_unpack_unchecked(u);
    pt_unpack_close(u);
    if (rc != PT_OK) {
        pt_file_writer_abort(&out);
        return rc;
    }
    return pt_file_writer_close(&out, NULL, NULL, err);
}
