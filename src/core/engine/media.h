/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_MEDIA_H
#define POSHTIBAN_CORE_MEDIA_H

#include <stdint.h>

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

#endif
