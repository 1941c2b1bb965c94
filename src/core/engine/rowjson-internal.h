/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_ROWJSON_INTERNAL_H
#define POSHTIBAN_CORE_ROWJSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/rowjson.h"

/* What rowjson.c and rowjson-json.c share: the writers of one JSON value each, as jansson writes
 * it. */

void pt_rowjson_put(struct pt_rowjson_buf *b, const void *data, size_t len);
void pt_rowjson_put_int(struct pt_rowjson_buf *b, int64_t v);
/* A finite real. */
void pt_rowjson_put_real(struct pt_rowjson_buf *b, double d);
/* A string of valid UTF-8 (NULs and all). */
void pt_rowjson_put_string(struct pt_rowjson_buf *b, const unsigned char *s, size_t len);
/* The length of the UTF-8 sequence at s as jansson accepts it; 0 when it is not one. */
size_t pt_rowjson_utf8_sequence(const unsigned char *s, size_t left);

/*
 * Appends the JSON text (a JSON column's value) as jansson writes what it
 * reads of it (json_loadb with JSON_DECODE_ANY | JSON_ALLOW_NUL, dumped
 * JSON_COMPACT | JSON_ENCODE_ANY) and returns true; or returns false, with
 * out as it was, where that is for jansson to say (rowjson-json.c).
 */
bool pt_rowjson_json(struct pt_rowjson_buf *out, const char *text, size_t len);

#endif
