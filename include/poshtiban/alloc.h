/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_ALLOC_H
#define POSHTIBAN_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Checked allocation for the core and both faces: on failure they give the
 * terminal back (pt_alloc_on_failure), say "poshtiban: out of memory" on
 * stderr and abort, so no caller goes on with NULL. A size of 0 is taken
 * as 1; pt_xstrdup(NULL) is NULL.
 */
void *pt_xmalloc(size_t size);
void *pt_xcalloc(size_t n, size_t size);
void *pt_xrealloc(void *ptr, size_t size);
char *pt_xstrdup(const char *s);
char *pt_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *pt_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Appends the formatted text to *s (NULL: empty), which it reallocates. */
void pt_xappendf(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ptr, which a function that allocates returned; out of memory when NULL. */
void *pt_xchecked(void *ptr);

/* What to undo before the program ends for want of memory (the TUI: endwin); NULL: nothing. */
void pt_alloc_on_failure(void (*give_back)(void));

#endif
