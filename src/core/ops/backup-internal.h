/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_BACKUP_INTERNAL_H
#define POSHTIBAN_CORE_BACKUP_INTERNAL_H

#include "poshtiban/backup.h"
#include "poshtiban/verify.h"

/* What pt_backup_create does, for callers that hold the lock already (restore). */
enum pt_status pt_backup_check_input(const struct pt_project *project,
                                     const struct pt_create_options *opts, struct pt_error *err);
enum pt_status pt_backup_create_locked(const struct pt_project *project, struct pt_catalog *catalog,
                                       const struct pt_create_options *opts,
                                       const struct pt_monitor *monitor, struct pt_record *out,
                                       struct pt_error *err);

/*
 * Removes a backup's files (folder, or archive and its .sha256) and its
 * record. Refuses anything that is not exactly <backup root>/<name>[.suffix].
 * The caller holds the lock.
 */
enum pt_status pt_backup_remove_locked(const struct pt_project *project, struct pt_catalog *catalog,
                                       const struct pt_record *record, struct pt_error *err);

/*
 * Fills what a backup's report says of it into r (kind, times, duration,
 * media, tables) and measures its size on disk; r's path and format are
 * set already.
 */
void pt_backup_record_from_report(struct pt_record *r, json_t *report);

/*
 * What pt_verify_backup checks, of a backup that need not be in the
 * catalog (r's name, format and path; pull checks a copy before it is
 * recorded). PT_OK with result->ok false when it is damaged; PT_EFAIL when
 * it could not be checked (no room to unpack its snapshot: the backup may
 * be sound); PT_ECANCELLED. Records nothing. Free result with
 * pt_verify_result_free.
 */
enum pt_status pt_verify_record(const struct pt_project *project, const struct pt_record *r,
                                bool deep, const struct pt_monitor *monitor,
                                struct pt_verify_result *result, struct pt_error *err);

#endif
