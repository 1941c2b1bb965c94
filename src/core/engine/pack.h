/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_PACK_H
#define POSHTIBAN_CORE_PACK_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/progress.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

#include "base/filewriter.h"

/*
 * Packs the backup folder dir into a new archive file dest ("zip" or
 * "tar.zst") with every member under "top/", the reports first. The file is
 * owner-only and fsynced; hex receives its SHA-256, *size its length.
 */
enum pt_status pt_pack_backup(const char *dir, const char *top, const char *format, int level,
                              const char *dest, const struct pt_monitor *monitor,
                              char hex[PT_SHA256_HEX], int64_t *size, struct pt_error *err);

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

#endif
