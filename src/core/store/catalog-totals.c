// SPDX-License-Identifier: GPL-3.0-or-later
/* What the catalog's records add up to, for the statistics. */
#include "store/catalog-totals.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"
#include "store/catalog-internal.h"

static enum pt_status totals_error(struct pt_catalog *c, struct pt_error *err)
{
    return pt_error_set(err, PT_EFAIL, _("cannot read the catalog: %s"), sqlite3_errmsg(c->db));
}

enum pt_status pt_catalog_totals(struct pt_catalog *c, struct pt_catalog_totals *t,
                                 struct pt_error *err)
{
    memset(t, 0, sizeof(*t));
    t->offsite.newest_at_ms = -1;
    pt_catalog_offsite_current(c, &t->offsite.repo, &t->offsite.checked_at_ms);
    sqlite3_stmt *st;
    /* One pass over the status index, whatever the number of backups. */
    if (sqlite3_prepare_v2(c->db,
                           "SELECT status, count(*), coalesce(sum(size_bytes), 0),"
                           " coalesce(sum(duration_ms), 0) FROM backups GROUP BY status",
                           -1, &st, NULL) != SQLITE_OK)
        return totals_error(c, err);
    while (sqlite3_step(st) == SQLITE_ROW) {
        enum pt_state state;
        int64_t n = sqlite3_column_int64(st, 1);
        t->total += n;
        if (!pt_state_parse((const char *)sqlite3_column_text(st, 0), &state))
            continue;
        if (state == PT_STATE_COMPLETED) {
            t->completed = n;
            t->completed_bytes = sqlite3_column_int64(st, 2);
            t->completed_duration_ms = sqlite3_column_int64(st, 3);
        } else if (state == PT_STATE_FAILED) {
            t->failed = n;
        } else if (state == PT_STATE_RUNNING) {
            t->running = n;
        } else if (state == PT_STATE_INTERRUPTED) {
            t->interrupted = n;
        }
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(c->db,
                           "SELECT name, finished_at,"
                           " offsite_snapshot IS NOT NULL AND offsite_repo = ?1, offsite_error"
                           " FROM backups WHERE status = 'completed'"
                           " ORDER BY finished_at DESC, id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return totals_error(c, err);
    pt_catalog_bind_text(st, 1, t->offsite.repo);
    if (sqlite3_step(st) == SQLITE_ROW) {
        t->newest.name = pt_catalog_column_text(st, 0);
        t->newest.finished_at = pt_catalog_column_text(st, 1);
        t->newest.offsite = sqlite3_column_int(st, 2) != 0;
        t->newest.offsite_error = pt_catalog_column_text(st, 3);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(c->db,
                           "SELECT count(*) FROM backups WHERE status = 'completed'"
                           " AND offsite_snapshot IS NOT NULL AND offsite_repo = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return totals_error(c, err);
    pt_catalog_bind_text(st, 1, t->offsite.repo);
    if (sqlite3_step(st) == SQLITE_ROW)
        t->offsite.copied = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(c->db,
                           "SELECT name, offsite_at FROM backups WHERE status = 'completed'"
                           " AND offsite_snapshot IS NOT NULL AND offsite_repo = ?1"
                           " ORDER BY offsite_at DESC, id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return totals_error(c, err);
    pt_catalog_bind_text(st, 1, t->offsite.repo);
    if (sqlite3_step(st) == SQLITE_ROW) {
        t->offsite.newest_name = pt_catalog_column_text(st, 0);
        t->offsite.newest_at_ms = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return PT_OK;
}

void pt_catalog_totals_free(struct pt_catalog_totals *t)
{
    free(t->newest.name);
    free(t->newest.finished_at);
    free(t->newest.offsite_error);
    free(t->offsite.newest_name);
    free(t->offsite.repo);
    memset(t, 0, sizeof(*t));
}
