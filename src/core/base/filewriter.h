/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_FILEWRITER_H
#define POSHTIBAN_CORE_FILEWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "poshtiban/status.h"

#define PT_SHA256_HEX 65

/*
 * A new file of a backup: created owner-only (0600, whatever the umask),
 * buffered, hashed with SHA-256 as it is written, fsynced on close.
 */
struct pt_file_writer {
    int fd;
    char *path;
    void *md; /* EVP_MD_CTX */
    unsigned char *buf;
    size_t used;
    int64_t size;
    int64_t at, queued; /* bytes handed to the file; those the disk was asked to write */
    bool holes;         /* pt_file_writer_hole left some: the size is set on close */
    /*
     * Set by the caller after open: close does not fsync. The caller then
     * syncs the whole file system once (pt_sync_fs) before anything relies
     * on the file, as a media copy of many small files does.
     */
    bool defer_sync;
};

enum pt_status pt_file_writer_open(struct pt_file_writer *w, const char *path,
                                   struct pt_error *err);
enum pt_status pt_file_writer_write(struct pt_file_writer *w, const void *data, size_t len,
                                    struct pt_error *err);
/*
 * len zero bytes, hashed and counted but not written: a hole, as the
 * source file has it, so that a sparse file stays sparse.
 */
enum pt_status pt_file_writer_hole(struct pt_file_writer *w, int64_t len, struct pt_error *err);
enum pt_status pt_file_writer_puts(struct pt_file_writer *w, const char *s, struct pt_error *err);
/* Flushes, fsyncs (unless defer_sync) and closes; hex receives the SHA-256, *size the length. */
enum pt_status pt_file_writer_close(struct pt_file_writer *w, char hex[PT_SHA256_HEX],
                                    int64_t *size, struct pt_error *err);
/* Closes and unlinks a writer after a failure. */
void pt_file_writer_abort(struct pt_file_writer *w);

/* The 32 bytes of a SHA-256 digest as 64 lowercase hex digits. */
void pt_sha256_hex(const unsigned char *digest, char hex[PT_SHA256_HEX]);
/* SHA-256 and size of an existing file, read in blocks. */
enum pt_status pt_sha256_file(const char *path, char hex[PT_SHA256_HEX], int64_t *size,
                              struct pt_error *err);

#endif
