// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Off-site copies, once (docs/cli.md, "push", "offsite …"): the JSON of
 * push, offsite init, list, prune and check.
 */
#include "poshtiban/present.h"

static json_t *rendered(struct pt_doc *doc)
{
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

/* A snapshot of the repository, as offsite list has it. */
static struct pt_doc *add_snapshot(struct pt_doc *list, const struct pt_offsite_snapshot *s)
{
    struct pt_doc *o = pt_doc_object(list, NULL);
    pt_doc_text(o, "id", PT_VALUE_TEXT, s->id);
    pt_doc_text(o, "short_id", PT_VALUE_TEXT, s->short_id);
    pt_doc_text(o, "name", PT_VALUE_NAME, s->name);
    pt_doc_enum(o, "kind", pt_kind_name(s->kind), pt_kind_label(s->kind));
    pt_doc_number(o, "size_bytes", PT_VALUE_SIZE, s->size_bytes);
    pt_doc_time(o, "time", s->time_ms, PT_LOOK_MINUTE)->value.null = false;
    pt_doc_text(o, "host", PT_VALUE_TEXT, s->host);
    return o;
}

/* One project's snapshots, newest first, as `list` shows the catalog. */
static void add_list(struct pt_doc *doc, const struct pt_offsite_list *list)
{
    pt_doc_text(doc, "project", PT_VALUE_TEXT, list->project);
    struct pt_doc *items = pt_doc_array(doc, "snapshots");
    for (size_t i = list->n; i-- > 0;)
        add_snapshot(items, &list->items[i]);
    pt_doc_number(doc, "total", PT_VALUE_COUNT, (int64_t)list->n);
}

json_t *pt_present_offsite_list_json(const struct pt_offsite_list *list)
{
    struct pt_doc *doc = pt_doc_new(false);
    add_list(doc, list);
    return rendered(doc);
}

json_t *pt_present_offsite_projects_json(const struct pt_offsite_projects *all)
{
    struct pt_doc *doc = pt_doc_new(false);
    struct pt_doc *projects = pt_doc_array(doc, "projects");
    for (size_t k = 0; k < all->n; k++)
        add_list(pt_doc_object(projects, NULL), &all->items[k]);
    pt_doc_number(doc, "total", PT_VALUE_COUNT, (int64_t)all->n);
    return rendered(doc);
}

json_t *pt_present_offsite_prune_json(const struct pt_offsite_prune_result *res, bool dry_run)
{
    struct pt_doc *doc = pt_doc_new(false);
    struct pt_doc *removed = pt_doc_array(doc, "removed");
    for (size_t i = 0; i < res->n_removed; i++)
        add_snapshot(removed, &res->removed[i]);
    pt_doc_number(doc, "kept", PT_VALUE_COUNT, (int64_t)res->kept);
    struct pt_doc *kept = pt_doc_array(doc, "kept_snapshots");
    for (size_t i = 0; i < res->n_kept; i++) {
        const struct pt_offsite_kept *k = &res->kept_items[i];
        struct pt_doc *why = pt_doc_array(add_snapshot(kept, &k->snapshot), "reasons");
        if (k->reasons & PT_OFFSITE_KEPT_PINNED)
            pt_doc_enum(why, NULL, "pinned", NULL);
        if (k->reasons & PT_OFFSITE_KEPT_VERIFIED)
            pt_doc_enum(why, NULL, "newest_verified", NULL);
        if (k->reasons & PT_OFFSITE_KEPT_POLICY)
            pt_doc_enum(why, NULL, "policy", NULL);
    }
    pt_doc_bool(doc, "dry_run", dry_run, NULL);
    return rendered(doc);
}

json_t *pt_present_push_json(const struct pt_offsite_push_result *res)
{
    struct pt_doc *doc = pt_doc_new(false);
    struct pt_doc *items = pt_doc_array(doc, "pushed");
    for (size_t i = 0; i < res->n; i++) {
        const struct pt_offsite_pushed *it = &res->items[i];
        struct pt_doc *o = pt_doc_object(items, NULL);
        pt_doc_text(o, "name", PT_VALUE_NAME, it->name);
        pt_doc_text(o, "snapshot", PT_VALUE_TEXT, it->snapshot);
        pt_doc_number(o, "bytes_added", PT_VALUE_SIZE, it->bytes_added)->value.null = false;
        pt_doc_bool(o, "already", it->already, NULL);
        pt_doc_text(o, "error", PT_VALUE_TEXT, it->error);
    }
    pt_doc_number(doc, "failed", PT_VALUE_COUNT, (int64_t)res->failed);
    return rendered(doc);
}

json_t *pt_present_offsite_init_json(const char *repository, bool existed)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_text(doc, "repository", PT_VALUE_PATH, repository);
    pt_doc_bool(doc, "existed", existed, NULL);
    return rendered(doc);
}

json_t *pt_present_offsite_check_json(bool ok)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_bool(doc, "ok", ok, NULL);
    return rendered(doc);
}
