// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "poshtiban/i18n.h"

#define PAGES_PER_STEP 1024
#define BUSY_TIMEOUT_MS 30000

enum pt_status pt_snapshot_check_source(const char *path, int64_t *size, struct pt_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return pt_error_set(err, PT_EINVAL, _("source database %s: %s"), path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return pt_error_set(err, PT_EINVAL, _("source database %s is not a file"), path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pt_error_set(err, PT_EINVAL, _("source database %s: %s"), path, strerror(errno));
    char header[16] = {0};
    ssize_t n = read(fd, header, sizeof(header));
    close(fd);
    if (n != (ssize_t)sizeof(header) || memcmp(header, "SQLite format 3", 16) != 0)
        return pt_error_set(err, PT_EINVAL, _("source database %s is not a SQLite database"), path);
    if (size)
        *size = st.st_size;
    return PT_OK;
}

static void nap(void)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static bool cancelled(const struct pt_monitor *m)
{
    return m && m->cancel && atomic_load(m->cancel);
}

/* Waits for another process's lock, but never past a cancel (Ctrl-C, SIGTERM). */
static int busy_wait(void *user, int count)
{
    if (cancelled(user) || (int64_t)count * 50 >= BUSY_TIMEOUT_MS)
        return 0;
    nap();
    return 1;
}

static void report(const struct pt_monitor *m, int64_t done, int64_t total)
{
    if (m && m->progress) {
        struct pt_progress p = {PT_PHASE_SNAPSHOT, done, total, NULL};
        m->progress(&p, m->user);
    }
}

enum pt_status pt_snapshot_take(const char *source, const char *dest, bool durable,
                                const struct pt_monitor *monitor, struct pt_error *err)
{
    sqlite3 *src = NULL, *dst = NULL;
    sqlite3_backup *backup = NULL;
    enum pt_status rc = PT_OK;
    bool in_txn = false;

    /* Owner-only from the first byte: SQLite keeps the mode of an existing file. */
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), dest, strerror(errno));
    close(fd);

    if (sqlite3_open_v2(source, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot open source database %s: %s"), source,
                          sqlite3_errmsg(src));
        goto out;
    }
    sqlite3_busy_handler(src, busy_wait, (void *)monitor);
    /* One read transaction for the whole copy: every step sees the same state. */
    if (sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL) !=
        SQLITE_OK) {
        int code = sqlite3_errcode(src);
        if (cancelled(monitor))
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
        else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            rc = pt_error_set(err, PT_EFAIL,
                              _("source database %s is busy: another process holds it locked"),
                              source);
        else
            rc = pt_error_set(err, PT_EINVAL, _("cannot read source database %s: %s"), source,
                              sqlite3_errmsg(src));
        goto out;
    }
    in_txn = true;
    if (sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), dest, sqlite3_errmsg(dst));
        goto out;
    }
    /*
     * The copy is a new file nobody else opens, removed whole when anything
     * fails: no journal, and no sync at each step; one fsync when it is
     * complete (below).
     */
    sqlite3_exec(dst, "PRAGMA synchronous = OFF; PRAGMA journal_mode = OFF", NULL, NULL, NULL);
    backup = sqlite3_backup_init(dst, "main", src, "main");
    if (!backup) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot start the snapshot: %s"), sqlite3_errmsg(dst));
        goto out;
    }
    int page_size = 4096;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(src, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        page_size = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    int busy_tries = 0;
    for (;;) {
        int step = sqlite3_backup_step(backup, PAGES_PER_STEP);
        int64_t total = (int64_t)sqlite3_backup_pagecount(backup) * page_size;
        int64_t done = total - (int64_t)sqlite3_backup_remaining(backup) * page_size;
        if (step == SQLITE_DONE) {
            report(monitor, total, total);
            break;
        }
        if (step == SQLITE_BUSY || step == SQLITE_LOCKED) {
            if (cancelled(monitor)) {
                rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
                goto out;
            }
            if (++busy_tries * 50 > BUSY_TIMEOUT_MS) {
                rc = pt_error_set(err, PT_EFAIL, _("source database %s stays locked"), source);
                goto out;
            }
            nap();
            continue;
        }
        if (step != SQLITE_OK) {
            int code = sqlite3_errcode(dst);
            rc = pt_error_set(err, PT_EFAIL, _("snapshot of %s failed: %s"), source,
                              code == SQLITE_FULL ? strerror(ENOSPC) : sqlite3_errstr(step));
            goto out;
        }
        busy_tries = 0;
        report(monitor, done, total);
        if (cancelled(monitor)) {
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
            goto out;
        }
    }
    if (sqlite3_backup_finish(backup) != SQLITE_OK) {
        backup = NULL;
        rc = pt_error_set(err, PT_EFAIL, _("snapshot of %s failed: %s"), source,
                          sqlite3_errmsg(dst));
        goto out;
    }
    backup = NULL;
    sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
    in_txn = false;
    /* A copy of a WAL database says WAL in its header; make it one plain file. */
    if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot finish the snapshot %s: %s"), dest,
                          sqlite3_errmsg(dst));
        goto out;
    }
out:
    if (backup)
        sqlite3_backup_finish(backup);
    if (in_txn)
        sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
    sqlite3_close_v2(src);
    if (dst && sqlite3_close(dst) != SQLITE_OK && rc == PT_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot finish the snapshot %s"), dest);
    if (rc == PT_OK && durable) {
        fd = open(dest, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dest, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return rc;
}
