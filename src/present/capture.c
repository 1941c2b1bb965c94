// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A capture's result, once (docs/cli.md, "capture"): capture --json, the
 * change set of auto --json, and each line of watch --json.
 */
#include "poshtiban/present.h"

/* The point's kind: null when nothing was stored. */
static void add_kind(struct pt_doc *doc, const struct pt_capture_result *r, bool stored)
{
    if (stored)
        pt_doc_enum(doc, "kind", r->snapshot ? "snapshot" : "rows", NULL);
    else
        pt_doc_null(doc, "kind");
}

json_t *pt_present_capture_json(const struct pt_capture_result *r)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_bool(doc, "unchanged", r->unchanged, NULL);
    add_kind(doc, r, !r->unchanged);
    pt_doc_text(doc, "name", PT_VALUE_NAME, r->name);
    pt_doc_text(doc, "base", PT_VALUE_NAME, r->base);
    pt_doc_text(doc, "reason", PT_VALUE_TEXT, r->reason);
    pt_doc_number(doc, "size_bytes", PT_VALUE_SIZE, r->bytes)->value.null = false;
    pt_doc_number(doc, "duration_ms", PT_VALUE_DURATION, r->duration_ms)->value.null = false;
    pt_doc_number(doc, "tables", PT_VALUE_COUNT, (int64_t)r->n_tables);
    pt_doc_number(doc, "inserted", PT_VALUE_COUNT, r->inserted);
    pt_doc_number(doc, "updated", PT_VALUE_COUNT, r->updated);
    pt_doc_number(doc, "deleted", PT_VALUE_COUNT, r->deleted);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

json_t *pt_present_capture_brief_json(const struct pt_capture_result *r)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_bool(doc, "unchanged", r->unchanged, NULL);
    pt_doc_text(doc, "name", PT_VALUE_NAME, r->name);
    add_kind(doc, r, r->name != NULL);
    pt_doc_number(doc, "size_bytes", PT_VALUE_SIZE, r->bytes)->value.null = false;
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

json_t *pt_present_watch_json(int64_t at_ms, bool unchanged, const struct pt_capture_result *r,
                              const char *error)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_time(doc, "at", at_ms, PT_LOOK_SECOND)->value.null = false;
    pt_doc_bool(doc, "unchanged", unchanged, NULL);
    pt_doc_text(doc, "name", PT_VALUE_NAME, r->name);
    add_kind(doc, r, r->name != NULL);
    pt_doc_text(doc, "error", PT_VALUE_TEXT, error);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}
