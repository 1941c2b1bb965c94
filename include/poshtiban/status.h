/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_STATUS_H
#define POSHTIBAN_STATUS_H

#include <stdarg.h>

/*
 * Every core function that can fail returns an enum pt_status and, when given
 * a struct pt_error, fills it with one translated line for the user.
 * The faces map the status to an exit code; the core never exits.
 *
 * X(name, exit code)
 */
#define PT_STATUS_LIST(X)                                                                          \
    X(PT_OK, 0)                                                                                    \
    X(PT_EFAIL, 1)      /* the operation failed (I/O, disk full, corrupt data) */                  \
    X(PT_ECANCELLED, 1) /* the caller asked to stop */                                             \
    X(PT_EINVAL, 2)     /* bad input: a value, a path, a name the user gave */                     \
    X(PT_ENOTFOUND, 2)  /* no such backup, setting or file */                                      \
    X(PT_EBUSY, 3)      /* another process holds the lock */

enum pt_status {
#define PT_STATUS_ENUM(name, code) name,
    PT_STATUS_LIST(PT_STATUS_ENUM)
#undef PT_STATUS_ENUM
};

struct pt_error {
    enum pt_status status;
    char *message; /* owned; NULL when status is PT_OK */
};

/* The process exit code the CLI uses for a status (0, 1, 2 or 3). */
int pt_status_exit_code(enum pt_status status);

/* The enum's name, for logs and tests ("PT_EBUSY"). */
const char *pt_status_name(enum pt_status status);

/*
 * Records status and a printf-formatted message in err (when err is not NULL)
 * and returns status, so that callers can write `return pt_error_set(...)`.
 * A message already in err is kept: the first, most specific error wins.
 */
enum pt_status pt_error_set(struct pt_error *err, enum pt_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum pt_status pt_error_setv(struct pt_error *err, enum pt_status status, const char *fmt,
                             va_list ap);

/* Frees the message and resets err to PT_OK. */
void pt_error_clear(struct pt_error *err);

#endif
