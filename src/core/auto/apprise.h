/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_APPRISE_H
#define POSHTIBAN_CORE_APPRISE_H

#include <stdbool.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

#include "auto/mail.h"

/*
 * Alerts through Apprise (notify.apprise.*, docs/catalog-and-settings.md),
 * run as restic is: the program `apprise` (Debian package apprise) reads
 * its URLs from notify.apprise.urls_file itself (--config), so that no URL,
 * which holds tokens, is ever on its command line. Only the title and the
 * body, which hold no secret, are.
 */

/* What a finished backup sends with notify.apprise.on ("failure", "always", "changes"). */
enum pt_mail_kind pt_apprise_choose(const char *on, enum pt_state state,
                                    const enum pt_state *previous);

/* Whether the program apprise is in $PATH. */
bool pt_apprise_found(void);

/*
 * Checks notify.apprise.urls_file as a run would (it is set, private,
 * text with at least one URL). PT_EINVAL with one line naming the file and
 * what fixes it, PT_EFAIL when it cannot be read.
 */
enum pt_status pt_apprise_check(const struct pt_project *project, struct pt_catalog *catalog,
                                struct pt_error *err);

/*
 * Sends title and body to every URL of notify.apprise.urls_file (whether
 * or not notify.apprise.enabled is on); type is Apprise's notification
 * type: "info", "success", "warning" or "failure". PT_EFAIL saying how to
 * install it when apprise is missing; the errors of pt_apprise_check; PT_EFAIL
 * when a service could not be reached, with what Apprise said about it,
 * every part of the URLs file masked.
 */
enum pt_status pt_apprise_send(const struct pt_project *project, struct pt_catalog *catalog,
                               const char *type, const char *title, const char *body,
                               struct pt_error *err);

#endif
