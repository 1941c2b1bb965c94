/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_HEAL_H
#define POSHTIBAN_CORE_HEAL_H

#include <stdbool.h>
#include <stddef.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"

#include "base/lock.h"

/*
 * Healing a damaged media file of a backup in format dir from the live
 * media folder (docs/safety.md, "Shared media"). A media file that did not
 * change is shared between backups as one inode, so its damage is the
 * damage of every backup that links it. When the live file still has the
 * SHA-256 the backup records, a fresh copy of it takes the damaged inode's
 * place in every backup that shares it. Each backup's file is replaced by
 * rename(2) of a link to the fresh copy, so a process killed at any point
 * leaves each backup with either the damaged file or the good one, never
 * without it; what is left in .poshtiban/tmp is removed by recovery.
 */
struct pt_heal {
    const struct pt_project *project;
    struct pt_catalog *catalog;     /* open: finds the backups sharing a file */
    const struct pt_record *record; /* the backup being verified */
    bool locked;                    /* the caller holds the project lock */
    struct pt_lock lock;            /* taken here on the first heal, unless locked */
    bool lock_taken, busy;
    char **healed; /* names of the backups made whole, each once */
    size_t n_healed;
    long steps; /* for the crash tests' kill point */
};

/* A healer for record; release it with pt_heal_done(). */
void pt_heal_init(struct pt_heal *heal, const struct pt_project *project,
                  struct pt_catalog *catalog, const struct pt_record *record, bool locked);

/*
 * rel ("media/…") of the record does not match sha256, the checksum its
 * SHA256SUMS records. Heals it when it can (true); *said receives one
 * translated line (owned): what was healed and in which backups, or why
 * it was not and which backups share the damaged copy.
 */
bool pt_heal_media_file(struct pt_heal *heal, const char *rel, const char *sha256, char **said);

/* Releases the lock when pt_heal_media_file took it; frees the names. */
void pt_heal_done(struct pt_heal *heal);

#endif
