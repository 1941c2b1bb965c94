// SPDX-License-Identifier: GPL-3.0-or-later
/* The thread a job runs on; what each kind does is jobs.c's. */
#include "worker.h"

#include <stdlib.h>

#include "poshtiban/alloc.h"
#include "poshtiban/clock.h"

#include "jobs.h"

static void on_progress(const struct pt_progress *p, void *user)
{
    struct pt_job *job = user;
    pthread_mutex_lock(&job->lock);
    job->progress.phase = p->phase;
    job->progress.done = p->done;
    job->progress.total = p->total;
    pthread_mutex_unlock(&job->lock);
}

static void *run(void *arg)
{
    struct pt_job *job = arg;
    struct pt_monitor monitor = {on_progress, job, &job->cancel};
    /* SQLite connections are per thread: the job's own, opened once for all it does. */
    struct pt_session session;
    job->status = pt_session_open(&session, job->project, &job->err);
    job->session = &session;
    if (job->status == PT_OK)
        pt_job_ops(job->kind)->run(job, &monitor);
    job->session = NULL;
    pt_session_close(&session);
    atomic_store(&job->finished, true);
    return NULL;
}

struct pt_job *pt_job_start(enum pt_job_kind kind, const struct pt_project *project, const char *id)
{
    return pt_job_start_at(kind, project, id, 0, NULL, NULL);
}

struct pt_job *pt_job_start_at(enum pt_job_kind kind, const struct pt_project *project,
                               const char *id, int64_t at_ms, void *input,
                               void (*free_input)(void *input))
{
    struct pt_job *job = pt_xcalloc(1, sizeof(*job));
    job->kind = kind;
    job->at_ms = at_ms;
    job->input = input;
    job->free_input = free_input;
    /* A job is a command of its own: the clock is read as it starts. */
    job->moment = *project;
    job->moment.now_ms = pt_clock_now_ms();
    job->project = &job->moment;
    job->id = id ? pt_xstrdup(id) : NULL;
    pthread_mutex_init(&job->lock, NULL);
    atomic_init(&job->cancel, false);
    atomic_init(&job->finished, false);
    if (pthread_create(&job->thread, NULL, run, job) != 0) {
        pthread_mutex_destroy(&job->lock);
        if (job->input && job->free_input)
            job->free_input(job->input);
        free(job->id);
        free(job);
        return NULL;
    }
    return job;
}

struct pt_progress pt_job_progress(struct pt_job *job)
{
    pthread_mutex_lock(&job->lock);
    struct pt_progress p = job->progress;
    pthread_mutex_unlock(&job->lock);
    p.message = NULL;
    return p;
}

void pt_job_free(struct pt_job *job)
{
    if (!job)
        return;
    pthread_join(job->thread, NULL);
    pthread_mutex_destroy(&job->lock);
    pt_error_clear(&job->err);
    pt_job_ops(job->kind)->free(job->result);
    if (job->input && job->free_input)
        job->free_input(job->input);
    free(job->id);
    free(job);
}
