// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/restore-path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "poshtiban/backup-read.h"
#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/session.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "base/sums.h"
#include "engine/reader.h"

#define BUF_SIZE (256 * 1024)

/* A path the user gave: relative, no empty, "." or ".." part; a final "/" dropped. */
static char *clean_request(const char *path)
{
    if (!path || !*path || path[0] == '/')
        return NULL;
    char *clean = pt_xstrdup(path);
    size_t n = strlen(clean);
    while (n > 1 && clean[n - 1] == '/')
        clean[--n] = '\0';
    for (const char *p = clean; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
            free(clean);
            return NULL;
        }
        p += len + (slash ? 1 : 0);
    }
    return clean;
}

/* member is under (the same path, or below it). */
static bool under_request(const char *member, const char *under)
{
    size_t n = strlen(under);
    return strncmp(member, under, n) == 0 && (member[n] == '\0' || member[n] == '/');
}

/* The record of id, from the session's catalog, when it is complete. */
static enum pt_status completed_record(struct pt_session *session, const char *id,
                                       struct pt_record *r, struct pt_error *err)
{
    struct pt_catalog *c;
    enum pt_status rc = pt_session_catalog(session, PT_CATALOG_READ, &c, err);
    if (rc == PT_OK)
        rc = pt_catalog_get(c, id, r, err);
    if (rc == PT_OK && r->status != PT_STATE_COMPLETED)
        rc = pt_error_set(err, PT_EINVAL, _("backup %s is not complete (%s): it holds nothing"),
                          r->name, pt_state_label(r->status));
    return rc;
}

static enum pt_status read_sums(const struct pt_record *r, struct pt_sums *sums,
                                struct pt_error *err)
{
    char *text = NULL;
    size_t len;
    enum pt_status rc = pt_reader_slurp(r, "SHA256SUMS", &text, &len, err);
    if (rc == PT_OK)
        pt_sums_parse(text, sums);
    free(text);
    return rc;
}

/* ---- ls ---- */

struct listing {
    const char *under;
    const char *backup;
    const struct pt_sums *sums;
    pt_member_fn fn;
    void *user;
    size_t n;
};

static enum pt_status list_entry(const struct pt_entry *e, struct pt_reader *r, void *user,
                                 struct pt_error *err)
{
    (void)r;
    struct listing *l = user;
    if (l->under && !under_request(e->path, l->under))
        return PT_OK;
    const struct pt_sum *sum = e->type == PT_ENTRY_FILE ? pt_sums_find(l->sums, e->path) : NULL;
    struct pt_member m = {
        .path = e->path,
        .type = e->type == PT_ENTRY_DIR    ? PT_MEMBER_DIR
                : e->type == PT_ENTRY_LINK ? PT_MEMBER_LINK
                                           : PT_MEMBER_FILE,
        .size = e->type == PT_ENTRY_FILE ? e->size : 0,
        .sha256 = sum ? sum->sha256 : NULL,
        .target = e->link_target,
    };
    l->n++;
    return l->fn(l->backup, &m, l->user, err);
}

enum pt_status pt_backup_each_member(struct pt_session *session, const char *id, const char *under,
                                     pt_member_fn fn, void *user, struct pt_error *err)
{
    char *clean = NULL;
    if (under && !(clean = clean_request(under)))
        return pt_error_set(err, PT_EINVAL,
                            _("%s: give a path inside the backup, such as media/photo.jpg, "
                              "without \"..\""),
                            under);
    struct pt_record r = {0};
    struct pt_sums sums = {0};
    enum pt_status rc = completed_record(session, id, &r, err);
    if (rc == PT_OK)
        rc = read_sums(&r, &sums, err);
    struct listing l = {.under = clean, .backup = r.name, .sums = &sums, .fn = fn, .user = user};
    if (rc == PT_OK)
        rc = pt_reader_walk(&r, list_entry, &l, err);
    if (rc == PT_OK && clean && l.n == 0)
        rc = pt_error_set(err, PT_EINVAL, _("backup %s holds nothing at %s"), r.name, clean);
    pt_sums_free(&sums);
    pt_record_free(&r);
    free(clean);
    return rc;
}

/* ---- restore --path ---- */

/*
 * The folder that holds rel under the folder root_fd, opened without
 * following any link: a part of the way that is a link, or not a folder,
 * is refused. Missing folders are created (mode) when create, else *fd is
 * -1 with PT_OK (nothing there yet). *name points at rel's last part.
 */
static enum pt_status open_parent(int root_fd, const char *root, const char *rel, bool create,
                                  mode_t mode, int *fd, const char **name, struct pt_error *err)
{
    *fd = -1;
    int dir = dup(root_fd);
    if (dir < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot open %s: %s"), root, strerror(errno));
    const char *p = rel;
    for (const char *slash; (slash = strchr(p, '/'));) {
        char *part = pt_xasprintf("%.*s", (int)(slash - p), p);
        int next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOENT && create && mkdirat(dir, part, mode) == 0)
            next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int why = errno;
        free(part);
        close(dir);
        if (next < 0 && why == ENOENT && !create)
            return PT_OK;
        if (next < 0) {
            char *where = pt_xasprintf("%s/%.*s", root, (int)(slash - rel), rel);
            enum pt_status rc =
                why == ELOOP || why == ENOTDIR
                    ? pt_error_set(err, PT_EINVAL,
                                   _("%s is a link or not a folder: nothing was written there"),
                                   where)
                    : pt_error_set(err, PT_EFAIL, _("cannot open %s: %s"), where, strerror(why));
            free(where);
            return rc;
        }
        dir = next;
        p = slash + 1;
    }
    *fd = dir;
    *name = p;
    return PT_OK;
}

static void hash_fd(int fd, char hex[PT_SHA256_HEX])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    unsigned char *buf = pt_xmalloc(BUF_SIZE);
    ssize_t n;
    while ((n = read(fd, buf, BUF_SIZE)) > 0)
        EVP_DigestUpdate(md, buf, (size_t)n);
    free(buf);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    pt_sha256_hex(digest, hex);
}

struct session {
    const struct pt_project *project;
    struct pt_record record;
    struct pt_sums sums;
    struct pt_path_plan *plan;
    const char *request; /* "media/a" */
    bool force;
    int root_fd;
    mode_t dir_mode, file_mode;
    json_t *modes; /* "media/…" → permission bits the report recorded */
    const struct pt_monitor *monitor;
    int64_t done, total;
    unsigned char *buf;
    FILE *marker; /* the temporary files' paths, for recovery after a kill */
    size_t next;  /* the plan's file the second walk is at */
    char **temps; /* per file of the plan: its temporary name in its folder, or NULL */
};

/* What a member becomes: its path under the target root ("a/b.jpg"). */
static const char *relative_of(const char *member)
{
    return member + strlen("media/");
}

static enum pt_status plan_entry(const struct pt_entry *e, struct pt_reader *r, void *user,
                                 struct pt_error *err)
{
    (void)r;
    struct session *s = user;
    if (e->type == PT_ENTRY_DIR || !under_request(e->path, s->request) ||
        strncmp(e->path, "media/", 6) != 0)
        return PT_OK;
    struct pt_path_plan *plan = s->plan;
    if (e->type == PT_ENTRY_FILE && !pt_sums_find(&s->sums, e->path))
        return pt_error_set(err, PT_EFAIL, _("refused to restore %s: %s is not in its SHA256SUMS"),
                            s->record.name, e->path);
    if (e->type == PT_ENTRY_LINK && !pt_reader_link_stays_inside(e->path, e->link_target))
        return pt_error_set(err, PT_EFAIL,
                            _("refused to restore: the link %s leads out of the media folder"),
                            e->path);
    plan->files = pt_xrealloc(plan->files, (plan->n + 1) * sizeof(*plan->files));
    struct pt_path_file *f = &plan->files[plan->n++];
    const char *rel = relative_of(e->path);
    *f = (struct pt_path_file){.member = pt_xstrdup(e->path),
                               .target = pt_path_join(plan->target_root, rel),
                               .action = PT_PATH_WRITE,
                               .link = e->type == PT_ENTRY_LINK,
                               .size = e->type == PT_ENTRY_FILE ? e->size : 0};
    int dir;
    const char *name;
    enum pt_status rc = open_parent(s->root_fd, plan->target_root, rel, false, 0, &dir, &name, err);
    if (rc != PT_OK || dir < 0)
        return rc;
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        int why = errno;
        close(dir);
        return why == ENOENT
                   ? PT_OK
                   : pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), f->target, strerror(why));
    }
    if (S_ISLNK(st.st_mode) && !f->link) {
        close(dir);
        return pt_error_set(err, PT_EINVAL,
                            _("%s is a link or not a folder: nothing was written there"),
                            f->target);
    }
    if (S_ISDIR(st.st_mode) || (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))) {
        close(dir);
        return pt_error_set(err, PT_EINVAL, _("%s is not a file: nothing was written there"),
                            f->target);
    }
    bool same = false;
    if (f->link && S_ISLNK(st.st_mode)) {
        char *now = pt_xcalloc(1, (size_t)st.st_size + 2);
        ssize_t len = readlinkat(dir, name, now, (size_t)st.st_size + 1);
        same = len >= 0 && strcmp(now, e->link_target) == 0;
        free(now);
    } else if (!f->link && S_ISREG(st.st_mode)) {
        int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        char hex[PT_SHA256_HEX] = "";
        if (fd >= 0) {
            hash_fd(fd, hex);
            close(fd);
        }
        same = strcmp(hex, pt_sums_find(&s->sums, e->path)->sha256) == 0;
    }
    close(dir);
    f->newer = st.st_mtim.tv_sec > e->mtime ||
               (st.st_mtim.tv_sec == e->mtime && st.st_mtim.tv_nsec > e->mtime_nsec);
    f->action = same ? PT_PATH_SAME : s->force ? PT_PATH_REPLACE : PT_PATH_REFUSED;
    if (!same)
        s->total += f->size;
    return PT_OK;
}

static enum pt_status write_member(struct session *s, struct pt_path_file *f,
                                   const struct pt_entry *e, struct pt_reader *r, char **temp,
                                   struct pt_error *err)
{
    const char *rel = relative_of(f->member);
    int dir;
    const char *name = NULL;
    enum pt_status rc =
        open_parent(s->root_fd, s->plan->target_root, rel, true, s->dir_mode, &dir, &name, err);
    if (rc != PT_OK)
        return rc;
    *temp = pt_xasprintf(".%s.poshtiban-part-%ld", name, (long)getpid());
    char *shown = pt_path_join(s->plan->target_root, rel);
    char *full = pt_xasprintf("%.*s%s", (int)(strlen(shown) - strlen(name)), shown, *temp);
    fprintf(s->marker, "%s\n", full);
    fflush(s->marker);
    fsync(fileno(s->marker));
    free(full);
    unlinkat(dir, *temp, 0);
    if (f->link) {
        if (symlinkat(e->link_target, dir, *temp) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), shown, strerror(errno));
        close(dir);
        free(shown);
        return rc;
    }
    json_t *recorded = json_object_get(s->modes, f->member);
    mode_t mode = recorded ? (mode_t)json_integer_value(recorded) & 0777 : s->file_mode;
    int fd = openat(dir, *temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), shown, strerror(errno));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    while (rc == PT_OK) {
        ssize_t n = pt_reader_read(r, s->buf, BUF_SIZE, err);
        if (n <= 0) {
            rc = n < 0 ? PT_EFAIL : PT_OK;
            break;
        }
        EVP_DigestUpdate(md, s->buf, (size_t)n);
        for (ssize_t off = 0; rc == PT_OK && off < n;) {
            ssize_t w = write(fd, s->buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), shown, strerror(errno));
            else
                off += w;
        }
        s->done += n;
        if (s->monitor && s->monitor->progress) {
            struct pt_progress p = {PT_PHASE_RESTORE, s->done, s->total, f->member};
            s->monitor->progress(&p, s->monitor->user);
        }
        if (s->monitor && s->monitor->cancel && atomic_load(s->monitor->cancel))
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char hex[PT_SHA256_HEX];
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    pt_sha256_hex(digest, hex);
    if (rc == PT_OK && strcmp(hex, pt_sums_find(&s->sums, f->member)->sha256) != 0)
        rc = pt_error_set(err, PT_EFAIL,
                          _("refused to restore %s: %s does not match its checksum: nothing was "
                            "written"),
                          s->record.name, f->member);
    if (rc == PT_OK) {
        const struct timespec times[2] = {{.tv_nsec = UTIME_OMIT},
                                          {.tv_sec = e->mtime, .tv_nsec = e->mtime_nsec}};
        if (fchmod(fd, mode) != 0 || futimens(fd, times) != 0 || fsync(fd) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), shown, strerror(errno));
    }
    if (fd >= 0 && close(fd) != 0 && rc == PT_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), shown, strerror(errno));
    close(dir);
    free(shown);
    return rc;
}

static enum pt_status write_entry(const struct pt_entry *e, struct pt_reader *r, void *user,
                                  struct pt_error *err)
{
    struct session *s = user;
    if (e->type == PT_ENTRY_DIR || !under_request(e->path, s->request) ||
        strncmp(e->path, "media/", 6) != 0)
        return PT_OK;
    /* The same walk as the plan's: the members come in the same order. */
    if (s->next >= s->plan->n || strcmp(s->plan->files[s->next].member, e->path) != 0)
        return pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), s->record.path);
    size_t i = s->next++;
    struct pt_path_file *f = &s->plan->files[i];
    if (f->action == PT_PATH_SAME)
        return PT_OK;
    return write_member(s, f, e, r, &s->temps[i], err);
}

/* Each temporary file becomes its file; a kill between two leaves each one whole. */
static enum pt_status put_in_place(struct session *s, struct pt_error *err)
{
    enum pt_status rc = PT_OK;
    for (size_t i = 0; rc == PT_OK && i < s->plan->n; i++) {
        if (!s->temps[i])
            continue;
        const struct pt_path_file *f = &s->plan->files[i];
        int dir;
        const char *name;
        rc = open_parent(s->root_fd, s->plan->target_root, relative_of(f->member), false, 0, &dir,
                         &name, err);
        if (rc == PT_OK && dir < 0)
            rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), f->target);
        if (rc != PT_OK)
            break;
        struct stat st;
        /* What appeared since the plan was made is never replaced without --force. */
        if (f->action == PT_PATH_WRITE && fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            rc = pt_error_set(err, PT_EINVAL,
                              _("%s exists already: nothing was written there (--force replaces "
                                "it)"),
                              f->target);
        else if (renameat(dir, s->temps[i], dir, name) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), f->target, strerror(errno));
        else {
            free(s->temps[i]);
            s->temps[i] = NULL;
            fsync(dir);
            s->plan->written++;
        }
        close(dir);
    }
    return rc;
}

static void remove_temps(struct session *s)
{
    for (size_t i = 0; s->temps && i < s->plan->n; i++) {
        if (!s->temps[i])
            continue;
        int dir;
        const char *name;
        struct pt_error ignored = {0};
        if (open_parent(s->root_fd, s->plan->target_root, relative_of(s->plan->files[i].member),
                        false, 0, &dir, &name, &ignored) == PT_OK &&
            dir >= 0) {
            unlinkat(dir, s->temps[i], 0);
            close(dir);
        }
        pt_error_clear(&ignored);
        free(s->temps[i]);
    }
    free(s->temps);
    s->temps = NULL;
}

/* The folder the files go under: the media folder (the one a link names), or --to. */
static enum pt_status target_root(struct session *s, const char *to, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    char *given;
    if (to) {
        char *cwd = getcwd(NULL, 0);
        given = pt_path_absolute(cwd ? cwd : "/", to);
        free(cwd);
    } else {
        given = p->media ? pt_xstrdup(p->media) : pt_path_join(p->root, "media");
    }
    char *root = pt_path_resolve(given);
    char *backups = pt_path_resolve(p->backups);
    enum pt_status rc = PT_OK;
    if (pt_path_within(backups, root))
        rc =
            pt_error_set(err, PT_EINVAL, _("cannot restore to %s: it lies in the backup folder %s"),
                         given, p->backups);
    free(backups);
    free(given);
    s->plan->target_root = root;
    return rc;
}

static enum pt_status open_root(struct session *s, bool create, struct pt_error *err)
{
    const char *root = s->plan->target_root;
    if (create && pt_mkdir_p(root, 0700) != 0)
        return pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), root, strerror(errno));
    s->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->root_fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot open %s: %s"), root, strerror(errno));
    struct stat st;
    mode_t mode = fstat(s->root_fd, &st) == 0 ? (st.st_mode & 0777) | 0700 : 0700;
    s->dir_mode = (0755 & mode) | 0700;
    s->file_mode = (0644 & mode) | 0600;
    return PT_OK;
}

enum pt_status pt_restore_path(struct pt_session *session, const char *id,
                               const struct pt_restore_path_options *opts,
                               const struct pt_monitor *monitor, struct pt_path_plan *plan,
                               struct pt_error *err)
{
    const struct pt_project *p = session->project;
    memset(plan, 0, sizeof(*plan));
    char *request = clean_request(opts->path);
    if (!request || !under_request(request, "media")) {
        free(request);
        return pt_error_set(err, PT_EINVAL,
                            _("--path %s: give a path in the backup's media, such as "
                              "media/photo.jpg, relative and without \"..\""),
                            opts->path ? opts->path : "");
    }
    struct session s = {.project = p,
                        .plan = plan,
                        .request = request,
                        .force = opts->force,
                        .root_fd = -1,
                        .monitor = monitor};
    struct pt_lock lock = {-1};
    enum pt_status rc = opts->dry_run ? PT_OK : pt_lock_acquire(&lock, p, err);
    if (rc == PT_OK)
        rc = completed_record(session, id, &s.record, err);
    if (rc == PT_OK) {
        plan->backup = pt_xstrdup(s.record.name);
        if (!s.record.include_media)
            rc = pt_error_set(err, PT_EINVAL, _("backup %s holds no media"), s.record.name);
    }
    if (rc == PT_OK)
        rc = target_root(&s, opts->to, err);
    if (rc == PT_OK)
        rc = read_sums(&s.record, &s.sums, err);
    struct stat st;
    bool exists = rc == PT_OK && stat(plan->target_root, &st) == 0;
    if (rc == PT_OK && exists)
        rc = open_root(&s, false, err);
    if (rc == PT_OK && exists)
        rc = pt_reader_walk(&s.record, plan_entry, &s, err);
    else if (rc == PT_OK) {
        /* No folder there yet: every member is new; the plan is read the same way. */
        char *empty = pt_xasprintf("%s/onefile-%ld-empty", p->tmp, (long)getpid());
        s.root_fd = mkdir(empty, 0700) == 0 ? open(empty, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        rc = s.root_fd >= 0
                 ? pt_reader_walk(&s.record, plan_entry, &s, err)
                 : pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), empty, strerror(errno));
        rmdir(empty);
        free(empty);
        if (s.root_fd >= 0)
            close(s.root_fd);
        s.root_fd = -1;
    }
    if (rc == PT_OK && plan->n == 0)
        rc = pt_error_set(err, PT_EINVAL, _("backup %s holds nothing at %s"), s.record.name,
                          request);
    for (size_t i = 0; rc == PT_OK && i < plan->n; i++)
        if (plan->files[i].action == PT_PATH_REFUSED)
            rc = pt_error_set(
                err, PT_EINVAL,
                plan->files[i].newer
                    ? _("%s is newer than the copy in backup %s: nothing was written "
                        "(--force replaces it)")
                    : _("%s differs from the copy in backup %s: nothing was written (--force "
                        "replaces it)"),
                plan->files[i].target, s.record.name);
    if (rc == PT_OK && !opts->dry_run) {
        if (s.root_fd < 0)
            rc = open_root(&s, true, err);
        char *marker = pt_xasprintf("%s/onefile-%ld", p->tmp, (long)getpid());
        if (rc == PT_OK && !(s.marker = fopen(marker, "we")))
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), marker, strerror(errno));
        s.temps = pt_xcalloc(plan->n + 1, sizeof(*s.temps));
        s.buf = pt_xmalloc(BUF_SIZE);
        /* The modes of the plan's files only. */
        json_t *only = json_object();
        for (size_t i = 0; i < plan->n; i++)
            json_object_set_new(only, plan->files[i].member, json_true());
        s.modes = pt_backup_read_modes(&s.record, only);
        json_decref(only);
        if (rc == PT_OK)
            rc = pt_reader_walk(&s.record, write_entry, &s, err);
        if (rc == PT_OK && s.next != plan->n)
            rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), s.record.path);
        if (rc == PT_OK)
            rc = put_in_place(&s, err);
        remove_temps(&s);
        if (s.marker)
            fclose(s.marker);
        unlink(marker);
        free(marker);
        free(s.buf);
        json_decref(s.modes);
    }
    if (s.root_fd >= 0)
        close(s.root_fd);
    pt_sums_free(&s.sums);
    pt_record_free(&s.record);
    pt_lock_release(&lock);
    free(request);
    return rc;
}

void pt_path_plan_free(struct pt_path_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        free(plan->files[i].member);
        free(plan->files[i].target);
    }
    free(plan->files);
    free(plan->backup);
    free(plan->target_root);
    memset(plan, 0, sizeof(*plan));
}
