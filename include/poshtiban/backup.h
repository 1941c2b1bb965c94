/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_BACKUP_H
#define POSHTIBAN_BACKUP_H

#include <stdbool.h>

#include "poshtiban/catalog.h"
#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/* Taking a backup, with what follows it (auto/create.c). */

struct pt_create_options {
    const char *name; /* NULL: backup_YYYYMMDD_HHMMSS */
    enum pt_kind kind;
    int include_media;  /* -1: from the setting backup.include_media */
    const char *format; /* NULL: from the setting backup.format */
    /* No hooks.before_backup/after_backup: restore's backup of the state before runs its own. */
    bool no_hooks;
};

/*
 * Takes one backup of the project (docs/backup-layout.md): an online snapshot of the
 * source through the SQLite backup API, fixtures streamed from the snapshot,
 * the media copy, the reports and SHA256SUMS, built under .poshtiban/tmp and
 * renamed into place only when complete and fsynced.
 *
 * Opens the catalog itself, once the input is known to be good, and holds
 * the project lock throughout (PT_EBUSY when taken). Bad input (a missing or
 * non-SQLite source, a bad name or format) fails with PT_EINVAL before
 * anything is written. hooks.before_backup runs under the lock before the
 * record exists: when it fails (PT_EFAIL, or PT_ECANCELLED) nothing is
 * written and *out is left empty. hooks.after_backup runs after every
 * backup that got past it; when it fails, the backup keeps its status
 * and its record's error says so. Once a record exists, any failure or
 * cancellation removes what was built and leaves the record `failed` with
 * the error. On success and on failure after the record exists, *out (when
 * not NULL) receives the record; the caller frees it.
 */
enum pt_status pt_backup_create(struct pt_session *session, const struct pt_create_options *opts,
                                const struct pt_monitor *monitor, struct pt_record *out,
                                struct pt_error *err);

#endif
