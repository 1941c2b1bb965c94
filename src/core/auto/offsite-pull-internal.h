/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_OFFSITE_PULL_INTERNAL_H
#define POSHTIBAN_CORE_OFFSITE_PULL_INTERNAL_H

/*
 * What the parts of pull (offsite-pull.c, offsite-pull-check.c,
 * offsite-pull-chain.c) share; nothing outside them includes this.
 */
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

#include "auto/offsite-repo.h"
#include "auto/restic.h"

/* Adds "; what" to the message in err: something more went wrong on the way out. */
void pt_offsite_pull_also(struct pt_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Removes path, or says in err that it could not be. */
void pt_offsite_pull_remove_or_say(const char *path, struct pt_error *err);

/* Checks the name and tags of the chosen snapshot and the room it needs, before fetching it. */
enum pt_status pt_offsite_pull_check_snapshot(const struct pt_project *p, struct pt_restic *r,
                                              json_t *listed, const char *project,
                                              const struct pt_offsite_snapshot *snap,
                                              const struct pt_monitor *mon, int64_t *need,
                                              struct pt_error *err);
/*
 * What restic restored into work must be one backup of that name and
 * nothing else: a folder NAME/ of folders and regular files, or NAME.zip or
 * NAME.tar.zst beside its .sha256. Fills rec's name, format and path (in work).
 */
enum pt_status pt_offsite_pull_check_tree(const char *work, const char *name, struct pt_record *rec,
                                          struct pt_error *err);
/* The backup in work, checked where it lies: it verifies, and its report names it. */
enum pt_status pt_offsite_pull_check_backup(const struct pt_project *p, struct pt_record *rec,
                                            const struct pt_monitor *mon, struct pt_error *err);

/* rename that never replaces what is at to (a folder over an empty folder, say). */
int pt_offsite_pull_move_new(const char *from, const char *to);
/* Moves the checked backup (rec->path in work) into the backup root; rec->path follows it. */
enum pt_status pt_offsite_pull_place(const struct pt_project *p, struct pt_record *rec,
                                     struct pt_error *err);

/*
 * With pull --at: the newest chain snapshot of base, hostile until proven,
 * fetched and moved into place (offsite-pull-chain.c). No chain off-site:
 * nothing to do.
 */
enum pt_status pt_offsite_pull_fetch_chain(const struct pt_project *p, struct pt_restic *r,
                                           json_t *listed, const char *project, const char *base,
                                           const struct pt_monitor *mon, struct pt_error *err);

#endif
