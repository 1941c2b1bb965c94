/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CAPTURE_H
#define POSHTIBAN_CAPTURE_H

/* Capturing a database's changes as a point of a chain (ops/capture.c; docs/changes.md). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/* What one capture did. Strings are owned. */
struct pt_capture_result {
    bool unchanged; /* the database was as the newest point left it: nothing stored */
    bool snapshot;  /* the point is a whole database (reason says why) */
    char *name;     /* the new point, NULL when unchanged */
    char *base;     /* the chain's base backup */
    char *reason;   /* PT_CHANGE_SNAPSHOT's reason, else NULL */
    int64_t bytes;  /* of the data file as stored */
    int64_t duration_ms;
    int64_t inserted, updated, deleted; /* over all tables */
    size_t n_tables;                    /* tables touched */
};

/*
 * Captures the database's changes since the newest point of the newest
 * complete full backup's chain (poshtiban capture, docs/changes.md), under
 * the lock: a consistent snapshot through the backup API, diffed table by
 * table against the state the chain leads to. Nothing stored when nothing
 * changed (the check's time is kept); a whole snapshot when the schema
 * changed. A kill at any moment leaves no half point. PT_EINVAL when there
 * is no complete full backup yet, PT_EBUSY when the lock is held.
 */
enum pt_status pt_changes_capture(struct pt_session *session, const struct pt_monitor *monitor,
                                  struct pt_capture_result *result, struct pt_error *err);
void pt_capture_result_free(struct pt_capture_result *result);

#endif
