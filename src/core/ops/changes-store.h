/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_CHANGES_STORE_H
#define POSHTIBAN_CORE_CHANGES_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/capture.h"
#include "poshtiban/changes.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * The points of change-set chains on disk (docs/changes.md, "Layout"):
 * reading them as hostile input, writing one so that a kill leaves it
 * whole or absent, and the capture's own state beside the catalog.
 */

/* The most a point's JSON (or the shadow's state) may hold; more is refused as damage. */
#define PT_CHANGES_JSON_MAX ((size_t)1 << 20)

/* <backup root>/changes/<base>; owned. */
char *pt_changes_chain_dir(const struct pt_project *project, const char *base);

/* True for "changes_YYYYMMDD_HHMMSS" with an optional "_N". */
bool pt_changes_name_valid(const char *name);

/* A new point name for taken_ms that no point of any chain has; owned. */
char *pt_changes_name_new(const struct pt_change_list *all, int64_t taken_ms);

/*
 * Reads one point's JSON (at most 1 MiB) in dir, checking every field and
 * that its data file is a plain file there of the recorded size. PT_EFAIL
 * with the reason when anything is off.
 */
enum pt_status pt_changes_read_point(const char *dir, const char *json_name,
                                     struct pt_change_point *out, struct pt_error *err);

/* Every point of the chain of base, oldest first (in a chain order check). */
enum pt_status pt_changes_chain(const struct pt_project *project, const char *base,
                                struct pt_change_list *out, struct pt_error *err);

/*
 * Checks that points[0..n) form an unbroken chain: seq first+1..first+n,
 * each previous the one before (the first one's none when first is 0).
 * PT_EFAIL naming the gap.
 */
enum pt_status pt_changes_check_chain(const struct pt_change_point *points, size_t n, size_t first,
                                      struct pt_error *err);

/*
 * Where applying points[0..n) starts: the newest snapshot point (a whole
 * database makes what came before it moot), 0 when there is none.
 */
size_t pt_changes_start(const struct pt_change_point *points, size_t n);

/* The point's JSON document (the NAME.json of docs/changes.md). */
json_t *pt_changes_point_document(const struct pt_change_point *point);

/*
 * Puts a point in place: its data file, already written and fsynced at
 * data (under .poshtiban/tmp), is renamed to point->path, then NAME.json
 * is written beside it by a rename, and the folder is synced. A kill
 * leaves the point whole or absent (a data file without its JSON is no
 * point; the marker "placing-<pid>" in tmp names it while it is placed, for
 * pt_changes_unplace). Never replaces an existing point.
 */
enum pt_status pt_changes_place(const struct pt_project *project,
                                const struct pt_change_point *point, const char *data,
                                struct pt_error *err);

/* Removes data files that no NAME.json claims, in every chain, and the chain folders (and changes/)
 * left empty. */
void pt_changes_sweep(const struct pt_project *project);

/*
 * What a capture killed inside pt_changes_place left, by its marker in
 * .poshtiban/tmp ("placing-<pid>", which names the data file): that file
 * when its NAME.json is not beside it, and its chain folder and changes/
 * when that left them empty. Crash recovery (ops/recovery.c) calls it for
 * a marker whose process is gone; a data file whose JSON went missing any
 * other way is not touched here (verify reports it).
 */
void pt_changes_unplace(const struct pt_project *project, const char *marker);

/* .poshtiban/changes-shadow.sqlite3 and its state .json. Owned. */
char *pt_changes_shadow_path(const struct pt_project *project);

/* What the shadow holds: the state after point (or base itself when point is NULL). */
struct pt_changes_shadow {
    char *base;
    char *point;        /* NULL: the base's snapshot */
    int64_t checked_ms; /* the last capture that found the database so */
};
bool pt_changes_shadow_read(const struct pt_project *project, struct pt_changes_shadow *out);
enum pt_status pt_changes_shadow_write(const struct pt_project *project,
                                       const struct pt_changes_shadow *shadow,
                                       struct pt_error *err);
void pt_changes_shadow_free(struct pt_changes_shadow *shadow);

struct pt_catalog;
/* pt_changes_capture under the lock the caller holds (auto). */
enum pt_status pt_changes_capture_locked(const struct pt_project *project,
                                         struct pt_catalog *catalog,
                                         const struct pt_monitor *monitor,
                                         struct pt_capture_result *result, struct pt_error *err);

/*
 * When the newest state of the newest backup's chain was last seen, ms:
 * the newest of its base's creation, its newest point and the newest
 * capture that found nothing new. 0 when there is no complete backup.
 */
int64_t pt_changes_last_seen(const struct pt_project *project, struct pt_catalog *catalog);

/* A copy of a point, owned by the caller. */
void pt_change_point_copy(struct pt_change_point *dst, const struct pt_change_point *src);

/* ms of a record's created_at; false when it has none. */
bool pt_changes_record_ms(const char *iso, int64_t *ms);

#endif
