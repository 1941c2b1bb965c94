/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_ALLOC_H
#define POSHTIBAN_TUI_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

/*
 * The TUI's allocators: they never return NULL. Out of memory, the terminal
 * is given back first, then the program ends with one line on stderr.
 */
void *pt_tui_xcalloc(size_t n, size_t size);
void *pt_tui_xrealloc(void *ptr, size_t size);
/* A copy of s ("" for NULL). */
char *pt_tui_xstrdup(const char *s);
/* printf into a new string. */
char *pt_tui_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *pt_tui_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* ptr, which a function that allocates returned; out of memory when NULL. */
void *pt_tui_checked(void *ptr);

#endif
