// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/fsutil.h"

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

/* The code point of the well-formed sequence of n bytes at s. */
static unsigned long code_point(const unsigned char *s, size_t n)
{
    unsigned long cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3f);
    return cp;
}

/*
 * Characters that take no column whatever the locale says: joiners and
 * non-joiners (the ZWNJ inside Persian words), direction marks, isolates
 * and embeddings, the BOM, and the Arabic-script vowel marks. A locale
 * without UTF-8 (no C.UTF-8 on the machine) would count each one.
 */
static bool zero_width(unsigned long c)
{
    return (c >= 0x0300 && c <= 0x036f) || (c >= 0x0610 && c <= 0x061a) || c == 0x061c ||
           (c >= 0x064b && c <= 0x065f) || c == 0x0670 || (c >= 0x06d6 && c <= 0x06dc) ||
           (c >= 0x06df && c <= 0x06e4) || c == 0x06e7 || c == 0x06e8 ||
           (c >= 0x06ea && c <= 0x06ed) || (c >= 0x200b && c <= 0x200f) ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0xfeff || (c >= 0xfe00 && c <= 0xfe0f);
}

/* Two columns where no UTF-8 locale can say: the East Asian wide blocks and emoji. */
static bool wide(unsigned long c)
{
    return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) ||
           (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
           (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
           (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
           (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd);
}

/* Decodes one character at s: its length in bytes and its columns. */
static size_t next_char(const char *s, size_t left, size_t *cols)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = utf8_length(p);
    if (n == 0 || n > left) {
        /* Not UTF-8: one column for the lead byte and its continuation bytes. */
        size_t len = 1;
        while (len < left && (p[len] & 0xc0) == 0x80)
            len++;
        *cols = 1;
        return len;
    }
    unsigned long c = code_point(p, n);
    if (c < 0x80) {
        *cols = c >= 0x20 && c != 0x7f ? 1 : 0;
        return 1;
    }
    if (zero_width(c)) {
        *cols = 0;
        return n;
    }
    int w = MB_CUR_MAX > 1 ? wcwidth((wchar_t)c) : -1;
    *cols = w >= 0 ? (size_t)w : wide(c) ? 2 : 1;
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

char *pt_text_vline(const char *fmt, va_list ap)
{
    char *text = pt_xvasprintf(fmt, ap);
    for (char *c = text; *c; c++)
        if (*c == '\n')
            *c = ' ';
    char *line = pt_text_printable(text);
    free(text);
    return line;
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
    /* *** says that a login is there, and shows neither it nor the password. */
    return pt_xasprintf("%.*s***%s", (int)(scheme + 3 - url), url, at);
}
