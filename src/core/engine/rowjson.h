/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_ROWJSON_H
#define POSHTIBAN_CORE_ROWJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "poshtiban/status.h"

#include "engine/schema.h"

/*
 * A fixture's row written as JSON text straight into a buffer, with no JSON
 * objects in between: the bytes are those jansson's json_dumpb(JSON_COMPACT)
 * gives for the object {"model", "pk", "fields"} built of the row (keys in
 * the order they were set, a key set twice keeps its first place and its
 * last value, a key or value jansson refuses is left out), and the values
 * as the fixture writer maps them (engine/schema.h, enum pt_value_kind):
 * integers, reals as "%.17g" with ".0" or an exponent (Infinity and NaN as
 * SQLite's text), text escaped as jansson does (\" \\ \b \f \n \r \t, other
 * bytes below 0x20 as \u00XX, nothing else), bytes that are not UTF-8 as
 * U+FFFD, BLOBs as base64, Django's date-times with T (and Z when
 * datetime_utc), decimals as strings, JSON columns embedded (rewritten
 * compact by rowjson-json.c where that is plainly what jansson would write,
 * by jansson otherwise). Reals follow jansson in the locale too: its decimal
 * point's first byte becomes '.'.
 */

/* Bytes appended to; data is the owner's (free it), len the bytes in use. */
struct pt_rowjson_buf {
    char *data;
    size_t len, cap;
};

/* What one table's rows need, worked out once: its keys, escaped, in order. */
struct pt_rowjson;

/* The plan for t's rows (t->model set); t must outlive it. Never NULL. */
struct pt_rowjson *pt_rowjson_new(const struct pt_table *t, bool datetime_utc);
void pt_rowjson_free(struct pt_rowjson *rj);

/*
 * Appends the current row of st (t's columns in order, then its rowid when
 * t->rowid) as one JSON object; m2m[i] is t->m2m[i]'s statement, SELECTing
 * the other side's id WHERE the owner's = ?1 (reset and bound here).
 * *invalid_text is raised by the text values that were not UTF-8. Fails
 * (PT_EFAIL) only when a JSON column's value cannot be written.
 */
enum pt_status pt_rowjson_row(struct pt_rowjson *rj, sqlite3_stmt *st, sqlite3_stmt *const *m2m,
                              struct pt_rowjson_buf *out, int64_t *invalid_text,
                              struct pt_error *err);

/*
 * Appends column i of st's current row as kind maps it. *written is false
 * when jansson would have had no value (a decimal that is not UTF-8): then
 * nothing was appended.
 */
enum pt_status pt_rowjson_value(struct pt_rowjson_buf *out, sqlite3_stmt *st, int i,
                                enum pt_value_kind kind, bool datetime_utc, bool *written,
                                int64_t *invalid_text, struct pt_error *err);

#endif
