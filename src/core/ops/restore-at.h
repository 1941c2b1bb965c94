/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_OPS_RESTORE_AT_H
#define POSHTIBAN_OPS_RESTORE_AT_H

#include <stddef.h>
#include <stdint.h>

#include "poshtiban/changes.h"
#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

#include "base/filewriter.h"

/*
 * A database rebuilt at a moment (restore --at, verify --deep;
 * docs/changes.md): a staged copy of a base backup's snapshot with the
 * change sets of its chain applied, then proven.
 */

/* The chain that reaches a moment: its base backup and the points to apply, oldest first. */
struct pt_restore_chain {
    char *base;
    struct pt_change_point *points;
    size_t n;
};

/*
 * The chain for at_ms (pt_changes_resolve); PT_EINVAL when no full backup
 * is that old, PT_EFAIL when a point that may lie at or before at_ms is
 * missing (its successor names it as previous).
 */
enum pt_status pt_restore_at_resolve(const struct pt_project *project, struct pt_catalog *catalog,
                                     int64_t at_ms, struct pt_restore_chain *chain,
                                     struct pt_error *err);
void pt_restore_at_free(struct pt_restore_chain *chain);

/*
 * Copies the file from (a backup's own snapshot, never changed) into a new
 * file to (0600), byte for byte; hex receives the SHA-256 of the bytes
 * copied, so that what is staged is what the checksum proves. to is
 * removed on failure.
 */
enum pt_status pt_restore_at_copy(const char *from, const char *to, char hex[PT_SHA256_HEX],
                                  struct pt_error *err);

/*
 * Applies points[0..n) to db, a staged copy of their base's snapshot
 * (pt_changes_apply: each point's checksum, then the state it records,
 * then PRAGMA integrity_check of the result). PT_EFAIL naming what
 * failed; db is then garbage.
 */
enum pt_status pt_restore_at_build(const struct pt_project *project, const char *db,
                                   const struct pt_change_point *points, size_t n,
                                   const struct pt_monitor *monitor, struct pt_error *err);

#endif
