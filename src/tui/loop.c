// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The one loop: it owns the panes, focus, the dialog open (a state, never
 * a nested loop), the work under way and the message; it draws, reads a
 * key, polls the jobs, and carries out the reactions that keys, panes and
 * finished jobs return (reaction.h). Nothing it calls calls back into it.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "poshtiban/alloc.h"
#include "poshtiban/bidi.h"
#include "poshtiban/clock.h"
#include "poshtiban/l10n.h"
#include "poshtiban/testhooks.h"
#include "poshtiban/text.h"

#include "ask.h"
#include "chrome.h"
#include "dialogs.h"
#include "jobs.h"
#include "pane.h"
#include "terminal.h"
#include "tui.h"

#define MESSAGE_MS 8000

static const struct pt_pane_ops *const panes[PT_N_PANES] = {&pt_pane_dashboard, &pt_pane_list,
                                                            &pt_pane_detail, &pt_pane_settings};

struct loop {
    struct pt_tui_context ctx;
    int pane;
    void *state[PT_N_PANES];
    struct pt_dialog dialog;
    int prompt_pane;             /* the pane a prompt answers to */
    struct pt_reaction *pending; /* a question that came while a dialog was open */
    char *message;
    enum pt_style message_style;
    int64_t message_ms; /* when it was set (monotonic): it expires */
    struct pt_job *job; /* long work, shown with a progress box */
    struct pt_progress_box box;
    struct pt_job *stats_job; /* the database's row counts, in the background */
    struct pt_database_stats database;
    char *selected; /* the backup the detail pane shows (its name) */
    bool quit;
};

static void say(struct loop *l, enum pt_style style, char *text)
{
    free(l->message);
    l->message = text;
    l->message_style = style;
    l->message_ms = pt_chrome_monotonic_ms();
}

static void open_catalog(struct loop *l)
{
    pt_catalog_close(l->ctx.catalog);
    l->ctx.catalog = NULL;
    struct pt_error err = {0};
    if (pt_catalog_open(&l->ctx.catalog, l->ctx.project, PT_CATALOG_READ, &err) != PT_OK) {
        say(l, PT_STYLE_ERROR, pt_xstrdup(err.message));
        pt_error_clear(&err);
        /* An empty catalog in memory keeps the panes working. */
        static const struct pt_project none = {.catalog = "/nonexistent/catalog.sqlite3"};
        pt_catalog_open(&l->ctx.catalog, &none, PT_CATALOG_READ, NULL);
    }
}

static void focus(struct loop *l)
{
    l->ctx.selected = l->selected;
    if (panes[l->pane]->focus)
        panes[l->pane]->focus(l->state[l->pane], &l->ctx);
}

/* The catalog changed: reopen it, count the database's rows again, reload the pane. */
static void reload(struct loop *l)
{
    open_catalog(l);
    if (!l->stats_job)
        l->stats_job = pt_job_start(PT_JOB_DATABASE_STATS, l->ctx.project, NULL);
    focus(l);
}

/* Starts s, taking its input. */
static void start(struct loop *l, struct pt_start *s)
{
    void *input = s->input;
    s->input = NULL;
    if (l->job) {
        if (input && s->free_input)
            s->free_input(input);
        say(l, PT_STYLE_WARN, pt_xstrdup(_("busy: wait for the work under way, or Esc")));
        return;
    }
    l->job = pt_job_start_at(s->kind, l->ctx.project, s->id, s->at_ms, input, s->free_input);
    l->box.phase = -1;
    if (!l->job)
        say(l, PT_STYLE_ERROR, pt_xstrdup(_("cannot start a worker thread")));
}

/* Carries out r, and frees it. */
static void react(struct loop *l, struct pt_reaction *r)
{
    if (r->database) {
        pt_database_stats_free(&l->database);
        l->database = *r->database;
        memset(r->database, 0, sizeof(*r->database));
        l->ctx.database = &l->database;
        l->ctx.database_ready = true;
    }
    if (r->message) {
        say(l, r->style, r->message);
        r->message = NULL;
    }
    if (r->ask && l->dialog.kind != PT_DIALOG_NONE && !l->pending) {
        /* One question at a time: this one waits for the dialog open to close. */
        l->pending = pt_xcalloc(1, sizeof(*l->pending));
        *l->pending = *r;
        *r = (struct pt_reaction)PT_REACTION_INIT;
        return;
    }
    if (r->ask) {
        struct pt_reaction *yes = pt_xcalloc(1, sizeof(*yes));
        *yes = (struct pt_reaction){.start = r->start, .quit = r->quit};
        pt_dialog_ask(&l->dialog, r->ask, yes);
        r->ask = NULL;
        r->start = (struct pt_start){.kind = PT_JOB_NONE};
        r->quit = false;
    }
    if (r->leave_detail && l->pane == PT_PANE_DETAIL)
        l->pane = PT_PANE_LIST;
    if (r->show) {
        free(l->selected);
        l->selected = r->show;
        r->show = NULL;
        l->pane = PT_PANE_DETAIL;
        focus(l);
    }
    if (r->reload)
        reload(l);
    if (r->prompt && l->dialog.kind == PT_DIALOG_NONE) {
        pt_dialog_prompt(&l->dialog, r->prompt, r->initial);
        l->prompt_pane = l->pane;
    }
    if (r->start.kind != PT_JOB_NONE)
        start(l, &r->start);
    if (r->quit) {
        if (l->job)
            atomic_store(&l->job->cancel, true);
        l->quit = true;
    }
    pt_reaction_free(r);
}

/* The dialog closed: a question that waited opens now. */
static void close_dialog(struct loop *l)
{
    pt_dialog_close(&l->dialog);
    struct pt_reaction *next = l->pending;
    l->pending = NULL;
    if (next) {
        react(l, next);
        free(next);
    }
}

static void dialog_key(struct loop *l, int key)
{
    struct pt_dialog *d = &l->dialog;
    enum pt_answer answer = pt_dialog_key(d, key);
    if (answer == PT_ANSWER_NONE)
        return;
    if (d->kind == PT_DIALOG_PROMPT) {
        const struct pt_pane_ops *pane = panes[l->prompt_pane];
        char *text = answer == PT_ANSWER_ESC ? NULL : pt_dialog_text(d);
        enum pt_prompt_step step = answer == PT_ANSWER_ENTER ? PT_PROMPT_ENTER
                                   : answer == PT_ANSWER_ESC ? PT_PROMPT_ESC
                                                             : PT_PROMPT_EDITED;
        struct pt_reaction r = PT_REACTION_INIT;
        if (step != PT_PROMPT_EDITED)
            close_dialog(l);
        if (pane->prompted)
            pane->prompted(l->state[l->prompt_pane], &l->ctx, text, step, &r);
        free(text);
        react(l, &r);
        return;
    }
    struct pt_reaction *yes = d->yes;
    d->yes = NULL;
    if (answer == PT_ANSWER_NO && d->kind == PT_DIALOG_QUESTION && d->question->no)
        say(l, PT_STYLE_NORMAL, pt_xstrdup(d->question->no));
    close_dialog(l);
    if (yes && answer == PT_ANSWER_YES)
        react(l, yes);
    else if (yes)
        pt_reaction_free(yes);
    free(yes);
}

/* Whether the pane offers action (its table lists it). */
static bool offers(const struct pt_pane_ops *pane, enum pt_action a)
{
    for (const enum pt_action *p = pane->actions; *p != PT_ACT_NONE; p++)
        if (*p == a)
            return true;
    return false;
}

static void select_now(struct loop *l, struct pt_selection *sel)
{
    *sel = (struct pt_selection){0};
    if (panes[l->pane]->select)
        panes[l->pane]->select(l->state[l->pane], sel);
}

static void handle_key(struct loop *l, int key)
{
    if (l->dialog.kind != PT_DIALOG_NONE) {
        dialog_key(l, key);
        return;
    }
    struct pt_reaction r = PT_REACTION_INIT;
    if (l->job) {
        if (key == PT_KEY_ESC) {
            atomic_store(&l->job->cancel, true);
        } else if (pt_action_for_key(key) == PT_ACT_QUIT) {
            pt_ask_quit_during_work(&r);
            react(l, &r);
        }
        return;
    }
    free(l->message);
    l->message = NULL;
    l->ctx.key = key;
    enum pt_action a = pt_action_for_key(key);
    const struct pt_pane_ops *pane = panes[l->pane];
    if (a != PT_ACT_NONE && offers(pane, a)) {
        /* The table first: which job, whether it can act, what it asks. */
        struct pt_selection sel;
        select_now(l, &sel);
        char *why = NULL;
        if (pt_action_dispatch(a, &l->ctx, &sel, &r) ||
            (why = pt_action_refusal(a, &sel)) != NULL) {
            if (why)
                pt_reaction_tell(&r, PT_STYLE_WARN, why);
            react(l, &r);
            return;
        }
        if (pane->handle && pane->handle(l->state[l->pane], &l->ctx, a, &r)) {
            react(l, &r);
            return;
        }
    }
    switch (a) {
    case PT_ACT_QUIT:
        l->quit = true;
        break;
    case PT_ACT_HELP:
        pt_dialog_help(&l->dialog);
        break;
    case PT_ACT_DASHBOARD:
    case PT_ACT_LIST:
    case PT_ACT_DETAIL:
    case PT_ACT_SETTINGS:
        l->pane = a - PT_ACT_DASHBOARD;
        focus(l);
        break;
    case PT_ACT_NEXT_PANE:
    case PT_ACT_PREV_PANE:
        l->pane = (l->pane + (a == PT_ACT_NEXT_PANE ? 1 : PT_N_PANES - 1)) % PT_N_PANES;
        focus(l);
        break;
    case PT_ACT_REFRESH:
        reload(l);
        break;
    default:
        break;
    }
}

/* Finished work: its reaction is carried out, whatever dialog is open. */
static void poll_jobs(struct loop *l)
{
    struct pt_job **jobs[] = {&l->stats_job, &l->job};
    for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
        struct pt_job *job = *jobs[i];
        if (!job || !atomic_load(&job->finished))
            continue;
        *jobs[i] = NULL;
        struct pt_reaction r = PT_REACTION_INIT;
        pt_job_ops(job->kind)->done(job, &r);
        pt_job_free(job);
        react(l, &r);
    }
}

static void draw(struct loop *l)
{
    int h, w;
    getmaxyx(stdscr, h, w);
    erase();
    if (pt_chrome_too_small(h, w)) {
        refresh();
        return;
    }
    l->ctx.selected = l->selected;
    pt_chrome_header(panes, l->pane, l->ctx.project->root, w);
    panes[l->pane]->draw(l->state[l->pane], &l->ctx, stdscr, 1, 0, h - 3, w);
    pt_ui_fill(stdscr, h - 2, 0, w, PT_STYLE_NORMAL);
    bool prompt = l->dialog.kind == PT_DIALOG_PROMPT;
    /* A message lasts a few seconds, or until the next key; a prompt keeps it above itself. */
    if (!prompt && l->message && pt_chrome_monotonic_ms() - l->message_ms > MESSAGE_MS) {
        free(l->message);
        l->message = NULL;
    }
    if (l->message && !prompt)
        pt_chrome_message(l->message, l->message_style, h - 1, 3, w);
    struct pt_selection sel;
    select_now(l, &sel);
    pt_chrome_footer(panes[l->pane], &sel, h - 1, w);
    if (l->dialog.kind == PT_DIALOG_HELP)
        pt_chrome_help(panes, h, w);
    if (l->job && pt_job_boxed(l->job->kind))
        pt_chrome_progress(l->job, &l->box, h, w);
    pt_dialog_draw(&l->dialog, h, w, l->message, l->message_style);
    refresh();
}

/* Characters beyond ASCII must not pass for curses' key codes (KEY_UP is 0403). */
static int read_key(void)
{
    wint_t wc;
    int rc = get_wch(&wc);
    if (rc == ERR)
        return ERR;
    if (rc == OK && wc >= 0200)
        return (int)(wc | PT_KEY_CHAR);
    return (int)wc;
}

/* ---- timing, for bench/tui ---- */

/*
 * In a build with test hooks, $POSHTIBAN_TUI_TIMING names a file that
 * receives when the first full dashboard frame was drawn (wall clock, ms),
 * how long each key took to handle and draw, and the peak memory at exit.
 */
static FILE *timing;

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void timing_peak_memory(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            fprintf(timing, "peak_rss_kb %lld\n", atoll(line + 6));
    if (f)
        fclose(f);
}

/* ---- the loop ---- */

/* Out of memory: the terminal is given back before the program ends. */
static void give_terminal_back(void)
{
    if (!isendwin())
        endwin();
}

static void finish(struct loop *l)
{
    if (l->job) {
        atomic_store(&l->job->cancel, true);
        pt_job_free(l->job);
    }
    pt_job_free(l->stats_job);
    for (int i = 0; i < PT_N_PANES; i++)
        panes[i]->destroy(l->state[i]);
    pt_dialog_close(&l->dialog);
    if (l->pending)
        pt_reaction_free(l->pending);
    free(l->pending);
    pt_database_stats_free(&l->database);
    pt_catalog_close(l->ctx.catalog);
    free(l->message);
    free(l->selected);
}

static void run(struct loop *l, struct pt_project *moment)
{
    bool first = true, stats_logged = false;
    while (!l->quit) {
        moment->now_ms = pt_clock_now_ms();
        draw(l);
        if (timing && first)
            fprintf(timing, "first_frame_wall_ms %lld\n", (long long)wall_ms());
        if (timing && !stats_logged && l->ctx.database_ready) {
            fprintf(timing, "database_ready_wall_ms %lld\n", (long long)wall_ms());
            stats_logged = true;
        }
        first = false;
        timeout(l->job || l->stats_job ? 100 : 1000);
        int key = read_key();
        if (key == ERR || key == KEY_RESIZE) {
            poll_jobs(l);
            continue;
        }
        if (key == 3 && !l->job) /* Ctrl-C, raw mode */
            break;
        int64_t t0 = pt_chrome_monotonic_ms();
        moment->now_ms = pt_clock_now_ms();
        handle_key(l, key);
        poll_jobs(l);
        if (timing) {
            struct timespec ts;
            draw(l);
            clock_gettime(CLOCK_MONOTONIC, &ts);
            fprintf(timing, "key %d %.3f\n", key,
                    (double)ts.tv_sec * 1000 + ts.tv_nsec / 1e6 - (double)t0);
        }
    }
}

int pt_tui_run(const struct pt_project *project, const struct pt_tui_options *opts)
{
    /* The TUI's "now" is read again before each frame and each key. */
    struct pt_project moment = *project;
    moment.now_ms = pt_clock_now_ms();
    struct loop l = {.ctx = {.project = &moment}};
    l.ctx.database = &l.database;
    /* An unknown terminal is a line of ours, not an exit inside initscr. */
    SCREEN *screen = pt_tui_terminal_known() ? newterm(NULL, stdout, stdin) : NULL;
    if (!screen) {
        const char *term = getenv("TERM");
        char *shown = pt_text_printable(term ? term : "");
        if (term && *term)
            fprintf(stderr,
                    _("poshtiban: the terminal type \"%s\" (TERM) is not known on this machine: "
                      "try TERM=xterm-256color poshtiban, or a command such as poshtiban list\n"),
                    shown);
        else
            fputs(_("poshtiban: TERM is not set, so the full-screen interface cannot start: try "
                    "TERM=xterm-256color poshtiban, or a command such as poshtiban list\n"),
                  stderr);
        free(shown);
        return 2;
    }
    pt_alloc_on_failure(give_terminal_back);
    raw();
    noecho();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    enum pt_bidi_mode bidi = pt_bidi_resolve(opts->bidi, true);
    pt_ui_init(opts->no_color, pt_l10n_rtl(), bidi == PT_BIDI_APP);
    /* VTE reorders by itself unless told not to: explicit mode while we draw. */
    const char *vte = getenv("VTE_VERSION");
    bool vte_explicit = bidi == PT_BIDI_APP && vte && *vte;
    if (vte_explicit) {
        fputs("\033[8l", stdout);
        fflush(stdout);
    }
    open_catalog(&l);
    for (int i = 0; i < PT_N_PANES; i++)
        l.state[i] = panes[i]->init();
    l.stats_job = pt_job_start(PT_JOB_DATABASE_STATS, l.ctx.project, NULL);
#ifdef PT_TEST_HOOKS
    const char *timing_path = pt_test_hooks()->tui_timing;
    timing = timing_path ? fopen(timing_path, "w") : NULL;
#endif
    focus(&l);
    if (opts->notice)
        say(&l, PT_STYLE_ERROR, pt_xstrdup(opts->notice));
    struct pt_reaction overdue = PT_REACTION_INIT;
    pt_ask_overdue(&l.ctx, &overdue);
    react(&l, &overdue);
    run(&l, &moment);
    endwin();
    delscreen(screen);
    pt_alloc_on_failure(NULL);
    if (vte_explicit) {
        fputs("\033[8h", stdout);
        fflush(stdout);
    }
    if (timing) {
        timing_peak_memory();
        fclose(timing);
    }
    finish(&l);
    return 0;
}
