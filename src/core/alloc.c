// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p)
{
    if (!p) {
        fputs("poshtiban: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *pt_xmalloc(size_t size)
{
    return check(malloc(size ? size : 1));
}

void *pt_xcalloc(size_t n, size_t size)
{
    return check(calloc(n ? n : 1, size ? size : 1));
}

void *pt_xrealloc(void *ptr, size_t size)
{
    return check(realloc(ptr, size ? size : 1));
}

char *pt_xstrdup(const char *s)
{
    return s ? check(strdup(s)) : NULL;
}

char *pt_xasprintf(const char *fmt, ...)
{
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&out, fmt, ap) < 0)
        out = NULL;
    va_end(ap);
    return check(out);
}
