/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_BACKUP_READ_H
#define POSHTIBAN_BACKUP_READ_H

/* What a completed backup says of itself, read from it in any format (engine/backup-read.c). */
#include <jansson.h>

#include "poshtiban/record.h"
#include "poshtiban/status.h"

/* The backup's human summary (backup_summary.txt) as a new string. */
enum pt_status pt_backup_read_summary(const struct pt_record *record, char **text,
                                      struct pt_error *err);

/*
 * backup_report.json of a completed backup, any format, without its "files"
 * (new reference). The report is read as a stream and every entry of its
 * files is checked on the way, one at a time: memory stays flat however
 * many files the backup holds. A damaged report is PT_EFAIL ("the report
 * of X is damaged: why").
 */
enum pt_status pt_backup_read_report(const struct pt_record *record, json_t **report,
                                     struct pt_error *err);

/* One entry of the report's "files": {"path","size","sha256"[,"mode"]}, borrowed for the call. */
typedef enum pt_status (*pt_backup_file_fn)(json_t *file, void *user, struct pt_error *err);

/*
 * Each entry of backup_report.json's "files", in order, as the report is
 * read: never the whole list in memory. fn's status other than PT_OK
 * stops the reading and is returned. A report found damaged only past
 * some entries (cut short) has shown fn those entries first: call
 * pt_backup_read_report before when nothing may be said of a damaged one.
 */
enum pt_status pt_backup_each_file(const struct pt_record *record, pt_backup_file_fn fn, void *user,
                                   struct pt_error *err);

/*
 * The permission bits the report recorded for each media file ("media/…" →
 * integer), read from backup_report.json as it streams; only the paths
 * that are keys of only, when only is not NULL (restore --path: its few
 * files, not 100,000). An empty object for a backup made before reports
 * recorded them, or one whose report cannot be read. New reference.
 */
json_t *pt_backup_read_modes(const struct pt_record *record, json_t *only);

#endif
