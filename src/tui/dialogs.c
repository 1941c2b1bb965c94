// SPDX-License-Identifier: GPL-3.0-or-later
#include "dialogs.h"

#include <stdlib.h>

#include <curses.h>

#include "poshtiban/alloc.h"
#include "poshtiban/l10n.h"

#include "action.h"
#include "chrome.h"
#include "tui.h"

void pt_dialog_ask(struct pt_dialog *d, struct pt_question *q, struct pt_reaction *yes)
{
    pt_dialog_close(d);
    d->kind = PT_DIALOG_QUESTION;
    d->question = q;
    d->yes = yes;
    d->scroll = (struct pt_scroll){.count = (int64_t)q->n_lines, .viewer = true};
}

void pt_dialog_prompt(struct pt_dialog *d, const char *label, const char *initial)
{
    pt_dialog_close(d);
    d->kind = PT_DIALOG_PROMPT;
    d->label = pt_xstrdup(label);
    size_t len = mbstowcs(NULL, initial ? initial : "", 0);
    if (len == (size_t)-1)
        len = 0;
    d->cap = len + 64;
    d->typed = pt_xcalloc(d->cap, sizeof(*d->typed));
    if (len > 0)
        mbstowcs(d->typed, initial, len + 1);
    d->typed[len] = L'\0';
    d->len = len;
}

void pt_dialog_help(struct pt_dialog *d)
{
    pt_dialog_close(d);
    d->kind = PT_DIALOG_HELP;
}

void pt_dialog_close(struct pt_dialog *d)
{
    pt_question_free(d->question);
    if (d->yes)
        pt_reaction_free(d->yes);
    free(d->yes);
    free(d->label);
    free(d->typed);
    *d = (struct pt_dialog){.kind = PT_DIALOG_NONE};
}

char *pt_dialog_text(const struct pt_dialog *d)
{
    size_t n = d->typed ? wcstombs(NULL, d->typed, 0) : (size_t)-1;
    if (n == (size_t)-1)
        return pt_xstrdup("");
    char *text = pt_xcalloc(n + 1, 1);
    wcstombs(text, d->typed, n + 1);
    return text;
}

/* A yes/no question in a box. */
static void draw_confirm(const struct pt_question *q, int h, int w)
{
    int bw = w - 8, bx = 4;
    char *lines[8];
    size_t n = pt_ui_wrap(q->text, bw - 4, lines, 8);
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
}

/* Lines to read before a yes or no, in a box as large as the screen allows. */
static void draw_review(struct pt_dialog *d, int h, int w)
{
    const struct pt_question *q = d->question;
    int bw = w - 4, bh = h - 2, by = 1, bx = 2;
    char *ask[3];
    size_t n_ask = pt_ui_wrap(q->text, bw - 4, ask, 3);
    int rows = bh - 4 - (int)n_ask;
    int n = (int)q->n_lines;
    d->scroll.page = rows;
    pt_scroll_clamp(&d->scroll);
    int top = (int)d->scroll.top;
    for (int y = by; y < by + bh; y++)
        pt_ui_fill(stdscr, y, bx, bw, PT_STYLE_NORMAL);
    pt_ui_frame(stdscr, by, bx, bh, bw, q->title);
    for (int i = 0; i < rows && top + i < n; i++)
        pt_ui_text(stdscr, by + 1 + i, bx + 2, bw - 4, q->lines[top + i],
                   i + top == 0 ? PT_STYLE_TITLE : PT_STYLE_NORMAL, PT_ALIGN_LEFT);
    if (pt_scroll_most(&d->scroll) > 0) {
        char *from = pt_l10n_int(top + 1), *to = pt_l10n_int(top + rows < n ? top + rows : n),
             *all = pt_l10n_int(n);
        pt_ui_textf(stdscr, by + bh - 3 - (int)n_ask, bx + 2, bw - 4, PT_STYLE_DIM, PT_ALIGN_RIGHT,
                    _("lines %s-%s of %s: ↑ ↓ PgUp PgDn scroll"), from, to, all);
        free(from);
        free(to);
        free(all);
    }
    for (size_t i = 0; i < n_ask; i++) {
        pt_ui_text(stdscr, by + bh - 2 - (int)n_ask + (int)i, bx + 2, bw - 4, ask[i], PT_STYLE_WARN,
                   PT_ALIGN_LEFT);
        free(ask[i]);
    }
    pt_ui_text(stdscr, by + bh - 1, bx + 2, bw - 4, _(" y: yes   n, Esc: no "), PT_STYLE_DIM,
               PT_ALIGN_RIGHT);
}

/* The prompt on the row above the footer; why the last value was refused, whole, above it. */
static void draw_prompt(const struct pt_dialog *d, int h, int w, const char *message,
                        enum pt_style style)
{
    char *text = pt_dialog_text(d);
    pt_ui_fill(stdscr, h - 2, 0, w, PT_STYLE_NORMAL);
    if (message)
        pt_chrome_message(message, style, h - 2, 4, w);
    int x = 1 + pt_ui_text(stdscr, h - 2, 1, w - 2, d->label, PT_STYLE_TITLE, PT_ALIGN_LEFT);
    x += 1 + pt_ui_text(stdscr, h - 2, x + 1, w - x - 2, text, PT_STYLE_NORMAL, PT_ALIGN_LEFT);
    pt_ui_move(h - 2, x < w - 1 ? x : w - 1);
    free(text);
}

void pt_dialog_draw(struct pt_dialog *d, int h, int w, const char *message, enum pt_style style)
{
    curs_set(d->kind == PT_DIALOG_PROMPT ? 1 : 0);
    if (d->kind == PT_DIALOG_QUESTION && d->question->title)
        draw_review(d, h, w);
    else if (d->kind == PT_DIALOG_QUESTION)
        draw_confirm(d->question, h, w);
    else if (d->kind == PT_DIALOG_PROMPT)
        draw_prompt(d, h, w, message, style);
}

static enum pt_answer prompt_key(struct pt_dialog *d, int key)
{
    if (key == '\n' || key == '\r' || key == KEY_ENTER)
        return PT_ANSWER_ENTER;
    if (key == PT_KEY_ESC)
        return PT_ANSWER_ESC;
    size_t before = d->len;
    if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        if (d->len > 0)
            d->typed[--d->len] = L'\0';
    } else if ((key & PT_KEY_CHAR) || (key >= 32 && key < 127)) {
        if (d->len + 1 >= d->cap) {
            d->cap *= 2;
            d->typed = pt_xrealloc(d->typed, d->cap * sizeof(*d->typed));
        }
        d->typed[d->len++] = (wchar_t)(key & ~PT_KEY_CHAR);
        d->typed[d->len] = L'\0';
    }
    return d->len != before ? PT_ANSWER_EDITED : PT_ANSWER_NONE;
}

enum pt_answer pt_dialog_key(struct pt_dialog *d, int key)
{
    switch (d->kind) {
    case PT_DIALOG_NONE:
        return PT_ANSWER_NONE;
    case PT_DIALOG_HELP:
        return PT_ANSWER_NO; /* any key closes it */
    case PT_DIALOG_PROMPT:
        return prompt_key(d, key);
    case PT_DIALOG_QUESTION:
        break;
    }
    if (key == 'y' || key == 'Y')
        return PT_ANSWER_YES;
    /* A yes/no box: any other key is no. A review scrolls; n, Esc or q say no. */
    if (!d->question->title || key == 'n' || key == 'N' || key == PT_KEY_ESC || key == 'q')
        return PT_ANSWER_NO;
    pt_scroll_key(&d->scroll, pt_action_for_key(key));
    return PT_ANSWER_NONE;
}
