/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_RECOVERY_H
#define POSHTIBAN_CORE_RECOVERY_H

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * Crash recovery (docs/safety.md), for a caller that holds the lock and the
 * open catalog: a `running` record is left over from a process that died.
 * It becomes `interrupted` (or `completed`, when its backup had already
 * been moved into place) and what it left in .poshtiban/tmp is removed.
 * pt_session_recover() (poshtiban/recovery.h) runs it, and a damaged catalog's rescue,
 * before every command.
 */
void pt_recover_locked(const struct pt_project *project, struct pt_catalog *catalog);

#endif
