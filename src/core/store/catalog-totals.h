/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_CATALOG_TOTALS_H
#define POSHTIBAN_CORE_CATALOG_TOTALS_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/catalog.h"

/* What the records add up to, for the core's statistics (stats.c). */
struct pt_catalog_totals {
    int64_t total, completed, failed, running, interrupted;
    int64_t completed_bytes;       /* size of all completed backups */
    int64_t completed_duration_ms; /* their durations, summed */
    /* The newest completed backup, by finish time; names NULL when none. */
    struct {
        char *name, *finished_at;
        bool offsite;        /* it has an off-site snapshot */
        char *offsite_error; /* why its last push failed, NULL when it did not */
    } newest;
    /* Completed backups with a copy in the current repository, and the most recent copy. */
    struct {
        int64_t copied;
        char *newest_name;    /* NULL when none */
        int64_t newest_at_ms; /* when it was copied; -1 when none */
        /* The current repository's id (NULL: not learned yet) and when it was listed (-1 never). */
        char *repo;
        int64_t checked_at_ms;
    } offsite;
};

/*
 * Fills out (owned; free with pt_catalog_totals_free) from the status
 * index, a count and two one-row queries, whatever the number of backups. PT_EFAIL
 * when the catalog cannot be read.
 */
enum pt_status pt_catalog_totals(struct pt_catalog *catalog, struct pt_catalog_totals *out,
                                 struct pt_error *err);
void pt_catalog_totals_free(struct pt_catalog_totals *totals);

#endif
