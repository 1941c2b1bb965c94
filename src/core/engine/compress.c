// SPDX-License-Identifier: GPL-3.0-or-later
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

#include "base/fsutil.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"

#define CHUNK (256 * 1024)
#define SLOTS 8

const char *pt_compression_name(enum pt_compression c)
{
    return c == PT_COMPRESSION_GZIP ? "gzip" : c == PT_COMPRESSION_ZSTD ? "zstd" : "none";
}

const char *pt_compression_suffix(enum pt_compression c)
{
    return c == PT_COMPRESSION_GZIP ? ".gz" : c == PT_COMPRESSION_ZSTD ? ".zst" : "";
}

bool pt_compression_match(const char *path, const char *plain, enum pt_compression *c)
{
    size_t n = strlen(plain);
    if (strncmp(path, plain, n) != 0)
        return false;
    static const enum pt_compression kinds[] = {PT_COMPRESSION_NONE, PT_COMPRESSION_GZIP,
                                                PT_COMPRESSION_ZSTD};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(path + n, pt_compression_suffix(kinds[i])) == 0) {
            if (c)
                *c = kinds[i];
            return true;
        }
    return false;
}

int pt_compression_gzip_level(int zstd_level)
{
    /* As zip maps it: zstd's 1..19 onto deflate's 1..9. */
    return zstd_level < 1 ? 6 : (zstd_level * 9 + 18) / 19;
}

/* ---------------------------------------------------------------- fan-out */

enum op_kind { OP_BEGIN, OP_DATA, OP_END, OP_QUIT };

struct op {
    enum op_kind kind;
    struct pt_file_writer *files[2];
    size_t n_files;
    unsigned char *buf;
    size_t len;
};

struct pt_fanout {
    enum pt_compression c;
    int level;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work, room, idle;
    struct op ring[SLOTS];
    size_t head, count;
    /*
     * Free buffers: SLOTS of them and cur make SLOTS + 1, and all of them
     * are here for a moment when the thread returns the last one queued
     * before push_data() takes its next.
     */
    unsigned char *spare[SLOTS + 1];
    size_t n_spare;
    bool busy;          /* the thread holds an op */
    unsigned char *cur; /* the caller's buffer, filling */
    size_t cur_len;
    /* the thread's own */
    z_stream z;
    bool z_ready;
    unsigned char *zout;
    struct pt_file_writer *files[2];
    size_t n_files;
    enum pt_status failed;
    struct pt_error werr;
};

static enum pt_status to_files(struct pt_fanout *f, const void *data, size_t len)
{
    enum pt_status rc = PT_OK;
    for (size_t i = 0; i < f->n_files && rc == PT_OK; i++)
        rc = pt_file_writer_write(f->files[i], data, len, &f->werr);
    return rc;
}

static enum pt_status deflate_into(struct pt_fanout *f, const void *data, size_t len, int flush)
{
    f->z.next_in = (Bytef *)data;
    f->z.avail_in = (uInt)len;
    int zr;
    do {
        f->z.next_out = f->zout;
        f->z.avail_out = CHUNK;
        zr = deflate(&f->z, flush);
        if (zr == Z_STREAM_ERROR)
            return pt_error_set(&f->werr, PT_EFAIL, _("cannot compress: %s"), "zlib");
        size_t have = CHUNK - f->z.avail_out;
        enum pt_status rc = have ? to_files(f, f->zout, have) : PT_OK;
        if (rc != PT_OK)
            return rc;
    } while (f->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return PT_OK;
}

static enum pt_status run_op(struct pt_fanout *f, struct op *op)
{
    switch (op->kind) {
    case OP_BEGIN:
        memcpy(f->files, op->files, sizeof(f->files));
        f->n_files = op->n_files;
        if (f->c != PT_COMPRESSION_GZIP)
            return PT_OK;
        if (f->z_ready)
            return deflateReset(&f->z) == Z_OK
                       ? PT_OK
                       : pt_error_set(&f->werr, PT_EFAIL, _("cannot compress: %s"), "zlib");
        /* windowBits 15 + 16: a gzip header and trailer; its time 0 and no name. */
        if (deflateInit2(&f->z, f->level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return pt_error_set(&f->werr, PT_EFAIL, _("cannot compress: %s"), "zlib");
        f->z_ready = true;
        return PT_OK;
    case OP_DATA:
        if (f->c == PT_COMPRESSION_GZIP)
            return deflate_into(f, op->buf, op->len, Z_NO_FLUSH);
        return to_files(f, op->buf, op->len);
    case OP_END:
        if (f->c == PT_COMPRESSION_GZIP)
            return deflate_into(f, "", 0, Z_FINISH);
        return PT_OK;
    case OP_QUIT:
        break;
    }
    return PT_OK;
}

static void *fanout_thread(void *user)
{
    struct pt_fanout *f = user;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (f->count == 0)
            pthread_cond_wait(&f->work, &f->mu);
        struct op op = f->ring[f->head];
        f->head = (f->head + 1) % SLOTS;
        f->count--;
        f->busy = true;
        pthread_cond_signal(&f->room);
        pthread_mutex_unlock(&f->mu);
        enum pt_status rc = PT_OK;
        if (f->failed == PT_OK && op.kind != OP_QUIT)
            rc = run_op(f, &op);
        pthread_mutex_lock(&f->mu);
        if (rc != PT_OK && f->failed == PT_OK)
            f->failed = rc;
        if (op.buf)
            f->spare[f->n_spare++] = op.buf;
        f->busy = false;
        pthread_cond_broadcast(&f->room);
        if (f->count == 0)
            pthread_cond_broadcast(&f->idle);
        if (op.kind == OP_QUIT)
            break;
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

struct pt_fanout *pt_fanout_new(enum pt_compression c, int gzip_level)
{
    struct pt_fanout *f = pt_xcalloc(1, sizeof(*f));
    f->c = c;
    f->level = gzip_level < 1 ? 1 : gzip_level > 9 ? 9 : gzip_level;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->work, NULL);
    pthread_cond_init(&f->room, NULL);
    pthread_cond_init(&f->idle, NULL);
    for (size_t i = 0; i < SLOTS; i++)
        f->spare[f->n_spare++] = pt_xmalloc(CHUNK);
    f->cur = pt_xmalloc(CHUNK);
    f->zout = pt_xmalloc(CHUNK);
    if (pthread_create(&f->thread, NULL, fanout_thread, f) != 0)
        abort(); /* as an allocation failure: there is no going on without it */
    return f;
}

static enum pt_status worker_status(struct pt_fanout *f, struct pt_error *err)
{
    if (f->failed == PT_OK)
        return PT_OK;
    return pt_error_set(err, f->failed, "%s", f->werr.message ? f->werr.message : _("failed"));
}

/* Queues op; called with the lock held. */
static void enqueue(struct pt_fanout *f, const struct op *op)
{
    while (f->count == SLOTS)
        pthread_cond_wait(&f->room, &f->mu);
    f->ring[(f->head + f->count) % SLOTS] = *op;
    f->count++;
    pthread_cond_signal(&f->work);
}

static void push_data(struct pt_fanout *f)
{
    if (f->cur_len == 0)
        return;
    pthread_mutex_lock(&f->mu);
    struct op op = {.kind = OP_DATA, .buf = f->cur, .len = f->cur_len};
    enqueue(f, &op);
    while (f->n_spare == 0)
        pthread_cond_wait(&f->room, &f->mu);
    f->cur = f->spare[--f->n_spare];
    f->cur_len = 0;
    pthread_mutex_unlock(&f->mu);
}

enum pt_status pt_fanout_begin(struct pt_fanout *f, struct pt_file_writer *const *files, size_t n,
                               struct pt_error *err)
{
    struct op op = {.kind = OP_BEGIN, .n_files = n < 2 ? n : 2};
    for (size_t i = 0; i < op.n_files; i++)
        op.files[i] = files[i];
    pthread_mutex_lock(&f->mu);
    enqueue(f, &op);
    pthread_mutex_unlock(&f->mu);
    return worker_status(f, err);
}

enum pt_status pt_fanout_write(struct pt_fanout *f, const void *data, size_t len,
                               struct pt_error *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        size_t take = CHUNK - f->cur_len < len ? CHUNK - f->cur_len : len;
        memcpy(f->cur + f->cur_len, p, take);
        f->cur_len += take;
        p += take;
        len -= take;
        if (f->cur_len == CHUNK) {
            push_data(f);
            if (f->failed != PT_OK)
                return worker_status(f, err);
        }
    }
    return PT_OK;
}

enum pt_status pt_fanout_puts(struct pt_fanout *f, const char *s, struct pt_error *err)
{
    return pt_fanout_write(f, s, strlen(s), err);
}

enum pt_status pt_fanout_end(struct pt_fanout *f, struct pt_error *err)
{
    push_data(f);
    struct op op = {.kind = OP_END};
    pthread_mutex_lock(&f->mu);
    enqueue(f, &op);
    while (f->count > 0 || f->busy)
        pthread_cond_wait(&f->idle, &f->mu);
    pthread_mutex_unlock(&f->mu);
    return worker_status(f, err);
}

void pt_fanout_free(struct pt_fanout *f)
{
    if (!f)
        return;
    struct op op = {.kind = OP_QUIT};
    f->cur_len = 0;
    pthread_mutex_lock(&f->mu);
    enqueue(f, &op);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    if (f->z_ready)
        deflateEnd(&f->z);
    for (size_t i = 0; i < f->n_spare; i++)
        free(f->spare[i]);
    free(f->cur);
    free(f->zout);
    pt_error_clear(&f->werr);
    pthread_cond_destroy(&f->work);
    pthread_cond_destroy(&f->room);
    pthread_cond_destroy(&f->idle);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

/* ---------------------------------------------------------------- zstd */

/*
 * Every frame carries its content checksum (XXH64), which every reader
 * checks, `zstd -d` and `zstd -t` as well as ours: a bit flipped inside the
 * snapshot or an archive is found even where SHA256SUMS was rewritten to
 * match.
 */
struct pt_zstd_writer {
    ZSTD_CCtx *cc;
    struct pt_file_writer *out;
    unsigned char *zout;
};

struct pt_zstd_writer *pt_zstd_writer_new(struct pt_file_writer *out, int level)
{
    struct pt_zstd_writer *z = pt_xcalloc(1, sizeof(*z));
    z->cc = ZSTD_createCCtx();
    if (!z->cc)
        abort(); /* as an allocation failure */
    /* Neither can fail with these values (1..19, 0/1). */
    ZSTD_CCtx_setParameter(z->cc, ZSTD_c_compressionLevel, level < 1 ? 3 : level > 19 ? 19 : level);
    ZSTD_CCtx_setParameter(z->cc, ZSTD_c_checksumFlag, 1);
    z->out = out;
    z->zout = pt_xmalloc(CHUNK);
    return z;
}

static enum pt_status zstd_push(struct pt_zstd_writer *z, const void *data, size_t len, bool end,
                                struct pt_error *err)
{
    ZSTD_inBuffer ib = {data, len, 0};
    size_t left;
    do {
        ZSTD_outBuffer ob = {z->zout, CHUNK, 0};
        left = ZSTD_compressStream2(z->cc, &ob, &ib, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left))
            return pt_error_set(err, PT_EFAIL, _("cannot compress: %s"), ZSTD_getErrorName(left));
        enum pt_status rc = ob.pos ? pt_file_writer_write(z->out, z->zout, ob.pos, err) : PT_OK;
        if (rc != PT_OK)
            return rc;
    } while (end ? left != 0 : ib.pos < ib.size);
    return PT_OK;
}

enum pt_status pt_zstd_writer_write(struct pt_zstd_writer *z, const void *data, size_t len,
                                    struct pt_error *err)
{
    return zstd_push(z, data, len, false, err);
}

enum pt_status pt_zstd_writer_end(struct pt_zstd_writer *z, struct pt_error *err)
{
    return zstd_push(z, "", 0, true, err);
}

void pt_zstd_writer_free(struct pt_zstd_writer *z)
{
    if (!z)
        return;
    ZSTD_freeCCtx(z->cc);
    free(z->zout);
    free(z);
}

enum pt_status pt_compress_file_zstd(const char *src, const char *dest, int level,
                                     char hex[PT_SHA256_HEX], int64_t *size, struct pt_error *err)
{
    int fd = open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), src, strerror(errno));
    struct pt_file_writer out;
    enum pt_status rc = pt_file_writer_open(&out, dest, err);
    if (rc != PT_OK) {
        close(fd);
        return rc;
    }
    struct pt_zstd_writer *z = pt_zstd_writer_new(&out, level);
    unsigned char *in = pt_xmalloc(CHUNK);
    while (rc == PT_OK) {
        ssize_t n = read(fd, in, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), src, strerror(errno));
        if (n <= 0)
            break;
        rc = pt_zstd_writer_write(z, in, (size_t)n, err);
    }
    if (rc == PT_OK)
        rc = pt_zstd_writer_end(z, err);
    free(in);
    pt_zstd_writer_free(z);
    close(fd);
    if (rc != PT_OK) {
        pt_file_writer_abort(&out);
        return rc;
    }
    return pt_file_writer_close(&out, hex, size, err);
}

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

struct pt_unpack *pt_unpack_open(enum pt_compression c, pt_source_fn source, void *user)
{
    struct pt_unpack *u = pt_xcalloc(1, sizeof(*u));
    u->c = c;
    u->source = source;
    u->user = user;
    u->in = pt_xmalloc(CHUNK);
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
        ssize_t n = u->source(u->user, u->in + u->in_len, CHUNK - u->in_len, &u->source_err);
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
        u->z.avail_out = (uInt)(len - made > CHUNK ? CHUNK : len - made);
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
    unsigned char *buf = pt_xmalloc(CHUNK);
    unsigned char head[100];
    int64_t done = 0, said = 0, room = free_bytes(dest);
    bool headed = false;
    for (;;) {
        ssize_t n = pt_unpack_read(u, buf, CHUNK, err);
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
