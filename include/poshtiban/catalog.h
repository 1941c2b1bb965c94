/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CATALOG_H
#define POSHTIBAN_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

/* The catalog's schema version this build writes; older ones migrate forward. */
#define PT_CATALOG_VERSION 7

struct pt_catalog;

enum pt_catalog_mode {
    /* Open the catalog if there is one; otherwise an empty one in memory,
     * so that looking never writes. */
    PT_CATALOG_READ,
    /* Create the backup root and catalog when missing. */
    PT_CATALOG_WRITE,
};

/* Opens (and migrates) the project's catalog. The caller owns *out. */
enum pt_status pt_catalog_open(struct pt_catalog **out, const struct pt_project *project,
                               enum pt_catalog_mode mode, struct pt_error *err);
/*
 * Opens the project's existing catalog file once for a whole command
 * (poshtiban/session.h): SQLite's quick_check runs on it before it is
 * migrated or read. When the file is damaged (or no database at all),
 * *out stays NULL, damage says what, and PT_OK is returned; other failures
 * (a version newer than this build, no access) are errors in err.
 */
enum pt_status pt_catalog_open_checked(struct pt_catalog **out, const struct pt_project *project,
                                       struct pt_error *damage, struct pt_error *err);
/* Opens a catalog file by path (tests, tools); creates it when missing. */
enum pt_status pt_catalog_open_path(struct pt_catalog **out, const char *path,
                                    struct pt_error *err);
void pt_catalog_close(struct pt_catalog *catalog);
/* True for the empty catalog in memory that READ opens where there is no file. */
bool pt_catalog_in_memory(struct pt_catalog *catalog);

/* The schema version of the open catalog. */
int pt_catalog_version(struct pt_catalog *catalog);

/* Inserts record (its id is set). The name must be unique. */
enum pt_status pt_catalog_insert(struct pt_catalog *catalog, struct pt_record *record,
                                 struct pt_error *err);
/* Writes every field of record, tables included, over the row with its id. */
enum pt_status pt_catalog_update(struct pt_catalog *catalog, const struct pt_record *record,
                                 struct pt_error *err);

/*
 * Each sets only its own columns of the record with this id, so that what
 * another process changed meanwhile stays; PT_ENOTFOUND when the record is
 * gone.
 */
enum pt_status pt_catalog_set_status(struct pt_catalog *catalog, int64_t id, enum pt_state status,
                                     struct pt_error *err);
enum pt_status pt_catalog_set_pinned(struct pt_catalog *catalog, int64_t id, bool pinned,
                                     struct pt_error *err);
enum pt_status pt_catalog_set_verified(struct pt_catalog *catalog, int64_t id, const char *at,
                                       bool ok, struct pt_error *err);
enum pt_status pt_catalog_set_message(struct pt_catalog *catalog, int64_t id, const char *message,
                                      struct pt_error *err);

/*
 * The off-site columns of one record (README, "Off-site copies"): snapshot id (NULL when
 * there is none), when it was tried (ms since the epoch), the error of a
 * failed push (NULL on success) and how much the repository grew. The
 * snapshot is noted as one of the current repository (see
 * pt_catalog_offsite_current), the only one poshtiban writes to.
 */
enum pt_status pt_catalog_set_offsite(struct pt_catalog *catalog, int64_t id, const char *snapshot,
                                      int64_t at_ms, const char *error, int64_t bytes_added,
                                      struct pt_error *err);

/*
 * Which restic repository holds the off-site copies (README, "Off-site
 * copies"). A record's snapshot counts (pt_catalog_get, pt_catalog_list and
 * the totals show it) only when it lies in the repository that the setting
 * offsite.repository names now, as learned by pt_catalog_offsite_learn();
 * until then no snapshot counts.
 */

/* Notes that the repository string repository leads to restic's repository id (stored hashed). */
enum pt_status pt_catalog_offsite_learn(struct pt_catalog *catalog, const char *repository,
                                        const char *id, struct pt_error *err);

/*
 * The id of the repository offsite.repository names now (NULL when not
 * learned yet, or no repository is set) and when it was last listed
 * (*checked_ms, -1 never). *id is owned by the caller.
 */
void pt_catalog_offsite_current(struct pt_catalog *catalog, char **id, int64_t *checked_ms);

/* What a listing of the repository found: one snapshot of the backup named name. */
struct pt_catalog_offsite_copy {
    const char *name;
    const char *snapshot; /* restic's snapshot id */
    int64_t time_ms;      /* the snapshot's time */
};

/*
 * Sets every record's snapshot to what repository repo holds (copies,
 * from a listing at at_ms): a record named in copies gets its snapshot in
 * repo (a later entry of one name wins), every other record has none. The
 * time of the last push and its size stay. Notes at_ms as the time repo was
 * last listed. One transaction.
 */
enum pt_status pt_catalog_offsite_sync(struct pt_catalog *catalog, const char *repo,
                                       const struct pt_catalog_offsite_copy *copies, size_t n,
                                       int64_t at_ms, struct pt_error *err);

/* Deletes the record with this id and its table counts. */
enum pt_status pt_catalog_delete(struct pt_catalog *catalog, int64_t id, struct pt_error *err);

/* Forgets a stored setting. */
enum pt_status pt_catalog_setting_delete(struct pt_catalog *catalog, const char *key,
                                         struct pt_error *err);

/*
 * Calls fn with every stored setting that can still be read from the
 * (damaged) catalog file at path. Returns false when they could not all be
 * read.
 */
bool pt_catalog_read_settings_of(const char *path,
                                 void (*fn)(const char *key, const char *value, void *user),
                                 void *user);

/*
 * Calls fn with the id and name of every backup in the catalog file at
 * path, newest first: opened read-only, with no lock, no busy wait and no
 * migration, for the shells' completion. False (having called fn for none
 * or some) when there is no catalog or it could not all be read.
 */
bool pt_catalog_read_names_of(const char *path,
                              void (*fn)(int64_t id, const char *name, void *user), void *user);

/*
 * Finds a record by id (all digits), by name, or "latest": the newest
 * completed backup. PT_ENOTFOUND when none.
 */
enum pt_status pt_catalog_get(struct pt_catalog *catalog, const char *id_or_name,
                              struct pt_record *out, struct pt_error *err);

/* True when a record with this name exists. */
bool pt_catalog_name_taken(struct pt_catalog *catalog, const char *name);

struct pt_catalog_filter {
    bool has_status, has_kind;
    enum pt_state status;
    enum pt_kind kind;
    const char *name_contains; /* NULL for any */
    int64_t limit;             /* <= 0: no limit */
    int64_t offset;
};

/* Records matching filter, newest first, and how many match in all.
 * The caller frees *out with pt_record_list_free(). */
enum pt_status pt_catalog_list(struct pt_catalog *catalog, const struct pt_catalog_filter *filter,
                               struct pt_record **out, size_t *n, int64_t *total,
                               struct pt_error *err);

/* Raw settings storage; pt_settings_* validates. *value is owned, NULL when unset. */
enum pt_status pt_catalog_setting_get(struct pt_catalog *catalog, const char *key, char **value,
                                      struct pt_error *err);
enum pt_status pt_catalog_setting_put(struct pt_catalog *catalog, const char *key,
                                      const char *value, struct pt_error *err);

#endif
