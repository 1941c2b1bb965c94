/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_MAIL_H
#define POSHTIBAN_CORE_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "poshtiban/record.h"

/* Which mail a finished backup gets (notify.email.on). */
enum pt_mail_kind {
    PT_MAIL_NONE,
    PT_MAIL_FAILED,    /* this backup failed */
    PT_MAIL_FIXED,     /* this one completed, the one before had failed */
    PT_MAIL_COMPLETED, /* this one completed (with "always") */
};

/*
 * always: notify.email.on is "always". previous: the state of the backup
 * finished before this one, or NULL when there is none.
 */
enum pt_mail_kind pt_mail_choose(bool always, enum pt_state state, const enum pt_state *previous);

/*
 * A header value as RFC 2047 encoded-words when it is not plain ASCII:
 * =?UTF-8?B?…?= words cut on character boundaries, each line (with a
 * header name of name_len bytes before the first) within 76 characters,
 * folded with CRLF and a space. Plain printable ASCII comes back as it is.
 */
char *pt_mail_encode_header(const char *text, size_t name_len);

struct pt_mail {
    const char *from;    /* an address */
    const char *to;      /* addresses separated by ", " */
    const char *subject; /* UTF-8 */
    const char *body;    /* UTF-8, lines separated by \n */
    int64_t date_ms;
    const char *host; /* for the Message-ID */
};

/* The whole message (headers, blank line, base64 body) with CRLF line ends. */
char *pt_mail_format(const struct pt_mail *mail);

#endif
