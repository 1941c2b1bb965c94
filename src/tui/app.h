/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_APP_H
#define POSHTIBAN_TUI_APP_H

#include <stdbool.h>

#include <curses.h>

#include "action.h"
#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/stats.h"
#include "ui.h"
#include "worker.h"

struct pt_app;

/*
 * A pane: its own state behind init; draw paints its area; handle takes an
 * action and says whether it did anything; focus runs when the pane comes
 * into view (and after the catalog changed); actions lists what the pane
 * does, for the footer and the help screen, ending with PT_ACT_NONE.
 */
struct pt_pane_ops {
    const char *title; /* N_() */
    void *(*init)(struct pt_app *app);
    void (*focus)(void *state, struct pt_app *app);
    void (*draw)(void *state, struct pt_app *app, WINDOW *win, int y, int x, int h, int w);
    bool (*handle)(void *state, struct pt_app *app, enum pt_action action);
    void (*destroy)(void *state);
    const enum pt_action *actions;
    /* Optional: whether an action can act now (one that needs a selected backup…). */
    bool (*can)(void *state, enum pt_action action);
};

enum { PT_PANE_DASHBOARD, PT_PANE_LIST, PT_PANE_DETAIL, PT_PANE_SETTINGS, PT_N_PANES };

extern const struct pt_pane_ops pt_pane_dashboard, pt_pane_list, pt_pane_detail, pt_pane_settings;

struct pt_app {
    const struct pt_project *project;
    struct pt_catalog *catalog; /* the main thread's; reopened after each job */
    int pane;
    void *state[PT_N_PANES];
    bool help;
    char *message;
    enum pt_style message_style;
    int64_t message_ms; /* when it was set (monotonic): it expires */
    struct pt_job *job; /* long work, shown with a progress box */
    int job_phase;      /* its phase when last drawn, and since when (monotonic ms) */
    int64_t job_phase_ms;
    struct pt_job *stats_job; /* the database's row counts, in the background */
    struct pt_database_stats database;
    bool database_ready;
    char *selected; /* the backup the detail pane shows (its name) */
    bool quit;
    int key; /* the key being handled (Space and PgDn share an action) */
};

/* One line for the user at the bottom. */
void pt_app_message(struct pt_app *app, enum pt_style style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A yes/no question in a box; true for yes. */
bool pt_app_confirm(struct pt_app *app, const char *question);
/* A line of text typed on the message row, starting from initial; NULL when cancelled. */
char *pt_app_prompt(struct pt_app *app, const char *label, const char *initial);
/* The same, calling changed after each edit with the text so far (NULL after Esc). */
char *pt_app_prompt_live(struct pt_app *app, const char *label, const char *initial,
                         void (*changed)(const char *text, void *user), void *user);
/* Starts long work (one at a time); the result comes back as a message. */
void pt_app_start(struct pt_app *app, enum pt_job_kind kind, const char *id);
/* The same, about the moment at_ms: a restore to a change set (restore --at). */
void pt_app_start_at(struct pt_app *app, enum pt_job_kind kind, const char *id, int64_t at_ms);
/* The same, handing the job input to carry out (owned; freed when no job starts). */
void pt_app_start_with(struct pt_app *app, enum pt_job_kind kind, const char *id, int64_t at_ms,
                       void *input);
/* Asks whether to delete the backup (saying so when it is pinned), and does so on yes. */
void pt_app_ask_delete(struct pt_app *app, const struct pt_record *record);
/*
 * Lines to read before a yes or no, scrollable, in a box as large as the
 * screen; true for yes.
 */
bool pt_app_review(struct pt_app *app, const char *title, char **lines, size_t n,
                   const char *question);
/*
 * A name (path false) or a path kept whole inside a sentence the TUI shows:
 * isolated when the layout runs right to left. A new string; the shape of
 * pt_present_keep_fn.
 */
char *pt_app_keep_whole(const char *text, bool path);
/* Pins (pinned) or unpins the backup named name, and says so. */
void pt_app_set_pin(struct pt_app *app, const char *name, bool pinned);
/* Shows the backup named name in the detail pane. */
void pt_app_show(struct pt_app *app, const char *name);
/* The catalog changed: reopen it and let every pane reload. */
void pt_app_changed(struct pt_app *app);

#endif
