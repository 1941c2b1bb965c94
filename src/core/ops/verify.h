/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_VERIFY_H
#define POSHTIBAN_CORE_VERIFY_H

/* A backup verified that need not be in the catalog (ops/verify.c). */
#include <stdbool.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"
#include "poshtiban/verify.h"

/*
 * What pt_verify_backup checks, of a backup that need not be in the
 * catalog (r's name, format and path; pull checks a copy before it is
 * recorded). PT_OK with result->ok false when it is damaged; PT_EFAIL when
 * it could not be checked (no room to unpack its snapshot: the backup may
 * be sound); PT_ECANCELLED. Records nothing. Free result with
 * pt_verify_result_free.
 */
enum pt_status pt_verify_record(const struct pt_project *project, const struct pt_record *r,
                                bool deep, const struct pt_monitor *monitor,
                                struct pt_verify_result *result, struct pt_error *err);

#endif
