// SPDX-License-Identifier: GPL-3.0-or-later
#include "alloc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void out_of_memory(void)
{
    if (!isendwin())
        endwin();
    fputs("poshtiban: out of memory\n", stderr);
    abort();
}

void *pt_tui_checked(void *ptr)
{
    if (!ptr)
        out_of_memory();
    return ptr;
}

void *pt_tui_xcalloc(size_t n, size_t size)
{
    return pt_tui_checked(calloc(n ? n : 1, size ? size : 1));
}

void *pt_tui_xrealloc(void *ptr, size_t size)
{
    return pt_tui_checked(realloc(ptr, size ? size : 1));
}

char *pt_tui_xstrdup(const char *s)
{
    return pt_tui_checked(strdup(s ? s : ""));
}

char *pt_tui_xvasprintf(const char *fmt, va_list ap)
{
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        out_of_memory();
    return text;
}

char *pt_tui_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = pt_tui_xvasprintf(fmt, ap);
    va_end(ap);
    return text;
}
