/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_CHANGESET_H
#define POSHTIBAN_CORE_CHANGESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/changes.h"
#include "poshtiban/status.h"

#include "base/filewriter.h"

/*
 * SQLite changesets between two database files, stored as one zstd frame
 * (docs/changes.md). Everything streams: memory follows the size of the
 * change, never of the database.
 */

/*
 * Why the changes from old_db to new_db cannot be a changeset (an owned
 * sentence: "schema changed", "table T has no primary key"), or NULL when
 * they can. Reads both files.
 */
enum pt_status pt_changeset_incompatible(const char *old_db, const char *new_db, char **reason,
                                         struct pt_error *err);

/*
 * Writes into dest (a new file, 0600, fsynced) the changeset that turns
 * old_db into new_db, compressed at level; *empty is true when no row
 * differs (dest is then removed). hex and *size are those of dest. The
 * tables it touches, with their counts and column names, go to *tables.
 * Call only when pt_changeset_incompatible() found none.
 */
enum pt_status pt_changeset_diff(const char *old_db, const char *new_db, const char *dest,
                                 int level, bool *empty, char hex[PT_SHA256_HEX], int64_t *size,
                                 struct pt_change_table **tables, size_t *n_tables,
                                 struct pt_error *err);

/* Counts per table of a stored changeset (thinning recounts a merged one). */
enum pt_status pt_changeset_count(const char *file, struct pt_change_table **tables,
                                  size_t *n_tables, struct pt_error *err);

/*
 * The proof of db's state (docs/changes.md, "Proof"): every table's rows,
 * sqlite_sequence whole and, with a changeset (NULL for a whole-database
 * point), "changed_sha256": the rows it names as db holds them. Owned;
 * NULL with err set on failure.
 */
json_t *pt_changeset_state(const char *db, const char *changeset, struct pt_error *err);

/*
 * Compares db with a recorded state: PT_EFAIL naming what differs. Checks
 * what the state holds (changed_sha256 only with the changeset it was
 * made with), nothing more.
 */
enum pt_status pt_changeset_state_check(const char *db, const json_t *state, const char *changeset,
                                        struct pt_error *err);

/*
 * Applies the stored changeset file to db in one transaction; any
 * conflict (a row that is not as the changeset recorded it) aborts it.
 * Then sets sqlite_sequence as state says.
 */
enum pt_status pt_changeset_apply(const char *db, const char *file, const json_t *state,
                                  struct pt_error *err);

/* Reads the rows of a stored changeset; columns names each table's columns. */
enum pt_status pt_changeset_rows(const char *file, const struct pt_change_table *tables,
                                 size_t n_tables, const char *table, pt_change_row_fn fn,
                                 void *user, struct pt_error *err);

/*
 * True when the two files hold the same bytes: two snapshots of a database
 * nobody wrote to in between, which then need no comparing row by row.
 */
bool pt_changeset_same_file(const char *a, const char *b);

/* True when both databases' sqlite_sequence hold the same rows. */
bool pt_changeset_same_sequence(const char *a, const char *b);

/* An empty changeset (no row changes) as one zstd frame in dest: sqlite_sequence moved alone. */
enum pt_status pt_changeset_write_empty(const char *dest, int level, char hex[PT_SHA256_HEX],
                                        int64_t *size, struct pt_error *err);

void pt_change_tables_free(struct pt_change_table *tables, size_t n);

#endif
