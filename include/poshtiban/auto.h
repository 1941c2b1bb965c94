/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_AUTO_H
#define POSHTIBAN_AUTO_H

#include <stdbool.h>

#include "poshtiban/capture.h"
#include "poshtiban/changes.h"
#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/schedule.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"
#include "poshtiban/verify.h"

/* One backup that auto verified (verify.after_auto, verify.deep_every_days). */
struct pt_auto_verified {
    char *name;
    bool deep;
    struct pt_verify_result result;
};

struct pt_auto_result {
    struct pt_schedule schedule;
    char *reason; /* translated: why a backup was (not) due */
    bool ran;     /* a backup was attempted; record holds it when it got one */
    struct pt_record record;
    struct pt_auto_verified *verified; /* in the order verified */
    size_t n_verified;
    bool damaged; /* one of them is damaged */
    /*
     * No backup was due but a change set was (auto.changes_minutes,
     * docs/changes.md): captured says a capture ran, capture what it did.
     */
    bool captured;
    struct pt_capture_result capture;
};

/*
 * `poshtiban auto` (README, "Automatic backups, notifications and
 * doctor"), safe to run every minute: under the project lock, decides
 * with pt_schedule_read() whether an automatic backup is due. When it
 * is: pings URL/start, checks the source and the free space
 * (pt_preflight_check), takes a backup of kind auto, applies retention
 * (retention.auto_cleanup), verifies it (verify.after_auto) and notifies.
 * Every verify.deep_every_days days, whether a backup was due or not, it
 * deep-verifies every completed backup (docs/safety.md, "Shared media");
 * the first run only starts that clock. When no backup is due and
 * auto.changes_minutes have passed since the database was last seen (the
 * newest backup, change set or capture that found nothing new), it
 * captures a change set instead. A bad source or too little space
 * gives a `failed` record with the reason and nothing else written, and is
 * notified like any failure.
 *
 * PT_OK when nothing was due or the backup completed; PT_EBUSY when another
 * process holds the lock (it is busy with a backup or the like: nothing is
 * decided); otherwise the backup's failure. The caller frees out with
 * pt_auto_result_free().
 */
enum pt_status pt_auto_run(struct pt_session *session, const struct pt_monitor *monitor,
                           struct pt_auto_result *out, struct pt_error *err);

void pt_auto_result_free(struct pt_auto_result *result);

#endif
