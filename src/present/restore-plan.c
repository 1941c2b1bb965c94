// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A restore plan told to people: the lines `restore --dry-run` prints and
 * the TUI shows before it asks (README, "The TUI"; docs/cli.md).
 */
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/text.h"

struct lines {
    char **items;
    size_t n;
};

static void add(struct lines *l, char *line)
{
    l->items = pt_xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
    l->items[l->n++] = line;
}

static const char *rows_word(enum pt_restore_rows rows)
{
    switch (rows) {
    case PT_ROWS_COMPARED:
        return "compared";
    case PT_ROWS_NO_KEY:
        return "no_primary_key";
    case PT_ROWS_KEY_DIFFERS:
        return "key_differs";
    case PT_ROWS_ONLY_BACKUP:
        return "only_in_backup";
    case PT_ROWS_ONLY_NOW:
        return "only_now";
    case PT_ROWS_NOT_COMPARED:
        break;
    }
    return "not_compared";
}

/* Why a table's rows were not compared, as the plan's lines say it; NULL when nothing to say. */
static const char *rows_label(const struct pt_restore_table *t)
{
    switch (t->rows) {
    case PT_ROWS_COMPARED:
        return NULL;
    case PT_ROWS_NO_KEY:
        return _("no primary key: counts only");
    case PT_ROWS_KEY_DIFFERS:
        return _("its primary key differs: counts only");
    case PT_ROWS_ONLY_BACKUP:
        return _("only in the backup");
    case PT_ROWS_ONLY_NOW:
        return _("not in the backup: dropped");
    case PT_ROWS_NOT_COMPARED:
        /* Both there and still not compared: the comparison could not read them. */
        if (t->now >= 0 && t->after >= 0)
            return _("not compared: counts only");
        break;
    }
    return NULL;
}

static void add_list(struct pt_doc *doc, const char *key, enum pt_value_kind kind, char **items,
                     size_t n)
{
    struct pt_doc *list = pt_doc_array(doc, key);
    for (size_t i = 0; i < n; i++)
        pt_doc_text(list, NULL, kind, items[i]);
}

static void add_at(struct pt_doc *doc, const struct pt_restore_plan *plan);

struct pt_doc *pt_present_restore_plan_doc(const struct pt_restore_plan *plan)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_text(doc, "backup", PT_VALUE_NAME, plan->backup);
    pt_doc_text(doc, "database", PT_VALUE_PATH, plan->database_target);
    pt_doc_text(doc, "media_folder", PT_VALUE_PATH, plan->media_target);
    struct pt_doc *tables = pt_doc_array(doc, "tables");
    for (size_t i = 0; i < plan->n_tables; i++) {
        const struct pt_restore_table *t = &plan->tables[i];
        struct pt_doc *row = pt_doc_object(tables, NULL);
        bool compared = t->rows == PT_ROWS_COMPARED;
        pt_doc_text(row, "name", PT_VALUE_NAME, t->name);
        pt_doc_number(row, "now", PT_VALUE_COUNT, t->now)->value.null = t->now < 0;
        pt_doc_number(row, "after", PT_VALUE_COUNT, t->after)->value.null = t->after < 0;
        pt_doc_enum(row, "rows", rows_word(t->rows), rows_label(t));
        pt_doc_number(row, "added", PT_VALUE_COUNT, t->added)->value.null = !compared;
        pt_doc_number(row, "removed", PT_VALUE_COUNT, t->removed)->value.null = !compared;
        pt_doc_number(row, "changed", PT_VALUE_COUNT, t->changed)->value.null = !compared;
    }
    struct pt_doc *media = pt_doc_object(doc, "media");
    add_list(media, "add", PT_VALUE_PATH, plan->add, plan->n_add);
    add_list(media, "change", PT_VALUE_PATH, plan->change, plan->n_change);
    add_list(media, "remove", PT_VALUE_PATH, plan->remove, plan->n_remove);
    pt_doc_bool(doc, "migrations_differ", plan->migrations_differ, NULL);
    struct pt_doc *migrations = pt_doc_object(doc, "migrations");
    add_list(migrations, "only_in_backup", PT_VALUE_NAME, plan->migrations_backup,
             plan->n_migrations_backup);
    add_list(migrations, "only_now", PT_VALUE_NAME, plan->migrations_now, plan->n_migrations_now);
    add_at(doc, plan);
    return doc;
}

/* restore --at: the moment asked for, the point reached, and where the media come from. */
static void add_at(struct pt_doc *doc, const struct pt_restore_plan *plan)
{
    if (plan->at_ms) {
        struct pt_doc *at = pt_doc_object(doc, "at");
        pt_doc_time(at, "time", plan->at_ms, PT_LOOK_SECOND);
        pt_doc_text(at, "point", PT_VALUE_NAME, plan->point);
        pt_doc_time(at, "point_at", plan->point_ms, PT_LOOK_SECOND);
        pt_doc_number(at, "change_sets", PT_VALUE_COUNT, (int64_t)plan->n_points);
        pt_doc_text(at, "backup", PT_VALUE_NAME, plan->backup);
        pt_doc_time(at, "backup_at", plan->backup_ms, PT_LOOK_SECOND);
        pt_doc_text(at, "media_from", PT_VALUE_NAME, plan->media_target ? plan->backup : NULL);
    }
}

json_t *pt_present_restored_json(const struct pt_restore_plan *plan)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_text(doc, "restored", PT_VALUE_NAME, plan->backup);
    pt_doc_text(doc, "pre_restore", PT_VALUE_NAME, plan->pre_restore);
    pt_doc_bool(doc, "migrations_differ", plan->migrations_differ, NULL);
    pt_doc_text(doc, "hook_error", PT_VALUE_TEXT, plan->hook_error);
    add_at(doc, plan);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

json_t *pt_present_restore_plan_json(const struct pt_restore_plan *plan)
{
    struct pt_doc *doc = pt_present_restore_plan_doc(plan);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

/* Each name of the list key, kept whole, after mark. */
static void add_names(struct lines *l, const struct pt_doc *doc, const char *key, const char *mark,
                      pt_present_keep_fn keep)
{
    const struct pt_item *list = pt_doc_get(doc, key);
    for (size_t i = 0; list && i < list->value.doc->n; i++) {
        char *name = pt_render_text(&list->value.doc->items[i].value, keep);
        add(l, pt_xasprintf("  %s %s", mark, name));
        free(name);
    }
}

static int64_t number(const struct pt_doc *row, const char *key)
{
    const struct pt_item *item = pt_doc_get(row, key);
    return item && !item->value.null ? item->value.number : -1;
}

/* Whether the restore changes the table: its rows counted or compared. */
static bool table_changes(const struct pt_doc *row)
{
    return number(row, "now") != number(row, "after") || number(row, "added") > 0 ||
           number(row, "removed") > 0 || number(row, "changed") > 0;
}

/* What the comparison by key found, or why there is none; NULL when nothing to say. */
static char *table_note(const struct pt_doc *row)
{
    const struct pt_item *rows = pt_doc_get(row, "rows");
    if (rows->value.label)
        return pt_xstrdup(rows->value.label);
    if (number(row, "added") <= 0 && number(row, "removed") <= 0 && number(row, "changed") <= 0)
        return NULL;
    char *changed = pt_render_key(row, "changed", NULL), *added = pt_render_key(row, "added", NULL),
         *removed = pt_render_key(row, "removed", NULL);
    char *note = pt_xasprintf(_("%s changed, %s added back, %s removed"), changed, added, removed);
    free(changed);
    free(added);
    free(removed);
    return note;
}

static void add_tables(struct lines *l, const struct pt_doc *tables, pt_present_keep_fn keep)
{
    size_t width = 0;
    for (size_t i = 0; i < tables->n; i++) {
        size_t w = pt_text_width(pt_doc_get(tables->items[i].value.doc, "name")->value.raw);
        width = w > width ? w : width;
    }
    for (size_t i = 0; i < tables->n; i++) {
        const struct pt_doc *row = tables->items[i].value.doc;
        const char *raw = pt_doc_get(row, "name")->value.raw;
        char *name = pt_render_key(row, "name", keep);
        char *now = pt_render_key(row, "now", NULL);
        char *after = pt_render_key(row, "after", NULL);
        char *note = table_note(row);
        size_t pad = width - pt_text_width(raw) + 2;
        /* The arrow points the way the line reads. */
        add(l, pt_xasprintf("  %s%*s%s %s %s%s%s%s", name, (int)pad, "", now,
                            pt_l10n_rtl() ? "←" : "→", after,
                            table_changes(row) ? "  *"
                            : note             ? "   "
                                               : "",
                            note ? "  " : "", note ? note : ""));
        free(name);
        free(now);
        free(after);
        free(note);
    }
}

/* The warning, and each migration only one side has applied. */
static void add_migrations(struct lines *l, const struct pt_doc *doc, pt_present_keep_fn keep)
{
    add(l, pt_xasprintf("  %s", _("Warning: the backup's Django migrations differ from the "
                                  "current database's; run python manage.py migrate after "
                                  "restoring")));
    static const struct {
        const char *key;
        const char *label;
    } sides[] = {{"migrations.only_in_backup", N_("only in the backup:")},
                 {"migrations.only_now", N_("only in the current database:")}};
    for (size_t s = 0; s < 2; s++) {
        const struct pt_doc *list = pt_doc_get(doc, sides[s].key)->value.doc;
        for (size_t i = 0; i < list->n; i++) {
            char *name = pt_render_text(&list->items[i].value, keep);
            add(l, pt_xasprintf("    %s %s", _(sides[s].label), name));
            free(name);
        }
    }
}

/*
 * restore --at: the exact point reached (its name and moment), the change
 * sets that lead there from their base, and where the media come from.
 */
static void add_point(struct lines *l, const struct pt_doc *doc, pt_present_keep_fn keep)
{
    char *backup = pt_render_key(doc, "at.backup", keep);
    char *backup_at = pt_render_key(doc, "at.backup_at", NULL);
    const struct pt_item *point = pt_doc_get(doc, "at.point");
    if (!point->value.null) {
        char *name = pt_render_text(&point->value, keep);
        char *point_at = pt_render_key(doc, "at.point_at", NULL);
        int64_t count = pt_doc_get(doc, "at.change_sets")->value.number;
        char *n = pt_render_key(doc, "at.change_sets", NULL);
        add(l, pt_xasprintf(_("Restore the state of %s: change set %s"), point_at, name));
        add(l, pt_xasprintf(P_("%s change set applied to backup %s, taken at %s",
                               "%s change sets applied to backup %s, taken at %s", count),
                            n, backup, backup_at));
        free(n);
        free(point_at);
        free(name);
    } else {
        add(l, pt_xasprintf(_("Restore the state of %s: backup %s itself, no change set after it"),
                            backup_at, backup));
    }
    if (!pt_doc_get(doc, "at.media_from")->value.null) {
        char *from = pt_render_key(doc, "at.media_from", keep);
        add(l, pt_xasprintf(_("Media come from backup %s, as they were at %s"), from, backup_at));
        free(from);
    }
    free(backup_at);
    free(backup);
}

static size_t count_of(const struct pt_doc *doc, const char *key)
{
    const struct pt_item *item = pt_doc_get(doc, key);
    return item && item->value.doc ? item->value.doc->n : 0;
}

size_t pt_present_restore_plan(const struct pt_restore_plan *plan, pt_present_keep_fn keep,
                               char ***lines)
{
    struct lines l = {0};
    struct pt_doc *doc = pt_present_restore_plan_doc(plan);
    if (pt_doc_get(doc, "at")) {
        add_point(&l, doc, keep);
    } else {
        char *backup = pt_render_key(doc, "backup", keep);
        add(&l, pt_xasprintf(_("Restore %s"), backup));
        free(backup);
    }
    if (!pt_doc_get(doc, "database")->value.null) {
        const struct pt_doc *tables = pt_doc_get(doc, "tables")->value.doc;
        char *target = pt_render_key(doc, "database", keep);
        size_t changed = 0;
        for (size_t i = 0; i < tables->n; i++)
            changed += table_changes(tables->items[i].value.doc);
        char *n_changed = pt_l10n_int((int64_t)changed), *n_all = pt_l10n_int((int64_t)tables->n);
        add(&l,
            pt_xasprintf(_("Database %s: %s of %s tables change (*):"), target, n_changed, n_all));
        free(n_changed);
        free(n_all);
        free(target);
        add_tables(&l, tables, keep);
        if (pt_doc_get(doc, "migrations_differ")->value.number)
            add_migrations(&l, doc, keep);
    }
    if (!pt_doc_get(doc, "media_folder")->value.null) {
        char *target = pt_render_key(doc, "media_folder", keep);
        char *add_n = pt_l10n_int((int64_t)count_of(doc, "media.add")),
             *change_n = pt_l10n_int((int64_t)count_of(doc, "media.change")),
             *remove_n = pt_l10n_int((int64_t)count_of(doc, "media.remove"));
        add(&l, pt_xasprintf(_("Media %s: %s to add (+), %s to change (~), %s to remove (-)"),
                             target, add_n, change_n, remove_n));
        free(add_n);
        free(change_n);
        free(remove_n);
        free(target);
        add_names(&l, doc, "media.add", "+", keep);
        add_names(&l, doc, "media.change", "~", keep);
        add_names(&l, doc, "media.remove", "-", keep);
    }
    pt_doc_free(doc);
    *lines = l.items;
    return l.n;
}
