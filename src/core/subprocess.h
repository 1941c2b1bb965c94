/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_SUBPROCESS_H
#define POSHTIBAN_CORE_SUBPROCESS_H

#include <stddef.h>

#include "poshtiban/status.h"

/* What a program said and how it ended. */
struct pt_subprocess_result {
    int exit_code; /* its exit status; 128+N when killed by signal N */
    char *out;     /* stdout, NUL-terminated (it may hold NULs itself) */
    size_t out_len;
    char *errout; /* stderr, NUL-terminated */
};

/*
 * Runs argv[0] (looked up in $PATH) with input on its stdin (NULL: empty),
 * collecting stdout and stderr, and waits for it. PT_ENOTFOUND when the
 * program is not installed, PT_EFAIL when it could not be run; a program
 * that runs and fails is PT_OK with its exit code. The caller frees res
 * with pt_subprocess_free().
 */
enum pt_status pt_subprocess_run(const char *const argv[], const char *input, size_t input_len,
                                 struct pt_subprocess_result *res, struct pt_error *err);

void pt_subprocess_free(struct pt_subprocess_result *res);

#endif
