// SPDX-License-Identifier: GPL-3.0-or-later
/* A new machine: every project a repository holds, and recover (pull, settings, restore). */
#include "poshtiban/offsite.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/alloc.h"
#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/session.h"

#include "auto/offsite-repo.h"
#include "auto/restic.h"

void pt_offsite_projects_free(struct pt_offsite_projects *projects)
{
    for (size_t i = 0; i < projects->n; i++)
        pt_offsite_list_free(&projects->items[i]);
    free(projects->items);
    memset(projects, 0, sizeof(*projects));
}

static int by_project(const void *a, const void *b)
{
    const struct pt_offsite_list *x = a, *y = b;
    return strcmp(x->project, y->project);
}

/* The snapshots of restic's array doc, grouped by their project tag, into out. */
static void group(json_t *doc, struct pt_offsite_projects *out)
{
    size_t i;
    json_t *o;
    json_array_foreach(doc, i, o)
    {
        const char *project = pt_offsite_tag_value(json_object_get(o, "tags"), "project:");
        if (!project || !pt_offsite_valid_project_id(project))
            continue;
        struct pt_offsite_snapshot s;
        if (!pt_offsite_read_snapshot(o, &s))
            continue;
        struct pt_offsite_list *l = NULL;
        for (size_t k = 0; k < out->n && !l; k++)
            if (strcmp(out->items[k].project, project) == 0)
                l = &out->items[k];
        if (!l) {
            out->items = pt_xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
            l = &out->items[out->n++];
            memset(l, 0, sizeof(*l));
            l->project = pt_xstrdup(project);
        }
        l->items = pt_xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
        l->items[l->n++] = s;
    }
    for (size_t k = 0; k < out->n; k++)
        qsort(out->items[k].items, out->items[k].n, sizeof(*out->items[k].items),
              pt_offsite_by_time);
    if (out->n > 1)
        qsort(out->items, out->n, sizeof(*out->items), by_project);
}

enum pt_status pt_offsite_list_projects(struct pt_session *s, const struct pt_offsite_options *o,
                                        struct pt_offsite_projects *out, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    /* Read only: without a catalog this is an empty one in memory, and nothing is created. */
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_READ, &c, err);
    if (rc == PT_OK)
        rc = pt_restic_open(&r, p, c, o ? o->repository : NULL, err);
    char *project = NULL;
    if (rc == PT_OK) {
        project = o && o->project ? pt_xstrdup(o->project) : pt_offsite_stored_project(c);
        if (project && !pt_offsite_valid_project_id(project))
            rc = pt_error_set(err, PT_EINVAL, _("\"%s\" is no project id"), project);
    }
    char *stored = rc == PT_OK ? pt_offsite_stored_project(c) : NULL;
    if (rc == PT_OK && project && stored && strcmp(project, stored) == 0) {
        /* This project's own listing also tells the catalog what the repository holds. */
        pt_restic_close(&r);
        c = NULL;
        out->items = pt_xcalloc(1, sizeof(*out->items));
        rc = pt_offsite_list(s, o, &out->items[0], err);
        if (rc == PT_OK) {
            out->n = 1;
            out->own = true;
        }
    } else if (rc == PT_OK && project) {
        out->items = pt_xcalloc(1, sizeof(*out->items));
        rc = pt_offsite_list_project(&r, project, NULL, &out->items[0], err);
        if (rc == PT_OK) {
            out->n = 1;
            out->own = true;
        }
    } else if (rc == PT_OK) {
        json_t *doc = NULL;
        rc = pt_offsite_snapshots_json(&r, "poshtiban", NULL, &doc, err);
        if (rc == PT_OK)
            group(doc, out);
        json_decref(doc);
    }
    free(stored);
    free(project);
    pt_restic_close(&r);
    return rc;
}

void pt_offsite_recovered_free(struct pt_offsite_recovered *recovered)
{
    pt_record_free(&recovered->record);
    pt_carried_free(&recovered->settings);
    pt_restore_plan_free(&recovered->plan);
    memset(recovered, 0, sizeof(*recovered));
}

enum pt_status pt_offsite_recover(struct pt_session *s, const struct pt_offsite_options *o,
                                  const struct pt_monitor *mon, struct pt_offsite_recovered *out,
                                  struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(out, 0, sizeof(*out));
    /* A catalog left by a recover that failed before it fetched anything is still new. */
    struct pt_catalog *c = NULL;
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_READ, &c, err);
    bool fresh = rc == PT_OK && pt_carried_fresh(c);
    if (rc != PT_OK)
        return rc;
    if (!fresh)
        return pt_error_set(err, PT_EINVAL,
                            _("this project has backups already (%s): recover is for a new, "
                              "empty project folder; here use `poshtiban pull` and `poshtiban "
                              "restore`"),
                            p->backups);
    struct pt_offsite_options pull = o ? *o : (struct pt_offsite_options){0};
    pull.carried = &out->settings;
    rc = pt_offsite_pull(s, "latest", &pull, mon, &out->record, err);
    if (rc != PT_OK)
        return rc;
    out->pulled = true;
    /* recover --at: the state at that moment, the base's change sets applied (restore --at). */
    struct pt_restore_options ro = {.at_ms = o && o->at_given ? o->at_ms : 0};
    rc = pt_restore_plan(s, out->record.name, &ro, &out->plan, err);
    return rc == PT_OK ? pt_restore(s, &out->plan, mon, err) : rc;
}
