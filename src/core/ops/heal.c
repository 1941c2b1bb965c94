// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/heal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/i18n.h"
#include "poshtiban/testhooks.h"

#include "base/filewriter.h"
#include "base/fsutil.h"

#define COPY_BUF (256 * 1024)

void pt_heal_init(struct pt_heal *h, const struct pt_project *p, struct pt_catalog *c,
                  const struct pt_record *r, bool locked)
{
    memset(h, 0, sizeof(*h));
    h->project = p;
    h->catalog = c;
    h->record = r;
    h->locked = locked;
    h->lock.fd = -1;
}

void pt_heal_done(struct pt_heal *h)
{
    if (h->lock_taken)
        pt_lock_release(&h->lock);
    h->lock_taken = false;
    for (size_t i = 0; i < h->n_healed; i++)
        free(h->healed[i]);
    free(h->healed);
    h->healed = NULL;
    h->n_healed = 0;
}

/* For the crash tests: a build with test hooks dies at the Nth step of a heal. */
static void step(struct pt_heal *h)
{
#ifdef PT_TEST_HOOKS
    long kill_after = pt_test_hooks()->kill_after;
    if (kill_after > 0 && ++h->steps >= kill_after)
        raise(SIGKILL);
#else
    (void)h;
#endif
}

/* The backups (names and paths of rel) that link the inode of damaged. */
struct sharers {
    char **names, **paths;
    size_t n;
};

static void sharers_find(struct pt_heal *h, const char *rel, const struct stat *damaged,
                         struct sharers *out)
{
    memset(out, 0, sizeof(*out));
    struct pt_catalog_filter filter = {.has_status = true, .status = PT_STATE_COMPLETED};
    struct pt_record *records = NULL;
    size_t n = 0;
    int64_t total;
    bool listed = pt_catalog_list(h->catalog, &filter, &records, &n, &total, NULL) == PT_OK;
    out->names = pt_xcalloc(n + 1, sizeof(*out->names));
    out->paths = pt_xcalloc(n + 1, sizeof(*out->paths));
    bool self = false;
    for (size_t i = 0; listed && i < n; i++) {
        if (!records[i].path || strcmp(records[i].format, "dir") != 0)
            continue;
        char *path = pt_path_join(records[i].path, rel);
        struct stat st;
        if (lstat(path, &st) == 0 && st.st_dev == damaged->st_dev && st.st_ino == damaged->st_ino) {
            self = self || records[i].id == h->record->id;
            out->names[out->n] = pt_xstrdup(records[i].name);
            out->paths[out->n++] = path;
        } else {
            free(path);
        }
    }
    if (!self) {
        out->names[out->n] = pt_xstrdup(h->record->name);
        out->paths[out->n++] = pt_path_join(h->record->path, rel);
    }
    pt_record_list_free(records, n);
}

static void sharers_free(struct sharers *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->names[i]);
        free(s->paths[i]);
    }
    free(s->names);
    free(s->paths);
}

static char *names_joined(const struct sharers *s)
{
    char *text = pt_xstrdup("");
    for (size_t i = 0; i < s->n; i++) {
        char *more = pt_xasprintf("%s%s%s", text, i ? ", " : "", s->names[i]);
        free(text);
        text = more;
    }
    return text;
}

static void note_healed(struct pt_heal *h, const char *name)
{
    for (size_t i = 0; i < h->n_healed; i++)
        if (strcmp(h->healed[i], name) == 0)
            return;
    h->healed = pt_xrealloc(h->healed, (h->n_healed + 1) * sizeof(*h->healed));
    h->healed[h->n_healed++] = pt_xstrdup(name);
}

/*
 * A fresh copy of live into fresh (created), with the damaged copy's times
 * and mode; true when its SHA-256 is want.
 */
static bool copy_fresh(const char *live, const char *fresh, const char *want,
                       const struct stat *damaged)
{
    int fd = open(live, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return false;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != damaged->st_size) {
        close(fd);
        return false;
    }
    struct pt_file_writer w;
    if (pt_file_writer_open(&w, fresh, NULL) != PT_OK) {
        close(fd);
        return false;
    }
    unsigned char *buf = pt_xmalloc(COPY_BUF);
    bool ok = true;
    for (;;) {
        ssize_t n = read(fd, buf, COPY_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        if (pt_file_writer_write(&w, buf, (size_t)n, NULL) != PT_OK) {
            ok = false;
            break;
        }
    }
    free(buf);
    close(fd);
    if (!ok) {
        pt_file_writer_abort(&w);
        return false;
    }
    char hex[PT_SHA256_HEX];
    int64_t size;
    if (pt_file_writer_close(&w, hex, &size, NULL) != PT_OK)
        return false;
    struct timespec times[2] = {damaged->st_atim, damaged->st_mtim};
    if (strcmp(hex, want) != 0 || size != damaged->st_size ||
        utimensat(AT_FDCWD, fresh, times, AT_SYMLINK_NOFOLLOW) != 0 || chmod(fresh, 0400) != 0) {
        unlink(fresh);
        return false;
    }
    return true;
}

/* Each backup's file becomes a link to fresh, one rename(2) each; 0 or an errno. */
static int relink(struct pt_heal *h, const char *fresh, const struct sharers *s)
{
    int failed = 0;
    for (size_t i = 0; !failed && i < s->n; i++) {
        char *link_path = pt_xasprintf("%s-%zu", fresh, i);
        unlink(link_path);
        if (link(fresh, link_path) != 0)
            failed = errno;
        step(h);
        if (!failed && rename(link_path, s->paths[i]) != 0) {
            failed = errno;
            unlink(link_path);
        }
        if (!failed) {
            char *dir = pt_xstrdup(s->paths[i]);
            char *slash = strrchr(dir, '/');
            if (slash)
                *slash = '\0';
            pt_fsync_dir(dir);
            free(dir);
            note_healed(h, s->names[i]);
        }
        step(h);
        free(link_path);
    }
    return failed;
}

bool pt_heal_media_file(struct pt_heal *h, const char *rel, const char *sha256, char **said)
{
    const struct pt_project *p = h->project;
    char *copy = pt_path_join(h->record->path, rel);
    struct stat damaged;
    bool regular = lstat(copy, &damaged) == 0 && S_ISREG(damaged.st_mode);
    free(copy);
    if (!regular || strcmp(h->record->format, "dir") != 0 || strncmp(rel, "media/", 6) != 0) {
        *said = pt_xasprintf(_("%s: checksum mismatch"), rel);
        return false;
    }
    struct sharers s;
    sharers_find(h, rel, &damaged, &s);
    char *names = names_joined(&s);
    if (!h->locked && !h->lock_taken && !h->busy) {
        h->lock_taken = pt_lock_acquire(&h->lock, p, NULL) == PT_OK;
        h->busy = !h->lock_taken;
    }
    bool healed = false;
    if (h->busy) {
        *said = pt_xasprintf(_("%s: checksum mismatch; not healed, since another poshtiban process "
                               "is busy here; the same damaged copy is in backups %s"),
                             rel, names);
    } else {
        char *live = p->media ? pt_path_join(p->media, rel + 6) : NULL;
        char *fresh =
            pt_xasprintf("%s/verify-%ld-heal-%zu", p->tmp, (long)getpid(), h->n_healed + 1);
        unlink(fresh);
        if (!live || !copy_fresh(live, fresh, sha256, &damaged)) {
            *said = pt_xasprintf(_("%s: checksum mismatch, and the live file is not the one "
                                   "backed up, so it cannot be healed; the same damaged copy is "
                                   "in backups %s"),
                                 rel, names);
        } else {
            step(h);
            int failed = relink(h, fresh, &s);
            healed = failed == 0;
            unlink(fresh);
            *said = healed ? pt_xasprintf(_("%s: damaged, healed from the live file in backups %s"),
                                          rel, names)
                           : pt_xasprintf(_("%s: checksum mismatch; healing it failed: %s; the "
                                            "same damaged copy is in backups %s"),
                                          rel, strerror(failed), names);
        }
        free(fresh);
        free(live);
    }
    free(names);
    sharers_free(&s);
    return healed;
}
