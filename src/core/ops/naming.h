/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_NAMING_H
#define POSHTIBAN_CORE_NAMING_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"

/*
 * True when name may name a backup (`create --name`, and every name read
 * from elsewhere: a report, the name tag of an off-site copy before pull
 * fetches it): valid UTF-8, 1 to 200 bytes, not starting with a dot (so
 * neither "." nor ".."), not only digits (an id) nor "latest" or "changes" (the
 * folder of the change sets, docs/changes.md); no / or \,
 * no control character (C0, DEL, C1), no line or paragraph separator, no
 * byte-order mark, no bidi mark, embedding, override or isolate (U+061C,
 * U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069: they make a name read
 * as another); not made only of spaces and zero-width characters. Whether
 * the name is free is pt_backup_name_free's question.
 */
bool pt_backup_name_valid(const char *name);

/*
 * name as a message may show it: control characters and bytes that are not
 * UTF-8 as \xNN, and what pt_backup_name_valid refuses beyond them (bidi
 * marks, separators, a BOM) as <U+XXXX>. New string.
 */
char *pt_backup_name_shown(const char *name);

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
