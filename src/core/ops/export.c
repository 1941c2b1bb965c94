// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/session.h"

#include "base/fsutil.h"
#include "engine/pack.h"

/* True when where (resolved) is the database or one of SQLite's files beside it. */
static bool is_database(const struct pt_project *p, const char *where, const struct stat *st)
{
    char *db = pt_path_resolve(p->database);
    bool hit = false;
    static const char *const beside[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]) && !hit; i++) {
        char *f = pt_xasprintf("%s%s", db, beside[i]);
        hit = strcmp(f, where) == 0;
        free(f);
    }
    struct stat dbst;
    if (!hit && st && stat(db, &dbst) == 0)
        hit = dbst.st_dev == st->st_dev && dbst.st_ino == st->st_ino;
    free(db);
    return hit;
}

/*
 * Where `export -o` may write (docs/safety.md, "What export may replace"):
 * never the database, nothing inside the media folder or the backup root
 * but its exports folder, and an existing file only with force. A folder
 * given as output receives <name>.zip. *dest is replaced by the final path.
 */
static enum pt_status check_output(const struct pt_project *p, const char *name, bool force,
                                   bool plain, char **dest, struct pt_error *err)
{
    struct stat st;
    if (stat(*dest, &st) == 0 && S_ISDIR(st.st_mode)) {
        char *file = pt_xasprintf("%s%s.zip", name, plain ? "-plain" : "");
        char *inside = pt_path_join(*dest, file);
        free(file);
        free(*dest);
        *dest = inside;
    }
    char *where = pt_path_resolve(*dest);
    char *media = p->media ? pt_path_resolve(p->media) : NULL;
    char *backups = pt_path_resolve(p->backups);
    char *exports_dir = pt_path_join(p->meta, "exports");
    char *exports = pt_path_resolve(exports_dir);
    bool exists = lstat(*dest, &st) == 0;
    enum pt_status rc = PT_OK;
    if (is_database(p, where, exists ? &st : NULL))
        rc = pt_error_set(err, PT_EINVAL,
                          _("%s is the project's database: export never writes there"), *dest);
    else if (media && pt_path_within(media, where))
        rc = pt_error_set(err, PT_EINVAL,
                          _("%s lies inside the media folder %s: export never writes there"), *dest,
                          p->media);
    else if (pt_path_within(backups, where) &&
             !(pt_path_within(exports, where) && strcmp(exports, where) != 0))
        rc = pt_error_set(err, PT_EINVAL,
                          _("%s lies inside the backup folder %s: export writes there only into "
                            "%s"),
                          *dest, p->backups, exports_dir);
    else if (exists && S_ISDIR(st.st_mode))
        rc = pt_error_set(err, PT_EINVAL, _("%s is a folder: export writes a file"), *dest);
    else if (exists && !force)
        rc = pt_error_set(err, PT_EINVAL,
                          _("%s exists already: nothing was written (--force replaces it)"), *dest);
    free(where);
    free(media);
    free(backups);
    free(exports_dir);
    free(exports);
    return rc;
}

enum pt_status pt_export_backup(struct pt_session *s, const char *id, const char *output,
                                bool force, bool plain, const struct pt_monitor *monitor,
                                char **path, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    *path = NULL;
    struct pt_catalog *c;
    struct pt_record r = {0};
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_READ, &c, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_catalog_get(c, id, &r, err);
    if (rc != PT_OK)
        return rc;
    if (r.status != PT_STATE_COMPLETED) {
        rc = pt_error_set(err, PT_EINVAL,
                          _("backup %s is not complete (%s): there is nothing to export"), r.name,
                          pt_state_label(r.status));
        pt_record_free(&r);
        return rc;
    }
    if (r.verify_ok == 0 && !force) {
        rc = pt_error_set(err, PT_EINVAL,
                          _("backup %s did not verify the last time it was checked: verify it "
                            "again, or export it as it is with --force"),
                          r.name);
        pt_record_free(&r);
        return rc;
    }
    char *dest;
    if (output) {
        char *cwd = getcwd(NULL, 0);
        dest = pt_path_absolute(cwd ? cwd : "/", output);
        free(cwd);
        if ((rc = check_output(p, r.name, force, plain, &dest, err)) != PT_OK) {
            free(dest);
            pt_record_free(&r);
            return rc;
        }
    } else {
        char *dir = pt_path_join(p->meta, "exports");
        if (pt_mkdir_p(dir, 0700) != 0) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), dir, strerror(errno));
            free(dir);
            pt_record_free(&r);
            return rc;
        }
        char *file = pt_xasprintf("%s%s.zip", r.name, plain ? "-plain" : "");
        dest = pt_path_join(dir, file);
        free(file);
        free(dir);
    }
    char *part = pt_xasprintf("%s.part-%ld", dest, (long)getpid());
    unlink(part);
    /* Where the part file is, for recovery to remove it if this process is killed. */
    char *marker = pt_xasprintf("%s/export-%ld", p->tmp, (long)getpid());
    int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ssize_t w = write(fd, part, strlen(part));
        (void)w;
        close(fd);
    }
    rc = pt_pack_export(&r, part, plain, monitor, err);
    if (rc == PT_OK && rename(part, dest) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dest, strerror(errno));
    if (rc != PT_OK) {
        unlink(part);
        free(dest);
    } else {
        *path = dest;
    }
    unlink(marker);
    free(marker);
    free(part);
    pt_record_free(&r);
    return rc;
}
