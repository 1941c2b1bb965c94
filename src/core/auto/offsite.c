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

#include "store/autolog.h"
#include "ops/backup-internal.h"
#include "base/fsutil.h"
#include "poshtiban/i18n.h"
#include "base/lock.h"
#include "ops/naming.h"
#include "poshtiban/notify.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"
#include "poshtiban/verify.h"
#include "engine/reader.h"
#include "auto/restic.h"
#include "auto/offsite-repo.h"

/* ---- init, list, prune, check ------------------------------------------- */

enum pt_status pt_offsite_init(const struct pt_project *p, bool *existed, struct pt_error *err)
{
    *existed = false;
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_WRITE, err);
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
    pt_catalog_close(c);
    return rc;
}

enum pt_status pt_offsite_list(const struct pt_project *p, const struct pt_offsite_options *o,
                               struct pt_offsite_list *out, struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    char *project = NULL;
    enum pt_status rc = pt_offsite_open_repository(p, o, &c, &r, &project, err);
    if (rc == PT_OK)
        rc = pt_offsite_list_project(&r, project, NULL, out, err);
    free(project);
    pt_restic_close(&r);
    pt_catalog_close(c);
    return rc;
}

void pt_offsite_prune_result_free(struct pt_offsite_prune_result *res)
{
    for (size_t i = 0; i < res->n_removed; i++)
        pt_offsite_snapshot_free(&res->removed[i]);
    free(res->removed);
    memset(res, 0, sizeof(*res));
}

enum pt_status pt_offsite_prune(const struct pt_project *p, bool dry_run,
                                struct pt_offsite_prune_result *out, struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    char *project = NULL;
    static const char *const keys[] = {"offsite.keep_last", "offsite.keep_daily",
                                       "offsite.keep_weekly", "offsite.keep_monthly"};
    static const char *const flags[] = {"--keep-last", "--keep-daily", "--keep-weekly",
                                        "--keep-monthly"};
    char *values[4] = {NULL};
    const char *args[32];
    size_t n = 0;
    enum pt_status rc = pt_offsite_open_repository(p, NULL, &c, &r, &project, err);
    if (rc != PT_OK)
        goto out;
    char *filter = pt_xasprintf("poshtiban,project:%s", project);
    args[n++] = "forget";
    args[n++] = "--json";
    args[n++] = "--group-by";
    args[n++] = "";
    args[n++] = "--tag";
    args[n++] = filter;
    for (size_t i = 0; i < 4; i++) {
        int64_t v = pt_settings_int(c, keys[i]);
        if (v <= 0)
            continue;
        values[i] = pt_xasprintf("%lld", (long long)v);
        args[n++] = flags[i];
        args[n++] = values[i];
    }
    if (n == 6) {
        free(filter);
        rc = pt_error_set(err, PT_EINVAL,
                          _("no off-site keep policy: set at least one of offsite.keep_last, "
                            "keep_daily, keep_weekly or keep_monthly above 0"));
        goto out;
    }
    args[n++] = dry_run ? "--dry-run" : "--prune";
    args[n] = NULL;
    if (!dry_run)
        pt_offsite_unlock_stale(&r);
    struct pt_offsite_collected got = {0};
    struct pt_restic_call call = {.args = args, .on_json = pt_offsite_keep_json, .user = &got};
    rc = pt_restic_run(&r, &call, err);
    free(filter);
    size_t i, j;
    json_t *group, *s;
    json_array_foreach(got.doc, i, group)
    {
        json_t *removed = json_object_get(group, "remove");
        out->kept += json_array_size(json_object_get(group, "keep"));
        json_array_foreach(removed, j, s)
        {
            out->removed = pt_xrealloc(out->removed, (out->n_removed + 1) * sizeof(*out->removed));
            if (pt_offsite_read_snapshot(s, &out->removed[out->n_removed]))
                out->n_removed++;
        }
    }
    json_decref(got.doc);
    if (rc == PT_OK && out->n_removed)
        qsort(out->removed, out->n_removed, sizeof(*out->removed), pt_offsite_by_time);
out:
    for (size_t k = 0; k < 4; k++)
        free(values[k]);
    free(project);
    pt_restic_close(&r);
    pt_catalog_close(c);
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

enum pt_status pt_offsite_check(const struct pt_project *p, const char *subset,
                                struct pt_error *err)
{
    if (subset && !valid_subset(subset))
        return pt_error_set(err, PT_EINVAL,
                            _("--read-data-subset takes a percentage such as 5%% or a part such as "
                              "1/10, not \"%s\""),
                            subset);
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_READ, err);
    if (rc == PT_OK)
        rc = pt_restic_open(&r, p, c, NULL, err);
    if (rc == PT_OK) {
        pt_offsite_unlock_stale(&r);
        const char *args[] = {"check", subset ? "--read-data-subset" : NULL, subset, NULL};
        struct pt_restic_call call = {.args = args};
        rc = pt_restic_run(&r, &call, err);
    }
    pt_restic_close(&r);
    pt_catalog_close(c);
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
