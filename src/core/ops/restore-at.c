// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/restore-at.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

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

enum pt_status pt_restore_at_integrity(const char *db, struct pt_error *err)
{
    sqlite3 *conn = NULL;
    sqlite3_stmt *st = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3_open_v2(db, &conn, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(conn, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("integrity check failed: %s"), sqlite3_errmsg(conn));
    } else {
        int step = sqlite3_step(st);
        const char *verdict = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (!verdict || strcmp(verdict, "ok") != 0)
            rc = pt_error_set(err, PT_EFAIL, _("integrity check failed: %s"),
                              verdict ? verdict : sqlite3_errmsg(conn));
    }
    sqlite3_finalize(st);
    sqlite3_close(conn);
    return rc;
}

enum pt_status pt_restore_at_build(const struct pt_project *p, const char *db,
                                   const struct pt_change_point *points, size_t n,
                                   const struct pt_monitor *monitor, struct pt_error *err)
{
    enum pt_status rc = n ? pt_changes_apply(p, db, points, n, monitor, err) : PT_OK;
    if (rc != PT_OK)
        return rc;
    struct pt_error why = {0};
    if (pt_restore_at_integrity(db, &why) != PT_OK) {
        /* Which point the state was built up to: the one to blame, or its base. */
        rc = pt_error_set(err, PT_EFAIL, _("change set %s: %s"), n ? points[n - 1].name : "-",
                          why.message ? why.message : _("damaged"));
        pt_error_clear(&why);
    }
    return rc;
}
