/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_RECOVERY_H
#define POSHTIBAN_RECOVERY_H

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * Crash recovery (docs/safety.md), run at the start of every command: when the lock
 * is free, no backup can be under way, so a `running` record is left over
 * from a process that died. It becomes `interrupted` (or `completed`, when
 * its backup had already been moved into place) and what it left in
 * .poshtiban/tmp is removed. A catalog that SQLite's quick_check finds
 * damaged is first moved aside (catalog.sqlite3.damaged-<time>) and rebuilt
 * from the backups' reports, with every setting still readable; *notice
 * (owned, may be NULL) then says so, for the person, and auto.log keeps it.
 * Does nothing when there is no catalog yet or when another process holds
 * the lock.
 */
enum pt_status pt_recover(const struct pt_project *project, char **notice, struct pt_error *err);

/* The same for a caller that holds the lock and the open catalog. */
void pt_recover_locked(const struct pt_project *project, struct pt_catalog *catalog);

#endif
