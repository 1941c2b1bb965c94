// SPDX-License-Identifier: GPL-3.0-or-later
/* pull: one backup back from the repository. */
#include "poshtiban/offsite.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "poshtiban/changes.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/notify.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"
#include "poshtiban/verify.h"

#include "auto/offsite-pull-internal.h"
#include "auto/offsite-repo.h"
#include "auto/restic.h"
#include "base/filewriter.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/reader.h"
#include "ops/naming.h"
#include "store/autolog.h"

/*
 * The project id for a pull: the catalog's; the one asked for; or, on a
 * machine that has none, the only poshtiban project in the repository.
 * Stored when it was not.
 */
static char *pull_project(struct pt_catalog *c, struct pt_restic *r, const char *asked,
                          const struct pt_monitor *mon, struct pt_error *err)
{
    char *stored = pt_offsite_stored_project(c);
    if (asked && !pt_offsite_valid_project_id(asked)) {
        free(stored);
        pt_error_set(err, PT_EINVAL,
                     _("--project takes a project id as `poshtiban offsite list` shows it "
                       "(letters a-z, digits and -), not \"%s\""),
                     asked);
        return NULL;
    }
    if (stored && asked && strcmp(stored, asked) != 0) {
        pt_error_set(err, PT_EINVAL, _("this catalog belongs to the off-site project %s, not %s"),
                     stored, asked);
        free(stored);
        return NULL;
    }
    if (stored)
        return stored;
    char *id = NULL;
    if (asked) {
        id = pt_xstrdup(asked);
    } else {
        json_t *doc = NULL;
        if (pt_offsite_snapshots_json(r, "poshtiban", mon, &doc, err) != PT_OK)
            return NULL;
        json_t *seen = json_object();
        size_t i;
        json_t *o;
        json_array_foreach(doc, i, o)
        {
            const char *p = pt_offsite_tag_value(json_object_get(o, "tags"), "project:");
            if (p && pt_offsite_valid_project_id(p))
                json_object_set_new(seen, p, json_true());
        }
        json_decref(doc);
        if (json_object_size(seen) == 1) {
            id = pt_xstrdup(json_object_iter_key(json_object_iter(seen)));
        } else if (json_object_size(seen) == 0) {
            pt_error_set(err, PT_ENOTFOUND,
                         _("the off-site repository holds no poshtiban backups"));
        } else {
            char *names = pt_xstrdup("");
            const char *key;
            json_t *v;
            json_object_foreach(seen, key, v)
            {
                char *more = pt_xasprintf("%s%s%s", names, *names ? ", " : "", key);
                free(names);
                names = more;
            }
            pt_error_set(err, PT_EINVAL,
                         _("the off-site repository holds the backups of several projects (%s): "
                           "say which is this one with --project ID"),
                         names);
            free(names);
        }
        json_decref(seen);
    }
    if (id && pt_catalog_setting_put(c, PT_OFFSITE_PROJECT_KEY, id, err) != PT_OK) {
        free(id);
        id = NULL;
    }
    return id;
}

/* ---- pull ---------------------------------------------------------------- */

static enum pt_status fetch(const struct pt_project *p, struct pt_catalog *c, struct pt_restic *r,
                            const struct pt_offsite_snapshot *snap, int64_t need,
                            const struct pt_monitor *mon, struct pt_record *rec,
                            struct pt_error *err)
{
    char *work = pt_xasprintf("%s/pull-XXXXXX", p->tmp);
    if (pt_mkdir_p(p->tmp, 0700) != 0 || !mkdtemp(work)) {
        enum pt_status rc =
            pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), work, strerror(errno));
        free(work);
        return rc;
    }
    if (mon && mon->progress) {
        /* restic 0.14 tells nothing while it restores: the phase, without figures. */
        struct pt_progress pr = {PT_PHASE_DOWNLOAD, 0, 0, NULL};
        mon->progress(&pr, mon->user);
    }
    const char *args[] = {"restore", snap->id, "--target", work, NULL};
    struct pt_restic_call call = {.args = args, .monitor = mon, .phase = PT_PHASE_DOWNLOAD};
    struct pt_error why = {0};
    enum pt_status rc = pt_restic_run(r, &call, &why);
    if (rc == PT_EFAIL && r->no_space) {
        char a[48];
        pt_l10n_size(need, a, sizeof(a));
        char *name = pt_backup_name_shown(snap->name);
        pt_error_set(err, rc, _("%s: the off-site copy of %s needs %s in %s; nothing was kept"),
                     strerror(ENOSPC), name, a, p->backups);
        free(name);
    } else if (rc != PT_OK) {
        pt_error_set(err, rc, "%s", why.message ? why.message : _("failed"));
    }
    pt_error_clear(&why);
    if (rc == PT_OK)
        rc = pt_offsite_pull_check_tree(work, snap->name, rec, err);
    if (rc == PT_OK)
        rc = pt_offsite_pull_check_backup(p, rec, mon, err);
    if (rc == PT_OK && !pt_backup_name_free(p, c, rec->name))
        rc = pt_error_set(err, PT_EINVAL,
                          _("a backup named %s exists here already; nothing was kept"), rec->name);
    if (rc == PT_OK)
        rc = pt_offsite_pull_place(p, rec, err);
    if (rc == PT_OK) {
        pt_record_set_message(rec, PT_MESSAGE_PULLED, snap->short_id);
        if ((rc = pt_catalog_insert(c, rec, err)) != PT_OK) {
            /* Not recorded: what was moved in goes again. */
            char *sidecar = pt_xasprintf("%s.sha256", rec->path);
            pt_offsite_pull_remove_or_say(rec->path, err);
            if (pt_reader_archive_suffix(rec->format))
                pt_offsite_pull_remove_or_say(sidecar, err);
            free(sidecar);
        }
    }
    if (rc == PT_OK) {
        char iso[32];
        pt_time_iso(p->now_ms, iso);
        pt_catalog_set_verified(c, rec->id, iso, true, NULL);
    }
    pt_offsite_pull_remove_or_say(work, err);
    free(work);
    return rc;
}

enum pt_status pt_offsite_pull(struct pt_session *s, const char *name,
                               const struct pt_offsite_options *o, const struct pt_monitor *mon,
                               struct pt_record *out, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    struct pt_catalog *c = NULL;
    struct pt_lock lock = {-1};
    struct pt_restic r = {0};
    struct pt_offsite_list list = {0};
    json_t *listed = NULL; /* restic's listing of this project, as it came */
    struct pt_record rec = {0};
    char *project = NULL;
    static const struct pt_offsite_options none = {0};
    if (!o)
        o = &none;
    if (out)
        memset(out, 0, sizeof(*out));
    if (o->carried)
        memset(o->carried, 0, sizeof(*o->carried));
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_WRITE, &c, err);
    if (rc != PT_OK)
        return rc;
    /* A new project takes the settings its backup carries (poshtiban/carried.h). */
    bool fresh = pt_carried_fresh(c);
    if ((rc = pt_lock_acquire(&lock, p, err)) != PT_OK)
        goto out;
    if (o->repository &&
        (rc = pt_settings_set(c, PT_KEY_OFFSITE_REPOSITORY, o->repository, err)) != PT_OK)
        goto out;
    if ((rc = pt_restic_open(&r, p, c, NULL, err)) != PT_OK)
        goto out;
    /* The repository's id, so that the pulled record's snapshot counts as one of it. */
    char *repo = NULL;
    rc = pt_offsite_repository_id(&r, c, &repo, err);
    free(repo);
    if (rc != PT_OK)
        goto out;
    if (!(project = pull_project(c, &r, o->project, mon, err))) {
        rc = err && err->status != PT_OK ? err->status : PT_EFAIL;
        goto out;
    }
    if ((rc = pt_offsite_list_project_raw(&r, project, mon, &list, &listed, err)) != PT_OK)
        goto out;
    const struct pt_offsite_snapshot *snap = NULL;
    if (o->at_given) {
        for (size_t i = list.n; i-- > 0 && !snap;)
            if (list.items[i].time_ms <= o->at_ms)
                snap = &list.items[i];
    } else if (strcmp(name, "latest") == 0) {
        snap = list.n ? &list.items[list.n - 1] : NULL;
    } else {
        snap = pt_offsite_find_name(&list, name);
    }
    if (!snap && o->at_given) {
        char at[32];
        pt_time_iso(o->at_ms, at);
        rc = pt_error_set(err, PT_ENOTFOUND,
                          _("the off-site repository holds no backup of this project taken at or "
                            "before %s"),
                          at);
        goto out;
    }
    if (!snap) {
        rc = strcmp(name, "latest") == 0
                 ? pt_error_set(err, PT_ENOTFOUND,
                                _("the off-site repository holds no backup of this project yet"))
                 : pt_error_set(err, PT_ENOTFOUND, _("no off-site copy of %s"), name);
        goto out;
    }
    int64_t need = -1;
    if (pt_backup_name_valid(snap->name) && !pt_backup_name_free(p, c, snap->name)) {
        rc = pt_error_set(err, PT_EINVAL,
                          _("a backup named %s exists here already; nothing was fetched"),
                          snap->name);
        goto out;
    }
    if ((rc = pt_offsite_pull_check_snapshot(p, &r, listed, project, snap, mon, &need, err)) !=
        PT_OK)
        goto out;
    if ((rc = fetch(p, c, &r, snap, need, mon, &rec, err)) != PT_OK)
        goto out;
    pt_catalog_set_offsite(c, rec.id, snap->short_id, p->now_ms, NULL, 0, NULL);
    /* pull --at: the base's change sets too, to reach that moment. */
    if (o->at_given) {
        struct pt_error why = {0};
        if (pt_offsite_pull_fetch_chain(p, &r, listed, project, snap->name, mon, &why) != PT_OK) {
            rc = pt_error_set(err, PT_EFAIL, _("%s pulled, but not its change sets: %s"),
                              snap->name, why.message ? why.message : _("failed"));
            pt_error_clear(&why);
            goto out;
        }
    }
    pt_record_free(&rec);
    rc = pt_catalog_get(c, snap->name, &rec, err);
    if (rc == PT_OK && fresh) {
        struct pt_carried taken;
        rc = pt_carried_apply(c, &rec, &taken, err);
        if (o->carried)
            *o->carried = taken;
        else
            pt_carried_free(&taken);
    }
out:
    if (out && rc == PT_OK) {
        *out = rec;
        memset(&rec, 0, sizeof(rec));
    }
    pt_record_free(&rec);
    free(project);
    pt_offsite_list_free(&list);
    json_decref(listed);
    pt_restic_close(&r);
    pt_lock_release(&lock);
    return rc;
}
