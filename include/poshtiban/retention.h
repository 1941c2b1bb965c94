/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_RETENTION_H
#define POSHTIBAN_RETENTION_H

#include <stddef.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

struct pt_retention_item {
    struct pt_record record;
    char *reason;     /* translated: why it goes (and its change sets with it) */
    size_t n_changes; /* the points of its chain (docs/changes.md), which go with it */
};

/*
 * One merge of thinning (docs/changes.md, "Retention"): the points of
 * `names` (oldest first, consecutive in base's chain) merged into `into`,
 * the newest of them, which keeps its name. Strings are owned.
 */
struct pt_thin_merge {
    char *base;
    char *into;
    char **names; /* the older points, which go */
    size_t n_names;
    int64_t first_ms, taken_ms; /* of the oldest and of into */
};

/* What retention would delete now, and how many completed backups stay. */
struct pt_retention_plan {
    struct pt_retention_item *items;
    size_t n;
    size_t kept;
    struct pt_thin_merge *merges; /* thinning, of the chains whose base stays */
    size_t n_merges;
};

/*
 * Decides by retention.max_backups and retention.max_age_days which
 * completed backups go. Never a pinned one, the newest completed, the newest
 * that verified ok, or anything not completed (running ones included).
 */
enum pt_status pt_retention_plan(const struct pt_project *project, struct pt_catalog *catalog,
                                 struct pt_retention_plan *plan, struct pt_error *err);

/*
 * Deletes what plan lists (a backup with its chain), then thins what it
 * merges; the caller holds the lock. Stops at the first failure.
 */
enum pt_status pt_retention_apply(const struct pt_project *project, struct pt_catalog *catalog,
                                  const struct pt_retention_plan *plan, struct pt_error *err);

/* Plan (and, unless dry_run, apply) under the lock: `poshtiban prune`. */
enum pt_status pt_retention_prune(struct pt_session *session, bool dry_run,
                                  struct pt_retention_plan *plan, struct pt_error *err);

/*
 * After a successful backup, when retention.auto_cleanup is on: plans and
 * applies, lock held by the caller; then thins the chains (which loses
 * nothing, so it runs whatever auto_cleanup says). A failed clean-up does
 * not fail the backup; the next prune tries again.
 */
void pt_retention_after_backup(const struct pt_project *project, struct pt_catalog *catalog);

/*
 * Thinning alone (docs/changes.md, "Retention"), lock held by the caller:
 * what auto runs after a capture. Never fails; the next prune tries again.
 */
void pt_retention_thin_locked(const struct pt_project *project, struct pt_catalog *catalog);

void pt_retention_plan_free(struct pt_retention_plan *plan);

#endif
