// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A backup archive as verify, restore and reindex read it (reader.h). The
 * first input byte chooses the file's name and record format (bit 0: zip or
 * tar.zst) and whether backup_report.json is also slurped (bit 1); the rest
 * is the archive, written to a temporary file.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/record.h"

#include "engine/reader.h"

/* Bounds per input, so that a small archive that unpacks to a lot stays quick. */
#define MAX_ENTRIES 10000
#define MAX_BYTES ((int64_t)16 << 20)

static char *folder;

static void remove_folder(void)
{
    if (folder)
        rmdir(folder);
    free(folder);
    folder = NULL;
}

static const char *temporary_folder(void)
{
    if (folder)
        return folder;
    const char *tmp = getenv("TMPDIR");
    size_t size = strlen(tmp && *tmp ? tmp : "/tmp") + sizeof("/poshtiban-fuzz-XXXXXX");
    folder = malloc(size);
    if (!folder)
        abort();
    snprintf(folder, size, "%s/poshtiban-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(folder)) {
        perror(folder);
        abort();
    }
    atexit(remove_folder);
    return folder;
}

static bool safe_path(const char *path)
{
    if (!path || !*path || path[0] == '/')
        return false;
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, "/");
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += len;
        if (*p == '/')
            p++;
    }
    return true;
}

static void fail(const char *path, const char *what)
{
    fprintf(stderr, "fuzz-reader: %s: %s\n", path, what);
    abort();
}

struct walk {
    size_t entries;
    int64_t bytes;
};

static enum pt_status read_entry(const struct pt_entry *e, struct pt_reader *reader, void *user,
                                 struct pt_error *err)
{
    struct walk *w = user;
    if (!safe_path(e->path))
        fail(e->path, "an unsafe path reached the callback"); /* reader.h */
    if (++w->entries > MAX_ENTRIES)
        return PT_ECANCELLED;
    if (e->type != PT_ENTRY_FILE)
        return PT_OK;
    static char buf[64 * 1024];
    for (;;) {
        ssize_t n = pt_reader_read(reader, buf, sizeof(buf), err);
        if (n < 0)
            return PT_EFAIL;
        if (n == 0)
            return PT_OK;
        if ((size_t)n > sizeof(buf))
            fail(e->path, "pt_reader_read returned more than asked");
        if ((w->bytes += n) > MAX_BYTES)
            return PT_ECANCELLED;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *format = data[0] & 1 ? "zip" : "tar.zst";
    bool slurp = data[0] & 2;
    const char *dir = temporary_folder();
    size_t path_size = strlen(dir) + sizeof("/backup_x.tar.zst");
    char *path = malloc(path_size);
    if (!path)
        abort();
    snprintf(path, path_size, "%s/backup_x%s", dir, pt_reader_archive_suffix(format));
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0) {
        perror(path);
        abort();
    }

    struct pt_record record = {
        .name = (char *)"backup_x",
        .status = PT_STATE_COMPLETED,
        .format = (char *)format,
        .path = path,
        .verify_ok = -1,
    };
    struct walk w = {0};
    struct pt_error err = {0};
    enum pt_status rc = pt_reader_walk(&record, read_entry, &w, &err);
    if (rc != PT_OK && rc != PT_ECANCELLED && !err.message)
        fail(path, "the walk failed without a message");
    pt_error_clear(&err);
    if (slurp) {
        char *text = NULL;
        size_t len = 0;
        rc = pt_reader_slurp(&record, "backup_report.json", &text, &len, &err);
        if (rc == PT_OK && (!text || strlen(text) > len))
            fail(path, "the slurped report is not NUL-terminated at its length");
        free(text);
        pt_error_clear(&err);
    }
    unlink(path);
    free(path);
    return 0;
}
