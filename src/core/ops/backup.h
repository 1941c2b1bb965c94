/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_BACKUP_H
#define POSHTIBAN_CORE_BACKUP_H

/* A backup taken under a lock the caller holds (ops/backup.c). */
#include "poshtiban/backup.h"
#include "poshtiban/catalog.h"

/* What pt_backup_create does, for callers that hold the lock already (restore). */
enum pt_status pt_backup_check_input(const struct pt_project *project,
                                     const struct pt_create_options *opts, struct pt_error *err);
enum pt_status pt_backup_create_locked(const struct pt_project *project, struct pt_catalog *catalog,
                                       const struct pt_create_options *opts,
                                       const struct pt_monitor *monitor, struct pt_record *out,
                                       struct pt_error *err);

#endif
