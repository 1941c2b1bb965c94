/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_VERIFY_H
#define POSHTIBAN_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "poshtiban/catalog.h"
#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/* What a verify found: one translated line per problem, each naming a file. */
struct pt_verify_result {
    bool ok;
    char **problems;
    size_t n;
    /* Said, not wrong: a zstd snapshot made before frames carried a checksum (deep only). */
    char **notes;
    size_t n_notes;
    char **healed; /* one translated line per media file healed (docs/safety.md) */
    size_t n_healed;
    size_t healed_backups; /* how many backups were made whole by it */
    /*
     * The change sets whose base it is (pt_verify_backup only;
     * docs/changes.md): how many were checked, and one translated line per
     * problem, each naming the change set. The backup itself (ok, problems,
     * the catalog's verification) is not judged by them.
     */
    size_t changes_checked;
    char **change_problems;
    size_t n_change_problems;
};

/*
 * Checks one completed backup, any format, reading it as a stream: the
 * archive's own SHA-256 against its .sha256, every member against
 * SHA256SUMS, PRAGMA quick_check of the snapshot and its row counts
 * against the report. deep adds PRAGMA integrity_check (indexes against
 * their tables) in place of quick_check, parses every JSON file, checks
 * every gzip member's CRC-32 and length (only zero padding after the last)
 * and compares each fixture's object count with its table's rows in the
 * report: what SHA256SUMS cannot catch once it was rewritten to match.
 * zstd frames' checksums are checked by every verify. The result and the time
 * go into the catalog; *out (when not NULL) receives the updated record.
 * A damaged backup is PT_OK with result->ok false; an error means it could
 * not be checked at all (no such backup, not completed).
 * A media file of a backup in format dir whose copy is damaged while the
 * live file still has the recorded SHA-256 is healed, in every backup that
 * shares its inode, under the project lock (taken here; not healed when
 * another process holds it): it is listed in result->healed, not as a
 * problem. Any other damaged media file's problem names every backup that
 * shares the damaged copy.
 * The backup's change sets are checked too (result->changes_checked,
 * result->change_problems): each data file against its SHA-256 and its
 * zstd frame's checksum; deep rebuilds the chain on a copy of the intact
 * snapshot, each change set's recorded state proven as it is applied, and
 * runs integrity_check on every whole database a change set holds and on
 * the state the chain leads to. A change set is never healed or changed.
 */
enum pt_status pt_verify_backup(struct pt_session *session, const char *id, bool deep,
                                const struct pt_monitor *monitor, struct pt_record *out,
                                struct pt_verify_result *result, struct pt_error *err);

/*
 * The same, for a caller that holds the project lock and the open catalog;
 * it heals only when heal is true (auto does; restore and pull, which
 * refuse a damaged backup as it is, do not). It checks the backup alone,
 * not its change sets (restore --at proves those as it applies them).
 */
enum pt_status pt_verify_backup_locked(const struct pt_project *project, struct pt_catalog *catalog,
                                       const char *id, bool deep, bool heal,
                                       const struct pt_monitor *monitor, struct pt_record *out,
                                       struct pt_verify_result *result, struct pt_error *err);

void pt_verify_result_free(struct pt_verify_result *result);

#endif
