// SPDX-License-Identifier: GPL-3.0-or-later
/* A restore's plan as JSON (docs/cli.md, restore --dry-run). */
#include "poshtiban/restore.h"

#include <stdlib.h>

#include "poshtiban/timefmt.h"

static json_t *string_list(char **items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static const char *rows_label(enum pt_restore_rows rows)
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

static json_t *count_or_null(const struct pt_restore_table *t, int64_t n)
{
    return t->rows == PT_ROWS_COMPARED ? json_integer(n) : json_null();
}

static json_t *iso_or_null(int64_t ms)
{
    char iso[32];
    if (!ms)
        return json_null();
    pt_time_iso(ms, iso);
    return json_string(iso);
}

/* restore --at: the moment asked for, the point reached, and where the media come from. */
static json_t *at_to_json(const struct pt_restore_plan *plan)
{
    json_t *at = json_object();
    json_object_set_new(at, "time", iso_or_null(plan->at_ms));
    json_object_set_new(at, "point", plan->point ? json_string(plan->point) : json_null());
    json_object_set_new(at, "point_at", iso_or_null(plan->point_ms));
    json_object_set_new(at, "change_sets", json_integer((json_int_t)plan->n_points));
    json_object_set_new(at, "backup", json_string(plan->backup));
    json_object_set_new(at, "backup_at", iso_or_null(plan->backup_ms));
    json_object_set_new(at, "media_from",
                        plan->media_target ? json_string(plan->backup) : json_null());
    return at;
}

json_t *pt_restore_plan_to_json(const struct pt_restore_plan *plan)
{
    json_t *tables = json_array();
    for (size_t i = 0; i < plan->n_tables; i++) {
        const struct pt_restore_table *t = &plan->tables[i];
        json_array_append_new(
            tables,
            json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:o}", "name", t->name, "now",
                      t->now < 0 ? json_null() : json_integer(t->now), "after",
                      t->after < 0 ? json_null() : json_integer(t->after), "rows",
                      rows_label(t->rows), "added", count_or_null(t, t->added), "removed",
                      count_or_null(t, t->removed), "changed", count_or_null(t, t->changed)));
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "backup", json_string(plan->backup));
    json_object_set_new(doc, "database",
                        plan->database_target ? json_string(plan->database_target) : json_null());
    json_object_set_new(doc, "media_folder",
                        plan->media_target ? json_string(plan->media_target) : json_null());
    json_object_set_new(doc, "tables", tables);
    json_object_set_new(doc, "media",
                        json_pack("{s:o, s:o, s:o}", "add", string_list(plan->add, plan->n_add),
                                  "change", string_list(plan->change, plan->n_change), "remove",
                                  string_list(plan->remove, plan->n_remove)));
    json_object_set_new(doc, "migrations_differ", json_boolean(plan->migrations_differ));
    json_object_set_new(doc, "migrations",
                        json_pack("{s:o, s:o}", "only_in_backup",
                                  string_list(plan->migrations_backup, plan->n_migrations_backup),
                                  "only_now",
                                  string_list(plan->migrations_now, plan->n_migrations_now)));
    if (plan->at_ms)
        json_object_set_new(doc, "at", at_to_json(plan));
    return doc;
}
