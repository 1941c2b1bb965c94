// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A verify's result, once (docs/cli.md, "verify"): its JSON, each backup in
 * `results`; the sentence it ends with is pt_present_verified (results.c).
 */
#include "poshtiban/present.h"

static void add_lines(struct pt_doc *doc, const char *key, char **lines, size_t n)
{
    struct pt_doc *list = pt_doc_array(doc, key);
    for (size_t i = 0; i < n; i++)
        pt_doc_text(list, NULL, PT_VALUE_TEXT, lines[i]);
}

struct pt_doc *pt_present_verify_doc(const struct pt_record *record,
                                     const struct pt_verify_result *result)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_number(doc, "id", PT_VALUE_COUNT, record->id);
    pt_doc_text(doc, "name", PT_VALUE_NAME, record->name);
    pt_doc_bool(doc, "ok", result->ok, NULL);
    add_lines(doc, "problems", result->problems, result->n);
    add_lines(doc, "notes", result->notes, result->n_notes);
    add_lines(doc, "healed", result->healed, result->n_healed);
    pt_doc_number(doc, "healed_backups", PT_VALUE_COUNT, (int64_t)result->healed_backups);
    /* Its change sets: how many were checked, a line for each damaged one. */
    struct pt_doc *changes = pt_doc_object(doc, "changes");
    pt_doc_bool(changes, "ok", result->n_change_problems == 0, NULL);
    pt_doc_number(changes, "checked", PT_VALUE_COUNT, (int64_t)result->changes_checked);
    add_lines(changes, "problems", result->change_problems, result->n_change_problems);
    return doc;
}

json_t *pt_present_verify_json(const struct pt_record *record,
                               const struct pt_verify_result *result)
{
    struct pt_doc *doc = pt_present_verify_doc(record, result);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}
