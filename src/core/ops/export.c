// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/pack.h"
#include "base/fsutil.h"
#include "poshtiban/i18n.h"
#include "poshtiban/catalog.h"

enum pt_status pt_export_backup(const struct pt_project *p, const char *id, const char *output,
                                const struct pt_monitor *monitor, char **path, struct pt_error *err)
{
    *path = NULL;
    struct pt_catalog *c;
    struct pt_record r = {0};
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_READ, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_catalog_get(c, id, &r, err);
    pt_catalog_close(c);
    if (rc != PT_OK)
        return rc;
    if (r.status != PT_STATE_COMPLETED) {
        rc = pt_error_set(err, PT_EINVAL,
                          _("backup %s is not complete (%s): there is nothing to export"), r.name,
                          pt_state_label(r.status));
        pt_record_free(&r);
        return rc;
    }
    char *dest;
    if (output) {
        char *cwd = getcwd(NULL, 0);
        dest = pt_path_absolute(cwd ? cwd : "/", output);
        free(cwd);
    } else {
        char *dir = pt_path_join(p->meta, "exports");
        if (pt_mkdir_p(dir, 0700) != 0) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), dir, strerror(errno));
            free(dir);
            pt_record_free(&r);
            return rc;
        }
        char *file = pt_xasprintf("%s.zip", r.name);
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
    rc = pt_pack_export(&r, part, monitor, err);
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
