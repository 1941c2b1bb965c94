/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_AFTER_BACKUP_H
#define POSHTIBAN_CORE_AFTER_BACKUP_H

#include "poshtiban/catalog.h"
#include "poshtiban/notify.h"
#include "poshtiban/offsite.h"
#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"

/*
 * What surrounds a backup that `create` or `auto` takes (README, "Automatic
 * backups, notifications and doctor"): the start ping before it; retention
 * under the lock after it; the off-site copy, mail and pings once the lock
 * is released, so that a slow server holds up no other process. The
 * backup itself (backup.c) knows none of this.
 */
struct pt_after_backup {
    struct pt_notify_run run;
    struct pt_offsite_push_result offsite;
};

/* Before the backup, under the lock: pings URL/start. */
void pt_after_backup_start(const struct pt_project *project, struct pt_catalog *catalog,
                           struct pt_after_backup *after);

/* Under the lock, after record completed: retention. */
void pt_after_backup_locked(const struct pt_project *project, struct pt_catalog *catalog,
                            struct pt_record *record, struct pt_after_backup *after);

/*
 * After the project lock is released, so that no create or auto waits for
 * restic: record's off-site copy (record NULL: none), then with owed (auto)
 * the copies owed from earlier backups, unless record's failed.
 */
void pt_after_backup_offsite(const struct pt_project *project, struct pt_catalog *catalog,
                             struct pt_record *record, bool owed, const struct pt_monitor *monitor,
                             struct pt_after_backup *after);

/*
 * After the lock: mail and pings for record (NULL or without an id: none),
 * then for the off-site copies that failed. Never fails the backup; frees
 * after.
 */
void pt_after_backup_finish(const struct pt_project *project, struct pt_catalog *catalog,
                            struct pt_record *record, struct pt_after_backup *after);

#endif
