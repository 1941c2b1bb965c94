/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_FIXTURES_H
#define POSHTIBAN_CORE_FIXTURES_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "manifest.h"
#include "poshtiban/progress.h"
#include "poshtiban/status.h"
#include "schema.h"

struct pt_fixture_options {
    bool datetime_utc; /* fixtures.datetime_utc */
};

/*
 * Streams every row of every table of the snapshot into
 * <dir>/complete_database.json and <dir>/fixtures/<model>.json, one row in
 * memory at a time, in Django's fixture format when schema->django.
 * rows[i] receives the row count of schema->tables[i]; *invalid_text the
 * number of text values that were not UTF-8 (written with U+FFFD).
 */
enum pt_status pt_fixtures_write(sqlite3 *snapshot, const struct pt_schema *schema,
                                 const char *dir, const struct pt_fixture_options *opts,
                                 const struct pt_monitor *monitor, struct pt_manifest *manifest,
                                 int64_t *rows, int64_t *invalid_text, struct pt_error *err);

#endif
