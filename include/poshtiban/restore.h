/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_RESTORE_H
#define POSHTIBAN_RESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

struct pt_restore_options {
    bool database_only, media_only;
    const char *target_database; /* NULL: the project's database */
    const char *target_media;    /* NULL: the project's media folder */
    /*
     * restore --at (docs/changes.md): when not 0, the state at this moment
     * (ms since the epoch) and id is ignored: the newest complete full
     * backup at or before it, then its change sets taken at or before it.
     */
    int64_t at_ms;
};

/* How a table's rows were compared, key by key (docs/cli.md, restore --dry-run). */
enum pt_restore_rows {
    PT_ROWS_NOT_COMPARED, /* by pt_restore, or no database there now, or unreadable */
    PT_ROWS_COMPARED,     /* added, removed and changed hold the counts */
    PT_ROWS_NO_KEY,       /* a side has no primary key: counts only */
    PT_ROWS_KEY_DIFFERS,  /* the two primary keys differ: counts only */
    PT_ROWS_ONLY_BACKUP,  /* the table is in the backup alone */
    PT_ROWS_ONLY_NOW,     /* the table is in the target alone: the restore drops it */
};

struct pt_restore_table {
    char *name;
    int64_t now;   /* rows in the target now; -1 when the table is not there */
    int64_t after; /* rows after the restore; -1 when the backup lacks it */
    enum pt_restore_rows rows;
    /*
     * With PT_ROWS_COMPARED, by primary key: rows of the backup whose key is
     * not in the target (the restore adds them back), rows of the target
     * whose key is not in the backup (it removes them), and rows with the
     * same key and another value in a column both have (it changes them).
     * A key holding NULL matches nothing. Otherwise 0.
     */
    int64_t added, removed, changed;
};

/* A file or folder as stat(2) saw it, and a SQLite database's header counter. */
struct pt_restore_stamp {
    bool exists;
    int64_t size, mtime_ns;
    uint64_t inode;
    uint32_t counter; /* a database's file change counter (header bytes 24-27) */
};

/*
 * What a plan was worked out from, taken before it was (pt_restore_plan)
 * and cheap to take again: no file is hashed. pt_restore takes it again
 * under its lock and refuses when anything differs (docs/safety.md).
 */
struct pt_restore_fingerprint {
    int64_t record_id;                     /* the backup's record */
    char *created_at;                      /* and its time: the same name made again differs */
    char sums[65];                         /* SHA-256 of the backup's SHA256SUMS */
    struct pt_restore_stamp database, wal; /* the target database and its -wal */
    struct pt_restore_stamp media;         /* the media folder itself */
    /* Every entry under the media folder: how many, their bytes, and an order-free sum of
     * one hash of each one's path, size, time, inode and mode. */
    uint64_t media_entries, media_bytes, media_hash;
};

/* What a restore changes, and, once done, the name of the undo backup. */
struct pt_restore_plan {
    char *backup;          /* the backup restored */
    char *database_target; /* NULL when the database is not restored */
    char *media_target;    /* NULL when media is not restored */
    struct pt_restore_table *tables;
    size_t n_tables;
    char **add, **change, **remove; /* media paths, relative to the media folder */
    size_t n_add, n_change, n_remove;
    bool migrations_differ;
    /* "app.name" of the django_migrations rows only in the backup, and only in the target now. */
    char **migrations_backup, **migrations_now;
    size_t n_migrations_backup, n_migrations_now;
    char *pre_restore; /* set by pt_restore: the backup of the state before */
    /*
     * With at_ms: the newest change set applied (NULL: the base backup
     * itself), the moment of the state reached (the point's, or the
     * backup's), and how many change sets lead there. Media come from
     * `backup`, the base.
     */
    char *point;
    int64_t point_ms;
    size_t n_points;
    char *hook_error;  /* set by pt_restore when hooks.after_restore failed: why, one line */
    bool hook_ran;     /* set by pt_restore when hooks.after_restore ran and exited 0 */
    int64_t at_ms;     /* the moment asked for (opts->at_ms); 0 without --at */
    int64_t backup_ms; /* with at_ms: when `backup`, the base, was taken */
    struct pt_restore_fingerprint fingerprint; /* what it was worked out from */
};

/*
 * Works out the plan and writes nothing (restore --dry-run, docs/cli.md),
 * from the session's catalog (the record found once): the tables' rows
 * compared key by key in one read of both databases (the target's seen as
 * of one moment), the media files by checksum; first its fingerprint is
 * taken, for pt_restore. With opts->at_ms the base's snapshot is staged
 * under .poshtiban/tmp and its change sets applied and proven first
 * (docs/changes.md), so the preview compares the state at that moment:
 * PT_EINVAL when no full backup is that old, PT_EFAIL naming a damaged
 * change set.
 */
enum pt_status pt_restore_plan(struct pt_session *session, const char *id,
                               const struct pt_restore_options *opts, struct pt_restore_plan *plan,
                               struct pt_error *err);

/*
 * Carries out plan, the one pt_restore_plan worked out and the user
 * approved, under the lock; it is not worked out again. First, still under
 * the lock, the plan's fingerprint is taken again: when the backup, its
 * change sets, the target database or the media folder changed since,
 * PT_EFAIL says what, and nothing is changed (docs/safety.md). Then the
 * current state is saved as a backup named pre_restore_YYYYMMDD_HHMMSS, so
 * that undoing is one more restore. The database is replaced through the
 * SQLite backup API in one transaction: another process holding it open
 * sees the old content or the new. Media is extracted with libarchive's
 * secure-extraction flags into a staging folder beside the target and
 * swapped in whole. A backup with an unsafe member fails before anything
 * is replaced. hooks.before_restore runs once the backup verified, before
 * anything is changed: when it fails, nothing is. hooks.after_restore runs
 * after every restore that got past it, however it ended; its failure is
 * in plan->hook_error and does not change the status returned. With
 * plan->at_ms, the database installed is the staged copy of the base with
 * its change sets applied and proven; the media come from the base. Sets
 * plan->pre_restore, hook_error and hook_ran.
 */
enum pt_status pt_restore(struct pt_session *session, struct pt_restore_plan *plan,
                          const struct pt_monitor *monitor, struct pt_error *err);

void pt_restore_plan_free(struct pt_restore_plan *plan);

#endif
