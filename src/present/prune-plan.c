// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Retention's plan, once (README, "Retention"): what `prune` prints and its
 * --json, and what the TUI shows before it asks, from the same values.
 */
#include <stdlib.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/present.h"

struct pt_doc *pt_present_prune_doc(const struct pt_retention_plan *plan, bool dry_run)
{
    struct pt_doc *doc = pt_doc_new(false);
    struct pt_doc *deleted = pt_doc_array(doc, "deleted");
    for (size_t i = 0; i < plan->n; i++) {
        struct pt_doc *item = pt_doc_object(deleted, NULL);
        pt_doc_text(item, "name", PT_VALUE_NAME, plan->items[i].record.name);
        pt_doc_text(item, "reason", PT_VALUE_TEXT, plan->items[i].reason);
    }
    pt_doc_number(doc, "kept", PT_VALUE_COUNT, (int64_t)plan->kept);
    /* Thinning (docs/changes.md, "Retention"): the change sets merged into a newer one. */
    struct pt_doc *thinned = pt_doc_array(doc, "thinned");
    for (size_t i = 0; i < plan->n_merges; i++) {
        const struct pt_thin_merge *m = &plan->merges[i];
        struct pt_doc *merge = pt_doc_object(thinned, NULL);
        pt_doc_text(merge, "base", PT_VALUE_NAME, m->base);
        pt_doc_text(merge, "into", PT_VALUE_NAME, m->into);
        struct pt_doc *names = pt_doc_array(merge, "merged");
        for (size_t j = 0; j < m->n_names; j++)
            pt_doc_text(names, NULL, PT_VALUE_NAME, m->names[j]);
        pt_doc_time(merge, "first_at", m->first_ms, PT_LOOK_SECOND)->value.null = false;
        pt_doc_time(merge, "taken_at", m->taken_ms, PT_LOOK_SECOND)->value.null = false;
    }
    pt_doc_bool(doc, "dry_run", dry_run, NULL);
    return doc;
}

json_t *pt_present_prune_json(const struct pt_retention_plan *plan, bool dry_run)
{
    struct pt_doc *doc = pt_present_prune_doc(plan, dry_run);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

size_t pt_present_prune_plan(const struct pt_retention_plan *plan, bool done,
                             pt_present_keep_fn keep, char ***lines)
{
    struct pt_doc *doc = pt_present_prune_doc(plan, !done);
    const struct pt_doc *deleted = pt_doc_get(doc, "deleted")->value.doc;
    size_t n = 0;
    char **out = pt_xcalloc(deleted->n + plan->n_merges + 1, sizeof(*out));
    for (size_t i = 0; i < deleted->n; i++) {
        const struct pt_doc *item = deleted->items[i].value.doc;
        char *name = pt_render_key(item, "name", keep),
             *reason = pt_render_key(item, "reason", NULL);
        out[n++] =
            pt_xasprintf(done ? _("deleted %s: %s") : _("would delete %s: %s"), name, reason);
        free(name);
        free(reason);
    }
    for (size_t i = 0; i < plan->n_merges; i++)
        out[n++] = pt_present_thinned(&plan->merges[i], done);
    pt_doc_free(doc);
    *lines = out;
    return n;
}
