// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/text.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "fsutil.h"

/* Decodes one character at s: its length in bytes and its columns. */
static size_t next_char(const char *s, size_t left, size_t *cols)
{
    mbstate_t state;
    memset(&state, 0, sizeof(state));
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, left, &state);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        /* Undecodable here: one column for the lead byte and its continuation bytes. */
        size_t len = 1;
        while (len < left && ((unsigned char)s[len] & 0xc0) == 0x80)
            len++;
        *cols = 1;
        return len;
    }
    int w = wcwidth(wc);
    *cols = w > 0 ? (size_t)w : 0;
    return n;
}

size_t pt_text_width(const char *s)
{
    size_t width = 0, left = s ? strlen(s) : 0;
    while (left > 0) {
        size_t cols, n = next_char(s, left, &cols);
        width += cols;
        s += n;
        left -= n;
    }
    return width;
}

char *pt_text_fit(const char *s, size_t cols, int ellipsis)
{
    if (!s)
        s = "";
    if (pt_text_width(s) <= cols)
        return pt_xstrdup(s);
    size_t budget = ellipsis && cols > 0 ? cols - 1 : cols;
    size_t used = 0, bytes = 0, left = strlen(s);
    while (bytes < left) {
        size_t w, n = next_char(s + bytes, left - bytes, &w);
        if (used + w > budget)
            break;
        used += w;
        bytes += n;
    }
    char *out = pt_xmalloc(bytes + 4);
    memcpy(out, s, bytes);
    if (ellipsis && cols > 0) {
        memcpy(out + bytes, "\xe2\x80\xa6", 3);
        bytes += 3;
    }
    out[bytes] = '\0';
    return out;
}
