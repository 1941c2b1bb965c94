// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * changes-at ROOT TIME OUT: the database of the project in ROOT as it was at
 * TIME (ISO 8601), rebuilt into the new file OUT the way restore --at
 * stages it: the newest complete full backup at or before TIME, its
 * snapshot taken out, then its change sets taken at or before TIME applied
 * and proved (pt_changes_resolve, pt_changes_apply). For the tests of
 * thinning and off-site chains, beside `restore --at`. Exit 0 when done,
 * 1 with one line on stderr otherwise.
 */
#include "poshtiban/changes.h"

#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/catalog.h"
#include "poshtiban/timefmt.h"

#include "engine/backup-db.h"

int main(int argc, char **argv)
{
    int64_t at;
    if (argc != 4 || !pt_time_parse_iso(argv[2], &at)) {
        fprintf(stderr, "usage: changes-at ROOT TIME OUT\n");
        return 2;
    }
    struct pt_project_options opts = {.root = argv[1]};
    struct pt_project p = {0};
    struct pt_error err = {0};
    struct pt_catalog *c = NULL;
    struct pt_record base = {0};
    struct pt_change_point *points = NULL;
    size_t n = 0;
    char *name = NULL;
    enum pt_status rc = pt_project_resolve(&p, &opts, &err);
    if (rc == PT_OK)
        rc = pt_catalog_open(&c, &p, PT_CATALOG_READ, &err);
    if (rc == PT_OK)
        rc = pt_changes_resolve(&p, c, at, &name, &points, &n, &err);
    if (rc == PT_OK)
        rc = pt_catalog_get(c, name, &base, &err);
    if (rc == PT_OK)
        rc = pt_backup_database_extract(&base, argv[3], &err);
    if (rc == PT_OK)
        rc = pt_changes_apply(&p, argv[3], points, n, NULL, &err);
    if (rc != PT_OK)
        fprintf(stderr, "changes-at: %s\n", err.message ? err.message : "failed");
    else
        printf("%s %zu\n", name, n);
    for (size_t i = 0; i < n; i++)
        pt_change_point_free(&points[i]);
    free(points);
    free(name);
    pt_record_free(&base);
    if (c)
        pt_catalog_close(c);
    pt_error_clear(&err);
    pt_project_free(&p);
    return rc == PT_OK ? 0 : 1;
}
