/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_PRESENT_H
#define POSHTIBAN_PRESENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/changes.h"
#include "poshtiban/cron.h"
#include "poshtiban/doctor.h"
#include "poshtiban/notify.h"
#include "poshtiban/offsite.h"
#include "poshtiban/progress.h"
#include "poshtiban/record.h"
#include "poshtiban/restore-path.h"
#include "poshtiban/restore.h"
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
 * size in bytes, a duration in ms, a time (ms since the epoch), an age in
 * seconds, an enum (its raw word and its translated label), a yes or no,
 * or an object or array of more values.
 */
enum pt_value_kind {
    PT_VALUE_TEXT,
    PT_VALUE_NAME,
    PT_VALUE_PATH,
    PT_VALUE_COUNT,
    PT_VALUE_SIZE,
    PT_VALUE_TIME,
    PT_VALUE_DURATION,
    PT_VALUE_AGE,
    PT_VALUE_ENUM,
    PT_VALUE_BOOL,
    PT_VALUE_OBJECT,
    PT_VALUE_ARRAY,
};

/* ---- one model, two renderers (present/cells.c) ---- */

/*
 * How a face keeps a name (path false) or a path whole inside a sentence:
 * the CLI with pt_cli_name and pt_cli_path, the TUI with its own isolates.
 * Returns a new string.
 */
typedef char *(*pt_present_keep_fn)(const char *text, bool path);

/*
 * How a time reads in text: "2026-11-26 11:06" (minute), with seconds, the
 * date alone, or "Thursday 26 November 2026, 11:06 UTC" (when); always in
 * the calendar and digits of the language.
 */
enum pt_look { PT_LOOK_MINUTE, PT_LOOK_SECOND, PT_LOOK_DATE, PT_LOOK_WHEN };

struct pt_doc;

/*
 * A raw value and its kind, as systemd's format-table cells: the text
 * renderer localizes it once, the JSON renderer writes it raw (integers,
 * times as ISO 8601 UTC, an enum's raw word).
 */
struct pt_value {
    enum pt_value_kind kind;
    bool null;          /* JSON null; "-" in text */
    int64_t number;     /* count, size, duration, time, age; a bool's 0 or 1 */
    char *raw;          /* text, name, path; an enum's raw word; a time's ISO text as stored */
    const char *label;  /* an enum's or a bool's words in the chosen language */
    enum pt_look look;  /* a time's */
    struct pt_doc *doc; /* object, array */
};

struct pt_item {
    const char *key; /* the JSON name; NULL in an array; text only when NULL in an object */
    struct pt_value value;
    enum pt_tone tone;
};

/* An object (named items, in JSON order) or an array; owns its items. */
struct pt_doc {
    struct pt_item *items;
    size_t n;
    bool array;
};

struct pt_doc *pt_doc_new(bool array);
void pt_doc_free(struct pt_doc *doc);
/*
 * Add an item to doc (key NULL in an array) and return it, valid until the
 * next add; strings are copied, labels are not (translated, static).
 * NULL text, a negative size, duration or age: null (set value.null to
 * say otherwise).
 */
struct pt_item *pt_doc_text(struct pt_doc *doc, const char *key, enum pt_value_kind kind,
                            const char *text);
struct pt_item *pt_doc_number(struct pt_doc *doc, const char *key, enum pt_value_kind kind,
                              int64_t number);
/* A time from ms since the epoch (<= 0: null), or from its ISO text as stored (NULL: null). */
struct pt_item *pt_doc_time(struct pt_doc *doc, const char *key, int64_t ms, enum pt_look look);
struct pt_item *pt_doc_time_iso(struct pt_doc *doc, const char *key, const char *iso,
                                enum pt_look look);
struct pt_item *pt_doc_enum(struct pt_doc *doc, const char *key, const char *raw,
                            const char *label);
struct pt_item *pt_doc_bool(struct pt_doc *doc, const char *key, bool value, const char *label);
struct pt_item *pt_doc_null(struct pt_doc *doc, const char *key);
/* A nested object or array, owned by doc; returns it to fill. */
struct pt_doc *pt_doc_object(struct pt_doc *doc, const char *key);
struct pt_doc *pt_doc_array(struct pt_doc *doc, const char *key);
/* The item named key ("a.b" goes into objects), or NULL. */
const struct pt_item *pt_doc_get(const struct pt_doc *doc, const char *key);

/*
 * The text renderer: value in the chosen language (digits, sizes,
 * durations, ages, calendar; an enum's or bool's label; null "-"), a name
 * or path made printable and kept whole by keep (NULL: as it is). New string.
 */
char *pt_render_text(const struct pt_value *value, pt_present_keep_fn keep);
/* The same for the item key of doc ("-" when it has none). New string. */
char *pt_render_key(const struct pt_doc *doc, const char *key, pt_present_keep_fn keep);
/* The JSON renderer: doc with raw values. New reference. */
json_t *pt_render_json(const struct pt_doc *doc);

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
/*
 * The record's values, once: its JSON (docs/cli.md, "A record") is
 * pt_render_json of them, its fields are rendered from them. Free with
 * pt_doc_free().
 */
struct pt_doc *pt_present_record_doc(const struct pt_record *record);
/* A record as JSON (show, list, create, pin, pull…). New reference. */
json_t *pt_present_record_json(const struct pt_record *record);
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
/* The key of record's JSON a column shows ("size_bytes"). */
const char *pt_present_list_key(enum pt_list_column column);
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
/*
 * A verify's result for record (present/verified.c), as verify --json lists
 * it in "results": id, name, ok, problems, notes, healed, changes. Free the
 * doc with pt_doc_free().
 */
struct pt_doc *pt_present_verify_doc(const struct pt_record *record,
                                     const struct pt_verify_result *result);
json_t *pt_present_verify_json(const struct pt_record *record,
                               const struct pt_verify_result *result);
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
/*
 * Off-site copies' JSON (present/offsite.c): offsite list (one project, or
 * every project of the repository), offsite prune, push, offsite init and
 * offsite check. New references.
 */
json_t *pt_present_offsite_list_json(const struct pt_offsite_list *list);
json_t *pt_present_offsite_projects_json(const struct pt_offsite_projects *all);
json_t *pt_present_offsite_prune_json(const struct pt_offsite_prune_result *result, bool dry_run);
json_t *pt_present_push_json(const struct pt_offsite_push_result *result);
json_t *pt_present_offsite_init_json(const char *repository, bool existed);
json_t *pt_present_offsite_check_json(bool ok);
/* What `notify test` sent: the test mail's recipients, the test alert's URLs file, or both. */
char *pt_present_notify_test(const struct pt_notify_test_sent *sent, pt_present_keep_fn keep);

/*
 * The same ends as JSON (results.c; docs/cli.md): delete {"deleted"},
 * export {"path"}, report {"name", "summary"}, reindex {"records"}, cron
 * remove {"removed"}, notify test {"sent", "to", "apprise", "urls_file"}.
 * New references.
 */
json_t *pt_present_deleted_json(const char *name);
json_t *pt_present_exported_json(const char *path);
json_t *pt_present_report_json(const char *name, const char *summary);
json_t *pt_present_reindexed_json(int64_t records);
json_t *pt_present_cron_removed_json(bool removed);
json_t *pt_present_notify_test_json(const struct pt_notify_test_sent *sent);

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
 * The plan's values, once (docs/cli.md, "restore --dry-run"): its JSON and
 * its lines are rendered from them. Free with pt_doc_free().
 */
struct pt_doc *pt_present_restore_plan_doc(const struct pt_restore_plan *plan);
json_t *pt_present_restore_plan_json(const struct pt_restore_plan *plan);
/* restore --json, once done: what was restored; with --at, the point reached too. */
json_t *pt_present_restored_json(const struct pt_restore_plan *plan);

/*
 * Retention's plan (present/prune-plan.c): its values (prune --json:
 * deleted, kept, thinned, dry_run; free with pt_doc_free()), and its lines
 * for people, as `prune` prints them and the TUI shows them before it asks:
 * each backup that goes (done: went) and why, then each merge of thinning.
 * Names pass through keep. Returns how many lines; each and the array are
 * the caller's to free.
 */
struct pt_doc *pt_present_prune_doc(const struct pt_retention_plan *plan, bool dry_run);
json_t *pt_present_prune_json(const struct pt_retention_plan *plan, bool dry_run);
size_t pt_present_prune_plan(const struct pt_retention_plan *plan, bool done,
                             pt_present_keep_fn keep, char ***lines);

/*
 * One file back (present/one-file.c): the lines of `ls` (size, path; a
 * folder ends in "/", a link shows its target), of a `restore --path` plan
 * (the backup and target first, then one line per file and what happens
 * to it), its question and the sentence it ends with. Line arrays and
 * strings are the caller's to free.
 */
/*
 * Their values, once (docs/cli.md, ls and restore --path): the JSON and
 * the lines are rendered from them. Free with pt_doc_free().
 */
struct pt_doc *pt_present_member_doc(const struct pt_member *member);
json_t *pt_present_member_json(const struct pt_member *member);
/* ls --json without its members: {"backup": name, "members": []}, filled as they come. */
json_t *pt_present_members_head_json(const char *backup);
struct pt_doc *pt_present_path_plan_doc(const struct pt_path_plan *plan);
json_t *pt_present_path_plan_json(const struct pt_path_plan *plan);
/* One line of ls: the size, right-aligned as in show's files, then the path. */
char *pt_present_member_line(const struct pt_member *member, pt_present_keep_fn keep);
size_t pt_present_path_plan(const struct pt_path_plan *plan, pt_present_keep_fn keep,
                            char ***lines);
char *pt_present_path_question(const char *path, const char *backup, const char *target,
                               pt_present_keep_fn keep);
char *pt_present_path_restored(const struct pt_path_plan *plan, pt_present_keep_fn keep);
/*
 * A capture's JSON (present/capture.c): capture --json; the brief one auto
 * --json has as "change_set"; one line of watch --json, taken at at_ms
 * (error: why it failed, or NULL).
 */
json_t *pt_present_capture_json(const struct pt_capture_result *result);
json_t *pt_present_capture_brief_json(const struct pt_capture_result *result);
json_t *pt_present_watch_json(int64_t at_ms, bool unchanged, const struct pt_capture_result *result,
                              const char *error);
/* What auto did (present/auto.c): auto --json. */
struct pt_auto_result;
json_t *pt_present_auto_json(const struct pt_auto_result *result);

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
 * The figures of `stats` (docs/cli.md): backups, database, offsite and
 * changes, as its JSON has them and its lines say them. Free with
 * pt_doc_free().
 */
struct pt_backup_stats;
struct pt_database_stats;
struct pt_doc *pt_present_stats_doc(const struct pt_backup_stats *backups,
                                    const struct pt_database_stats *database,
                                    const struct pt_changes_summary *changes);
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
/*
 * A change set's values, once (docs/changes.md, "changes --json"): its JSON
 * (changes, show) and its cells are rendered from them. Free with
 * pt_doc_free().
 */
struct pt_doc *pt_present_change_doc(const struct pt_change_point *point);
json_t *pt_present_change_json(const struct pt_change_point *point);
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

/*
 * doctor --json (present/doctor.c):
 * {"backup_root", "storage": {"path", "exists", "fstype", "mount_point",
 * "mount_source", "mount_root", "free_bytes", "total_bytes", "kind",
 * "verdict", "safe_place"}, "next_backup_bytes", "backups_fit", "environment":
 * {"codespace", "codespace_name", "container", "ssh", "ssh_server", "codespace_advice"},
 * "newest_backup", "download": {"command", "note"}, "offsite": {"enabled",
 * "repository", "restic_found", "newest_pushed", "copied", "total", "checked_at"}, "cron", "auto":
 * {"enabled", "interval_hours", "due", "reason", "next_due_at"},
 * "last_success": {"name", "finished_at", "age_s", "overdue"}, "hooks": {"before_backup",
 * "after_backup", "before_restore", "after_restore" (the command or null), "timeout_seconds"},
 * "warnings"};
 * new reference.
 */
json_t *pt_present_doctor_json(const struct pt_project *project, const struct pt_doctor *doctor);
/*
 * cron status --json, and doctor's "cron" (present/cron.c):
 * {"installed", "line", "program", "program_ok", "crontab_error", "daemon_running",
 * "daemon_installed", "start_command", "start_hint", "log", "auto_enabled", "last_auto"}; new
 * reference.
 */
json_t *pt_present_cron_status_json(const struct pt_cron_status *status);

#endif
