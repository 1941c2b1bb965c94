// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `poshtiban create` as both faces run it: under the lock, what a crash
 * left is seen to, then the backup (backup.c) and what follows it
 * (after-backup.c); the off-site copy once the lock is released.
 */
#include "poshtiban/backup.h"
#include "poshtiban/session.h"

#include "auto/after-backup.h"
#include "base/lock.h"
#include "ops/backup.h"
#include "ops/metrics.h"
#include "ops/recovery.h"

enum pt_status pt_backup_create(struct pt_session *s, const struct pt_create_options *opts,
                                const struct pt_monitor *mon, struct pt_record *out,
                                struct pt_error *err)
{
    const struct pt_project *p = s->project;
    pt_monitor_phase(mon, PT_PHASE_PREPARE);
    enum pt_status rc = pt_backup_check_input(p, opts, err);
    if (rc != PT_OK)
        return rc;
    struct pt_catalog *c = NULL;
    struct pt_lock lock = {-1};
    struct pt_after_backup after = {0};
    struct pt_record r = {0};
    rc = pt_session_catalog(s, PT_CATALOG_WRITE, &c, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_lock_acquire(&lock, p, err)) == PT_OK) {
        pt_recover_locked(p, c);
        pt_after_backup_start(p, c, &after);
        rc = pt_backup_create_locked(p, c, opts, mon, &r, err);
        if (rc == PT_OK)
            pt_after_backup_locked(p, c, &r, &after);
    }
    pt_lock_release(&lock);
    if (rc == PT_OK)
        pt_after_backup_offsite(p, c, &r, false, mon, &after);
    pt_after_backup_finish(p, c, &r, &after);
    if (out)
        *out = r;
    else
        pt_record_free(&r);
    pt_metrics_update(p, c);
    return rc;
}
