/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_TABLE_DIGEST_H
#define POSHTIBAN_CORE_TABLE_DIGEST_H

#include <sqlite3.h>

#include "poshtiban/status.h"

#include "base/filewriter.h"
#include "engine/fixtures.h"
#include "engine/row-range.h"
#include "engine/schema.h"

/*
 * What each table's fixture depends on, as one SHA-256 per table
 * (backup_report.json's "content_sha256", docs/backup-layout.md, "Shared
 * fixtures"): the bytes of the pages of its b-tree and of its many-to-many
 * tables' (SQLite's dbstat tells which pages; they are read from the file
 * snapshot_path, which db has open), their CREATE statements, how the
 * schema maps it (model, fields, kinds, key), the fixture options and the
 * fixture format. Two snapshots whose digests of a table are equal give
 * that table the same fixture bytes. out[i] is "" for a table with no
 * fixture. PT_EFAIL when the pages cannot be read (then nothing is shared).
 *
 * ranges (NULL: not wanted), one per table, receives the row ranges
 * (engine/row-range.h) of each table whose rows are cut into them, read
 * from the cells of its leaf pages: each with its rows, first and last
 * rowid, and its key, a SHA-256 over those cells (rowid and whole record),
 * the table's mapping and options, and whether it is the first. A table
 * whose pages are not as SQLite writes them gets none. The caller frees
 * each with pt_row_ranges_free.
 */
enum pt_status pt_table_digests(sqlite3 *db, const char *snapshot_path,
                                const struct pt_schema *schema,
                                const struct pt_fixture_options *opts, char (*out)[PT_SHA256_HEX],
                                struct pt_row_ranges *ranges, struct pt_error *err);

/*
 * The row ranges of the table b-tree whose root page is root in the
 * database file path (rollback-journal format, UTF-8, no journal or WAL
 * beside it), each keyed by a SHA-256 of its cells alone: two ranges with
 * one key hold the same rows, rowids and records. False (out empty) when
 * the file or its pages are not so. The caller frees out.
 */
bool pt_table_cell_ranges(const char *path, int64_t root, struct pt_row_ranges *out);

#endif
