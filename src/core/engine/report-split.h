/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_REPORT_SPLIT_H
#define POSHTIBAN_CORE_REPORT_SPLIT_H

/*
 * backup_report.json read in pieces (engine/report-split.c): its bytes,
 * fed as they come, are followed only far enough to find the top-level
 * "files" list; each of its entries goes to jansson on its own, and the
 * rest of the document (its head) is parsed by jansson whole at the end.
 * Memory stays flat in the number of files. This is no JSON parser: it
 * tracks strings, escapes and nesting, and calls anything else it meets
 * where an entry or the list should be damaged.
 */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/status.h"

/* One entry of "files" (a JSON object, borrowed for the call); a status other than PT_OK stops. */
typedef enum pt_status (*pt_report_file_fn)(json_t *file, void *user, struct pt_error *err);

struct pt_report_split;

/* A new splitter; fn (may be NULL) sees each entry of "files" in order. Never fails. */
struct pt_report_split *pt_report_split_new(pt_report_file_fn fn, void *user);

/*
 * The next n bytes of the report. PT_EFAIL with err set to why the report
 * is damaged ("its files are not a list", …: a reason to put after the
 * report's name), or fn's status with fn's error.
 */
enum pt_status pt_report_split_feed(struct pt_report_split *s, const char *data, size_t n,
                                    struct pt_error *err);

/*
 * The report has ended: *head (new reference) is its object without
 * "files". PT_EFAIL with the reason when the report is cut short, is no
 * JSON object, names "files" twice or not at all.
 */
enum pt_status pt_report_split_end(struct pt_report_split *s, json_t **head, struct pt_error *err);

/* How many entries of "files" were read so far. */
int64_t pt_report_split_count(const struct pt_report_split *s);

void pt_report_split_free(struct pt_report_split *s);

#endif
