// SPDX-License-Identifier: GPL-3.0-or-later
/* Alone in its file: <term.h> defines every terminfo capability as a macro. */
#include "terminal.h"

#include <stdio.h>

#include <curses.h>
#include <term.h>

bool pt_tui_terminal_known(void)
{
    int error = 0;
    if (setupterm(NULL, fileno(stdout), &error) != OK)
        return false;
    del_curterm(cur_term);
    return true;
}
