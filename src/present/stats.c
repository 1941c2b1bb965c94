// SPDX-License-Identifier: GPL-3.0-or-later
/* The figures of `stats`, once: its JSON and its lines are rendered from these values. */
#include "poshtiban/stats.h"

#include "poshtiban/present.h"

struct pt_doc *pt_present_stats_doc(const struct pt_backup_stats *b,
                                    const struct pt_database_stats *d,
                                    const struct pt_changes_summary *c)
{
    struct pt_doc *doc = pt_doc_new(false);
    struct pt_doc *backups = pt_doc_object(doc, "backups");
    pt_doc_number(backups, "total", PT_VALUE_COUNT, b->total);
    pt_doc_number(backups, "completed", PT_VALUE_COUNT, b->completed);
    pt_doc_number(backups, "failed", PT_VALUE_COUNT, b->failed);
    pt_doc_number(backups, "running", PT_VALUE_COUNT, b->running);
    pt_doc_number(backups, "interrupted", PT_VALUE_COUNT, b->interrupted);
    pt_doc_number(backups, "bytes", PT_VALUE_SIZE, b->bytes);
    pt_doc_number(backups, "average_duration_ms", PT_VALUE_DURATION, b->average_duration_ms);
    pt_doc_time_iso(backups, "last_success_at", b->last_success_at, PT_LOOK_MINUTE);
    pt_doc_text(backups, "last_success_name", PT_VALUE_NAME, b->last_success_name);
    pt_doc_number(backups, "last_success_age_s", PT_VALUE_AGE, b->last_success_age_s);

    struct pt_doc *database = pt_doc_object(doc, "database");
    pt_doc_text(database, "path", PT_VALUE_PATH, d->path);
    pt_doc_bool(database, "exists", d->exists, NULL);
    pt_doc_number(database, "size_bytes", PT_VALUE_SIZE, d->size_bytes)->value.null = false;
    struct pt_doc *tables = pt_doc_object(database, "tables");
    for (size_t i = 0; i < d->n_tables; i++)
        pt_doc_number(tables, d->tables[i].name, PT_VALUE_COUNT, d->tables[i].rows);

    const struct pt_offsite_stats *o = &b->offsite;
    struct pt_doc *offsite = pt_doc_object(doc, "offsite");
    pt_doc_bool(offsite, "enabled", o->enabled, NULL);
    pt_doc_text(offsite, "repository", PT_VALUE_PATH, o->repository ? o->repository : "");
    pt_doc_number(offsite, "copied", PT_VALUE_COUNT, o->copied);
    pt_doc_number(offsite, "completed", PT_VALUE_COUNT, b->completed);
    pt_doc_text(offsite, "newest_name", PT_VALUE_NAME, o->newest_name);
    pt_doc_time(offsite, "newest_at", o->newest_at_ms, PT_LOOK_MINUTE);
    pt_doc_bool(offsite, "latest_copied", o->latest_copied, NULL);
    pt_doc_text(offsite, "error", PT_VALUE_TEXT, o->latest_error);
    /* copied of total: what the repository held when it was last listed (checked_at). */
    pt_doc_number(offsite, "total", PT_VALUE_COUNT, b->completed);
    pt_doc_time(offsite, "checked_at", o->checked_at_ms, PT_LOOK_MINUTE);

    /* The change sets on disk (docs/changes.md). */
    struct pt_doc *changes = pt_doc_object(doc, "changes");
    pt_doc_number(changes, "points", PT_VALUE_COUNT, c->points);
    pt_doc_number(changes, "bytes", PT_VALUE_SIZE, c->bytes)->value.null = false;
    pt_doc_time(changes, "newest_at", c->newest_ms, PT_LOOK_MINUTE);
    pt_doc_time(changes, "checked_at", c->checked_ms, PT_LOOK_MINUTE);
    return doc;
}
