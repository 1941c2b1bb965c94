/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_PRESENT_H
#define POSHTIBAN_PRESENT_H

#include <stdbool.h>
#include <stddef.h>

#include "poshtiban/notify.h"
#include "poshtiban/changes.h"
#include "poshtiban/offsite.h"
#include "poshtiban/progress.h"
#include "poshtiban/record.h"
#include "poshtiban/restore.h"
#include "poshtiban/restore-path.h"
#include "poshtiban/retention.h"
#include "poshtiban/status.h"
#include "poshtiban/verify.h"

/*
 * What the two faces say, said once (README, "Development"): the CLI prints
 * it as lines, the TUI draws it. Text is in the chosen language; names and
 * paths come raw, marked as such, for each face to keep whole its own way.
 */

/* How a value should look: the TUI colours it, the CLI prints it plain. */
enum pt_tone { PT_TONE_PLAIN, PT_TONE_TITLE, PT_TONE_GOOD, PT_TONE_WARN, PT_TONE_BAD };

/*
 * What a value is: text, a name or path from a file (to isolate), a count, a
 * size or a time (already written in the language's digits and calendar).
 */
enum pt_value_kind {
    PT_VALUE_TEXT,
    PT_VALUE_NAME,
    PT_VALUE_PATH,
    PT_VALUE_COUNT,
    PT_VALUE_SIZE,
    PT_VALUE_TIME,
};

struct pt_field {
    const char *label; /* translated */
    char *value;
    enum pt_tone tone;
    enum pt_value_kind kind;
};

/*
 * The fields of a record, in the order both faces show them: id, name,
 * status, kind, format, path, times, duration, size, media, pinned,
 * verification, off-site copy, message, error. A backup that did not
 * complete has no path and no media line. Returns how many; free with
 * pt_present_fields_free().
 */
size_t pt_present_record(const struct pt_record *record, struct pt_field **fields);
void pt_present_fields_free(struct pt_field *fields, size_t n);

/* How a backup's status looks: completed good, failed and interrupted bad, the rest a warning. */
enum pt_tone pt_present_state_tone(enum pt_state status);

/* The columns of the list, in the order both faces show them. */
enum pt_list_column {
    PT_COLUMN_ID,
    PT_COLUMN_NAME,
    PT_COLUMN_KIND,
    PT_COLUMN_STATUS,
    PT_COLUMN_SIZE,
    PT_COLUMN_CREATED,
    PT_LIST_COLUMNS,
};

struct pt_column {
    const char *header; /* translated: "NAME", "CREATED (UTC)" */
    enum pt_value_kind kind;
    bool end; /* its cells line up at the column's end (counts, sizes), else at its start */
};

struct pt_cell {
    char *text; /* in the chosen language; a name comes with its marks (📌 pinned, ☁ off-site) */
    enum pt_tone tone;
};

/* A column of the list: its header, what its cells hold and how they line up. */
struct pt_column pt_present_list_column(enum pt_list_column column);
/* The cells of record's row, one per column; free with pt_present_list_row_free(). */
void pt_present_list_row(const struct pt_record *record, struct pt_cell cells[PT_LIST_COLUMNS]);
void pt_present_list_row_free(struct pt_cell cells[PT_LIST_COLUMNS]);

/* How far long work has come, in the chosen language; any part may be NULL. */
struct pt_progress_text {
    char *amount; /* "12 MB / 40 MB (30%)" (rows counted in the fixtures); "12 MB" with no total */
    char *rate;   /* "3 MB/s", "1,200 rows/s": once the phase has run half a second */
    char *left;   /* "4 min left": once the rate and the total are known */
};

/*
 * The text of progress, elapsed_ms after its phase began, as both faces show
 * it. Free with pt_present_progress_free().
 */
void pt_present_progress(const struct pt_progress *progress, int64_t elapsed_ms,
                         struct pt_progress_text *text);
void pt_present_progress_free(struct pt_progress_text *text);

/* The operations that ask before they act. */
enum pt_operation { PT_OP_DELETE, PT_OP_RESTORE, PT_OP_PRUNE, PT_OP_RESTORE_PATH, PT_N_OPERATIONS };

struct pt_confirmation {
    const char *command; /* the CLI's command word */
    bool asks;           /* asks on a terminal (the CLI's --yes skips it) */
    bool needs_terminal; /* without a terminal and without --yes, refuse; else go ahead */
};

/* Whether and how an operation asks; the same rules for both faces. */
const struct pt_confirmation *pt_present_confirmation(enum pt_operation operation);

/*
 * The question an operation asks, new string: about the backup name (delete,
 * restore; pinned says so for delete), or about count backups of which kept
 * completed stay (prune).
 */
char *pt_present_question(enum pt_operation operation, const char *name, bool pinned, size_t count,
                          size_t kept);

/*
 * How a face keeps a name (path false) or a path whole inside a sentence:
 * the CLI with pt_cli_name and pt_cli_path, the TUI with its own isolates.
 * Returns a new string.
 */
typedef char *(*pt_present_keep_fn)(const char *text, bool path);

/*
 * The sentence an operation ends with, the same in both faces: a new
 * string, without a final newline. Names and paths pass through keep (NULL:
 * as they are) before they go into the sentence. Out of memory ends the
 * program.
 */

/*
 * A backup taken (create, or auto when one was due): completed, with its
 * size and how long it took; cancelled; or failed, with why. A backup that
 * never got a name says why alone (NULL why: "failed").
 */
char *pt_present_created(enum pt_status status, const struct pt_record *record, const char *why,
                         pt_present_keep_fn keep);
/* A verify of name (deep: verify --deep): intact, or damaged with its first problem. */
char *pt_present_verified(const char *name, bool deep, const struct pt_verify_result *result,
                          pt_present_keep_fn keep);
/*
 * A restore done: the backup restored (restore --at: the state of which
 * moment, from which change set of which backup) and, when one was saved,
 * the backup that undoes it.
 */
char *pt_present_restored(const struct pt_restore_plan *plan, pt_present_keep_fn keep);
/* An export written to path. */
char *pt_present_exported(const char *path, pt_present_keep_fn keep);
/* The backup name deleted. */
char *pt_present_deleted(const char *name, pt_present_keep_fn keep);
/* The backup name pinned (pinned) or unpinned. */
char *pt_present_pinned(const char *name, bool pinned, pt_present_keep_fn keep);
/* A prune: deleted backups gone, kept completed ones left. */
char *pt_present_pruned(size_t deleted, size_t kept);
/* One merge of thinning (docs/changes.md, "Retention"), done or (!done) to do. */
char *pt_present_thinned(const struct pt_thin_merge *merge, bool done);
/*
 * One backup's off-site copy: sent (its snapshot, how much the repository
 * grew) or there already. NULL pushed: nothing needed sending.
 */
char *pt_present_pushed(const struct pt_offsite_pushed *pushed, pt_present_keep_fn keep);
/* What `notify test` sent: the test mail's recipients, the test alert's URLs file, or both. */
char *pt_present_notify_test(const struct pt_notify_test_sent *sent, pt_present_keep_fn keep);

/*
 * A restore plan for people, in the chosen language: the backup (restore
 * --at: the change set reached, its moment, how many change sets on which
 * base, and that the media come from that base), the
 * database with every table's rows now and after, the media files to add,
 * change and remove by name, and a migrations warning. Names and paths are
 * made printable, then passed through keep (NULL: as they are). Returns how
 * many lines; each and the array are the caller's to free.
 */
size_t pt_present_restore_plan(const struct pt_restore_plan *plan, pt_present_keep_fn keep,
                               char ***lines);

/*
 * One file back (present/one-file.c): the lines of `ls` (size, path; a
 * folder ends in "/", a link shows its target), of a `restore --path` plan
 * (the backup and target first, then one line per file and what happens
 * to it), its question and the sentence it ends with. Line arrays and
 * strings are the caller's to free.
 */
size_t pt_present_members(const struct pt_members *members, pt_present_keep_fn keep, char ***lines);
size_t pt_present_path_plan(const struct pt_path_plan *plan, pt_present_keep_fn keep,
                            char ***lines);
char *pt_present_path_question(const char *path, const char *backup, const char *target,
                               pt_present_keep_fn keep);
char *pt_present_path_restored(const struct pt_path_plan *plan, pt_present_keep_fn keep);
/* ---- change sets (docs/changes.md; present/changes.c) ---- */

/* The change sets on disk in figures: `stats`, the dashboard. */
struct pt_changes_summary {
    int64_t points;     /* how many */
    int64_t bytes;      /* their data files as stored */
    int64_t newest_ms;  /* the newest point's taken_ms; 0 when none */
    int64_t checked_ms; /* the newest capture that found nothing new; 0 when none */
    int64_t minutes;    /* auto.changes_minutes: 0 when off */
};
void pt_present_changes_summary(const struct pt_change_list *list, int64_t minutes,
                                struct pt_changes_summary *out);
/*
 * Up to when the data is safe, as the dashboard and `stats` say it: "changes
 * saved 3 minutes ago" (the newest point or the newest check that found
 * nothing new), "no change sets yet", "change sets off". *tone warns when
 * the newest is older than twice auto.changes_minutes. New string.
 */
char *pt_present_changes_saved(const struct pt_changes_summary *summary, int64_t now_ms,
                               enum pt_tone *tone);

/* The columns of a change set, in the order both faces show them. */
enum pt_change_column {
    PT_CHANGE_TIME,    /* taken_ms, "2026-12-06 02:15 UTC" in the language's calendar */
    PT_CHANGE_NAME,    /* changes_YYYYMMDD_HHMMSS */
    PT_CHANGE_KIND,    /* "rows", or "whole database: schema changed" */
    PT_CHANGE_TOUCHED, /* "2 tables, 5 rows" */
    PT_CHANGE_SIZE,
    PT_CHANGE_COLUMNS,
};
/* The cells of point, one per column; free with pt_present_change_cells_free(). */
void pt_present_change_cells(const struct pt_change_point *point,
                             struct pt_cell cells[PT_CHANGE_COLUMNS]);
void pt_present_change_cells_free(struct pt_cell cells[PT_CHANGE_COLUMNS]);
/* The cells on one line, " · " between them, the name kept whole by keep. New string. */
char *pt_present_change_line(const struct pt_change_point *point, pt_present_keep_fn keep);
/* What a point did to one table: "3 inserted · 1 updated · 0 deleted". New string. */
char *pt_present_change_counts(const struct pt_change_table *table);
/*
 * One changed row (changes --rows): "updated shop_order [17]: status, total",
 * the table kept whole by keep, the key as JSON. New string.
 */
char *pt_present_change_row(const struct pt_change_row *row, pt_present_keep_fn keep);

#endif
