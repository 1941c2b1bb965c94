/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_NOTIFY_H
#define POSHTIBAN_NOTIFY_H

#include <stddef.h>

#include "poshtiban/auto.h"
#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"

/*
 * Notifications around one backup (notify.*, docs/catalog-and-settings.md): the dead-man ping
 * (notify.ping_url: URL/start when the backup starts, URL when it
 * completed, URL/fail when it failed, each a POST whose body is the last
 * lines of what happened), mail through SMTP (notify.email.*: failures and
 * the first success after one, or every backup) and alerts through Apprise
 * (notify.apprise.*: the same, or only when backups start failing or work
 * again). Mail is written in the current gettext language. A notification
 * that fails never fails the backup: it is noted in the record's message
 * and appended to <backup root>/.poshtiban/auto.log. pt_backup_create() and
 * pt_auto_run() call these; pt_restore()'s pre_restore backup does not notify.
 */
struct pt_notify_run {
    char *notes; /* what went wrong so far, translated; NULL when nothing */
};

/* A backup starts: pings URL/start. run is set up here; free it with pt_notify_run_free(). */
void pt_notify_start(const struct pt_project *project, struct pt_catalog *catalog,
                     struct pt_notify_run *run);

/*
 * A backup ended (record completed or failed, already in the catalog):
 * pings and mails as the settings say. Any failure (of this call or of
 * pt_notify_start) is added to record->message, written to the catalog and
 * to auto.log.
 */
void pt_notify_finish(const struct pt_project *project, struct pt_catalog *catalog,
                      struct pt_notify_run *run, struct pt_record *record);

void pt_notify_run_free(struct pt_notify_run *run);

/*
 * The off-site copy of the backup name failed (README, "Off-site copies") with error: pings
 * URL/fail and, when notify.email.enabled, mails it, whatever
 * notify.email.on says. What fails here is appended to auto.log.
 */
void pt_notify_offsite_failed(const struct pt_project *project, struct pt_catalog *catalog,
                              const char *name, const char *error);

/*
 * Auto's verify found damage (verified[i].result.ok false): alerts through
 * Apprise and mails, when each is enabled, whatever notify.*.on says. What
 * fails here is appended to auto.log.
 */
void pt_notify_damaged(const struct pt_project *project, struct pt_catalog *catalog,
                       const struct pt_auto_verified *verified, size_t n);

/*
 * Sends a test alert now through Apprise with notify.apprise.urls_file
 * (whether or not notify.apprise.enabled is on). PT_EFAIL, saying how to
 * install it, when apprise is missing; PT_EINVAL when the URLs file is
 * not set, not private or holds no URL; PT_EFAIL when a service failed.
 */
enum pt_status pt_notify_test_apprise(const struct pt_project *project, struct pt_catalog *catalog,
                                      struct pt_error *err);

/* What pt_notify_test sent; each NULL when that was not tried. */
struct pt_notify_test_sent {
    char *mail_to;      /* the recipients of the test mail */
    char *apprise_file; /* the URLs file of the test alert, absolute */
};

/*
 * `notify test` in both faces: a test alert through Apprise when it is set
 * up (notify.apprise.enabled or notify.apprise.urls_file), and a test mail
 * when mail is (notify.email.enabled or notify.smtp.url) or when Apprise
 * is not (the mail's error then says what is missing). Stops at the first
 * failure, with the errors of pt_notify_test_mail and
 * pt_notify_test_apprise. sent is filled either way; free it with
 * pt_notify_test_sent_free().
 */
enum pt_status pt_notify_test(const struct pt_project *project, struct pt_catalog *catalog,
                              struct pt_notify_test_sent *sent, struct pt_error *err);
void pt_notify_test_sent_free(struct pt_notify_test_sent *sent);

/*
 * Sends a test mail now with the mail settings (whether or not
 * notify.email.enabled is on). PT_EINVAL when the server or the recipients
 * are not set, PT_EFAIL with the server's answer when it fails.
 */
enum pt_status pt_notify_test_mail(const struct pt_project *project, struct pt_catalog *catalog,
                                   struct pt_error *err);

#endif
