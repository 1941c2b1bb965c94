/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_PREFLIGHT_H
#define POSHTIBAN_CORE_PREFLIGHT_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

/* What the next backup will take, and what there is. Sizes in bytes; -1 unknown. */
struct pt_preflight {
    int64_t database_bytes;    /* page_count × page_size of the source */
    int64_t media_bytes;       /* of the media folder, when media is included */
    int64_t last_backup_bytes; /* size of the newest completed backup */
    int64_t needed_bytes;      /* the larger of database + media and the last backup */
    int64_t free_bytes;        /* available to us on the backup root's filesystem */
    bool enough;
};

/*
 * Estimates the next backup and compares it with the free space of the
 * backup root (which must exist). Measuring never writes. PT_EFAIL, with a
 * message giving both sizes, when there is too little space; out is filled
 * in either case.
 */
enum pt_status pt_preflight_check(const struct pt_project *project, struct pt_catalog *catalog,
                                  struct pt_preflight *out, struct pt_error *err);

/* Only the estimate (out->free_bytes is -1 and enough is true): never fails. */
void pt_preflight_estimate(const struct pt_project *project, struct pt_catalog *catalog,
                           struct pt_preflight *out);

#endif
