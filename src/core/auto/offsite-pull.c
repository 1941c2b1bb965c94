// SPDX-License-Identifier: GPL-3.0-or-later
/* pull: one backup back from the repository. */
#include "poshtiban/offsite.h"
#include "poshtiban/session.h"

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
#include "base/filewriter.h"
#include "base/fsutil.h"
#include "poshtiban/changes.h"
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

/* ---- a chain of change sets (docs/changes.md, "Off-site") ---------------- */

/* "changes_YYYYMMDD_HHMMSS", with "_2", "_3"… within one second: nothing else. */
static bool point_name_valid(const char *s, size_t len)
{
    static const char pattern[] = "changes_dddddddd_dddddd";
    size_t fixed = sizeof(pattern) - 1;
    if (len < fixed)
        return false;
    for (size_t i = 0; i < fixed; i++)
        if (pattern[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pattern[i])
            return false;
    if (len == fixed)
        return true;
    if (s[fixed] != '_' || len == fixed + 1 || len > fixed + 6 || s[fixed + 1] == '0')
        return false;
    for (size_t i = fixed + 1; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The point name of a chain's file name and what it is: 1 JSON, 2 changeset, 3 snapshot, 0 none. */
static int chain_file(const char *file, size_t *len)
{
    static const char *const suffixes[] = {".json", ".changeset.zst", ".sqlite3.zst"};
    size_t n = strlen(file);
    for (int k = 0; k < 3; k++) {
        size_t sl = strlen(suffixes[k]);
        if (n > sl && strcmp(file + n - sl, suffixes[k]) == 0 && point_name_valid(file, n - sl)) {
            *len = n - sl;
            return k + 1;
        }
    }
    return 0;
}

/* One point of a fetched chain, checked. */
struct fetched_point {
    char *name, *data;
    int seq;
};

static int fetched_by_seq(const void *a, const void *b)
{
    const struct fetched_point *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The one entry of folder dir, which must be a folder named name (no link). */
static bool only_folder(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    int entries = 0;
    bool ok = true;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        entries++;
        struct stat st;
        ok = ok && strcmp(e->d_name, name) == 0 &&
             fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    closedir(d);
    return ok && entries == 1;
}

/*
 * What restic restored into work must be base's chain and nothing else:
 * changes/<base>/ holding regular files alone, each a point's JSON or its
 * data file, every JSON naming itself, base and its data file, whose
 * checksum and size it gives. *points (by seq) receives them.
 */
static enum pt_status check_chain(const char *work, const char *base, struct fetched_point **points,
                                  size_t *n, struct pt_error *err)
{
    *points = NULL;
    *n = 0;
    char *what = pt_backup_name_shown(base);
    char *changes = pt_path_join(work, PT_CHANGES_DIR);
    char *dir = pt_path_join(changes, base);
    enum pt_status rc = PT_OK;
    if (!only_folder(work, PT_CHANGES_DIR) || !only_folder(changes, base))
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site change sets of %s hold more than its chain, or a "
                            "link; nothing was kept"),
                          what);
    DIR *d = rc == PT_OK ? opendir(dir) : NULL;
    if (rc == PT_OK && !d)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), dir, strerror(errno));
    size_t n_data = 0;
    struct dirent *e;
    while (d && rc == PT_OK && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        size_t len = 0;
        int kind = chain_file(e->d_name, &len);
        char *shown = pt_backup_name_shown(e->d_name);
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site change sets of %s hold a link or special file "
                                "(%s); nothing was kept"),
                              what, shown);
        else if (kind == 0)
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site change sets of %s hold %s, which is no file of a "
                                "change set; nothing was kept"),
                              what, shown);
        free(shown);
        if (rc != PT_OK || kind != 1) {
            n_data += kind > 1;
            continue;
        }
        char *name = pt_xasprintf("%.*s", (int)len, e->d_name);
        char *path = pt_path_join(dir, e->d_name);
        char *text = pt_read_file(path, PT_SMALL_FILE_MAX, NULL);
        json_t *doc = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
        const char *j_name = json_string_value(json_object_get(doc, "name"));
        const char *j_base = json_string_value(json_object_get(doc, "base"));
        const char *j_file = json_string_value(json_object_get(doc, "file"));
        const char *j_kind = json_string_value(json_object_get(doc, "kind"));
        const char *j_sha = json_string_value(json_object_get(doc, "sha256"));
        json_t *j_size = json_object_get(doc, "size"), *j_seq = json_object_get(doc, "seq");
        char *want = j_kind ? pt_xasprintf("%s%s", name,
                                           strcmp(j_kind, "rows") == 0       ? ".changeset.zst"
                                           : strcmp(j_kind, "snapshot") == 0 ? ".sqlite3.zst"
                                                                             : "?")
                            : NULL;
        char *shown_name = pt_backup_name_shown(name);
        if (!json_is_object(doc) || !j_name || strcmp(j_name, name) != 0 || !want || !j_file ||
            strcmp(j_file, want) != 0 || !j_sha || !json_is_integer(j_size) ||
            !json_is_integer(j_seq) || json_integer_value(j_seq) < 1 ||
            json_integer_value(j_seq) > 1000000000) {
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site change set %s of %s is damaged; nothing was kept"),
                              shown_name, what);
        } else if (!j_base || strcmp(j_base, base) != 0) {
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site change set %s names another backup as its base; "
                                "nothing was kept"),
                              shown_name);
        } else {
            char *data = pt_path_join(dir, want);
            char hex[PT_SHA256_HEX];
            int64_t size = -1;
            struct stat ds;
            if (lstat(data, &ds) != 0 || !S_ISREG(ds.st_mode) ||
                pt_sha256_file(data, hex, &size, NULL) != PT_OK || strcmp(hex, j_sha) != 0 ||
                size != json_integer_value(j_size)) {
                rc = pt_error_set(err, PT_EFAIL,
                                  _("the off-site change set %s of %s is missing or damaged (its "
                                    "checksum differs); nothing was kept"),
                                  shown_name, what);
                free(data);
            } else {
                *points = pt_xrealloc(*points, (*n + 1) * sizeof(**points));
                (*points)[(*n)++] =
                    (struct fetched_point){pt_xstrdup(name), data, (int)json_integer_value(j_seq)};
            }
        }
        free(shown_name);
        free(want);
        json_decref(doc);
        free(text);
        free(path);
        free(name);
    }
    if (d)
        closedir(d);
    /* Each data file is some point's: nothing left over. */
    if (rc == PT_OK && n_data != *n)
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site change sets of %s hold a data file no change set "
                            "names; nothing was kept"),
                          what);
    if (rc == PT_OK && *n > 1)
        qsort(*points, *n, sizeof(**points), fetched_by_seq);
    free(dir);
    free(changes);
    free(what);
    return rc;
}

static void fetched_free(struct fetched_point *points, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(points[i].name);
        free(points[i].data);
    }
    free(points);
}

/*
 * Moves the checked points into changes/<base>/, oldest first, each data
 * file before its JSON; a point that is here already stays as it is.
 */
static enum pt_status place_chain(const struct pt_project *p, const char *base,
                                  const struct fetched_point *points, size_t n,
                                  struct pt_error *err)
{
    char *dir = pt_xasprintf("%s/%s/%s", p->backups, PT_CHANGES_DIR, base);
    enum pt_status rc = PT_OK;
    if (pt_mkdir_p(dir, 0700) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), dir, strerror(errno));
    for (size_t i = 0; i < n && rc == PT_OK; i++) {
        char *json = pt_xasprintf("%s/%s.json", dir, points[i].name);
        char *from_json =
            pt_xasprintf("%.*s/%s.json", (int)(strrchr(points[i].data, '/') - points[i].data),
                         points[i].data, points[i].name);
        char *data = pt_path_join(dir, strrchr(points[i].data, '/') + 1);
        struct stat st;
        if (lstat(json, &st) != 0) {
            if (move_new(points[i].data, data) != 0 && errno != EEXIST)
                rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into %s: %s"), points[i].name,
                                  dir, strerror(errno));
            else if (move_new(from_json, json) != 0)
                rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into %s: %s"), points[i].name,
                                  dir, strerror(errno));
        }
        free(json);
        free(from_json);
        free(data);
    }
    if (rc == PT_OK && pt_fsync_dir(dir) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dir, strerror(errno));
    free(dir);
    return rc;
}

/*
 * With pull --at: the newest chain snapshot of base, hostile until proven
 * (docs/changes.md, "Off-site"): restored into a private folder under
 * .poshtiban/tmp, checked file by file, then its points moved into place.
 * No chain off-site: nothing to do.
 */
static enum pt_status fetch_chain(const struct pt_project *p, struct pt_restic *r, json_t *listed,
                                  const char *project, const char *base,
                                  const struct pt_monitor *mon, struct pt_error *err)
{
    struct pt_offsite_chain *chains = NULL;
    size_t n = 0;
    pt_offsite_read_chains(listed, project, &chains, &n);
    const struct pt_offsite_chain *chain = NULL;
    /* The newest that names base at all: one that also names another is refused, not skipped. */
    for (size_t i = n; i-- > 0 && !chain;)
        if (pt_offsite_chain_names(&chains[i], base))
            chain = &chains[i];
    enum pt_status rc = PT_OK;
    char *what = pt_backup_name_shown(base);
    if (chain && !chain->confined)
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site change sets of %s (snapshot %s) carry the tags of "
                            "another project, backup or chain; nothing was kept"),
                          what, chain->short_id);
    char *work = NULL;
    if (chain && rc == PT_OK) {
        work = pt_xasprintf("%s/pull-changes-XXXXXX", p->tmp);
        if (pt_mkdir_p(p->tmp, 0700) != 0 || !mkdtemp(work)) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), work, strerror(errno));
            free(work);
            work = NULL;
        }
    }
    if (work) {
        const char *args[] = {"restore", chain->id, "--target", work, NULL};
        struct pt_restic_call call = {.args = args, .monitor = mon, .phase = PT_PHASE_DOWNLOAD};
        rc = pt_restic_run(r, &call, err);
        struct fetched_point *points = NULL;
        size_t n_points = 0;
        if (rc == PT_OK)
            rc = check_chain(work, base, &points, &n_points, err);
        if (rc == PT_OK)
            rc = place_chain(p, base, points, n_points, err);
        fetched_free(points, n_points);
        remove_or_say(work, err);
        free(work);
    }
    free(what);
    pt_offsite_chains_free(chains, n);
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
    /* pull --at: the base's change sets too, to reach that moment. */
    if (o->at_given) {
        struct pt_error why = {0};
        if (fetch_chain(p, &r, listed, project, snap->name, mon, &why) != PT_OK) {
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
