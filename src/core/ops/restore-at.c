// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/restore-at.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

#include "ops/changes-store.h"

#define BUF_SIZE (256 * 1024)

/*
 * A point whose JSON is gone is left out of the list: the chain would skip
 * it without a word. Its successor's "previous" shows the gap. From the
 * newest whole database on (what came before it is moot), the points
 * reached and the first one after them must link up: the one missing may
 * be at or before the moment.
 */
static enum pt_status check_no_gap(const struct pt_project *p, const struct pt_restore_chain *chain,
                                   struct pt_error *err)
{
    struct pt_change_list all;
    enum pt_status rc = pt_changes_chain(p, chain->base, &all, err);
    if (rc != PT_OK)
        return rc;
    size_t from = pt_changes_start(chain->points, chain->n);
    size_t end = chain->n < all.n ? chain->n + 1 : all.n;
    if (from < end)
        rc = pt_changes_check_chain(all.points + from, end - from, from, err);
    pt_change_list_free(&all);
    return rc;
}

enum pt_status pt_restore_at_resolve(const struct pt_project *p, struct pt_catalog *c,
                                     int64_t at_ms, struct pt_restore_chain *chain,
                                     struct pt_error *err)
{
    memset(chain, 0, sizeof(*chain));
    enum pt_status rc =
        pt_changes_resolve(p, c, at_ms, &chain->base, &chain->points, &chain->n, err);
    if (rc == PT_OK)
        rc = check_no_gap(p, chain, err);
    return rc;
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
    /*
     * pt_changes_apply proves each point and runs integrity_check on the
     * result. It counts points where the restore's phase counts bytes: only
     * the cancel is passed on.
     */
    struct pt_monitor cancel_only = {.cancel = monitor ? monitor->cancel : NULL};
    return n ? pt_changes_apply(p, db, points, n, &cancel_only, err) : PT_OK;
}
