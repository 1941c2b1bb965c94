/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_RESTIC_H
#define POSHTIBAN_CORE_RESTIC_H

#include <jansson.h>

#include "poshtiban/catalog.h"
#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * Running restic for the off-site copies (README, "Off-site copies"). The repository and
 * the password reach restic through its environment alone (RESTIC_REPOSITORY,
 * RESTIC_PASSWORD or RESTIC_PASSWORD_FILE), built here for the child and
 * never set in this process; argv holds neither.
 */
struct pt_restic {
    char *repository; /* as given: passed through unchanged */
    char **envp;      /* the child's environment, NULL-terminated */
    bool no_space;    /* the last run failed saying "no space left on device" */
    char *stalled;    /* a watched call found the repository stuck: why; later calls fail so */
};

/*
 * How long a watched call may go without any input or output before the
 * repository counts as no longer answering (restic is then stopped, and
 * killed PT_SUBPROCESS_GRACE_MS later): well within a minute in all.
 */
#define PT_RESTIC_STALL_MS 40000L

/*
 * Prepares a run against repository (NULL: the setting offsite.repository)
 * with the password from the variable offsite.password_env names, or from
 * the file of offsite.password_file. PT_EINVAL when no repository is set,
 * PT_EFAIL when the password cannot be found. Free with pt_restic_close().
 */
enum pt_status pt_restic_open(struct pt_restic *restic, const struct pt_project *project,
                              struct pt_catalog *catalog, const char *repository,
                              struct pt_error *err);
void pt_restic_close(struct pt_restic *restic);

struct pt_restic_call {
    const char *const *args; /* after "restic", NULL-terminated */
    const char *cwd;         /* NULL: this process's */
    /* Progress (restic's --json status messages, as phase) and cancel. */
    const struct pt_monitor *monitor;
    enum pt_phase phase;
    /* Every other JSON value restic prints on stdout, one per line; may be NULL. */
    void (*on_json)(json_t *message, void *user);
    void *user;
    /*
     * Stop restic when it reads and writes nothing for PT_RESTIC_STALL_MS
     * (a repository that stopped answering), instead of waiting for
     * restic's own time-outs. For calls that always move data: backup, and
     * listing snapshots; not for prune, whose long thinking is silent.
     */
    bool watched;
};

/*
 * Runs restic and waits for it. PT_OK when it exits 0; PT_ECANCELLED when
 * the monitor's cancel flag stopped it (restic gets SIGINT and removes its
 * lock); PT_EFAIL with one line from restic's stderr (printable, the
 * repository's login left out) when it fails, or when restic is not
 * installed (naming the package). A repository locked by another restic
 * is named with its holder; a watched call that stalls says that the
 * repository stopped answering, and so does every later call on restic.
 */
enum pt_status pt_restic_run(struct pt_restic *restic, const struct pt_restic_call *call,
                             struct pt_error *err);

#endif
