// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/backup-read.h"
#include "poshtiban/catalog.h"
#include "poshtiban/changes.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"

#include "cli.h"

enum pt_status pt_cli_find(struct pt_cli *cli, const char *id, struct pt_record *record,
                           struct pt_error *err)
{
    struct pt_catalog *catalog;
    if (pt_session_catalog(&cli->session, PT_CATALOG_READ, &catalog, err) != PT_OK)
        return PT_EFAIL;
    enum pt_status rc = pt_catalog_get(catalog, id, record, err);
    return rc;
}

static void field(const char *label, const char *value)
{
    pt_cli_pad(label, 16);
    pt_cli_printf("%s\n", value ? value : "-");
}

/* The change sets whose base is the backup named base, newest first (docs/changes.md). */
static void print_changes(const struct pt_change_list *list, const char *base)
{
    bool any = false;
    for (size_t i = list->n; i-- > 0;) {
        const struct pt_change_point *p = &list->points[i];
        if (!p->base || strcmp(p->base, base) != 0)
            continue;
        if (!any)
            pt_cli_printf("\n%s\n", _("Change sets:"));
        any = true;
        char *line = pt_present_change_line(p, pt_cli_keep_whole);
        pt_cli_printf("  %s\n", line);
        free(line);
    }
}

static json_t *changes_json(const struct pt_change_list *list, const char *base)
{
    json_t *points = json_array();
    for (size_t i = list->n; i-- > 0;)
        if (list->points[i].base && strcmp(list->points[i].base, base) == 0)
            json_array_append_new(points, pt_present_change_json(&list->points[i]));
    return points;
}

/* One line of the files: its size, right-aligned, and its path. */
static enum pt_status print_file(json_t *f, void *user, struct pt_error *err)
{
    (void)err;
    bool *any = user;
    char buf[160];
    if (!*any)
        pt_cli_printf("\n%s\n", _("Files:"));
    *any = true;
    pt_l10n_size(json_integer_value(json_object_get(f, "size")), buf, sizeof(buf));
    fputs("  ", stdout);
    for (size_t w = pt_cli_width(buf); w < 10; w++)
        fputc(' ', stdout);
    char *path = pt_cli_path(json_string_value(json_object_get(f, "path")));
    pt_cli_printf("%s  %s\n", buf, path);
    free(path);
    return PT_OK;
}

static void print_record(const struct pt_record *r, bool files,
                         const struct pt_change_list *changes, struct pt_error *err)
{
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
        pt_cli_print_tables(r->tables, r->n_tables);
    }
    /* Before the files, a long list, as the Detail pane has them. */
    print_changes(changes, r->name);
    bool any = false;
    if (files && pt_backup_each_file(r, print_file, &any, err) != PT_OK)
        pt_cli_error(err);
}

/* One entry of "files", printed in its place as it is read: never the list whole. */
static enum pt_status dump_file(json_t *f, void *user, struct pt_error *err)
{
    (void)err;
    pt_cli_json_list_item(user, json_incref(f));
    return PT_OK;
}

/* The record, its files and its change sets as one JSON document, the files streamed. */
static int print_json(const struct pt_record *r, bool files, json_t *changes, struct pt_error *err)
{
    json_t *doc = pt_present_record_json(r);
    json_object_set_new(doc, "files", json_array());
    json_object_set_new(doc, "changes", changes);
    struct pt_cli_json_list list;
    pt_cli_json_list_begin(&list, doc, "files");
    int code = 0;
    if (files && pt_backup_each_file(r, dump_file, &list, err) != PT_OK)
        code = pt_cli_error(err);
    int printed = pt_cli_json_list_end(&list);
    return code ? code : printed;
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
    if (pt_cli_find(cli, id, &record, &err) != PT_OK)
        return pt_cli_error(&err);
    /* The whole report checked first, one entry at a time: a damaged one lists no files. */
    json_t *report = NULL;
    bool files = false;
    if (record.status == PT_STATE_COMPLETED) {
        files = pt_backup_read_report(&record, &report, &err) == PT_OK;
        json_decref(report);
        /* The record still shows; the missing report is worth a line. */
        if (!files)
            pt_cli_error(&err);
    }
    /* Its change sets, as the files on disk have them. */
    struct pt_change_list changes = {0};
    if (pt_changes_list(&cli->project, &changes, &err) != PT_OK)
        pt_cli_error(&err);
    int code = 0;
    if (cli->json)
        code = print_json(&record, files, changes_json(&changes, record.name), &err);
    else
        print_record(&record, files, &changes, &err);
    pt_change_list_free(&changes);
    pt_record_free(&record);
    return code;
}
