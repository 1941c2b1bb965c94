/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_RESTORE_JOURNAL_H
#define POSHTIBAN_CORE_RESTORE_JOURNAL_H

#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * What a restore has done so far, in <backup root>/.poshtiban/restore.json,
 * so that the next command, after a kill, knows whether to undo or finish.
 */
enum pt_restore_phase {
    PT_RESTORE_STAGING,       /* media being extracted beside the target; nothing replaced */
    PT_RESTORE_DATABASE_DONE, /* the database is the backup's; the staged media wait */
};

/* Records the phase (written whole and fsynced before the step it guards). */
void pt_restore_journal_write(const struct pt_project *project, const char *backup,
                              const char *media_target, const char *staging,
                              enum pt_restore_phase phase);
/* The restore ended, well or not, with nothing left to do. */
void pt_restore_journal_clear(const struct pt_project *project);

/*
 * After a kill, under the lock: a restore cut short while staging is
 * undone (the staged media go; nothing else had changed), one cut short
 * after the database was replaced is finished (the staged media are
 * swapped in), so the database and the media never disagree. Returns a
 * sentence for the person when something was finished, else NULL.
 */
char *pt_restore_journal_recover(const struct pt_project *project);

/*
 * Swaps the folder staging in for target, atomically where the filesystem
 * allows; the old media are removed.
 */
enum pt_status pt_restore_swap_folder(const char *target, const char *staging,
                                      struct pt_error *err);

#endif
