// SPDX-License-Identifier: GPL-3.0-or-later
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "filewriter.h"
#include "fsutil.h"
#include "i18n.h"
#include "poshtiban/timefmt.h"

static enum pt_status finish(struct pt_file_writer *w, const char *rel,
                             struct pt_manifest *manifest, struct pt_error *err)
{
    char hex[PT_SHA256_HEX];
    int64_t size;
    if (pt_file_writer_close(w, hex, &size, err) != PT_OK)
        return PT_EFAIL;
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

enum pt_status pt_report_write_json(const struct pt_backup_facts *f, const char *dir,
                                    struct pt_manifest *manifest, struct pt_error *err)
{
    const struct pt_record *r = f->record;
    json_t *doc = json_object();
    json_object_set_new(doc, "format_version", json_integer(PT_REPORT_FORMAT_VERSION));
    json_object_set_new(doc, "tool", json_pack("{s:s, s:s}", "name", "poshtiban", "version",
                                               PT_VERSION));
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
    json_object_set_new(doc, "media",
                        json_pack("{s:b, s:s?, s:I, s:I, s:I, s:I}", "included",
                                  f->media_included, "source", f->media_path, "files",
                                  (json_int_t)f->media.files, "bytes", (json_int_t)f->media.bytes,
                                  "links", (json_int_t)f->media.links, "skipped",
                                  (json_int_t)f->media.skipped));
    json_object_set_new(doc, "files", pt_manifest_to_json(manifest));
    json_object_set(doc, "settings", f->settings);
    json_object_set(doc, "warnings", f->warnings);

    char *path = pt_path_join(dir, "backup_report.json");
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, path, err);
    free(path);
    if (rc == PT_OK && (!text || pt_file_writer_puts(&w, text, err) != PT_OK ||
                        pt_file_writer_puts(&w, "\n", err) != PT_OK)) {
        pt_file_writer_abort(&w);
        rc = pt_error_set(err, PT_EFAIL, _("cannot write the backup report"));
    }
    free(text);
    return rc == PT_OK ? finish(&w, "backup_report.json", manifest, err) : rc;
}

static void iso_human(const char *iso, char *buf, size_t len)
{
    /* "2026-11-26T11:06:18Z" → "2026-11-26 11:06:18 UTC" */
    if (iso && strlen(iso) >= 19)
        snprintf(buf, len, "%.10s %.8s UTC", iso, iso + 11);
    else
        snprintf(buf, len, "%s", iso ? iso : "-");
}

enum pt_status pt_report_write_summary(const struct pt_backup_facts *f, const char *dir,
                                       struct pt_manifest *manifest, struct pt_error *err)
{
    const struct pt_record *r = f->record;
    char when[64], took[64], size[64], media_size[64];
    iso_human(r->created_at, when, sizeof(when));
    pt_format_duration(r->duration_ms, took, sizeof(took));
    pt_format_size(f->source_size, size, sizeof(size));
    pt_format_size(f->media.bytes, media_size, sizeof(media_size));

    int64_t total_rows = 0;
    for (size_t i = 0; i < f->schema->n_tables; i++)
        total_rows += f->rows[i];

    char *path = pt_path_join(dir, "backup_summary.txt");
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, path, err);
    free(path);
    if (rc != PT_OK)
        return rc;

    char *head = pt_xasprintf(
        "%s\n\n%s: %s\n%s: %s\n%s: %s\n%s: %s\n%s: %s (%s, SQLite %s%s)\n",
        _("poshtiban backup report"), _("Backup"), r->name, _("Status"),
        pt_state_label(r->status), _("Taken"), when, _("Kind"), pt_kind_label(r->kind),
        _("Source"), f->source_path, size, sqlite3_libversion(),
        f->schema->django ? _(", Django project") : "");
    rc = pt_file_writer_puts(&w, head, err);
    free(head);
    char *line = pt_xasprintf("%s: %s\n\n%s: %zu, %s: %" PRId64 "\n", _("Duration"), took,
                              _("Tables"), f->schema->n_tables, _("rows"), total_rows);
    if (rc == PT_OK)
        rc = pt_file_writer_puts(&w, line, err);
    free(line);
    for (size_t i = 0; rc == PT_OK && i < f->schema->n_tables; i++) {
        const struct pt_table *t = &f->schema->tables[i];
        line = pt_xasprintf("  %-40s %12" PRId64 "  %s\n", t->name, f->rows[i],
                            t->fixture ? t->fixture
                                       : (t->model ? "" : _("(in database.sqlite3 only)")));
        rc = pt_file_writer_puts(&w, line, err);
        free(line);
    }
    if (f->media_included)
        line = pt_xasprintf("\n%s: %" PRId64 " %s, %s\n", _("Media"), f->media.files, _("files"),
                            media_size);
    else
        line = pt_xasprintf("\n%s: %s\n", _("Media"), _("not included"));
    if (rc == PT_OK)
        rc = pt_file_writer_puts(&w, line, err);
    free(line);
    for (size_t i = 0; rc == PT_OK && i < json_array_size(f->warnings); i++) {
        line = pt_xasprintf("%s: %s\n", _("Warning"),
                            json_string_value(json_array_get(f->warnings, i)));
        rc = pt_file_writer_puts(&w, line, err);
        free(line);
    }
    line = pt_xasprintf("\n%s\n  %s\n  %s\n  %s\n", _("To restore by hand:"),
                        _("database: sqlite3 database.sqlite3 \".backup 'db.sqlite3'\" (with the "
                          "app stopped)"),
                        _("or with Django: python manage.py loaddata complete_database.json"),
                        _("media: cp -a media/. /path/to/project/media/"));
    if (rc == PT_OK)
        rc = pt_file_writer_puts(&w, line, err);
    free(line);
    if (rc != PT_OK) {
        pt_file_writer_abort(&w);
        return rc;
    }
    return finish(&w, "backup_summary.txt", manifest, err);
}
