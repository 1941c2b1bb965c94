/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_BACKUP_SHARE_H
#define POSHTIBAN_CORE_BACKUP_SHARE_H

#include <pthread.h>
#include <stdbool.h>

#include <jansson.h>
#include <sqlite3.h>

#include "poshtiban/catalog.h"
#include "poshtiban/status.h"

#include "engine/fixtures-share.h"
#include "engine/fixtures.h"
#include "engine/schema.h"

/*
 * What a dir backup shares with the one before it (docs/safety.md,
 * "Shared media", "Shared fixtures"), for ops/backup.c alone.
 */

/*
 * The path of the newest completed dir backup whose last verify did not
 * fail (with_media: that holds media), its name in *name; NULL when none.
 */
char *pt_backup_previous_dir(struct pt_catalog *c, bool with_media, char **name);

/*
 * Each table's digest (engine/table-digest.h), made on a thread of its own
 * with its own connection to the snapshot while the fixtures are written,
 * when there is nothing to share them with: only the report, for the next
 * backup, needs them then.
 */
struct pt_backup_digests {
    char *path;
    const struct pt_schema *schema;
    struct pt_fixture_options opts;
    char (*digests)[PT_SHA256_HEX];
    struct pt_row_ranges *ranges; /* one per table (engine/row-range.h) */
    enum pt_status rc;
    pthread_t thread;
    bool running;
};

/*
 * Which tables' fixtures the dir backup in work may share, from its
 * snapshot snap (see fixtures_share in docs/safety.md); job holds the
 * digests' thread when there is nothing to share with.
 */
struct pt_fixtures_share *pt_backup_share_begin(struct pt_catalog *c, sqlite3 *snap,
                                                const char *work, const struct pt_schema *s,
                                                const struct pt_fixture_options *fopts,
                                                struct pt_backup_digests *job);
/* Waits for job's digests, which share then holds when they were made. */
void pt_backup_digests_finish(struct pt_backup_digests *job, struct pt_fixtures_share *share);
/* The warnings of fixtures written afresh, into the report's warnings. */
void pt_backup_share_warnings(const struct pt_fixtures_share *share, json_t *warnings);

#endif
