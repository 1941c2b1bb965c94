/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_EXPORT_H
#define POSHTIBAN_EXPORT_H

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * Streams one completed backup, any format, into a single ZIP with the same
 * members under "<name>/": to output (taken from the current folder when
 * relative), or by default <backup root>/.poshtiban/exports/<name>.zip.
 * Written beside its place and renamed into it when complete. *path
 * receives the absolute path (owned).
 */
enum pt_status pt_export_backup(const struct pt_project *project, const char *id,
                                const char *output, const struct pt_monitor *monitor, char **path,
                                struct pt_error *err);

#endif
