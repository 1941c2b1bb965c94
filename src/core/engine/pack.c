// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/pack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/fsutil.h"
#include "engine/compress.h"
#include "poshtiban/i18n.h"
#include "poshtiban/text.h"
#include "engine/reader.h"

#define COPY_BUF (256 * 1024)

struct writer {
    struct archive *a;
    struct pt_file_writer file;
    struct pt_zstd_writer *zstd; /* tar.zst: the tar's bytes, compressed into file */
    struct pt_error *err;
    const struct pt_monitor *monitor;
    const char *top;
    const char *dest;
    unsigned char *buf;
    int64_t done, total;
    int pass; /* pack: 0 the reports, 1 the rest; export: -1 */
};

static la_ssize_t write_cb(struct archive *a, void *user, const void *data, size_t len)
{
    struct writer *w = user;
    if ((w->zstd ? pt_zstd_writer_write(w->zstd, data, len, w->err)
                 : pt_file_writer_write(&w->file, data, len, w->err)) != PT_OK) {
        archive_set_error(a, EIO, "%s", w->err && w->err->message ? w->err->message : "write");
        return -1;
    }
    return (la_ssize_t)len;
}

static enum pt_status writer_open(struct writer *w, const char *format, int level,
                                  struct pt_error *err)
{
    w->err = err;
    enum pt_status rc = pt_file_writer_open(&w->file, w->dest, err);
    if (rc != PT_OK)
        return rc;
    w->a = archive_write_new();
    char opt[32];
    if (strcmp(format, "zip") == 0) {
        archive_write_set_format_zip(w->a);
        archive_write_set_format_option(w->a, "zip", "compression", "deflate");
        /* zstd's 1..19 onto deflate's 1..9; older libarchive ignores the level. */
        snprintf(opt, sizeof(opt), "%d", level < 1 ? 6 : (level * 9 + 18) / 19);
        archive_write_set_format_option(w->a, "zip", "compression-level", opt);
    } else {
        archive_write_set_format_pax_restricted(w->a);
        /* Compressed by us, not by libarchive: the frame carries its checksum (compress.h). */
        w->zstd = pt_zstd_writer_new(&w->file, level);
    }
    archive_write_set_bytes_in_last_block(w->a, 1);
    if (archive_write_open2(w->a, w, NULL, write_cb, NULL, NULL) != ARCHIVE_OK) {
        pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), w->dest, archive_error_string(w->a));
        archive_write_free(w->a);
        pt_zstd_writer_free(w->zstd);
        w->zstd = NULL;
        pt_file_writer_abort(&w->file);
        return PT_EFAIL;
    }
    w->buf = pt_xmalloc(COPY_BUF);
    return PT_OK;
}

static void writer_abort(struct writer *w)
{
    if (w->a) {
        /*
         * Closed, not failed: libarchive frees its output block and the zip
         * deflate state only on close, and what close writes goes to the
         * part file removed below.
         */
        archive_write_close(w->a);
        archive_write_free(w->a);
    }
    w->a = NULL;
    pt_zstd_writer_free(w->zstd);
    w->zstd = NULL;
    pt_file_writer_abort(&w->file);
    free(w->buf);
    w->buf = NULL;
}

static enum pt_status writer_close(struct writer *w, char hex[PT_SHA256_HEX], int64_t *size,
                                   struct pt_error *err)
{
    if (archive_write_close(w->a) != ARCHIVE_OK) {
        pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), w->dest, archive_error_string(w->a));
        writer_abort(w);
        return PT_EFAIL;
    }
    archive_write_free(w->a);
    w->a = NULL;
    free(w->buf);
    w->buf = NULL;
    if (w->zstd && pt_zstd_writer_end(w->zstd, err) != PT_OK) {
        writer_abort(w);
        return PT_EFAIL;
    }
    pt_zstd_writer_free(w->zstd);
    w->zstd = NULL;
    return pt_file_writer_close(&w->file, hex, size, err);
}

/* Both formats store names in UTF-8: a name (or link target) that is not is refused by name. */
static enum pt_status check_utf8(const char *path, const char *link_target, struct pt_error *err)
{
    if (pt_text_valid_utf8(path) && (!link_target || pt_text_valid_utf8(link_target)))
        return PT_OK;
    char *shown = pt_text_printable(path);
    enum pt_status rc = pt_error_set(err, PT_EINVAL,
                                     _("%s: the name is not UTF-8, which zip and tar.zst "
                                       "archives need: rename it, or use format dir"),
                                     shown);
    free(shown);
    return rc;
}

static bool is_report(const char *path)
{
    return strcmp(path, "backup_report.json") == 0 || strcmp(path, "backup_summary.txt") == 0 ||
           strcmp(path, "SHA256SUMS") == 0 || strcmp(path, "settings.json") == 0;
}

static enum pt_status add_entry(const struct pt_entry *e, struct pt_reader *r, void *user,
                                struct pt_error *err)
{
    struct writer *w = user;
    if (w->pass >= 0 && is_report(e->path) != (w->pass == 0))
        return PT_OK;
    char *name = pt_xasprintf("%s/%s%s", w->top, e->path, e->type == PT_ENTRY_DIR ? "/" : "");
    /* Again here: an archive's members and a backup's own name were never surveyed. */
    enum pt_status rc = check_utf8(name, e->link_target, err);
    if (rc != PT_OK) {
        free(name);
        return rc;
    }
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname_utf8(ae, name);
    archive_entry_set_mtime(ae, e->mtime, e->mtime_nsec); /* tar.zst keeps it, zip not */
    if (e->type == PT_ENTRY_DIR) {
        archive_entry_set_filetype(ae, AE_IFDIR);
        archive_entry_set_perm(ae, 0700);
    } else if (e->type == PT_ENTRY_LINK) {
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_perm(ae, 0777);
        archive_entry_set_symlink_utf8(ae, e->link_target);
    } else {
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0600);
        archive_entry_set_size(ae, e->size);
    }
    rc = PT_OK;
    if (archive_write_header(w->a, ae) != ARCHIVE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), w->dest,
                          archive_error_string(w->a));
    int64_t written = 0;
    while (rc == PT_OK && e->type == PT_ENTRY_FILE) {
        ssize_t n = pt_reader_read(r, w->buf, COPY_BUF, err);
        if (n < 0) {
            rc = PT_EFAIL;
            break;
        }
        if (n == 0)
            break;
        if (written + n > e->size) {
            /* The file grew since it was listed: the member's size is fixed. */
            rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), e->path);
            break;
        }
        if (archive_write_data(w->a, w->buf, (size_t)n) != n) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), w->dest,
                              archive_error_string(w->a));
            break;
        }
        written += n;
        w->done += n;
        if (w->monitor && w->monitor->progress) {
            struct pt_progress p = {PT_PHASE_ARCHIVE, w->done, w->total, e->path};
            w->monitor->progress(&p, w->monitor->user);
        }
        if (w->monitor && w->monitor->cancel && atomic_load(w->monitor->cancel))
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    }
    if (rc == PT_OK && e->type == PT_ENTRY_FILE && written != e->size)
        rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), e->path);
    archive_entry_free(ae);
    free(name);
    return rc;
}

/*
 * Before an archive is begun: every name must be UTF-8, which both formats
 * store names in; the total size, for progress.
 */
static enum pt_status survey(const struct pt_entry *e, struct pt_reader *r, void *user,
                             struct pt_error *err)
{
    (void)r;
    enum pt_status rc = check_utf8(e->path, e->link_target, err);
    if (rc != PT_OK)
        return rc;
    *(int64_t *)user += e->type == PT_ENTRY_FILE ? e->size : 0;
    return PT_OK;
}

enum pt_status pt_pack_backup(const char *dir, const char *top, const char *format, int level,
                              const char *dest, const struct pt_monitor *monitor,
                              char hex[PT_SHA256_HEX], int64_t *size, struct pt_error *err)
{
    struct pt_record src = {.name = (char *)top, .path = (char *)dir, .format = "dir"};
    struct writer w = {.monitor = monitor, .top = top, .dest = dest};
    enum pt_status rc = pt_reader_walk(&src, survey, &w.total, err);
    if (rc == PT_OK)
        rc = writer_open(&w, format, level, err);
    if (rc != PT_OK)
        return rc;
    /* The reports first: reindex, show and report read no further. */
    for (w.pass = 0; rc == PT_OK && w.pass < 2; w.pass++)
        rc = pt_reader_walk(&src, add_entry, &w, err);
    if (rc != PT_OK) {
        writer_abort(&w);
        return rc;
    }
    return writer_close(&w, hex, size, err);
}

enum pt_status pt_pack_export(const struct pt_record *record, const char *dest,
                              const struct pt_monitor *monitor, struct pt_error *err)
{
    struct writer w = {.monitor = monitor,
                       .top = record->name,
                       .dest = dest,
                       .pass = -1,
                       .total = record->size_bytes};
    int64_t total = 0;
    /* An archive's names went through the survey when it was made; a folder's not. */
    enum pt_status rc = pt_reader_archive_suffix(record->format)
                            ? PT_OK
                            : pt_reader_walk(record, survey, &total, err);
    if (rc == PT_OK)
        rc = writer_open(&w, "zip", 6 * 19 / 9, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_reader_walk(record, add_entry, &w, err);
    if (rc != PT_OK) {
        writer_abort(&w);
        return rc;
    }
    return writer_close(&w, NULL, NULL, err);
}

enum pt_status pt_pack_write_sidecar(const char *path, const char *hex, const char *name,
                                     struct pt_error *err)
{
    struct pt_file_writer f;
    enum pt_status rc = pt_file_writer_open(&f, path, err);
    if (rc != PT_OK)
        return rc;
    char *line = pt_xasprintf("%s  %s\n", hex, name);
    rc = pt_file_writer_puts(&f, line, err);
    free(line);
    if (rc != PT_OK) {
        pt_file_writer_abort(&f);
        return rc;
    }
    return pt_file_writer_close(&f, NULL, NULL, err);
}
