/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_FIXTURES_SHARE_H
#define POSHTIBAN_CORE_FIXTURES_SHARE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/filewriter.h"
#include "engine/compress.h"
#include "engine/row-range.h"
#include "engine/schema.h"

/*
 * The fixtures a new dir backup may share with the previous one
 * (docs/safety.md, "Shared fixtures"): a table whose digest
 * (engine/table-digest.h) and row count equal those the previous backup's
 * report records, whose fixture there still hashes to the SHA-256 its
 * SHA256SUMS records (read now), and whose first and last gzip members are
 * exactly those this writer makes. It also keeps what the report says of
 * each table: its digest, its invalid text values, whether it was shared.
 */
struct pt_fixtures_share;

/* One table proven unchanged: its fixture linked in the new backup, open on fd. */
struct pt_shared_fixture {
    int fd;                     /* the linked file, read-only; the caller closes it */
    int64_t size;               /* the whole file */
    off_t rows_at;              /* the rows' bytes as stored: after the opening member */
    int64_t rows_len;           /* 0: an empty table */
    char sha256[PT_SHA256_HEX]; /* the whole file's */
    int64_t invalid_text;       /* as the previous report counted */
};

/*
 * For the tables of schema, whose fixtures are stored as c at gzip_level.
 * Nothing is shared until pt_fixtures_share_digests gives the new
 * snapshot's digests and pt_fixtures_share_previous names a backup.
 */
struct pt_fixtures_share *pt_fixtures_share_new(const struct pt_schema *schema,
                                                enum pt_compression c, int gzip_level);
/*
 * digests[i] for schema->tables[i] ("" for none), copied; ranges[i] (NULL:
 * none) its row ranges with their keys (engine/table-digest.h), taken
 * (each left empty).
 */
void pt_fixtures_share_digests(struct pt_fixtures_share *s, const char (*digests)[PT_SHA256_HEX],
                               struct pt_row_ranges *ranges);
/* True when the previous backup named records a digest of some table: there is something to share.
 */
bool pt_fixtures_share_has_source(const struct pt_fixtures_share *s);

/*
 * The previous backup: its folder dir (format dir, last verify not failed)
 * and name (for warnings). Its backup_report.json (the part before its
 * list of files) and SHA256SUMS are read now; when either cannot be read,
 * its fixtures are compressed otherwise, or its tables carry no digest,
 * nothing is shared.
 */
void pt_fixtures_share_previous(struct pt_fixtures_share *s, const char *dir, const char *name);

/*
 * Shares table's fixture when it is proven unchanged: links the previous
 * backup's file to dest (a path in the new backup), opens the link and
 * checks its bytes as the comment above says. True with *out filled; false
 * when it is not shared (nothing left at dest), and the caller writes it.
 * rows is the table's row count in the new snapshot.
 */
bool pt_fixtures_share_take(struct pt_fixtures_share *s, const struct pt_table *table,
                            const char *dest, int64_t rows, struct pt_shared_fixture *out);

/*
 * The file rel of the new backup, at path, was written with the SHA-256
 * hex: when the previous backup's rel is recorded with that SHA-256 and
 * still has it (read now), path is replaced by a hard link to it (as
 * complete_database.json when no table changed). True when replaced.
 */
bool pt_fixtures_share_same(struct pt_fixtures_share *s, const char *rel, const char *path,
                            const char *hex);

/*
 * How a changed table is written when its row ranges are known before
 * (docs/backup-layout.md, "Shared row ranges"): the new snapshot's ranges,
 * and from[i], the previous backup's range of the same key, rows and
 * rowids, whose stored bytes are at from[i]->at in fd, the previous
 * fixture, proven as a linked one is (its SHA-256 read now, its framing)
 * and its ranges lying end to end; NULL where the range is written afresh.
 */
struct pt_range_plan {
    const struct pt_row_ranges *ranges;
    const struct pt_row_range **from;
    int fd; /* -1: nothing is copied */
};
/* False when table's ranges are not known yet: it is cut as it is written. */
bool pt_fixtures_share_plan(struct pt_fixtures_share *s, const struct pt_table *table,
                            struct pt_range_plan *plan);
void pt_range_plan_free(struct pt_range_plan *plan);

/* The ranges table's fixture holds as written (rows, rowids, invalid text, bytes), copied. */
void pt_fixtures_share_written_ranges(struct pt_fixtures_share *s, const char *table,
                                      const struct pt_row_ranges *written);
/*
 * What the report records of table's ranges: those written, when they are
 * the snapshot's own (the same rows and rowids, in the same order), and in
 * *keys the snapshot's, whose keys go with them; NULL otherwise, and then
 * none is recorded.
 */
const struct pt_row_ranges *pt_fixtures_share_row_ranges(const struct pt_fixtures_share *s,
                                                         const char *table,
                                                         const struct pt_row_ranges **keys);

/* A table written afresh: the invalid text values it held, for the report. */
void pt_fixtures_share_written(struct pt_fixtures_share *s, const char *table,
                               int64_t invalid_text);

/* What the report records of a table: digest ("" for none), invalid text, shared or not. */
const char *pt_fixtures_share_digest(const struct pt_fixtures_share *s, const char *table,
                                     int64_t *invalid_text, bool *shared);

/* Counts for warnings and the report. */
struct pt_fixtures_share_totals {
    int64_t shared;        /* fixtures linked */
    int64_t rechecked;     /* previous fixtures read again to prove them */
    int64_t bad;           /* found not as recorded: written afresh */
    int64_t ranges_shared; /* row ranges copied from the previous backup's fixtures */
    int64_t failed;        /* proven good but the link failed: written afresh */
    bool complete;         /* complete_database.json is the previous backup's too */
    int failed_errno;      /* link(2)'s errno, the first time */
    const char *source;    /* the previous backup's name, or NULL */
};
void pt_fixtures_share_totals(const struct pt_fixtures_share *s,
                              struct pt_fixtures_share_totals *out);

void pt_fixtures_share_free(struct pt_fixtures_share *s);

#endif
