/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_RESTORE_JOURNAL_H
#define POSHTIBAN_CORE_RESTORE_JOURNAL_H

#include <stdint.h>

#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * What a restore has done so far, in <backup root>/.poshtiban/restore.json,
 * so that the next command, after a kill, knows whether to undo or finish.
 */
enum pt_restore_phase {
    PT_RESTORE_STAGING,   /* media being extracted beside the target; nothing replaced */
    PT_RESTORE_FINISHING, /* the current state is saved: the database and media are replaced */
    PT_RESTORE_SWAPPED,   /* both replaced; the staging folder holds the old media */
};

struct pt_restore_journal {
    const char *backup;
    const char *database;  /* target, or NULL */
    const char *snapshot;  /* the backup's database.sqlite3 as a file */
    const char *media;     /* target, or NULL */
    const char *staging;   /* the new media beside the target, then the old */
    uint64_t staged_inode; /* the staged folder's inode: where the new media are */
};

/* Records the phase (written whole and fsynced before the step it guards). */
void pt_restore_journal_write(const struct pt_project *project,
                              const struct pt_restore_journal *journal,
                              enum pt_restore_phase phase);
/* The restore ended, well or not, with nothing left to do. */
void pt_restore_journal_clear(const struct pt_project *project);

/*
 * After a kill, under the lock: a restore cut short while staging is
 * undone (the staged media go; nothing else had changed); one cut short
 * later is finished (the database copied again, the new media put in
 * place), so the database and the media never disagree. Returns a sentence
 * for the person when something was finished, else NULL.
 */
char *pt_restore_journal_recover(const struct pt_project *project);

/*
 * Puts the folder staging in place of target, atomically where the
 * filesystem allows; afterwards staging holds the old media (if any).
 */
enum pt_status pt_restore_swap_folder(const char *target, const char *staging,
                                      struct pt_error *err);

/* The database part of a restore: snapshot copied over target in one transaction. */
enum pt_status pt_restore_copy_database(const char *snapshot, const char *target,
                                        struct pt_error *err);

#endif
