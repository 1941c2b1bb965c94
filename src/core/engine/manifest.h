/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_MANIFEST_H
#define POSHTIBAN_CORE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/status.h"

#include "base/filewriter.h"

/* The files of a backup with their sizes and hashes, for the report and SHA256SUMS. */
struct pt_manifest_entry {
    char *path; /* relative to the backup folder */
    int64_t size;
    char sha256[PT_SHA256_HEX];
    int mode; /* permission bits of a media file's original, 0 when not recorded */
};

struct pt_manifest {
    struct pt_manifest_entry *entries;
    size_t n, cap;
    int64_t bytes;
};

void pt_manifest_add(struct pt_manifest *m, const char *path, int64_t size,
                     const char sha256[PT_SHA256_HEX]);
/* Moves every entry of from to the end of into, in order; from is left empty. */
void pt_manifest_take(struct pt_manifest *into, struct pt_manifest *from);
/* Records the original's permission bits (07777) on the entry added last. */
void pt_manifest_set_mode(struct pt_manifest *m, int mode);
/* One entry as the report lists it: {"path","size","sha256"[,"mode": "0644"]}; new reference. */
json_t *pt_manifest_entry_json(const struct pt_manifest_entry *e);
/* Writes SHA256SUMS in `sha256sum -c` form (names with \ or newline escaped as it does). */
enum pt_status pt_manifest_write_sums(const struct pt_manifest *m, const char *path,
                                      struct pt_error *err);
void pt_manifest_free(struct pt_manifest *m);

#endif
