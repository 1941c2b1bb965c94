/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_RESTORE_INTERNAL_H
#define POSHTIBAN_CORE_RESTORE_INTERNAL_H

/*
 * What the parts of a restore share: restore-plan.c works the plan out,
 * restore-tables.c compares the two databases for it, restore-apply.c
 * carries it out (poshtiban/restore.h).
 */
#include "poshtiban/catalog.h"
#include "poshtiban/record.h"
#include "poshtiban/restore.h"

#include "base/sums.h"
#include "ops/restore-at.h"

#define PT_RESTORE_BUF (256 * 1024)

/* Everything one restore, or its plan, works from. */
struct restoring {
    const struct pt_project *project;
    struct pt_record record;
    struct pt_restore_plan *plan;
    char *snapshot; /* the backup's database.sqlite3 as a file */
    bool snapshot_temp;
    char *snapshot_member; /* its name in the backup, when taken out: "database.sqlite3.zst" */
    char snapshot_sha256[PT_SHA256_HEX]; /* of the copy taken out of an archive */
    char *sums;
    struct pt_sums listed;           /* sums, parsed */
    char sums_sha256[PT_SHA256_HEX]; /* of the SHA256SUMS text */
    const struct pt_monitor *monitor;
    int64_t done;
    bool key_by_key;               /* the plan compares the tables key by key (pt_restore_plan) */
    struct pt_restore_chain chain; /* restore --at: the base and the points to apply */
};

/* Appends a copy of s to *list (restore-tables.c). */
void pt_restore_push(char ***list, size_t *n, const char *s);
/* Progress: add more bytes done, at what. */
void pt_restore_report(struct restoring *s, int64_t add, const char *what);
bool pt_restore_cancelled(const struct restoring *s);

/*
 * Reads the backup of s->record: its snapshot as a file (taken out into
 * tmp unless it is a plain one), its SHA256SUMS parsed into s->listed with
 * the text's checksum in s->sums_sha256; with s->chain, the snapshot staged
 * and its change sets applied and proven.
 */
enum pt_status pt_restore_open_backup(struct restoring *s, struct pt_error *err);
/* The snapshot about to be installed is the one SHA256SUMS lists. */
enum pt_status pt_restore_check_snapshot_sum(struct restoring *s, struct pt_error *err);
/* No target may hold or lie in the backups, the catalog, the project or a database. */
enum pt_status pt_restore_check_targets(const struct pt_project *p,
                                        const struct pt_restore_plan *plan, struct pt_error *err);
/* Takes the fingerprint of what the plan's targets hold now (not the backup's part). */
void pt_restore_stamp_targets(const struct pt_restore_plan *plan,
                              struct pt_restore_fingerprint *out);
/*
 * Under the lock: PT_EFAIL, saying what changed since the preview, when
 * s->record, s->chain, s->sums_sha256 or the targets differ from the plan's
 * fingerprint.
 */
enum pt_status pt_restore_check_fingerprint(const struct restoring *s, struct pt_error *err);
/* Frees what s holds and removes its temporary snapshot. */
void pt_restore_finish(struct restoring *s);

/*
 * Both sides, the target database (which may be missing) and the
 * snapshot: rows per table, the migrations, and, when compare, every table
 * in both compared key by key; the tables sorted by name
 * (restore-tables.c). False when the snapshot cannot be opened.
 */
bool pt_restore_compare_files(const char *target, const char *snapshot,
                              struct pt_restore_plan *plan, bool compare);

#endif
