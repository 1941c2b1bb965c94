/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_JOBS_H
#define POSHTIBAN_TUI_JOBS_H

#include "poshtiban/progress.h"

#include "reaction.h"
#include "worker.h"

/*
 * What one kind of job is: its title in the progress box, its work on the
 * worker thread, its end on the main thread, and how its result is freed.
 */
struct pt_job_ops {
    const char *label; /* N_(): the progress box's title, before the phase; NULL: no box */
    /* Optional: the title when it depends on the phase (label otherwise). */
    const char *(*label_at)(enum pt_phase phase);
    /* On the thread: does the work, sets job->status, job->err and job->result. */
    void (*run)(struct pt_job *job, const struct pt_monitor *monitor);
    /*
     * On the main thread, once finished: fills out with what follows (the
     * message, the reload, a question and the job after it); it may take
     * job->result, leaving NULL.
     */
    void (*done)(struct pt_job *job, struct pt_reaction *out);
    /* Frees job->result (which may be NULL). */
    void (*free)(void *result);
};

/* The ops of kind. */
const struct pt_job_ops *pt_job_ops(enum pt_job_kind kind);
/* The progress box's title for job in phase, translated. */
const char *pt_job_label(const struct pt_job *job, enum pt_phase phase);
/* Whether kind shows a progress box (long work has a title; quick work does not). */
bool pt_job_boxed(enum pt_job_kind kind);

#endif
