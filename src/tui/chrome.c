// SPDX-License-Identifier: GPL-3.0-or-later
#include "chrome.h"

#include <stdlib.h>
#include <time.h>

#include "poshtiban/alloc.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/text.h"

#include "jobs.h"
#include "tui.h"

#define MIN_COLS 80
#define MIN_ROWS 24

int64_t pt_chrome_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool pt_chrome_too_small(int h, int w)
{
    if (h >= MIN_ROWS && w >= MIN_COLS)
        return false;
    char *need = pt_xasprintf("%dx%d", MIN_COLS, MIN_ROWS);
    char *now = pt_xasprintf("%dx%d", w, h);
    char *need_l = pt_l10n_digits(need), *now_l = pt_l10n_digits(now);
    pt_ui_textf(stdscr, h / 2, 0, w, PT_STYLE_WARN, PT_ALIGN_CENTER,
                _("window too small: %s at least, now %s"), need_l, now_l);
    free(need_l);
    free(now_l);
    free(need);
    free(now);
    return true;
}

void pt_chrome_header(const struct pt_pane_ops *const *panes, int pane, const char *root, int w)
{
    pt_ui_fill(stdscr, 0, 0, w, PT_STYLE_SELECTED);
    int x = pt_ui_text(stdscr, 0, 1, w - 2, "poshtiban", PT_STYLE_SELECTED, PT_ALIGN_LEFT) + 3;
    for (int i = 0; i < PT_N_PANES && x < w - 10; i++) {
        char *digit = pt_l10n_int(i + 1);
        char *tab = pt_xasprintf(" %s %s ", digit, _(panes[i]->title));
        free(digit);
        x += pt_ui_text(stdscr, 0, x, w - x, tab, i == pane ? PT_STYLE_KEY : PT_STYLE_SELECTED,
                        PT_ALIGN_LEFT);
        free(tab);
    }
    /* The project's path, cut at its start: its end names the project. */
    int room = w - x - 3;
    if (room > 10) {
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

void pt_chrome_footer(const struct pt_pane_ops *pane, const struct pt_selection *sel, int y, int w)
{
    pt_ui_fill(stdscr, y, 0, w, PT_STYLE_NORMAL);
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
        if (pt_action_moves(*a) || !pt_action_can(*a, sel))
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
        if (!pt_action_moves(*a))
            out[n++] = (struct help_line){.action = *a};
    return n;
}

void pt_chrome_help(const struct pt_pane_ops *const *panes, int h, int w)
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

void pt_chrome_message(const char *message, enum pt_style style, int bottom, size_t most, int w)
{
    char **rows = pt_xcalloc(most + 1, sizeof(*rows));
    size_t n = pt_ui_wrap(message, w - 2, rows, most);
    for (size_t i = 0; i < n; i++) {
        int y = bottom - (int)n + (int)i;
        pt_ui_fill(stdscr, y, 0, w, PT_STYLE_NORMAL);
        pt_ui_text(stdscr, y, 1, w - 2, rows[i], style, PT_ALIGN_LEFT);
        free(rows[i]);
    }
    free(rows);
}

void pt_chrome_progress(struct pt_job *job, struct pt_progress_box *box, int h, int w)
{
    struct pt_progress p = pt_job_progress(job);
    /* Each phase is measured on its own scale, from when it began. */
    int64_t now = pt_chrome_monotonic_ms();
    if ((int)p.phase != box->phase) {
        box->phase = (int)p.phase;
        box->phase_ms = now;
    }
    int bw = w > 70 ? 64 : w - 4, bh = 7, by = (h - bh) / 2, bx = (w - bw) / 2;
    for (int y = by; y < by + bh; y++)
        pt_ui_fill(stdscr, y, bx, bw, PT_STYLE_NORMAL);
    char *title = pt_xasprintf(_("%s: %s"), pt_job_label(job, p.phase), pt_phase_label(p.phase));
    pt_ui_frame(stdscr, by, bx, bh, bw, title);
    free(title);
    double fraction = p.total > 0 ? (double)p.done / (double)p.total : 0;
    pt_ui_bar(stdscr, by + 2, bx + 2, bw - 4, fraction);
    /* The words and numbers of the CLI's progress line (present/progress-text.c). */
    struct pt_progress_text text;
    pt_present_progress(&p, now - box->phase_ms, &text);
    pt_ui_textf(stdscr, by + 3, bx + 2, bw - 4, PT_STYLE_NORMAL, PT_ALIGN_LEFT, "%s  %s",
                text.amount ? text.amount : "", text.rate ? text.rate : "");
    if (text.left)
        pt_ui_text(stdscr, by + 4, bx + 2, bw - 4, text.left, PT_STYLE_DIM, PT_ALIGN_LEFT);
    pt_present_progress_free(&text);
    pt_ui_text(stdscr, by + bh - 1, bx + 2, bw - 4,
               atomic_load(&job->cancel) ? _(" cancelling… ") : _(" Esc cancels "), PT_STYLE_DIM,
               PT_ALIGN_RIGHT);
}
