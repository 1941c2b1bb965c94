/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_BIDI_H
#define POSHTIBAN_BIDI_H

#include <stdbool.h>

/*
 * Who puts right-to-left text in display order (setting ui.bidi):
 * the terminal itself (Konsole, mlterm), poshtiban (everywhere else: VS Code
 * and Codespaces, xterm, Windows Terminal, tmux, VTE in explicit mode), or
 * nobody (not a terminal, or asked so).
 */
enum pt_bidi_mode { PT_BIDI_OFF, PT_BIDI_TERMINAL, PT_BIDI_APP };

/* ui.bidi ("auto", "app", "terminal", "off") for output that is or is not a terminal. */
enum pt_bidi_mode pt_bidi_resolve(const char *setting, bool tty);

/* text wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE; new string. */
char *pt_bidi_isolate(const char *text);

/*
 * One line in display order with GNU FriBidi: embedding levels (base right
 * to left when rtl, else from the first strong letter), Arabic-script joining
 * and shaping into presentation forms, reordering; then the BiDi controls,
 * joiners and fillers are stripped, so that a terminal that does no BiDi
 * shows it right. Cut lines to width before, in logical order. New string.
 */
char *pt_bidi_visual(const char *line, bool rtl);

#endif
