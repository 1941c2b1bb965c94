// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/restore-at.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

#define BUF_SIZE (256 * 1024)

enum pt_status pt_restore_at_resolve(const struct pt_project *p, int64_t at_ms,
                                     struct pt_restore_chain *chain, struct pt_error *err)
{
    memset(chain, 0, sizeof(*chain));
    return pt_changes_resolve(p, at_ms, &chain->base, &chain->points, &chain->n, err);
}

void pt_restore_at_free(struct pt_restore_chain *chain)
{
    for (size_t i = 0; i < chain->n; i++)
        pt_change_point_free(&chain->points[i]);
    free(chain->points);
    free(chain->base);
    memset(chain, 0, sizeof(*chain));
}

enum pt_status pt_restore_at_copy(const char *from, const char *to, char hex[PT_SHA256_HEX],
                                  struct pt_error *err)
{
    int fd = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), from, strerror(errno));
    unlink(to); /* a leftover of this same process id, long dead */
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, to, err);
    unsigned char *buf = pt_xmalloc(BUF_SIZE);
    while (rc == PT_OK) {
        ssize_t n = read(fd, buf, BUF_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), from, strerror(errno));
        if (n <= 0)
            break;
        rc = pt_file_writer_write(&w, buf, (size_t)n, err);
    }
    free(buf);
    close(fd);
    if (rc == PT_OK)
        return pt_file_writer_close(&w, hex, NULL, err);
    if (w.path)
        pt_file_writer_abort(&w);
    return rc;
}

enum pt_status pt_restore_at_build(const struct pt_project *p, const char *db,
                                   const struct pt_change_point *points, size_t n,
                                   const struct pt_monitor *monitor, struct pt_error *err)
{
    /* pt_changes_apply proves each point and runs integrity_check on the result. */
    return n ? pt_changes_apply(p, db, points, n, monitor, err) : PT_OK;
}
