/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_AUTOLOG_H
#define POSHTIBAN_CORE_AUTOLOG_H

#include "poshtiban/project.h"

/*
 * <backup root>/.poshtiban/auto.log: what cron's `auto` prints is appended
 * there by the crontab line, and the core adds what went wrong with
 * notifications. It is only written when .poshtiban exists.
 */

/* The log's path; owned by the caller. */
char *pt_autolog_path(const struct pt_project *project);

/* Appends "<ISO 8601 UTC time> text\n" (text on one line). */
void pt_autolog_append(const struct pt_project *project, const char *text);

/* Keeps the log small: past 1 MiB only its last 256 KiB (whole lines) stay. */
void pt_autolog_trim(const struct pt_project *project);

#endif
