/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_WORKER_H
#define POSHTIBAN_TUI_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/* Long work the TUI hands to a thread; only the main thread draws. What each does: jobs.c. */
enum pt_job_kind {
    PT_JOB_CREATE,
    PT_JOB_VERIFY,
    PT_JOB_VERIFY_DEEP, /* verify --deep */
    PT_JOB_RESTORE_PLAN,
    PT_JOB_RESTORE,
    PT_JOB_EXPORT,
    PT_JOB_DELETE,
    PT_JOB_PRUNE,
    PT_JOB_DATABASE_STATS,
    PT_JOB_AUTO, /* the overdue automatic backup */
    PT_JOB_TEST_MAIL,
    PT_JOB_PUSH, /* an off-site copy of the backup */
    /* One file back: id is "<backup>\n<media/REL>" (a backup's name holds no newline). */
    PT_JOB_RESTORE_PATH_PLAN,
    PT_JOB_RESTORE_PATH,
    PT_JOB_EXPORT_PLAIN, /* export --plain */
    PT_JOB_PIN,          /* pins the backup, or unpins a pinned one */
    PT_JOB_CRON,         /* id "install" or "remove": the crontab line of automatic backups */
    PT_N_JOB_KINDS,
    PT_JOB_NONE = PT_N_JOB_KINDS /* an action that starts no job */
};

struct pt_job {
    enum pt_job_kind kind;
    const struct pt_project *project; /* &moment */
    struct pt_project moment;         /* the face's project, its clock read at start */
    char *id;                         /* the backup it is about, or NULL */
    int64_t at_ms;                    /* restore: a change set's moment (restore --at), or 0 */
    void *input;                      /* what it starts from (the approved plan), or NULL */
    void (*free_input)(void *input);
    struct pt_session *session; /* on the thread: the catalog opened once for the job */

    /* Shared with the thread, under lock. */
    pthread_mutex_t lock;
    struct pt_progress progress;
    atomic_bool cancel;
    atomic_bool finished;

    /* Read once finished. */
    enum pt_status status;
    struct pt_error err;
    void *result; /* the kind's own (jobs.c), freed by its free */

    pthread_t thread;
};

/* Starts kind on a thread; the job owns a copy of id. NULL if no thread could start. */
struct pt_job *pt_job_start(enum pt_job_kind kind, const struct pt_project *project,
                            const char *id);
/*
 * The same, about the moment at_ms (a restore to a change set), from input
 * (the plan the user approved, or NULL), which the job takes and frees
 * with free_input, even when no thread could start.
 */
struct pt_job *pt_job_start_at(enum pt_job_kind kind, const struct pt_project *project,
                               const char *id, int64_t at_ms, void *input,
                               void (*free_input)(void *input));
/* Progress as last reported: a copy of phase, done, total. */
struct pt_progress pt_job_progress(struct pt_job *job);
/* Waits for the thread and frees everything. */
void pt_job_free(struct pt_job *job);

#endif
