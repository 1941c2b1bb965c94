/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_MEDIA_H
#define POSHTIBAN_CORE_MEDIA_H

#include <stdint.h>
#include <sys/stat.h>

#include "poshtiban/progress.h"
#include "poshtiban/status.h"

#include "engine/manifest.h"

struct pt_media_totals {
    int64_t files, bytes, links, skipped; /* skipped: sockets, devices, fifos */
    int64_t links_out;                    /* links left out: they lead out of the media folder */
    int64_t shared;                       /* files hard-linked to the previous backup's */
    int64_t rechecked;    /* unchanged files whose previous copy was read again before linking */
    int64_t share_bad;    /* of those, copied afresh: the previous copy no longer matched */
    int64_t share_failed; /* unchanged files copied since a link could not be made */
    int share_errno;      /* why the first of those could not be linked */
};

/* Counts what pt_media_copy would copy, without reading file contents. */
enum pt_status pt_media_measure(const char *src, const char *skip, struct pt_media_totals *out,
                                struct pt_error *err);

/*
 * Copies the media tree src into dest (created, 0700), files read-only
 * (0400) with their source's modification time, hashed into manifest as
 * "media/…". With previous (a completed backup folder, or NULL), a file
 * whose size and modification time equal those of the same file there,
 * which that backup's SHA256SUMS lists, is hard-linked to it rather than
 * copied (README, "What a backup holds"), once that copy is read again and
 * found to match its recorded SHA-256 (counted in rechecked; a copy that no
 * longer matches is counted in share_bad and the live file copied instead);
 * where no link can be made it is copied and counted in share_failed. Symbolic links are copied as
 * links and not followed, when they lead to a place inside src, resolved on disk and as written;
 * others are left out and counted in links_out, since a backup holding them could not be verified
 * or restored. The folder skip (the backup root, when it lies inside the media folder) is left out.
 * total_bytes is for progress.
 */
enum pt_status pt_media_copy(const char *src, const char *dest, const char *skip,
                             const char *previous, int64_t total_bytes,
                             const struct pt_monitor *monitor, struct pt_manifest *manifest,
                             struct pt_media_totals *out, struct pt_error *err);

/*
 * What pt_media_stream hands each member of the media tree to, in the
 * order a reader needs them (a folder before what it holds). rel is the
 * member's path in the backup ("media", "media/a/b.jpg"). file opens and
 * reads path itself and sets *size to the bytes it took; a sink's failure
 * stops the walk and is returned.
 */
struct pt_media_sink {
    void *user;
    enum pt_status (*dir)(void *user, const char *rel, const struct stat *st, struct pt_error *err);
    enum pt_status (*file)(void *user, const char *path, const char *rel, int64_t *size,
                           struct pt_error *err);
    enum pt_status (*link)(void *user, const char *rel, const char *target, const struct stat *st,
                           struct pt_error *err);
};

/*
 * Walks the media tree src as pt_media_copy does, by the same rules (a
 * member gone before it is looked at is left out; links leading out of the
 * tree counted in links_out and left out, special files in skipped; the
 * folder skip left out), handing each member to sink rather than copying
 * it: files and bytes count what sink took. Nothing is shared with a
 * previous backup.
 */
enum pt_status pt_media_stream(const char *src, const char *skip, const struct pt_media_sink *sink,
                               struct pt_media_totals *out, struct pt_error *err);

#endif
