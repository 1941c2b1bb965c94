/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_REINDEX_H
#define POSHTIBAN_REINDEX_H

#include <stddef.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/*
 * Rebuilds the catalog from the backup_report.json of every backup folder
 * and archive in the backup root, under the lock: a backup the catalog
 * lacks is added, one it has is brought in line with its report (its pin
 * and verification are kept). *count receives how many backups were found.
 */
enum pt_status pt_reindex(struct pt_session *session, size_t *count, struct pt_error *err);

/* The same for a caller that holds the lock and the open catalog. */
enum pt_status pt_reindex_locked(const struct pt_project *project, struct pt_catalog *catalog,
                                 size_t *count, struct pt_error *err);

#endif
