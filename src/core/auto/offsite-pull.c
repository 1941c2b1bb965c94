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

#include "store/autolog.h"
#include "ops/backup-internal.h"
#include "base/fsutil.h"
#include "poshtiban/i18n.h"
#include "base/lock.h"
#include "ops/naming.h"
#include "poshtiban/notify.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"
#include "poshtiban/l10n.h"
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

/* ---- confinement (README, "Off-site copies": what a pull takes) ----------- */

/*
 * Anyone who can write to the repository can forge a snapshot: its name
 * tag is checked as `create --name` checks a name before anything is
 * fetched, restic restores into a private folder of its own under
 * .poshtiban/tmp, and only one backup of that name, verified there, is
 * moved into the backup root and recorded.
 */

/* Adds "; what" to the message in err: something more went wrong on the way out. */
static void also(struct pt_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void also(struct pt_error *err, const char *fmt, ...)
{
    if (!err || !err->message)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *more = pt_xvasprintf(fmt, ap);
    va_end(ap);
    char *joined = pt_xasprintf("%s; %s", err->message, more);
    free(more);
    free(err->message);
    err->message = joined;
}

/* Removes path, or says in err that it could not be. */
static void remove_or_say(const char *path, struct pt_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT)
        return;
    if (pt_remove_tree(path) != 0)
        also(err, _("%s could not be removed: %s"), path, strerror(errno));
}

/*
 * The tags of the chosen snapshot, against the others of this project in
 * doc (the listing it was chosen from): one name tag, no project tag but
 * this project's, and no other snapshot of that name with other content
 * (restic's tree id).
 */
static enum pt_status check_tags(json_t *doc, const char *project,
                                 const struct pt_offsite_snapshot *snap, struct pt_error *err)
{
    enum pt_status rc = PT_OK;
    char *name = pt_backup_name_shown(snap->name);
    const char *tree = NULL;
    size_t i;
    json_t *o;
    json_array_foreach(doc, i, o)
    {
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!id || strcmp(id, snap->id) != 0)
            continue;
        tree = json_string_value(json_object_get(o, "tree"));
        size_t names = 0, k;
        json_t *t;
        json_array_foreach(json_object_get(o, "tags"), k, t)
        {
            const char *tag = json_string_value(t);
            if (!tag)
                continue;
            names += strncmp(tag, "name:", 5) == 0;
            if (rc == PT_OK && strncmp(tag, "project:", 8) == 0 && strcmp(tag + 8, project) != 0) {
                char *other = pt_backup_name_shown(tag + 8);
                rc = pt_error_set(err, PT_EFAIL,
                                  _("the off-site snapshot %s of %s also carries the tag of "
                                    "another project (%s); nothing was fetched"),
                                  snap->short_id, name, other);
                free(other);
            }
        }
        if (rc == PT_OK && names != 1)
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site snapshot %s carries %zu name tags; nothing was "
                                "fetched"),
                              snap->short_id, names);
    }
    if (rc == PT_OK && !tree)
        rc = pt_error_set(err, PT_EFAIL,
                          _("restic no longer lists the off-site snapshot %s; nothing was fetched"),
                          snap->short_id);
    json_array_foreach(doc, i, o)
    {
        if (rc != PT_OK)
            break;
        struct pt_offsite_snapshot other;
        if (!pt_offsite_read_snapshot(o, &other))
            continue;
        const char *other_tree = json_string_value(json_object_get(o, "tree"));
        if (strcmp(other.id, snap->id) != 0 && strcmp(other.name, snap->name) == 0 &&
            (!other_tree || strcmp(other_tree, tree) != 0))
            rc = pt_error_set(err, PT_EFAIL,
                              _("two off-site snapshots are named %s (%s and %s) and hold "
                                "different things: which is the backup is ambiguous, so nothing "
                                "was fetched"),
                              name, other.short_id, snap->short_id);
        pt_offsite_snapshot_free(&other);
    }
    free(name);
    return rc;
}

/* The restore size restic reports for the snapshot, against the free space of the tmp folder. */
static enum pt_status check_room(const struct pt_project *p, struct pt_restic *r,
                                 const struct pt_offsite_snapshot *snap,
                                 const struct pt_monitor *mon, int64_t *need, struct pt_error *err)
{
    struct pt_offsite_collected got = {0};
    const char *args[] = {"stats", "--json", "--no-lock", "--mode", "restore-size", snap->id, NULL};
    struct pt_restic_call call = {.args = args,
                                  .monitor = mon,
                                  .phase = PT_PHASE_PREPARE,
                                  .on_json = pt_offsite_keep_json,
                                  .user = &got};
    enum pt_status rc = pt_restic_run(r, &call, err);
    json_t *size = json_object_get(got.doc, "total_size");
    *need = json_is_integer(size) ? json_integer_value(size) : -1;
    json_decref(got.doc);
    if (rc != PT_OK)
        return rc;
    if (*need < 0)
        return pt_error_set(err, PT_EFAIL, _("restic gave no size of the off-site snapshot %s"),
                            snap->short_id);
    struct statvfs vfs;
    if (statvfs(p->tmp, &vfs) != 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read the free space of %s: %s"), p->tmp,
                            strerror(errno));
    int64_t room = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    if (*need <= room)
        return PT_OK;
    char a[48], b[48];
    pt_l10n_size(*need, a, sizeof(a));
    pt_l10n_size(room, b, sizeof(b));
    char *name = pt_backup_name_shown(snap->name);
    pt_error_set(err, PT_EFAIL,
                 _("%s: the off-site copy of %s needs %s, %s is free in %s; nothing was fetched"),
                 strerror(ENOSPC), name, a, b, p->backups);
    free(name);
    return PT_EFAIL;
}

/* Checks the name and tags of the chosen snapshot and the room it needs, before fetching it. */
static enum pt_status check_snapshot(const struct pt_project *p, struct pt_restic *r,
                                     json_t *listed, const char *project,
                                     const struct pt_offsite_snapshot *snap,
                                     const struct pt_monitor *mon, int64_t *need,
                                     struct pt_error *err)
{
    if (!pt_backup_name_valid(snap->name)) {
        char *name = pt_backup_name_shown(snap->name);
        pt_error_set(err, PT_EFAIL,
                     _("the off-site snapshot %s is tagged with the name \"%s\", which no backup "
                       "may have (see create --name); nothing was fetched"),
                     snap->short_id, name);
        free(name);
        return PT_EFAIL;
    }
    enum pt_status rc = check_tags(listed, project, snap, err);
    if (rc == PT_OK)
        rc = check_room(p, r, snap, mon, need, err);
    return rc;
}

/* Only folders and regular files below fd (a backup folder); the first other thing in *bad. */
static bool plain_tree(int fd, const char *at, char **bad)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        *bad = pt_xstrdup(at);
        return false;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        char *path = pt_xasprintf("%s/%s", at, e->d_name);
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            ok = sub >= 0 && plain_tree(sub, path, bad);
            if (!ok && *bad) {
                free(path);
                break;
            }
        }
        if (!ok)
            *bad = path;
        else
            free(path);
    }
    closedir(d);
    return ok;
}

/*
 * What restic restored into work must be one backup of that name and
 * nothing else: a folder NAME/ of folders and regular files, or NAME.zip or
 * NAME.tar.zst beside its .sha256. Fills rec's name, format and path (in work).
 */
static enum pt_status check_tree(const char *work, const char *name, struct pt_record *rec,
                                 struct pt_error *err)
{
    DIR *d = opendir(work);
    if (!d)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), work, strerror(errno));
    char *zip = pt_xasprintf("%s.zip", name), *zst = pt_xasprintf("%s.tar.zst", name);
    char *zip_sum = pt_xasprintf("%s.sha256", zip), *zst_sum = pt_xasprintf("%s.sha256", zst);
    const char *format = NULL;
    int backups = 0, sums = 0, entries = 0;
    bool zip_sidecar = false, zst_sidecar = false;
    char *stray = NULL, *link = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        entries++;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISLNK(st.st_mode)) {
            if (!link)
                link = pt_xstrdup(e->d_name);
            continue;
        }
        if (strcmp(e->d_name, name) == 0 && S_ISDIR(st.st_mode)) {
            format = "dir";
            backups++;
        } else if (strcmp(e->d_name, zip) == 0 && S_ISREG(st.st_mode)) {
            format = "zip";
            backups++;
        } else if (strcmp(e->d_name, zst) == 0 && S_ISREG(st.st_mode)) {
            format = "tar.zst";
            backups++;
        } else if (strcmp(e->d_name, zip_sum) == 0 && S_ISREG(st.st_mode)) {
            zip_sidecar = true;
            sums++;
        } else if (strcmp(e->d_name, zst_sum) == 0 && S_ISREG(st.st_mode)) {
            zst_sidecar = true;
            sums++;
        } else if (!stray) {
            stray = pt_xstrdup(e->d_name);
        }
    }
    closedir(d);
    char *what = pt_backup_name_shown(name);
    enum pt_status rc = PT_OK;
    bool archive = format && strcmp(format, "dir") != 0;
    bool sidecar = format && (strcmp(format, "zip") == 0 ? zip_sidecar : zst_sidecar);
    if (link) {
        char *l = pt_backup_name_shown(link);
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site copy of %s holds a symbolic link (%s); nothing was kept"),
                          what, l);
        free(l);
    } else if (backups == 0 && entries == 1 && stray) {
        char *s = pt_backup_name_shown(stray);
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site copy tagged %s holds %s: the tag and the backup inside "
                            "differ; nothing was kept"),
                          what, s);
        free(s);
    } else if (backups == 0) {
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site copy of %s holds no backup of that name; nothing was "
                            "kept"),
                          what);
    } else if (archive && !sidecar && !stray && backups == 1 && sums == 0) {
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site copy of %s holds an archive without its .sha256; "
                            "nothing was kept"),
                          what);
    } else if (stray || backups > 1 || sums != (archive ? 1 : 0) || (archive && !sidecar)) {
        char *s = pt_backup_name_shown(stray         ? stray
                                       : archive     ? name
                                       : zip_sidecar ? zip_sum
                                                     : zst_sum);
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site copy of %s holds more than that one backup (%s); "
                            "nothing was kept"),
                          what, s);
        free(s);
    }
    if (rc == PT_OK) {
        rec->name = pt_xstrdup(name);
        rec->format = pt_xstrdup(format);
        rec->path =
            pt_xasprintf("%s/%s%s", work, name, archive ? pt_reader_archive_suffix(format) : "");
    }
    if (rc == PT_OK && !archive) {
        char *bad = NULL;
        int fd = open(rec->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || !plain_tree(fd, name, &bad)) {
            char *b = pt_backup_name_shown(bad ? bad : name);
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site copy of %s holds a symbolic link or special file "
                                "(%s); nothing was kept"),
                              what, b);
            free(b);
        }
        free(bad);
    }
    free(what);
    free(link);
    free(stray);
    free(zip);
    free(zst);
    free(zip_sum);
    free(zst_sum);
    return rc;
}

/* The backup in work, checked where it lies: it verifies, and its report names it. */
static enum pt_status check_backup(const struct pt_project *p, struct pt_record *rec,
                                   const struct pt_monitor *mon, struct pt_error *err)
{
    char *what = pt_backup_name_shown(rec->name);
    rec->status = PT_STATE_COMPLETED;
    rec->verify_ok = -1;
    struct pt_verify_result vr;
    struct pt_error why = {0};
    enum pt_status rc = pt_verify_record(p, rec, false, mon, &vr, &why);
    if (rc == PT_ECANCELLED)
        pt_error_set(err, rc, _("cancelled"));
    else if (rc != PT_OK)
        pt_error_set(err, rc, _("cannot check the off-site copy of %s: %s; nothing was kept"), what,
                     why.message ? why.message : _("failed"));
    else if (!vr.ok)
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site copy of %s does not verify (%s); nothing was kept"), what,
                          vr.n ? vr.problems[0] : "?");
    pt_error_clear(&why);
    pt_verify_result_free(&vr);
    json_t *report = NULL;
    if (rc == PT_OK && (rc = pt_backup_read_report(rec, &report, err)) == PT_OK) {
        const char *name = json_string_value(json_object_get(report, "name"));
        if (!name || strcmp(name, rec->name) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("the report of %s is damaged"), what);
        else
            pt_backup_record_from_report(rec, report);
    }
    json_decref(report);
    if (rc == PT_OK && !rec->created_at)
        rc = pt_error_set(err, PT_EFAIL, _("the report of %s is damaged"), what);
    free(what);
    return rc;
}

/* rename that never replaces what is at to (a folder over an empty folder, say). */
static int move_new(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    struct stat st;
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

/* Moves the checked backup (rec->path in work) into the backup root; rec->path follows it. */
static enum pt_status place(const struct pt_project *p, struct pt_record *rec, struct pt_error *err)
{
    const char *suffix = pt_reader_archive_suffix(rec->format);
    char *to = pt_xasprintf("%s/%s%s", p->backups, rec->name, suffix ? suffix : "");
    char *from_sum = pt_xasprintf("%s.sha256", rec->path), *to_sum = pt_xasprintf("%s.sha256", to);
    enum pt_status rc = PT_OK;
    if (move_new(rec->path, to) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), to,
                          strerror(errno));
    if (rc == PT_OK && suffix && move_new(from_sum, to_sum) != 0) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), to_sum,
                          strerror(errno));
        remove_or_say(to, err);
    }
    if (rc == PT_OK) {
        free(rec->path);
        rec->path = to;
        to = NULL;
        if (pt_fsync_dir(p->backups) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), p->backups, strerror(errno));
    }
    free(to);
    free(from_sum);
    free(to_sum);
    return rc;
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
        rc = check_tree(work, snap->name, rec, err);
    if (rc == PT_OK)
        rc = check_backup(p, rec, mon, err);
    if (rc == PT_OK && !pt_backup_name_free(p, c, rec->name))
        rc = pt_error_set(err, PT_EINVAL,
                          _("a backup named %s exists here already; nothing was kept"), rec->name);
    if (rc == PT_OK)
        rc = place(p, rec, err);
    if (rc == PT_OK) {
        pt_record_set_message(rec, PT_MESSAGE_PULLED, snap->short_id);
        if ((rc = pt_catalog_insert(c, rec, err)) != PT_OK) {
            /* Not recorded: what was moved in goes again. */
            char *sidecar = pt_xasprintf("%s.sha256", rec->path);
            remove_or_say(rec->path, err);
            if (pt_reader_archive_suffix(rec->format))
                remove_or_say(sidecar, err);
            free(sidecar);
        }
    }
    if (rc == PT_OK) {
        char iso[32];
        pt_time_iso(p->now_ms, iso);
        pt_catalog_set_verified(c, rec->id, iso, true, NULL);
    }
    remove_or_say(work, err);
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
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_WRITE, err);
    if (rc != PT_OK)
        return rc;
    /* A new project takes the settings its backup carries (poshtiban/carried.h). */
    bool fresh = pt_carried_fresh(c);
    if ((rc = pt_lock_acquire(&lock, p, err)) != PT_OK)
        goto out;
    if (o->repository &&
        (rc = pt_settings_set(c, "offsite.repository", o->repository, err)) != PT_OK)
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
    if ((rc = check_snapshot(p, &r, listed, project, snap, mon, &need, err)) != PT_OK)
        goto out;
    if ((rc = fetch(p, c, &r, snap, need, mon, &rec, err)) != PT_OK)
        goto out;
    pt_catalog_set_offsite(c, rec.id, snap->short_id, p->now_ms, NULL, 0, NULL);
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
    pt_catalog_close(c);
    return rc;
}
