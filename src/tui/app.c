// SPDX-License-Identifier: GPL-3.0-or-later
#include "app.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "poshtiban/pin.h"
#include "poshtiban/bidi.h"
#include "poshtiban/clock.h"
#include "poshtiban/schedule.h"
#include "poshtiban/settings.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/testhooks.h"
#include "poshtiban/text.h"
#include "poshtiban/alloc.h"
#include "jobs.h"
#include "terminal.h"
#include "tui.h"

#define MIN_COLS 80
#define MIN_ROWS 24
#define KEY_ESC 27
#define MESSAGE_MS 8000

static const struct pt_pane_ops *const panes[PT_N_PANES] = {&pt_pane_dashboard, &pt_pane_list,
                                                            &pt_pane_detail, &pt_pane_settings};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pt_app_message(struct pt_app *app, enum pt_style style, const char *fmt, ...)
{
    free(app->message);
    va_list ap;
    va_start(ap, fmt);
    app->message = pt_xvasprintf(fmt, ap);
    va_end(ap);
    app->message_style = style;
    app->message_ms = monotonic_ms();
}

char *pt_app_keep_whole(const char *text, bool path)
{
    (void)path; /* a path starts with a left-to-right letter: the first strong one decides */
    return pt_l10n_rtl() ? pt_xchecked(pt_bidi_isolate(text)) : pt_xstrdup(text);
}

static void open_catalog(struct pt_app *app)
{
    pt_catalog_close(app->catalog);
    app->catalog = NULL;
    struct pt_error err = {0};
    if (pt_catalog_open(&app->catalog, app->project, PT_CATALOG_READ, &err) != PT_OK) {
        pt_app_message(app, PT_STYLE_ERROR, "%s", err.message);
        pt_error_clear(&err);
        /* An empty catalog in memory keeps the panes working. */
        static const struct pt_project none = {.catalog = "/nonexistent/catalog.sqlite3"};
        pt_catalog_open(&app->catalog, &none, PT_CATALOG_READ, NULL);
    }
}

static void focus(struct pt_app *app)
{
    if (panes[app->pane]->focus)
        panes[app->pane]->focus(app->state[app->pane], app);
}

void pt_app_changed(struct pt_app *app)
{
    open_catalog(app);
    if (!app->stats_job)
        app->stats_job = pt_job_start(PT_JOB_DATABASE_STATS, app->project, NULL);
    focus(app);
}

void pt_app_ask_delete(struct pt_app *app, const struct pt_record *record)
{
    /* The CLI's question (present/questions.c). */
    char *name = pt_app_keep_whole(record->name, false);
    char *question = pt_present_question(PT_OP_DELETE, name, record->pinned, 0, 0);
    free(name);
    char *kept = pt_xstrdup(record->name); /* the record may live in a pane's state */
    if (pt_app_confirm(app, question))
        pt_app_start(app, PT_JOB_DELETE, kept);
    free(kept);
    free(question);
}

void pt_app_set_pin(struct pt_app *app, const char *name, bool pinned)
{
    struct pt_error err = {0};
    /* name may live in a pane's state, which pt_app_changed() reloads. */
    char *kept = pt_xstrdup(name);
    if (pt_backup_pin(app->project, kept, pinned, NULL, &err) != PT_OK) {
        pt_app_message(app, PT_STYLE_ERROR, "%s", err.message);
    } else {
        char *said = pt_present_pinned(kept, pinned, pt_app_keep_whole);
        pt_app_message(app, PT_STYLE_OK, "%s", said);
        free(said);
    }
    pt_error_clear(&err);
    free(kept);
    pt_app_changed(app);
}

void pt_app_show(struct pt_app *app, const char *name)
{
    free(app->selected);
    app->selected = name ? pt_xstrdup(name) : NULL;
    app->pane = PT_PANE_DETAIL;
    focus(app);
}

void pt_app_start(struct pt_app *app, enum pt_job_kind kind, const char *id)
{
    pt_app_start_at(app, kind, id, 0);
}

void pt_app_start_at(struct pt_app *app, enum pt_job_kind kind, const char *id, int64_t at_ms)
{
    if (app->job) {
        pt_app_message(app, PT_STYLE_WARN, "%s", _("busy: wait for the work under way, or Esc"));
        return;
    }
    app->job = pt_job_start_at(kind, app->project, id, at_ms);
    app->job_phase = -1;
    if (!app->job)
        pt_app_message(app, PT_STYLE_ERROR, "%s", _("cannot start a worker thread"));
}

/* ---- drawing ---- */

static void draw_header(struct pt_app *app, int w)
{
    pt_ui_fill(stdscr, 0, 0, w, PT_STYLE_SELECTED);
    int x = pt_ui_text(stdscr, 0, 1, w - 2, "poshtiban", PT_STYLE_SELECTED, PT_ALIGN_LEFT) + 3;
    for (int i = 0; i < PT_N_PANES && x < w - 10; i++) {
        char *digit = pt_l10n_int(i + 1);
        char *tab = pt_xasprintf(" %s %s ", digit, _(panes[i]->title));
        free(digit);
        x += pt_ui_text(stdscr, 0, x, w - x, tab, i == app->pane ? PT_STYLE_KEY : PT_STYLE_SELECTED,
                        PT_ALIGN_LEFT);
        free(tab);
    }
    /* The project's path, cut at its start: its end names the project. */
    int room = w - x - 3;
    if (room > 10) {
        const char *root = app->project->root;
        const char *tail = root;
        while (*tail && (int)pt_text_width(tail) > room - 1)
            do
                tail++;
            while ((*tail & 0xc0) == 0x80);
        char *shown = pt_xasprintf("%s%s", tail == root ? "" : "…", tail);
        pt_ui_text(stdscr, 0, x + 2, room, shown, PT_STYLE_SELECTED, PT_ALIGN_RIGHT);
        free(shown);
    }
}

static bool movement(enum pt_action a)
{
    return a == PT_ACT_UP || a == PT_ACT_DOWN || a == PT_ACT_PAGE_UP || a == PT_ACT_PAGE_DOWN ||
           a == PT_ACT_HOME || a == PT_ACT_END;
}

static int footer_item(enum pt_action a, int y, int x, int w, bool draw)
{
    const char *key = pt_action_key(a), *name = pt_action_name(a);
    int need = (int)(pt_text_width(key) + pt_text_width(name)) + 2;
    if (!draw || x + need > w)
        return need;
    x += pt_ui_text(stdscr, y, x, w - x, key, PT_STYLE_KEY, PT_ALIGN_LEFT);
    pt_ui_text(stdscr, y, x + 1, w - x - 1, name, PT_STYLE_NORMAL, PT_ALIGN_LEFT);
    return need;
}

/*
 * The pane's keys that can act now, in the order of the pane's table (its
 * priority), as many as fit; then help and quit at the right. When some did
 * not fit, help says "? more".
 */
static void draw_footer(struct pt_app *app, int y, int w)
{
    pt_ui_fill(stdscr, y, 0, w, PT_STYLE_NORMAL);
    const struct pt_pane_ops *pane = panes[app->pane];
    void *state = app->state[app->pane];
    bool more = false;
    int global = 0;
    for (size_t i = 0; i < pt_n_global_actions; i++)
        global += footer_item(pt_global_actions[i], y, 0, w, false) + 1;
    /* "more" may be longer than "help": room for the longer. */
    int more_extra =
        (int)pt_text_width(_("more")) - (int)pt_text_width(pt_action_name(PT_ACT_HELP));
    global += more_extra > 0 ? more_extra : 0;
    int x = 0;
    for (const enum pt_action *a = pane->actions; *a != PT_ACT_NONE; a++) {
        if (movement(*a) || (pane->can && !pane->can(state, *a)))
            continue;
        int need = footer_item(*a, y, x, w, false);
        if (x + need > w - global) {
            more = true;
            break;
        }
        x += footer_item(*a, y, x, w - global, true) + 1;
    }
    x = w - global + 1;
    for (size_t i = 0; i < pt_n_global_actions; i++) {
        enum pt_action a = pt_global_actions[i];
        if (a == PT_ACT_HELP && more) {
            x += pt_ui_text(stdscr, y, x, w - x, pt_action_key(a), PT_STYLE_KEY, PT_ALIGN_LEFT);
            x +=
                pt_ui_text(stdscr, y, x + 1, w - x - 1, _("more"), PT_STYLE_NORMAL, PT_ALIGN_LEFT) +
                2;
            continue;
        }
        x += footer_item(a, y, x, w, true) + 1;
    }
}

struct help_line {
    const char *title;     /* a group's title, or NULL */
    enum pt_action action; /* PT_ACT_NONE with text */
    const char *key, *text;
};

static size_t help_group(struct help_line *out, size_t n, const char *title,
                         const enum pt_action *actions)
{
    out[n++] = (struct help_line){.title = title, .action = PT_ACT_NONE};
    for (const enum pt_action *a = actions; *a != PT_ACT_NONE; a++)
        if (!movement(*a))
            out[n++] = (struct help_line){.action = *a};
    return n;
}

/* The keys by pane, then those of every pane, in as many columns as the height needs. */
static void draw_help(int h, int w)
{
    static const enum pt_action everywhere[] = {
        PT_ACT_DASHBOARD, PT_ACT_LIST,    PT_ACT_DETAIL, PT_ACT_SETTINGS, PT_ACT_NEXT_PANE,
        PT_ACT_PREV_PANE, PT_ACT_REFRESH, PT_ACT_HELP,   PT_ACT_QUIT,     PT_ACT_NONE};
    static const enum pt_action moving[] = {PT_ACT_UP,        PT_ACT_DOWN, PT_ACT_PAGE_UP,
                                            PT_ACT_PAGE_DOWN, PT_ACT_HOME, PT_ACT_END,
                                            PT_ACT_NONE};
    struct help_line lines[2 * PT_ACT_COUNT + 16];
    size_t n = 0;
    for (int p = 0; p < PT_N_PANES; p++)
        n = help_group(lines, n, _(panes[p]->title), panes[p]->actions);
    n = help_group(lines, n, _("Every pane"), everywhere);
    lines[n++] = (struct help_line){.title = _("Moving"), .action = PT_ACT_NONE};
    for (const enum pt_action *a = moving; *a != PT_ACT_NONE; a++)
        lines[n++] = (struct help_line){.action = *a};
    lines[n++] = (struct help_line){
        .action = PT_ACT_NONE,
        .key = "Esc",
        .text = _("cancel the work under way; close a question or a prompt; clear the search")};
    int bw = w - 4, bh = h - 2, by = 1, bx = 2;
    for (int y = by; y < by + bh; y++)
        pt_ui_fill(stdscr, y, bx, bw, PT_STYLE_NORMAL);
    pt_ui_frame(stdscr, by, bx, bh, bw, _("Keys"));
    int rows = bh - 2;
    int cols = ((int)n + rows - 1) / rows;
    int colw = (bw - 2) / cols;
    for (size_t i = 0; i < n; i++) {
        int y = by + 1 + (int)i % rows, x = bx + 2 + ((int)i / rows) * colw;
        const struct help_line *l = &lines[i];
        if (l->title) {
            pt_ui_text(stdscr, y, x, colw - 1, l->title, PT_STYLE_TITLE, PT_ALIGN_LEFT);
            continue;
        }
        const char *key = l->key ? l->key : pt_action_key(l->action);
        int kw = (int)pt_text_width(key);
        pt_ui_text(stdscr, y, x + 1, kw, key, PT_STYLE_KEY, PT_ALIGN_LEFT);
        /* Narrow columns get the short names; wide ones the whole help line. */
        if (l->text)
            pt_ui_text(stdscr, y, x + kw + 2, colw - kw - 3, colw >= 40 ? l->text : _("cancel"),
                       PT_STYLE_NORMAL, PT_ALIGN_LEFT);
        else if (colw >= 40)
            pt_ui_textf(stdscr, y, x + kw + 2, colw - kw - 3, PT_STYLE_NORMAL, PT_ALIGN_LEFT,
                        "%s: %s", pt_action_name(l->action), pt_action_help(l->action));
        else
            pt_ui_text(stdscr, y, x + kw + 2, colw - kw - 3, pt_action_name(l->action),
                       PT_STYLE_NORMAL, PT_ALIGN_LEFT);
    }
    pt_ui_text(stdscr, by + bh - 1, bx + 2, bw - 4, _(" any key closes this "), PT_STYLE_DIM,
               PT_ALIGN_RIGHT);
}

static void draw_job(struct pt_app *app, int h, int w)
{
    struct pt_progress p = pt_job_progress(app->job);
    /* Each phase is measured on its own scale, from when it began. */
    int64_t now = monotonic_ms();
    if ((int)p.phase != app->job_phase) {
        app->job_phase = (int)p.phase;
        app->job_phase_ms = now;
    }
    int bw = w > 70 ? 64 : w - 4, bh = 7, by = (h - bh) / 2, bx = (w - bw) / 2;
    for (int y = by; y < by + bh; y++)
        pt_ui_fill(stdscr, y, bx, bw, PT_STYLE_NORMAL);
    char *title =
        pt_xasprintf(_("%s: %s"), pt_job_label(app->job, p.phase), pt_phase_label(p.phase));
    pt_ui_frame(stdscr, by, bx, bh, bw, title);
    free(title);
    double fraction = p.total > 0 ? (double)p.done / (double)p.total : 0;
    pt_ui_bar(stdscr, by + 2, bx + 2, bw - 4, fraction);
    /* The words and numbers of the CLI's progress line (present/progress-text.c). */
    struct pt_progress_text text;
    pt_present_progress(&p, now - app->job_phase_ms, &text);
    pt_ui_textf(stdscr, by + 3, bx + 2, bw - 4, PT_STYLE_NORMAL, PT_ALIGN_LEFT, "%s  %s",
                text.amount ? text.amount : "", text.rate ? text.rate : "");
    if (text.left)
        pt_ui_text(stdscr, by + 4, bx + 2, bw - 4, text.left, PT_STYLE_DIM, PT_ALIGN_LEFT);
    pt_present_progress_free(&text);
    pt_ui_text(stdscr, by + bh - 1, bx + 2, bw - 4,
               atomic_load(&app->job->cancel) ? _(" cancelling… ") : _(" Esc cancels "),
               PT_STYLE_DIM, PT_ALIGN_RIGHT);
}

static void draw(struct pt_app *app)
{
    int h, w;
    getmaxyx(stdscr, h, w);
    erase();
    if (h < MIN_ROWS || w < MIN_COLS) {
        char *need = pt_xasprintf("%dx%d", MIN_COLS, MIN_ROWS);
        char *now = pt_xasprintf("%dx%d", w, h);
        char *need_l = pt_l10n_digits(need), *now_l = pt_l10n_digits(now);
        pt_ui_textf(stdscr, h / 2, 0, w, PT_STYLE_WARN, PT_ALIGN_CENTER,
                    _("window too small: %s at least, now %s"), need_l, now_l);
        free(need_l);
        free(now_l);
        free(need);
        free(now);
        refresh();
        return;
    }
    draw_header(app, w);
    panes[app->pane]->draw(app->state[app->pane], app, stdscr, 1, 0, h - 3, w);
    pt_ui_fill(stdscr, h - 2, 0, w, PT_STYLE_NORMAL);
    /* A message lasts a few seconds, or until the next key. */
    if (app->message && monotonic_ms() - app->message_ms > MESSAGE_MS) {
        free(app->message);
        app->message = NULL;
    }
    if (app->message) {
        /* A long message (a restore that asks for migrate) takes the rows above, not its end. */
        char *rows[3];
        size_t n = pt_ui_wrap(app->message, w - 2, rows, 3);
        for (size_t i = 0; i < n; i++) {
            int y = h - 1 - (int)n + (int)i;
            pt_ui_fill(stdscr, y, 0, w, PT_STYLE_NORMAL);
            pt_ui_text(stdscr, y, 1, w - 2, rows[i], app->message_style, PT_ALIGN_LEFT);
            free(rows[i]);
        }
    }
    draw_footer(app, h - 1, w);
    if (app->help)
        draw_help(h, w);
    if (app->job)
        draw_job(app, h, w);
    refresh();
}

/* ---- dialogs ---- */

static int read_key(void)
{
    wint_t wc;
    int rc = get_wch(&wc);
    if (rc == ERR)
        return ERR;
    /* Characters beyond ASCII must not pass for curses' key codes (KEY_UP is 0403). */
    if (rc == OK && wc >= 0200)
        return (int)(wc | 0x40000000);
    return (int)wc;
}

bool pt_app_confirm(struct pt_app *app, const char *question)
{
    draw(app);
    int h, w;
    getmaxyx(stdscr, h, w);
    int bw = w - 8, bx = 4;
    char *lines[8];
    size_t n = pt_ui_wrap(question, bw - 4, lines, 8);
    int bh = (int)n + 4, by = (h - bh) / 2;
    for (int y = by; y < by + bh; y++)
        pt_ui_fill(stdscr, y, bx, bw, PT_STYLE_NORMAL);
    pt_ui_frame(stdscr, by, bx, bh, bw, _("Confirm"));
    for (size_t i = 0; i < n; i++) {
        pt_ui_text(stdscr, by + 2 + (int)i, bx + 2, bw - 4, lines[i], PT_STYLE_WARN, PT_ALIGN_LEFT);
        free(lines[i]);
    }
    pt_ui_text(stdscr, by + bh - 1, bx + 2, bw - 4, _(" y: yes   n, Esc: no "), PT_STYLE_DIM,
               PT_ALIGN_RIGHT);
    refresh();
    timeout(-1);
    int key;
    while ((key = read_key()) == KEY_RESIZE || key == ERR)
        ;
    return key == 'y' || key == 'Y';
}

char *pt_app_prompt(struct pt_app *app, const char *label, const char *initial)
{
    return pt_app_prompt_live(app, label, initial, NULL, NULL);
}

/* The characters typed so far, as the locale's multibyte text; a new string. */
static char *typed_text(const wchar_t *typed)
{
    size_t n = wcstombs(NULL, typed, 0);
    if (n == (size_t)-1)
        return pt_xstrdup("");
    char *text = pt_xcalloc(n + 1, 1);
    wcstombs(text, typed, n + 1);
    return text;
}

char *pt_app_prompt_live(struct pt_app *app, const char *label, const char *initial,
                         void (*changed)(const char *text, void *user), void *user)
{
    /* As long as the user types: the buffer grows with the text. */
    size_t len = mbstowcs(NULL, initial ? initial : "", 0);
    if (len == (size_t)-1)
        len = 0;
    size_t cap = len + 64;
    wchar_t *typed = pt_xcalloc(cap, sizeof(*typed));
    if (len > 0)
        mbstowcs(typed, initial, len + 1);
    typed[len] = L'\0';
    timeout(-1);
    curs_set(1);
    for (;;) {
        draw(app);
        int h, w;
        getmaxyx(stdscr, h, w);
        char *text = typed_text(typed);
        pt_ui_fill(stdscr, h - 2, 0, w, PT_STYLE_NORMAL);
        /* Why the last value was refused, whole, above the prompt that mends it. */
        if (app->message) {
            char *why[4];
            size_t n_why = pt_ui_wrap(app->message, w - 2, why, 4);
            for (size_t i = 0; i < n_why; i++) {
                int y = h - 2 - (int)n_why + (int)i;
                pt_ui_fill(stdscr, y, 0, w, PT_STYLE_NORMAL);
                pt_ui_text(stdscr, y, 1, w - 2, why[i], app->message_style, PT_ALIGN_LEFT);
                free(why[i]);
            }
        }
        int x = 1 + pt_ui_text(stdscr, h - 2, 1, w - 2, label, PT_STYLE_TITLE, PT_ALIGN_LEFT);
        x += 1 + pt_ui_text(stdscr, h - 2, x + 1, w - x - 2, text, PT_STYLE_NORMAL, PT_ALIGN_LEFT);
        pt_ui_move(h - 2, x < w - 1 ? x : w - 1);
        refresh();
        wint_t wc;
        int rc = get_wch(&wc);
        if (rc == OK && (wc == '\n' || wc == '\r')) {
            curs_set(0);
            free(typed);
            return text;
        }
        free(text);
        if (rc == ERR)
            continue;
        if (rc == OK && wc == KEY_ESC) {
            curs_set(0);
            free(typed);
            if (changed)
                changed(NULL, user);
            return NULL;
        }
        size_t before = len;
        if ((rc == KEY_CODE_YES && wc == KEY_BACKSPACE) || (rc == OK && (wc == 127 || wc == 8))) {
            if (len > 0)
                typed[--len] = L'\0';
        } else if (rc == OK && wc >= 32) {
            if (len + 1 >= cap) {
                cap *= 2;
                typed = pt_xrealloc(typed, cap * sizeof(*typed));
            }
            typed[len++] = (wchar_t)wc;
            typed[len] = L'\0';
        }
        if (changed && len != before) {
            char *now = typed_text(typed);
            changed(now, user);
            free(now);
        }
    }
}

/* ---- long work coming back ---- */

/*
 * Lines to read before a yes or no, in a box as large as the screen allows:
 * the arrows, PgUp, PgDn, Home and End scroll; y answers yes, n or Esc no.
 */
bool pt_app_review(struct pt_app *app, const char *title, char **lines, size_t n,
                   const char *question)
{
    int top = 0;
    timeout(-1);
    for (;;) {
        draw(app);
        int h, w;
        getmaxyx(stdscr, h, w);
        int bw = w - 4, bh = h - 2, by = 1, bx = 2;
        char *ask[3];
        size_t n_ask = pt_ui_wrap(question, bw - 4, ask, 3);
        int rows = bh - 4 - (int)n_ask;
        int most = (int)n - rows > 0 ? (int)n - rows : 0;
        top = top > most ? most : top < 0 ? 0 : top;
        for (int y = by; y < by + bh; y++)
            pt_ui_fill(stdscr, y, bx, bw, PT_STYLE_NORMAL);
        pt_ui_frame(stdscr, by, bx, bh, bw, title);
        for (int i = 0; i < rows && top + i < (int)n; i++)
            pt_ui_text(stdscr, by + 1 + i, bx + 2, bw - 4, lines[top + i],
                       i + top == 0 ? PT_STYLE_TITLE : PT_STYLE_NORMAL, PT_ALIGN_LEFT);
        if (most > 0) {
            char *from = pt_l10n_int(top + 1),
                 *to = pt_l10n_int(top + rows < (int)n ? top + rows : (int)n),
                 *all = pt_l10n_int((int64_t)n);
            pt_ui_textf(stdscr, by + bh - 3 - (int)n_ask, bx + 2, bw - 4, PT_STYLE_DIM,
                        PT_ALIGN_RIGHT, _("lines %s-%s of %s: ↑ ↓ PgUp PgDn scroll"), from, to,
                        all);
            free(from);
            free(to);
            free(all);
        }
        for (size_t i = 0; i < n_ask; i++) {
            pt_ui_text(stdscr, by + bh - 2 - (int)n_ask + (int)i, bx + 2, bw - 4, ask[i],
                       PT_STYLE_WARN, PT_ALIGN_LEFT);
            free(ask[i]);
        }
        pt_ui_text(stdscr, by + bh - 1, bx + 2, bw - 4, _(" y: yes   n, Esc: no "), PT_STYLE_DIM,
                   PT_ALIGN_RIGHT);
        refresh();
        int key = read_key();
        enum pt_action a = pt_action_for_key(key);
        if (key == 'y' || key == 'Y')
            return true;
        if (key == 'n' || key == 'N' || key == KEY_ESC || key == 'q')
            return false;
        if (a == PT_ACT_UP)
            top--;
        else if (a == PT_ACT_DOWN)
            top++;
        else if (a == PT_ACT_PAGE_UP)
            top -= rows - 1;
        else if (a == PT_ACT_PAGE_DOWN)
            top += rows - 1;
        else if (a == PT_ACT_HOME)
            top = 0;
        else if (a == PT_ACT_END)
            top = most;
    }
}

static void poll_jobs(struct pt_app *app)
{
    if (app->stats_job && atomic_load(&app->stats_job->finished)) {
        struct pt_job *job = app->stats_job;
        app->stats_job = NULL;
        pt_job_ops(job->kind)->done(app, job);
        pt_job_free(job);
    }
    if (app->job && atomic_load(&app->job->finished)) {
        struct pt_job *job = app->job;
        app->job = NULL;
        pt_job_ops(job->kind)->done(app, job);
        pt_job_free(job);
    }
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

/* An automatic backup due at start (the machine slept through it): ask to take it now. */
static void offer_overdue(struct pt_app *app)
{
    struct pt_schedule s;
    if (!pt_settings_bool(app->catalog, PT_KEY_AUTO_ENABLED) ||
        pt_schedule_read(app->catalog, app->project->now_ms, &s, NULL) != PT_OK || !s.due)
        return;
    char *reason = pt_schedule_reason(&s);
    char *question = pt_xasprintf(_("An automatic backup is due (%s). Take it now?"), reason);
    if (pt_app_confirm(app, question))
        pt_app_start(app, PT_JOB_AUTO, NULL);
    free(question);
    free(reason);
}

static void handle_key(struct pt_app *app, int key)
{
    if (app->job) {
        if (key == KEY_ESC) {
            atomic_store(&app->job->cancel, true);
        } else if (pt_action_for_key(key) == PT_ACT_QUIT &&
                   pt_app_confirm(app, _("Work is under way. Cancel it and quit?"))) {
            atomic_store(&app->job->cancel, true);
            app->quit = true;
        }
        return;
    }
    free(app->message);
    app->message = NULL;
    app->key = key;
    if (app->help) {
        app->help = false;
        return;
    }
    enum pt_action a = pt_action_for_key(key);
    if (a == PT_ACT_NONE)
        return;
    const struct pt_pane_ops *pane = panes[app->pane];
    if (pane->can && !pane->can(app->state[app->pane], a)) {
        pt_app_message(app, PT_STYLE_WARN, _("%s: choose a completed backup first"),
                       pt_action_name(a));
        return;
    }
    if (pane->handle(app->state[app->pane], app, a))
        return;
    switch (a) {
    case PT_ACT_QUIT:
        app->quit = true;
        break;
    case PT_ACT_HELP:
        app->help = true;
        break;
    case PT_ACT_DASHBOARD:
    case PT_ACT_LIST:
    case PT_ACT_DETAIL:
    case PT_ACT_SETTINGS:
        app->pane = a - PT_ACT_DASHBOARD;
        focus(app);
        break;
    case PT_ACT_NEXT_PANE:
    case PT_ACT_PREV_PANE:
        app->pane = (app->pane + (a == PT_ACT_NEXT_PANE ? 1 : PT_N_PANES - 1)) % PT_N_PANES;
        focus(app);
        break;
    case PT_ACT_REFRESH:
        pt_app_changed(app);
        break;
    default:
        break;
    }
}

/* Out of memory: the terminal is given back before the program ends. */
static void give_terminal_back(void)
{
    if (!isendwin())
        endwin();
}

int pt_tui_run(const struct pt_project *project, const struct pt_tui_options *opts)
{
    /* The TUI's "now" is read again before each frame and each key. */
    struct pt_project moment = *project;
    moment.now_ms = pt_clock_now_ms();
    struct pt_app app = {.project = &moment};
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
    open_catalog(&app);
    for (int i = 0; i < PT_N_PANES; i++)
        app.state[i] = panes[i]->init(&app);
    app.stats_job = pt_job_start(PT_JOB_DATABASE_STATS, app.project, NULL);
#ifdef PT_TEST_HOOKS
    const char *timing_path = pt_test_hooks()->tui_timing;
    timing = timing_path ? fopen(timing_path, "w") : NULL;
#endif
    focus(&app);
    if (opts->notice)
        pt_app_message(&app, PT_STYLE_ERROR, "%s", opts->notice);
    offer_overdue(&app);
    bool first = true, stats_logged = false;
    while (!app.quit) {
        moment.now_ms = pt_clock_now_ms();
        draw(&app);
        if (timing && first)
            fprintf(timing, "first_frame_wall_ms %lld\n", (long long)wall_ms());
        if (timing && !stats_logged && app.database_ready) {
            fprintf(timing, "database_ready_wall_ms %lld\n", (long long)wall_ms());
            stats_logged = true;
        }
        first = false;
        timeout(app.job || app.stats_job ? 100 : 1000);
        int key = read_key();
        if (key == ERR || key == KEY_RESIZE) {
            poll_jobs(&app);
            continue;
        }
        if (key == 3 && !app.job) /* Ctrl-C, raw mode */
            break;
        int64_t t0 = monotonic_ms();
        moment.now_ms = pt_clock_now_ms();
        handle_key(&app, key);
        poll_jobs(&app);
        if (timing) {
            struct timespec ts;
            draw(&app);
            clock_gettime(CLOCK_MONOTONIC, &ts);
            fprintf(timing, "key %d %.3f\n", key,
                    (double)ts.tv_sec * 1000 + ts.tv_nsec / 1e6 - (double)t0);
        }
    }
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
    if (app.job) {
        atomic_store(&app.job->cancel, true);
        pt_job_free(app.job);
    }
    pt_job_free(app.stats_job);
    for (int i = 0; i < PT_N_PANES; i++)
        panes[i]->destroy(app.state[i]);
    pt_database_stats_free(&app.database);
    pt_catalog_close(app.catalog);
    free(app.message);
    free(app.selected);
    return 0;
}
