// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/rowjson.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

#include "engine/rowjson-internal.h"

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

static void put_base64(struct pt_rowjson_buf *b, const void *data, int len)
{
    pt_rowjson_reserve(b, 4 * (((size_t)len + 2) / 3) + 3);
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
        pt_rowjson_put_text(b, (const unsigned char *)s, len, invalid_text);
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
    pt_rowjson_put_string(b, (const unsigned char *)iso, n, &invalid);
    free(iso);
    if (invalid) {
        /* jansson refused the date-time: the text as it is, repaired. */
        b->len = mark;
        pt_rowjson_put_text(b, (const unsigned char *)s, len, invalid_text);
    }
}

static int dump_cb(const char *data, size_t len, void *user)
{
    pt_rowjson_put(user, data, len);
    return 0;
}

enum pt_status pt_rowjson_value(struct pt_rowjson_buf *out, sqlite3_stmt *st, int i,
                                enum pt_value_kind kind, bool datetime_utc, bool *written,
                                int64_t *invalid_text, struct pt_error *err)
{
    *written = true;
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_NULL) {
        pt_rowjson_put(out, "null", 4);
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
                pt_rowjson_put(out, "true", 4);
            else
                pt_rowjson_put(out, "false", 5);
            return PT_OK;
        }
        break;
    case PT_VALUE_DECIMAL: {
        /* As a C string: jansson's json_string stops at a NUL, refuses what is not UTF-8. */
        const unsigned char *s = sqlite3_column_text(st, i);
        size_t len = s ? strlen((const char *)s) : 0;
        if (!s || !pt_rowjson_utf8_valid(s, len)) {
            *written = false;
            return PT_OK;
        }
        bool invalid = false;
        pt_rowjson_put_string(out, s, len, &invalid);
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
        pt_rowjson_put_int(out, sqlite3_column_int64(st, i));
        return PT_OK;
    }
    if (type == SQLITE_FLOAT) {
        double d = sqlite3_column_double(st, i);
        /* Infinity and NaN have no JSON number: keep SQLite's spelling. */
        if (isfinite(d))
            pt_rowjson_put_real(out, d);
        else
            pt_rowjson_put_text(out, sqlite3_column_text(st, i),
                                (size_t)sqlite3_column_bytes(st, i), invalid_text);
        return PT_OK;
    }
    pt_rowjson_put_text(out, sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i),
                        invalid_text);
    return PT_OK;
}

/* "key": as jansson writes it, NULL when jansson refuses the key (not UTF-8). */
static char *escaped_key(const char *key, size_t *len)
{
    size_t n = strlen(key);
    if (!pt_rowjson_utf8_valid((const unsigned char *)key, n))
        return NULL;
    struct pt_rowjson_buf b = {0};
    bool invalid = false;
    pt_rowjson_put_string(&b, (const unsigned char *)key, n, &invalid);
    pt_rowjson_put_char(&b, ':');
    pt_rowjson_put_char(&b, '\0');
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
    pt_rowjson_put_char(&head, '{');
    size_t model_len = strlen(t->model);
    rj->has_model = pt_rowjson_utf8_valid((const unsigned char *)t->model, model_len);
    if (rj->has_model) {
        bool invalid = false;
        pt_rowjson_put(&head, "\"model\":", 8);
        pt_rowjson_put_string(&head, (const unsigned char *)t->model, model_len, &invalid);
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
    pt_rowjson_put_char(out, '[');
    sqlite3_reset(m2m);
    sqlite3_bind_value(m2m, 1, sqlite3_column_value(st, pk_index));
    bool first = true;
    while (sqlite3_step(m2m) == SQLITE_ROW) {
        size_t mark = out->len;
        if (!first)
            pt_rowjson_put_char(out, ',');
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
    pt_rowjson_put_char(out, ']');
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
        pt_rowjson_put_int(out, sqlite3_column_int64(st, (int)t->n_columns));
        return PT_OK;
    }
    if (t->n_pk == 1)
        return pt_rowjson_value(out, st, t->pk[0], t->columns[t->pk[0]].kind, rj->utc, written,
                                invalid_text, err);
    pt_rowjson_put_char(out, '[');
    bool first = true;
    for (size_t i = 0; i < t->n_pk; i++) {
        size_t mark = out->len;
        if (!first)
            pt_rowjson_put_char(out, ',');
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
    pt_rowjson_put_char(out, ']');
    return PT_OK;
}

enum pt_status pt_rowjson_row(struct pt_rowjson *rj, sqlite3_stmt *st, sqlite3_stmt *const *m2m,
                              struct pt_rowjson_buf *out, int64_t *invalid_text,
                              struct pt_error *err)
{
    size_t start = out->len;
    pt_rowjson_put(out, rj->head, rj->head_len);
    bool any = rj->has_model;
    size_t mark = out->len;
    if (any)
        pt_rowjson_put_char(out, ',');
    pt_rowjson_put(out, "\"pk\":", 5);
    bool written;
    enum pt_status rc = put_pk(rj, st, out, &written, invalid_text, err);
    if (rc != PT_OK)
        goto fail;
    if (written)
        any = true;
    else
        out->len = mark;
    if (any)
        pt_rowjson_put_char(out, ',');
    pt_rowjson_put(out, "\"fields\":{", 10);
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
                pt_rowjson_put(&slot->value, rj->spare.data, rj->spare.len);
                slot->has = true;
            }
        } else {
            const struct slot *slot = &rj->slots[s->slot];
            mark = out->len;
            if (!first)
                pt_rowjson_put_char(out, ',');
            pt_rowjson_put(out, slot->key, slot->key_len);
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
                pt_rowjson_put_char(out, ',');
            pt_rowjson_put(out, slot->key, slot->key_len);
            pt_rowjson_put(out, slot->value.data, slot->value.len);
            first = false;
            slot->has = false;
        }
    pt_rowjson_put(out, "}}", 2);
    return PT_OK;
fail:
    out->len = start;
    for (size_t i = 0; i < rj->n_slots; i++)
        rj->slots[i].has = false;
    return rc;
}
