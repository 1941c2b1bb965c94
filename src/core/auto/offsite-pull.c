// SPDX-License-Identifier: GPL-3.0-or-later
/* pull: one backup back from the repository. */
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

/* Moves what restic restored into work into the backup root; fills r's name, format and path. */
static enum pt_status place(const struct pt_project *p, const char *work, const char *name,
                            struct pt_record *r, struct pt_error *err)
{
    static const char *const formats[] = {"dir", "zip", "tar.zst"};
    struct stat st;
    for (size_t i = 0; i < 3 && !r->format; i++) {
        const char *suffix = pt_reader_archive_suffix(formats[i]);
        char *file = pt_xasprintf("%s/%s%s", work, name, suffix ? suffix : "");
        if (lstat(file, &st) == 0 && (suffix ? S_ISREG(st.st_mode) : S_ISDIR(st.st_mode))) {
            r->format = pt_xstrdup(formats[i]);
            r->path = pt_xasprintf("%s/%s%s", p->backups, name, suffix ? suffix : "");
        }
        free(file);
    }
    if (!r->format)
        return pt_error_set(err, PT_EFAIL,
                            _("the off-site copy of %s holds no backup of that name"), name);
    r->name = pt_xstrdup(name);
    const char *suffix = pt_reader_archive_suffix(r->format);
    enum pt_status rc = PT_OK;
    if (suffix) {
        char *from = pt_xasprintf("%s/%s%s.sha256", work, name, suffix);
        char *to = pt_xasprintf("%s.sha256", r->path);
        if (rename(from, to) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), to,
                              strerror(errno));
        free(from);
        free(to);
    }
    char *from = pt_xasprintf("%s/%s%s", work, name, suffix ? suffix : "");
    if (rc == PT_OK && rename(from, r->path) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), r->path,
                          strerror(errno));
    free(from);
    if (rc == PT_OK && pt_fsync_dir(p->backups) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), p->backups, strerror(errno));
    return rc;
}

static enum pt_status fetch(const struct pt_project *p, struct pt_catalog *c, struct pt_restic *r,
                            const struct pt_offsite_snapshot *snap, const struct pt_monitor *mon,
                            struct pt_record *rec, struct pt_error *err)
{
    char *work = pt_xasprintf("%s/pull-%ld", p->tmp, (long)getpid());
    pt_remove_tree(work);
    enum pt_status rc = PT_OK;
    if (pt_mkdir_p(work, 0700) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), work, strerror(errno));
    if (mon && mon->progress) {
        /* restic 0.14 tells nothing while it restores: the phase, without figures. */
        struct pt_progress pr = {PT_PHASE_DOWNLOAD, 0, 0, NULL};
        mon->progress(&pr, mon->user);
    }
    const char *args[] = {"restore", snap->id, "--target", work, NULL};
    struct pt_restic_call call = {.args = args, .monitor = mon, .phase = PT_PHASE_DOWNLOAD};
    if (rc == PT_OK)
        rc = pt_restic_run(r, &call, err);
    if (rc == PT_OK)
        rc = place(p, work, snap->name, rec, err);
    json_t *report = NULL;
    if (rc == PT_OK) {
        rec->status = PT_STATE_COMPLETED;
        rec->verify_ok = -1;
        if ((rc = pt_backup_read_report(rec, &report, err)) == PT_OK) {
            const char *name = json_string_value(json_object_get(report, "name"));
            if (!name || strcmp(name, rec->name) != 0)
                rc = pt_error_set(err, PT_EFAIL, _("the report of %s is damaged"), rec->name);
            pt_backup_record_from_report(rec, report);
        }
        json_decref(report);
        if (rc == PT_OK && !rec->created_at)
            rc = pt_error_set(err, PT_EFAIL, _("the report of %s is damaged"), rec->name);
        if (rc == PT_OK) {
            pt_record_set_message(rec, PT_MESSAGE_PULLED, snap->short_id);
            rc = pt_catalog_insert(c, rec, err);
        }
        if (rc != PT_OK) {
            /* Not recorded: what was moved in goes again. */
            char *sidecar = pt_xasprintf("%s.sha256", rec->path);
            pt_remove_tree(rec->path);
            unlink(sidecar);
            free(sidecar);
        }
    }
    pt_remove_tree(work);
    free(work);
    return rc;
}

enum pt_status pt_offsite_pull(const struct pt_project *p, const char *name,
                               const struct pt_offsite_options *o, const struct pt_monitor *mon,
                               struct pt_record *out, struct pt_error *err)
{
    struct pt_catalog *c = NULL;
    struct pt_lock lock = {-1};
    struct pt_restic r = {0};
    struct pt_offsite_list list = {0};
    struct pt_record rec = {0};
    char *project = NULL;
    static const struct pt_offsite_options none = {0};
    if (!o)
        o = &none;
    if (out)
        memset(out, 0, sizeof(*out));
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_WRITE, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_lock_acquire(&lock, p, err)) != PT_OK)
        goto out;
    if (o->repository &&
        (rc = pt_settings_set(c, "offsite.repository", o->repository, err)) != PT_OK)
        goto out;
    if ((rc = pt_restic_open(&r, p, c, NULL, err)) != PT_OK)
        goto out;
    if (!(project = pull_project(c, &r, o->project, mon, err))) {
        rc = err && err->status != PT_OK ? err->status : PT_EFAIL;
        goto out;
    }
    if ((rc = pt_offsite_list_project(&r, project, mon, &list, err)) != PT_OK)
        goto out;
    const struct pt_offsite_snapshot *snap = NULL;
    if (strcmp(name, "latest") == 0)
        snap = list.n ? &list.items[list.n - 1] : NULL;
    else
        snap = pt_offsite_find_name(&list, name);
    if (!snap) {
        rc = strcmp(name, "latest") == 0
                 ? pt_error_set(err, PT_ENOTFOUND,
                                _("the off-site repository holds no backup of this project yet"))
                 : pt_error_set(err, PT_ENOTFOUND, _("no off-site copy of %s"), name);
        goto out;
    }
    if (!pt_backup_name_free(p, c, snap->name)) {
        rc = pt_error_set(err, PT_EINVAL,
                          _("a backup named %s exists here already; nothing was fetched"),
                          snap->name);
        goto out;
    }
    if ((rc = fetch(p, c, &r, snap, mon, &rec, err)) != PT_OK)
        goto out;
    pt_catalog_set_offsite(c, rec.id, snap->short_id, p->now_ms, NULL, 0, NULL);
    struct pt_verify_result vr;
    rc = pt_verify_backup_locked(p, c, rec.name, false, false, mon, NULL, &vr, err);
    if (rc == PT_OK && !vr.ok) {
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site copy of %s does not verify (%s); it was removed again"),
                          rec.name, vr.n ? vr.problems[0] : "?");
    }
    pt_verify_result_free(&vr);
    if (rc != PT_OK) {
        pt_backup_remove_locked(p, c, &rec, NULL);
        goto out;
    }
    pt_record_free(&rec);
    rc = pt_catalog_get(c, snap->name, &rec, err);
out:
    if (out && rc == PT_OK) {
        *out = rec;
        memset(&rec, 0, sizeof(rec));
    }
    pt_record_free(&rec);
    free(project);
    pt_offsite_list_free(&list);
    pt_restic_close(&r);
    pt_lock_release(&lock);
    pt_catalog_close(c);
    return rc;
}
