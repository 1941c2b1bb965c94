// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*give_back)(void);

void pt_alloc_on_failure(void (*fn)(void))
{
    give_back = fn;
}

void *pt_xchecked(void *p)
{
    if (!p) {
        if (give_back)
            give_back();
        fputs("poshtiban: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *pt_xmalloc(size_t size)
{
    return pt_xchecked(malloc(size ? size : 1));
}

void *pt_xcalloc(size_t n, size_t size)
{
    return pt_xchecked(calloc(n ? n : 1, size ? size : 1));
}

void *pt_xrealloc(void *ptr, size_t size)
{
    return pt_xchecked(realloc(ptr, size ? size : 1));
}

char *pt_xstrdup(const char *s)
{
    return s ? pt_xchecked(strdup(s)) : NULL;
}

char *pt_xvasprintf(const char *fmt, va_list ap)
{
    char *out = NULL;
    if (vasprintf(&out, fmt, ap) < 0)
        out = NULL;
    return pt_xchecked(out);
}

char *pt_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = pt_xvasprintf(fmt, ap);
    va_end(ap);
    return out;
}

void pt_xappendf(char **s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *add = pt_xvasprintf(fmt, ap);
    va_end(ap);
    char *joined = pt_xasprintf("%s%s", *s ? *s : "", add);
    free(add);
    free(*s);
    *s = joined;
}
