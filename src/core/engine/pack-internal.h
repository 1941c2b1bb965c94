/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_PACK_INTERNAL_H
#define POSHTIBAN_CORE_PACK_INTERNAL_H

/*
 * What the parts of pack (pack.c: the archive writer and the archive
 * written as its backup is made; pack-export.c: export) share; nothing
 * outside them includes this.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <archive.h>

#include "poshtiban/progress.h"
#include "poshtiban/status.h"

#include "base/filewriter.h"
#include "engine/compress.h"

#define COPY_BUF (256 * 1024)

/* export --plain: a compressed member of the backup, and what it holds unpacked. */
struct plain_member {
    char *path;  /* "database.sqlite3.zst" */
    char *plain; /* "database.sqlite3" */
    enum pt_compression c;
    int64_t size; /* unpacked */
    char sha256[PT_SHA256_HEX];
};

struct writer {
    struct plain_member *plain; /* export --plain: the members written unpacked */
    size_t n_plain;
    char *sums; /* export --plain: SHA256SUMS rewritten for them */
    struct archive *a;
    struct pt_file_writer file;
    struct pt_zstd_writer *zstd; /* tar.zst: the tar's bytes, compressed into file */
    struct pt_error *err;
    const struct pt_monitor *monitor;
    const char *top;
    const char *dest;
    unsigned char *buf;
    /*
     * The file refused a write (err says why): what libarchive writes after
     * goes nowhere. It is told the write went well, since an archive it
     * takes for failed is never closed, and the zip deflate state is freed
     * only on close.
     */
    bool failed;
    bool zip;
    int64_t done, total;
};

/* Opens w's archive ("zip" or "tar.zst" at level) into the new file w->dest. */
enum pt_status pt_pack_writer_open(struct writer *w, const char *format, int level,
                                   struct pt_error *err);
/* Drops w's archive and removes its file. */
void pt_pack_writer_abort(struct writer *w);
/* Closes w's archive and file: hex and *size are the file's. */
enum pt_status pt_pack_writer_close(struct writer *w, char hex[PT_SHA256_HEX], int64_t *size,
                                    struct pt_error *err);
/* What a libarchive call's success ok means, once the file may have refused a write. */
enum pt_status pt_pack_wrote(struct writer *w, bool ok, struct pt_error *err);
/* PT_EINVAL unless path (and link_target) are UTF-8, which zip and tar need. */
enum pt_status pt_pack_check_utf8(const char *path, const char *link_target, struct pt_error *err);

#endif
