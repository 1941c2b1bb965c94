// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A backup's backup_report.json as reindex reads it: split as
 * pt_backup_read_report streams it (engine/report-split.c), fed in two
 * pieces cut where the input says and then byte by byte, each entry of its
 * files read as show reads it, the two readings agreeing;
 * pt_backup_record_from_report into a record of an
 * archive that is not there (so nothing on disk is measured), the record as
 * `list --json` prints it and, when reindex would take the backup as ours,
 * the record written to a catalog and read back.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "poshtiban/backup-read.h"
#include "poshtiban/catalog.h"
#include "poshtiban/record.h"

#include "base/fsutil.h"
#include "engine/report-split.h"
#include "ops/reindex.h"

static struct pt_catalog *catalog;

static void close_catalog(void)
{
    pt_catalog_close(catalog);
}

static void fail(const char *what, struct pt_error *err)
{
    fprintf(stderr, "fuzz-report: %s: %s\n", what, err->message ? err->message : "?");
    abort();
}

/* What pt_reindex_locked does with a backup it found. */
static void store(struct pt_record *r)
{
    struct pt_error err = {0};
    if (!catalog) {
        if (pt_catalog_open_path(&catalog, ":memory:", &err) != PT_OK)
            fail("cannot open a catalog", &err);
        atexit(close_catalog);
    }
    if (pt_catalog_insert(catalog, r, &err) != PT_OK)
        fail("a report reindex takes cannot be stored", &err);
    struct pt_record back = {0};
    if (pt_catalog_get(catalog, r->name, &back, &err) != PT_OK)
        fail("the stored record cannot be read back", &err);
    if (back.n_tables != r->n_tables)
        fail("the stored record lost table counts", &err);
    if (pt_catalog_delete(catalog, r->id, &err) != PT_OK)
        fail("the stored record cannot be deleted", &err);
    pt_record_free(&back);
}

/* What show takes of an entry: its path and size. */
static enum pt_status entry(json_t *f, void *user, struct pt_error *err)
{
    (void)err;
    const char *path = json_string_value(json_object_get(f, "path"));
    *(size_t *)user += path ? strlen(path) : 0;
    *(size_t *)user += (size_t)json_integer_value(json_object_get(f, "size")) & 1;
    return PT_OK;
}

/* The report split from data fed in pieces of at most step bytes (the first of first). */
static json_t *split(const uint8_t *data, size_t size, size_t first, size_t step, int64_t *count,
                     size_t *seen)
{
    struct pt_error err = {0};
    struct pt_report_split *s = pt_report_split_new(entry, seen);
    enum pt_status rc = PT_OK;
    for (size_t at = 0, n = first; rc == PT_OK && at < size; at += n, n = step) {
        n = n < size - at ? n : size - at;
        rc = pt_report_split_feed(s, (const char *)data + at, n, &err);
    }
    json_t *head = NULL;
    if (rc == PT_OK)
        rc = pt_report_split_end(s, &head, &err);
    if (rc != PT_OK && (!err.message || !*err.message))
        fail("a damaged report without a reason", &err);
    *count = pt_report_split_count(s);
    pt_report_split_free(s);
    pt_error_clear(&err);
    return head;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t first = size ? data[0] % (size + 1) : 0, seen = 0, seen_bytes = 0;
    int64_t count = 0, count_bytes = 0;
    json_t *report = split(data, size, first, size ? size : 1, &count, &seen);
    json_t *again = split(data, size, 1, 1, &count_bytes, &seen_bytes);
    if (!report != !again || count != count_bytes || seen != seen_bytes ||
        (report && !json_equal(report, again))) {
        struct pt_error err = {0};
        fail("the report reads differently in other pieces", &err);
    }
    json_decref(again);
    if (!report)
        return 0;
    struct pt_record r = {
        .name = pt_xstrdup("backup_x"),
        .status = PT_STATE_COMPLETED,
        .format = pt_xstrdup("tar.zst"),
        .path = pt_xstrdup("/nonexistent/poshtiban-fuzz/backup_x.tar.zst"),
        .verify_ok = -1,
    };
    const char *name = json_string_value(json_object_get(report, "name"));
    bool ours = name && strcmp(name, r.name) == 0;
    pt_backup_record_from_report(&r, report);
    json_decref(report);

    json_t *o = pt_record_to_json(&r);
    free(json_dumps(o, JSON_COMPACT));
    json_decref(o);
    if (ours && r.created_at)
        store(&r);
    pt_record_free(&r);
    return 0;
}
