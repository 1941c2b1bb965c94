// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/verify-changes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "poshtiban/alloc.h"
#include "poshtiban/changes.h"
#include "poshtiban/i18n.h"
#include "poshtiban/text.h"

#include "base/filewriter.h"
#include "engine/compress.h"
#include "ops/changes-store.h"
#include "ops/restore-at.h"

#define BUF_SIZE (256 * 1024)

/* What one pass over a chain found. */
struct pass {
    char **problems;
    size_t n;
    char *note; /* why the chain was not rebuilt, or NULL */
    size_t checked;
};

static void pass_free(struct pass *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->problems[i]);
    free(p->problems);
    free(p->note);
    memset(p, 0, sizeof(*p));
}

static void problem(struct pass *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct pass *p, const char *fmt, ...)
{
    p->problems = pt_xrealloc(p->problems, (p->n + 1) * sizeof(*p->problems));
    va_list ap;
    va_start(ap, fmt);
    p->problems[p->n++] = pt_text_vline(fmt, ap);
    va_end(ap);
}

/* "changes/<base>/<file>": where the change set lies in the backup root. */
static char *shown_path(const struct pt_change_point *pt)
{
    const char *file = strrchr(pt->path, '/');
    return pt_xasprintf("%s/%s/%s", PT_CHANGES_DIR, pt->base, file ? file + 1 : pt->path);
}

static bool cancelled(const struct pt_monitor *m)
{
    return m && m->cancel && atomic_load(m->cancel);
}

/* The points of base's chain in order (moved out of the list). */
static enum pt_status chain_of(const struct pt_project *p, const char *base,
                               struct pt_change_point **out, size_t *n, struct pt_error *err)
{
    struct pt_change_list list = {0};
    *out = NULL;
    *n = 0;
    enum pt_status rc = pt_changes_chain(p, base, &list, err);
    if (rc == PT_OK && list.n) {
        *out = list.points;
        *n = list.n;
        list.points = NULL;
        list.n = 0;
    }
    pt_change_list_free(&list);
    return rc;
}

/*
 * The JSON files of the chain that do not read as a point: the list leaves
 * them out, verify says each.
 */
static void unreadable_points(const struct pt_project *p, const char *base, struct pass *pass)
{
    char *dir = pt_changes_chain_dir(p, base);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        struct pt_change_point point;
        struct pt_error why = {0};
        if (pt_changes_read_point(dir, e->d_name, &point, &why) == PT_OK)
            pt_change_point_free(&point);
        else
            problem(pass, "%s", why.message ? why.message : _("damaged"));
        pt_error_clear(&why);
    }
    if (d)
        closedir(d);
    free(dir);
}

static void chain_free(struct pt_change_point *points, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pt_change_point_free(&points[i]);
    free(points);
}

/* The data file as stored: hashed and counted as its zstd frame is read through. */
struct stored {
    int fd;
    EVP_MD_CTX *md;
    int64_t size;
    int error; /* errno of a failed read */
};

static ssize_t stored_read(void *user, void *buf, size_t len, struct pt_error *err)
{
    struct stored *s = user;
    ssize_t n;
    do
        n = read(s->fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        s->error = errno;
        pt_error_set(err, PT_EFAIL, "%s", strerror(errno));
        return -1;
    }
    EVP_DigestUpdate(s->md, buf, (size_t)n);
    s->size += n;
    return n;
}

/* One data file: its size and SHA-256 as its JSON records them, its zstd frame whole. */
static bool check_file(const struct pt_change_point *pt, struct pass *pass)
{
    char *shown = shown_path(pt);
    struct stored s = {.fd = open(pt->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
    if (s.fd < 0) {
        problem(pass, _("%s: cannot be read: %s"), shown, strerror(errno));
        free(shown);
        return false;
    }
    s.md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(s.md, EVP_sha256(), NULL);
    unsigned char *buf = pt_xmalloc(BUF_SIZE);
    struct pt_error why = {0};
    struct pt_unpack *u = pt_unpack_open(PT_COMPRESSION_ZSTD, stored_read, &s);
    ssize_t n;
    while ((n = pt_unpack_read(u, buf, BUF_SIZE, &why)) > 0)
        ;
    bool frame_ok = n == 0, unchecked = frame_ok && pt_unpack_unchecked(u);
    pt_unpack_close(u);
    /* What the frame left unread still counts for the checksum. */
    while (!s.error && stored_read(&s, buf, BUF_SIZE, NULL) > 0)
        ;
    free(buf);
    close(s.fd);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    char hex[PT_SHA256_HEX];
    EVP_DigestFinal_ex(s.md, digest, &dlen);
    EVP_MD_CTX_free(s.md);
    pt_sha256_hex(digest, hex);
    bool ok = false;
    if (s.error)
        problem(pass, _("%s: cannot be read: %s"), shown, strerror(s.error));
    else if (s.size != pt->size || strcmp(hex, pt->sha256) != 0)
        problem(pass, _("%s: checksum mismatch"), shown);
    else if (!frame_ok)
        problem(pass, "%s: %s", shown, why.message ? why.message : _("damaged"));
    else if (unchecked)
        problem(pass, _("%s: its zstd frame carries no checksum"), shown);
    else
        ok = true;
    pt_error_clear(&why);
    free(shown);
    return ok;
}

/*
 * deep: the chain applied to a copy of the base's snapshot, every point of
 * it: pt_changes_apply starts from the newest whole database it is given,
 * so the chain goes in runs that each end before the next snapshot point
 * (or at the end), and each run's result passes integrity_check.
 */
static enum pt_status rebuild(const struct pt_project *p, const char *base,
                              const struct pt_change_point *points, size_t n, const char *snapshot,
                              const struct pt_monitor *monitor, struct pass *pass,
                              struct pt_error *err)
{
    char *db = pt_xasprintf("%s/verify-%ld-%s-changes.sqlite3", p->tmp, (long)getpid(), base);
    char hex[PT_SHA256_HEX];
    struct pt_error why = {0};
    if (pt_restore_at_copy(snapshot, db, hex, &why) != PT_OK) {
        /* No room, or no writing: that says nothing of the change sets. */
        pass->note = pt_xasprintf(_("its change sets were not rebuilt: %s"),
                                  why.message ? why.message : _("failed"));
        pt_error_clear(&why);
        free(db);
        return PT_OK;
    }
    enum pt_status rc = PT_OK;
    size_t done = 0;
    for (size_t end = 1; end <= n; end++) {
        if (end < n && points[end].kind != PT_CHANGE_SNAPSHOT)
            continue;
        rc = pt_restore_at_build(p, db, points, end, monitor, &why);
        if (rc == PT_ECANCELLED) {
            pt_error_set(err, rc, "%s", why.message ? why.message : _("cancelled"));
            break;
        }
        if (rc != PT_OK) {
            problem(pass, "%s", why.message ? why.message : _("damaged"));
            rc = PT_OK;
            break;
        }
        done = end;
        if (cancelled(monitor)) {
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
            break;
        }
    }
    pt_error_clear(&why);
    pass->checked = done;
    unlink(db);
    free(db);
    return rc;
}

/* One pass over the chain as it is listed now. */
static enum pt_status check_chain(const struct pt_project *p, const struct pt_change_point *points,
                                  size_t n, const char *base, bool deep, const char *snapshot,
                                  const struct pt_monitor *monitor, struct pass *pass,
                                  struct pt_error *err)
{
    unreadable_points(p, base, pass);
    struct pt_error why = {0};
    if (pt_changes_check_chain(points, n, 0, &why) != PT_OK)
        problem(pass, "%s", why.message ? why.message : _("damaged"));
    pt_error_clear(&why);
    bool files_ok = pass->n == 0;
    for (size_t i = 0; i < n; i++) {
        if (cancelled(monitor))
            return pt_error_set(err, PT_ECANCELLED, _("cancelled"));
        bool ok = check_file(&points[i], pass);
        files_ok = files_ok && ok;
        pass->checked += ok;
    }
    if (!deep || !files_ok || n == 0)
        return PT_OK;
    if (!snapshot) {
        pass->note = pt_xstrdup(_("its change sets were not rebuilt: the backup is damaged"));
        return PT_OK;
    }
    pass->checked = 0;
    return rebuild(p, base, points, n, snapshot, monitor, pass, err);
}

/* The same points, in the same order, with the same checksums. */
static bool same_chain(const struct pt_change_point *a, size_t na, const struct pt_change_point *b,
                       size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].name, b[i].name) != 0 || strcmp(a[i].sha256, b[i].sha256) != 0)
            return false;
    return true;
}

static void add_note(struct pt_verify_result *r, char *note)
{
    r->notes = pt_xrealloc(r->notes, (r->n_notes + 1) * sizeof(*r->notes));
    r->notes[r->n_notes++] = note;
}

enum pt_status pt_verify_changes(const struct pt_project *p, const char *base, bool deep,
                                 const char *snapshot, const struct pt_monitor *monitor,
                                 struct pt_verify_result *result, struct pt_error *err)
{
    struct pt_change_point *points = NULL;
    size_t n = 0;
    struct pt_error why = {0};
    if (chain_of(p, base, &points, &n, &why) != PT_OK) {
        add_note(result, pt_xasprintf(_("its change sets could not be listed: %s"),
                                      why.message ? why.message : _("failed")));
        pt_error_clear(&why);
        return PT_OK;
    }
    struct pass pass = {0};
    enum pt_status rc = check_chain(p, points, n, base, deep, snapshot, monitor, &pass, err);
    /* A capture or thinning may have changed the chain meanwhile: what is there now counts. */
    for (int again = 0; rc == PT_OK && pass.n && again < 2; again++) {
        struct pt_change_point *now = NULL;
        size_t n_now = 0;
        if (chain_of(p, base, &now, &n_now, NULL) != PT_OK || same_chain(points, n, now, n_now)) {
            chain_free(now, n_now);
            break;
        }
        chain_free(points, n);
        points = now;
        n = n_now;
        pass_free(&pass);
        rc = check_chain(p, points, n, base, deep, snapshot, monitor, &pass, err);
    }
    if (rc == PT_OK) {
        result->changes_checked = pass.checked;
        result->change_problems = pass.problems;
        result->n_change_problems = pass.n;
        pass.problems = NULL;
        pass.n = 0;
        if (pass.note)
            add_note(result, pass.note);
        pass.note = NULL;
    }
    pass_free(&pass);
    chain_free(points, n);
    return rc;
}
