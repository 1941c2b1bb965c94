/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_CHANGES_THIN_H
#define POSHTIBAN_CORE_CHANGES_THIN_H

#include <stddef.h>

#include "poshtiban/catalog.h"
#include "poshtiban/changes.h"
#include "poshtiban/project.h"
#include "poshtiban/retention.h"
#include "poshtiban/status.h"

/*
 * Thinning of change sets (docs/changes.md, "Retention"): every point of
 * the last changes.keep_all_hours, then one per hour for
 * changes.keep_hourly_days, then one per day. Consecutive `rows` points of
 * one hour (or day) are merged with sqlite3changegroup into the newest of
 * them; a `snapshot` point is never merged. Nothing is ever dropped.
 */

/*
 * The merges due at project->now_ms over list, leaving out the chains of
 * the bases named in gone[0..n_gone) (retention deletes them). *merges is
 * owned by the caller (pt_thin_merges_free).
 */
void pt_thin_plan(const struct pt_project *project, struct pt_catalog *catalog,
                  const struct pt_change_list *list, const char *const *gone, size_t n_gone,
                  struct pt_thin_merge **merges, size_t *n);

/*
 * Applies merges, the lock held by the caller: each chain is built anew
 * under .poshtiban/tmp (hard links of what stays, the merged points and
 * the renumbered JSON written), then swapped with the chain's folder in
 * one atomic step (renameat2 RENAME_EXCHANGE); a kill at any moment leaves
 * either the whole old chain or the whole new one. A chain that fails
 * (damaged data, a filesystem that cannot swap folders) stays as it was.
 * Stops at the first failure.
 */
enum pt_status pt_thin_apply(const struct pt_project *project, struct pt_catalog *catalog,
                             const struct pt_thin_merge *merges, size_t n, struct pt_error *err);

void pt_thin_merges_free(struct pt_thin_merge *merges, size_t n);

/*
 * Removes base's chain (changes/<base>/) when its base backup goes: first
 * moved into .poshtiban/tmp in one rename, so that it vanishes whole, then
 * deleted. 0 when there was none or it is gone, -1 with errno.
 */
int pt_thin_remove_chain(const struct pt_project *project, const char *base);

#endif
