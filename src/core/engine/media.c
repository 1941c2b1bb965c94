// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/media.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/i18n.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "base/sums.h"
#include "engine/reader.h"

#define COPY_BUF (256 * 1024)

struct walk {
    dev_t skip_dev;
    ino_t skip_ino;
    bool has_skip;
    /* copy only */
    const struct pt_monitor *monitor;
    struct pt_manifest *manifest;
    int64_t total_bytes;
    unsigned char *buf;
    struct pt_media_totals *totals;
    char *root;           /* src with its links resolved */
    const char *previous; /* the previous backup's folder, NULL: none */
    struct pt_sums previous_sums;
    const char *dest;                 /* copy: the copy's "media" folder */
    const struct pt_media_sink *sink; /* stream */
};

/* A link worth keeping: inside the media folder both as written and on disk. */
static bool link_inside(const struct walk *w, const char *path, const char *rel, const char *target)
{
    if (!pt_reader_link_stays_inside(rel, target))
        return false;
    char *resolved = pt_path_resolve(path);
    bool inside = w->root && pt_path_within(w->root, resolved);
    free(resolved);
    return inside;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder, sorted, without . and ..; NULL with errno on failure. */
static char **list_dir(const char *path, size_t *n)
{
    DIR *d = opendir(path);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            names = pt_xrealloc(names, cap * sizeof(*names));
        }
        names[(*n)++] = pt_xstrdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof(*names), compare_names);
    else if (!names)
        names = pt_xcalloc(1, sizeof(*names));
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static bool skipped(const struct walk *w, const struct stat *st)
{
    return w->has_skip && st->st_dev == w->skip_dev && st->st_ino == w->skip_ino;
}

static enum pt_status measure_dir(struct walk *w, const char *path, struct pt_media_totals *t,
                                  struct pt_error *err)
{
    size_t n;
    char **names = list_dir(path, &n);
    if (!names)
        return pt_error_set(err, PT_EFAIL, _("cannot read media folder %s: %s"), path,
                            strerror(errno));
    enum pt_status rc = PT_OK;
    for (size_t i = 0; rc == PT_OK && i < n; i++) {
        char *child = pt_path_join(path, names[i]);
        struct stat st;
        if (lstat(child, &st) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), child, strerror(errno));
        else if (skipped(w, &st))
            ;
        else if (S_ISDIR(st.st_mode))
            rc = measure_dir(w, child, t, err);
        else if (S_ISREG(st.st_mode)) {
            t->files++;
            t->bytes += st.st_size;
        } else if (S_ISLNK(st.st_mode))
            t->links++;
        else
            t->skipped++;
        free(child);
    }
    free_list(names, n);
    return rc;
}

static void set_skip(struct walk *w, const char *skip)
{
    struct stat st;
    if (skip && stat(skip, &st) == 0) {
        w->has_skip = true;
        w->skip_dev = st.st_dev;
        w->skip_ino = st.st_ino;
    }
}

enum pt_status pt_media_measure(const char *src, const char *skip, struct pt_media_totals *out,
                                struct pt_error *err)
{
    struct walk w = {0};
    memset(out, 0, sizeof(*out));
    set_skip(&w, skip);
    return measure_dir(&w, src, out, err);
}

/* The copy is read-only and keeps the source's time, by which the next backup knows it. */
static void seal(const char *dest, const struct stat *source)
{
    struct timespec times[2] = {source->st_atim, source->st_mtim};
    utimensat(AT_FDCWD, dest, times, AT_SYMLINK_NOFOLLOW);
    chmod(dest, 0400);
}

/*
 * Links dest to the previous backup's copy of rel when the source did not
 * change since (same size and modification time) and that copy still holds
 * the bytes its SHA256SUMS records: it is read again now, since one rotten
 * block in a shared inode would otherwise pass to every later backup
 * (docs/safety.md, "Shared media"). True when linked; a copy found bad is
 * counted in share_bad, and the caller copies the live file afresh.
 */
static bool share(struct walk *w, const struct stat *source, const char *dest, const char *rel)
{
    const struct pt_sum *sum = w->previous ? pt_sums_find(&w->previous_sums, rel) : NULL;
    if (!sum)
        return false;
    char *old = pt_path_join(w->previous, rel);
    struct stat st;
    bool same = lstat(old, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == source->st_size &&
                st.st_mtim.tv_sec == source->st_mtim.tv_sec &&
                st.st_mtim.tv_nsec == source->st_mtim.tv_nsec;
    char hex[PT_SHA256_HEX];
    int64_t size = -1;
    bool good = false;
    if (same) {
        w->totals->rechecked++;
        good = pt_sha256_file(old, hex, &size, NULL) == PT_OK && size == st.st_size &&
               strcmp(hex, sum->sha256) == 0;
        if (!good)
            w->totals->share_bad++;
    }
    bool linked = good && link(old, dest) == 0;
    if (good && !linked && w->totals->share_failed++ == 0)
        w->totals->share_errno = errno;
    free(old);
    if (!linked)
        return false;
    pt_manifest_add(w->manifest, rel, st.st_size, sum->sha256);
    pt_manifest_set_mode(w->manifest, (int)(source->st_mode & 07777));
    w->totals->files++;
    w->totals->shared++;
    w->totals->bytes += st.st_size;
    if (w->monitor && w->monitor->progress) {
        struct pt_progress p = {PT_PHASE_MEDIA, w->totals->bytes, w->total_bytes, rel};
        w->monitor->progress(&p, w->monitor->user);
    }
    return true;
}

static enum pt_status copy_file(struct walk *w, const char *src, const char *dest, const char *rel,
                                struct pt_error *err)
{
    int fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), src, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), src, strerror(errno));
    }
    if (S_ISREG(st.st_mode) && share(w, &st, dest, rel)) {
        close(fd);
        return PT_OK;
    }
    int mode = (int)(st.st_mode & 07777);
    struct pt_file_writer out;
    enum pt_status rc = pt_file_writer_open(&out, dest, err);
    if (rc != PT_OK) {
        close(fd);
        return rc;
    }
    out.defer_sync = true; /* pt_media_copy syncs once at the end */
    /*
     * Holes are found with SEEK_DATA and SEEK_HOLE and left holes in the
     * copy: a sparse file stays sparse. data_end is where the data being
     * read ends (INT64_MAX where the file system does not say).
     */
    int64_t pos = 0, data_end = 0;
    for (;;) {
        if (pos >= data_end) {
            off_t data = lseek(fd, (off_t)pos, SEEK_DATA);
            if (data < 0 && errno == ENXIO)
                data = st.st_size > pos ? st.st_size : (off_t)pos; /* a hole to the end */
            off_t hole = data < 0 ? -1 : lseek(fd, data, SEEK_HOLE);
            data_end = hole > data ? (int64_t)hole : INT64_MAX;
            if (data > pos) {
                if ((rc = pt_file_writer_hole(&out, (int64_t)data - pos, err)) != PT_OK)
                    break;
                w->totals->bytes += (int64_t)data - pos;
                pos = (int64_t)data;
            }
            if (lseek(fd, (off_t)pos, SEEK_SET) < 0) {
                rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), src, strerror(errno));
                break;
            }
        }
        size_t want = data_end - pos < COPY_BUF ? (size_t)(data_end - pos) : COPY_BUF;
        ssize_t n = read(fd, w->buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), src, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        pos += n;
        if ((rc = pt_file_writer_write(&out, w->buf, (size_t)n, err)) != PT_OK)
            break;
        w->totals->bytes += n;
        if (w->monitor && w->monitor->progress) {
            struct pt_progress p = {PT_PHASE_MEDIA, w->totals->bytes, w->total_bytes, rel};
            w->monitor->progress(&p, w->monitor->user);
        }
        if (w->monitor && w->monitor->cancel && atomic_load(w->monitor->cancel)) {
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
            break;
        }
    }
    close(fd);
    if (rc != PT_OK) {
        pt_file_writer_abort(&out);
        return rc;
    }
    char hex[PT_SHA256_HEX];
    int64_t size;
    if ((rc = pt_file_writer_close(&out, hex, &size, err)) != PT_OK)
        return rc;
    seal(dest, &st);
    pt_manifest_add(w->manifest, rel, size, hex);
    pt_manifest_set_mode(w->manifest, mode);
    w->totals->files++;
    return PT_OK;
}

/*
 * What a walk of the media tree hands each member to: a copy into a folder
 * (pt_media_copy) or a sink of the caller's (pt_media_stream). from is the
 * member's path in the source, rel its path in the backup ("media/a.jpg").
 */
struct walk_ops {
    enum pt_status (*dir)(struct walk *w, const char *from, const char *rel, const struct stat *st,
                          struct pt_error *err);
    enum pt_status (*file)(struct walk *w, const char *from, const char *rel, struct pt_error *err);
    enum pt_status (*link)(struct walk *w, const char *from, const char *rel, const char *target,
                           const struct stat *st, struct pt_error *err);
};

/*
 * One folder of the media tree, the same rules for every walk: a member
 * gone before it is looked at is left out (the upload was deleted, not an
 * error), the backup root is left out, links that lead out of the tree are
 * counted in links_out and special files in skipped.
 */
static enum pt_status walk_dir(struct walk *w, const struct walk_ops *ops, const char *src,
                               const char *rel, const struct stat *self, struct pt_error *err)
{
    enum pt_status rc = ops->dir(w, src, rel, self, err);
    if (rc != PT_OK)
        return rc;
    size_t n;
    char **names = list_dir(src, &n);
    if (!names)
        return pt_error_set(err, PT_EFAIL, _("cannot read media folder %s: %s"), src,
                            strerror(errno));
    for (size_t i = 0; rc == PT_OK && i < n; i++) {
        char *from = pt_path_join(src, names[i]);
        char *child_rel = pt_path_join(rel, names[i]);
        struct stat st;
        if (lstat(from, &st) != 0) {
            /* Deleted while we copy: the upload is gone, not an error. */
            if (errno != ENOENT)
                rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), from, strerror(errno));
        } else if (skipped(w, &st)) {
            ;
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(w, ops, from, child_rel, &st, err);
        } else if (S_ISREG(st.st_mode)) {
            rc = ops->file(w, from, child_rel, err);
        } else if (S_ISLNK(st.st_mode)) {
            char *target = pt_xcalloc(1, (size_t)st.st_size + 2);
            ssize_t len = readlink(from, target, (size_t)st.st_size + 1);
            if (len < 0 || len > st.st_size)
                rc = pt_error_set(err, PT_EFAIL, _("cannot copy link %s: %s"), from,
                                  strerror(errno));
            else if (!link_inside(w, from, child_rel, target))
                w->totals->links_out++;
            else if ((rc = ops->link(w, from, child_rel, target, &st, err)) == PT_OK)
                w->totals->links++;
            free(target);
        } else {
            w->totals->skipped++;
        }
        free(from);
        free(child_rel);
    }
    free_list(names, n);
    return rc;
}

/* Where the copy of rel ("media/a/b") goes: under dest, the copy's "media". */
static char *copy_dest(const struct walk *w, const char *rel)
{
    return pt_xasprintf("%s%s", w->dest, rel + strlen("media"));
}

static enum pt_status copy_dir_made(struct walk *w, const char *from, const char *rel,
                                    const struct stat *st, struct pt_error *err)
{
    (void)from;
    (void)st;
    char *dest = copy_dest(w, rel);
    enum pt_status rc =
        mkdir(dest, 0700) == 0
            ? PT_OK
            : pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), dest, strerror(errno));
    free(dest);
    return rc;
}

static enum pt_status copy_file_to(struct walk *w, const char *from, const char *rel,
                                   struct pt_error *err)
{
    char *dest = copy_dest(w, rel);
    enum pt_status rc = copy_file(w, from, dest, rel, err);
    free(dest);
    return rc;
}

static enum pt_status copy_link(struct walk *w, const char *from, const char *rel,
                                const char *target, const struct stat *st, struct pt_error *err)
{
    (void)st;
    char *dest = copy_dest(w, rel);
    enum pt_status rc =
        symlink(target, dest) == 0
            ? PT_OK
            : pt_error_set(err, PT_EFAIL, _("cannot copy link %s: %s"), from, strerror(errno));
    free(dest);
    return rc;
}

static const struct walk_ops copy_ops = {copy_dir_made, copy_file_to, copy_link};

enum pt_status pt_media_copy(const char *src, const char *dest, const char *skip,
                             const char *previous, int64_t total_bytes,
                             const struct pt_monitor *monitor, struct pt_manifest *manifest,
                             struct pt_media_totals *out, struct pt_error *err)
{
    struct walk w = {
        .monitor = monitor, .manifest = manifest, .total_bytes = total_bytes, .totals = out};
    memset(out, 0, sizeof(*out));
    char *sums_path = previous ? pt_path_join(previous, "SHA256SUMS") : NULL;
    char *sums = sums_path ? pt_read_file(sums_path, PT_SMALL_FILE_MAX, NULL) : NULL;
    free(sums_path);
    if (sums) {
        w.previous = previous;
        pt_sums_parse(sums, &w.previous_sums);
        free(sums);
    }
    set_skip(&w, skip);
    w.buf = pt_xmalloc(COPY_BUF);
    w.root = realpath(src, NULL);
    w.dest = dest;
    enum pt_status rc = walk_dir(&w, &copy_ops, src, "media", NULL, err);
    /*
     * One sync of the file system for every file and folder copied, rather
     * than an fsync each (docs/safety.md): nothing relies on the copy before
     * this returns.
     */
    if (rc == PT_OK && pt_sync_fs(dest) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dest, strerror(errno));
    free(w.root);
    free(w.buf);
    pt_sums_free(&w.previous_sums);
    return rc;
}

/* The sink's side of a walk: the folder, file and link as pt_media_stream says. */
static enum pt_status sink_dir(struct walk *w, const char *from, const char *rel,
                               const struct stat *st, struct pt_error *err)
{
    (void)from;
    return w->sink->dir(w->sink->user, rel, st, err);
}

static enum pt_status sink_file(struct walk *w, const char *from, const char *rel,
                                struct pt_error *err)
{
    int64_t size = 0;
    enum pt_status rc = w->sink->file(w->sink->user, from, rel, &size, err);
    if (rc == PT_OK) {
        w->totals->files++;
        w->totals->bytes += size;
    }
    return rc;
}

static enum pt_status sink_link(struct walk *w, const char *from, const char *rel,
                                const char *target, const struct stat *st, struct pt_error *err)
{
    (void)from;
    return w->sink->link(w->sink->user, rel, target, st, err);
}

static const struct walk_ops sink_ops = {sink_dir, sink_file, sink_link};

enum pt_status pt_media_stream(const char *src, const char *skip, const struct pt_media_sink *sink,
                               struct pt_media_totals *out, struct pt_error *err)
{
    struct walk w = {.totals = out, .sink = sink};
    memset(out, 0, sizeof(*out));
    set_skip(&w, skip);
    struct stat st;
    if (stat(src, &st) != 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read media folder %s: %s"), src,
                            strerror(errno));
    w.root = realpath(src, NULL);
    enum pt_status rc = walk_dir(&w, &sink_ops, src, "media", &st, err);
    free(w.root);
    return rc;
}
