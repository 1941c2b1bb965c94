// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/text.h"

#include <stdio.h>
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

/* Length of the UTF-8 sequence at s, or 0 when it is not well-formed. */
static size_t utf8_length(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0)
        return 0;
    unsigned long cp = n == 1 ? c : c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

bool pt_text_valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_length(p);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

static char *printable(const char *s, bool keep_lines)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    char *out = pt_xmalloc(len * 4 + 1), *o = out;
    while (*p) {
        size_t n = utf8_length(p);
        /* C0 controls, DEL, and C1 controls (U+0080..U+009F, which some terminals obey). */
        bool control = n == 0 || *p < 0x20 || *p == 0x7f || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);
        if (keep_lines && (*p == '\n' || *p == '\t'))
            control = false;
        if (control) {
            size_t bytes = n ? n : 1;
            for (size_t i = 0; i < bytes; i++)
                o += sprintf(o, "\\x%02x", p[i]);
            p += bytes;
        } else {
            memcpy(o, p, n);
            o += n;
            p += n;
        }
    }
    *o = '\0';
    return out;
}

char *pt_text_printable(const char *s)
{
    return printable(s, false);
}

char *pt_text_printable_lines(const char *s)
{
    return printable(s, true);
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

char *pt_text_redact_url(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strrchr(scheme + 3, '@') : NULL;
    if (!at)
        return pt_xstrdup(url);
    return pt_xasprintf("%.*s%s", (int)(scheme + 3 - url), url, at + 1);
}
