// SPDX-License-Identifier: GPL-3.0-or-later
/* create --format zip|tar.zst: the archive written while the backup is made. */
#include "ops/backup-archive.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"
#include "engine/pack.h"

struct pt_backup_archive {
    struct pt_pack_stream *pack; /* NULL once closed */
    char *file;                  /* "<name><suffix>" */
    char *path, *sidecar;        /* in tmp */
    /* The snapshot, packed on a thread of its own. */
    pthread_t thread;
    bool running;
    char *snapshot;
    char hex[PT_SHA256_HEX];
    int64_t size;
    enum pt_status rc;
    struct pt_error err;
};

enum pt_status pt_backup_archive_open(const struct pt_project *p, const struct pt_record *r,
                                      const char *suffix, int level, struct pt_backup_archive **out,
                                      struct pt_error *err)
{
    struct pt_backup_archive *a = pt_xcalloc(1, sizeof(*a));
    a->file = pt_xasprintf("%s%s", r->name, suffix);
    a->path = pt_path_join(p->tmp, a->file);
    a->sidecar = pt_xasprintf("%s.sha256", a->path);
    enum pt_status rc = pt_pack_stream_open(a->path, r->name, r->format, level, &a->pack, err);
    if (rc != PT_OK) {
        pt_backup_archive_free(a);
        return rc;
    }
    *out = a;
    return PT_OK;
}

static void *pack_snapshot(void *user)
{
    struct pt_backup_archive *a = user;
    a->rc =
        pt_pack_stream_file(a->pack, a->snapshot, "database.sqlite3", a->hex, &a->size, &a->err);
    return NULL;
}

void pt_backup_archive_snapshot(struct pt_backup_archive *a, const char *path)
{
    a->snapshot = pt_xstrdup(path);
    /* Nothing reports progress from this thread: the monitor is the caller's. */
    pt_pack_stream_progress(a->pack, NULL, 0);
    a->running = pthread_create(&a->thread, NULL, pack_snapshot, a) == 0;
    if (!a->running)
        a->rc = pt_error_set(&a->err, PT_EFAIL, _("cannot start a thread: %s"), strerror(errno));
}

/* Waits for the snapshot's thread; err (NULL: not wanted) receives its failure. */
static enum pt_status snapshot_wait(struct pt_backup_archive *a, struct pt_error *err)
{
    if (a->running)
        pthread_join(a->thread, NULL);
    a->running = false;
    enum pt_status rc = a->rc;
    if (rc != PT_OK)
        pt_error_set(err, rc, "%s", a->err.message ? a->err.message : _("failed"));
    pt_error_clear(&a->err);
    return rc;
}

/* A file of the backup written in work, into the archive as rel; it must hold what manifest says.
 */
static enum pt_status add_written(struct pt_backup_archive *a, const char *work, const char *rel,
                                  const struct pt_manifest_entry *e, struct pt_error *err)
{
    char *path = pt_path_join(work, rel);
    char hex[PT_SHA256_HEX];
    int64_t size;
    enum pt_status rc = pt_pack_stream_file(a->pack, path, rel, hex, &size, err);
    if (rc == PT_OK && e && (size != e->size || strcmp(hex, e->sha256) != 0))
        rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), path);
    free(path);
    return rc;
}

enum pt_status pt_backup_archive_fixtures(struct pt_backup_archive *a, const char *work,
                                          struct pt_manifest *manifest, size_t from,
                                          const struct pt_monitor *mon, struct pt_error *err)
{
    enum pt_status rc = snapshot_wait(a, err);
    if (rc != PT_OK)
        return rc;
    pt_manifest_add(manifest, "database.sqlite3", a->size, a->hex);
    if (unlink(a->snapshot) != 0)
        return pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), a->snapshot, strerror(errno));
    size_t to = manifest->n - 1;
    int64_t total = 0;
    for (size_t i = from; i < to; i++)
        total += manifest->entries[i].size;
    pt_pack_stream_progress(a->pack, mon, total);
    bool folder = false;
    for (size_t i = from; rc == PT_OK && i < to; i++) {
        const struct pt_manifest_entry *e = &manifest->entries[i];
        if (!folder && strncmp(e->path, "fixtures/", 9) == 0) {
            folder = true;
            char *dir = pt_path_join(work, "fixtures");
            struct stat st;
            rc = pt_pack_stream_dir(a->pack, "fixtures", stat(dir, &st) == 0 ? &st : NULL, err);
            free(dir);
        }
        if (rc == PT_OK)
            rc = add_written(a, work, e->path, e, err);
        char *path = pt_path_join(work, e->path);
        if (rc == PT_OK && unlink(path) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), path, strerror(errno));
        free(path);
    }
    return rc;
}

enum pt_status pt_backup_archive_media(struct pt_backup_archive *a, const char *src,
                                       const char *skip, int64_t total_bytes,
                                       struct pt_manifest *manifest, struct pt_media_totals *totals,
                                       const struct pt_monitor *mon, struct pt_error *err)
{
    pt_pack_stream_progress(a->pack, mon, total_bytes);
    return pt_pack_stream_media(a->pack, src, skip, manifest, totals, err);
}

static const struct pt_manifest_entry *find(const struct pt_manifest *m, const char *path)
{
    for (size_t i = m->n; i-- > 0;)
        if (strcmp(m->entries[i].path, path) == 0)
            return &m->entries[i];
    return NULL;
}

enum pt_status pt_backup_archive_finish(struct pt_backup_archive *a, const char *work,
                                        const struct pt_manifest *manifest,
                                        const struct pt_monitor *mon, int64_t *size,
                                        struct pt_error *err)
{
    /* The reports last: only now do they know every member (docs/backup-layout.md). */
    static const char *const last[] = {"settings.json", "backup_summary.txt", "backup_report.json",
                                       "SHA256SUMS"};
    pt_pack_stream_progress(a->pack, mon, 0);
    enum pt_status rc = PT_OK;
    for (size_t i = 0; rc == PT_OK && i < sizeof(last) / sizeof(*last); i++) {
        const struct pt_manifest_entry *e = find(manifest, last[i]);
        if (e || strcmp(last[i], "SHA256SUMS") == 0)
            rc = add_written(a, work, last[i], e, err);
    }
    if (rc != PT_OK)
        return rc;
    char hex[PT_SHA256_HEX];
    struct pt_pack_stream *pack = a->pack;
    a->pack = NULL;
    rc = pt_pack_stream_close(pack, hex, size, err);
    if (rc == PT_OK)
        rc = pt_pack_write_sidecar(a->sidecar, hex, a->file, err);
    if (rc != PT_OK) {
        unlink(a->path);
        unlink(a->sidecar);
    }
    return rc;
}

void pt_backup_archive_free(struct pt_backup_archive *a)
{
    if (!a)
        return;
    snapshot_wait(a, NULL);
    if (a->pack) {
        pt_pack_stream_abort(a->pack);
        unlink(a->sidecar);
    }
    free(a->snapshot);
    free(a->file);
    free(a->path);
    free(a->sidecar);
    free(a);
}
