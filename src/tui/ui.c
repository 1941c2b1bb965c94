// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/bidi.h"
#include "poshtiban/l10n.h"
#include "poshtiban/text.h"

static bool colors, mirror, reorder;

/* The screen column where a run of width columns logically at x starts. */
static int place(WINDOW *win, int x, int width)
{
    return mirror ? getmaxx(win) - x - width : x;
}

/* Any right-to-left letter (Hebrew, Arabic script and their presentation forms)? */
static bool has_rtl(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (p[0] >= 0xd6 && p[0] <= 0xdf)
            return true; /* U+0580..U+07FF */
        if (p[0] == 0xe0 && p[1] >= 0xa0 && p[1] <= 0xa3)
            return true; /* U+0800..U+08FF */
        if (p[0] == 0xef && p[1] >= 0xac && p[1] <= 0xbb)
            return true; /* U+FB00..U+FEFF */
        if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
            return true; /* isolates: only ever put around text inside a right-to-left line */
    }
    return false;
}

void pt_ui_move(int y, int x)
{
    move(y, mirror ? COLS - 1 - x : x);
}

void pt_ui_init(bool no_color, bool rtl, bool app_bidi)
{
    mirror = rtl;
    reorder = app_bidi;
    colors = !no_color && has_colors();
    if (!colors)
        return;
    start_color();
    use_default_colors();
    init_pair(PT_STYLE_TITLE, COLOR_CYAN, -1);
    init_pair(PT_STYLE_DIM, COLOR_BLUE, -1);
    init_pair(PT_STYLE_OK, COLOR_GREEN, -1);
    init_pair(PT_STYLE_WARN, COLOR_YELLOW, -1);
    init_pair(PT_STYLE_ERROR, COLOR_RED, -1);
    init_pair(PT_STYLE_SELECTED, COLOR_BLACK, COLOR_CYAN);
    init_pair(PT_STYLE_BAR, COLOR_GREEN, -1);
    init_pair(PT_STYLE_KEY, COLOR_BLACK, COLOR_WHITE);
}

int pt_ui_attr(enum pt_style style)
{
    if (colors) {
        int extra = style == PT_STYLE_TITLE || style == PT_STYLE_ERROR ? (int)A_BOLD : 0;
        return style == PT_STYLE_NORMAL ? (int)A_NORMAL : (int)COLOR_PAIR(style) | extra;
    }
    switch (style) {
    case PT_STYLE_TITLE:
    case PT_STYLE_ERROR:
    case PT_STYLE_WARN:
        return (int)A_BOLD;
    case PT_STYLE_SELECTED:
    case PT_STYLE_KEY:
        return (int)A_REVERSE;
    case PT_STYLE_DIM:
        return (int)A_DIM;
    default:
        return (int)A_NORMAL;
    }
}

int pt_ui_text(WINDOW *win, int y, int x, int width, const char *text, enum pt_style style,
               enum pt_align align)
{
    if (width <= 0)
        return 0;
    /* Cut in logical order, then put in display order: what is cut is the end. */
    char *fit = pt_text_fit(text ? text : "", (size_t)width, 1);
    if (reorder && has_rtl(fit)) {
        char *visual = pt_bidi_visual(fit, mirror);
        free(fit);
        fit = visual;
    }
    int used = (int)pt_text_width(fit);
    if (mirror && align != PT_ALIGN_CENTER)
        align = align == PT_ALIGN_LEFT ? PT_ALIGN_RIGHT : PT_ALIGN_LEFT;
    int start = place(win, x, width);
    int at = start;
    if (align == PT_ALIGN_RIGHT)
        at = start + width - used;
    else if (align == PT_ALIGN_CENTER)
        at = start + (width - used) / 2;
    wattron(win, pt_ui_attr(style));
    mvwaddstr(win, y, at, fit);
    wattroff(win, pt_ui_attr(style));
    free(fit);
    return used;
}

char *pt_ui_keep_whole(const char *text, bool path)
{
    (void)path; /* a path starts with a left-to-right letter: the first strong one decides */
    return pt_l10n_rtl() ? pt_xchecked(pt_bidi_isolate(text)) : pt_xstrdup(text);
}

enum pt_style pt_ui_tone_style(enum pt_tone tone)
{
    static const enum pt_style styles[] = {
        [PT_TONE_PLAIN] = PT_STYLE_NORMAL, [PT_TONE_TITLE] = PT_STYLE_TITLE,
        [PT_TONE_GOOD] = PT_STYLE_OK,      [PT_TONE_WARN] = PT_STYLE_WARN,
        [PT_TONE_BAD] = PT_STYLE_ERROR,
    };
    return tone <= PT_TONE_BAD ? styles[tone] : PT_STYLE_NORMAL;
}

int pt_ui_textf(WINDOW *win, int y, int x, int width, enum pt_style style, enum pt_align align,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = pt_xvasprintf(fmt, ap);
    va_end(ap);
    int used = pt_ui_text(win, y, x, width, text, style, align);
    free(text);
    return used;
}

size_t pt_ui_wrap(const char *text, int width, char **lines, size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (*p && n < max) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        /* The longest run of words that fits; a single word too long is cut by the drawing. */
        const char *end = p, *fit = NULL;
        for (;;) {
            const char *next = strchr(end, ' ');
            if (!next)
                next = end + strlen(end);
            char *candidate = strndup(p, (size_t)(next - p));
            bool fits = candidate && (int)pt_text_width(candidate) <= width;
            free(candidate);
            if (!fits)
                break;
            fit = next;
            if (!*next)
                break;
            end = next + 1;
        }
        if (!fit)
            fit = strchr(p, ' ') ? strchr(p, ' ') : p + strlen(p);
        lines[n++] = strndup(p, (size_t)(fit - p));
        p = fit;
    }
    return n;
}

void pt_ui_fill(WINDOW *win, int y, int x, int width, enum pt_style style)
{
    wattron(win, pt_ui_attr(style));
    mvwhline(win, y, place(win, x, width), ' ', width);
    wattroff(win, pt_ui_attr(style));
}

void pt_ui_frame(WINDOW *win, int y, int lx, int h, int w, const char *title)
{
    if (h < 2 || w < 2)
        return;
    int x = place(win, lx, w);
    mvwhline(win, y, x + 1, ACS_HLINE, w - 2);
    mvwhline(win, y + h - 1, x + 1, ACS_HLINE, w - 2);
    mvwvline(win, y + 1, x, ACS_VLINE, h - 2);
    mvwvline(win, y + 1, x + w - 1, ACS_VLINE, h - 2);
    mvwaddch(win, y, x, ACS_ULCORNER);
    mvwaddch(win, y, x + w - 1, ACS_URCORNER);
    mvwaddch(win, y + h - 1, x, ACS_LLCORNER);
    mvwaddch(win, y + h - 1, x + w - 1, ACS_LRCORNER);
    if (title && *title) {
        char *padded = pt_xasprintf(" %s ", title);
        pt_ui_text(win, y, lx + 2, w - 4, padded, PT_STYLE_TITLE, PT_ALIGN_LEFT);
        free(padded);
    }
}

void pt_ui_bar(WINDOW *win, int y, int x, int width, double fraction)
{
    if (fraction < 0)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    int full = (int)(fraction * width + 0.5);
    int start = place(win, x, width);
    /* The filled part grows from where lines start: the left, or the right in rtl. */
    int filled_at = mirror ? start + width - full : start;
    wattron(win, pt_ui_attr(PT_STYLE_DIM));
    for (int i = 0; i < width; i++)
        mvwaddstr(win, y, start + i, "·");
    wattroff(win, pt_ui_attr(PT_STYLE_DIM));
    wattron(win, pt_ui_attr(PT_STYLE_BAR) | A_REVERSE);
    mvwhline(win, y, filled_at, ' ', full);
    wattroff(win, pt_ui_attr(PT_STYLE_BAR) | A_REVERSE);
}

void pt_ui_spark(WINDOW *win, int y, int x, int width, const int64_t *values, const bool *failed,
                 int n)
{
    static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    int64_t top = 1;
    for (int i = 0; i < n; i++)
        top = values[i] > top ? values[i] : top;
    for (int i = 0; i < n && i < width; i++) {
        if (failed[i]) {
            pt_ui_text(win, y, x + i, 1, "✗", PT_STYLE_ERROR, PT_ALIGN_LEFT);
            continue;
        }
        int level = (int)(values[i] * 7 / top);
        pt_ui_text(win, y, x + i, 1,
                   blocks[level < 0   ? 0
                          : level > 7 ? 7
                                      : level],
                   PT_STYLE_OK, PT_ALIGN_LEFT);
    }
}
