/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_REACTION_H
#define POSHTIBAN_TUI_REACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/stats.h"

#include "ui.h"
#include "worker.h"

/*
 * What a key, a pane or a finished job asks the loop to do, as data: the
 * loop (loop.c) carries it out, so that nothing below it calls back up.
 * Everything in it is owned by it; pt_reaction_free frees what is left.
 */

/* Long work to start: a job kind about a backup (id) or a moment (at_ms). */
struct pt_start {
    enum pt_job_kind kind; /* PT_JOB_NONE: nothing */
    char *id;
    int64_t at_ms;
    void *input; /* what it starts from (the plan the user approved), freed with free_input */
    void (*free_input)(void *input);
};

/* A question before the start (or the quit) of the reaction that carries it. */
struct pt_question {
    char *text;   /* the question itself */
    char *title;  /* NULL: a small yes/no box; else a review box of lines, scrollable */
    char **lines; /* what to read before answering (a review), n_lines of them */
    size_t n_lines;
    char *no; /* said when the answer is no, or NULL */
};

struct pt_reaction {
    char *message; /* a line for the user, or NULL */
    enum pt_style style;
    bool reload;                        /* the catalog changed: reopen it, every pane reloads */
    bool leave_detail;                  /* the backup Detail shows is gone: back to the List */
    char *show;                         /* the backup to open in Detail, or NULL */
    struct pt_database_stats *database; /* the database's row counts, for the dashboard */
    struct pt_question *ask;            /* asked first: start and quit wait for yes */
    struct pt_start start;
    bool quit;
    /* A line to type on the message row, answered to the pane (its prompted op). */
    char *prompt;  /* the label, or NULL */
    char *initial; /* the text it starts with */
    bool live;     /* the pane hears every edit, not only Enter */
};

/* An empty reaction: nothing to do. */
#define PT_REACTION_INIT                                                                           \
    {                                                                                              \
        .start = {.kind = PT_JOB_NONE }                                                            \
    }

/* Sets the message (a printf format), replacing one set before. */
void pt_reaction_say(struct pt_reaction *r, enum pt_style style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with a new string of present/, which it takes. */
void pt_reaction_tell(struct pt_reaction *r, enum pt_style style, char *text);
/* Sets the work to start (id copied; may be NULL). */
void pt_reaction_start(struct pt_reaction *r, enum pt_job_kind kind, const char *id, int64_t at_ms);
/*
 * Asks text first (taken), in a review box titled title with lines (taken,
 * n of them) when title is not NULL; no (copied, may be NULL) is said on no.
 */
void pt_reaction_ask(struct pt_reaction *r, char *text, const char *title, char **lines, size_t n,
                     const char *no);
/* Frees a question and what it holds. */
void pt_question_free(struct pt_question *q);
/* Frees what r holds and empties it. */
void pt_reaction_free(struct pt_reaction *r);

#endif
