/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_REMOVE_H
#define POSHTIBAN_CORE_REMOVE_H

/* A backup removed under a lock the caller holds (ops/remove.c). */
#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

/*
 * Removes a backup's files (folder, or archive and its .sha256) and its
 * record. Refuses anything that is not exactly <backup root>/<name>[.suffix].
 * The caller holds the lock.
 */
enum pt_status pt_backup_remove_locked(const struct pt_project *project, struct pt_catalog *catalog,
                                       const struct pt_record *record, struct pt_error *err);

#endif
