// SPDX-License-Identifier: GPL-3.0-or-later
/* The CLI's allocators: out of memory ends the command, as it does in the core. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void *check(void *p)
{
    if (!p) {
        fputs("poshtiban: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *pt_cli_calloc(size_t n, size_t size)
{
    return check(calloc(n ? n : 1, size ? size : 1));
}

void *pt_cli_realloc(void *p, size_t size)
{
    return check(realloc(p, size ? size : 1));
}

char *pt_cli_strdup(const char *s)
{
    return check(strdup(s));
}

char *pt_cli_asprintf(const char *fmt, ...)
{
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&out, fmt, ap) < 0)
        out = NULL;
    va_end(ap);
    return check(out);
}
