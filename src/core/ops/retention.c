// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/retention.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"
#include "base/lock.h"
#include "ops/changes-thin.h"
#include "ops/metrics.h"
#include "ops/remove.h"

/*
 * The change sets in the plan: each backup that goes takes its chain with
 * it (its reason says so), and the chains that stay are thinned. A chain
 * that cannot be read is neither counted nor thinned: the deletion still
 * takes it.
 */
static void plan_changes(const struct pt_project *p, struct pt_catalog *c,
                         struct pt_retention_plan *plan)
{
    struct pt_change_list list;
    if (pt_changes_list(p, &list, NULL) != PT_OK)
        return;
    const char **gone = pt_xcalloc(plan->n + 1, sizeof(*gone));
    for (size_t i = 0; i < plan->n; i++) {
        struct pt_retention_item *item = &plan->items[i];
        gone[i] = item->record.name;
        for (size_t j = 0; j < list.n; j++)
            if (strcmp(list.points[j].base, item->record.name) == 0)
                item->n_changes++;
        if (item->n_changes == 0)
            continue;
        char *count = pt_l10n_int((int64_t)item->n_changes);
        char *reason = pt_xasprintf(
            P_("%s, and its %s change set", "%s, and its %s change sets", item->n_changes),
            item->reason, count);
        free(count);
        free(item->reason);
        item->reason = reason;
    }
    pt_thin_plan(p, c, &list, gone, plan->n, &plan->merges, &plan->n_merges);
    free(gone);
    pt_change_list_free(&list);
}

enum pt_status pt_retention_plan(const struct pt_project *p, struct pt_catalog *c,
                                 struct pt_retention_plan *plan, struct pt_error *err)
{
    memset(plan, 0, sizeof(*plan));
    int64_t max_backups = pt_settings_int(c, PT_KEY_RETENTION_MAX_BACKUPS);
    int64_t max_age_days = pt_settings_int(c, PT_KEY_RETENTION_MAX_AGE_DAYS);
    struct pt_catalog_filter filter = {.has_status = true, .status = PT_STATE_COMPLETED};
    struct pt_record *records;
    size_t n;
    int64_t total;
    enum pt_status rc = pt_catalog_list(c, &filter, &records, &n, &total, err);
    if (rc != PT_OK)
        return rc;
    /* Newest first: the first completed and the first that verified ok are safe. */
    size_t newest_ok = n;
    for (size_t i = 0; i < n && newest_ok == n; i++)
        if (records[i].verify_ok == 1)
            newest_ok = i;
    int64_t now = p->now_ms;
    int64_t counted = 0;
    plan->items = pt_xcalloc(n + 1, sizeof(*plan->items));
    char *limit = pt_l10n_int(max_backups), *days = pt_l10n_int(max_age_days);
    for (size_t i = 0; i < n; i++) {
        struct pt_record *r = &records[i];
        char *reason = NULL;
        if (!r->pinned) {
            counted++;
            int64_t created;
            if (counted > max_backups)
                reason = pt_xasprintf(_("more than %s backups"), limit);
            else if (max_age_days > 0 && pt_time_parse_iso(r->created_at, &created) &&
                     now - created > max_age_days * 86400000LL)
                reason = pt_xasprintf(_("older than %s days"), days);
        }
        if (reason && i != 0 && i != newest_ok) {
            plan->items[plan->n].record = *r;
            plan->items[plan->n].reason = reason;
            plan->n++;
            memset(r, 0, sizeof(*r));
        } else {
            free(reason);
            plan->kept++;
        }
    }
    free(limit);
    free(days);
    pt_record_list_free(records, n);
    plan_changes(p, c, plan);
    return PT_OK;
}

enum pt_status pt_retention_apply(const struct pt_project *p, struct pt_catalog *c,
                                  const struct pt_retention_plan *plan, struct pt_error *err)
{
    enum pt_status rc = PT_OK;
    for (size_t i = 0; i < plan->n && rc == PT_OK; i++)
        rc = pt_backup_remove_locked(p, c, &plan->items[i].record, err);
    if (rc == PT_OK)
        rc = pt_thin_apply(p, c, plan->merges, plan->n_merges, err);
    return rc;
}

enum pt_status pt_retention_prune(struct pt_session *s, bool dry_run,
                                  struct pt_retention_plan *plan, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(plan, 0, sizeof(*plan));
    struct pt_catalog *c;
    struct pt_lock lock = {-1};
    enum pt_status rc =
        pt_session_catalog(s, dry_run ? PT_CATALOG_READ : PT_CATALOG_WRITE, &c, err);
    if (rc != PT_OK)
        return rc;
    if (!dry_run && (rc = pt_lock_acquire(&lock, p, err)) != PT_OK) {
        return rc;
    }
    rc = pt_retention_plan(p, c, plan, err);
    if (rc == PT_OK && !dry_run)
        rc = pt_retention_apply(p, c, plan, err);
    pt_lock_release(&lock);
    if (!dry_run)
        pt_metrics_update(p, c);
    return rc;
}

static void drop_deletions(struct pt_retention_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        pt_record_free(&plan->items[i].record);
        free(plan->items[i].reason);
    }
    plan->n = 0;
}

void pt_retention_after_backup(const struct pt_project *p, struct pt_catalog *c)
{
    struct pt_retention_plan plan;
    if (pt_retention_plan(p, c, &plan, NULL) == PT_OK) {
        /* Thinning loses nothing: it runs whatever auto_cleanup says. */
        if (!pt_settings_bool(c, PT_KEY_RETENTION_AUTO_CLEANUP))
            drop_deletions(&plan);
        pt_retention_apply(p, c, &plan, NULL);
    }
    pt_retention_plan_free(&plan);
}

void pt_retention_thin_locked(const struct pt_project *p, struct pt_catalog *c)
{
    struct pt_change_list list;
    if (pt_changes_list(p, &list, NULL) != PT_OK)
        return;
    struct pt_thin_merge *merges = NULL;
    size_t n = 0;
    pt_thin_plan(p, c, &list, NULL, 0, &merges, &n);
    pt_change_list_free(&list);
    pt_thin_apply(p, c, merges, n, NULL);
    pt_thin_merges_free(merges, n);
}

void pt_retention_plan_free(struct pt_retention_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        pt_record_free(&plan->items[i].record);
        free(plan->items[i].reason);
    }
    free(plan->items);
    pt_thin_merges_free(plan->merges, plan->n_merges);
    memset(plan, 0, sizeof(*plan));
}
