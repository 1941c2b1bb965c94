/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_BACKUP_ARCHIVE_H
#define POSHTIBAN_CORE_BACKUP_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

#include "engine/manifest.h"
#include "engine/media.h"

/*
 * A create in format zip or tar.zst, streamed (docs/backup-layout.md,
 * "Member order"): the archive is written in tmp while the backup is made,
 * each member as soon as it is final, and nothing is packed in a second
 * pass. The snapshot goes in on a thread of its own while the fixtures are
 * written (then its plain file is removed), the fixtures from the tmp folder
 * once written (each removed once in), the media straight from the project's
 * folder, the reports and SHA256SUMS last. Once finished, the archive and
 * its .sha256 lie in tmp as "<name><suffix>", for create to move into place;
 * on failure or cancel nothing of them is left. Used by ops/backup.c alone.
 */
struct pt_backup_archive;

/* Begins the archive of record r in p's tmp; level is backup.compression_level. */
enum pt_status pt_backup_archive_open(const struct pt_project *p, const struct pt_record *r,
                                      const char *suffix, int level, struct pt_backup_archive **out,
                                      struct pt_error *err);
/* The snapshot file, taken: packed on a thread while the caller goes on reading it. */
void pt_backup_archive_snapshot(struct pt_backup_archive *a, const char *path);
/*
 * Waits for the snapshot (recorded in manifest, its plain file removed),
 * then packs the fixtures, manifest's entries from the index from on, from
 * the folder work (each file removed once in). mon: progress and cancel.
 */
enum pt_status pt_backup_archive_fixtures(struct pt_backup_archive *a, const char *work,
                                          struct pt_manifest *manifest, size_t from,
                                          const struct pt_monitor *mon, struct pt_error *err);
/* The media tree src straight into the archive (pt_pack_stream_media); total_bytes for progress. */
enum pt_status pt_backup_archive_media(struct pt_backup_archive *a, const char *src,
                                       const char *skip, int64_t total_bytes,
                                       struct pt_manifest *manifest, struct pt_media_totals *totals,
                                       const struct pt_monitor *mon, struct pt_error *err);
/*
 * The reports written into work (settings.json, backup_summary.txt,
 * backup_report.json, each as manifest has it, then SHA256SUMS) go in last;
 * the archive is closed, its .sha256 written; *size receives its length.
 */
enum pt_status pt_backup_archive_finish(struct pt_backup_archive *a, const char *work,
                                        const struct pt_manifest *manifest,
                                        const struct pt_monitor *mon, int64_t *size,
                                        struct pt_error *err);
/* Frees a; an archive not finished is dropped (the thread waited for, its files removed). */
void pt_backup_archive_free(struct pt_backup_archive *a);

#endif
