/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_PANE_H
#define POSHTIBAN_TUI_PANE_H

#include <stdbool.h>

#include <curses.h>

#include "poshtiban/catalog.h"
#include "poshtiban/changes.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/stats.h"

#include "action.h"
#include "reaction.h"

/* What a pane sees of the TUI, owned by the loop (loop.c): read only. */
struct pt_tui_context {
    const struct pt_project *project;
    struct pt_catalog *catalog;               /* the main thread's; reopened after each job */
    const char *selected;                     /* the backup Detail shows (its name), or NULL */
    const struct pt_database_stats *database; /* the row counts, once database_ready */
    bool database_ready;
    int key; /* the key being handled (Space and PgDn share an action) */
};

/*
 * What is under a pane's cursor, for the action table (action.c) to decide
 * whether an action can act and on what. Pointers into the pane's state,
 * valid until its next op.
 */
struct pt_selection {
    bool row;                            /* anything at all (a backup, a setting) */
    const struct pt_record *record;      /* the backup, or NULL */
    const struct pt_change_point *point; /* one of its change sets, or NULL */
    const char *file;                    /* one of its media files ("media/a.jpg"), or NULL */
};

/* How a prompt the pane opened (reaction.prompt) came back. */
enum pt_prompt_step {
    PT_PROMPT_EDITED, /* a live prompt's text changed */
    PT_PROMPT_ENTER,  /* Enter: the text is the answer */
    PT_PROMPT_ESC,    /* Esc: no answer (text is NULL) */
};

/*
 * A pane: its own state behind init; draw paints its area; handle takes an
 * action the table does not carry out by itself (a move, a filter) and
 * fills a reaction, returning whether it did anything; focus runs when the
 * pane comes into view (and after the catalog changed); select says what is
 * under the cursor; actions lists what the pane offers, in the footer's
 * order, ending with PT_ACT_NONE.
 */
struct pt_pane_ops {
    const char *title; /* N_() */
    void *(*init)(void);
    void (*focus)(void *state, const struct pt_tui_context *ctx);
    void (*draw)(void *state, const struct pt_tui_context *ctx, WINDOW *win, int y, int x, int h,
                 int w);
    /* Optional: without it, the table and the loop handle every key. */
    bool (*handle)(void *state, const struct pt_tui_context *ctx, enum pt_action action,
                   struct pt_reaction *out);
    /* Optional: the answer to a prompt the pane asked for (text NULL after Esc). */
    void (*prompted)(void *state, const struct pt_tui_context *ctx, const char *text,
                     enum pt_prompt_step step, struct pt_reaction *out);
    /* Optional: what is under the cursor (nothing, without it). */
    void (*select)(void *state, struct pt_selection *out);
    void (*destroy)(void *state);
    const enum pt_action *actions;
};

enum { PT_PANE_DASHBOARD, PT_PANE_LIST, PT_PANE_DETAIL, PT_PANE_SETTINGS, PT_N_PANES };

extern const struct pt_pane_ops pt_pane_dashboard, pt_pane_list, pt_pane_detail, pt_pane_settings;

#endif
