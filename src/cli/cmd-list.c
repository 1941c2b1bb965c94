// SPDX-License-Identifier: GPL-3.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/summary.h"
#include "poshtiban/backup.h"
#include "poshtiban/catalog.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"

/* A cell padded to width, at the start or the end of its column; the last column is not padded. */
static void print_cell(const char *text, size_t width, bool end, bool last)
{
    size_t w = pt_cli_width(text);
    for (size_t i = w; end && i < width; i++)
        fputc(' ', stdout);
    fputs(text, stdout);
    for (size_t i = w; !end && !last && i < width; i++)
        fputc(' ', stdout);
    if (!last)
        fputs("  ", stdout);
}

/* The list's columns as the List pane draws them (present/list-columns.c), as an aligned table. */
static void print_table(const struct pt_record *records, size_t n)
{
    enum { NCOLS = PT_LIST_COLUMNS };
    struct pt_column cols[NCOLS];
    size_t widths[NCOLS];
    for (size_t c = 0; c < NCOLS; c++) {
        cols[c] = pt_present_list_column((enum pt_list_column)c);
        widths[c] = pt_cli_width(cols[c].header);
    }
    char **cells = pt_cli_calloc(n * NCOLS + 1, sizeof(*cells));
    for (size_t i = 0; i < n; i++) {
        struct pt_cell row[NCOLS];
        pt_present_list_row(&records[i], row);
        for (size_t c = 0; c < NCOLS; c++) {
            char *isolated = cols[c].kind == PT_VALUE_NAME ? pt_cli_name(row[c].text) : NULL;
            char *cell = pt_text_printable(isolated ? isolated : row[c].text);
            free(isolated);
            size_t w = pt_cli_width(cell);
            widths[c] = w > widths[c] ? w : widths[c];
            cells[i * NCOLS + c] = cell;
        }
        pt_present_list_row_free(row);
    }
    for (size_t c = 0; c < NCOLS; c++)
        print_cell(cols[c].header, widths[c], cols[c].end, c + 1 == NCOLS);
    fputc('\n', stdout);
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < NCOLS; c++)
            print_cell(cells[i * NCOLS + c], widths[c], cols[c].end, c + 1 == NCOLS);
        fputc('\n', stdout);
    }
    for (size_t i = 0; i < n * NCOLS; i++)
        free(cells[i]);
    free(cells);
}

int pt_cmd_list(struct pt_cli *cli, int argc, char **argv)
{
    const char *status = NULL, *kind = NULL, *limit = NULL, *offset = NULL;
    const struct pt_cli_option options[] = {
        {"--status", &status, NULL}, {"--kind", &kind, NULL},
        {"--limit", &limit, NULL},   {"--offset", &offset, NULL},
        {0},
    };
    size_t n_pos;
    if (!pt_cli_parse("list", argc, argv, options, NULL, 0, &n_pos))
        return 2;
    struct pt_catalog_filter filter = {0};
    long long value;
    if (status && !(filter.has_status = pt_state_parse(status, &filter.status)))
        return pt_cli_usage(
            "list",
            _("--status takes pending, running, completed, failed, interrupted or cancelled, "
              "not \"%s\""),
            status);
    if (kind && !(filter.has_kind = pt_kind_parse(kind, &filter.kind)))
        return pt_cli_usage("list", _("--kind takes manual, auto or scheduled, not \"%s\""), kind);
    if (limit) {
        if (!pt_cli_parse_count(limit, &value) || value == 0)
            return pt_cli_usage("list", _("--limit takes a whole number above 0, not \"%s\""),
                                limit);
        filter.limit = value;
    }
    if (offset) {
        if (!pt_cli_parse_count(offset, &value))
            return pt_cli_usage("list", _("--offset takes a whole number, not \"%s\""), offset);
        filter.offset = value;
    }
    struct pt_error err = {0};
    struct pt_catalog *catalog;
    if (pt_catalog_open(&catalog, &cli->project, PT_CATALOG_READ, &err) != PT_OK)
        return pt_cli_error(&err);
    struct pt_record *records;
    size_t n;
    int64_t total = 0;
    enum pt_status rc = pt_catalog_list(catalog, &filter, &records, &n, &total, &err);
    pt_catalog_close(catalog);
    if (rc != PT_OK)
        return pt_cli_error(&err);
    int code = 0;
    if (cli->json) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, pt_record_to_json(&records[i]));
        code = pt_cli_print_json(json_pack("{s:o, s:I}", "backups", list, "total",
                                           (json_int_t)total));
    } else if (total == 0) {
        pt_cli_printf("%s\n", _("No backups yet. Take one with: poshtiban create"));
    } else {
        print_table(records, n);
        if ((int64_t)n < total) {
            char *shown = pt_l10n_int((int64_t)n), *all = pt_l10n_int(total);
            pt_cli_printf(_("(%s of %s shown)\n"), shown, all);
            free(shown);
            free(all);
        }
    }
    pt_record_list_free(records, n);
    return code;
}

static enum pt_status find(struct pt_cli *cli, const char *id, struct pt_record *record,
                           struct pt_error *err)
{
    struct pt_catalog *catalog;
    if (pt_catalog_open(&catalog, &cli->project, PT_CATALOG_READ, err) != PT_OK)
        return PT_EFAIL;
    enum pt_status rc = pt_catalog_get(catalog, id, record, err);
    pt_catalog_close(catalog);
    return rc;
}

static void field(const char *label, const char *value)
{
    pt_cli_pad(label, 16);
    pt_cli_printf("%s\n", value ? value : "-");
}

static void print_record(const struct pt_record *r, json_t *files)
{
    char buf[160];
    char *text;
    /* The fields as the Detail pane draws them (present/record-fields.c). */
    struct pt_field *fields;
    size_t n = pt_present_record(r, &fields);
    for (size_t i = 0; i < n; i++) {
        const struct pt_field *f = &fields[i];
        text = f->kind == PT_VALUE_NAME   ? pt_cli_name(f->value)
               : f->kind == PT_VALUE_PATH ? pt_cli_path(f->value)
                                          : NULL;
        field(f->label, text ? text : f->value);
        free(text);
    }
    pt_present_fields_free(fields, n);
    bool done = r->status == PT_STATE_COMPLETED;
    if (done && r->n_tables) {
        pt_cli_printf("\n%s\n", _("Tables:"));
        size_t width = 0;
        for (size_t i = 0; i < r->n_tables; i++) {
            size_t w = pt_cli_width(r->tables[i].name);
            width = w > width ? w : width;
        }
        for (size_t i = 0; i < r->n_tables; i++) {
            char *name = pt_cli_name(r->tables[i].name);
            fputs("  ", stdout);
            pt_cli_pad(name, width + 2);
            free(name);
            text = pt_l10n_int(r->tables[i].rows);
            pt_cli_printf("%s\n", text);
            free(text);
        }
    }
    if (json_array_size(files)) {
        pt_cli_printf("\n%s\n", _("Files:"));
        size_t i;
        json_t *f;
        json_array_foreach(files, i, f)
        {
            pt_format_size(json_integer_value(json_object_get(f, "size")), buf, sizeof(buf));
            fputs("  ", stdout);
            for (size_t w = pt_cli_width(buf); w < 10; w++)
                fputc(' ', stdout);
            char *path = pt_cli_path(json_string_value(json_object_get(f, "path")));
            pt_cli_printf("%s  %s\n", buf, path);
            free(path);
        }
    }
}

int pt_cmd_show(struct pt_cli *cli, int argc, char **argv)
{
    const char *id = NULL;
    size_t n_pos;
    if (!pt_cli_parse("show", argc, argv, NULL, &id, 1, &n_pos))
        return 2;
    if (n_pos != 1)
        return pt_cli_usage("show", _("which backup? give its id or name"));
    struct pt_error err = {0};
    struct pt_record record;
    if (find(cli, id, &record, &err) != PT_OK)
        return pt_cli_error(&err);
    json_t *files = NULL;
    if (record.status == PT_STATE_COMPLETED && pt_backup_read_files(&record, &files, &err) != PT_OK) {
        /* The record still shows; the missing report is worth a line. */
        pt_cli_error(&err);
    }
    int code = 0;
    if (cli->json) {
        json_t *doc = pt_record_to_json(&record);
        json_object_set_new(doc, "files", files ? json_incref(files) : json_array());
        code = pt_cli_print_json(doc);
    } else {
        print_record(&record, files);
    }
    json_decref(files);
    pt_record_free(&record);
    return code;
}

/*
 * The restore recipe that ends a report ("  label: command" lines after its
 * heading, README "Restoring by hand"), each command isolated as one piece
 * to copy where poshtiban reorders the lines. New string.
 */
static char *isolate_recipe(const char *text)
{
    static const char heading[] = N_("To restore by hand, in this backup's folder (an archive "
                                     "unpacked first), with the app stopped:");
    size_t len = strlen(text);
    char *out = malloc(len * 3 + 1), *o = out;
    if (!out)
        return NULL;
    bool recipe = false;
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        const char *colon = recipe && strncmp(line, "  ", 2) == 0 ? strstr(line, ": ") : NULL;
        if (colon && colon < line + n) {
            size_t head = (size_t)(colon + 2 - line);
            char *command = strndup(colon + 2, n - head);
            char *isolated = command ? pt_cli_command(command) : NULL;
            if (isolated) {
                memcpy(o, line, head);
                o += head;
                o = stpcpy(o, isolated);
            } else {
                o = stpncpy(o, line, n);
            }
            free(isolated);
            free(command);
        } else {
            memcpy(o, line, n);
            o += n;
        }
        /* The heading in the language of the summary, which may not be the current one. */
        recipe = recipe || (n == strlen(heading) && strncmp(line, heading, n) == 0) ||
                 (n == strlen(_(heading)) && strncmp(line, _(heading), n) == 0);
        line += n;
        if (*line == '\n')
            *o++ = *line++;
    }
    *o = '\0';
    return out;
}

int pt_cmd_report(struct pt_cli *cli, int argc, char **argv)
{
    const char *id = NULL;
    size_t n_pos;
    if (!pt_cli_parse("report", argc, argv, NULL, &id, 1, &n_pos))
        return 2;
    if (n_pos != 1)
        return pt_cli_usage("report", _("which backup? give its id or name"));
    struct pt_error err = {0};
    struct pt_record record;
    if (find(cli, id, &record, &err) != PT_OK)
        return pt_cli_error(&err);
    char *text = NULL;
    enum pt_status rc;
    if (cli->lang) {
        /* Told again from the report, in the language asked for. */
        json_t *report = NULL;
        rc = pt_backup_read_report(&record, &report, &err);
        if (rc == PT_OK)
            text = pt_report_summary(report);
        json_decref(report);
    } else {
        /* As written when the backup was taken, in its language. */
        rc = pt_backup_read_summary(&record, &text, &err);
    }
    int code = 0;
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    else if (cli->json)
        code = pt_cli_print_json(json_pack("{s:s, s:s}", "name", record.name, "summary", text));
    else {
        char *shown = isolate_recipe(text);
        pt_cli_printf("%s", shown ? shown : text);
        free(shown);
    }
    free(text);
    pt_record_free(&record);
    return code;
}
