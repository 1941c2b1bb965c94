// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/shquote.h"

#include <string.h>

#include "base/fsutil.h"

static bool plain(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("_@%+=:,./-", c)))
            return false;
    }
    return true;
}

char *pt_sh_quote_always(const char *s)
{
    size_t quotes = 0;
    for (const char *p = s; *p; p++)
        quotes += *p == '\'';
    char *out = pt_xmalloc(strlen(s) + quotes * 3 + 3);
    char *o = out;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

char *pt_sh_quote(const char *s)
{
    return plain(s) ? pt_xstrdup(s) : pt_sh_quote_always(s);
}
