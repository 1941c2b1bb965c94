// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/project.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

enum pt_status pt_project_resolve(struct pt_project *p, const struct pt_project_options *opts,
                                  struct pt_error *err)
{
    memset(p, 0, sizeof(*p));
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return pt_error_set(err, PT_EFAIL, _("cannot read the current folder: %s"),
                            strerror(errno));
    p->root = pt_path_absolute(cwd, opts->root ? opts->root : ".");
    free(cwd);
    if (!is_dir(p->root)) {
        struct stat st;
        enum pt_status rc =
            stat(p->root, &st) == 0
                ? pt_error_set(err, PT_EINVAL,
                               _("project folder %s is a file, not a folder (-C takes a folder)"),
                               p->root)
                : pt_error_set(err, PT_EINVAL, _("project folder %s: %s"), p->root,
                               strerror(errno ? errno : ENOTDIR));
        pt_project_free(p);
        return rc;
    }
    const char *db = opts->database;
    if (!db || !*db)
        db = getenv("POSHTIBAN_DATABASE");
    p->database = pt_path_absolute(p->root, db && *db ? db : "db.sqlite3");

    if (opts->media && *opts->media) {
        p->media = pt_path_absolute(p->root, opts->media);
        p->media_given = true;
    } else {
        char *media = pt_path_absolute(p->root, "media");
        if (is_dir(media))
            p->media = media;
        else
            free(media);
    }
    p->backups =
        pt_path_absolute(p->root, opts->backups && *opts->backups ? opts->backups : "backups");
    p->meta = pt_path_join(p->backups, ".poshtiban");
    p->catalog = pt_path_join(p->meta, "catalog.sqlite3");
    p->lock = pt_path_join(p->meta, "lock");
    p->tmp = pt_path_join(p->meta, "tmp");
    return PT_OK;
}

enum pt_status pt_project_prepare(const struct pt_project *p, struct pt_error *err)
{
    struct stat st;
    if (stat(p->backups, &st) == 0 && !S_ISDIR(st.st_mode))
        return pt_error_set(err, PT_EINVAL, _("backup folder %s is not a folder"), p->backups);
    if (pt_mkdir_p(p->backups, 0700) != 0 || pt_mkdir_p(p->tmp, 0700) != 0 ||
        access(p->meta, W_OK) != 0 || access(p->backups, W_OK) != 0)
        return pt_error_set(err, PT_EFAIL, _("cannot write to backup folder %s: %s"), p->backups,
                            strerror(errno));
    chmod(p->meta, 0700);
    chmod(p->tmp, 0700);
    return PT_OK;
}

enum pt_status pt_project_check_layout(const struct pt_project *p, struct pt_error *err)
{
    if (!p->media)
        return PT_OK;
    char *media = pt_path_resolve(p->media), *backups = pt_path_resolve(p->backups);
    enum pt_status rc = PT_OK;
    if (pt_path_within(media, backups))
        rc = pt_error_set(err, PT_EINVAL,
                          _("the backup folder %s lies inside the media folder %s, so restoring "
                            "the media would delete the backups: choose another backup folder "
                            "(--backups)"),
                          p->backups, p->media);
    free(media);
    free(backups);
    return rc;
}

void pt_project_free(struct pt_project *p)
{
    free(p->root);
    free(p->database);
    free(p->media);
    free(p->backups);
    free(p->meta);
    free(p->catalog);
    free(p->lock);
    free(p->tmp);
    memset(p, 0, sizeof(*p));
}
