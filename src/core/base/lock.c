// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"

/* flock(2) on path with how (LOCK_EX, LOCK_NB); busy is the sentence for EWOULDBLOCK. */
static enum pt_status take(struct pt_lock *lock, const char *path, int how, const char *busy,
                           const char *backups, struct pt_error *err)
{
    lock->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock->fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot open the lock %s: %s"), path, strerror(errno));
    int rc;
    while ((rc = flock(lock->fd, how)) != 0 && errno == EINTR)
        ;
    if (rc != 0) {
        int saved = errno;
        close(lock->fd);
        lock->fd = -1;
        if (saved == EWOULDBLOCK)
            return pt_error_set(err, PT_EBUSY, busy, backups);
        return pt_error_set(err, PT_EFAIL, _("cannot take the lock %s: %s"), path, strerror(saved));
    }
    return PT_OK;
}

enum pt_status pt_lock_acquire(struct pt_lock *lock, const struct pt_project *project,
                               struct pt_error *err)
{
    return take(lock, project->lock, LOCK_EX | LOCK_NB,
                _("busy: another poshtiban process is working on %s"), project->backups, err);
}

enum pt_status pt_lock_wait(struct pt_lock *lock, const struct pt_project *project,
                            struct pt_error *err)
{
    return take(lock, project->lock, LOCK_EX, "%s", project->backups, err);
}

enum pt_status pt_lock_acquire_offsite(struct pt_lock *lock, const struct pt_project *project,
                                       struct pt_error *err)
{
    char *path = pt_path_join(project->meta, "offsite.lock");
    enum pt_status rc = take(lock, path, LOCK_EX | LOCK_NB,
                             _("busy: another poshtiban process is sending backups of %s off-site"),
                             project->backups, err);
    free(path);
    return rc;
}

void pt_lock_release(struct pt_lock *lock)
{
    if (lock->fd >= 0) {
        flock(lock->fd, LOCK_UN);
        close(lock->fd);
    }
    lock->fd = -1;
}
