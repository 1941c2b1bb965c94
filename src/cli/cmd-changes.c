// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * poshtiban changes: the history of the change sets (docs/changes.md),
 * newest first, with what each did to each table; --rows streams every
 * changed row from the changeset files as it goes, in text and in JSON, so
 * that memory stays flat however many rows changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/changes.h"
#include "poshtiban/l10n.h"
#include "poshtiban/timefmt.h"

#include "cli.h"

struct filter {
    int64_t since, until; /* inclusive; 0 and INT64_MAX when not given */
    const char *table;    /* NULL: every table */
};

/* Whether point is in the filter: its time, and the table when one is asked for. */
static bool wanted(const struct pt_change_point *p, const struct filter *f)
{
    if (p->taken_ms < f->since || p->taken_ms > f->until)
        return false;
    if (!f->table)
        return true;
    /* A whole database may change any table: it stays unless it names the tables it touched. */
    if (p->kind == PT_CHANGE_SNAPSHOT && p->n_tables == 0)
        return true;
    for (size_t i = 0; i < p->n_tables; i++)
        if (strcmp(p->tables[i].name, f->table) == 0)
            return true;
    return false;
}

/* ---- text ---- */

static enum pt_status print_row(const struct pt_change_row *row, void *user, struct pt_error *err)
{
    (void)user;
    (void)err;
    char *text = pt_present_change_row(row, pt_cli_keep_whole);
    pt_cli_printf("      %s\n", text);
    free(text);
    return PT_OK;
}

/* One point: its line, then each table it touched (the asked one only), then its rows. */
static enum pt_status print_point(const struct pt_change_point *p, const struct filter *f,
                                  bool rows, struct pt_error *err)
{
    char *line = pt_present_change_line(p, pt_cli_keep_whole);
    pt_cli_printf("%s\n", line);
    free(line);
    size_t width = 0;
    for (size_t i = 0; i < p->n_tables; i++) {
        size_t w = pt_cli_width(p->tables[i].name);
        width = w > width ? w : width;
    }
    for (size_t i = 0; i < p->n_tables; i++) {
        const struct pt_change_table *t = &p->tables[i];
        if (f->table && strcmp(t->name, f->table) != 0)
            continue;
        char *name = pt_cli_name(t->name), *counts = pt_present_change_counts(t);
        fputs("    ", stdout);
        pt_cli_pad(name, width + 2);
        pt_cli_printf("%s\n", counts);
        free(name);
        free(counts);
    }
    if (!rows || p->kind != PT_CHANGE_ROWS)
        return PT_OK;
    enum pt_status rc = pt_changes_rows(p, f->table, print_row, NULL, err);
    fflush(stdout);
    return rc;
}

/* ---- JSON, streamed: one point at a time, and with --rows one row at a time ---- */

struct json_rows {
    bool first;
};

static enum pt_status json_row(const struct pt_change_row *row, void *user, struct pt_error *err)
{
    struct json_rows *state = user;
    json_t *columns = json_array();
    for (size_t i = 0; i < row->n_columns; i++)
        json_array_append_new(columns, json_string(row->columns[i]));
    json_t *doc = json_pack("{s:s, s:s, s:O, s:o}", "table", row->table, "op", row->op, "key",
                            row->key ? row->key : json_null(), "columns", columns);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text)
        return pt_error_set(err, PT_EFAIL, "%s", _("out of memory"));
    fputs(state->first ? "\n        " : ",\n        ", stdout);
    fputs(text, stdout);
    free(text);
    state->first = false;
    return PT_OK;
}

/* The point's object as docs/changes.md has it, its tables cut to the asked one. */
static json_t *point_json(const struct pt_change_point *p, const struct filter *f)
{
    json_t *doc = pt_present_change_json(p);
    json_t *tables = json_object_get(doc, "tables");
    if (f->table && json_is_object(tables)) {
        json_t *kept = json_object();
        json_t *one = json_object_get(tables, f->table);
        if (one)
            json_object_set(kept, f->table, one);
        json_object_set_new(doc, "tables", kept);
    }
    return doc;
}

static enum pt_status json_point(const struct pt_change_point *p, const struct filter *f, bool rows,
                                 bool first, struct pt_error *err)
{
    json_t *doc = point_json(p, f);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text)
        return pt_error_set(err, PT_EFAIL, "%s", _("out of memory"));
    fputs(first ? "\n    " : ",\n    ", stdout);
    if (!rows) {
        fputs(text, stdout);
        free(text);
        return PT_OK;
    }
    /* The object without its closing brace, then "rows" as they come. */
    size_t n = strlen(text);
    if (n > 0 && text[n - 1] == '}')
        text[--n] = '\0';
    fputs(text, stdout);
    fputs(n > 1 ? ", \"rows\": [" : "\"rows\": [", stdout);
    free(text);
    struct json_rows state = {.first = true};
    enum pt_status rc = PT_OK;
    if (p->kind == PT_CHANGE_ROWS)
        rc = pt_changes_rows(p, f->table, json_row, &state, err);
    /* Closed whatever happened: the document stays whole, the error goes to stderr. */
    fputs(state.first ? "]}" : "\n      ]}", stdout);
    fflush(stdout);
    return rc;
}

static bool parse_time(const char *option, const char *text, bool since, int64_t *ms)
{
    if (since ? pt_time_parse_since(text, ms) : pt_time_parse_until(text, ms))
        return true;
    pt_cli_usage("changes",
                 _("%s takes a time such as 2026-09-07T17:19:28Z, 2026-09-07 or "
                   "2026-09-07 17:19 (UTC, as list shows it), not \"%s\""),
                 option, text);
    return false;
}

int pt_cmd_changes(struct pt_cli *cli, int argc, char **argv)
{
    const char *since = NULL, *until = NULL, *table = NULL;
    bool rows = false;
    const struct pt_cli_option options[] = {
        {"--since", &since, NULL},
        {"--until", &until, NULL},
        {"--table", &table, NULL},
        {"--rows", NULL, &rows},
        {0},
    };
    size_t n_pos;
    if (!pt_cli_parse("changes", argc, argv, options, NULL, 0, &n_pos))
        return 2;
    struct filter f = {.since = 0, .until = INT64_MAX, .table = table};
    if (since && !parse_time("--since", since, true, &f.since))
        return 2;
    if (until && !parse_time("--until", until, false, &f.until))
        return 2;
    if (table && !*table)
        return pt_cli_usage("changes", "%s", _("--table takes a table's name"));
    struct pt_error err = {0};
    struct pt_change_list list = {0};
    if (pt_changes_list(&cli->project, &list, &err) != PT_OK)
        return pt_cli_error(&err);
    /* What could not be read is left out, and said. */
    for (size_t i = 0; i < list.n_problems; i++)
        pt_cli_fail(PT_OK, _("left out: %s"), list.problems[i]);
    int code = 0;
    size_t total = 0;
    /* The newest check that found nothing new: one after the newest point (docs/changes.md). */
    int64_t checked_ms = list.checked_ms;
    if (list.n && list.points[list.n - 1].taken_ms >= checked_ms)
        checked_ms = 0;
    if (cli->json)
        fputs("{\n  \"points\": [", stdout);
    /* Newest first. */
    for (size_t i = list.n; i-- > 0;) {
        const struct pt_change_point *p = &list.points[i];
        if (!wanted(p, &f))
            continue;
        if (!cli->json && total > 0 && rows)
            fputc('\n', stdout);
        enum pt_status rc =
            cli->json ? json_point(p, &f, rows, total == 0, &err) : print_point(p, &f, rows, &err);
        total++;
        if (rc != PT_OK) {
            /* One damaged point costs its rows, not the history. */
            fflush(stdout);
            code = pt_cli_error(&err);
        }
    }
    if (cli->json) {
        char at[32];
        if (checked_ms > 0)
            pt_time_iso(checked_ms, at);
        printf("%s],\n  \"checked_at\": ", total ? "\n  " : "");
        if (checked_ms > 0)
            printf("\"%s\"", at);
        else
            fputs("null", stdout);
        printf(",\n  \"total\": %zu\n}\n", total);
    } else if (total == 0) {
        pt_cli_printf("%s\n", list.n ? _("No change set matches.")
                                     : _("No change sets yet. Take one with: poshtiban capture"));
    }
    if (!cli->json && checked_ms > 0 && total > 0 && list.n) {
        char *at = pt_l10n_date(checked_ms, PT_DATE_TIME);
        pt_cli_printf(_("Checked %s UTC: nothing new since the newest.\n"), at);
        free(at);
    }
    pt_change_list_free(&list);
    if (fflush(stdout) != 0 && code == 0)
        code = 1;
    return code;
}
