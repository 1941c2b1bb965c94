/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_SUMS_H
#define POSHTIBAN_CORE_SUMS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/filewriter.h"

/* One line of a backup's SHA256SUMS (sha256sum's format). */
struct pt_sum {
    char *path; /* relative to the backup's top folder, unescaped */
    char sha256[PT_SHA256_HEX];
    bool seen; /* for the caller: set when the file was met */
};

struct pt_sums {
    struct pt_sum *list; /* sorted by path */
    size_t n;
    size_t malformed;  /* lines not in sha256sum's form, left out */
    size_t duplicates; /* paths listed more than once, kept once */
};

/* Parses SHA256SUMS text. The result owns its strings. */
void pt_sums_parse(const char *text, struct pt_sums *out);

/* The line for path, or NULL when it is not listed. */
struct pt_sum *pt_sums_find(const struct pt_sums *sums, const char *path);

void pt_sums_free(struct pt_sums *sums);

#endif
