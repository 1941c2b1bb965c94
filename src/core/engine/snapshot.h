/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_SNAPSHOT_H
#define POSHTIBAN_CORE_SNAPSHOT_H

#include <stdint.h>

#include "poshtiban/progress.h"
#include "poshtiban/status.h"

/*
 * PT_OK when path is a readable SQLite database file; PT_EINVAL with a
 * message saying what it is instead (missing, a folder, not SQLite).
 * *size receives its size.
 */
enum pt_status pt_snapshot_check_source(const char *path, int64_t *size, struct pt_error *err);

/*
 * Copies the source database into dest (a new file, 0600) through the SQLite
 * online backup API, in steps, inside one read transaction on the source:
 * writers in other processes go on (in WAL mode) and the copy is one
 * consistent state. dest ends in rollback-journal mode, a single file.
 * durable: dest is fsynced, as a file that is kept; false for a copy that
 * is only read to make the files kept (compressed, packed: each synced
 * itself) and then removed, so that its bytes need never reach the disk.
 */
enum pt_status pt_snapshot_take(const char *source, const char *dest, bool durable,
                                const struct pt_monitor *monitor, struct pt_error *err);

#endif
