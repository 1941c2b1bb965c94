/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_AUTO_VERIFY_H
#define POSHTIBAN_CORE_AUTO_VERIFY_H

#include "poshtiban/auto.h"
#include "poshtiban/catalog.h"
#include "poshtiban/progress.h"
#include "poshtiban/project.h"

/*
 * The name under which the time of auto's last deep verify of every backup
 * is kept beside the settings (ISO 8601 UTC).
 */
#define PT_VERIFY_DEEP_AT_KEY ".verify.deep_at"

/*
 * Under the lock, after auto's backup newest (NULL: none was taken):
 * verifies it when verify.after_auto is on, then, when verify.deep_every_days
 * days have passed since the last time (project->now_ms), deep-verifies every
 * completed backup and keeps the time. With no time kept yet, it keeps now
 * and verifies nothing more. Each verify is added to out.
 */
void pt_auto_verify_locked(const struct pt_project *project, struct pt_catalog *catalog,
                           const struct pt_record *newest, const struct pt_monitor *monitor,
                           struct pt_auto_result *out);

#endif
