// SPDX-License-Identifier: GPL-3.0-or-later
/* The fan-out: one stream written to several files at once, compressed on a thread of its own. */
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

#define SLOTS 8

/* ---------------------------------------------------------------- fan-out */

enum op_kind { OP_BEGIN, OP_DATA, OP_END, OP_RAW, OP_QUIT };

struct op {
    enum op_kind kind;
    bool log; /* OP_END, OP_RAW: the part's span goes to the log */
    struct pt_file_writer *files[2];
    size_t n_files;
    unsigned char *buf;
    size_t len;
    int fd; /* OP_RAW: read from, at offset, len_raw bytes */
    off_t offset;
    int64_t len_raw;
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
    int64_t part_at; /* where the current part began in files[0] */
    enum pt_status failed;
    struct pt_error werr;
    /* the spans of logged parts, in order; read by the caller once the thread is idle */
    struct pt_fanout_span *log;
    size_t n_log, cap_log;
};

static void log_span(struct pt_fanout *f)
{
    if (f->n_log == f->cap_log) {
        f->cap_log = f->cap_log ? f->cap_log * 2 : 64;
        f->log = pt_xrealloc(f->log, f->cap_log * sizeof(*f->log));
    }
    f->log[f->n_log++] = (struct pt_fanout_span){f->part_at, f->files[0]->size - f->part_at};
}

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
        f->z.avail_out = PT_COMPRESS_CHUNK;
        zr = deflate(&f->z, flush);
        if (zr == Z_STREAM_ERROR)
            return pt_error_set(&f->werr, PT_EFAIL, _("cannot compress: %s"), "zlib");
        size_t have = PT_COMPRESS_CHUNK - f->z.avail_out;
        enum pt_status rc = have ? to_files(f, f->zout, have) : PT_OK;
        if (rc != PT_OK)
            return rc;
    } while (f->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return PT_OK;
}

/* Bytes stored already, copied as they are. */
static enum pt_status copy_raw(struct pt_fanout *f, const struct op *op)
{
    off_t at = op->offset;
    int64_t left = op->len_raw;
    while (left > 0) {
        size_t want = left < PT_COMPRESS_CHUNK ? (size_t)left : PT_COMPRESS_CHUNK;
        ssize_t got = pread(op->fd, f->zout, want, at);
        if (got <= 0)
            return pt_error_set(&f->werr, PT_EFAIL, _("cannot read a shared fixture: %s"),
                                got < 0 ? strerror(errno) : _("cut short"));
        enum pt_status rc = to_files(f, f->zout, (size_t)got);
        if (rc != PT_OK)
            return rc;
        at += got;
        left -= got;
    }
    return PT_OK;
}

static enum pt_status run_op(struct pt_fanout *f, struct op *op)
{
    switch (op->kind) {
    case OP_BEGIN:
        memcpy(f->files, op->files, sizeof(f->files));
        f->n_files = op->n_files;
        f->part_at = f->files[0]->size;
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
    case OP_END: {
        enum pt_status rc = f->c == PT_COMPRESSION_GZIP ? deflate_into(f, "", 0, Z_FINISH) : PT_OK;
        if (rc == PT_OK && op->log)
            log_span(f);
        return rc;
    }
    case OP_RAW: {
        memcpy(f->files, op->files, sizeof(f->files));
        f->n_files = op->n_files;
        f->part_at = f->files[0]->size;
        enum pt_status rc = copy_raw(f, op);
        if (rc == PT_OK && op->log)
            log_span(f);
        return rc;
    }
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
        f->spare[f->n_spare++] = pt_xmalloc(PT_COMPRESS_CHUNK);
    f->cur = pt_xmalloc(PT_COMPRESS_CHUNK);
    f->zout = pt_xmalloc(PT_COMPRESS_CHUNK);
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
        size_t take = PT_COMPRESS_CHUNK - f->cur_len < len ? PT_COMPRESS_CHUNK - f->cur_len : len;
        memcpy(f->cur + f->cur_len, p, take);
        f->cur_len += take;
        p += take;
        len -= take;
        if (f->cur_len == PT_COMPRESS_CHUNK) {
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

/* Queues op and waits until the thread has done all that was queued. */
static enum pt_status drained(struct pt_fanout *f, const struct op *op, struct pt_error *err)
{
    pthread_mutex_lock(&f->mu);
    enqueue(f, op);
    while (f->count > 0 || f->busy)
        pthread_cond_wait(&f->idle, &f->mu);
    pthread_mutex_unlock(&f->mu);
    return worker_status(f, err);
}

enum pt_status pt_fanout_end(struct pt_fanout *f, struct pt_error *err)
{
    push_data(f);
    struct op op = {.kind = OP_END};
    return drained(f, &op, err);
}

/* Queues op without waiting. */
static enum pt_status queued(struct pt_fanout *f, const struct op *op, struct pt_error *err)
{
    pthread_mutex_lock(&f->mu);
    enqueue(f, op);
    pthread_mutex_unlock(&f->mu);
    return worker_status(f, err);
}

enum pt_status pt_fanout_close(struct pt_fanout *f, struct pt_error *err)
{
    push_data(f);
    struct op op = {.kind = OP_END, .log = true};
    return queued(f, &op, err);
}

static struct op raw_op(struct pt_file_writer *const *files, size_t n, int fd, off_t offset,
                        int64_t len, bool log)
{
    struct op op = {.kind = OP_RAW,
                    .log = log,
                    .n_files = n < 2 ? n : 2,
                    .fd = fd,
                    .offset = offset,
                    .len_raw = len};
    for (size_t i = 0; i < op.n_files; i++)
        op.files[i] = files[i];
    return op;
}

enum pt_status pt_fanout_raw(struct pt_fanout *f, struct pt_file_writer *const *files, size_t n,
                             int fd, off_t offset, int64_t len, struct pt_error *err)
{
    push_data(f);
    struct op op = raw_op(files, n, fd, offset, len, false);
    return drained(f, &op, err);
}

enum pt_status pt_fanout_copy(struct pt_fanout *f, struct pt_file_writer *const *files, size_t n,
                              int fd, off_t offset, int64_t len, struct pt_error *err)
{
    push_data(f);
    struct op op = raw_op(files, n, fd, offset, len, true);
    return queued(f, &op, err);
}

enum pt_status pt_fanout_wait(struct pt_fanout *f, struct pt_error *err)
{
    push_data(f);
    pthread_mutex_lock(&f->mu);
    while (f->count > 0 || f->busy)
        pthread_cond_wait(&f->idle, &f->mu);
    pthread_mutex_unlock(&f->mu);
    return worker_status(f, err);
}

size_t pt_fanout_spans(struct pt_fanout *f, const struct pt_fanout_span **spans)
{
    size_t n = f->n_log;
    *spans = f->log;
    f->n_log = 0;
    return n;
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
    free(f->log);
    pt_error_clear(&f->werr);
    pthread_cond_destroy(&f->work);
    pthread_cond_destroy(&f->room);
    pthread_cond_destroy(&f->idle);
    pthread_mutex_destroy(&f->mu);
    free(f);
}
