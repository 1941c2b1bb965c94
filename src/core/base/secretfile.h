/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_SECRETFILE_H
#define POSHTIBAN_CORE_SECRETFILE_H

#include "poshtiban/status.h"

/*
 * A password file (offsite.password_file, notify.smtp.password_file): a
 * regular file (a link to one is followed) that neither group nor others
 * may read or write, holding the password on its first line.
 */

/*
 * Checks path and, when secret is not NULL, reads the password into
 * *secret (owned; the caller wipes and frees it): the file's text up to
 * its first line break. PT_EINVAL with one line naming the file and the
 * command that fixes it (chmod 600 …) when the file may be read or written
 * by others, or is not a regular file; PT_EFAIL when it cannot be read or
 * is empty.
 */
enum pt_status pt_secret_file_read(const char *path, char **secret, struct pt_error *err);

/* The longest private file pt_private_file_read takes. */
#define PT_PRIVATE_FILE_MAX (64 * 1024)

/*
 * A private file that holds secrets a program reads itself (the Apprise
 * URLs of notify.apprise.urls_file): a regular file, not a symbolic link,
 * that neither group nor others may read or write, of text (no NUL) of at
 * most PT_PRIVATE_FILE_MAX bytes. When text is not NULL, *text gets
 * the whole content (owned; the caller wipes and frees it). PT_EINVAL with
 * one line naming the file (and `chmod 600 …` when that fixes it), PT_EFAIL
 * when it cannot be read. Never says what the file holds.
 */
enum pt_status pt_private_file_read(const char *path, char **text, struct pt_error *err);

#endif
