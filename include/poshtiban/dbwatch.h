/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_DBWATCH_H
#define POSHTIBAN_DBWATCH_H

#include <stdbool.h>

#include "poshtiban/status.h"

/*
 * Watching a database for commits (poshtiban watch): a read-only
 * connection that asks PRAGMA data_version, and the files' sizes and
 * times, and holds no transaction between calls. Cheap enough to ask
 * every second.
 */
struct pt_db_watch;
struct pt_db_watch *pt_db_watch_open(const char *database, struct pt_error *err);
/* True when a commit (by any process) changed the database since the last call. */
bool pt_db_watch_changed(struct pt_db_watch *watch);
void pt_db_watch_close(struct pt_db_watch *watch);

#endif
