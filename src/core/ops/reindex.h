/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_REINDEX_H
#define POSHTIBAN_CORE_REINDEX_H

/* A record made from what a backup's report says (ops/reindex.c). */
#include <jansson.h>

#include "poshtiban/record.h"

/*
 * Fills what a backup's report says of it into r (kind, times, duration,
 * media, tables) and measures its size on disk; r's path and format are
 * set already.
 */
void pt_backup_record_from_report(struct pt_record *r, json_t *report);

#endif
