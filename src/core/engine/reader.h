/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_READER_H
#define POSHTIBAN_CORE_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "poshtiban/record.h"
#include "poshtiban/status.h"

enum pt_entry_type { PT_ENTRY_FILE, PT_ENTRY_DIR, PT_ENTRY_LINK };

/* One member of a backup, whatever its format. Valid during the callback. */
struct pt_entry {
    const char *path; /* relative to the backup's top folder: "media/a.jpg" */
    enum pt_entry_type type;
    int64_t size;
    const char *link_target; /* PT_ENTRY_LINK */
    int64_t mtime;
    long mtime_nsec; /* as far as the format keeps it: all of it in dir and tar.zst */
};

struct pt_reader;

/* Reads the current file entry's data; 0 at its end, -1 with err set on failure. */
ssize_t pt_reader_read(struct pt_reader *reader, void *buf, size_t len, struct pt_error *err);

/* Called for every entry; a status other than PT_OK stops the walk and is returned. */
typedef enum pt_status (*pt_entry_fn)(const struct pt_entry *entry, struct pt_reader *reader,
                                      void *user, struct pt_error *err);

/*
 * Walks every member of the backup: the folder for format dir, the archive
 * for zip and tar.zst, without extracting anything. Archives are read as a
 * stream. Every path is checked before fn sees it: a member outside the top
 * folder, with "..", absolute, a hard link, a link leaving the backup's tree
 * or a member under a link fails with PT_EFAIL ("unsafe member …").
 * Archive members come as written (docs/backup-layout.md, "Member
 * order"): the reports and SHA256SUMS last, first in archives made before.
 */
enum pt_status pt_reader_walk(const struct pt_record *record, pt_entry_fn fn, void *user,
                              struct pt_error *err);

/* Reads one small member (a report) whole; *data is owned, NUL-terminated. */
enum pt_status pt_reader_slurp(const struct pt_record *record, const char *path, char **data,
                               size_t *len, struct pt_error *err);

/*
 * True when a link at path ("media/a/b") with this target, read as text,
 * names a place inside path's top folder: relative, and never climbing
 * above it.
 */
bool pt_reader_link_stays_inside(const char *path, const char *target);

/* The archive file's name for a record ("backup_X.zip"), or NULL for dir. */
const char *pt_reader_archive_suffix(const char *format);

#endif
