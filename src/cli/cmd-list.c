// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/catalog.h"
#include "poshtiban/l10n.h"
#include "poshtiban/text.h"

#include "cli.h"

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
    char **cells = pt_xcalloc(n * NCOLS + 1, sizeof(*cells));
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
        {"--status", &status, NULL},
        {"--kind", &kind, NULL},
        {"--limit", &limit, NULL},
        {"--offset", &offset, NULL},
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
    if (pt_session_catalog(&cli->session, PT_CATALOG_READ, &catalog, &err) != PT_OK)
        return pt_cli_error(&err);
    struct pt_record *records;
    size_t n;
    int64_t total = 0;
    enum pt_status rc = pt_catalog_list(catalog, &filter, &records, &n, &total, &err);
    if (rc != PT_OK)
        return pt_cli_error(&err);
    int code = 0;
    if (cli->json) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, pt_present_record_json(&records[i]));
        code =
            pt_cli_print_json(json_pack("{s:o, s:I}", "backups", list, "total", (json_int_t)total));
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
