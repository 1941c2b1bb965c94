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

/* backup_report.json of a completed backup, any format; new reference. */
enum pt_status pt_backup_read_report(const struct pt_record *record, json_t **report,
                                     struct pt_error *err);

/* The "files" list of backup_report.json: [{"path","size","sha256"}]; new reference. */
enum pt_status pt_backup_read_files(const struct pt_record *record, json_t **files,
                                    struct pt_error *err);

/*
 * The permission bits the report recorded for each media file ("media/…" →
 * integer), read from backup_report.json; an empty object for a backup
 * made before reports recorded them, or one whose report cannot be read.
 * New reference.
 */
json_t *pt_backup_read_modes(const struct pt_record *record);

#endif
