// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/reader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"

struct link {
    char *path;   /* "media/a" */
    char *target; /* as stored */
};

struct pt_reader {
    struct archive *archive; /* archives */
    int fd;                  /* dir: the current file */
    const char *name;        /* the archive's or folder's name, for messages */
    struct link *links;      /* link members seen so far */
    size_t n_links;
};

const char *pt_reader_archive_suffix(const char *format)
{
    return pt_format_suffix(format);
}

ssize_t pt_reader_read(struct pt_reader *r, void *buf, size_t len, struct pt_error *err)
{
    if (r->archive) {
        la_ssize_t n = archive_read_data(r->archive, buf, len);
        if (n < 0) {
            pt_error_set(err, PT_EFAIL, _("%s is damaged: %s"), r->name,
                         archive_error_string(r->archive));
            return -1;
        }
        return n;
    }
    for (;;) {
        ssize_t n = read(r->fd, buf, len);
        if (n >= 0)
            return n;
        if (errno != EINTR) {
            pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), r->name, strerror(errno));
            return -1;
        }
    }
}

static enum pt_status unsafe(struct pt_reader *r, const char *path, struct pt_error *err)
{
    return pt_error_set(err, PT_EFAIL, _("%s holds an unsafe member %s: refused"), r->name, path);
}

/* Lexically: does path (relative) stay inside its tree? */
static bool clean_relative(const char *path)
{
    if (!*path || path[0] == '/')
        return false;
    const char *p = path;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if ((len == 2 && p[0] == '.' && p[1] == '.') || (len == 1 && p[0] == '.'))
            return false;
        p += len;
        if (*p == '/')
            p++;
    }
    return true;
}

/* A link is kept only when its target, taken from the link's folder, stays in the tree. */
bool pt_reader_link_stays_inside(const char *path, const char *target)
{
    if (!target || !*target || target[0] == '/')
        return false;
    int depth = 0;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            depth++;
    const char *p = target;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.')
            depth--;
        else if (len > 0 && !(len == 1 && p[0] == '.'))
            depth++;
        if (depth < 1)
            return false;
        p += len;
        if (*p == '/')
            p++;
    }
    return true;
}

static bool under_link(const struct pt_reader *r, const char *path)
{
    for (size_t i = 0; i < r->n_links; i++) {
        size_t n = strlen(r->links[i].path);
        if (strncmp(path, r->links[i].path, n) == 0 && path[n] == '/')
            return true;
    }
    return false;
}

static enum pt_status check_entry(struct pt_reader *r, const struct pt_entry *e,
                                  struct pt_error *err)
{
    if (!clean_relative(e->path) || under_link(r, e->path))
        return unsafe(r, e->path, err);
    if (e->type == PT_ENTRY_LINK) {
        if (!pt_reader_link_stays_inside(e->path, e->link_target))
            return unsafe(r, e->path, err);
        r->links = pt_xrealloc(r->links, (r->n_links + 1) * sizeof(*r->links));
        r->links[r->n_links++] = (struct link){pt_xstrdup(e->path), pt_xstrdup(e->link_target)};
    }
    return PT_OK;
}

static enum pt_status walk_dir(struct pt_reader *r, const char *root, const char *rel,
                               pt_entry_fn fn, void *user, struct pt_error *err)
{
    char *dir = rel ? pt_path_join(root, rel) : pt_xstrdup(root);
    DIR *d = opendir(dir);
    if (!d) {
        enum pt_status rc =
            pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), dir, strerror(errno));
        free(dir);
        return rc;
    }
    size_t n = 0, cap = 0;
    char **names = NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = pt_xrealloc(names, cap * sizeof(*names));
        }
        names[n++] = pt_xstrdup(de->d_name);
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    enum pt_status rc = PT_OK;
    for (size_t i = 0; i < n; i++) {
        if (rc != PT_OK) {
            free(names[i]);
            continue;
        }
        char *path = pt_path_join(dir, names[i]);
        char *child = rel ? pt_path_join(rel, names[i]) : pt_xstrdup(names[i]);
        struct stat st;
        char *target = NULL;
        if (lstat(path, &st) != 0) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
        } else {
            struct pt_entry e = {.path = child,
                                 .size = st.st_size,
                                 .mtime = st.st_mtim.tv_sec,
                                 .mtime_nsec = st.st_mtim.tv_nsec};
            if (S_ISDIR(st.st_mode)) {
                e.type = PT_ENTRY_DIR;
                e.size = 0;
            } else if (S_ISLNK(st.st_mode)) {
                e.type = PT_ENTRY_LINK;
                target = pt_xcalloc(1, (size_t)st.st_size + 2);
                if (readlink(path, target, (size_t)st.st_size + 1) < 0)
                    target[0] = '\0';
                e.link_target = target;
                e.size = 0;
            } else if (!S_ISREG(st.st_mode)) {
                rc = unsafe(r, child, err);
            }
            if (rc == PT_OK)
                rc = check_entry(r, &e, err);
            if (rc == PT_OK && e.type == PT_ENTRY_FILE) {
                r->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (r->fd < 0)
                    rc =
                        pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
            }
            if (rc == PT_OK) {
                const char *saved = r->name;
                r->name = path;
                rc = fn(&e, r, user, err);
                r->name = saved;
            }
            if (r->fd >= 0)
                close(r->fd);
            r->fd = -1;
            if (rc == PT_OK && e.type == PT_ENTRY_DIR)
                rc = walk_dir(r, root, child, fn, user, err);
        }
        free(target);
        free(child);
        free(path);
        free(names[i]);
    }
    free(names);
    free(dir);
    return rc;
}

static enum pt_status walk_archive(struct pt_reader *r, const struct pt_record *rec, pt_entry_fn fn,
                                   void *user, struct pt_error *err)
{
    struct archive *a = archive_read_new();
    /*
     * A zip is read by its central directory, as unzip reads it: a zip cut
     * short, whose members would all stream, is damaged for every other tool.
     */
    if (strcmp(rec->format, "zip") == 0)
        archive_read_support_format_zip_seekable(a);
    else
        archive_read_support_format_tar(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_none(a);
    r->archive = a;
    enum pt_status rc = PT_OK;
    if (archive_read_open_filename(a, rec->path, 64 * 1024) != ARCHIVE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), rec->path,
                          archive_error_string(a));
        goto out;
    }
    size_t top_len = strlen(rec->name);
    struct archive_entry *ae;
    int h;
    while ((h = archive_read_next_header(a, &ae)) == ARCHIVE_OK || h == ARCHIVE_WARN) {
        const char *name = archive_entry_pathname_utf8(ae);
        if (!name)
            name = archive_entry_pathname(ae);
        if (!name) {
            rc = unsafe(r, "?", err);
            break;
        }
        /* Everything lives under "<name>/". */
        if (strncmp(name, rec->name, top_len) != 0 || name[top_len] != '/') {
            rc = unsafe(r, name, err);
            break;
        }
        char *rel = pt_xstrdup(name + top_len + 1);
        size_t len = strlen(rel);
        while (len > 0 && rel[len - 1] == '/')
            rel[--len] = '\0';
        if (len == 0) {
            free(rel);
            continue; /* the top folder itself */
        }
        struct pt_entry e = {.path = rel,
                             .size = archive_entry_size(ae),
                             .mtime = archive_entry_mtime(ae),
                             .mtime_nsec = archive_entry_mtime_nsec(ae)};
        mode_t type = archive_entry_filetype(ae);
        if (archive_entry_hardlink(ae) ||
            (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)) {
            rc = unsafe(r, name, err);
        } else {
            e.type = type == AE_IFDIR   ? PT_ENTRY_DIR
                     : type == AE_IFLNK ? PT_ENTRY_LINK
                                        : PT_ENTRY_FILE;
            if (e.type != PT_ENTRY_FILE)
                e.size = 0;
            e.link_target = archive_entry_symlink(ae);
            rc = check_entry(r, &e, err);
        }
        if (rc == PT_OK)
            rc = fn(&e, r, user, err);
        free(rel);
        if (rc != PT_OK)
            break;
    }
    if (rc == PT_OK && h != ARCHIVE_EOF)
        rc = pt_error_set(err, PT_EFAIL, _("%s is damaged: %s"), r->name, archive_error_string(a));
out:
    archive_read_free(a);
    r->archive = NULL;
    return rc;
}

static int compare_links(const void *a, const void *b)
{
    return strcmp(((const struct link *)a)->path, ((const struct link *)b)->path);
}

/* Pushes the components of path onto parts (a stack of n), ahead of those there. */
static void prepend_parts(char ***parts, size_t *n, const char *path)
{
    size_t add = 0;
    for (const char *p = path; *p;) {
        const char *end = strchrnul(p, '/');
        if (end > p)
            add++;
        p = *end ? end + 1 : end;
    }
    *parts = pt_xrealloc(*parts, (*n + add + 1) * sizeof(**parts));
    /* The stack's top is its end: the first component goes last. */
    memmove(*parts + add, *parts, *n * sizeof(**parts));
    size_t i = add;
    for (const char *p = path; *p;) {
        const char *end = strchrnul(p, '/');
        if (end > p)
            (*parts)[--i] = pt_xasprintf("%.*s", (int)(end - p), p);
        p = *end ? end + 1 : end;
    }
    *n += add;
}

/*
 * Follows the link at l->path through the other links of the backup, as
 * the filesystem will once they are extracted: false when the way leaves
 * the link's top folder (media/) or goes round more than 40 links. Each
 * link read alone was checked as it came; a chain (media/a -> ., media/b
 * -> a/a/../..) can still escape.
 */
static bool chain_stays_inside(const struct pt_reader *r, const struct link *l)
{
    char **todo = NULL; /* components still to walk, a stack: next at the end */
    size_t n_todo = 0;
    char *at = pt_xstrdup(l->path); /* where the walk is, "" at the top */
    char *slash = strrchr(at, '/');
    *(slash ? slash : at) = '\0';
    prepend_parts(&todo, &n_todo, l->target);
    size_t top_len = strcspn(l->path, "/");
    int hops = 1;
    bool inside = true;
    while (inside && n_todo > 0) {
        char *part = todo[--n_todo];
        if (strcmp(part, "..") == 0) {
            slash = strrchr(at, '/');
            /* Climbing out of the top folder itself leaves it. */
            inside = slash != NULL;
            if (slash)
                *slash = '\0';
        } else if (strcmp(part, ".") != 0) {
            char *next = *at ? pt_xasprintf("%s/%s", at, part) : pt_xstrdup(part);
            free(at);
            at = next;
            struct link key = {.path = at};
            const struct link *hit =
                bsearch(&key, r->links, r->n_links, sizeof(*r->links), compare_links);
            if (hit) {
                inside = ++hops <= 40 && hit->target[0] != '/';
                slash = strrchr(at, '/');
                *(slash ? slash : at) = '\0';
                if (inside)
                    prepend_parts(&todo, &n_todo, hit->target);
            }
        }
        free(part);
    }
    inside =
        inside && strncmp(at, l->path, top_len) == 0 && (at[top_len] == '\0' || at[top_len] == '/');
    while (n_todo > 0)
        free(todo[--n_todo]);
    free(todo);
    free(at);
    return inside;
}

static enum pt_status check_link_chains(struct pt_reader *r, struct pt_error *err)
{
    if (r->n_links > 1)
        qsort(r->links, r->n_links, sizeof(*r->links), compare_links);
    for (size_t i = 0; i < r->n_links; i++)
        if (!chain_stays_inside(r, &r->links[i]))
            return pt_error_set(err, PT_EFAIL,
                                _("%s holds a link %s that leads out of the media folder "
                                  "through other links: refused"),
                                r->name, r->links[i].path);
    return PT_OK;
}

enum pt_status pt_reader_walk(const struct pt_record *rec, pt_entry_fn fn, void *user,
                              struct pt_error *err)
{
    struct pt_reader r = {.fd = -1};
    const char *slash = strrchr(rec->path, '/');
    r.name = slash ? slash + 1 : rec->path;
    enum pt_status rc;
    if (pt_reader_archive_suffix(rec->format))
        rc = walk_archive(&r, rec, fn, user, err);
    else
        rc = walk_dir(&r, rec->path, NULL, fn, user, err);
    if (rc == PT_OK)
        rc = check_link_chains(&r, err);
    for (size_t i = 0; i < r.n_links; i++) {
        free(r.links[i].path);
        free(r.links[i].target);
    }
    free(r.links);
    return rc;
}

struct slurp {
    const char *want;
    char *data;
    size_t len;
};

static enum pt_status slurp_entry(const struct pt_entry *e, struct pt_reader *r, void *user,
                                  struct pt_error *err)
{
    struct slurp *s = user;
    if (e->type != PT_ENTRY_FILE || strcmp(e->path, s->want) != 0)
        return PT_OK;
    size_t cap = 4096;
    s->data = pt_xmalloc(cap);
    for (;;) {
        if (cap - s->len < 2)
            s->data = pt_xrealloc(s->data, cap *= 2);
        ssize_t n = pt_reader_read(r, s->data + s->len, cap - s->len - 1, err);
        if (n < 0)
            return PT_EFAIL;
        if (n == 0)
            break;
        s->len += (size_t)n;
        if (s->len > PT_SMALL_FILE_MAX)
            return pt_error_set(err, PT_EFAIL,
                                _("%s is larger than poshtiban ever writes it: refused"), e->path);
    }
    s->data[s->len] = '\0';
    return PT_ECANCELLED; /* found: stop the walk */
}

enum pt_status pt_reader_slurp(const struct pt_record *rec, const char *path, char **data,
                               size_t *len, struct pt_error *err)
{
    struct slurp s = {.want = path};
    *data = NULL;
    if (!pt_reader_archive_suffix(rec->format)) {
        /* A folder: read the file directly, no walk. */
        char *full = pt_path_join(rec->path, path);
        s.data = pt_read_file(full, PT_SMALL_FILE_MAX, &s.len);
        enum pt_status rc =
            s.data ? PT_OK
                   : pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), full, strerror(errno));
        free(full);
        *data = s.data;
        if (len)
            *len = s.len;
        return rc;
    }
    enum pt_status rc = pt_reader_walk(rec, slurp_entry, &s, err);
    if (rc == PT_ECANCELLED && s.data) {
        *data = s.data;
        if (len)
            *len = s.len;
        return PT_OK;
    }
    free(s.data);
    if (rc == PT_OK)
        rc = pt_error_set(err, PT_EFAIL, _("%s has no %s"), rec->path, path);
    return rc;
}
