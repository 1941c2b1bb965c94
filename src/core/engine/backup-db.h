/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_BACKUP_DB_H
#define POSHTIBAN_CORE_BACKUP_DB_H

#include <stdbool.h>

#include "poshtiban/record.h"
#include "poshtiban/status.h"

#include "base/filewriter.h"
#include "engine/compress.h"
#include "engine/reader.h"

/*
 * Takes a complete backup's snapshot out, in any format and compression,
 * into dest (a new plain file, 0600), and checks it against the backup's
 * SHA256SUMS as it was stored: the base of a change-set chain is only
 * ever the bytes the backup recorded. On failure dest is removed.
 */
enum pt_status pt_backup_database_extract(const struct pt_record *record, const char *dest,
                                          struct pt_error *err);

/*
 * Unpacks the snapshot member that r is reading (compression c) into dest
 * and reads the member to its end: hex receives the SHA-256 of the member
 * as it is stored, *damaged whether its own checks (a frame's checksum)
 * failed. The caller compares hex with SHA256SUMS and removes dest on error.
 */
enum pt_status pt_snapshot_member_take(struct pt_reader *r, enum pt_compression c, const char *dest,
                                       char hex[PT_SHA256_HEX], bool *damaged,
                                       struct pt_error *err);
/*
 * The rest of member e that r is reading (SHA256SUMS), as a new string in
 * *out; refused when larger than poshtiban ever writes such a file.
 */
enum pt_status pt_small_member_read(struct pt_reader *r, const struct pt_entry *e, char **out,
                                    struct pt_error *err);

#endif
