/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_FIXTURES_H
#define POSHTIBAN_CORE_FIXTURES_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "poshtiban/progress.h"
#include "poshtiban/status.h"

#include "engine/compress.h"
#include "engine/manifest.h"
#include "engine/schema.h"

/*
 * The version of the fixtures' bytes: raised whenever a table's fixture
 * would come out different from the same rows, so that no fixture of an
 * older writer is shared (engine/table-digest.h).
 */
#define PT_FIXTURE_FORMAT_VERSION 2

struct pt_fixtures_share;

struct pt_fixture_options {
    bool datetime_utc;               /* fixtures.datetime_utc */
    enum pt_compression compression; /* none or gzip */
    int gzip_level;                  /* 1..9 */
    /* Unchanged tables shared with the previous backup (fixtures-share.h); NULL: none. */
    struct pt_fixtures_share *share;
};

/*
 * Streams every row of every table of the snapshot into
 * <dir>/complete_database.json and each table's fixture (its path in
 * schema, "fixtures/<model>.json"), one row in memory at a time, in Django's
 * fixture format when schema->django. With gzip, the complete file is named
 * complete_database.json.gz and the fixtures' paths end in .gz already.
 * A second thread compresses and writes while rows are read.
 * rows[i] receives the row count of schema->tables[i]; *invalid_text the
 * number of text values that were not UTF-8 (written with U+FFFD).
 * A table opts->share proves unchanged is not read: its fixture is a hard
 * link to the previous backup's, and its rows' bytes in the complete file
 * are copied from that file as they are stored (docs/backup-layout.md).
 */
enum pt_status pt_fixtures_write(sqlite3 *snapshot, const struct pt_schema *schema, const char *dir,
                                 const struct pt_fixture_options *opts,
                                 const struct pt_monitor *monitor, struct pt_manifest *manifest,
                                 int64_t *rows, int64_t *invalid_text, struct pt_error *err);

#endif
