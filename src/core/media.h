/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_MEDIA_H
#define POSHTIBAN_CORE_MEDIA_H

#include <stdint.h>

#include "manifest.h"
#include "poshtiban/progress.h"
#include "poshtiban/status.h"

struct pt_media_totals {
    int64_t files, bytes, links, skipped; /* skipped: sockets, devices, fifos */
    int64_t links_out;                    /* links left out: they lead out of the media folder */
};

/* Counts what pt_media_copy would copy, without reading file contents. */
enum pt_status pt_media_measure(const char *src, const char *skip, struct pt_media_totals *out,
                                struct pt_error *err);

/*
 * Copies the media tree src into dest (created, 0700), files 0600, hashed into
 * manifest as "media/…". Symbolic links are copied as links and not
 * followed, when they lead to a place inside src, resolved on disk and as
 * written; others are left out and counted in links_out, since a backup
 * holding them could not be verified or restored.
 * The folder skip (the backup root, when it lies inside the media folder) is
 * left out. total_bytes is for progress.
 */
enum pt_status pt_media_copy(const char *src, const char *dest, const char *skip,
                             int64_t total_bytes, const struct pt_monitor *monitor,
                             struct pt_manifest *manifest, struct pt_media_totals *out,
                             struct pt_error *err);

#endif
