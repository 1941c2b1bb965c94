// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/rowjson.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

#include "engine/rowjson-internal.h"

/* Text is escaped this many input bytes at a time, each of which may become 6. */
#define TEXT_STEP 65536

struct source {
    int column; /* into the row's columns, or -1 for an m2m list */
    size_t m2m;
    int slot; /* -1: jansson refuses the key, the value is made and dropped */
};

struct slot {
    char *key; /* "key": escaped */
    size_t key_len;
    struct pt_rowjson_buf value; /* the last value set (for keys set twice) */
    bool has;
};

struct pt_rowjson {
    const struct pt_table *t;
    bool utc;
    char *head; /* {"model":"…" or { */
    size_t head_len;
    bool has_model;
    struct source *sources;
    size_t n_sources;
    struct slot *slots;
    size_t n_slots;
    bool simple;                 /* each slot has one source: values go straight out */
    struct pt_rowjson_buf spare; /* for values whose key is refused */
};

static void reserve(struct pt_rowjson_buf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < more)
        cap *= 2;
    b->data = pt_xrealloc(b->data, cap);
    b->cap = cap;
}

static void put(struct pt_rowjson_buf *b, const void *data, size_t len)
{
    reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

static void put_char(struct pt_rowjson_buf *b, char c)
{
    reserve(b, 1);
    b->data[b->len++] = c;
}

/* The length of the UTF-8 sequence at s as jansson accepts it; 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t left)
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

static bool utf8_valid(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_sequence(s + i, len - i);
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
static void put_string(struct pt_rowjson_buf *b, const unsigned char *s, size_t len, bool *invalid)
{
    static const char hex[] = "0123456789ABCDEF";
    put_char(b, '"');
    size_t i = 0;
    while (i < len) {
        size_t stop = len - i < TEXT_STEP ? len : i + TEXT_STEP;
        reserve(b, (stop - i) * 6 + 8);
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
                size_t n = utf8_sequence(s + i, len - i);
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
    put_char(b, '"');
}

/* Text counted in *invalid_text when it was not UTF-8. */
static void put_text(struct pt_rowjson_buf *b, const unsigned char *s, size_t len,
                     int64_t *invalid_text)
{
    bool invalid = false;
    put_string(b, s, len, &invalid);
    if (invalid)
        (*invalid_text)++;
}

static void put_int(struct pt_rowjson_buf *b, int64_t v)
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
    put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* A finite double as jansson's jsonp_dtostr writes it at its default precision (17). */
static void put_real(struct pt_rowjson_buf *b, double d)
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
    put(b, tmp, length);
}

static void put_base64(struct pt_rowjson_buf *b, const void *data, int len)
{
    reserve(b, 4 * (((size_t)len + 2) / 3) + 3);
    b->data[b->len++] = '"';
    int n = EVP_EncodeBlock((unsigned char *)b->data + b->len, data, len);
    b->len += (size_t)n;
    b->data[b->len++] = '"';
}

/* Django keeps date-times as "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC when USE_TZ). */
static void put_datetime(struct pt_rowjson_buf *b, const char *s, size_t len, bool utc,
                         int64_t *invalid_text)
{
    bool naive = len >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') &&
                 s[13] == ':' && s[16] == ':';
    for (size_t i = 19; naive && i < len; i++)
        naive = (i == 19 && s[i] == '.') || (i > 19 && s[i] >= '0' && s[i] <= '9');
    if (!naive && !(len >= 19 && s[10] == ' ')) {
        put_text(b, (const unsigned char *)s, len, invalid_text);
        return;
    }
    char *iso = pt_xmalloc(len + 2);
    memcpy(iso, s, len);
    iso[10] = 'T';
    size_t n = len;
    if (naive && utc)
        iso[n++] = 'Z';
    size_t mark = b->len;
    bool invalid = false;
    put_string(b, (const unsigned char *)iso, n, &invalid);
    free(iso);
    if (invalid) {
        /* jansson refused the date-time: the text as it is, repaired. */
        b->len = mark;
        put_text(b, (const unsigned char *)s, len, invalid_text);
    }
}

static int dump_cb(const char *data, size_t len, void *user)
{
    put(user, data, len);
    return 0;
}

enum pt_status pt_rowjson_value(struct pt_rowjson_buf *out, sqlite3_stmt *st, int i,
                                enum pt_value_kind kind, bool datetime_utc, bool *written,
                                int64_t *invalid_text, struct pt_error *err)
{
    *written = true;
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_NULL) {
        put(out, "null", 4);
        return PT_OK;
    }
    if (type == SQLITE_BLOB) {
        put_base64(out, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
        return PT_OK;
    }
    switch (kind) {
    case PT_VALUE_BOOL:
        if (type == SQLITE_INTEGER) {
            if (sqlite3_column_int64(st, i) != 0)
                put(out, "true", 4);
            else
                put(out, "false", 5);
            return PT_OK;
        }
        break;
    case PT_VALUE_DECIMAL: {
        /* As a C string: jansson's json_string stops at a NUL, refuses what is not UTF-8. */
        const unsigned char *s = sqlite3_column_text(st, i);
        size_t len = s ? strlen((const char *)s) : 0;
        if (!s || !utf8_valid(s, len)) {
            *written = false;
            return PT_OK;
        }
        bool invalid = false;
        put_string(out, s, len, &invalid);
        return PT_OK;
    }
    case PT_VALUE_DATETIME:
        if (type == SQLITE_TEXT) {
            put_datetime(out, (const char *)sqlite3_column_text(st, i),
                         (size_t)sqlite3_column_bytes(st, i), datetime_utc, invalid_text);
            return PT_OK;
        }
        break;
    case PT_VALUE_JSON:
        if (type == SQLITE_TEXT) {
            const char *text = (const char *)sqlite3_column_text(st, i);
            size_t len = (size_t)sqlite3_column_bytes(st, i);
            if (pt_rowjson_json(out, text, len))
                return PT_OK;
            json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            if (j) {
                size_t mark = out->len;
                int failed = json_dump_callback(j, dump_cb, out, JSON_COMPACT | JSON_ENCODE_ANY);
                json_decref(j);
                if (failed) {
                    out->len = mark;
                    return pt_error_set(err, PT_EFAIL, _("cannot encode a row as JSON"));
                }
                return PT_OK;
            }
        }
        break;
    case PT_VALUE_PLAIN:
        break;
    }
    if (type == SQLITE_INTEGER) {
        put_int(out, sqlite3_column_int64(st, i));
        return PT_OK;
    }
    if (type == SQLITE_FLOAT) {
        double d = sqlite3_column_double(st, i);
        /* Infinity and NaN have no JSON number: keep SQLite's spelling. */
        if (isfinite(d))
            put_real(out, d);
        else
            put_text(out, sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i),
                     invalid_text);
        return PT_OK;
    }
    put_text(out, sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i), invalid_text);
    return PT_OK;
}

/* "key": as jansson writes it, NULL when jansson refuses the key (not UTF-8). */
static char *escaped_key(const char *key, size_t *len)
{
    size_t n = strlen(key);
    if (!utf8_valid((const unsigned char *)key, n))
        return NULL;
    struct pt_rowjson_buf b = {0};
    bool invalid = false;
    put_string(&b, (const unsigned char *)key, n, &invalid);
    put_char(&b, ':');
    put_char(&b, '\0');
    *len = b.len - 1;
    return b.data;
}

static void add_source(struct pt_rowjson *rj, const char *field, int column, size_t m2m)
{
    struct source *s = &rj->sources[rj->n_sources++];
    s->column = column;
    s->m2m = m2m;
    s->slot = -1;
    size_t len = 0;
    char *key = escaped_key(field, &len);
    if (!key) {
        rj->simple = false;
        return;
    }
    for (size_t i = 0; i < rj->n_slots; i++)
        if (rj->slots[i].key_len == len && memcmp(rj->slots[i].key, key, len) == 0) {
            s->slot = (int)i;
            rj->simple = false;
            free(key);
            return;
        }
    s->slot = (int)rj->n_slots;
    rj->slots[rj->n_slots].key = key;
    rj->slots[rj->n_slots].key_len = len;
    rj->n_slots++;
}

struct pt_rowjson *pt_rowjson_new(const struct pt_table *t, bool datetime_utc)
{
    struct pt_rowjson *rj = pt_xcalloc(1, sizeof(*rj));
    rj->t = t;
    rj->utc = datetime_utc;
    rj->simple = true;
    struct pt_rowjson_buf head = {0};
    put_char(&head, '{');
    size_t model_len = strlen(t->model);
    rj->has_model = utf8_valid((const unsigned char *)t->model, model_len);
    if (rj->has_model) {
        bool invalid = false;
        put(&head, "\"model\":", 8);
        put_string(&head, (const unsigned char *)t->model, model_len, &invalid);
    }
    rj->head = head.data;
    rj->head_len = head.len;
    size_t n = t->n_columns + t->n_m2m;
    rj->sources = pt_xcalloc(n + 1, sizeof(*rj->sources));
    rj->slots = pt_xcalloc(n + 1, sizeof(*rj->slots));
    for (size_t i = 0; i < t->n_columns; i++)
        if (!(t->n_pk == 1 && (int)i == t->pk[0]))
            add_source(rj, t->columns[i].field, (int)i, 0);
    for (size_t i = 0; i < t->n_m2m; i++)
        add_source(rj, t->m2m[i].field, -1, i);
    return rj;
}

void pt_rowjson_free(struct pt_rowjson *rj)
{
    if (!rj)
        return;
    for (size_t i = 0; i < rj->n_slots; i++) {
        free(rj->slots[i].key);
        free(rj->slots[i].value.data);
    }
    free(rj->slots);
    free(rj->sources);
    free(rj->head);
    free(rj->spare.data);
    free(rj);
}

static enum pt_status put_m2m(struct pt_rowjson *rj, sqlite3_stmt *st, int pk_index,
                              sqlite3_stmt *m2m, struct pt_rowjson_buf *out, int64_t *invalid_text,
                              struct pt_error *err)
{
    put_char(out, '[');
    sqlite3_reset(m2m);
    sqlite3_bind_value(m2m, 1, sqlite3_column_value(st, pk_index));
    bool first = true;
    while (sqlite3_step(m2m) == SQLITE_ROW) {
        size_t mark = out->len;
        if (!first)
            put_char(out, ',');
        bool written;
        enum pt_status rc =
            pt_rowjson_value(out, m2m, 0, PT_VALUE_PLAIN, rj->utc, &written, invalid_text, err);
        if (rc != PT_OK)
            return rc;
        if (written)
            first = false;
        else
            out->len = mark;
    }
    put_char(out, ']');
    return PT_OK;
}

static enum pt_status put_source(struct pt_rowjson *rj, const struct source *s, sqlite3_stmt *st,
                                 sqlite3_stmt *const *m2m, struct pt_rowjson_buf *out,
                                 bool *written, int64_t *invalid_text, struct pt_error *err)
{
    const struct pt_table *t = rj->t;
    if (s->column >= 0)
        return pt_rowjson_value(out, st, s->column, t->columns[s->column].kind, rj->utc, written,
                                invalid_text, err);
    *written = true;
    int pk_index = t->rowid ? (int)t->n_columns : t->pk[0];
    return put_m2m(rj, st, pk_index, m2m[s->m2m], out, invalid_text, err);
}

static enum pt_status put_pk(struct pt_rowjson *rj, sqlite3_stmt *st, struct pt_rowjson_buf *out,
                             bool *written, int64_t *invalid_text, struct pt_error *err)
{
    const struct pt_table *t = rj->t;
    *written = true;
    if (t->rowid) {
        put_int(out, sqlite3_column_int64(st, (int)t->n_columns));
        return PT_OK;
    }
    if (t->n_pk == 1)
        return pt_rowjson_value(out, st, t->pk[0], t->columns[t->pk[0]].kind, rj->utc, written,
                                invalid_text, err);
    put_char(out, '[');
    bool first = true;
    for (size_t i = 0; i < t->n_pk; i++) {
        size_t mark = out->len;
        if (!first)
            put_char(out, ',');
        bool one;
        enum pt_status rc = pt_rowjson_value(out, st, t->pk[i], t->columns[t->pk[i]].kind, rj->utc,
                                             &one, invalid_text, err);
        if (rc != PT_OK)
            return rc;
        if (one)
            first = false;
        else
            out->len = mark;
    }
    put_char(out, ']');
    return PT_OK;
}

enum pt_status pt_rowjson_row(struct pt_rowjson *rj, sqlite3_stmt *st, sqlite3_stmt *const *m2m,
                              struct pt_rowjson_buf *out, int64_t *invalid_text,
                              struct pt_error *err)
{
    size_t start = out->len;
    put(out, rj->head, rj->head_len);
    bool any = rj->has_model;
    size_t mark = out->len;
    if (any)
        put_char(out, ',');
    put(out, "\"pk\":", 5);
    bool written;
    enum pt_status rc = put_pk(rj, st, out, &written, invalid_text, err);
    if (rc != PT_OK)
        goto fail;
    if (written)
        any = true;
    else
        out->len = mark;
    if (any)
        put_char(out, ',');
    put(out, "\"fields\":{", 10);
    bool first = true;
    for (size_t i = 0; i < rj->n_sources; i++) {
        const struct source *s = &rj->sources[i];
        if (s->slot < 0) {
            rj->spare.len = 0;
            rc = put_source(rj, s, st, m2m, &rj->spare, &written, invalid_text, err);
        } else if (!rj->simple) {
            struct slot *slot = &rj->slots[s->slot];
            rj->spare.len = 0;
            rc = put_source(rj, s, st, m2m, &rj->spare, &written, invalid_text, err);
            if (written) {
                slot->value.len = 0;
                put(&slot->value, rj->spare.data, rj->spare.len);
                slot->has = true;
            }
        } else {
            const struct slot *slot = &rj->slots[s->slot];
            mark = out->len;
            if (!first)
                put_char(out, ',');
            put(out, slot->key, slot->key_len);
            rc = put_source(rj, s, st, m2m, out, &written, invalid_text, err);
            if (written)
                first = false;
            else
                out->len = mark;
        }
        if (rc != PT_OK)
            goto fail;
    }
    if (!rj->simple)
        for (size_t i = 0; i < rj->n_slots; i++) {
            struct slot *slot = &rj->slots[i];
            if (!slot->has)
                continue;
            if (!first)
                put_char(out, ',');
            put(out, slot->key, slot->key_len);
            put(out, slot->value.data, slot->value.len);
            first = false;
            slot->has = false;
        }
    put(out, "}}", 2);
    return PT_OK;
fail:
    out->len = start;
    for (size_t i = 0; i < rj->n_slots; i++)
        rj->slots[i].has = false;
    return rc;
}

void pt_rowjson_put(struct pt_rowjson_buf *b, const void *data, size_t len)
{
    if (len)
        put(b, data, len);
}

void pt_rowjson_put_int(struct pt_rowjson_buf *b, int64_t v)
{
    put_int(b, v);
}

void pt_rowjson_put_real(struct pt_rowjson_buf *b, double d)
{
    put_real(b, d);
}

void pt_rowjson_put_string(struct pt_rowjson_buf *b, const unsigned char *s, size_t len)
{
    bool invalid = false;
    put_string(b, s, len, &invalid);
}

size_t pt_rowjson_utf8_sequence(const unsigned char *s, size_t left)
{
    return utf8_sequence(s, left);
}
