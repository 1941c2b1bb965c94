/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_UI_H
#define POSHTIBAN_TUI_UI_H

#include <stdbool.h>
#include <stdint.h>

#include <curses.h>

#include "poshtiban/present.h"

/* What a piece of text means; the colour (or, without colour, the attribute) follows. */
enum pt_style {
    PT_STYLE_NORMAL,
    PT_STYLE_TITLE,
    PT_STYLE_DIM,
    PT_STYLE_OK,
    PT_STYLE_WARN,
    PT_STYLE_ERROR,
    PT_STYLE_SELECTED,
    PT_STYLE_BAR,
    PT_STYLE_KEY,
};

enum pt_align { PT_ALIGN_LEFT, PT_ALIGN_RIGHT, PT_ALIGN_CENTER };

/*
 * Sets up colours unless no_color (or the terminal has none), the mirrored
 * layout for a right-to-left language (rtl: every x is taken from the right
 * edge, alignments swap, bars fill from the right) and who reorders text
 * (app: poshtiban, with FriBidi, after fitting in logical order).
 */
void pt_ui_init(bool no_color, bool rtl, bool app_bidi);
/* Moves the cursor to y, x of the logical (left-to-right) layout. */
void pt_ui_move(int y, int x);
int pt_ui_attr(enum pt_style style);

/*
 * Every piece of text goes through here: fitted to width columns (cut with
 * "…"), aligned, drawn at y, x in style. Returns the columns drawn.
 */
int pt_ui_text(WINDOW *win, int y, int x, int width, const char *text, enum pt_style style,
               enum pt_align align);
/*
 * A name (path false) or a path kept whole inside a sentence the TUI shows:
 * isolated when the layout runs right to left. A new string; the shape of
 * pt_present_keep_fn.
 */
char *pt_ui_keep_whole(const char *text, bool path);
/* The style of a tone of present/ (a status good, bad or a warning). */
enum pt_style pt_ui_tone_style(enum pt_tone tone);
/* printf-style pt_ui_text. */
int pt_ui_textf(WINDOW *win, int y, int x, int width, enum pt_style style, enum pt_align align,
                const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/*
 * Cuts text into at most max lines of width columns at spaces, in logical
 * order (each line is then reordered on its own as it is drawn); a word
 * longer than a line is cut when drawn. Returns how many; the caller frees
 * each line.
 */
size_t pt_ui_wrap(const char *text, int width, char **lines, size_t max);
/* Fills a row segment with spaces in style. */
void pt_ui_fill(WINDOW *win, int y, int x, int width, enum pt_style style);
/* A frame with a title on its top border. */
void pt_ui_frame(WINDOW *win, int y, int x, int h, int w, const char *title);
/* A horizontal bar, fraction 0..1 of width filled. */
void pt_ui_bar(WINDOW *win, int y, int x, int width, double fraction);
/* One block character ▁…█ per value, scaled to the largest; failed[i] marks ✗.
 * The first value stands nearest the start of the line (the right, in rtl). */
void pt_ui_spark(WINDOW *win, int y, int x, int width, const int64_t *values, const bool *failed,
                 int n);

#endif
