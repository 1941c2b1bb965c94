/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_ASK_H
#define POSHTIBAN_TUI_ASK_H

#include <stdbool.h>

#include "pane.h"
#include "reaction.h"

/*
 * The questions asked before acting, each filling a reaction's ask (and,
 * when there is nothing to do, its message instead). The words are
 * present/questions.c's where the CLI asks the same. The restore's
 * question follows its dry run: jobs.c asks it, through the same reaction.
 */

/* The action table's (pt_ask_fn): delete, prune, the cron line. */
bool pt_ask_delete(const struct pt_tui_context *ctx, const struct pt_selection *sel,
                   struct pt_reaction *out);
bool pt_ask_prune(const struct pt_tui_context *ctx, const struct pt_selection *sel,
                  struct pt_reaction *out);
bool pt_ask_cron(const struct pt_tui_context *ctx, const struct pt_selection *sel,
                 struct pt_reaction *out);
/* An automatic backup due at start (the machine slept through it): take it now? */
void pt_ask_overdue(const struct pt_tui_context *ctx, struct pt_reaction *out);
/* q while work is under way: cancel it and quit? */
void pt_ask_quit_during_work(struct pt_reaction *out);

#endif
