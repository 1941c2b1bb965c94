// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/compress.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

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

struct sink {
    struct pt_file_writer file;
    struct pt_error *err;
};

static la_ssize_t sink_write(struct archive *a, void *user, const void *data, size_t len)
{
    struct sink *s = user;
    if (pt_file_writer_write(&s->file, data, len, s->err) != PT_OK) {
        archive_set_error(a, EIO, "%s", s->err && s->err->message ? s->err->message : "write");
        return -1;
    }
    return (la_ssize_t)len;
}

enum pt_status pt_compress_file_zstd(const char *src, const char *dest, int level,
                                     char hex[PT_SHA256_HEX], int64_t *size, struct pt_error *err)
{
    int fd = open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), src, strerror(errno));
    struct sink s = {.err = err};
    enum pt_status opened = pt_file_writer_open(&s.file, dest, err);
    if (opened != PT_OK) {
        close(fd);
        return opened;
    }
    struct archive *a = archive_write_new();
    char opt[16];
    snprintf(opt, sizeof(opt), "%d", level < 1 ? 3 : level > 19 ? 19 : level);
    archive_write_set_format_raw(a);
    archive_write_add_filter_zstd(a);
    archive_write_set_filter_option(a, "zstd", "compression-level", opt);
    archive_write_set_bytes_per_block(a, CHUNK);
    archive_write_set_bytes_in_last_block(a, 1);
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, "database.sqlite3");
    archive_entry_set_filetype(ae, AE_IFREG);
    archive_entry_set_perm(ae, 0600);
    enum pt_status rc = PT_OK;
    if (archive_write_open2(a, &s, NULL, sink_write, NULL, NULL) != ARCHIVE_OK ||
        archive_write_header(a, ae) != ARCHIVE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dest, archive_error_string(a));
    unsigned char *buf = pt_xmalloc(CHUNK);
    while (rc == PT_OK) {
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), src, strerror(errno));
        if (n <= 0)
            break;
        if (archive_write_data(a, buf, (size_t)n) != n)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dest,
                              archive_error_string(a));
    }
    free(buf);
    close(fd);
    archive_entry_free(ae);
    if (archive_write_close(a) != ARCHIVE_OK && rc == PT_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dest, archive_error_string(a));
    archive_write_free(a);
    if (rc != PT_OK) {
        pt_file_writer_abort(&s.file);
        return rc;
    }
    return pt_file_writer_close(&s.file, hex, size, err);
}

/* ---------------------------------------------------------------- reading */

struct pt_unpack {
    struct archive *a;
    enum pt_compression c;
    pt_source_fn source;
    void *user;
    unsigned char *in;
    struct pt_error source_err;
    bool source_failed, started, ended;
};

static la_ssize_t unpack_pull(struct archive *a, void *user, const void **block)
{
    struct pt_unpack *u = user;
    *block = u->in;
    ssize_t n = u->source(u->user, u->in, CHUNK, &u->source_err);
    if (n < 0) {
        u->source_failed = true;
        archive_set_error(a, EIO, "%s", u->source_err.message ? u->source_err.message : "read");
        return -1;
    }
    return n;
}

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
    if (u->source_failed) {
        pt_error_set(err, u->source_err.status ? u->source_err.status : PT_EFAIL, "%s",
                     u->source_err.message ? u->source_err.message : _("failed"));
        return -1;
    }
    pt_error_set(err, PT_EFAIL, _("damaged %s data: %s"), pt_compression_name(u->c),
                 why ? why : "?");
    return -1;
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
    if (!u->started) {
        u->started = true;
        u->a = archive_read_new();
        archive_read_support_format_raw(u->a);
        if (u->c == PT_COMPRESSION_GZIP)
            archive_read_support_filter_gzip(u->a);
        else
            archive_read_support_filter_zstd(u->a);
        struct archive_entry *ae;
        if (archive_read_open(u->a, u, NULL, unpack_pull, NULL) != ARCHIVE_OK ||
            archive_read_next_header(u->a, &ae) != ARCHIVE_OK)
            return damaged(u, archive_error_string(u->a) ? archive_error_string(u->a) : _("empty"),
                           err);
        int want = u->c == PT_COMPRESSION_GZIP ? ARCHIVE_FILTER_GZIP : ARCHIVE_FILTER_ZSTD;
        if (archive_filter_code(u->a, 0) != want)
            return damaged(u, _("not in that format"), err);
    }
    if (!u->a)
        return damaged(u, NULL, err);
    la_ssize_t n = archive_read_data(u->a, buf, len);
    if (n < 0)
        return damaged(u, archive_error_string(u->a), err);
    if (n == 0)
        u->ended = true;
    return n;
}

bool pt_unpack_source_failed(const struct pt_unpack *u)
{
    return u->source_failed;
}

void pt_unpack_close(struct pt_unpack *u)
{
    if (!u)
        return;
    if (u->a)
        archive_read_free(u->a);
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
                                  const char *dest, bool *is_damaged, struct pt_error *err)
{
    *is_damaged = false;
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
    pt_unpack_close(u);
    if (rc != PT_OK) {
        pt_file_writer_abort(&out);
        return rc;
    }
    return pt_file_writer_close(&out, NULL, NULL, err);
}
