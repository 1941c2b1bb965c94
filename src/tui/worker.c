// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/auto.h"
#include "poshtiban/backup.h"
#include "poshtiban/catalog.h"
#include "poshtiban/clock.h"
#include "poshtiban/notify.h"
#include "poshtiban/export.h"
#include "poshtiban/retention.h"
#include <time.h>

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
    const struct pt_project *p = job->project;
    switch (job->kind) {
    case PT_JOB_CREATE: {
        struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
        job->status = pt_backup_create(p, &opts, &monitor, &job->record, &job->err);
        break;
    }
    case PT_JOB_VERIFY:
    case PT_JOB_VERIFY_DEEP:
        job->status = pt_verify_backup(p, job->id, job->kind == PT_JOB_VERIFY_DEEP, &monitor,
                                       &job->record, &job->verify, &job->err);
        break;
    case PT_JOB_RESTORE_PLAN: {
        struct pt_restore_options opts = {0};
        job->status = pt_restore_plan(p, job->id, &opts, &job->plan, &job->err);
        break;
    }
    case PT_JOB_RESTORE: {
        struct pt_restore_options opts = {0};
        job->status = pt_restore(p, job->id, &opts, &monitor, &job->plan, &job->err);
        break;
    }
    case PT_JOB_EXPORT:
        job->status = pt_export_backup(p, job->id, NULL, &monitor, &job->path, &job->err);
        break;
    case PT_JOB_DELETE:
        job->status = pt_backup_delete(p, job->id, &job->err);
        break;
    case PT_JOB_PRUNE: {
        struct pt_retention_plan plan;
        job->status = pt_retention_prune(p, false, &plan, &job->err);
        job->count = plan.n;
        pt_retention_plan_free(&plan);
        break;
    }
    case PT_JOB_DATABASE_STATS:
        job->status = pt_stats_database(p, &job->database, &job->err);
        break;
    case PT_JOB_AUTO: {
        struct pt_auto_result result = {0};
        job->status = pt_auto_run(p, &monitor, &result, &job->err);
        job->record = result.record;
        memset(&result.record, 0, sizeof(result.record));
        job->reason = result.reason;
        result.reason = NULL;
        pt_auto_result_free(&result);
        break;
    }
    case PT_JOB_PUSH:
        job->status = pt_offsite_push(p, job->id, &monitor, &job->pushed, &job->err);
        break;
    case PT_JOB_TEST_MAIL: {
        struct pt_catalog *c = NULL;
        job->status = pt_catalog_open(&c, p, PT_CATALOG_READ, &job->err);
        if (job->status == PT_OK)
            job->status = pt_notify_test_mail(p, c, &job->err);
        pt_catalog_close(c);
        break;
    }
    }
    atomic_store(&job->finished, true);
    return NULL;
}

struct pt_job *pt_job_start(enum pt_job_kind kind, const struct pt_project *project,
                            const char *id)
{
    struct pt_job *job = calloc(1, sizeof(*job));
    if (!job)
        return NULL;
    job->kind = kind;
    /* A job is a command of its own: the clock is read as it starts. */
    job->moment = *project;
    job->moment.now_ms = pt_clock_now_ms();
    job->project = &job->moment;
    job->id = id ? strdup(id) : NULL;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    job->started_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    pthread_mutex_init(&job->lock, NULL);
    atomic_init(&job->cancel, false);
    atomic_init(&job->finished, false);
    if (pthread_create(&job->thread, NULL, run, job) != 0) {
        pthread_mutex_destroy(&job->lock);
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
    pt_record_free(&job->record);
    pt_verify_result_free(&job->verify);
    pt_restore_plan_free(&job->plan);
    pt_database_stats_free(&job->database);
    pt_offsite_push_result_free(&job->pushed);
    free(job->path);
    free(job->reason);
    free(job->progress_what);
    free(job->id);
    free(job);
}
