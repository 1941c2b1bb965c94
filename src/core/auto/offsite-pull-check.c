// SPDX-License-Identifier: GPL-3.0-or-later
/* pull: what a pull fetched, confined and checked before it is trusted, then moved into place. */
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

#include "poshtiban/backup-read.h"
#include "poshtiban/changes.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/notify.h"
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
#include "ops/reindex.h"
#include "ops/verify.h"
#include "store/autolog.h"

/* ---- confinement (README, "Off-site copies": what a pull takes) ----------- */

/*
 * Anyone who can write to the repository can forge a snapshot: its name
 * tag is checked as `create --name` checks a name before anything is
 * fetched, restic restores into a private folder of its own under
 * .poshtiban/tmp, and only one backup of that name, verified there, is
 * moved into the backup root and recorded.
 */

/* Adds "; what" to the message in err: something more went wrong on the way out. */

void pt_offsite_pull_also(struct pt_error *err, const char *fmt, ...)
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
void pt_offsite_pull_remove_or_say(const char *path, struct pt_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT)
        return;
    if (pt_remove_tree(path) != 0)
        pt_offsite_pull_also(err, _("%s could not be removed: %s"), path, strerror(errno));
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
enum pt_status pt_offsite_pull_check_snapshot(const struct pt_project *p, struct pt_restic *r,
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
enum pt_status pt_offsite_pull_check_tree(const char *work, const char *name, struct pt_record *rec,
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
enum pt_status pt_offsite_pull_check_backup(const struct pt_project *p, struct pt_record *rec,
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
int pt_offsite_pull_move_new(const char *from, const char *to)
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
enum pt_status pt_offsite_pull_place(const struct pt_project *p, struct pt_record *rec,
                                     struct pt_error *err)
{
    const char *suffix = pt_reader_archive_suffix(rec->format);
    char *to = pt_xasprintf("%s/%s%s", p->backups, rec->name, suffix ? suffix : "");
    char *from_sum = pt_xasprintf("%s.sha256", rec->path), *to_sum = pt_xasprintf("%s.sha256", to);
    enum pt_status rc = PT_OK;
    if (pt_offsite_pull_move_new(rec->path, to) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), to,
                          strerror(errno));
    if (rc == PT_OK && suffix && pt_offsite_pull_move_new(from_sum, to_sum) != 0) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), to_sum,
                          strerror(errno));
        pt_offsite_pull_remove_or_say(to, err);
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
