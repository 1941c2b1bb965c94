/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_RECOVERY_H
#define POSHTIBAN_RECOVERY_H

#include "poshtiban/session.h"
#include "poshtiban/status.h"

/*
 * Readies the project before anything reads its catalog (docs/safety.md):
 * when no other process holds the lock, none can be at work, so what a
 * killed one left is seen to with the session's catalog (ops/recovery.c),
 * and a damaged catalog is moved aside and rebuilt (then, only then, opened
 * a second time). Runs once per session; session->notice (may stay NULL)
 * says what was done. Does nothing when there is no catalog or another
 * process holds the lock.
 */
enum pt_status pt_session_recover(struct pt_session *session, struct pt_error *err);

#endif
