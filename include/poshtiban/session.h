/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_SESSION_H
#define POSHTIBAN_SESSION_H

#include <stdbool.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * What one command (or one TUI job, on its own thread: SQLite connections
 * are per thread) resolves once and hands to every core entry point it
 * calls (README, "Development"): the project, its catalog opened once, and
 * what recovery did (poshtiban/recovery.h). An entry point takes the session, asks it for the
 * catalog (pt_session_catalog), takes the lock where it writes and calls
 * its `*_locked` functions with them; nothing below opens the catalog
 * again. A face that keeps a catalog open on its own thread (the TUI's
 * main loop) may hand it over as {.project, .catalog}, without
 * pt_session_open or pt_session_close: it stays the face's, and a WRITE
 * that replaces an empty one in memory leaves the new one in .catalog.
 */
struct pt_session {
    const struct pt_project *project; /* borrowed: outlives the session */
    struct pt_catalog *catalog;       /* owned; the file, or an empty one in memory; NULL: none */
    char *damage;                     /* owned: why quick_check refused the file; NULL: whole */
    char *notice;                     /* owned: what recovery did, for the person; NULL: nothing */
    bool recovered;                   /* pt_session_recover ran (poshtiban/recovery.h) */
    bool prepared;                    /* the backup root and tmp are made (pt_project_prepare) */
};

/*
 * Opens the project's catalog once (its quick_check included) when there is
 * one; an empty one in memory otherwise, so that looking never writes. A
 * damaged file is not an error here: it is noted (damage) for
 * pt_session_recover to rescue. Errors: PT_EFAIL when the file is whole but
 * cannot be used (a newer version, no access). Always pt_session_close.
 */
enum pt_status pt_session_open(struct pt_session *session, const struct pt_project *project,
                               struct pt_error *err);

/*
 * The session's catalog, borrowed (valid until pt_session_close). With
 * PT_CATALOG_WRITE an empty one in memory is replaced by the file, created
 * with the backup root (do not keep a pointer from an earlier READ across
 * that). Errors: PT_EFAIL for a damaged catalog recovery could not rescue,
 * or one that cannot be created.
 */
enum pt_status pt_session_catalog(struct pt_session *session, enum pt_catalog_mode mode,
                                  struct pt_catalog **catalog, struct pt_error *err);

/* Closes the catalog and frees what the session owns; the project stays. */
void pt_session_close(struct pt_session *session);

#endif
