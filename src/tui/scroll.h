/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_SCROLL_H
#define POSHTIBAN_TUI_SCROLL_H

#include <stdbool.h>
#include <stdint.h>

#include "action.h"

/*
 * One scroll model for every list the TUI shows (the List, Detail,
 * Settings, the review box): count rows, page of them on screen from top,
 * and a cursor on one of them. A viewer (the review box) has no cursor:
 * the keys move the view itself.
 */
struct pt_scroll {
    int64_t cursor, top, count;
    int page;    /* rows on screen; set as the pane draws */
    bool viewer; /* no cursor: the keys scroll */
};

/*
 * Moves for UP, DOWN, PAGE_UP, PAGE_DOWN, HOME and END (a page moves the
 * cursor and the view together), then clamps; false for any other action.
 */
bool pt_scroll_key(struct pt_scroll *s, enum pt_action action);
/* Keeps the cursor on a row and the view on the cursor, within the rows. */
void pt_scroll_clamp(struct pt_scroll *s);
/* The view's last top: count less a page, or 0. */
int64_t pt_scroll_most(const struct pt_scroll *s);

#endif
