/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_TERMINAL_H
#define POSHTIBAN_TUI_TERMINAL_H

#include <stdbool.h>

/*
 * True when terminfo knows the terminal of $TERM, so that the screen can
 * start. Asked apart from newterm, which leaks when it fails, and
 * initscr, which exits with a message of its own.
 */
bool pt_tui_terminal_known(void);

#endif
