// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A backup's backup_report.json as reindex reads it: the checks of
 * pt_backup_read_report, pt_backup_record_from_report into a record of an
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *report = json_loadb((const char *)data, size, 0, &jerr);
    if (!report || !json_is_array(json_object_get(report, "files"))) {
        json_decref(report);
        return 0;
    }
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
