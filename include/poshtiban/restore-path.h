/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_RESTORE_PATH_H
#define POSHTIBAN_RESTORE_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/*
 * One file back (docs/cli.md, "ls" and "restore --path"): what a backup
 * holds, and one file or folder of its media brought back without touching
 * anything else.
 */

enum pt_member_type { PT_MEMBER_FILE, PT_MEMBER_DIR, PT_MEMBER_LINK };

/* One member of a backup, as `ls` lists it. */
struct pt_member {
    const char *path; /* relative to the backup's top folder: "media/a.jpg" */
    enum pt_member_type type;
    int64_t size;       /* files; 0 otherwise */
    const char *sha256; /* as SHA256SUMS lists it; NULL when it lists none */
    const char *target; /* links: where it points, as stored */
};

/*
 * Called for each member listed; backup is the backup's name. The strings
 * are valid until it returns.
 */
typedef enum pt_status (*pt_member_fn)(const char *backup, const struct pt_member *member,
                                       void *user, struct pt_error *err);

/*
 * Hands each member of completed backup id (any format, read as a stream,
 * nothing extracted) that is under under (a member path, or NULL for all)
 * to fn, in the order the backup holds them, one at a time: memory stays
 * flat however many there are. PT_EINVAL: under is not a clean relative
 * path, or the backup holds nothing there; PT_EFAIL: the backup cannot be
 * read or holds an unsafe member; what fn returns stops the walk.
 */
enum pt_status pt_backup_each_member(struct pt_session *session, const char *id, const char *under,
                                     pt_member_fn fn, void *user, struct pt_error *err);

struct pt_restore_path_options {
    const char *path; /* "media/REL": a file or a folder of the backup's media */
    const char *to;   /* NULL: the media folder; else a folder that stands in for it */
    bool force;       /* replace an existing file whose content differs */
    bool dry_run;     /* work out what would be written, write nothing */
};

/* What happens to one file (docs/cli.md, "restore --path"). */
enum pt_path_action {
    PT_PATH_WRITE,   /* nothing there: written */
    PT_PATH_SAME,    /* there already with the backup's content: left alone */
    PT_PATH_REPLACE, /* there with other content: replaced (--force) */
    PT_PATH_REFUSED, /* there with other content, no --force: nothing is written */
};

struct pt_path_file {
    char *member; /* "media/a/b.jpg" */
    char *target; /* absolute path it goes to */
    enum pt_path_action action;
    bool link;    /* a symbolic link (recreated as stored) */
    bool newer;   /* refused or replaced: the file there is newer than the backup's copy */
    int64_t size; /* of the backup's copy */
};

struct pt_path_plan {
    char *backup;      /* the backup's name */
    char *target_root; /* the media folder, or --to, absolute */
    struct pt_path_file *files;
    size_t n;
    size_t written; /* after the restore: files written (action WRITE or REPLACE) */
};

/*
 * Brings back the media member opts->path (one file, or a folder and all
 * under it) of completed backup id, under the lock. Every file goes to
 * the same relative path under the media folder (or under opts->to),
 * each read from the backup as a stream, checked against SHA256SUMS as
 * it is written into a temporary file beside its place, and renamed into
 * place only when every file of the request checked out. Nothing else is
 * touched: no pre-restore backup is made, the database is not read.
 * Missing folders on the way are created; a folder on the way that is a
 * symbolic link, or a link where a file goes, is refused. An existing
 * file with the backup's content is left alone; one with other content
 * is refused (PT_EINVAL, nothing written) unless opts->force.
 * PT_EINVAL: the path is absolute, holds "." or "..", lies outside
 * media/, or is not in the backup; opts->to lies inside the backup root.
 * PT_EFAIL: a member does not match its checksum, or the disk refuses;
 * nothing is renamed into place then. With opts->dry_run, plan is filled
 * and nothing is written. plan is filled in every case; free it with
 * pt_path_plan_free().
 */
enum pt_status pt_restore_path(struct pt_session *session, const char *id,
                               const struct pt_restore_path_options *opts,
                               const struct pt_monitor *monitor, struct pt_path_plan *plan,
                               struct pt_error *err);

void pt_path_plan_free(struct pt_path_plan *plan);

#endif
