/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_BACKUP_DB_H
#define POSHTIBAN_CORE_BACKUP_DB_H

#include "poshtiban/record.h"
#include "poshtiban/status.h"

/*
 * Takes a complete backup's snapshot out, in any format and compression,
 * into dest (a new plain file, 0600), and checks it against the backup's
 * SHA256SUMS as it was stored: the base of a change-set chain is only
 * ever the bytes the backup recorded. On failure dest is removed.
 */
enum pt_status pt_backup_database_extract(const struct pt_record *record, const char *dest,
                                          struct pt_error *err);

#endif
