// SPDX-License-Identifier: GPL-3.0-or-later
/* Compression (gzip members, zstd frames): names, suffixes and levels, the zstd writer, a file
   compressed whole. */
#include "engine/compress.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
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

/* ---------------------------------------------------------------- zstd */

/*
 * Every frame carries its content checksum (XXH64), which every reader
 * checks, `zstd -d` and `zstd -t` as well as ours: a bit flipped inside the
 * snapshot or an archive is found even where SHA256SUMS was rewritten to
 * match.
 */
/*
 * zstd's own worker threads compress while the caller produces the bytes;
 * the output is still one frame. One per online CPU this process may use, at most
 * PT_ZSTD_WORKERS_MAX; none on a machine of one CPU, where they would only
 * take turns with the caller.
 */
#define PT_ZSTD_WORKERS_MAX 4

int pt_zstd_workers(void)
{
    /* The CPUs this process may run on: a system call, no file read (sysconf reads /sys). */
    cpu_set_t set;
    long n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                          : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 2 ? 0 : n > PT_ZSTD_WORKERS_MAX ? PT_ZSTD_WORKERS_MAX : (int)n;
}

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
    /*
     * A libzstd built without threads refuses the workers: it compresses on
     * the caller's thread then. Jobs of 2 MiB keep the memory of the jobs in
     * flight small (the memory suite's 64 MiB) at little cost in ratio.
     */
    int workers = pt_zstd_workers();
    if (workers > 0 && !ZSTD_isError(ZSTD_CCtx_setParameter(z->cc, ZSTD_c_nbWorkers, workers)))
        ZSTD_CCtx_setParameter(z->cc, ZSTD_c_jobSize, 2 * 1024 * 1024);
    z->out = out;
    z->zout = pt_xmalloc(PT_COMPRESS_CHUNK);
    return z;
}

static enum pt_status zstd_push(struct pt_zstd_writer *z, const void *data, size_t len, bool end,
                                struct pt_error *err)
{
    ZSTD_inBuffer ib = {data, len, 0};
    size_t left;
    do {
        ZSTD_outBuffer ob = {z->zout, PT_COMPRESS_CHUNK, 0};
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
    unsigned char *in = pt_xmalloc(PT_COMPRESS_CHUNK);
    while (rc == PT_OK) {
        ssize_t n = read(fd, in, PT_COMPRESS_CHUNK);
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
