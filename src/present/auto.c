// SPDX-License-Identifier: GPL-3.0-or-later
/* What `auto` did, once (docs/cli.md, "auto"): auto --json. */
#include "poshtiban/auto.h"

#include "poshtiban/present.h"

static void add_lines(struct pt_doc *doc, const char *key, char **lines, size_t n)
{
    struct pt_doc *list = pt_doc_array(doc, key);
    for (size_t i = 0; i < n; i++)
        pt_doc_text(list, NULL, PT_VALUE_TEXT, lines[i]);
}

json_t *pt_present_auto_json(const struct pt_auto_result *res)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_bool(doc, "due", res->schedule.due, NULL);
    pt_doc_text(doc, "reason", PT_VALUE_TEXT, res->reason ? res->reason : "");
    pt_doc_time(doc, "next_due_at", res->schedule.next_ms, PT_LOOK_MINUTE)->value.null =
        res->schedule.next_ms < 0;
    pt_doc_null(doc, "backup");
    struct pt_doc *verified = pt_doc_array(doc, "verified");
    for (size_t i = 0; i < res->n_verified; i++) {
        const struct pt_auto_verified *v = &res->verified[i];
        struct pt_doc *o = pt_doc_object(verified, NULL);
        pt_doc_text(o, "name", PT_VALUE_NAME, v->name);
        pt_doc_bool(o, "deep", v->deep, NULL);
        pt_doc_bool(o, "ok", v->result.ok, NULL);
        add_lines(o, "problems", v->result.problems, v->result.n);
        add_lines(o, "healed", v->result.healed, v->result.n_healed);
    }
    pt_doc_null(doc, "change_set");
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    /* The backup is a record and the change set a capture, each from its own home. */
    if (res->record.id > 0)
        json_object_set_new(json, "backup", pt_present_record_json(&res->record));
    if (res->captured)
        json_object_set_new(json, "change_set", pt_present_capture_brief_json(&res->capture));
    return json;
}
