// SPDX-License-Identifier: GPL-3.0-or-later
/* SHA256SUMS as verify reads it from a backup (sums.h). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sums.h"

static void fail(const char *path, const char *what)
{
    fprintf(stderr, "fuzz-sums: %s: %s\n", path, what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';

    struct pt_sums sums;
    pt_sums_parse(text, &sums);
    /* What sums.h promises: every path kept is found, once, with 64 hex digits. */
    for (size_t i = 0; i < sums.n; i++) {
        struct pt_sum *found = pt_sums_find(&sums, sums.list[i].path);
        if (found != &sums.list[i] || strlen(found->sha256) != 64)
            fail(sums.list[i].path, "a kept line is not found, or its sum is not 64 digits");
        if (i > 0 && strcmp(sums.list[i - 1].path, sums.list[i].path) >= 0)
            fail(sums.list[i].path, "the lines are not sorted and unique");
    }
    /* The members a backup always has, and the input itself as a path. */
    static const char *const members[] = {"SHA256SUMS", "backup_report.json", "backup_summary.txt",
                                          "database.sqlite3", ""};
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
        pt_sums_find(&sums, members[i]);
    pt_sums_find(&sums, text);
    pt_sums_free(&sums);
    free(text);
    return 0;
}
