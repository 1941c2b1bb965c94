// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A JSON column's text rewritten compact in one pass, with no JSON objects
 * in between: the bytes jansson's json_loadb(JSON_DECODE_ANY |
 * JSON_ALLOW_NUL) and json_dumpb(JSON_COMPACT | JSON_ENCODE_ANY) give for
 * it. Only what is plainly the same is done here; anything else (a key set
 * twice, a NUL in a key, deep nesting, a real out of range, any error) is
 * left to jansson, which then decides, so the output never differs.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rowjson-internal.h"

#define DEPTH_MAX 32 /* deeper: jansson's turn */
#define KEYS_MAX 64  /* an object of more keys: jansson's turn (the check for twice is n²) */
#define NUMBER_MAX 64

struct scan {
    const unsigned char *p, *end;
    struct pt_rowjson_buf *out;
    struct pt_rowjson_buf text; /* a string's decoded bytes */
    bool invalid;               /* never set: what is decoded is UTF-8 */
};

/* jansson's whitespace: space, tab, newline, carriage return; nothing else. */
static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void put_utf8(struct pt_rowjson_buf *b, unsigned cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xc0 | cp >> 6), u[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xe0 | cp >> 12), u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        u[0] = (unsigned char)(0xf0 | cp >> 18), u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)),
        u[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    pt_rowjson_put(b, u, n);
}

/*
 * The string at s->p (its opening quote), decoded into s->text as jansson
 * decodes it: UTF-8 checked, no raw byte below 0x20, the escapes \" \\ \/
 * \b \f \n \r \t and \uXXXX (a surrogate only in a pair). False on anything else.
 */
static bool string(struct scan *s)
{
    s->p++;
    s->text.len = 0;
    const unsigned char *run = s->p;
    for (;;) {
        if (s->p >= s->end)
            return false;
        unsigned char c = *s->p;
        if (c == '"' || c == '\\') {
            pt_rowjson_put(&s->text, run, (size_t)(s->p - run));
            if (c == '"') {
                s->p++;
                return true;
            }
            if (s->end - s->p < 2)
                return false;
            unsigned char e = s->p[1];
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e && simple) {
                static const char decoded[] = "\"\\/\b\f\n\r\t";
                pt_rowjson_put(&s->text, &decoded[simple - "\"\\/bfnrt"], 1);
                s->p += 2;
            } else if (e == 'u') {
                if (s->end - s->p < 6)
                    return false;
                int cp = hex4(s->p + 2);
                if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
                    return false;
                s->p += 6;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
                        return false;
                    int low = hex4(s->p + 2);
                    if (low < 0xdc00 || low > 0xdfff)
                        return false;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                    s->p += 6;
                }
                put_utf8(&s->text, (unsigned)cp);
            } else {
                return false;
            }
            run = s->p;
        } else if (c < 0x20) {
            return false;
        } else if (c < 0x80) {
            s->p++;
        } else {
            size_t n = pt_rowjson_utf8_sequence(s->p, (size_t)(s->end - s->p));
            if (n == 0)
                return false;
            s->p += n;
        }
    }
}

/* The number at s->p as jansson reads and writes it: an integer in range, or a finite real. */
static bool number(struct scan *s)
{
    const unsigned char *start = s->p;
    bool real = false;
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p >= s->end)
        return false;
    if (*s->p == '0') {
        s->p++;
        if (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            return false;
    } else if (*s->p >= '1' && *s->p <= '9') {
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
    } else {
        return false;
    }
    if (s->p < s->end && *s->p == '.') {
        real = true;
        s->p++;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9')
            return false;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        real = true;
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9')
            return false;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
    }
    size_t len = (size_t)(s->p - start);
    if (len >= NUMBER_MAX)
        return false;
    char tmp[NUMBER_MAX];
    memcpy(tmp, start, len);
    tmp[len] = '\0';
    errno = 0;
    if (!real) {
        long long v = strtoll(tmp, NULL, 10);
        if (errno == ERANGE)
            return false;
        pt_rowjson_put_int(s->out, v);
        return true;
    }
    double d = strtod(tmp, NULL);
    if (!isfinite(d))
        return false;
    pt_rowjson_put_real(s->out, d);
    return true;
}

static bool literal(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return false;
    s->p += n;
    pt_rowjson_put(s->out, word, n);
    return true;
}

static bool value(struct scan *s, int depth);

/* Takes c (and the blanks after it) when it is next, writing it; false when it is not. */
static bool take(struct scan *s, char c)
{
    if (s->p >= s->end || *s->p != (unsigned char)c)
        return false;
    s->p++;
    pt_rowjson_put(s->out, &c, 1);
    skip_ws(s);
    return true;
}

/*
 * After a member: 1 when a "," leads to the next, 0 when close ends the
 * container, -1 when anything else comes (jansson's turn).
 */
static int next_member(struct scan *s, char close)
{
    skip_ws(s);
    return take(s, ',') ? 1 : take(s, close) ? 0 : -1;
}

/* An object's members; false when a key comes twice or holds a NUL (jansson's turn). */
static bool object(struct scan *s, int depth)
{
    struct {
        size_t at, len;
    } keys[KEYS_MAX];
    size_t n = 0;
    take(s, '{');
    if (take(s, '}'))
        return true;
    for (;;) {
        if (s->p >= s->end || *s->p != '"' || n == KEYS_MAX || !string(s) ||
            (s->text.len && memchr(s->text.data, '\0', s->text.len)))
            return false;
        size_t at = s->out->len;
        pt_rowjson_put_string(s->out, (const unsigned char *)s->text.data, s->text.len,
                              &s->invalid);
        size_t len = s->out->len - at;
        for (size_t i = 0; i < n; i++)
            if (keys[i].len == len &&
                memcmp(s->out->data + keys[i].at, s->out->data + at, len) == 0)
                return false;
        keys[n].at = at, keys[n].len = len, n++;
        skip_ws(s);
        if (!take(s, ':') || !value(s, depth + 1))
            return false;
        int next = next_member(s, '}');
        if (next <= 0)
            return next == 0;
    }
}

static bool array(struct scan *s, int depth)
{
    take(s, '[');
    if (take(s, ']'))
        return true;
    for (;;) {
        if (!value(s, depth + 1))
            return false;
        int next = next_member(s, ']');
        if (next <= 0)
            return next == 0;
    }
}

static bool value(struct scan *s, int depth)
{
    if (s->p >= s->end || depth > DEPTH_MAX)
        return false;
    switch (*s->p) {
    case '{':
        return object(s, depth);
    case '[':
        return array(s, depth);
    case '"':
        if (!string(s))
            return false;
        pt_rowjson_put_string(s->out, (const unsigned char *)s->text.data, s->text.len,
                              &s->invalid);
        return true;
    case 't':
        return literal(s, "true");
    case 'f':
        return literal(s, "false");
    case 'n':
        return literal(s, "null");
    default:
        return number(s);
    }
}

bool pt_rowjson_json(struct pt_rowjson_buf *out, const char *text, size_t len)
{
    struct scan s = {
        (const unsigned char *)text, (const unsigned char *)text + len, out, {0}, false};
    size_t mark = out->len;
    skip_ws(&s);
    bool ok = value(&s, 0);
    skip_ws(&s);
    ok = ok && s.p == s.end;
    free(s.text.data);
    if (!ok)
        out->len = mark;
    return ok;
}
