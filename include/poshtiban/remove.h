/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_REMOVE_H
#define POSHTIBAN_REMOVE_H

/* Deleting a backup (ops/remove.c). */
#include "poshtiban/project.h"
#include "poshtiban/status.h"

/* Removes a backup and its record, under the lock. ID is an id or a name. */
enum pt_status pt_backup_delete(const struct pt_project *project, const char *id,
                                struct pt_error *err);

#endif
