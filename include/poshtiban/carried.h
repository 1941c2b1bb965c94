/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CARRIED_H
#define POSHTIBAN_CARRIED_H

#include <stdbool.h>
#include <stddef.h>

#include "poshtiban/catalog.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

/*
 * The project's settings that every backup carries in settings.json
 * (docs/backup-layout.md), so that a project recovered on a new machine
 * gets them back: every setting but secrets and hooks (keys `hooks.*`),
 * and offsite.repository only when it holds no login.
 */

/* Only bounded text comes from a backup: a larger settings.json is refused whole. */
#define PT_CARRIED_MAX_BYTES ((size_t)64 << 10)

/* One setting taken or refused; strings owned. */
struct pt_carried_item {
    char *key;   /* as the file spells it (may be hostile: show it through pt_text_printable) */
    char *value; /* taken: the value as stored; refused: why, one line */
};

/* What a fresh project took from a backup's settings.json. */
struct pt_carried {
    bool present;                    /* the backup carries settings.json */
    char *refused_whole;             /* the file was refused whole: why; NULL otherwise */
    struct pt_carried_item *applied; /* only those that changed something, in file order */
    size_t n_applied;
    struct pt_carried_item *refused;
    size_t n_refused;
};

/*
 * True when catalog has never held a backup (no record at all): a new
 * project, which takes the settings its first pulled backup carries.
 */
bool pt_carried_fresh(struct pt_catalog *catalog);

/*
 * Applies the settings.json of the completed, verified backup record to
 * catalog, key by key through the settings' own validation: unknown keys,
 * hooks, secrets, values refused by validation and names like PATH for a
 * *_password_env are refused one by one into out->refused; a file that is
 * not JSON, too large or of another shape is refused whole
 * (out->refused_whole). A setting the catalog holds already (set by hand
 * before the pull, like offsite.repository) is kept as it is. A backup without settings.json
 * (made by an older version) applies nothing. PT_OK unless the catalog
 * cannot be written (PT_EFAIL); free out with pt_carried_free().
 */
enum pt_status pt_carried_apply(struct pt_catalog *catalog, const struct pt_record *record,
                                struct pt_carried *out, struct pt_error *err);
void pt_carried_free(struct pt_carried *carried);

#endif
