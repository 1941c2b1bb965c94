// SPDX-License-Identifier: GPL-3.0-or-later
/* The repository itself: init, list, prune, check. */
#include "poshtiban/offsite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "poshtiban/changes.h"
#include "poshtiban/i18n.h"
#include "poshtiban/notify.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"
#include "poshtiban/verify.h"

#include "auto/offsite-repo.h"
#include "auto/restic.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/reader.h"
#include "ops/metrics.h"
#include "ops/naming.h"
#include "store/autolog.h"

/* ---- init, list, prune, check ------------------------------------------- */

enum pt_status pt_offsite_init(struct pt_session *s, bool *existed, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    *existed = false;
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_WRITE, &c, err);
    if (rc != PT_OK)
        return rc;
    char *project = NULL;
    if ((rc = pt_restic_open(&r, p, c, NULL, err)) == PT_OK &&
        (project = pt_offsite_own_project(c, err)) == NULL)
        rc = PT_EFAIL;
    if (rc == PT_OK) {
        /* A repository that is there already: poshtiban uses it as it is. */
        const char *cat[] = {"cat", "config", "--no-lock", NULL};
        struct pt_restic_call probe = {.args = cat};
        if (pt_restic_run(&r, &probe, NULL) == PT_OK) {
            *existed = true;
        } else {
            const char *args[] = {"init", NULL};
            struct pt_restic_call call = {.args = args};
            rc = pt_restic_run(&r, &call, err);
        }
    }
    free(project);
    pt_restic_close(&r);
    return rc;
}

enum pt_status pt_offsite_list(struct pt_session *s, const struct pt_offsite_options *o,
                               struct pt_offsite_list *out, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    char *project = NULL, *repo = NULL;
    enum pt_status rc = pt_offsite_open_repository(s, o, &c, &r, &project, err);
    /* The listing also tells the catalog what the repository holds now. */
    if (rc == PT_OK)
        rc = pt_offsite_refresh(p, c, &r, project, NULL, &repo, out, err);
    free(repo);
    free(project);
    pt_restic_close(&r);
    return rc;
}

void pt_offsite_prune_result_free(struct pt_offsite_prune_result *res)
{
    for (size_t i = 0; i < res->n_removed; i++)
        pt_offsite_snapshot_free(&res->removed[i]);
    for (size_t i = 0; i < res->n_kept; i++)
        pt_offsite_snapshot_free(&res->kept_items[i].snapshot);
    free(res->removed);
    free(res->kept_items);
    memset(res, 0, sizeof(*res));
}

/* The names of the backups whose snapshots prune never removes, and why (PT_OFFSITE_KEPT_*). */
struct guarded {
    char **names;
    unsigned *reasons;
    size_t n;
};

static void guard(struct guarded *g, const char *name, unsigned reason)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->names[i], name) == 0) {
            g->reasons[i] |= reason;
            return;
        }
    g->names = pt_xrealloc(g->names, (g->n + 1) * sizeof(*g->names));
    g->reasons = pt_xrealloc(g->reasons, (g->n + 1) * sizeof(*g->reasons));
    g->names[g->n] = pt_xstrdup(name);
    g->reasons[g->n++] = reason;
}

static unsigned guarded_why(const struct guarded *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->names[i], name) == 0)
            return g->reasons[i];
    return 0;
}

static void guarded_free(struct guarded *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->names[i]);
    free(g->names);
    free(g->reasons);
}

/* Every pinned backup, and the newest completed backup whose last verify passed. */
static enum pt_status read_guarded(struct pt_catalog *c, struct guarded *g, struct pt_error *err)
{
    struct pt_catalog_filter f = {.has_status = true, .status = PT_STATE_COMPLETED};
    struct pt_record *all = NULL;
    size_t n = 0;
    int64_t total;
    enum pt_status rc = pt_catalog_list(c, &f, &all, &n, &total, err);
    bool verified = false;
    for (size_t i = 0; rc == PT_OK && i < n; i++) { /* newest first */
        if (all[i].pinned)
            guard(g, all[i].name, PT_OFFSITE_KEPT_PINNED);
        if (!verified && all[i].verify_ok == 1) {
            guard(g, all[i].name, PT_OFFSITE_KEPT_VERIFIED);
            verified = true;
        }
    }
    pt_record_list_free(all, n);
    return rc;
}

static void add_kept(struct pt_offsite_prune_result *out, struct pt_offsite_snapshot *s,
                     unsigned reasons)
{
    out->kept_items = pt_xrealloc(out->kept_items, (out->n_kept + 1) * sizeof(*out->kept_items));
    out->kept_items[out->n_kept++] = (struct pt_offsite_kept){*s, reasons};
    memset(s, 0, sizeof(*s));
}

static int kept_by_time(const void *a, const void *b)
{
    const struct pt_offsite_kept *x = a, *y = b;
    return pt_offsite_by_time(&x->snapshot, &y->snapshot);
}

/* restic's dry run, split into what stays (and why) and what goes. */
static void read_plan(json_t *doc, const struct guarded *g, struct pt_offsite_prune_result *out)
{
    size_t i, j;
    json_t *group, *o;
    json_array_foreach(doc, i, group)
    {
        json_array_foreach(json_object_get(group, "keep"), j, o)
        {
            struct pt_offsite_snapshot s;
            if (pt_offsite_read_snapshot(o, &s))
                add_kept(out, &s, PT_OFFSITE_KEPT_POLICY | guarded_why(g, s.name));
        }
        json_array_foreach(json_object_get(group, "remove"), j, o)
        {
            struct pt_offsite_snapshot s;
            if (!pt_offsite_read_snapshot(o, &s))
                continue;
            unsigned why = guarded_why(g, s.name);
            if (why) {
                add_kept(out, &s, why);
            } else {
                out->removed =
                    pt_xrealloc(out->removed, (out->n_removed + 1) * sizeof(*out->removed));
                out->removed[out->n_removed++] = s;
            }
        }
    }
    if (out->n_removed > 1)
        qsort(out->removed, out->n_removed, sizeof(*out->removed), pt_offsite_by_time);
    if (out->n_kept > 1)
        qsort(out->kept_items, out->n_kept, sizeof(*out->kept_items), kept_by_time);
    out->kept = out->n_kept;
}

/*
 * The chains of change sets (docs/changes.md, "Off-site"): the newest chain
 * snapshot of every base whose backup stays in the repository is kept; the
 * older ones, and every chain of a backup the plan removes, go with it.
 * A chain whose backup the repository does not hold (not sent yet) keeps
 * its newest snapshot too. Added to out->removed (named changes/<base>).
 */
static enum pt_status plan_chains(struct pt_restic *r, const char *project,
                                  struct pt_offsite_prune_result *out, struct pt_error *err)
{
    char *tags = pt_xasprintf("poshtiban,project:%s,changes", project);
    json_t *doc = NULL;
    enum pt_status rc = pt_offsite_snapshots_json(r, tags, NULL, &doc, err);
    free(tags);
    if (rc != PT_OK)
        return rc;
    struct pt_offsite_chain *chains = NULL;
    size_t n = 0;
    pt_offsite_read_chains(doc, project, &chains, &n);
    json_decref(doc);
    for (size_t i = 0; i < n; i++) {
        const struct pt_offsite_chain *ch = &chains[i];
        if (!ch->confined)
            continue; /* not this project's alone: never touched */
        bool base_goes = false;
        for (size_t k = 0; k < out->n_removed && !base_goes; k++)
            base_goes = strcmp(out->removed[k].name, ch->base) == 0;
        if (!base_goes && pt_offsite_find_chain(chains, n, ch->base) == ch)
            continue;
        out->removed = pt_xrealloc(out->removed, (out->n_removed + 1) * sizeof(*out->removed));
        struct pt_offsite_snapshot *s = &out->removed[out->n_removed++];
        memset(s, 0, sizeof(*s));
        s->id = pt_xstrdup(ch->id);
        s->short_id = pt_xstrdup(ch->short_id);
        s->name = pt_xasprintf("%s/%s", PT_CHANGES_DIR, ch->base);
        s->kind = PT_KIND_MANUAL;
        s->host = pt_xstrdup("");
        s->time_ms = ch->time_ms;
        s->size_bytes = -1;
    }
    pt_offsite_chains_free(chains, n);
    return PT_OK;
}

/* `restic forget --prune` of exactly these snapshots, by id. */
static enum pt_status forget(struct pt_restic *r, const struct pt_offsite_prune_result *plan,
                             struct pt_error *err)
{
    const char **args = pt_xcalloc(plan->n_removed + 4, sizeof(*args));
    size_t n = 0;
    args[n++] = "forget";
    args[n++] = "--prune";
    args[n++] = "--";
    for (size_t i = 0; i < plan->n_removed; i++)
        args[n++] = plan->removed[i].id;
    struct pt_restic_call call = {.args = args};
    enum pt_status rc = pt_restic_run(r, &call, err);
    free(args);
    return rc;
}

enum pt_status pt_offsite_prune(struct pt_session *s, bool dry_run,
                                struct pt_offsite_prune_result *out, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    char *project = NULL, *repo = NULL, *filter = NULL, *filter_auto = NULL,
         *filter_scheduled = NULL;
    struct guarded g = {0};
    struct pt_offsite_list now = {0};
    static const enum pt_setting_id keys[] = {PT_KEY_OFFSITE_KEEP_LAST, PT_KEY_OFFSITE_KEEP_DAILY,
                                              PT_KEY_OFFSITE_KEEP_WEEKLY,
                                              PT_KEY_OFFSITE_KEEP_MONTHLY};
    static const char *const flags[] = {"--keep-last", "--keep-daily", "--keep-weekly",
                                        "--keep-monthly"};
    char *values[4] = {NULL};
    const char *args[32];
    size_t n = 0;
    enum pt_status rc = pt_offsite_open_repository(s, NULL, &c, &r, &project, err);
    if (rc != PT_OK)
        goto out;
    /*
     * The backups alone, by their kind tags: the chains of change sets
     * (which carry none) count in no keep_* policy.
     */
    filter = pt_xasprintf("poshtiban,project:%s,kind:manual", project);
    filter_auto = pt_xasprintf("poshtiban,project:%s,kind:auto", project);
    filter_scheduled = pt_xasprintf("poshtiban,project:%s,kind:scheduled", project);
    args[n++] = "forget";
    args[n++] = "--json";
    args[n++] = "--group-by";
    args[n++] = "";
    args[n++] = "--tag";
    args[n++] = filter;
    args[n++] = "--tag";
    args[n++] = filter_auto;
    args[n++] = "--tag";
    args[n++] = filter_scheduled;
    for (size_t i = 0; i < 4; i++) {
        int64_t v = pt_settings_int(c, keys[i]);
        if (v <= 0)
            continue;
        values[i] = pt_xasprintf("%lld", (long long)v);
        args[n++] = flags[i];
        args[n++] = values[i];
    }
    if (n == 10) {
        rc = pt_error_set(err, PT_EINVAL,
                          _("no off-site keep policy: set at least one of offsite.keep_last, "
                            "keep_daily, keep_weekly or keep_monthly above 0"));
        goto out;
    }
    /* The policy's plan is always a dry run: prune itself forgets by snapshot id. */
    args[n++] = "--dry-run";
    args[n] = NULL;
    if ((rc = read_guarded(c, &g, err)) != PT_OK)
        goto out;
    if ((rc = pt_offsite_refresh(p, c, &r, project, NULL, &repo, &now, err)) != PT_OK)
        goto out;
    struct pt_offsite_collected got = {0};
    struct pt_restic_call call = {.args = args, .on_json = pt_offsite_keep_json, .user = &got};
    rc = pt_restic_run(&r, &call, err);
    if (rc == PT_OK)
        read_plan(got.doc, &g, out);
    json_decref(got.doc);
    if (rc == PT_OK)
        rc = plan_chains(&r, project, out, err);
    if (rc != PT_OK || dry_run || out->n_removed == 0)
        goto out;
    pt_offsite_unlock_stale(&r);
    rc = forget(&r, out, err);
    if (rc == PT_OK) {
        /* What the listing before found, less what restic forgot: what is left. */
        size_t kept = 0;
        for (size_t i = 0; i < now.n; i++) {
            bool gone = false;
            for (size_t k = 0; k < out->n_removed && !gone; k++)
                gone = strcmp(now.items[i].id, out->removed[k].id) == 0;
            if (gone)
                pt_offsite_snapshot_free(&now.items[i]);
            else
                now.items[kept++] = now.items[i];
        }
        now.n = kept;
        rc = pt_offsite_sync(p, c, &r, repo, &now, err);
    } else {
        /* Stopped halfway: ask the repository what is left. */
        struct pt_error again = {0};
        pt_offsite_list_free(&now);
        free(repo);
        repo = NULL;
        pt_offsite_refresh(p, c, &r, project, NULL, &repo, &now, &again);
        pt_error_clear(&again);
    }
out:
    pt_offsite_list_free(&now);
    guarded_free(&g);
    for (size_t k = 0; k < 4; k++)
        free(values[k]);
    free(filter);
    free(filter_auto);
    free(filter_scheduled);
    free(repo);
    free(project);
    pt_restic_close(&r);
    if (!dry_run)
        pt_metrics_update(p, c);
    return rc;
}

static bool valid_subset(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end != s && strcmp(end, "%") == 0 && v > 0 && v <= 100 && s[0] != '-')
        return true;
    unsigned long a, b;
    int used = 0;
    return sscanf(s, "%lu/%lu%n", &a, &b, &used) == 2 && !s[used] && a >= 1 && a <= b &&
           s[0] >= '0' && s[0] <= '9';
}

enum pt_status pt_offsite_check(struct pt_session *s, const char *subset, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    if (subset && !valid_subset(subset))
        return pt_error_set(err, PT_EINVAL,
                            _("--read-data-subset takes a percentage such as 5%% or a part such as "
                              "1/10, not \"%s\""),
                            subset);
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_READ, &c, err);
    if (rc == PT_OK)
        rc = pt_restic_open(&r, p, c, NULL, err);
    if (rc == PT_OK) {
        pt_offsite_unlock_stale(&r);
        const char *args[] = {"check", subset ? "--read-data-subset" : NULL, subset, NULL};
        struct pt_restic_call call = {.args = args};
        rc = pt_restic_run(&r, &call, err);
    }
    pt_restic_close(&r);
    return rc;
}

bool pt_offsite_restic_found(void)
{
    const char *path = getenv("PATH");
    char *copy = pt_xstrdup(path && *path ? path : "/usr/bin:/bin"), *save = NULL;
    bool found = false;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *exe = pt_path_join(*d ? d : ".", "restic");
        found = access(exe, X_OK) == 0;
        free(exe);
    }
    free(copy);
    return found;
}
