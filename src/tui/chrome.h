/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_CHROME_H
#define POSHTIBAN_TUI_CHROME_H

#include <stdbool.h>
#include <stdint.h>

#include "pane.h"
#include "ui.h"
#include "worker.h"

/*
 * What frames the panes on stdscr: the header with the panes' tabs, the
 * footer with the keys that can act now, the help screen, the progress box
 * of long work and the message rows. Drawing only; the loop decides when.
 */

/* The monotonic clock, in ms: messages expire and phases are timed by it. */
int64_t pt_chrome_monotonic_ms(void);
/* Says so and returns true when the screen is smaller than 80x24. */
bool pt_chrome_too_small(int h, int w);
/* The top row: poshtiban, a tab per pane (pane is the current one), the project's path. */
void pt_chrome_header(const struct pt_pane_ops *const *panes, int pane, const char *root, int w);
/*
 * Row y: the pane's keys that can act on sel, in the order of the pane's
 * table (its priority), as many as fit; then help and quit at the right.
 * When some did not fit, help says "? more".
 */
void pt_chrome_footer(const struct pt_pane_ops *pane, const struct pt_selection *sel, int y, int w);
/* The keys by pane, then those of every pane, in as many columns as the height needs. */
void pt_chrome_help(const struct pt_pane_ops *const *panes, int h, int w);
/*
 * A message wrapped on up to most rows that end above row bottom (a long
 * one takes the rows above, not its end).
 */
void pt_chrome_message(const char *message, enum pt_style style, int bottom, size_t most, int w);

/* The phase the progress box last drew, and since when (monotonic ms). */
struct pt_progress_box {
    int phase;
    int64_t phase_ms;
};
/* The box of long work: its title and phase, a bar, amounts, rate, time left; Esc cancels. */
void pt_chrome_progress(struct pt_job *job, struct pt_progress_box *box, int h, int w);

#endif
