/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_PRESENT_H
#define POSHTIBAN_PRESENT_H

#include <stdbool.h>
#include <stddef.h>

#include "poshtiban/record.h"
#include "poshtiban/restore.h"

/*
 * What the two faces say, said once (README, "Development"): the CLI prints
 * it as lines, the TUI draws it. Text is in the chosen language; names and
 * paths come raw, marked as such, for each face to keep whole its own way.
 */

/* How a value should look: the TUI colours it, the CLI prints it plain. */
enum pt_tone { PT_TONE_PLAIN, PT_TONE_TITLE, PT_TONE_GOOD, PT_TONE_WARN, PT_TONE_BAD };

/* What a value is: text, a name or path from a file (to isolate), or a count. */
enum pt_value_kind { PT_VALUE_TEXT, PT_VALUE_NAME, PT_VALUE_PATH, PT_VALUE_COUNT };

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

/* The operations that ask before they act. */
enum pt_operation { PT_OP_DELETE, PT_OP_RESTORE, PT_OP_PRUNE, PT_N_OPERATIONS };

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

/* How a face keeps a name (path false) or a path whole in its lines; new string. */
typedef char *(*pt_restore_isolate_fn)(const char *text, bool path);

/*
 * The plan for people, in the chosen language: the backup, the database
 * with every table's rows now and after, the media files to add, change and
 * remove by name, and a migrations warning. Names and paths are made
 * printable, then passed through isolate (NULL: as they are). Returns how
 * many lines; each and the array are the caller's to free.
 */
size_t pt_restore_plan_lines(const struct pt_restore_plan *plan, pt_restore_isolate_fn isolate,
                             char ***lines);

#endif
