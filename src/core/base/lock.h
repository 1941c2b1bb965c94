/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_LOCK_H
#define POSHTIBAN_CORE_LOCK_H

#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * The one lock (docs/safety.md) that serializes create, prune, restore and delete
 * across processes: an flock(2) on <backup root>/.poshtiban/lock, released
 * when the process dies, so it can never go stale.
 */
struct pt_lock {
    int fd;
};

/* Takes the lock without waiting; PT_EBUSY when another process holds it. */
enum pt_status pt_lock_acquire(struct pt_lock *lock, const struct pt_project *project,
                               struct pt_error *err);
/* Takes the lock, waiting for as long as another process holds it. */
enum pt_status pt_lock_wait(struct pt_lock *lock, const struct pt_project *project,
                            struct pt_error *err);

/*
 * The off-site lock, <backup root>/.poshtiban/offsite.lock: held while
 * restic sends this project's backups, so that two pushes never run at
 * once while the project lock stays free for create and auto (a push takes
 * that one only for a moment, to record each outcome). Never taken while
 * holding the project lock. PT_EBUSY when another process holds it.
 */
enum pt_status pt_lock_acquire_offsite(struct pt_lock *lock, const struct pt_project *project,
                                       struct pt_error *err);

void pt_lock_release(struct pt_lock *lock);

#endif
