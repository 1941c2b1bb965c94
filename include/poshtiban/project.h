/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_PROJECT_H
#define POSHTIBAN_PROJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/status.h"

/* What the user named on the command line; NULL means "use the default". */
struct pt_project_options {
    const char *root;     /* -C DIR */
    const char *database; /* --database PATH */
    const char *media;    /* --media DIR */
    const char *backups;  /* --backups DIR */
};

/*
 * One command's view of a project: the absolute paths of everything
 * poshtiban reads and writes (docs/cli.md, "Global options"), and the moment
 * the command started.
 */
struct pt_project {
    char *root;
    char *database;   /* source database */
    char *media;      /* media folder, NULL when there is none */
    bool media_given; /* --media was given: a missing folder is an error */
    char *backups;    /* backup root */
    char *meta;       /* <backups>/.poshtiban */
    char *catalog;    /* <meta>/catalog.sqlite3 */
    char *lock;       /* <meta>/lock */
    char *tmp;        /* <meta>/tmp */
    /*
     * "Now" for this command, ms since the epoch: the face reads the clock
     * (pt_clock_now_ms) and sets it; the core never reads the wall clock.
     */
    int64_t now_ms;
};

/*
 * Resolves the paths (docs/cli.md, "Global options") from opts, $POSHTIBAN_DATABASE and the
 * defaults. Relative paths are taken from the project root. Nothing is
 * created. Fails with PT_EINVAL when the project root is not a folder.
 */
enum pt_status pt_project_resolve(struct pt_project *project, const struct pt_project_options *opts,
                                  struct pt_error *err);

/* Creates the backup root and .poshtiban/tmp (0700) when missing. */
enum pt_status pt_project_prepare(const struct pt_project *project, struct pt_error *err);

/*
 * Refuses (PT_EINVAL) a layout in which a restore of the media would wipe
 * the backups: the backup root inside the media folder, symbolic links
 * resolved.
 */
enum pt_status pt_project_check_layout(const struct pt_project *project, struct pt_error *err);

void pt_project_free(struct pt_project *project);

#endif
