// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/remove.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/i18n.h"
#include "poshtiban/session.h"

#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/reader.h"
#include "ops/changes-store.h"
#include "ops/changes-thin.h"
#include "ops/metrics.h"
#include "ops/remove.h"

enum pt_status pt_backup_remove_locked(const struct pt_project *p, struct pt_catalog *c,
                                       const struct pt_record *r, struct pt_error *err)
{
    const char *suffix = pt_reader_archive_suffix(r->format);
    char *expected = pt_xasprintf("%s/%s%s", p->backups, r->name, suffix ? suffix : "");
    /* Only ever the backup's own file or folder, directly in the backup root. */
    bool safe = r->path && strcmp(r->path, expected) == 0 && strchr(r->name, '/') == NULL &&
                r->name[0] != '.';
    free(expected);
    if (!safe)
        return pt_error_set(err, PT_EFAIL,
                            _("backup %s: %s is not where its backup belongs; nothing deleted"),
                            r->name, r->path ? r->path : "?");
    /* Marked first: a delete cut short is finished by recovery, never taken for a backup. */
    enum pt_status rc = pt_catalog_set_status(c, r->id, PT_STATE_DELETING, err);
    if (rc != PT_OK)
        return rc;
    /* Its chain first: never a chain without its base (docs/changes.md, "Retention"). */
    if (pt_thin_remove_chain(p, r->name) != 0)
        return pt_error_set(err, PT_EFAIL, _("cannot delete the change sets of %s: %s"), r->name,
                            strerror(errno));
    if (pt_remove_tree(r->path) != 0)
        return pt_error_set(err, PT_EFAIL, _("cannot delete %s: %s"), r->path, strerror(errno));
    if (suffix) {
        char *sidecar = pt_xasprintf("%s.sha256", r->path);
        unlink(sidecar);
        free(sidecar);
    }
    pt_fsync_dir(p->backups);
    return pt_catalog_delete(c, r->id, err);
}

enum pt_status pt_backup_delete(struct pt_session *s, const char *id, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    struct pt_catalog *c;
    struct pt_lock lock = {-1};
    struct pt_record r = {0};
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_READ, &c, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_catalog_get(c, id, &r, err)) == PT_OK &&
        (rc = pt_lock_acquire(&lock, p, err)) == PT_OK) {
        if (r.status == PT_STATE_RUNNING)
            rc = pt_error_set(err, PT_EINVAL, _("backup %s is running; it cannot be deleted"),
                              r.name);
        else if (r.status == PT_STATE_COMPLETED || r.status == PT_STATE_DELETING)
            rc = pt_backup_remove_locked(p, c, &r, err);
        else
            rc = pt_catalog_delete(c, r.id, err); /* a failed one has no files */
    }
    pt_lock_release(&lock);
    pt_record_free(&r);
    if (rc == PT_OK)
        pt_metrics_update(p, c);
    return rc;
}
