// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * One model, two renderers (README, "Development"): typed values with their
 * raw data, written as text in the chosen language or as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"

struct pt_doc *pt_doc_new(bool array)
{
    struct pt_doc *doc = pt_xcalloc(1, sizeof(*doc));
    doc->array = array;
    return doc;
}

static void value_free(struct pt_value *v)
{
    free(v->raw);
    pt_doc_free(v->doc);
}

void pt_doc_free(struct pt_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n; i++)
        value_free(&doc->items[i].value);
    free(doc->items);
    free(doc);
}

static struct pt_item *add(struct pt_doc *doc, const char *key, enum pt_value_kind kind)
{
    doc->items = pt_xrealloc(doc->items, (doc->n + 1) * sizeof(*doc->items));
    struct pt_item *item = &doc->items[doc->n++];
    *item = (struct pt_item){.key = doc->array ? NULL : key, .value = {.kind = kind}};
    return item;
}

struct pt_item *pt_doc_text(struct pt_doc *doc, const char *key, enum pt_value_kind kind,
                            const char *text)
{
    struct pt_item *item = add(doc, key, kind);
    item->value.null = !text;
    item->value.raw = text ? pt_xstrdup(text) : NULL;
    return item;
}

struct pt_item *pt_doc_number(struct pt_doc *doc, const char *key, enum pt_value_kind kind,
                              int64_t number)
{
    struct pt_item *item = add(doc, key, kind);
    item->value.number = number;
    item->value.null = number < 0 && kind != PT_VALUE_COUNT;
    return item;
}

struct pt_item *pt_doc_time(struct pt_doc *doc, const char *key, int64_t ms, enum pt_look look)
{
    struct pt_item *item = add(doc, key, PT_VALUE_TIME);
    item->value.number = ms;
    item->value.null = ms <= 0;
    item->value.look = look;
    return item;
}

struct pt_item *pt_doc_time_iso(struct pt_doc *doc, const char *key, const char *iso,
                                enum pt_look look)
{
    int64_t ms = 0;
    struct pt_item *item = add(doc, key, PT_VALUE_TIME);
    item->value.null = !iso;
    item->value.raw = iso ? pt_xstrdup(iso) : NULL;
    if (iso && pt_time_parse_iso(iso, &ms))
        item->value.number = ms;
    item->value.look = look;
    return item;
}

struct pt_item *pt_doc_enum(struct pt_doc *doc, const char *key, const char *raw, const char *label)
{
    struct pt_item *item = pt_doc_text(doc, key, PT_VALUE_ENUM, raw);
    item->value.label = label;
    return item;
}

struct pt_item *pt_doc_bool(struct pt_doc *doc, const char *key, bool value, const char *label)
{
    struct pt_item *item = add(doc, key, PT_VALUE_BOOL);
    item->value.number = value;
    item->value.label = label;
    return item;
}

struct pt_item *pt_doc_null(struct pt_doc *doc, const char *key)
{
    struct pt_item *item = add(doc, key, PT_VALUE_TEXT);
    item->value.null = true;
    return item;
}

static struct pt_doc *nested(struct pt_doc *doc, const char *key, bool array)
{
    struct pt_item *item = add(doc, key, array ? PT_VALUE_ARRAY : PT_VALUE_OBJECT);
    item->value.doc = pt_doc_new(array);
    return item->value.doc;
}

struct pt_doc *pt_doc_object(struct pt_doc *doc, const char *key)
{
    return nested(doc, key, false);
}

struct pt_doc *pt_doc_array(struct pt_doc *doc, const char *key)
{
    return nested(doc, key, true);
}

const struct pt_item *pt_doc_get(const struct pt_doc *doc, const char *key)
{
    const char *dot = strchr(key, '.');
    size_t len = dot ? (size_t)(dot - key) : strlen(key);
    for (size_t i = 0; doc && i < doc->n; i++) {
        const struct pt_item *item = &doc->items[i];
        if (!item->key || strlen(item->key) != len || strncmp(item->key, key, len) != 0)
            continue;
        if (!dot)
            return item;
        return item->value.doc && !item->value.null ? pt_doc_get(item->value.doc, dot + 1) : NULL;
    }
    return NULL;
}

/* "Thursday 26 November 2026, 11:06 UTC", in the calendar and digits of the language. */
static char *when(int64_t ms)
{
    char *day = pt_l10n_date(ms, PT_DATE_LONG);
    char *at = pt_l10n_date(ms, PT_DATE_TIME);
    const char *space = strrchr(at, ' ');
    char *text = pt_xasprintf(_("%s, %s UTC"), day, space ? space + 1 : at);
    free(day);
    free(at);
    return text;
}

static char *time_text(const struct pt_value *v)
{
    int64_t ms = v->number;
    if (v->raw && !pt_time_parse_iso(v->raw, &ms))
        return pt_xstrdup("-");
    switch (v->look) {
    case PT_LOOK_SECOND:
        return pt_l10n_date(ms, PT_DATE_SECONDS);
    case PT_LOOK_DATE:
        return pt_l10n_date(ms, PT_DATE_SHORT);
    case PT_LOOK_WHEN:
        return when(ms);
    case PT_LOOK_MINUTE:
        break;
    }
    return pt_l10n_date(ms, PT_DATE_TIME);
}

char *pt_render_text(const struct pt_value *v, pt_present_keep_fn keep)
{
    char buf[96];
    if (!v || v->null)
        return pt_xstrdup("-");
    switch (v->kind) {
    case PT_VALUE_TEXT:
        return pt_xstrdup(v->raw ? v->raw : "");
    case PT_VALUE_NAME:
    case PT_VALUE_PATH: {
        char *printable = pt_text_printable(v->raw ? v->raw : "");
        if (!keep)
            return printable;
        char *kept = keep(printable, v->kind == PT_VALUE_PATH);
        free(printable);
        return kept;
    }
    case PT_VALUE_COUNT:
        return pt_l10n_int(v->number);
    case PT_VALUE_SIZE:
        pt_l10n_size(v->number, buf, sizeof(buf));
        return pt_xstrdup(buf);
    case PT_VALUE_DURATION:
        pt_l10n_duration(v->number, buf, sizeof(buf));
        return pt_xstrdup(buf);
    case PT_VALUE_AGE:
        pt_l10n_age(v->number, buf, sizeof(buf));
        return pt_xstrdup(buf);
    case PT_VALUE_TIME:
        return time_text(v);
    case PT_VALUE_ENUM:
        return pt_xstrdup(v->label ? v->label : v->raw ? v->raw : "");
    case PT_VALUE_BOOL:
        return pt_xstrdup(v->label ? v->label : v->number ? _("yes") : _("no"));
    case PT_VALUE_OBJECT:
    case PT_VALUE_ARRAY:
        break;
    }
    return pt_xstrdup("-");
}

char *pt_render_key(const struct pt_doc *doc, const char *key, pt_present_keep_fn keep)
{
    const struct pt_item *item = pt_doc_get(doc, key);
    return pt_render_text(item ? &item->value : NULL, keep);
}

static json_t *value_json(const struct pt_value *v)
{
    char iso[32];
    if (v->null)
        return json_null();
    switch (v->kind) {
    case PT_VALUE_TEXT:
    case PT_VALUE_NAME:
    case PT_VALUE_PATH:
    case PT_VALUE_ENUM:
        return json_string(v->raw ? v->raw : "");
    case PT_VALUE_COUNT:
    case PT_VALUE_SIZE:
    case PT_VALUE_DURATION:
    case PT_VALUE_AGE:
        return json_integer((json_int_t)v->number);
    case PT_VALUE_TIME:
        if (v->raw)
            return json_string(v->raw);
        pt_time_iso(v->number, iso);
        return json_string(iso);
    case PT_VALUE_BOOL:
        return json_boolean(v->number);
    case PT_VALUE_OBJECT:
    case PT_VALUE_ARRAY:
        return pt_render_json(v->doc);
    }
    return json_null();
}

json_t *pt_render_json(const struct pt_doc *doc)
{
    json_t *out = doc->array ? json_array() : json_object();
    for (size_t i = 0; i < doc->n; i++) {
        const struct pt_item *item = &doc->items[i];
        if (doc->array)
            json_array_append_new(out, value_json(&item->value));
        else if (item->key)
            json_object_set_new(out, item->key, value_json(&item->value));
    }
    return out;
}
