/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_PIN_H
#define POSHTIBAN_PIN_H

/* Pinning a backup (ops/pin.c). */
#include <stdbool.h>

#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/* Sets or clears the pinned flag: retention never removes a pinned backup. */
enum pt_status pt_backup_pin(struct pt_session *session, const char *id, bool pinned,
                             struct pt_record *out, struct pt_error *err);

#endif
