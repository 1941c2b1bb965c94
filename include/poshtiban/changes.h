/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CHANGES_H
#define POSHTIBAN_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/*
 * Change sets (docs/changes.md): between full backups, the database's
 * changes captured as SQLite changesets, each a point in time that a
 * restore can reach. A chain is a full backup (its base) and the points
 * captured after it, in <backup root>/changes/<base>/, one
 * NAME.json (written last: a point without it does not exist) and one
 * data file per point.
 */

/* "changes_YYYYMMDD_HHMMSS" (UTC), with "_2", "_3"… within one second. */
#define PT_CHANGES_DIR "changes"

enum pt_change_kind {
    PT_CHANGE_ROWS,     /* a changeset: NAME.changeset.zst */
    PT_CHANGE_SNAPSHOT, /* the whole database (a schema change): NAME.sqlite3.zst */
};

/* Rows a point changes in one table. */
struct pt_change_table {
    char *name;
    int64_t inserted, updated, deleted;
    char **columns; /* the table's columns, in order (what --rows names) */
    size_t n_columns;
};

/* One point of a chain, as its NAME.json says (docs/changes.md). Strings are owned. */
struct pt_change_point {
    char *name;
    char *base;     /* the full backup the chain starts from */
    char *previous; /* the point before, NULL when it follows the base */
    int seq;        /* 1, 2, … within its chain */
    enum pt_change_kind kind;
    int64_t taken_ms; /* the moment whose state it leads to (ms since the epoch, UTC) */
    int64_t first_ms; /* the earliest capture merged into it; taken_ms when none was */
    int captures;     /* how many captures it holds (1 until thinning merges) */
    char *reason;     /* PT_CHANGE_SNAPSHOT: why ("schema changed"…), else NULL */
    char *path;       /* absolute path of its data file */
    int64_t size;     /* bytes of the data file as stored */
    char sha256[65];  /* of the data file as stored */
    struct pt_change_table *tables; /* the tables it touches, by name */
    size_t n_tables;
    /*
     * The state it leads to: {"tables": {name: {"rows": N}}, ...} with, for
     * every table it touches, "sha256" of that table's rows in key order
     * (docs/changes.md, "Proof"). Owned.
     */
    json_t *state;
};

/* Every point of every chain of a project, oldest first. */
struct pt_change_list {
    struct pt_change_point *points;
    size_t n;
    /*
     * The newest capture that found the database as the newest point (or
     * its base) left it, ms since the epoch; 0 when none ran since.
     */
    int64_t checked_ms;
    /* A line for each point left out as damaged (changes warns with them); owned. */
    char **problems;
    size_t n_problems;
};

/*
 * Reads every chain under <backup root>/changes/ (hostile until proven:
 * names, files and JSON are checked, and a point that fails is left out,
 * with a line in out->problems).
 * Writes nothing. An empty list when there are none.
 */
enum pt_status pt_changes_list(const struct pt_project *project, struct pt_change_list *out,
                               struct pt_error *err);
void pt_change_list_free(struct pt_change_list *list);
void pt_change_point_free(struct pt_change_point *point);

/*
 * The chain to reach at_ms: the newest complete full backup at or before
 * at_ms (*base, owned) and its points taken at or before at_ms (*points,
 * an owned array of copies, oldest first, *n may be 0). PT_EINVAL with a
 * message when nothing is that old.
 */
enum pt_status pt_changes_resolve(const struct pt_project *project, struct pt_catalog *catalog,
                                  int64_t at_ms, char **base, struct pt_change_point **points,
                                  size_t *n, struct pt_error *err);

/*
 * Applies points[0..n) in order to the database file db (a staged copy of
 * their base's snapshot, never a backup's own file), each checked against
 * its checksum first and its recorded state after: any conflict, damage or
 * difference fails (PT_EFAIL naming the point) and db is then garbage.
 */
enum pt_status pt_changes_apply(const struct pt_project *project, const char *db,
                                const struct pt_change_point *points, size_t n,
                                const struct pt_monitor *monitor, struct pt_error *err);

/* One changed row (pt_changes_rows). Valid during the callback. */
struct pt_change_row {
    const char *table;
    const char *op;             /* "insert", "update", "delete" */
    json_t *key;                /* the primary key's values, an array */
    const char *const *columns; /* update: the names of the columns that changed */
    size_t n_columns;
};
typedef enum pt_status (*pt_change_row_fn)(const struct pt_change_row *row, void *user,
                                           struct pt_error *err);
/*
 * Calls fn for every row point changes (table NULL: all tables), streaming
 * the changeset from its file; a snapshot point has no rows.
 */
enum pt_status pt_changes_rows(const struct pt_change_point *point, const char *table,
                               pt_change_row_fn fn, void *user, struct pt_error *err);

/* A snapshot point's reason (as NAME.json keeps it, in English) in the reader's language; owned. */
char *pt_change_reason_text(const char *reason);

#endif
