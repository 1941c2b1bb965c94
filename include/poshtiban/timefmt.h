/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TIMEFMT_H
#define POSHTIBAN_TIMEFMT_H

#include <stdbool.h>
#include <stdint.h>

/* "2026-11-26T11:06:18Z" for ms since the epoch; buf holds 32 bytes. */
void pt_time_iso(int64_t ms, char buf[32]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (or a space for T); false when malformed. */
bool pt_time_parse_iso(const char *text, int64_t *ms);

#endif
