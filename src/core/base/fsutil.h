/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_FSUTIL_H
#define POSHTIBAN_CORE_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "poshtiban/alloc.h"

/* Path and file helpers of the core; strings they return come from alloc.h. */

/* a/b, without doubling the slash. */
char *pt_path_join(const char *a, const char *b);
/* An absolute, clean form of path taken from base when relative (no symlinks resolved). */
char *pt_path_absolute(const char *base, const char *path);
/* True when path lies inside dir (or is dir), by string after absolute(). */
bool pt_path_within(const char *dir, const char *path);
/*
 * The absolute path with every symbolic link resolved, also for a path
 * that does not exist yet: the links of its longest existing part are
 * resolved and the rest appended. New string; path must be absolute.
 */
char *pt_path_resolve(const char *path);

/* mkdir -p with mode for the folders it creates; 0 or -1 with errno. */
int pt_mkdir_p(const char *path, mode_t mode);
/* rm -rf that never follows a symbolic link; 0 or -1 with errno. */
int pt_remove_tree(const char *path);
/* Makes every regular file under path read-only (0400), links not followed; 0 or -1. */
int pt_tree_read_only(const char *path);
/* fsync of a folder (after a rename or creating entries in it). */
int pt_fsync_dir(const char *path);
/*
 * Everything written to the file system that holds path reaches the disk
 * (syncfs): one call instead of an fsync per file and folder. -1 with errno
 * when it cannot, a write that failed on the way included.
 */
int pt_sync_fs(const char *path);

/*
 * Reads a whole small regular file, at most max bytes; NULL with errno on
 * failure (EINVAL: not a regular file, or a link; EFBIG: over max). *len
 * may be NULL.
 */
char *pt_read_file(const char *path, size_t max, size_t *len);

/* What poshtiban reads whole: reports, SHA256SUMS, .sha256 files. */
#define PT_SMALL_FILE_MAX ((size_t)64 << 20)

#endif
