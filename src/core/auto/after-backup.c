// SPDX-License-Identifier: GPL-3.0-or-later
#include "auto/after-backup.h"

#include <string.h>

#include "poshtiban/retention.h"

void pt_after_backup_start(const struct pt_project *p, struct pt_catalog *c,
                           struct pt_after_backup *after)
{
    memset(after, 0, sizeof(*after));
    pt_notify_start(p, c, &after->run);
}

void pt_after_backup_locked(const struct pt_project *p, struct pt_catalog *c,
                            struct pt_record *record, struct pt_after_backup *after)
{
    (void)after;
    if (record)
        pt_retention_after_backup(p, c);
}

void pt_after_backup_offsite(const struct pt_project *p, struct pt_catalog *c,
                             struct pt_record *record, bool owed, const struct pt_monitor *mon,
                             struct pt_after_backup *after)
{
    if (record)
        pt_offsite_after_backup(p, c, record, mon, &after->offsite);
    if (!owed || (after->offsite.n && after->offsite.failed))
        return;
    /* Copies that failed or never happened are tried again (once an hour at most). */
    struct pt_offsite_push_result more = {0};
    pt_offsite_after_backup(p, c, NULL, mon, &more);
    pt_offsite_push_result_free(&after->offsite);
    after->offsite = more;
}

void pt_after_backup_finish(const struct pt_project *p, struct pt_catalog *c,
                            struct pt_record *record, struct pt_after_backup *after)
{
    if (record && record->id > 0)
        pt_notify_finish(p, c, &after->run, record);
    pt_offsite_notify(p, c, &after->offsite);
    pt_offsite_push_result_free(&after->offsite);
    pt_notify_run_free(&after->run);
}
