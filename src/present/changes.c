// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Change sets (docs/changes.md) as both faces show them: `changes`, `show`
 * and `stats` print these words, the dashboard, the List and the Detail
 * pane draw them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/text.h"

void pt_present_changes_summary(const struct pt_change_list *list, int64_t minutes,
                                struct pt_changes_summary *out)
{
    *out = (struct pt_changes_summary){.minutes = minutes};
    for (size_t i = 0; list && i < list->n; i++) {
        const struct pt_change_point *p = &list->points[i];
        out->points++;
        out->bytes += p->size > 0 ? p->size : 0;
        if (p->taken_ms > out->newest_ms)
            out->newest_ms = p->taken_ms;
    }
    /* A check says something only when it came after the newest point. */
    if (list && list->checked_ms > out->newest_ms)
        out->checked_ms = list->checked_ms;
}

char *pt_present_changes_saved(const struct pt_changes_summary *s, int64_t now_ms,
                               enum pt_tone *tone)
{
    enum pt_tone ignored;
    tone = tone ? tone : &ignored;
    int64_t newest = s->checked_ms > s->newest_ms ? s->checked_ms : s->newest_ms;
    if (newest <= 0) {
        *tone = s->minutes > 0 ? PT_TONE_WARN : PT_TONE_PLAIN;
        return pt_xstrdup(s->minutes > 0 ? _("no change sets yet")
                                         : _("change sets off (auto.changes_minutes is 0)"));
    }
    char age[64];
    int64_t age_s = now_ms > newest ? (now_ms - newest) / 1000 : 0;
    pt_l10n_age(age_s, age, sizeof(age));
    *tone = s->minutes > 0 && age_s > 2 * 60 * s->minutes ? PT_TONE_WARN : PT_TONE_GOOD;
    /* TRANSLATORS: %s is an age such as "3 minutes ago". */
    if (s->minutes > 0)
        return pt_xasprintf(_("changes saved %s"), age);
    *tone = PT_TONE_PLAIN;
    return pt_xasprintf(_("changes saved %s; automatic change sets off"), age);
}

/* A count as ngettext takes it: the plural rules look at no more than the last digits. */
static unsigned long plural(int64_t n)
{
    return n > 1000000 ? 1000000 + (unsigned long)(n % 1000000) : (unsigned long)(n < 0 ? 0 : n);
}

struct pt_doc *pt_present_change_doc(const struct pt_change_point *p)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_text(doc, "name", PT_VALUE_NAME, p->name);
    pt_doc_text(doc, "base", PT_VALUE_NAME, p->base);
    pt_doc_text(doc, "previous", PT_VALUE_NAME, p->previous);
    pt_doc_number(doc, "seq", PT_VALUE_COUNT, p->seq);
    pt_doc_enum(doc, "kind", p->kind == PT_CHANGE_SNAPSHOT ? "snapshot" : "rows",
                p->kind == PT_CHANGE_SNAPSHOT ? NULL : _("rows"));
    pt_doc_text(doc, "reason", PT_VALUE_TEXT, p->reason);
    pt_doc_time(doc, "taken_at", p->taken_ms, PT_LOOK_MINUTE)->value.null = false;
    pt_doc_time(doc, "first_at", p->first_ms, PT_LOOK_MINUTE)->value.null = false;
    pt_doc_number(doc, "captures", PT_VALUE_COUNT, p->captures);
    pt_doc_text(doc, "path", PT_VALUE_PATH, p->path);
    pt_doc_number(doc, "size_bytes", PT_VALUE_SIZE, p->size)->value.null = false;
    pt_doc_text(doc, "sha256", PT_VALUE_TEXT, p->sha256);
    struct pt_doc *tables = pt_doc_object(doc, "tables");
    for (size_t i = 0; i < p->n_tables; i++) {
        const struct pt_change_table *t = &p->tables[i];
        struct pt_doc *counts = pt_doc_object(tables, t->name);
        pt_doc_number(counts, "inserted", PT_VALUE_COUNT, t->inserted);
        pt_doc_number(counts, "updated", PT_VALUE_COUNT, t->updated);
        pt_doc_number(counts, "deleted", PT_VALUE_COUNT, t->deleted);
    }
    return doc;
}

json_t *pt_present_change_json(const struct pt_change_point *point)
{
    struct pt_doc *doc = pt_present_change_doc(point);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

void pt_present_change_cells(const struct pt_change_point *p,
                             struct pt_cell cells[PT_CHANGE_COLUMNS])
{
    /* The point's values, as its JSON has them. */
    struct pt_doc *doc = pt_present_change_doc(p);
    char *at = pt_render_key(doc, "taken_at", NULL);
    cells[PT_CHANGE_TIME] = (struct pt_cell){pt_xasprintf(_("%s UTC"), at), PT_TONE_PLAIN};
    free(at);
    cells[PT_CHANGE_NAME] = (struct pt_cell){pt_render_key(doc, "name", NULL), PT_TONE_PLAIN};
    if (p->kind == PT_CHANGE_SNAPSHOT) {
        char *why = p->reason ? pt_change_reason_text(p->reason) : pt_xstrdup(_("schema changed"));
        cells[PT_CHANGE_KIND] =
            (struct pt_cell){pt_xasprintf(_("whole database: %s"), why), PT_TONE_WARN};
        free(why);
    } else {
        cells[PT_CHANGE_KIND] = (struct pt_cell){pt_render_key(doc, "kind", NULL), PT_TONE_PLAIN};
    }
    int64_t rows = 0;
    for (size_t i = 0; i < p->n_tables; i++)
        rows += p->tables[i].inserted + p->tables[i].updated + p->tables[i].deleted;
    char *nt = pt_l10n_int((int64_t)p->n_tables), *nr = pt_l10n_int(rows);
    char *tables = pt_xasprintf(P_("%s table", "%s tables", plural((int64_t)p->n_tables)), nt);
    char *changed = pt_xasprintf(P_("%s row", "%s rows", plural(rows)), nr);
    free(nt);
    free(nr);
    /* TRANSLATORS: "2 tables, 5 rows": what a change set touched. */
    cells[PT_CHANGE_TOUCHED] =
        (struct pt_cell){/* A whole database that names no table: what it changed is not counted. */
                         p->kind == PT_CHANGE_SNAPSHOT && p->n_tables == 0
                             ? pt_xstrdup("-")
                             : pt_xasprintf(_("%s, %s"), tables, changed),
                         PT_TONE_PLAIN};
    free(tables);
    free(changed);
    cells[PT_CHANGE_SIZE] = (struct pt_cell){pt_render_key(doc, "size_bytes", NULL), PT_TONE_PLAIN};
    pt_doc_free(doc);
}

void pt_present_change_cells_free(struct pt_cell cells[PT_CHANGE_COLUMNS])
{
    for (int c = 0; c < PT_CHANGE_COLUMNS; c++) {
        free(cells[c].text);
        cells[c].text = NULL;
    }
}

char *pt_present_change_line(const struct pt_change_point *point, pt_present_keep_fn keep)
{
    struct pt_cell cells[PT_CHANGE_COLUMNS];
    pt_present_change_cells(point, cells);
    char *name =
        keep ? keep(cells[PT_CHANGE_NAME].text, false) : pt_xstrdup(cells[PT_CHANGE_NAME].text);
    char *printable = pt_text_printable(name ? name : "");
    /* TRANSLATORS: a change set: its time, name, kind, what it touched and its size. */
    char *line = pt_xasprintf(_("%s · %s · %s · %s · %s"), cells[PT_CHANGE_TIME].text, printable,
                              cells[PT_CHANGE_KIND].text, cells[PT_CHANGE_TOUCHED].text,
                              cells[PT_CHANGE_SIZE].text);
    free(printable);
    free(name);
    pt_present_change_cells_free(cells);
    return line;
}

char *pt_present_change_counts(const struct pt_change_table *t)
{
    char *i = pt_l10n_int(t->inserted), *u = pt_l10n_int(t->updated), *d = pt_l10n_int(t->deleted);
    char *text = pt_xasprintf(_("%s inserted · %s updated · %s deleted"), i, u, d);
    free(i);
    free(u);
    free(d);
    return text;
}

char *pt_present_change_row(const struct pt_change_row *row, pt_present_keep_fn keep)
{
    const char *op = strcmp(row->op, "insert") == 0   ? _("inserted")
                     : strcmp(row->op, "update") == 0 ? _("updated")
                     : strcmp(row->op, "delete") == 0 ? _("deleted")
                                                      : row->op;
    char *key = row->key ? json_dumps(row->key, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *table = keep ? keep(row->table, false) : pt_xstrdup(row->table);
    char *text;
    if (row->n_columns == 0) {
        text = pt_xasprintf(_("%s %s %s"), op, table ? table : "", key ? key : "[]");
    } else {
        size_t len = 1;
        for (size_t i = 0; i < row->n_columns; i++)
            len += strlen(row->columns[i]) + 2;
        char *columns = pt_xcalloc(len, 1);
        for (size_t i = 0; i < row->n_columns; i++) {
            if (i)
                strcat(columns, ", ");
            strcat(columns, row->columns[i]);
        }
        /* TRANSLATORS: "updated shop_order [17]: status, total": the columns that changed. */
        text = pt_xasprintf(_("%s %s %s: %s"), op, table ? table : "", key ? key : "[]", columns);
        free(columns);
    }
    free(table);
    free(key);
    char *printable = pt_text_printable(text);
    free(text);
    return printable;
}
