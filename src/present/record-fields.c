// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A record, once: its values (the JSON of show, list, create…), the fields
 * `show` prints and the Detail pane draws, rendered from those values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/stats.h"
#include "poshtiban/timefmt.h"

enum pt_tone pt_present_state_tone(enum pt_state status)
{
    switch (status) {
    case PT_STATE_COMPLETED:
        return PT_TONE_GOOD;
    case PT_STATE_FAILED:
    case PT_STATE_INTERRUPTED:
        return PT_TONE_BAD;
    default:
        return PT_TONE_WARN;
    }
}

struct pt_doc *pt_present_record_doc(const struct pt_record *r)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_number(doc, "id", PT_VALUE_COUNT, r->id);
    pt_doc_text(doc, "name", PT_VALUE_NAME, r->name)->tone = PT_TONE_TITLE;
    pt_doc_enum(doc, "kind", pt_kind_name(r->kind), pt_kind_label(r->kind));
    pt_doc_enum(doc, "status", pt_state_name(r->status), pt_state_label(r->status))->tone =
        pt_present_state_tone(r->status);
    pt_doc_text(doc, "format", PT_VALUE_TEXT, r->format);
    pt_doc_text(doc, "path", PT_VALUE_PATH, r->path);
    pt_doc_time_iso(doc, "created_at", r->created_at, PT_LOOK_WHEN);
    pt_doc_time_iso(doc, "started_at", r->started_at, PT_LOOK_WHEN);
    pt_doc_time_iso(doc, "finished_at", r->finished_at, PT_LOOK_WHEN);
    pt_doc_number(doc, "duration_ms", PT_VALUE_DURATION, r->duration_ms)->value.null = false;
    pt_doc_number(doc, "size_bytes", PT_VALUE_SIZE, r->size_bytes)->value.null = false;
    pt_doc_bool(doc, "include_media", r->include_media,
                r->include_media ? _("included") : _("not included"));
    pt_doc_bool(doc, "pinned", r->pinned, r->pinned ? _("yes: retention keeps it") : _("no"));
    char *message = pt_record_message(r);
    pt_doc_text(doc, "message", PT_VALUE_TEXT, message);
    free(message);
    pt_doc_text(doc, "message_code", PT_VALUE_TEXT, r->message_code);
    pt_doc_text(doc, "error", PT_VALUE_TEXT, r->error)->tone = PT_TONE_BAD;
    struct pt_doc *tables = pt_doc_object(doc, "tables");
    for (size_t i = 0; i < r->n_tables; i++)
        pt_doc_number(tables, r->tables[i].name, PT_VALUE_COUNT, r->tables[i].rows);
    pt_doc_time_iso(doc, "verified_at", r->verified_at, PT_LOOK_WHEN);
    if (r->verify_ok < 0)
        pt_doc_null(doc, "verify_ok");
    else
        pt_doc_bool(doc, "verify_ok", r->verify_ok, r->verify_ok ? _("ok") : _("DAMAGED"));
    if (r->offsite_snapshot || r->offsite_error) {
        struct pt_doc *o = pt_doc_object(doc, "offsite");
        pt_doc_text(o, "snapshot", PT_VALUE_TEXT, r->offsite_snapshot);
        pt_doc_time(o, "at", r->offsite_at_ms, PT_LOOK_MINUTE);
        pt_doc_text(o, "error", PT_VALUE_TEXT, r->offsite_error);
        pt_doc_number(o, "bytes_added", PT_VALUE_SIZE, r->offsite_bytes)->value.null = false;
        pt_doc_time(o, "checked_at", r->offsite_checked_ms, PT_LOOK_MINUTE);
    } else {
        pt_doc_null(doc, "offsite");
    }
    return doc;
}

json_t *pt_present_record_json(const struct pt_record *record)
{
    struct pt_doc *doc = pt_present_record_doc(record);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

struct list {
    struct pt_field *items;
    size_t n;
};

/* Takes value. */
static void add(struct list *l, const char *label, char *value, enum pt_tone tone,
                enum pt_value_kind kind)
{
    l->items = pt_xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
    l->items[l->n++] = (struct pt_field){label, value ? value : pt_xstrdup("-"), tone, kind};
}

/* The item key of doc as a field labelled label. */
static void add_key(struct list *l, const struct pt_doc *doc, const char *label, const char *key)
{
    const struct pt_item *item = pt_doc_get(doc, key);
    enum pt_value_kind kind = item ? item->value.kind : PT_VALUE_TEXT;
    /* The face keeps names and paths (their kind says which) whole its own way. */
    add(l, label, pt_render_key(doc, key, NULL), item ? item->tone : PT_TONE_PLAIN, kind);
}

/* "ok, Thursday 26 November 2026, 11:06 UTC", "DAMAGED, …" or "never": verify_ok, verified_at. */
static void add_verified(struct list *l, const struct pt_doc *doc, bool done)
{
    const struct pt_item *ok = pt_doc_get(doc, "verify_ok");
    if (!ok || ok->value.null) {
        add(l, _("Verified"), pt_xstrdup(_("never")), done ? PT_TONE_WARN : PT_TONE_PLAIN,
            PT_VALUE_TEXT);
        return;
    }
    char *word = pt_render_text(&ok->value, NULL);
    char *at = pt_render_key(doc, "verified_at", NULL);
    /* TRANSLATORS: "ok, Thursday 26 November 2026, 11:06 UTC": a verify's outcome and time. */
    add(l, _("Verified"), pt_xasprintf(_("%s, %s"), word, at),
        ok->value.number ? PT_TONE_GOOD : PT_TONE_BAD, PT_VALUE_TEXT);
    free(word);
    free(at);
}

/* offsite: its snapshot, when and how much the repository grew; or why not. */
static void add_offsite(struct list *l, const struct pt_doc *doc, const struct pt_record *r)
{
    char *value = NULL;
    enum pt_tone tone = PT_TONE_WARN;
    const struct pt_item *snapshot = pt_doc_get(doc, "offsite.snapshot");
    const struct pt_item *error = pt_doc_get(doc, "offsite.error");
    if (snapshot && !snapshot->value.null) {
        char *at = pt_render_key(doc, "offsite.at", NULL);
        char *grew = pt_render_key(doc, "offsite.bytes_added", NULL);
        value = pt_xasprintf(_("snapshot %s, %s UTC, the repository grew by %s"),
                             snapshot->value.raw, at, grew);
        tone = PT_TONE_GOOD;
        free(at);
        free(grew);
    } else if (error && !error->value.null) {
        value = pt_render_text(&error->value, NULL);
        tone = PT_TONE_BAD;
    } else if (r->status == PT_STATE_COMPLETED) {
        value = pt_xstrdup(_("no copy yet"));
    } else {
        return;
    }
    add(l, _("Off-site"), value, tone, PT_VALUE_TEXT);
    /* What the repository held when poshtiban last looked, not what it once sent. */
    add(l, _("Repository"),
        pt_stats_offsite_as_of(r->offsite_checked_ms > 0 ? r->offsite_checked_ms : -1, -1),
        PT_TONE_PLAIN, PT_VALUE_TEXT);
}

size_t pt_present_record(const struct pt_record *r, struct pt_field **fields)
{
    struct list l = {0};
    struct pt_doc *doc = pt_present_record_doc(r);
    /* A backup that did not complete has no folder and no media to speak of. */
    bool done = r->status == PT_STATE_COMPLETED;
    add_key(&l, doc, _("ID"), "id");
    add_key(&l, doc, _("Name"), "name");
    add_key(&l, doc, _("Status"), "status");
    add_key(&l, doc, _("Kind"), "kind");
    add_key(&l, doc, _("Format"), "format");
    if (done)
        add_key(&l, doc, _("Path"), "path");
    add_key(&l, doc, _("Created"), "created_at");
    add_key(&l, doc, _("Finished"), "finished_at");
    add_key(&l, doc, _("Duration"), "duration_ms");
    add_key(&l, doc, _("Size"), "size_bytes");
    if (done)
        add_key(&l, doc, _("Media"), "include_media");
    add_key(&l, doc, _("Pinned"), "pinned");
    add_verified(&l, doc, done);
    add_offsite(&l, doc, r);
    const struct pt_item *message = pt_doc_get(doc, "message");
    if (message && !message->value.null)
        add_key(&l, doc, _("Message"), "message");
    const struct pt_item *error = pt_doc_get(doc, "error");
    if (error && !error->value.null)
        add_key(&l, doc, _("Error"), "error");
    pt_doc_free(doc);
    *fields = l.items;
    return l.n;
}

void pt_present_fields_free(struct pt_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(fields[i].value);
    free(fields);
}
