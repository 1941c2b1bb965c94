/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_PACK_H
#define POSHTIBAN_CORE_PACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "poshtiban/progress.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

#include "base/filewriter.h"
#include "engine/manifest.h"
#include "engine/media.h"

/*
 * Streams the backup of record, whatever its format, into a new ZIP file dest
 * with the same members under "<name>/"; nothing is extracted on the way.
 * plain (export --plain): the snapshot and the fixtures are written
 * unpacked under their plain names (database.sqlite3, *.json), and
 * SHA256SUMS is rewritten to match them; a first walk unpacks them as a
 * stream to learn their sizes and checksums, so memory stays flat. A
 * damaged compressed member fails the export (PT_EFAIL) naming it.
 */
enum pt_status pt_pack_export(const struct pt_record *record, const char *dest, bool plain,
                              const struct pt_monitor *monitor, struct pt_error *err);

/* Writes "<hex>  <name>\n" to path, the form `sha256sum -c` reads. */
enum pt_status pt_pack_write_sidecar(const char *path, const char *hex, const char *name,
                                     struct pt_error *err);

/*
 * An archive ("zip" or "tar.zst") written while its backup is made
 * (docs/backup-layout.md, "Member order"): each member goes in, under
 * "top/", once it is final, and nothing of it is read twice. dest is a new
 * file (owner-only); it is whole once pt_pack_stream_close returned PT_OK,
 * and removed by pt_pack_stream_abort. One thread at a time.
 */
struct pt_pack_stream;

enum pt_status pt_pack_stream_open(const char *dest, const char *top, const char *format, int level,
                                   struct pt_pack_stream **out, struct pt_error *err);
/*
 * Where the members written next report their progress (NULL: nowhere,
 * while a thread other than the monitor's writes) and is cancelled, with
 * total the bytes they come to; done counts from 0 again.
 */
void pt_pack_stream_progress(struct pt_pack_stream *s, const struct pt_monitor *monitor,
                             int64_t total);
/* A folder member rel ("fixtures"), with st's time (NULL: none). */
enum pt_status pt_pack_stream_dir(struct pt_pack_stream *s, const char *rel, const struct stat *st,
                                  struct pt_error *err);
/*
 * The finished file path as member rel; hex and *size receive the SHA-256
 * and length of the bytes that went in. A file whose size changes while it
 * is read fails ("changed while it was read"), as does a link or anything
 * but a regular file.
 */
enum pt_status pt_pack_stream_file(struct pt_pack_stream *s, const char *path, const char *rel,
                                   char hex[PT_SHA256_HEX], int64_t *size, struct pt_error *err);
/*
 * The media tree src straight into the archive as "media/…" (pt_media_stream's
 * rules), each file hashed on the way and recorded in manifest with its
 * mode; no copy is made. A file that changes size while it is read fails the
 * archive ("changed while it was read"): a tar header declares the size first.
 */
enum pt_status pt_pack_stream_media(struct pt_pack_stream *s, const char *src, const char *skip,
                                    struct pt_manifest *manifest, struct pt_media_totals *totals,
                                    struct pt_error *err);
/* Ends the archive, fsynced; hex and *size are the file's. s is freed, whatever the outcome. */
enum pt_status pt_pack_stream_close(struct pt_pack_stream *s, char hex[PT_SHA256_HEX],
                                    int64_t *size, struct pt_error *err);
/* Drops the archive: its file is removed. s is freed; NULL is fine. */
void pt_pack_stream_abort(struct pt_pack_stream *s);

#endif
