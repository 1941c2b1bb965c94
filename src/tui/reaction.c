// SPDX-License-Identifier: GPL-3.0-or-later
#include "reaction.h"

#include <stdarg.h>
#include <stdlib.h>

#include "poshtiban/alloc.h"

void pt_reaction_say(struct pt_reaction *r, enum pt_style style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = pt_xvasprintf(fmt, ap);
    va_end(ap);
    pt_reaction_tell(r, style, text);
}

void pt_reaction_tell(struct pt_reaction *r, enum pt_style style, char *text)
{
    free(r->message);
    r->message = text;
    r->style = style;
}

static void drop_start(struct pt_start *s)
{
    free(s->id);
    if (s->input && s->free_input)
        s->free_input(s->input);
    *s = (struct pt_start){.kind = PT_JOB_NONE};
}

void pt_reaction_start(struct pt_reaction *r, enum pt_job_kind kind, const char *id, int64_t at_ms)
{
    drop_start(&r->start);
    r->start = (struct pt_start){kind, id ? pt_xstrdup(id) : NULL, at_ms, NULL, NULL};
}

void pt_reaction_ask(struct pt_reaction *r, char *text, const char *title, char **lines, size_t n,
                     const char *no)
{
    pt_question_free(r->ask);
    r->ask = pt_xcalloc(1, sizeof(*r->ask));
    *r->ask = (struct pt_question){.text = text,
                                   .title = title ? pt_xstrdup(title) : NULL,
                                   .lines = lines,
                                   .n_lines = n,
                                   .no = no ? pt_xstrdup(no) : NULL};
}

void pt_question_free(struct pt_question *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n_lines; i++)
        free(q->lines[i]);
    free(q->lines);
    free(q->text);
    free(q->title);
    free(q->no);
    free(q);
}

void pt_reaction_free(struct pt_reaction *r)
{
    free(r->message);
    free(r->show);
    if (r->database)
        pt_database_stats_free(r->database);
    free(r->database);
    pt_question_free(r->ask);
    drop_start(&r->start);
    free(r->prompt);
    free(r->initial);
    *r = (struct pt_reaction)PT_REACTION_INIT;
}
