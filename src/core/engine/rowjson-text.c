// SPDX-License-Identifier: GPL-3.0-or-later
/* One JSON value at a time, written as jansson's dump writes it (engine/rowjson-internal.h). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"

#include "engine/rowjson-internal.h"

/* Text is escaped this many input bytes at a time, each of which may become 6. */
#define TEXT_STEP 65536

void pt_rowjson_reserve(struct pt_rowjson_buf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < more)
        cap *= 2;
    b->data = pt_xrealloc(b->data, cap);
    b->cap = cap;
}

void pt_rowjson_put(struct pt_rowjson_buf *b, const void *data, size_t len)
{
    if (len == 0)
        return;
    pt_rowjson_reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

void pt_rowjson_put_char(struct pt_rowjson_buf *b, char c)
{
    pt_rowjson_reserve(b, 1);
    b->data[b->len++] = c;
}

/* The length of the UTF-8 sequence at s as jansson accepts it; 0 when it is not one. */
size_t pt_rowjson_utf8_sequence(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t len;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (left < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

bool pt_rowjson_utf8_valid(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = pt_rowjson_utf8_sequence(s + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/*
 * A JSON string as jansson's dump_string writes it; each byte that is not
 * part of UTF-8 becomes U+FFFD (as the fixture writer repaired text before
 * jansson saw it), and *invalid says whether one was.
 */
void pt_rowjson_put_string(struct pt_rowjson_buf *b, const unsigned char *s, size_t len,
                           bool *invalid)
{
    static const char hex[] = "0123456789ABCDEF";
    pt_rowjson_put_char(b, '"');
    size_t i = 0;
    while (i < len) {
        size_t stop = len - i < TEXT_STEP ? len : i + TEXT_STEP;
        pt_rowjson_reserve(b, (stop - i) * 6 + 8);
        unsigned char *o = (unsigned char *)b->data + b->len;
        while (i < stop) {
            unsigned char c = s[i];
            if (c >= 0x20 && c < 0x80) {
                if (c == '"' || c == '\\')
                    *o++ = '\\';
                *o++ = c;
                i++;
            } else if (c < 0x20) {
                *o++ = '\\';
                switch (c) {
                case '\b':
                    *o++ = 'b';
                    break;
                case '\f':
                    *o++ = 'f';
                    break;
                case '\n':
                    *o++ = 'n';
                    break;
                case '\r':
                    *o++ = 'r';
                    break;
                case '\t':
                    *o++ = 't';
                    break;
                default:
                    memcpy(o, "u00", 3);
                    o[3] = (unsigned char)hex[c >> 4];
                    o[4] = (unsigned char)hex[c & 0xf];
                    o += 5;
                }
                i++;
            } else {
                size_t n = pt_rowjson_utf8_sequence(s + i, len - i);
                if (n == 0) {
                    memcpy(o, "\xef\xbf\xbd", 3);
                    o += 3;
                    i++;
                    *invalid = true;
                } else {
                    memcpy(o, s + i, n);
                    o += n;
                    i += n;
                }
            }
        }
        b->len = (size_t)((char *)o - b->data);
    }
    pt_rowjson_put_char(b, '"');
}

/* Text counted in *invalid_text when it was not UTF-8. */
void pt_rowjson_put_text(struct pt_rowjson_buf *b, const unsigned char *s, size_t len,
                         int64_t *invalid_text)
{
    bool invalid = false;
    pt_rowjson_put_string(b, s, len, &invalid);
    if (invalid)
        (*invalid_text)++;
}

void pt_rowjson_put_int(struct pt_rowjson_buf *b, int64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof(tmp);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    pt_rowjson_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* A finite double as jansson's jsonp_dtostr writes it at its default precision (17). */
void pt_rowjson_put_real(struct pt_rowjson_buf *b, double d)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof(tmp) - 3, "%.17g", d);
    if (n < 0 || (size_t)n >= sizeof(tmp) - 3)
        n = 0;
    size_t length = (size_t)n;
    tmp[length] = '\0';
    const char *point = localeconv()->decimal_point;
    if (*point != '.') {
        char *pos = strchr(tmp, *point);
        if (pos)
            *pos = '.';
    }
    if (!strchr(tmp, '.') && !strchr(tmp, 'e')) {
        memcpy(tmp + length, ".0", 3);
        length += 2;
    }
    char *start = strchr(tmp, 'e');
    if (start) {
        start++;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, length - (size_t)(end - tmp));
            length -= (size_t)(end - start);
        }
    }
    pt_rowjson_put(b, tmp, length);
}
