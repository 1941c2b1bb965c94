/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_COMPRESS_H
#define POSHTIBAN_CORE_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "poshtiban/status.h"

#include "base/filewriter.h"

/*
 * How a file of a backup is stored (README, "What a backup holds"): the
 * fixtures as gzip, which Django's loaddata reads as it is, the snapshot as
 * zstd, which `zstd -d` opens, or plain.
 */
enum pt_compression { PT_COMPRESSION_NONE, PT_COMPRESSION_GZIP, PT_COMPRESSION_ZSTD };

/* "none", "gzip", "zstd": the names backup_report.json gives them. */
const char *pt_compression_name(enum pt_compression c);
/* "", ".gz", ".zst". */
const char *pt_compression_suffix(enum pt_compression c);

/*
 * True when path names the file plain ("database.sqlite3") or compressed
 * ("database.sqlite3.zst", ".gz"); *c receives which.
 */
bool pt_compression_match(const char *path, const char *plain, enum pt_compression *c);

/* The deflate level (1..9) for a backup.compression_level (zstd's 1..19). */
int pt_compression_gzip_level(int zstd_level);

/*
 * A stream of plain bytes written, compressed or not, into one or two files
 * at once, by a second thread: the caller serializes while it compresses,
 * writes and hashes. Each part goes to the files named when it begins; with
 * gzip a part is one gzip member, compressed once and written to each file
 * (a gzip file may hold several members, read one after the other).
 */
struct pt_fanout;

struct pt_fanout *pt_fanout_new(enum pt_compression c, int gzip_level);
/* Begins a part written to files[0..n) (n is 1 or 2); the files stay the caller's. */
enum pt_status pt_fanout_begin(struct pt_fanout *f, struct pt_file_writer *const *files, size_t n,
                               struct pt_error *err);
enum pt_status pt_fanout_write(struct pt_fanout *f, const void *data, size_t len,
                               struct pt_error *err);
enum pt_status pt_fanout_puts(struct pt_fanout *f, const char *s, struct pt_error *err);
/* Ends the part and waits until all of it is written: its files may then be closed. */
enum pt_status pt_fanout_end(struct pt_fanout *f, struct pt_error *err);
/*
 * A part of len bytes read from fd at offset and written as they are, no
 * compression (bytes stored already, whole gzip members), to files[0..n),
 * in order with the other parts; waits until all of it is written. fd
 * stays the caller's.
 */
enum pt_status pt_fanout_raw(struct pt_fanout *f, struct pt_file_writer *const *files, size_t n,
                             int fd, off_t offset, int64_t len, struct pt_error *err);
/*
 * Logged parts, for a caller that needs to know where each landed (the
 * row ranges of a fixture, engine/row-range.h): pt_fanout_close ends a
 * part and pt_fanout_copy copies stored bytes as pt_fanout_raw does, but
 * neither waits; fd must stay open until pt_fanout_wait has returned.
 * Then pt_fanout_spans gives, in order, where each logged part landed in
 * the first of its files, and forgets them; the array is valid until the
 * next call into f.
 */
struct pt_fanout_span {
    int64_t at, len;
};
enum pt_status pt_fanout_close(struct pt_fanout *f, struct pt_error *err);
enum pt_status pt_fanout_copy(struct pt_fanout *f, struct pt_file_writer *const *files, size_t n,
                              int fd, off_t offset, int64_t len, struct pt_error *err);
/* Waits until all that was queued is written. */
enum pt_status pt_fanout_wait(struct pt_fanout *f, struct pt_error *err);
size_t pt_fanout_spans(struct pt_fanout *f, const struct pt_fanout_span **spans);
/* Stops the thread; what was not ended is dropped. */
void pt_fanout_free(struct pt_fanout *f);

/*
 * Compresses the file src with zstd at level into a new file dest (0600,
 * fsynced), one frame that carries its content checksum; hex and *size are
 * those of dest, the bytes as stored.
 */
enum pt_status pt_compress_file_zstd(const char *src, const char *dest, int level,
                                     char hex[PT_SHA256_HEX], int64_t *size, struct pt_error *err);

/*
 * One zstd frame at level (1..19) written into out as its bytes come,
 * carrying its content checksum; out stays the caller's. The frame is
 * whole once pt_zstd_writer_end returned PT_OK. zstd's worker threads
 * (pt_zstd_workers) compress while the caller writes: out is written on
 * the caller's thread only, within its calls.
 */
struct pt_zstd_writer;

/* How many worker threads a zstd writer uses: by the online CPUs, 0 (none) to 4. */
int pt_zstd_workers(void);

struct pt_zstd_writer *pt_zstd_writer_new(struct pt_file_writer *out, int level);
enum pt_status pt_zstd_writer_write(struct pt_zstd_writer *z, const void *data, size_t len,
                                    struct pt_error *err);
enum pt_status pt_zstd_writer_end(struct pt_zstd_writer *z, struct pt_error *err);
void pt_zstd_writer_free(struct pt_zstd_writer *z);

/* Where a reader of a compressed stream gets its bytes: 0 at the end, -1 with err set. */
typedef ssize_t (*pt_source_fn)(void *user, void *buf, size_t len, struct pt_error *err);
/* A pt_source_fn over an open file: user points at its descriptor (an int). */
ssize_t pt_source_fd(void *user, void *buf, size_t len, struct pt_error *err);

/*
 * Reads a gzip or zstd stream from source, as a stream: memory stays small
 * whatever the sizes. Data that is not of kind c, or cut short, is damaged;
 * so is a gzip member whose CRC-32 or length (ISIZE) is wrong, anything
 * but zero padding after the last gzip member, a zstd frame whose content
 * checksum is wrong and anything after the last zstd frame
 * (docs/backup-layout.md, "Compressed members").
 */
struct pt_unpack;

struct pt_unpack *pt_unpack_open(enum pt_compression c, pt_source_fn source, void *user);
/* Plain bytes: 0 at the end, -1 with err set (the source's error, or "damaged"). */
ssize_t pt_unpack_read(struct pt_unpack *u, void *buf, size_t len, struct pt_error *err);
/* True when the last failure was the source's own, not the data's. */
bool pt_unpack_source_failed(const struct pt_unpack *u);
/*
 * True when a zstd frame read so far carries no content checksum (written
 * by poshtiban before it set one): read as it is, but nothing proves it.
 */
bool pt_unpack_unchecked(const struct pt_unpack *u);
void pt_unpack_close(struct pt_unpack *u);

/*
 * A backup's snapshot member, read through source and stored as c, copied
 * into a new plain file dest (0600) under the backup root's tmp. It must be
 * a SQLite database: its header says its size, and what would be larger, or
 * not fit in the free space of dest's filesystem, is refused before it is
 * written (a small file that unpacks huge fills no disk). On failure dest
 * is removed; *damaged says the data was at fault, not the source or the
 * disk. *unchecked (NULL: not wanted) as pt_unpack_unchecked says.
 */
enum pt_status pt_unpack_snapshot(enum pt_compression c, pt_source_fn source, void *user,
                                  const char *dest, bool *damaged, bool *unchecked,
                                  struct pt_error *err);

#endif
