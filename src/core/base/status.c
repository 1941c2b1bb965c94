// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/status.h"

#include <stdio.h>
#include <stdlib.h>

int pt_status_exit_code(enum pt_status status)
{
    switch (status) {
#define PT_STATUS_CODE(name, code)                                                                 \
    case name:                                                                                     \
        return code;
        PT_STATUS_LIST(PT_STATUS_CODE)
#undef PT_STATUS_CODE
    }
    return 1;
}

const char *pt_status_name(enum pt_status status)
{
    switch (status) {
#define PT_STATUS_NAME(name, code)                                                                 \
    case name:                                                                                     \
        return #name;
        PT_STATUS_LIST(PT_STATUS_NAME)
#undef PT_STATUS_NAME
    }
    return "PT_EFAIL";
}

enum pt_status pt_error_setv(struct pt_error *err, enum pt_status status, const char *fmt,
                             va_list ap)
{
    if (!err || err->message)
        return status;
    err->status = status;
    if (vasprintf(&err->message, fmt, ap) < 0)
        err->message = NULL;
    return status;
}

enum pt_status pt_error_set(struct pt_error *err, enum pt_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pt_error_setv(err, status, fmt, ap);
    va_end(ap);
    return status;
}

void pt_error_clear(struct pt_error *err)
{
    if (!err)
        return;
    free(err->message);
    err->message = NULL;
    err->status = PT_OK;
}
