/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_ROWJSON_INTERNAL_H
#define POSHTIBAN_CORE_ROWJSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/rowjson.h"

/*
 * The writers of one JSON value each, as jansson writes it (rowjson-text.c),
 * which rowjson.c and rowjson-json.c share; each appends to b.
 */

void pt_rowjson_reserve(struct pt_rowjson_buf *b, size_t more);
void pt_rowjson_put(struct pt_rowjson_buf *b, const void *data, size_t len);
void pt_rowjson_put_char(struct pt_rowjson_buf *b, char c);
/* The length of the UTF-8 sequence at s as jansson accepts it; 0 when it is not one. */
size_t pt_rowjson_utf8_sequence(const unsigned char *s, size_t left);
bool pt_rowjson_utf8_valid(const unsigned char *s, size_t len);
/*
 * A JSON string as jansson's dump_string writes it; each byte that is not
 * part of UTF-8 becomes U+FFFD, and *invalid says whether one was.
 */
void pt_rowjson_put_string(struct pt_rowjson_buf *b, const unsigned char *s, size_t len,
                           bool *invalid);
/* The same, counted in *invalid_text when it was not UTF-8. */
void pt_rowjson_put_text(struct pt_rowjson_buf *b, const unsigned char *s, size_t len,
                         int64_t *invalid_text);
void pt_rowjson_put_int(struct pt_rowjson_buf *b, int64_t v);
/* A finite double as jansson's jsonp_dtostr writes it at its default precision (17). */
void pt_rowjson_put_real(struct pt_rowjson_buf *b, double d);

/*
 * Appends the JSON text (a JSON column's value) as jansson writes what it
 * reads of it (json_loadb with JSON_DECODE_ANY | JSON_ALLOW_NUL, dumped
 * JSON_COMPACT | JSON_ENCODE_ANY) and returns true; or returns false, with
 * out as it was, where that is for jansson to say (rowjson-json.c).
 */
bool pt_rowjson_json(struct pt_rowjson_buf *out, const char *text, size_t len);

#endif
