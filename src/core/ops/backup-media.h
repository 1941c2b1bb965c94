/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_BACKUP_MEDIA_H
#define POSHTIBAN_CORE_BACKUP_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/progress.h"
#include "poshtiban/status.h"

#include "engine/manifest.h"
#include "engine/media.h"

/*
 * The media of a dir backup copied (pt_media_copy) on a thread of their
 * own while the fixtures are written, for ops/backup.c alone. Progress is
 * reported from one thread only: the copy's is held until
 * pt_backup_media_finish reports it, so a face's progress callback and the
 * test builds' kill point are never called from two threads at once.
 */
struct pt_backup_media;

/* Starts copying src into dest as pt_media_copy does (skip, previous, total_bytes as there). */
struct pt_backup_media *pt_backup_media_start(const char *src, const char *dest, const char *skip,
                                              const char *previous, int64_t total_bytes);

/*
 * Waits for the copy, reporting its progress through mon as it comes and
 * stopping it when mon's cancel is set; with stop, stops it at once (the
 * backup failed already). Its files join manifest and its totals go to
 * *out when it was not stopped. Frees job; NULL is a job that did nothing.
 */
enum pt_status pt_backup_media_finish(struct pt_backup_media *job, const struct pt_monitor *mon,
                                      bool stop, struct pt_manifest *manifest,
                                      struct pt_media_totals *out, struct pt_error *err);

#endif
