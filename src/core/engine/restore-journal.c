// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/restore-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"
#include "engine/schema.h"

static const char *const phases[] = {"staging", "finishing", "swapped"};

static char *journal_path(const struct pt_project *p)
{
    return pt_path_join(p->meta, "restore.json");
}

void pt_restore_journal_write(const struct pt_project *p, const struct pt_restore_journal *j,
                              enum pt_restore_phase phase)
{
    json_t *doc = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:s, s:I}", "backup", j->backup,
                            "database", j->database, "snapshot", j->snapshot, "media", j->media,
                            "staging", j->staging, "staged_inode", (json_int_t)j->staged_inode,
                            "phase", phases[phase], "pid", (json_int_t)getpid());
    char *path = journal_path(p), *tmp = pt_xasprintf("%s.new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (fd >= 0 && text) {
        size_t len = strlen(text);
        bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
        close(fd);
        if (ok && rename(tmp, path) == 0)
            pt_fsync_dir(p->meta);
        else
            unlink(tmp);
    } else if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(text);
    json_decref(doc);
    free(path);
    free(tmp);
}

void pt_restore_journal_clear(const struct pt_project *p)
{
    char *path = journal_path(p);
    if (unlink(path) == 0)
        pt_fsync_dir(p->meta);
    free(path);
}

enum pt_status pt_restore_swap_folder(const char *target, const char *staging, struct pt_error *err)
{
    struct stat st;
    if (lstat(target, &st) != 0) {
        if (rename(staging, target) != 0)
            return pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), staging,
                                strerror(errno));
        return PT_OK;
    }
    if (renameat2(AT_FDCWD, staging, AT_FDCWD, target, RENAME_EXCHANGE) == 0)
        return PT_OK;
    /* No atomic exchange on this filesystem: the old folder steps aside, the new moves in. */
    char *old = pt_xasprintf("%s-old", staging);
    enum pt_status rc = PT_OK;
    if (rename(target, old) != 0 || rename(staging, target) != 0) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), staging,
                          strerror(errno));
        rename(old, target);
    } else {
        rename(old, staging);
    }
    free(old);
    return rc;
}

static uint64_t inode_of(const char *path)
{
    struct stat st;
    return path && lstat(path, &st) == 0 && S_ISDIR(st.st_mode) ? (uint64_t)st.st_ino : 0;
}

/* A restore killed after the current state was saved: the rest is done now. */
static char *finish(const char *backup, const char *database, const char *snapshot,
                    const char *media, const char *staging, uint64_t staged)
{
    struct pt_error err = {0};
    enum pt_status rc = PT_OK;
    /* Copying the backup's database again gives the same database: safe whether or not it ran. */
    if (database && snapshot && access(snapshot, R_OK) == 0)
        rc = pt_restore_copy_database(snapshot, database, &err);
    else if (database)
        rc = pt_error_set(&err, PT_EFAIL, _("%s is gone"), snapshot ? snapshot : "?");
    /* The new media are where the staged folder's inode is. */
    if (rc == PT_OK && media && staged && inode_of(media) != staged && inode_of(staging) == staged)
        rc = pt_restore_swap_folder(media, staging, &err);
    char *notice = rc == PT_OK
                       ? pt_xasprintf(_("a restore of %s was cut short; it was finished now"),
                                      backup ? backup : "?")
                       : pt_xasprintf(_("a restore of %s was cut short and could not be "
                                        "finished: %s"),
                                      backup ? backup : "?", err.message ? err.message : "?");
    pt_error_clear(&err);
    return notice;
}

char *pt_restore_journal_recover(const struct pt_project *p)
{
    char *path = journal_path(p), *tmp = pt_xasprintf("%s.new", path);
    unlink(tmp); /* a journal write cut short: the previous one stands */
    char *text = pt_read_file(path, 1 << 20, NULL);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    char *notice = NULL;
    const char *backup = json_string_value(json_object_get(doc, "backup"));
    const char *database = json_string_value(json_object_get(doc, "database"));
    const char *snapshot = json_string_value(json_object_get(doc, "snapshot"));
    const char *media = json_string_value(json_object_get(doc, "media"));
    const char *staging = json_string_value(json_object_get(doc, "staging"));
    const char *phase = json_string_value(json_object_get(doc, "phase"));
    uint64_t staged = (uint64_t)json_integer_value(json_object_get(doc, "staged_inode"));
    /* Only ever a staging folder poshtiban named, beside the media it was for. */
    char *expected = media ? pt_xasprintf("%s.poshtiban-restore-", media) : NULL;
    bool ours = staging && expected && strncmp(staging, expected, strlen(expected)) == 0;
    if (doc && phase && strcmp(phase, phases[PT_RESTORE_FINISHING]) == 0)
        notice = finish(backup, database, snapshot, ours ? media : NULL, staging, staged);
    if (ours) {
        char *old = pt_xasprintf("%s-old", staging);
        pt_remove_tree(staging); /* the old media, or new ones never used */
        pt_remove_tree(old);
        free(old);
    }
    free(expected);
    json_decref(doc);
    unlink(path);
    free(path);
    free(tmp);
    return notice;
}

static bool is_wal(sqlite3 *db)
{
    sqlite3_stmt *st;
    bool wal = false;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        wal = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    return wal;
}

/* The database, in one transaction of the backup API: readers see before or after. */
enum pt_status pt_restore_copy_database(const char *snapshot, const char *target,
                                        struct pt_error *err)
{
    sqlite3 *src = NULL, *dst = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3_open_v2(snapshot, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_open_v2(target, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot open %s: %s"), target,
                          sqlite3_errmsg(dst ? dst : src));
        goto out;
    }
    sqlite3_busy_timeout(dst, 30000);
    /*
     * SQLite cannot copy into a WAL database of another page size. The
     * target leaves WAL mode for the copy (which needs no other process to
     * have it open) and goes back after it.
     */
    bool back_to_wal = false;
    int64_t src_page = pt_schema_pragma_int(src, "PRAGMA page_size"),
            dst_page = pt_schema_pragma_int(dst, "PRAGMA page_size");
    if (is_wal(dst) && src_page != dst_page) {
        if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK ||
            is_wal(dst)) {
            rc = pt_error_set(err, PT_EFAIL,
                              _("cannot restore into %s: it is in WAL mode with pages of %d "
                                "bytes and the backup's are %d; stop the programs that have it "
                                "open and restore again"),
                              target, (int)dst_page, (int)src_page);
            goto out;
        }
        back_to_wal = true;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot restore into %s: %s"), target,
                          sqlite3_errmsg(dst));
        goto out;
    }
    int step, tries = 0;
    while ((step = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || step == SQLITE_LOCKED) {
        if (++tries > 600)
            break;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE)
        rc = pt_error_set(err, PT_EFAIL, _("cannot restore into %s: %s"), target,
                          step == SQLITE_BUSY   ? _("it stays locked by another process")
                          : step == SQLITE_FULL ? strerror(ENOSPC)
                                                : sqlite3_errstr(step));
    if (back_to_wal)
        sqlite3_exec(dst, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    return rc;
}
