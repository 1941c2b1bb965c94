/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_ALLOC_H
#define POSHTIBAN_ALLOC_H

#include <stddef.h>

/*
 * Checked allocation for the core and both faces: on failure they say
 * "poshtiban: out of memory" on stderr and abort, so no caller goes on
 * with NULL. A size of 0 is taken as 1; pt_xstrdup(NULL) is NULL.
 */
void *pt_xmalloc(size_t size);
void *pt_xcalloc(size_t n, size_t size);
void *pt_xrealloc(void *ptr, size_t size);
char *pt_xstrdup(const char *s);
char *pt_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
