/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_NAMING_H
#define POSHTIBAN_CORE_NAMING_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"

/*
 * True when name may name a backup (`create --name`, and every name read
 * from elsewhere: a report, an off-site tag): valid UTF-8, 1 to 200 bytes,
 * not starting with a dot, not only digits (an id) nor "latest"; no / or \,
 * no control character (C0, DEL, C1), no line or paragraph separator, no
 * byte-order mark, no bidi embedding, override or isolate (they make a name
 * read as another); not made only of spaces and zero-width characters.
 */
bool pt_backup_name_valid(const char *name);

/*
 * True when no backup, record or work in progress has this name: not in
 * the catalog, no folder, archive or tmp entry of it in the backup root.
 */
bool pt_backup_name_free(const struct pt_project *project, struct pt_catalog *catalog,
                         const char *name);

/*
 * A new backup name for the moment now_ms (ms since the epoch):
 * <prefix>_YYYYMMDD_HHMMSS in UTC, then _2, _3… until pt_backup_name_free
 * holds, so that backups of the same second, and anything left on disk,
 * keep their names. The caller frees it.
 */
char *pt_backup_name_new(const struct pt_project *project, struct pt_catalog *catalog,
                         const char *prefix, int64_t now_ms);

#endif
