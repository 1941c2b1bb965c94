/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_STATS_H
#define POSHTIBAN_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

/* Dashboard figures from the catalog. */
struct pt_backup_stats {
    int64_t total, completed, failed, running, interrupted;
    int64_t bytes;               /* size of all completed backups */
    int64_t average_duration_ms; /* of completed backups; 0 when none */
    char *last_success_at;       /* finished_at of the newest completed, or NULL */
    char *last_success_name;
    int64_t last_success_age_s; /* seconds since then; -1 when none */
    struct pt_offsite_stats {
        bool enabled;
        char *repository;     /* redacted (no login); "" when none */
        int64_t copied;       /* completed backups with a copy in that repository */
        char *newest_name;    /* the newest copy's backup, NULL when none */
        int64_t newest_at_ms; /* when it was copied; -1 when none */
        int64_t newest_age_s; /* seconds since then; -1 when none */
        bool latest_copied;   /* the newest completed backup has a copy */
        char *latest_error;   /* why its last push failed, NULL when it did not */
        /* When the repository offsite.repository names was last listed; -1 never. */
        int64_t checked_at_ms;
        int64_t checked_age_s; /* seconds since then; -1 never */
    } offsite;
};

/* The source database as it is now. */
struct pt_database_stats {
    char *path;
    int64_t size_bytes;
    bool exists;
    struct pt_table_count *tables; /* every table but sqlite_*, by name */
    size_t n_tables;
};

/* Figures over the catalog; the age of the last success counts up to now_ms. */
enum pt_status pt_stats_backups(struct pt_catalog *catalog, int64_t now_ms,
                                struct pt_backup_stats *out, struct pt_error *err);
/* Counts rows of every table of the source, read-only. A missing source is
 * not an error: exists is false and there are no tables. */
enum pt_status pt_stats_database(const struct pt_project *project, struct pt_database_stats *out,
                                 struct pt_error *err);

/*
 * The off-site state in one translated sentence, as the dashboard and
 * `poshtiban stats` both say it: how many backups have a copy, the newest
 * copy's age and where, when that was checked against the repository
 * (pt_stats_offsite_as_of), the newest backup's failed push; or, with no
 * repository, that nothing leaves the machine and what to do. isolate
 * wraps the repository in FSI…PDI, for a face that lays out right-to-left
 * text itself (the CLI's terminal filter isolates paths on its own, and a
 * pipe should get plain text). New string.
 */
char *pt_stats_offsite_text(const struct pt_backup_stats *stats, bool isolate);

/*
 * When the off-site state was last checked against the repository, as
 * every face says it: "as of <date and time>, <age>" (age_s -1: no age), or
 * that it never was and how to check. New string.
 */
char *pt_stats_offsite_as_of(int64_t checked_at_ms, int64_t age_s);

void pt_backup_stats_free(struct pt_backup_stats *stats);
void pt_database_stats_free(struct pt_database_stats *stats);

#endif
