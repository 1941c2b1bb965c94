/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TIMEFMT_H
#define POSHTIBAN_TIMEFMT_H

#include <stdbool.h>
#include <stdint.h>

/* "2026-11-26T11:06:18Z" for ms since the epoch; buf holds 32 bytes. */
void pt_time_iso(int64_t ms, char buf[32]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (or a space for T); false when malformed. */
bool pt_time_parse_iso(const char *text, int64_t *ms);

/*
 * A moment as a person writes it for "at or before" (pull --at, recover
 * --at): ISO 8601 with Z or an offset ("2026-09-07T17:19:28Z",
 * "2026-09-07T20:49+03:30"); without a zone, read as UTC like every time
 * poshtiban prints; a date alone; or what `list` prints: "2026-09-07 17:19",
 * or in Persian a Solar Hijri date with Persian digits ("۱۴۰۵/۰۶/۱۶ ۱۷:۱۹";
 * a year below 1700 is Solar Hijri). *ms gets the last millisecond the text
 * names: the end of that day, minute or second. False when malformed.
 */
bool pt_time_parse_until(const char *text, int64_t *ms);
/* The same texts, for "at or after" (changes --since): *ms gets the first millisecond named. */
bool pt_time_parse_since(const char *text, int64_t *ms);

#endif
