// SPDX-License-Identifier: GPL-3.0-or-later
/* A restore carried out: the approved plan, checked again under the lock, then applied. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "poshtiban/backup-read.h"
#include "poshtiban/i18n.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"
#include "poshtiban/verify.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/reader.h"
#include "engine/restore-journal.h"
#include "ops/backup-internal.h"
#include "ops/hooks.h"
#include "ops/naming.h"
#include "ops/restore-internal.h"

static enum pt_status restore_database(struct restoring *s, struct pt_error *err)
{
    enum pt_status rc = pt_restore_copy_database(s->snapshot, s->plan->database_target, err);
    pt_restore_report(s, 0, "database.sqlite3");
    return rc;
}

struct extract {
    struct restoring *session;
    struct archive *disk;
    unsigned char *buf;
    mode_t dir_mode, file_mode; /* never wider than the media folder's own */
    json_t *modes; /* "media/…" → the original's permission bits, from the report */
};

/* Each file extracted is what SHA256SUMS lists, once: or nothing is swapped in. */
static enum pt_status check_installed(struct restoring *s, const char *path, const char *hex,
                                      struct pt_error *err)
{
    struct pt_sum *sum = pt_sums_find(&s->listed, path);
    if (!sum)
        return pt_error_set(err, PT_EFAIL, _("refused to restore %s: %s is not in its SHA256SUMS"),
                            s->record.name, path);
    if (sum->seen)
        return pt_error_set(err, PT_EFAIL, _("refused to restore %s: it holds %s twice"),
                            s->record.name, path);
    sum->seen = true;
    if (strcmp(sum->sha256, hex) != 0)
        return pt_error_set(err, PT_EFAIL,
                            _("refused to restore %s: %s does not match its checksum"),
                            s->record.name, path);
    return PT_OK;
}

static enum pt_status extract_entry(const struct pt_entry *e, struct pt_reader *r, void *user,
                                    struct pt_error *err)
{
    struct extract *x = user;
    if (strncmp(e->path, "media/", 6) != 0 || !e->path[6])
        return PT_OK;
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, e->path + 6); /* relative: the staging folder is the cwd */
    /* To the nanosecond: the next backup knows an unchanged file by it and shares it. */
    archive_entry_set_mtime(ae, e->mtime, e->mtime_nsec);
    if (e->type == PT_ENTRY_DIR) {
        archive_entry_set_filetype(ae, AE_IFDIR);
        archive_entry_set_perm(ae, x->dir_mode);
    } else if (e->type == PT_ENTRY_LINK) {
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_perm(ae, 0777);
        archive_entry_set_symlink(ae, e->link_target);
    } else {
        archive_entry_set_filetype(ae, AE_IFREG);
        json_t *recorded = json_object_get(x->modes, e->path);
        archive_entry_set_perm(ae, recorded ? (mode_t)json_integer_value(recorded) : x->file_mode);
        archive_entry_set_size(ae, e->size);
    }
    enum pt_status rc = PT_OK;
    if (archive_write_header(x->disk, ae) != ARCHIVE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("refused to extract %s: %s"), e->path,
                          archive_error_string(x->disk));
    EVP_MD_CTX *md = e->type == PT_ENTRY_FILE ? EVP_MD_CTX_new() : NULL;
    if (md)
        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    while (rc == PT_OK && md) {
        ssize_t n = pt_reader_read(r, x->buf, PT_RESTORE_BUF, err);
        if (n <= 0) {
            rc = n < 0 ? PT_EFAIL : PT_OK;
            break;
        }
        EVP_DigestUpdate(md, x->buf, (size_t)n);
        if (archive_write_data(x->disk, x->buf, (size_t)n) != n)
            /* The system's reason ("No space left on device") before libarchive's "Write failed".
             */
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), e->path,
                              archive_errno(x->disk) ? strerror(archive_errno(x->disk))
                                                     : archive_error_string(x->disk));
        pt_restore_report(x->session, n, e->path);
        if (pt_restore_cancelled(x->session))
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    }
    if (md) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        char hex[PT_SHA256_HEX];
        EVP_DigestFinal_ex(md, digest, &len);
        EVP_MD_CTX_free(md);
        pt_sha256_hex(digest, hex);
        if (rc == PT_OK)
            rc = check_installed(x->session, e->path, hex, err);
    }
    if (rc == PT_OK && archive_write_finish_entry(x->disk) != ARCHIVE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), e->path,
                          archive_error_string(x->disk));
    archive_entry_free(ae);
    return rc;
}

static char *staging_path(const char *target)
{
    return pt_xasprintf("%s.poshtiban-restore-%ld", target, (long)getpid());
}

/*
 * The finished tree, before it is swapped in: every link, followed through
 * the links it meets, must stay inside it. A chain of links can escape
 * where each one, read alone, seems to stay.
 */
static enum pt_status links_stay_inside(const char *root, const char *dir, struct pt_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), dir, strerror(errno));
    enum pt_status rc = PT_OK;
    struct dirent *e;
    while (rc == PT_OK && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = pt_path_join(dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = links_stay_inside(root, path, err);
        } else if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
            /* Where the link leads, even when nothing is there yet. */
            char *target = pt_xcalloc(1, (size_t)st.st_size + 2);
            ssize_t len = readlink(path, target, (size_t)st.st_size + 1);
            char *joined = len < 0            ? pt_xstrdup("/")
                           : target[0] == '/' ? pt_xstrdup(target)
                                              : pt_xasprintf("%s/%s", dir, target);
            char *resolved = pt_path_resolve(joined);
            free(target);
            free(joined);
            if (!pt_path_within(root, resolved))
                rc = pt_error_set(err, PT_EFAIL,
                                  _("refused to restore: the link %s leads out of the media "
                                    "folder"),
                                  path + strlen(root) + 1);
            free(resolved);
        }
        free(path);
    }
    closedir(d);
    return rc;
}

/* Media, step one: extracted into a staging folder beside the target. */
static enum pt_status stage_media(struct restoring *s, struct pt_error *err)
{
    char *staging = staging_path(s->plan->media_target);
    struct stat st;
    mode_t mode = stat(s->plan->media_target, &st) == 0 ? (st.st_mode & 0777) | 0700 : 0700;
    pt_remove_tree(staging);
    if (mkdir(staging, 0700) != 0 || chmod(staging, mode) != 0) {
        enum pt_status rc =
            pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), staging, strerror(errno));
        free(staging);
        return rc;
    }
    /* libarchive's secure flags check relative paths: extract from inside the staging folder. */
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct extract x = {.session = s,
                        .disk = archive_write_disk_new(),
                        .buf = pt_xmalloc(PT_RESTORE_BUF),
                        .dir_mode = (0755 & mode) | 0700,
                        .file_mode = (0644 & mode) | 0600,
                        .modes = pt_backup_read_modes(&s->record, NULL)};
    archive_write_disk_set_options(
        x.disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_TIME |
                    ARCHIVE_EXTRACT_SPARSE); /* runs of zeros become holes again */
    enum pt_status rc = PT_OK;
    if (cwd < 0 || chdir(staging) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot enter %s: %s"), staging, strerror(errno));
    if (rc == PT_OK)
        rc = pt_reader_walk(&s->record, extract_entry, &x, err);
    for (size_t i = 0; rc == PT_OK && i < s->listed.n; i++)
        if (strncmp(s->listed.list[i].path, "media/", 6) == 0 && !s->listed.list[i].seen)
            rc = pt_error_set(err, PT_EFAIL, _("refused to restore %s: %s is missing"),
                              s->record.name, s->listed.list[i].path);
    if (archive_write_close(x.disk) != ARCHIVE_OK && rc == PT_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), staging,
                          archive_error_string(x.disk));
    archive_write_free(x.disk);
    json_decref(x.modes);
    if (rc == PT_OK) {
        char *root = pt_path_resolve(staging);
        rc = links_stay_inside(root, root, err);
        free(root);
    }
    free(x.buf);
    if (cwd >= 0) {
        if (fchdir(cwd) != 0 && rc == PT_OK)
            rc = pt_error_set(err, PT_EFAIL, _("cannot return to the working folder"));
        close(cwd);
    }
    if (rc != PT_OK)
        pt_remove_tree(staging);
    free(staging);
    return rc;
}

/* The state about to be replaced, as an ordinary backup: undo is one more restore. */
static enum pt_status save_current(struct restoring *s, struct pt_catalog *c, struct pt_error *err)
{
    const char *db = s->plan->database_target ? s->plan->database_target : s->project->database;
    if (access(db, F_OK) != 0)
        return PT_OK; /* nothing there to lose */
    struct pt_project current = *s->project;
    current.database = (char *)db;
    current.media_given = false;
    struct stat st;
    bool media =
        s->plan->media_target && stat(s->plan->media_target, &st) == 0 && S_ISDIR(st.st_mode);
    current.media = media ? s->plan->media_target : NULL;
    char *name = pt_backup_name_new(s->project, c, "pre_restore", s->project->now_ms);
    struct pt_create_options opts = {
        .name = name, .kind = PT_KIND_MANUAL, .include_media = media ? 1 : 0, .no_hooks = true};
    struct pt_record r = {0};
    enum pt_status rc = pt_backup_check_input(&current, &opts, err);
    if (rc == PT_OK)
        rc = pt_backup_create_locked(&current, c, &opts, s->monitor, &r, err);
    if (rc == PT_OK)
        s->plan->pre_restore = pt_xstrdup(r.name);
    pt_record_free(&r);
    free(name);
    return rc;
}

/*
 * The whole backup verifies, deeply (every checksum, integrity_check of the
 * snapshot, every JSON), or nothing is restored.
 */
static enum pt_status check_backup(struct restoring *s, struct pt_catalog *c, struct pt_error *err)
{
    struct pt_verify_result result;
    /* Under restore's lock; a damaged backup is refused as it is, never healed here. */
    enum pt_status rc = pt_verify_backup_locked(s->project, c, s->record.name, true, false,
                                                s->monitor, NULL, &result, err);
    if (rc == PT_OK && !result.ok)
        rc = pt_error_set(err, PT_EFAIL, _("backup %s does not verify (%s): nothing was restored"),
                          s->record.name, result.n ? result.problems[0] : _("damaged"));
    pt_verify_result_free(&result);
    return rc;
}

/*
 * The plan's record, found once by its id, and with plan->at_ms its chain,
 * as they are now; its targets checked again. The backup read is compared
 * with the plan's fingerprint once it is read (pt_restore_check_fingerprint).
 */
static enum pt_status again(struct restoring *s, struct pt_catalog *c, struct pt_error *err)
{
    const struct pt_restore_plan *plan = s->plan;
    if (!plan->backup)
        return pt_error_set(err, PT_EINVAL, _("no plan to restore: work one out first"));
    char *id = pt_xasprintf("%lld", (long long)plan->fingerprint.record_id);
    enum pt_status rc = pt_catalog_get(c, id, &s->record, err);
    free(id);
    if (rc == PT_ENOTFOUND || (rc == PT_OK && s->record.status != PT_STATE_COMPLETED)) {
        pt_error_clear(err);
        return pt_error_set(err, PT_EFAIL,
                            _("backup %s changed since the preview: nothing was restored; look "
                              "at the plan again"),
                            plan->backup);
    }
    if (rc == PT_OK && plan->at_ms)
        rc = pt_restore_at_resolve(s->project, c, plan->at_ms, &s->chain, err);
    if (rc == PT_OK && (rc = pt_project_check_layout(s->project, err)) == PT_OK)
        rc = pt_restore_check_targets(s->project, plan, err);
    return rc;
}

enum pt_status pt_restore(struct pt_session *session, struct pt_restore_plan *plan,
                          const struct pt_monitor *monitor, struct pt_error *err)
{
    const struct pt_project *p = session->project;
    struct restoring s = {.project = p, .plan = plan, .monitor = monitor};
    struct pt_catalog *c = NULL;
    struct pt_lock lock = {-1};
    free(plan->pre_restore);
    free(plan->hook_error);
    plan->pre_restore = plan->hook_error = NULL;
    plan->hook_ran = false;
    enum pt_status rc = pt_session_catalog(session, PT_CATALOG_WRITE, &c, err);
    if (rc == PT_OK)
        rc = pt_lock_acquire(&lock, p, err);
    /* Under the lock, the world the plan was worked out from, checked first (docs/safety.md). */
    if (rc == PT_OK)
        rc = again(&s, c, err);
    /*
     * What can fail on a bad backup comes first, while nothing is replaced
     * yet; and the backup verifies before anything in it is opened.
     */
    if (rc == PT_OK)
        rc = check_backup(&s, c, err);
    if (rc == PT_OK)
        rc = pt_restore_open_backup(&s, err);
    if (rc == PT_OK)
        rc = pt_restore_check_fingerprint(&s, err);
    if (rc == PT_OK && plan->database_target)
        rc = pt_restore_check_snapshot_sum(&s, err);
    struct pt_hook_call hook = {.hook = PT_HOOK_BEFORE_RESTORE,
                                .name = plan->backup,
                                .path = s.record.path,
                                .status = "running",
                                .database =
                                    plan->database_target ? plan->database_target : p->database,
                                .media = plan->media_target};
    /* Last before anything changes: when it fails, nothing is. */
    bool hooked = rc == PT_OK;
    if (rc == PT_OK)
        rc = pt_hooks_run(p, c, &hook, monitor, err);
    bool staged = false;
    char *staging = plan->media_target ? staging_path(plan->media_target) : NULL;
    /* Journaled, so that a kill at any point is undone or finished by the next command. */
    struct pt_restore_journal journal = {.backup = plan->backup,
                                         .database = plan->database_target,
                                         .snapshot = s.snapshot,
                                         .media = plan->media_target,
                                         .staging = staging};
    bool journaled = rc == PT_OK;
    if (journaled)
        pt_restore_journal_write(p, &journal, PT_RESTORE_STAGING);
    if (rc == PT_OK && plan->media_target)
        staged = (rc = stage_media(&s, err)) == PT_OK;
    if (rc == PT_OK)
        rc = save_current(&s, c, err);
    /* From here a kill is finished by the next command, not undone: the user said yes. */
    struct stat st;
    if (rc == PT_OK && staged && stat(staging, &st) == 0)
        journal.staged_inode = (uint64_t)st.st_ino;
    if (rc == PT_OK)
        pt_restore_journal_write(p, &journal, PT_RESTORE_FINISHING);
    if (rc == PT_OK && plan->database_target)
        rc = restore_database(&s, err);
    if (rc == PT_OK && staged) {
        rc = pt_restore_swap_folder(plan->media_target, staging, err);
        if (rc == PT_OK)
            pt_restore_journal_write(p, &journal, PT_RESTORE_SWAPPED);
    }
    if (staged)
        pt_remove_tree(staging); /* the old media after the swap, or the unused new ones */
    if (journaled)
        pt_restore_journal_clear(p);
    free(staging);
    if (hooked) {
        hook.hook = PT_HOOK_AFTER_RESTORE;
        hook.status = pt_state_name(rc == PT_OK           ? PT_STATE_COMPLETED
                                    : rc == PT_ECANCELLED ? PT_STATE_CANCELLED
                                                          : PT_STATE_FAILED);
        struct pt_error why = {0};
        /* Without the cancel flag: it runs after a cancelled restore too, within its time. */
        if (pt_hooks_run(p, c, &hook, NULL, &why) != PT_OK) {
            plan->hook_error = pt_xstrdup(why.message);
        } else {
            char *command = pt_settings_string(c, PT_KEY_HOOKS_AFTER_RESTORE);
            plan->hook_ran = *command != '\0';
            free(command);
        }
        pt_error_clear(&why);
    }
    pt_restore_finish(&s);
    pt_lock_release(&lock);
    return rc;
}
