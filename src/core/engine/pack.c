// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/pack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "poshtiban/i18n.h"
#include "poshtiban/text.h"

#include "base/fsutil.h"
#include "engine/compress.h"
#include "engine/media.h"
#include "engine/pack-internal.h"
#include "engine/reader.h"

static la_ssize_t write_cb(struct archive *a, void *user, const void *data, size_t len)
{
    (void)a;
    struct writer *w = user;
    if (!w->failed && (w->zstd ? pt_zstd_writer_write(w->zstd, data, len, w->err)
                               : pt_file_writer_write(&w->file, data, len, w->err)) != PT_OK)
        w->failed = true;
    return (la_ssize_t)len;
}

/* After a call of libarchive's that wrote (ok: what it returned was right): PT_OK, or why not. */
enum pt_status pt_pack_wrote(struct writer *w, bool ok, struct pt_error *err)
{
    if (w->failed)
        return err && err->status ? err->status : PT_EFAIL;
    if (!ok)
        return pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), w->dest,
                            archive_error_string(w->a));
    return PT_OK;
}

enum pt_status pt_pack_writer_open(struct writer *w, const char *format, int level,
                                   struct pt_error *err)
{
    w->err = err;
    enum pt_status rc = pt_file_writer_open(&w->file, w->dest, err);
    if (rc != PT_OK)
        return rc;
    w->a = archive_write_new();
    char opt[32];
    if (strcmp(format, "zip") == 0) {
        w->zip = true;
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

void pt_pack_writer_abort(struct writer *w)
{
    w->failed = true; /* what close writes goes nowhere */
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

enum pt_status pt_pack_writer_close(struct writer *w, char hex[PT_SHA256_HEX], int64_t *size,
                                    struct pt_error *err)
{
    w->err = err;
    enum pt_status rc = pt_pack_wrote(w, archive_write_close(w->a) == ARCHIVE_OK, err);
    if (rc != PT_OK) {
        pt_pack_writer_abort(w);
        return rc;
    }
    archive_write_free(w->a);
    w->a = NULL;
    free(w->buf);
    w->buf = NULL;
    if (w->zstd && pt_zstd_writer_end(w->zstd, err) != PT_OK) {
        pt_pack_writer_abort(w);
        return PT_EFAIL;
    }
    pt_zstd_writer_free(w->zstd);
    w->zstd = NULL;
    return pt_file_writer_close(&w->file, hex, size, err);
}

/* Both formats store names in UTF-8: a name (or link target) that is not is refused by name. */
enum pt_status pt_pack_check_utf8(const char *path, const char *link_target, struct pt_error *err)
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

/* ------------------------------------------------- an archive written as its backup is made */

struct pt_pack_stream {
    struct writer w;
    const struct pt_monitor *monitor; /* NULL while a thread of the caller's writes */
    struct pt_manifest *manifest;     /* media: where each file is recorded */
};

enum pt_status pt_pack_stream_open(const char *dest, const char *top, const char *format, int level,
                                   struct pt_pack_stream **out, struct pt_error *err)
{
    struct pt_pack_stream *s = pt_xcalloc(1, sizeof(*s));
    s->w.top = top;
    s->w.dest = dest;
    enum pt_status rc = pt_pack_check_utf8(top, NULL, err);
    if (rc == PT_OK)
        rc = pt_pack_writer_open(&s->w, format, level, err);
    if (rc != PT_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return PT_OK;
}

void pt_pack_stream_progress(struct pt_pack_stream *s, const struct pt_monitor *monitor,
                             int64_t total)
{
    s->w.monitor = monitor;
    s->w.done = 0;
    s->w.total = total;
}

/* The header of member rel; st gives its time (NULL: none), size its length. */
static enum pt_status stream_header(struct pt_pack_stream *s, const char *rel,
                                    enum pt_entry_type type, const struct stat *st, int64_t size,
                                    const char *target, struct pt_error *err)
{
    char *name = pt_xasprintf("%s/%s%s", s->w.top, rel, type == PT_ENTRY_DIR ? "/" : "");
    enum pt_status rc = pt_pack_check_utf8(name, target, err);
    if (rc != PT_OK) {
        free(name);
        return rc;
    }
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname_utf8(ae, name);
    if (st)
        archive_entry_set_mtime(ae, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
    if (type == PT_ENTRY_DIR) {
        archive_entry_set_filetype(ae, AE_IFDIR);
        archive_entry_set_perm(ae, 0700);
    } else if (type == PT_ENTRY_LINK) {
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_perm(ae, 0777);
        archive_entry_set_symlink_utf8(ae, target);
    } else {
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0600);
        archive_entry_set_size(ae, size);
    }
    s->w.err = err;
    rc = pt_pack_wrote(&s->w, archive_write_header(s->w.a, ae) == ARCHIVE_OK, err);
    archive_entry_free(ae);
    free(name);
    return rc;
}

enum pt_status pt_pack_stream_dir(struct pt_pack_stream *s, const char *rel, const struct stat *st,
                                  struct pt_error *err)
{
    return stream_header(s, rel, PT_ENTRY_DIR, st, 0, NULL, err);
}

/* The sample a zip's media file is judged by: its first 64 KiB, deflated at level 1. */
#define SAMPLE (64 * 1024)

/* True when len bytes (4 KiB at least) of data would shrink by less than 3%. */
static bool incompressible(const unsigned char *data, size_t len)
{
    if (len < 4096)
        return false;
    if (len > SAMPLE)
        len = SAMPLE;
    uLongf out_len = compressBound((uLong)len);
    unsigned char *out = pt_xmalloc(out_len);
    bool stored = compress2(out, &out_len, data, (uLong)len, 1) == Z_OK && out_len > len - len / 32;
    free(out);
    return stored;
}

/*
 * The open file fd as member rel of exactly st->st_size bytes, hashed on
 * the way: the size a tar header declares before the bytes come. A file
 * that ends sooner, or is longer once read, changed while it was read and
 * fails (path names it): no member holds other bytes than the file's.
 */
static enum pt_status stream_fd(struct pt_pack_stream *s, int fd, const struct stat *st,
                                const char *path, const char *rel, enum pt_phase phase,
                                char hex[PT_SHA256_HEX], struct pt_error *err)
{
    /*
     * zip: a media file whose first bytes do not shrink under deflate (a
     * photo, a video: compressed already) is stored, not deflated, since
     * libarchive deflates on one thread. Those bytes are read first.
     */
    ssize_t first = 0;
    if (s->w.zip && phase == PT_PHASE_MEDIA) {
        do
            first = read(fd, s->w.buf, st->st_size < COPY_BUF ? (size_t)st->st_size : COPY_BUF);
        while (first < 0 && errno == EINTR);
        if (first < 0)
            return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
        if (incompressible(s->w.buf, (size_t)first))
            archive_write_zip_set_compression_store(s->w.a);
        else
            archive_write_zip_set_compression_deflate(s->w.a);
    }
    enum pt_status rc = stream_header(s, rel, PT_ENTRY_FILE, st, st->st_size, NULL, err);
    if (s->w.zip)
        archive_write_zip_set_compression_deflate(s->w.a);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    int64_t left = st->st_size;
    while (rc == PT_OK && left > 0) {
        ssize_t n = first;
        first = 0;
        if (n == 0)
            n = read(fd, s->w.buf, left < COPY_BUF ? (size_t)left : COPY_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
            break;
        }
        if (n == 0) {
            rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), path);
            break;
        }
        EVP_DigestUpdate(md, s->w.buf, (size_t)n);
        left -= n;
        if ((rc = pt_pack_wrote(&s->w, archive_write_data(s->w.a, s->w.buf, (size_t)n) == n,
                                err)) != PT_OK)
            break;
        s->w.done += n;
        const struct pt_monitor *m = s->w.monitor;
        if (m && m->progress) {
            struct pt_progress p = {phase, s->w.done, s->w.total, rel};
            m->progress(&p, m->user);
        }
        if (m && m->cancel && atomic_load(m->cancel))
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    }
    struct stat after;
    if (rc == PT_OK && (fstat(fd, &after) != 0 || after.st_size != st->st_size))
        rc = pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), path);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    pt_sha256_hex(digest, hex);
    return rc;
}

/* Opens path as a regular file, not following a link; st its state. -1 with err set. */
static int open_member(const char *path, struct stat *st, struct pt_error *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        int e = errno;
        close(fd);
        if (S_ISREG(st->st_mode))
            pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), path, strerror(e));
        else
            pt_error_set(err, PT_EFAIL, _("%s changed while it was read"), path);
        return -1;
    }
    return fd;
}

enum pt_status pt_pack_stream_file(struct pt_pack_stream *s, const char *path, const char *rel,
                                   char hex[PT_SHA256_HEX], int64_t *size, struct pt_error *err)
{
    struct stat st;
    int fd = open_member(path, &st, err);
    if (fd < 0)
        return PT_EFAIL;
    enum pt_status rc = stream_fd(s, fd, &st, path, rel, PT_PHASE_ARCHIVE, hex, err);
    close(fd);
    *size = st.st_size;
    return rc;
}

static enum pt_status media_dir(void *user, const char *rel, const struct stat *st,
                                struct pt_error *err)
{
    return pt_pack_stream_dir(user, rel, st, err);
}

static enum pt_status media_file(void *user, const char *path, const char *rel, int64_t *size,
                                 struct pt_error *err)
{
    struct pt_pack_stream *s = user;
    struct stat st;
    int fd = open_member(path, &st, err);
    if (fd < 0)
        return PT_EFAIL;
    char hex[PT_SHA256_HEX];
    enum pt_status rc = stream_fd(s, fd, &st, path, rel, PT_PHASE_MEDIA, hex, err);
    close(fd);
    if (rc != PT_OK)
        return rc;
    pt_manifest_add(s->manifest, rel, st.st_size, hex);
    pt_manifest_set_mode(s->manifest, (int)(st.st_mode & 07777));
    *size = st.st_size;
    return PT_OK;
}

static enum pt_status media_link(void *user, const char *rel, const char *target,
                                 const struct stat *st, struct pt_error *err)
{
    return stream_header(user, rel, PT_ENTRY_LINK, st, 0, target, err);
}

enum pt_status pt_pack_stream_media(struct pt_pack_stream *s, const char *src, const char *skip,
                                    struct pt_manifest *manifest, struct pt_media_totals *totals,
                                    struct pt_error *err)
{
    struct pt_media_sink sink = {s, media_dir, media_file, media_link};
    s->manifest = manifest;
    enum pt_status rc = pt_media_stream(src, skip, &sink, totals, err);
    s->manifest = NULL;
    return rc;
}

enum pt_status pt_pack_stream_close(struct pt_pack_stream *s, char hex[PT_SHA256_HEX],
                                    int64_t *size, struct pt_error *err)
{
    s->w.err = err;
    enum pt_status rc = pt_pack_writer_close(&s->w, hex, size, err);
    free(s);
    return rc;
}

void pt_pack_stream_abort(struct pt_pack_stream *s)
{
    if (!s)
        return;
    struct pt_error ignored = {0};
    s->w.err = &ignored;
    pt_pack_writer_abort(&s->w);
    pt_error_clear(&ignored);
    free(s);
}
