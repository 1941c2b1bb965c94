/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_EXPORT_H
#define POSHTIBAN_EXPORT_H

#include <stdbool.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/*
 * Streams one completed backup, any format, into a single ZIP with the same
 * members under "<name>/": to output (taken from the current folder when
 * relative), or by default <backup root>/.poshtiban/exports/<name>.zip.
 * Written beside its place and renamed into it when complete. *path
 * receives the absolute path (owned). An output that is a folder receives
 * <name>.zip. Refused with PT_EINVAL (nothing written): an output that is
 * the database (or its -wal, -shm, -journal), lies inside the media folder
 * or inside the backup root (but its exports folder), or is a folder; an
 * existing file, and a backup whose last verify failed, unless force.
 * plain (export --plain): the snapshot as a plain database.sqlite3 and the
 * fixtures as plain .json, SHA256SUMS rewritten to match, so that any
 * machine opens it; its default name is <name>-plain.zip.
 */
enum pt_status pt_export_backup(struct pt_session *session, const char *id, const char *output,
                                bool force, bool plain, const struct pt_monitor *monitor,
                                char **path, struct pt_error *err);

#endif
