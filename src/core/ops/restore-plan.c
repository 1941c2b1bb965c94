// SPDX-License-Identifier: GPL-3.0-or-later
/* A restore's plan: what it would change, and what it was worked out from. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "poshtiban/i18n.h"
#include "poshtiban/session.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"
#include "engine/backup-db.h"
#include "engine/compress.h"
#include "engine/reader.h"
#include "ops/backup-internal.h"
#include "ops/restore-internal.h"

void pt_restore_report(struct restoring *s, int64_t add, const char *what)
{
    s->done += add;
    if (s->monitor && s->monitor->progress) {
        struct pt_progress p = {PT_PHASE_RESTORE, s->done, s->record.size_bytes, what};
        s->monitor->progress(&p, s->monitor->user);
    }
}

bool pt_restore_cancelled(const struct restoring *s)
{
    return s->monitor && s->monitor->cancel && atomic_load(s->monitor->cancel);
}

/* The snapshot, plain or compressed, unpacked into tmp; its checksum is of the member as stored. */
static enum pt_status take_snapshot(struct restoring *s, const struct pt_entry *e,
                                    enum pt_compression c, struct pt_reader *r,
                                    struct pt_error *err)
{
    if (s->snapshot)
        return pt_error_set(err, PT_EFAIL, _("%s holds database.sqlite3 twice"), s->record.path);
    s->snapshot =
        pt_xasprintf("%s/restore-%ld-%s.sqlite3", s->project->tmp, (long)getpid(), s->record.name);
    s->snapshot_temp = true;
    s->snapshot_member = pt_xstrdup(e->path);
    bool damaged;
    enum pt_status rc =
        pt_snapshot_member_take(r, c, s->snapshot, s->snapshot_sha256, &damaged, err);
    if (rc != PT_OK && damaged && err) {
        /* Which backup and which member, as verify says it. */
        char *why = pt_xstrdup(err->message ? err->message : _("damaged"));
        pt_error_clear(err);
        rc = pt_error_set(err, PT_EFAIL, _("backup %s: %s: %s"), s->record.name, e->path, why);
        free(why);
    }
    return rc;
}

/* Copies the snapshot out to tmp and keeps SHA256SUMS; stops once both are had. */
static enum pt_status take_members(const struct pt_entry *e, struct pt_reader *r, void *user,
                                   struct pt_error *err)
{
    struct restoring *s = user;
    enum pt_compression c;
    bool db = pt_compression_match(e->path, "database.sqlite3", &c);
    bool sums = strcmp(e->path, "SHA256SUMS") == 0;
    if (e->type != PT_ENTRY_FILE || (!db && !sums))
        return PT_OK;
    enum pt_status rc = PT_OK;
    if (db) {
        rc = take_snapshot(s, e, c, r, err);
    } else {
        free(s->sums); /* the last one read counts, as for any member read twice */
        s->sums = NULL;
        rc = pt_small_member_read(r, e, &s->sums, err);
    }
    if (rc == PT_OK && s->sums && s->snapshot)
        return PT_ECANCELLED; /* both in hand: stop reading */
    return rc;
}

/* A folder with a plain database.sqlite3 is used in place; anything else is read member by member.
 */
static bool plain_folder(const struct restoring *s)
{
    if (pt_reader_archive_suffix(s->record.format))
        return false;
    char *db = pt_path_join(s->record.path, "database.sqlite3");
    struct stat st;
    bool plain = lstat(db, &st) == 0 && S_ISREG(st.st_mode);
    free(db);
    return plain;
}

static enum pt_status read_backup(struct restoring *s, struct pt_error *err)
{
    if (!plain_folder(s)) {
        enum pt_status rc = pt_reader_walk(&s->record, take_members, s, err);
        if (rc != PT_OK && rc != PT_ECANCELLED)
            return rc;
        if (!s->snapshot || !s->sums)
            return pt_error_set(err, PT_EFAIL, _("%s lacks database.sqlite3 or SHA256SUMS"),
                                s->record.path);
        return PT_OK;
    }
    s->snapshot = pt_path_join(s->record.path, "database.sqlite3");
    char *sums = pt_path_join(s->record.path, "SHA256SUMS");
    s->sums = pt_read_file(sums, PT_SMALL_FILE_MAX, NULL);
    enum pt_status rc =
        s->sums ? PT_OK
                : pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), sums, strerror(errno));
    free(sums);
    return rc;
}

struct media_walk {
    struct pt_restore_plan *plan;
    struct pt_sums *sums;
};

/*
 * Calls fn for every entry under root/rel (rel NULL: root itself), with its
 * path relative to root, its full path and lstat(2)'s view, then descends
 * into folders. Links are not followed.
 */
static void walk_tree(const char *root, const char *rel,
                      void (*fn)(const char *child, const char *full, const struct stat *st,
                                 void *user),
                      void *user)
{
    char *dir = rel ? pt_path_join(root, rel) : pt_xstrdup(root);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = rel ? pt_path_join(rel, e->d_name) : pt_xstrdup(e->d_name);
        char *full = pt_path_join(root, child);
        struct stat st;
        if (lstat(full, &st) == 0) {
            fn(child, full, &st, user);
            if (S_ISDIR(st.st_mode))
                walk_tree(root, child, fn, user);
        }
        free(full);
        free(child);
    }
    if (d)
        closedir(d);
    free(dir);
}

/* A file of the live media folder: removed, changed, or as the backup has it. */
static void compare_current(const char *child, const char *full, const struct stat *st, void *user)
{
    struct media_walk *w = user;
    if (!S_ISREG(st->st_mode))
        return;
    char *member = pt_path_join("media", child);
    struct pt_sum *h = pt_sums_find(w->sums, member);
    char hex[PT_SHA256_HEX];
    if (!h)
        pt_restore_push(&w->plan->remove, &w->plan->n_remove, child);
    else if (pt_sha256_file(full, hex, NULL, NULL) != PT_OK || strcmp(hex, h->sha256) != 0)
        pt_restore_push(&w->plan->change, &w->plan->n_change, child);
    if (h)
        h->seen = true;
    free(member);
}

static void plan_media(struct restoring *s)
{
    struct media_walk w = {.plan = s->plan, .sums = &s->listed};
    walk_tree(s->plan->media_target, NULL, compare_current, &w);
    for (size_t i = 0; i < s->listed.n; i++) {
        struct pt_sum *sum = &s->listed.list[i];
        if (strncmp(sum->path, "media/", 6) == 0 && !sum->seen)
            pt_restore_push(&s->plan->add, &s->plan->n_add, sum->path + 6);
        sum->seen = false; /* the flags serve the extraction next */
    }
}

static char *absolute(const char *path)
{
    char *cwd = getcwd(NULL, 0);
    char *out = pt_path_absolute(cwd ? cwd : "/", path);
    free(cwd);
    return out;
}

/*
 * A restore replaces its targets whole: none may hold or lie in the backups,
 * the catalog, the project folder or a database (symbolic links resolved).
 */
enum pt_status pt_restore_check_targets(const struct pt_project *p,
                                        const struct pt_restore_plan *plan, struct pt_error *err)
{
    char *backups = pt_path_resolve(p->backups), *root = pt_path_resolve(p->root);
    char *database = pt_path_resolve(p->database);
    enum pt_status rc = PT_OK;
    if (plan->database_target) {
        char *target = pt_path_resolve(plan->database_target);
        struct stat st;
        if (pt_path_within(backups, target))
            rc = pt_error_set(err, PT_EINVAL,
                              _("cannot restore the database to %s: it lies in the backup "
                                "folder %s"),
                              plan->database_target, p->backups);
        else if (stat(target, &st) == 0 && !S_ISREG(st.st_mode))
            rc = pt_error_set(err, PT_EINVAL,
                              _("cannot restore the database to %s: it is not a file"),
                              plan->database_target);
        free(target);
    }
    if (rc == PT_OK && plan->media_target) {
        char *target = pt_path_resolve(plan->media_target);
        char *target_db = plan->database_target ? pt_path_resolve(plan->database_target) : NULL;
        const char *holds = pt_path_within(target, backups)                  ? p->backups
                            : pt_path_within(target, root)                   ? p->root
                            : pt_path_within(target, database)               ? p->database
                            : target_db && pt_path_within(target, target_db) ? plan->database_target
                                                                             : NULL;
        if (holds)
            rc = pt_error_set(err, PT_EINVAL,
                              _("cannot restore the media to %s: the folder would be replaced "
                                "whole, and it holds %s"),
                              plan->media_target, holds);
        else if (pt_path_within(backups, target))
            rc = pt_error_set(err, PT_EINVAL,
                              _("cannot restore the media to %s: it lies in the backup folder %s"),
                              plan->media_target, p->backups);
        free(target);
        free(target_db);
    }
    free(backups);
    free(root);
    free(database);
    return rc;
}

static void name_point(struct restoring *s, int64_t at_ms)
{
    struct pt_restore_plan *plan = s->plan;
    const struct pt_restore_chain *chain = &s->chain;
    plan->at_ms = at_ms;
    if (!s->record.created_at || !pt_time_parse_iso(s->record.created_at, &plan->backup_ms))
        plan->backup_ms = 0;
    plan->n_points = chain->n;
    plan->point = chain->n ? pt_xstrdup(chain->points[chain->n - 1].name) : NULL;
    plan->point_ms = chain->n ? chain->points[chain->n - 1].taken_ms : plan->backup_ms;
}

/* The record (found once) and the targets; the chain too, with at_ms. */
static enum pt_status start(struct restoring *s, struct pt_catalog *c, const char *id,
                            const struct pt_restore_options *opts, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    struct pt_restore_plan *plan = s->plan;
    if (opts->database_only && opts->media_only)
        return pt_error_set(err, PT_EINVAL,
                            _("--database-only and --media-only exclude each other"));
    enum pt_status rc;
    if (opts->at_ms) {
        /* The base in place of id: the newest full backup at or before the moment. */
        if ((rc = pt_restore_at_resolve(p, c, opts->at_ms, &s->chain, err)) != PT_OK)
            return rc;
        id = s->chain.base;
    }
    if ((rc = pt_catalog_get(c, id, &s->record, err)) != PT_OK)
        return rc;
    if (s->record.status != PT_STATE_COMPLETED)
        return pt_error_set(err, PT_EINVAL,
                            _("backup %s is not complete (%s): there is nothing to restore"),
                            s->record.name, pt_state_label(s->record.status));
    plan->backup = pt_xstrdup(s->record.name);
    if (opts->at_ms)
        name_point(s, opts->at_ms);
    if (!opts->media_only)
        plan->database_target =
            opts->target_database ? absolute(opts->target_database) : pt_xstrdup(p->database);
    if (!opts->database_only && s->record.include_media)
        plan->media_target = opts->target_media ? absolute(opts->target_media)
                             : p->media         ? pt_xstrdup(p->media)
                                                : pt_path_join(p->root, "media");
    if (opts->media_only && !plan->media_target)
        return pt_error_set(err, PT_EINVAL, _("backup %s holds no media"), s->record.name);
    if ((rc = pt_project_check_layout(p, err)) != PT_OK ||
        (rc = pt_restore_check_targets(p, plan, err)) != PT_OK)
        return rc;
    struct stat st;
    if (plan->media_target && lstat(plan->media_target, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* A media folder that is a link (to a volume): the folder it names is restored. */
        char *real = pt_path_resolve(plan->media_target);
        free(plan->media_target);
        plan->media_target = real;
    }
    return PT_OK;
}

/* The snapshot about to be installed is the one SHA256SUMS lists. */
enum pt_status pt_restore_check_snapshot_sum(struct restoring *s, struct pt_error *err)
{
    char hex[PT_SHA256_HEX];
    enum pt_status rc = s->snapshot_temp ? PT_OK : pt_sha256_file(s->snapshot, hex, NULL, err);
    if (rc != PT_OK)
        return rc;
    const struct pt_sum *sum =
        pt_sums_find(&s->listed, s->snapshot_member ? s->snapshot_member : "database.sqlite3");
    if (!sum || strcmp(sum->sha256, s->snapshot_temp ? s->snapshot_sha256 : hex) != 0)
        return pt_error_set(err, PT_EFAIL,
                            _("refused to restore %s: database.sqlite3 does not match its "
                              "checksum"),
                            s->record.name);
    return PT_OK;
}

/*
 * restore --at: the base's snapshot staged (copied when it is the backup's
 * own file: a backup is never changed), proven against SHA256SUMS, then its
 * change sets applied and the result proven; from here it is the snapshot.
 */
static enum pt_status stage_chain(struct restoring *s, struct pt_error *err)
{
    enum pt_status rc = PT_OK;
    if (!s->snapshot_temp) {
        char *staged = pt_xasprintf("%s/restore-%ld-%s.sqlite3", s->project->tmp, (long)getpid(),
                                    s->record.name);
        rc = pt_restore_at_copy(s->snapshot, staged, s->snapshot_sha256, err);
        free(s->snapshot);
        s->snapshot = staged;
        s->snapshot_temp = true;
    }
    if (rc == PT_OK)
        rc = pt_restore_check_snapshot_sum(s, err);
    if (rc != PT_OK)
        return rc;
    struct pt_error why = {0};
    rc =
        pt_restore_at_build(s->project, s->snapshot, s->chain.points, s->chain.n, s->monitor, &why);
    if (rc == PT_ECANCELLED)
        rc = pt_error_set(err, rc, "%s", why.message ? why.message : _("cancelled"));
    else if (rc != PT_OK) {
        char when[32];
        pt_time_iso(s->plan->at_ms, when);
        rc = pt_error_set(err, rc, _("refused to restore to %s: %s; nothing was changed"), when,
                          why.message ? why.message : _("damaged"));
    }
    pt_error_clear(&why);
    return rc;
}

/* The SHA-256 of text, as hex. */
static void text_sha256(const char *text, char hex[PT_SHA256_HEX])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text, strlen(text), digest, &len, EVP_sha256(), NULL);
    pt_sha256_hex(digest, hex);
}

enum pt_status pt_restore_open_backup(struct restoring *s, struct pt_error *err)
{
    enum pt_status rc = read_backup(s, err);
    if (rc != PT_OK)
        return rc;
    text_sha256(s->sums, s->sums_sha256);
    pt_sums_parse(s->sums, &s->listed);
    free(s->sums); /* parsed: the text is not needed again */
    s->sums = NULL;
    if (s->plan->database_target && s->chain.n)
        rc = stage_chain(s, err);
    return rc;
}

/* ---- the fingerprint: what the plan was worked out from ---- */

static void stamp(const char *path, bool database, struct pt_restore_stamp *out)
{
    memset(out, 0, sizeof(*out));
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return;
    out->exists = true;
    out->size = (int64_t)st.st_size;
    out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    out->inode = (uint64_t)st.st_ino;
    unsigned char header[28];
    int fd = database && S_ISREG(st.st_mode) ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0 && pread(fd, header, sizeof(header), 0) == (ssize_t)sizeof(header))
        out->counter = (uint32_t)header[24] << 24 | (uint32_t)header[25] << 16 |
                       (uint32_t)header[26] << 8 | header[27];
    if (fd >= 0)
        close(fd);
}

/* FNV-1a, 64 bits, of n bytes, on from h. */
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* One entry of the media folder in the fingerprint, stat(2)'s view only: no file is read. */
static void stamp_entry(const char *child, const char *full, const struct stat *st, void *user)
{
    (void)full;
    struct pt_restore_fingerprint *f = user;
    int64_t facts[] = {(int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec,
                       (int64_t)st->st_mtim.tv_nsec, (int64_t)st->st_ino, (int64_t)st->st_mode};
    uint64_t h = fnv(0xcbf29ce484222325ULL, child, strlen(child) + 1);
    f->media_hash += fnv(h, facts, sizeof(facts));
    f->media_entries++;
    if (S_ISREG(st->st_mode))
        f->media_bytes += (uint64_t)st->st_size;
}

void pt_restore_stamp_targets(const struct pt_restore_plan *plan, struct pt_restore_fingerprint *f)
{
    stamp(plan->database_target, true, &f->database);
    char *wal = plan->database_target ? pt_xasprintf("%s-wal", plan->database_target) : NULL;
    stamp(wal, false, &f->wal);
    free(wal);
    stamp(plan->media_target, false, &f->media);
    f->media_entries = f->media_bytes = f->media_hash = 0;
    if (plan->media_target && f->media.exists)
        walk_tree(plan->media_target, NULL, stamp_entry, f);
}

static bool same_stamp(const struct pt_restore_stamp *a, const struct pt_restore_stamp *b)
{
    return a->exists == b->exists && a->size == b->size && a->mtime_ns == b->mtime_ns &&
           a->inode == b->inode && a->counter == b->counter;
}

static const char *text_or_empty(const char *s)
{
    return s ? s : "";
}

enum pt_status pt_restore_check_fingerprint(const struct restoring *s, struct pt_error *err)
{
    const struct pt_restore_plan *plan = s->plan;
    const struct pt_restore_fingerprint *was = &plan->fingerprint;
    const struct pt_restore_chain *chain = &s->chain;
    struct pt_restore_fingerprint now = {0};
    pt_restore_stamp_targets(plan, &now);
    const char *last = chain->n ? chain->points[chain->n - 1].name : NULL;
    enum pt_status rc = PT_OK;
    if (s->record.id != was->record_id ||
        strcmp(text_or_empty(s->record.created_at), text_or_empty(was->created_at)) != 0 ||
        (s->sums_sha256[0] && strcmp(s->sums_sha256, was->sums) != 0))
        rc = pt_error_set(err, PT_EFAIL,
                          _("backup %s changed since the preview: nothing was restored; look at "
                            "the plan again"),
                          plan->backup);
    else if (plan->at_ms && (chain->n != plan->n_points ||
                             strcmp(text_or_empty(last), text_or_empty(plan->point)) ||
                             strcmp(text_or_empty(chain->base), plan->backup) != 0))
        rc = pt_error_set(err, PT_EFAIL,
                          _("the change sets of backup %s changed since the preview: nothing was "
                            "restored; look at the plan again"),
                          plan->backup);
    else if (!same_stamp(&now.database, &was->database) || !same_stamp(&now.wal, &was->wal))
        rc = pt_error_set(err, PT_EFAIL,
                          _("the database %s changed since the preview: nothing was restored; "
                            "look at the plan again"),
                          plan->database_target);
    else if (!same_stamp(&now.media, &was->media) || now.media_entries != was->media_entries ||
             now.media_bytes != was->media_bytes || now.media_hash != was->media_hash)
        rc = pt_error_set(err, PT_EFAIL,
                          _("the media folder %s changed since the preview: nothing was restored; "
                            "look at the plan again"),
                          plan->media_target);
    return rc;
}

/* Reads the backup and works out what restoring it would change. */
static enum pt_status load(struct restoring *s, struct pt_error *err)
{
    struct pt_restore_plan *plan = s->plan;
    plan->fingerprint.record_id = s->record.id;
    plan->fingerprint.created_at = s->record.created_at ? pt_xstrdup(s->record.created_at) : NULL;
    enum pt_status rc = pt_restore_open_backup(s, err);
    if (rc != PT_OK)
        return rc;
    memcpy(plan->fingerprint.sums, s->sums_sha256, sizeof(plan->fingerprint.sums));
    if (plan->database_target &&
        !pt_restore_compare_files(plan->database_target, s->snapshot, plan, s->key_by_key))
        return pt_error_set(err, PT_EFAIL, _("cannot open the snapshot of %s"), s->record.name);
    if (plan->media_target)
        plan_media(s);
    /*
     * Once the plan's own reading is over: closing the last connection to a
     * database in WAL mode checkpoints it, which changes the file though
     * not its content.
     */
    pt_restore_stamp_targets(plan, &plan->fingerprint);
    return PT_OK;
}

void pt_restore_finish(struct restoring *s)
{
    pt_restore_at_free(&s->chain);
    if (s->snapshot_temp && s->snapshot)
        unlink(s->snapshot);
    free(s->snapshot);
    free(s->snapshot_member);
    free(s->sums);
    pt_sums_free(&s->listed);
    pt_record_free(&s->record);
}

enum pt_status pt_restore_plan(struct pt_session *session, const char *id,
                               const struct pt_restore_options *opts, struct pt_restore_plan *plan,
                               struct pt_error *err)
{
    memset(plan, 0, sizeof(*plan));
    struct restoring s = {.project = session->project, .plan = plan, .key_by_key = true};
    struct pt_catalog *c;
    enum pt_status rc = pt_session_catalog(session, PT_CATALOG_READ, &c, err);
    if (rc == PT_OK)
        rc = start(&s, c, id, opts, err);
    if (rc == PT_OK)
        rc = load(&s, err);
    pt_restore_finish(&s);
    return rc;
}

static void free_list(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

void pt_restore_plan_free(struct pt_restore_plan *plan)
{
    for (size_t i = 0; i < plan->n_tables; i++)
        free(plan->tables[i].name);
    free(plan->tables);
    free_list(plan->add, plan->n_add);
    free_list(plan->change, plan->n_change);
    free_list(plan->remove, plan->n_remove);
    free_list(plan->migrations_backup, plan->n_migrations_backup);
    free_list(plan->migrations_now, plan->n_migrations_now);
    free(plan->backup);
    free(plan->database_target);
    free(plan->media_target);
    free(plan->pre_restore);
    free(plan->point);
    free(plan->hook_error);
    free(plan->fingerprint.created_at);
    memset(plan, 0, sizeof(*plan));
}
