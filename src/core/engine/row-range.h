/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_ROW_RANGE_H
#define POSHTIBAN_CORE_ROW_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"

#include "base/filewriter.h"
#include "engine/schema.h"

/*
 * A table's rows cut into ranges (docs/backup-layout.md, "Shared row
 * ranges"): each range of a fixture is a gzip member of its own, so that a
 * range whose rows did not change is copied from the previous backup as
 * it is stored. Where a range ends is said by the rows' rowids alone (after
 * a rowid whose mix below has its low ten bits 0: about 1,024 rows), so
 * that an insert, an update or a delete moves no end but its own range's,
 * and the writer and the digest of the snapshot's pages
 * (engine/table-digest.h) cut alike without seeing each other.
 */
struct pt_row_range {
    char key[PT_SHA256_HEX];   /* the digest of its rows' cells; "" when not known */
    int64_t rows, first, last; /* its row count, first and last rowid */
    int64_t invalid_text;      /* text values that were not UTF-8, as written */
    int64_t at, len;           /* its bytes in the fixture as stored */
};

struct pt_row_ranges {
    struct pt_row_range *r;
    size_t n, cap;
};

/*
 * Whether a table's rows are written in ranges: it is read in rowid order
 * (its key is the rowid, or an INTEGER PRIMARY KEY AUTOINCREMENT that is
 * the rowid), it folds no many-to-many table into its rows (their ids are
 * not in its own cells) and it is no virtual table.
 */
static inline bool pt_row_range_table(const struct pt_table *t)
{
    return t->fixture && t->rowid_order && !t->is_virtual && t->n_m2m == 0;
}

/* True when a range ends at the row whose rowid is rowid. */
static inline bool pt_row_range_ends(int64_t rowid)
{
    uint64_t z = (uint64_t)rowid + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return (z & 1023u) == 0;
}

/* A new range at the end of rs, zeroed. */
static inline struct pt_row_range *pt_row_ranges_add(struct pt_row_ranges *rs)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->r = pt_xrealloc(rs->r, rs->cap * sizeof(*rs->r));
    }
    struct pt_row_range *r = &rs->r[rs->n++];
    *r = (struct pt_row_range){0};
    return r;
}

static inline int pt_row_range_key_order(const void *a, const void *b)
{
    const struct pt_row_range *const *x = a, *const *y = b;
    return strcmp((*x)->key, (*y)->key);
}

/* The ranges of rs by key, for pt_row_range_match; the caller frees the array. */
static inline const struct pt_row_range **pt_row_ranges_by_key(const struct pt_row_ranges *rs)
{
    const struct pt_row_range **sorted = pt_xcalloc(rs->n + 1, sizeof(*sorted));
    for (size_t i = 0; i < rs->n; i++)
        sorted[i] = &rs->r[i];
    if (rs->n > 1)
        qsort(sorted, rs->n, sizeof(*sorted), pt_row_range_key_order);
    return sorted;
}

/*
 * The range among by_key (n of them) that holds what want does: the same
 * key, rows and first and last rowid; NULL when none does.
 */
static inline const struct pt_row_range *
pt_row_range_match(const struct pt_row_range **by_key, size_t n, const struct pt_row_range *want)
{
    const struct pt_row_range **found =
        n ? bsearch(&want, by_key, n, sizeof(*by_key), pt_row_range_key_order) : NULL;
    return found && (*found)->rows == want->rows && (*found)->first == want->first &&
                   (*found)->last == want->last
               ? *found
               : NULL;
}

static inline void pt_row_ranges_free(struct pt_row_ranges *rs)
{
    free(rs->r);
    *rs = (struct pt_row_ranges){0};
}

#endif
