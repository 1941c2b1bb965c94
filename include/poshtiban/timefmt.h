/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TIMEFMT_H
#define POSHTIBAN_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "2026-11-26T11:06:18Z" for ms since the epoch; buf holds 32 bytes. */
void pt_time_iso(int64_t ms, char buf[32]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (or a space for T); false when malformed. */
bool pt_time_parse_iso(const char *text, int64_t *ms);

/* "1.5 KiB", "12 MiB": binary units, one decimal under 10. */
void pt_format_size(int64_t bytes, char *buf, size_t len);
/* "850 ms", "12.3 s", "4 min 5 s", "2 h 3 min". */
void pt_format_duration(int64_t ms, char *buf, size_t len);
/* "5 minutes ago"-style age from seconds; translated. */
void pt_format_age(int64_t seconds, char *buf, size_t len);

#endif
