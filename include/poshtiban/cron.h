/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CRON_H
#define POSHTIBAN_CRON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

#define PT_CRON_DEFAULT_MINUTES 15

struct pt_cron_options {
    const char *program; /* absolute path of the poshtiban to run; NULL: this program */
    const char *lang;    /* --lang for the line (the mails' language), NULL for none */
    int every_minutes;   /* 1 to 60; 0 for PT_CRON_DEFAULT_MINUTES */
};

/*
 * The comment that marks this project's line: "# poshtiban-auto " and 16
 * hex digits of the SHA-256 of the backup root, so that every backup root
 * has its own line. Owned by the caller.
 */
char *pt_cron_marker(const struct pt_project *project);

/*
 * The crontab line: every N minutes, `poshtiban -C ROOT [--database P]
 * [--media D] [--backups D] [--lang L] auto`, output appended to
 * <backup root>/.poshtiban/auto.log, and the marker. Every path is quoted
 * for sh and % is escaped for cron. PT_EINVAL when a path holds a
 * backslash or a line break, which a crontab cannot carry reliably.
 */
enum pt_status pt_cron_line(const struct pt_project *project, const struct pt_cron_options *opts,
                            char **line, struct pt_error *err);

/*
 * The crontab table (len bytes) with every line holding marker taken out
 * and, when line is not NULL, line put where the first of them was (or at
 * the end). Every other byte stays as it was. *found tells whether a line
 * held the marker. New string.
 */
char *pt_cron_edit(const char *table, size_t len, const char *marker, const char *line,
                   bool *found);

/*
 * Installs or replaces this project's line through `crontab -l` and
 * `crontab -` (the table is not rewritten when it is already right), and
 * creates .poshtiban so that the line's log has a place. *line receives
 * the line (owned), *replaced whether one was there before.
 */
enum pt_status pt_cron_install(const struct pt_project *project, const struct pt_cron_options *opts,
                               char **line, bool *replaced, struct pt_error *err);

/* Takes this project's line out; *removed tells whether there was one. */
enum pt_status pt_cron_remove(const struct pt_project *project, bool *removed,
                              struct pt_error *err);

struct pt_cron_status {
    bool crontab_ok;     /* `crontab -l` answered */
    char *crontab_error; /* translated, when it did not */
    char *line;          /* this project's line, NULL when none */
    char *program;       /* the poshtiban that line runs, NULL when none */
    bool program_ok;     /* it exists and may be run */
    bool daemon_running; /* a cron or crond process runs */
    bool daemon_installed;
    char *start_command; /* how to start it, when it does not run */
    char *start_hint;    /* in a Codespace: how to start it with the codespace */
    char *log_path;      /* auto.log */
    bool auto_enabled;   /* auto.enabled: without it `auto` takes no backup */
    bool has_last_auto;
    struct pt_record last_auto; /* the newest backup of kind auto */
};

/* Never fails for a missing crontab or daemon: that is what it reports. */
enum pt_status pt_cron_status(struct pt_session *session, struct pt_cron_status *out,
                              struct pt_error *err);
void pt_cron_status_free(struct pt_cron_status *status);

/*
 * Whether the user's crontab gives the variable name a value (a line
 * NAME=value), which cron then passes to `poshtiban auto`. False when
 * there is no crontab or it cannot be read.
 */
bool pt_cron_defines(const char *name);

/* Whether a process named cron or crond runs (from /proc/<pid>/comm). */
bool pt_cron_daemon_running(void);

#endif
