// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "poshtiban/i18n.h"

enum pt_status pt_lock_acquire(struct pt_lock *lock, const struct pt_project *project,
                               struct pt_error *err)
{
    lock->fd = open(project->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock->fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot open the lock %s: %s"), project->lock,
                            strerror(errno));
    if (flock(lock->fd, LOCK_EX | LOCK_NB) != 0) {
        int saved = errno;
        close(lock->fd);
        lock->fd = -1;
        if (saved == EWOULDBLOCK)
            return pt_error_set(err, PT_EBUSY,
                                _("busy: another poshtiban process is working on %s"),
                                project->backups);
        return pt_error_set(err, PT_EFAIL, _("cannot take the lock %s: %s"), project->lock,
                            strerror(saved));
    }
    return PT_OK;
}

void pt_lock_release(struct pt_lock *lock)
{
    if (lock->fd >= 0) {
        flock(lock->fd, LOCK_UN);
        close(lock->fd);
    }
    lock->fd = -1;
}
