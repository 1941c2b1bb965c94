// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/report.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "poshtiban/i18n.h"
#include "poshtiban/summary.h"

#include "base/filewriter.h"
#include "base/fsutil.h"

static enum pt_status finish(struct pt_file_writer *w, const char *rel,
                             struct pt_manifest *manifest, struct pt_error *err)
{
    char hex[PT_SHA256_HEX];
    int64_t size;
    enum pt_status rc = pt_file_writer_close(w, hex, &size, err);
    if (rc != PT_OK)
        return rc;
    pt_manifest_add(manifest, rel, size, hex);
    return PT_OK;
}

static json_t *tables_json(const struct pt_backup_facts *f)
{
    json_t *tables = json_array();
    for (size_t i = 0; i < f->schema->n_tables; i++) {
        const struct pt_table *t = &f->schema->tables[i];
        json_t *o = json_pack("{s:s, s:I}", "name", t->name, "rows", (json_int_t)f->rows[i]);
        json_object_set_new(o, "model", t->model ? json_string(t->model) : json_null());
        json_object_set_new(o, "fixture", t->fixture ? json_string(t->fixture) : json_null());
        int64_t invalid = 0;
        bool shared = false;
        const char *digest =
            pt_fixtures_share_digest(f->fixtures_share, t->name, &invalid, &shared);
        if (digest[0]) {
            /* What the next backup compares to share this fixture (docs/backup-layout.md). */
            json_object_set_new(o, "content_sha256", json_string(digest));
            json_object_set_new(o, "invalid_text", json_integer(invalid));
            json_object_set_new(o, "shared", json_boolean(shared));
        }
        const struct pt_row_ranges *keys = NULL;
        const struct pt_row_ranges *ranges =
            pt_fixtures_share_row_ranges(f->fixtures_share, t->name, &keys);
        if (ranges) {
            /* What the next backup compares to copy unchanged rows (docs/backup-layout.md). */
            json_t *list = json_array();
            for (size_t k = 0; k < ranges->n; k++) {
                const struct pt_row_range *r = &ranges->r[k];
                json_array_append_new(list,
                                      json_pack("[s, I, I, I, I, I, I]", keys->r[k].key,
                                                (json_int_t)r->rows, (json_int_t)r->first,
                                                (json_int_t)r->last, (json_int_t)r->invalid_text,
                                                (json_int_t)r->at, (json_int_t)r->len));
            }
            json_object_set_new(o, "row_ranges", list);
        }
        for (size_t k = 0; k < f->schema->n_tables; k++)
            for (size_t j = 0; j < f->schema->tables[k].n_m2m; j++)
                if (strcmp(f->schema->tables[k].m2m[j].through, t->name) == 0) {
                    char *into = pt_xasprintf("%s.%s", f->schema->tables[k].model,
                                              f->schema->tables[k].m2m[j].field);
                    json_object_set_new(o, "folded_into", json_string(into));
                    free(into);
                }
        if (t->n_m2m) {
            json_t *folded = json_array();
            for (size_t j = 0; j < t->n_m2m; j++)
                json_array_append_new(folded, json_pack("{s:s, s:s}", "field", t->m2m[j].field,
                                                        "table", t->m2m[j].through));
            json_object_set_new(o, "many_to_many", folded);
        }
        json_array_append_new(tables, o);
    }
    return tables;
}

json_t *pt_report_build(const struct pt_backup_facts *f)
{
    const struct pt_record *r = f->record;
    json_t *doc = json_object();
    json_object_set_new(doc, "format_version", json_integer(PT_REPORT_FORMAT_VERSION));
    json_object_set_new(doc, "tool",
                        json_pack("{s:s, s:s}", "name", "poshtiban", "version", PT_VERSION));
    json_object_set_new(doc, "name", json_string(r->name));
    json_object_set_new(doc, "kind", json_string(pt_kind_name(r->kind)));
    json_object_set_new(doc, "status", json_string(pt_state_name(r->status)));
    json_object_set_new(doc, "format", json_string(r->format));
    json_object_set_new(doc, "created_at", json_string(r->created_at));
    json_object_set_new(doc, "started_at", json_string(r->started_at));
    json_object_set_new(doc, "finished_at", json_string(r->finished_at));
    json_object_set_new(doc, "duration_ms", json_integer(r->duration_ms));
    json_object_set_new(doc, "source",
                        json_pack("{s:s, s:I, s:s, s:b}", "path", f->source_path, "size_bytes",
                                  (json_int_t)f->source_size, "sqlite_version",
                                  sqlite3_libversion(), "django", f->schema->django));
    json_object_set_new(doc, "tables", tables_json(f));
    /* Which files hold the snapshot and every row, and how they are stored. */
    char *snapshot =
        pt_xasprintf("database.sqlite3%s", pt_compression_suffix(f->snapshot_compression));
    char *complete =
        pt_xasprintf("complete_database.json%s", pt_compression_suffix(f->fixtures_compression));
    json_object_set_new(doc, "snapshot", json_string(snapshot));
    json_object_set_new(doc, "complete_fixture", json_string(complete));
    json_object_set_new(doc, "compression",
                        json_pack("{s:s, s:s}", "fixtures",
                                  pt_compression_name(f->fixtures_compression), "snapshot",
                                  pt_compression_name(f->snapshot_compression)));
    free(snapshot);
    free(complete);
    json_object_set_new(
        doc, "media",
        json_pack("{s:b, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "included",
                  f->media_included, "source", f->media_path, "files", (json_int_t)f->media.files,
                  "bytes", (json_int_t)f->media.bytes, "links", (json_int_t)f->media.links,
                  "skipped", (json_int_t)f->media.skipped, "shared", (json_int_t)f->media.shared,
                  "share_failed", (json_int_t)f->media.share_failed, "rechecked",
                  (json_int_t)f->media.rechecked, "share_bad", (json_int_t)f->media.share_bad));
    if (f->fixtures_share) {
        struct pt_fixtures_share_totals s;
        pt_fixtures_share_totals(f->fixtures_share, &s);
        json_object_set_new(doc, "fixtures_shared",
                            json_pack("{s:s?, s:I, s:I, s:b, s:I, s:I, s:I}", "from", s.source,
                                      "shared", (json_int_t)s.shared, "row_ranges",
                                      (json_int_t)s.ranges_shared, "complete", s.complete,
                                      "rechecked", (json_int_t)s.rechecked, "share_bad",
                                      (json_int_t)s.bad, "share_failed", (json_int_t)s.failed));
    }
    json_object_set(doc, "settings", f->settings);
    json_object_set(doc, "warnings", f->warnings);
    return doc;
}

/*
 * The list of files goes last, one line per file, each dumped on its own:
 * a backup of 100,000 media files never holds that list as one JSON tree or
 * one string (docs/backup-layout.md), so memory stays flat.
 */
static enum pt_status write_files(struct pt_file_writer *w, const struct pt_manifest *m,
                                  struct pt_error *err)
{
    enum pt_status rc = pt_file_writer_puts(w, ",\n  \"files\": [", err);
    size_t written = 0;
    for (size_t i = 0; rc == PT_OK && i < m->n; i++) {
        json_t *f = pt_manifest_entry_json(&m->entries[i]);
        char *line = f ? json_dumps(f, JSON_COMPACT) : NULL;
        json_decref(f);
        /* A name JSON cannot hold (not UTF-8) is left out here; SHA256SUMS lists its bytes. */
        if (!line)
            continue;
        rc = pt_file_writer_puts(w, written++ ? ",\n    " : "\n    ", err);
        if (rc == PT_OK)
            rc = pt_file_writer_puts(w, line, err);
        free(line);
    }
    if (rc == PT_OK)
        rc = pt_file_writer_puts(w, written ? "\n  ]\n}\n" : "]\n}\n", err);
    return rc;
}

enum pt_status pt_report_write_json(json_t *report, const char *dir, struct pt_manifest *manifest,
                                    struct pt_error *err)
{
    json_object_del(report, "files");
    char *path = pt_path_join(dir, "backup_report.json");
    char *text = json_dumps(report, JSON_INDENT(2));
    /* Everything but the files, up to its last value: the files follow, then the brace. */
    size_t len = text ? strlen(text) : 0;
    while (len > 0 && text[len - 1] != '}')
        len--;
    if (len > 0)
        len--;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
        len--;
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, path, err);
    free(path);
    if (rc == PT_OK) {
        rc = len > 1 ? pt_file_writer_write(&w, text, len, err) : PT_EFAIL;
        if (rc == PT_OK)
            rc = write_files(&w, manifest, err);
        if (rc != PT_OK) {
            pt_file_writer_abort(&w);
            rc = pt_error_set(err, PT_EFAIL, _("cannot write the backup report"));
        }
    }
    free(text);
    return rc == PT_OK ? finish(&w, "backup_report.json", manifest, err) : rc;
}

enum pt_status pt_report_write_summary(json_t *report, const char *dir,
                                       struct pt_manifest *manifest, struct pt_error *err)
{
    char *text = pt_report_summary(report);
    char *path = pt_path_join(dir, "backup_summary.txt");
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, path, err);
    free(path);
    if (rc == PT_OK && (rc = pt_file_writer_puts(&w, text, err)) != PT_OK)
        pt_file_writer_abort(&w);
    free(text);
    return rc == PT_OK ? finish(&w, "backup_summary.txt", manifest, err) : rc;
}
