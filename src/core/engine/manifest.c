// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"

void pt_manifest_add(struct pt_manifest *m, const char *path, int64_t size,
                     const char sha256[PT_SHA256_HEX])
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 32;
        m->entries = pt_xrealloc(m->entries, m->cap * sizeof(*m->entries));
    }
    struct pt_manifest_entry *e = &m->entries[m->n++];
    e->path = pt_xstrdup(path);
    e->size = size;
    memcpy(e->sha256, sha256, PT_SHA256_HEX);
    e->mode = 0;
    m->bytes += size;
}

void pt_manifest_take(struct pt_manifest *into, struct pt_manifest *from)
{
    if (into->cap - into->n < from->n) {
        into->cap = into->n + from->n;
        into->entries = pt_xrealloc(into->entries, into->cap * sizeof(*into->entries));
    }
    if (from->n)
        memcpy(into->entries + into->n, from->entries, from->n * sizeof(*from->entries));
    into->n += from->n;
    into->bytes += from->bytes;
    free(from->entries);
    memset(from, 0, sizeof(*from));
}

void pt_manifest_set_mode(struct pt_manifest *m, int mode)
{
    if (m->n)
        m->entries[m->n - 1].mode = mode & 07777;
}

json_t *pt_manifest_entry_json(const struct pt_manifest_entry *e)
{
    json_t *f = json_pack("{s:s, s:I, s:s}", "path", e->path, "size", (json_int_t)e->size, "sha256",
                          e->sha256);
    if (f && e->mode) {
        char octal[8];
        snprintf(octal, sizeof(octal), "%04o", (unsigned)(e->mode & 07777));
        json_object_set_new(f, "mode", json_string(octal));
    }
    return f;
}

static enum pt_status write_name(struct pt_file_writer *w, const char *name, struct pt_error *err)
{
    for (const char *p = name; *p; p++) {
        const char *piece = *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : NULL;
        enum pt_status rc =
            piece ? pt_file_writer_puts(w, piece, err) : pt_file_writer_write(w, p, 1, err);
        if (rc != PT_OK)
            return rc;
    }
    return PT_OK;
}

enum pt_status pt_manifest_write_sums(const struct pt_manifest *m, const char *path,
                                      struct pt_error *err)
{
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, path, err);
    if (rc != PT_OK)
        return rc;
    for (size_t i = 0; i < m->n; i++) {
        const struct pt_manifest_entry *e = &m->entries[i];
        bool escaped = strpbrk(e->path, "\\\n") != NULL;
        if ((escaped && pt_file_writer_puts(&w, "\\", err) != PT_OK) ||
            pt_file_writer_puts(&w, e->sha256, err) != PT_OK ||
            pt_file_writer_puts(&w, "  ", err) != PT_OK || write_name(&w, e->path, err) != PT_OK ||
            pt_file_writer_puts(&w, "\n", err) != PT_OK) {
            pt_file_writer_abort(&w);
            return PT_EFAIL;
        }
    }
    return pt_file_writer_close(&w, NULL, NULL, err);
}

void pt_manifest_free(struct pt_manifest *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->entries[i].path);
    free(m->entries);
    memset(m, 0, sizeof(*m));
}
