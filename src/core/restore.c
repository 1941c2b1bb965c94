// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/restore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <sqlite3.h>

#include "backup-internal.h"
#include "filewriter.h"
#include "fsutil.h"
#include "i18n.h"
#include "poshtiban/catalog.h"
#include "poshtiban/lock.h"
#include "poshtiban/timefmt.h"
#include "reader.h"
#include "schema.h"

#define BUF_SIZE (256 * 1024)

struct hashed {
    char *path; /* relative to the media folder */
    char sha256[PT_SHA256_HEX];
};

/* Everything one restore works from. */
struct session {
    const struct pt_project *project;
    struct pt_record record;
    struct pt_restore_plan *plan;
    char *snapshot; /* the backup's database.sqlite3 as a file */
    bool snapshot_temp;
    char *sums;
    const struct pt_monitor *monitor;
    int64_t done;
};

static int compare_hashed(const void *a, const void *b)
{
    return strcmp(((const struct hashed *)a)->path, ((const struct hashed *)b)->path);
}

static void push(char ***list, size_t *n, const char *s)
{
    *list = pt_xrealloc(*list, (*n + 1) * sizeof(**list));
    (*list)[(*n)++] = pt_xstrdup(s);
}

static void report(struct session *s, int64_t add, const char *what)
{
    s->done += add;
    if (s->monitor && s->monitor->progress) {
        struct pt_progress p = {PT_PHASE_RESTORE, s->done, s->record.size_bytes, what};
        s->monitor->progress(&p, s->monitor->user);
    }
}

static bool cancelled(const struct session *s)
{
    return s->monitor && s->monitor->cancel && atomic_load(s->monitor->cancel);
}

/* Archives: copy database.sqlite3 out to tmp and keep SHA256SUMS; stops once both are had. */
static enum pt_status take_members(const struct pt_entry *e, struct pt_reader *r, void *user,
                                   struct pt_error *err)
{
    struct session *s = user;
    bool db = strcmp(e->path, "database.sqlite3") == 0;
    bool sums = strcmp(e->path, "SHA256SUMS") == 0;
    if (e->type != PT_ENTRY_FILE || (!db && !sums))
        return PT_OK;
    unsigned char *buf = pt_xmalloc(BUF_SIZE);
    struct pt_file_writer out;
    size_t len = 0;
    enum pt_status rc = PT_OK;
    if (db) {
        s->snapshot = pt_xasprintf("%s/restore-%ld-%s.sqlite3", s->project->tmp, (long)getpid(),
                                   s->record.name);
        s->snapshot_temp = true;
        unlink(s->snapshot);
        rc = pt_file_writer_open(&out, s->snapshot, err);
    }
    while (rc == PT_OK) {
        ssize_t n = pt_reader_read(r, buf, BUF_SIZE, err);
        if (n <= 0) {
            rc = n < 0 ? PT_EFAIL : PT_OK;
            break;
        }
        if (db) {
            rc = pt_file_writer_write(&out, buf, (size_t)n, err);
        } else {
            s->sums = pt_xrealloc(s->sums, len + (size_t)n + 1);
            memcpy(s->sums + len, buf, (size_t)n);
            len += (size_t)n;
            s->sums[len] = '\0';
        }
    }
    if (sums && !s->sums)
        s->sums = pt_xstrdup("");
    free(buf);
    if (db)
        rc = rc == PT_OK ? pt_file_writer_close(&out, NULL, NULL, err)
                         : (pt_file_writer_abort(&out), rc);
    if (rc == PT_OK && s->sums && s->snapshot)
        return PT_ECANCELLED; /* both in hand: stop reading */
    return rc;
}

static enum pt_status open_backup(struct session *s, struct pt_error *err)
{
    if (pt_reader_archive_suffix(s->record.format)) {
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
    s->sums = pt_read_file(sums, NULL);
    enum pt_status rc = s->sums ? PT_OK
                                : pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), sums,
                                               strerror(errno));
    free(sums);
    return rc;
}

/* The media files of the backup with their hashes, from SHA256SUMS, sorted. */
static struct hashed *backup_media(const char *sums, size_t *n)
{
    struct hashed *list = NULL;
    size_t cap = 0;
    *n = 0;
    char *copy = pt_xstrdup(sums), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '\\' || strlen(line) < 72 || strncmp(line + 66, "media/", 6) != 0)
            continue; /* names with \ or newlines are compared as changed below */
        if (*n == cap)
            list = pt_xrealloc(list, (cap = cap ? cap * 2 : 64) * sizeof(*list));
        list[*n].path = pt_xstrdup(line + 72);
        memcpy(list[*n].sha256, line, 64);
        list[*n].sha256[64] = '\0';
        (*n)++;
    }
    free(copy);
    if (*n)
        qsort(list, *n, sizeof(*list), compare_hashed);
    return list;
}

struct media_walk {
    struct pt_restore_plan *plan;
    struct hashed *backup;
    size_t n_backup;
    bool *seen;
};

static void walk_current(struct media_walk *w, const char *root, const char *rel)
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
        if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk_current(w, root, child);
        } else if (lstat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            struct hashed key = {.path = child};
            struct hashed *h = bsearch(&key, w->backup, w->n_backup, sizeof(*w->backup),
                                       compare_hashed);
            char hex[PT_SHA256_HEX];
            if (!h)
                push(&w->plan->remove, &w->plan->n_remove, child);
            else if (pt_sha256_file(full, hex, NULL, NULL) != PT_OK || strcmp(hex, h->sha256) != 0)
                push(&w->plan->change, &w->plan->n_change, child);
            if (h)
                w->seen[h - w->backup] = true;
        }
        free(full);
        free(child);
    }
    if (d)
        closedir(d);
    free(dir);
}

static void plan_media(struct session *s)
{
    struct media_walk w = {.plan = s->plan};
    w.backup = backup_media(s->sums, &w.n_backup);
    w.seen = pt_xcalloc(w.n_backup + 1, sizeof(*w.seen));
    walk_current(&w, s->plan->media_target, NULL);
    for (size_t i = 0; i < w.n_backup; i++) {
        if (!w.seen[i])
            push(&s->plan->add, &s->plan->n_add, w.backup[i].path);
        free(w.backup[i].path);
    }
    free(w.backup);
    free(w.seen);
}

static struct pt_restore_table *find_table(struct pt_restore_plan *plan, const char *name)
{
    for (size_t i = 0; i < plan->n_tables; i++)
        if (strcmp(plan->tables[i].name, name) == 0)
            return &plan->tables[i];
    plan->tables = pt_xrealloc(plan->tables, (plan->n_tables + 1) * sizeof(*plan->tables));
    struct pt_restore_table *t = &plan->tables[plan->n_tables++];
    t->name = pt_xstrdup(name);
    t->now = t->after = -1;
    return t;
}

static sqlite3 *open_read(const char *path)
{
    sqlite3 *db = NULL;
    if (access(path, F_OK) != 0 ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 30000);
    return db;
}

/* Rows per table on both sides; "app.name" of every applied migration. */
static void tables_of(sqlite3 *db, struct pt_restore_plan *plan, bool after, char **migrations)
{
    sqlite3_stmt *st;
    *migrations = NULL;
    if (!db)
        return;
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            struct pt_restore_table *t = find_table(plan, name);
            *(after ? &t->after : &t->now) = pt_schema_count_rows(db, name);
        }
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db,
                           "SELECT group_concat(app || '.' || name, ',') FROM"
                           " (SELECT app, name FROM django_migrations ORDER BY app, name)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        *migrations = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

static int compare_tables(const void *a, const void *b)
{
    return strcmp(((const struct pt_restore_table *)a)->name,
                  ((const struct pt_restore_table *)b)->name);
}

static char *absolute(const char *path)
{
    char *cwd = getcwd(NULL, 0);
    char *out = pt_path_absolute(cwd ? cwd : "/", path);
    free(cwd);
    return out;
}

static enum pt_status start(struct session *s, const struct pt_project *p, const char *id,
                            const struct pt_restore_options *opts, struct pt_restore_plan *plan,
                            struct pt_error *err)
{
    memset(plan, 0, sizeof(*plan));
    s->project = p;
    s->plan = plan;
    if (opts->database_only && opts->media_only)
        return pt_error_set(err, PT_EINVAL, _("--database-only and --media-only exclude each other"));
    struct pt_catalog *c;
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_READ, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_catalog_get(c, id, &s->record, err);
    pt_catalog_close(c);
    if (rc != PT_OK)
        return rc;
    if (s->record.status != PT_STATE_COMPLETED)
        return pt_error_set(err, PT_EINVAL, _("backup %s is %s: there is nothing to restore"),
                            s->record.name, pt_state_label(s->record.status));
    plan->backup = pt_xstrdup(s->record.name);
    if (!opts->media_only)
        plan->database_target = opts->target_database ? absolute(opts->target_database)
                                                      : pt_xstrdup(p->database);
    if (!opts->database_only && s->record.include_media)
        plan->media_target = opts->target_media ? absolute(opts->target_media)
                             : p->media         ? pt_xstrdup(p->media)
                                                : pt_path_join(p->root, "media");
    if (opts->media_only && !plan->media_target)
        return pt_error_set(err, PT_EINVAL, _("backup %s holds no media"), s->record.name);
    if ((rc = open_backup(s, err)) != PT_OK)
        return rc;
    if (plan->database_target) {
        char *now_migrations, *after_migrations;
        sqlite3 *now = open_read(plan->database_target);
        sqlite3 *after = open_read(s->snapshot);
        if (!after)
            return pt_error_set(err, PT_EFAIL, _("cannot open the snapshot of %s"),
                                s->record.name);
        tables_of(now, plan, false, &now_migrations);
        tables_of(after, plan, true, &after_migrations);
        plan->migrations_differ = now && (now_migrations || after_migrations) &&
                                  (!now_migrations || !after_migrations ||
                                   strcmp(now_migrations, after_migrations) != 0);
        free(now_migrations);
        free(after_migrations);
        sqlite3_close(now);
        sqlite3_close(after);
        if (plan->n_tables > 1)
            qsort(plan->tables, plan->n_tables, sizeof(*plan->tables), compare_tables);
    }
    if (plan->media_target)
        plan_media(s);
    return PT_OK;
}

static void finish(struct session *s)
{
    if (s->snapshot_temp && s->snapshot)
        unlink(s->snapshot);
    free(s->snapshot);
    free(s->sums);
    pt_record_free(&s->record);
}

enum pt_status pt_restore_plan(const struct pt_project *p, const char *id,
                               const struct pt_restore_options *opts,
                               struct pt_restore_plan *plan, struct pt_error *err)
{
    struct session s = {0};
    enum pt_status rc = start(&s, p, id, opts, plan, err);
    finish(&s);
    return rc;
}

/* The database, in one transaction of the backup API: readers see before or after. */
static enum pt_status restore_database(struct session *s, struct pt_error *err)
{
    const char *target = s->plan->database_target;
    sqlite3 *src = NULL, *dst = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3_open_v2(s->snapshot, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_open_v2(target, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot open %s: %s"), target,
                          sqlite3_errmsg(dst ? dst : src));
        goto out;
    }
    sqlite3_busy_timeout(dst, 30000);
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
                          step == SQLITE_BUSY ? _("it stays locked by another process")
                                              : sqlite3_errstr(step));
    report(s, 0, "database.sqlite3");
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    return rc;
}

struct extract {
    struct session *session;
    struct archive *disk;
    unsigned char *buf;
};

static enum pt_status extract_entry(const struct pt_entry *e, struct pt_reader *r, void *user,
                                    struct pt_error *err)
{
    struct extract *x = user;
    if (strncmp(e->path, "media/", 6) != 0 || !e->path[6])
        return PT_OK;
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, e->path + 6); /* relative: the staging folder is the cwd */
    archive_entry_set_mtime(ae, e->mtime, 0);
    if (e->type == PT_ENTRY_DIR) {
        archive_entry_set_filetype(ae, AE_IFDIR);
        archive_entry_set_perm(ae, 0755);
    } else if (e->type == PT_ENTRY_LINK) {
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_perm(ae, 0777);
        archive_entry_set_symlink(ae, e->link_target);
    } else {
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0644);
        archive_entry_set_size(ae, e->size);
    }
    enum pt_status rc = PT_OK;
    if (archive_write_header(x->disk, ae) != ARCHIVE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("refused to extract %s: %s"), e->path,
                          archive_error_string(x->disk));
    while (rc == PT_OK && e->type == PT_ENTRY_FILE) {
        ssize_t n = pt_reader_read(r, x->buf, BUF_SIZE, err);
        if (n <= 0) {
            rc = n < 0 ? PT_EFAIL : PT_OK;
            break;
        }
        if (archive_write_data(x->disk, x->buf, (size_t)n) != n)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), e->path,
                              archive_error_string(x->disk));
        report(x->session, n, e->path);
        if (cancelled(x->session))
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
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

/* Media, step one: extracted into a staging folder beside the target. */
static enum pt_status stage_media(struct session *s, struct pt_error *err)
{
    char *staging = staging_path(s->plan->media_target);
    pt_remove_tree(staging);
    if (mkdir(staging, 0755) != 0) {
        enum pt_status rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), staging,
                                         strerror(errno));
        free(staging);
        return rc;
    }
    /* libarchive's secure flags check relative paths: extract from inside the staging folder. */
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct extract x = {.session = s, .disk = archive_write_disk_new(),
                        .buf = pt_xmalloc(BUF_SIZE)};
    archive_write_disk_set_options(x.disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                               ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                               ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
                                               ARCHIVE_EXTRACT_TIME);
    enum pt_status rc = PT_OK;
    if (cwd < 0 || chdir(staging) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot enter %s: %s"), staging, strerror(errno));
    if (rc == PT_OK)
        rc = pt_reader_walk(&s->record, extract_entry, &x, err);
    if (archive_write_close(x.disk) != ARCHIVE_OK && rc == PT_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), staging,
                          archive_error_string(x.disk));
    archive_write_free(x.disk);
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

/* Media, step two: the staging folder swapped in whole for the target. */
static enum pt_status swap_media(struct session *s, struct pt_error *err)
{
    const char *target = s->plan->media_target;
    char *staging = staging_path(target);
    enum pt_status rc = PT_OK;
    struct stat st;
    if (lstat(target, &st) != 0) {
        if (rename(staging, target) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), staging,
                              strerror(errno));
    } else if (renameat2(AT_FDCWD, staging, AT_FDCWD, target, RENAME_EXCHANGE) != 0) {
        /* No atomic exchange on this filesystem: step the old folder aside, then move in. */
        char *old = pt_xasprintf("%s.poshtiban-old-%ld", target, (long)getpid());
        if (rename(target, old) != 0 || rename(staging, target) != 0) {
            rename(old, target);
            rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), staging,
                              strerror(errno));
        }
        pt_remove_tree(old);
        free(old);
    }
    pt_remove_tree(staging); /* after the exchange it holds the old media */
    free(staging);
    return rc;
}

static char *pre_restore_name(struct pt_catalog *c, int64_t now_ms)
{
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    char base[64];
    gmtime_r(&secs, &tm);
    strftime(base, sizeof(base), "pre_restore_%Y%m%d_%H%M%S", &tm);
    char *name = pt_xstrdup(base);
    for (int i = 2; pt_catalog_name_taken(c, name); i++) {
        free(name);
        name = pt_xasprintf("%s_%d", base, i);
    }
    return name;
}

/* The state about to be replaced, as an ordinary backup: undo is one more restore. */
static enum pt_status save_current(struct session *s, struct pt_catalog *c, struct pt_error *err)
{
    const char *db = s->plan->database_target ? s->plan->database_target : s->project->database;
    if (access(db, F_OK) != 0)
        return PT_OK; /* nothing there to lose */
    struct pt_project current = *s->project;
    current.database = (char *)db;
    current.media_given = false;
    struct stat st;
    bool media = s->plan->media_target && stat(s->plan->media_target, &st) == 0 &&
                 S_ISDIR(st.st_mode);
    current.media = media ? s->plan->media_target : NULL;
    char *name = pre_restore_name(c, s->project->now_ms);
    struct pt_create_options opts = {.name = name, .kind = PT_KIND_MANUAL,
                                     .include_media = media ? 1 : 0};
    struct pt_record r = {0};
    enum pt_status rc = pt_backup_check_input(&current, &opts, err);
    if (rc == PT_OK)
        rc = pt_backup_create_locked(&current, c, &opts, NULL, &r, err);
    if (rc == PT_OK)
        s->plan->pre_restore = pt_xstrdup(r.name);
    pt_record_free(&r);
    free(name);
    return rc;
}

enum pt_status pt_restore(const struct pt_project *p, const char *id,
                          const struct pt_restore_options *opts, const struct pt_monitor *monitor,
                          struct pt_restore_plan *plan, struct pt_error *err)
{
    struct session s = {.monitor = monitor};
    struct pt_catalog *c = NULL;
    struct pt_lock lock = {-1};
    memset(plan, 0, sizeof(*plan));
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_WRITE, err);
    if (rc == PT_OK)
        rc = pt_lock_acquire(&lock, p, err);
    if (rc == PT_OK)
        rc = start(&s, p, id, opts, plan, err);
    /* What can fail on a bad backup comes first, while nothing is replaced yet. */
    bool staged = false;
    if (rc == PT_OK && plan->media_target)
        staged = (rc = stage_media(&s, err)) == PT_OK;
    if (rc == PT_OK)
        rc = save_current(&s, c, err);
    if (rc == PT_OK && plan->database_target)
        rc = restore_database(&s, err);
    if (rc == PT_OK && staged)
        rc = swap_media(&s, err);
    else if (staged) {
        char *staging = staging_path(plan->media_target);
        pt_remove_tree(staging);
        free(staging);
    }
    finish(&s);
    pt_lock_release(&lock);
    pt_catalog_close(c);
    return rc;
}

static json_t *string_list(char **items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

json_t *pt_restore_plan_to_json(const struct pt_restore_plan *plan)
{
    json_t *tables = json_array();
    for (size_t i = 0; i < plan->n_tables; i++) {
        const struct pt_restore_table *t = &plan->tables[i];
        json_array_append_new(tables, json_pack("{s:s, s:o, s:o}", "name", t->name, "now",
                                                t->now < 0 ? json_null() : json_integer(t->now),
                                                "after",
                                                t->after < 0 ? json_null() : json_integer(t->after)));
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "backup", json_string(plan->backup));
    json_object_set_new(doc, "database", plan->database_target ? json_string(plan->database_target)
                                                               : json_null());
    json_object_set_new(doc, "media_folder",
                        plan->media_target ? json_string(plan->media_target) : json_null());
    json_object_set_new(doc, "tables", tables);
    json_object_set_new(doc, "media",
                        json_pack("{s:o, s:o, s:o}", "add", string_list(plan->add, plan->n_add),
                                  "change", string_list(plan->change, plan->n_change), "remove",
                                  string_list(plan->remove, plan->n_remove)));
    json_object_set_new(doc, "migrations_differ", json_boolean(plan->migrations_differ));
    return doc;
}

void pt_restore_plan_free(struct pt_restore_plan *plan)
{
    for (size_t i = 0; i < plan->n_tables; i++)
        free(plan->tables[i].name);
    free(plan->tables);
    for (size_t i = 0; i < plan->n_add; i++)
        free(plan->add[i]);
    for (size_t i = 0; i < plan->n_change; i++)
        free(plan->change[i]);
    for (size_t i = 0; i < plan->n_remove; i++)
        free(plan->remove[i]);
    free(plan->add);
    free(plan->change);
    free(plan->remove);
    free(plan->backup);
    free(plan->database_target);
    free(plan->media_target);
    free(plan->pre_restore);
    memset(plan, 0, sizeof(*plan));
}
