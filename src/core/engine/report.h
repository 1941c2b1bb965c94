/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_REPORT_H
#define POSHTIBAN_CORE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/record.h"
#include "poshtiban/status.h"

#include "engine/compress.h"
#include "engine/fixtures-share.h"
#include "engine/manifest.h"
#include "engine/media.h"
#include "engine/schema.h"

#define PT_REPORT_FORMAT_VERSION 1

/* What a finished backup holds, for its two reports (docs/backup-layout.md). All borrowed. */
struct pt_backup_facts {
    const struct pt_record *record;
    const char *source_path;
    int64_t source_size;
    const struct pt_schema *schema;
    const int64_t *rows; /* per schema table */
    bool media_included;
    const char *media_path;
    struct pt_media_totals media;
    enum pt_compression fixtures_compression; /* none or gzip */
    enum pt_compression snapshot_compression; /* none or zstd */
    json_t *settings;                         /* the settings that shaped the backup */
    json_t *warnings;                         /* array of strings */
    const struct pt_manifest *manifest;
    /* each table's digest and whether its fixture was shared; NULL: none (archives) */
    const struct pt_fixtures_share *fixtures_share;
};

/* backup_report.json's content but "files": what the summary is told from. New reference. */
json_t *pt_report_build(const struct pt_backup_facts *facts);

/* backup_summary.txt from report in the current language, added to manifest. */
enum pt_status pt_report_write_summary(json_t *report, const char *dir,
                                       struct pt_manifest *manifest, struct pt_error *err);
/* backup_report.json: report with "files" (every file of manifest); added to manifest after. */
enum pt_status pt_report_write_json(json_t *report, const char *dir, struct pt_manifest *manifest,
                                    struct pt_error *err);

#endif
