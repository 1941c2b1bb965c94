// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A restore plan told to people: the lines `restore --dry-run` prints and
 * the TUI shows before it asks (README, "The TUI"; docs/cli.md).
 */
#include "poshtiban/present.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
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

struct names {
    pt_present_keep_fn isolate;
};

/* A name or path from a file or the catalog: printable, then kept whole as the face keeps it. */
static char *shown_as(const struct names *k, const char *name, bool path)
{
    char *printable = pt_text_printable(name ? name : "");
    if (!k->isolate)
        return printable;
    char *isolated = k->isolate(printable, path);
    free(printable);
    return isolated;
}

static void add_names(struct lines *l, const struct names *k, const char *mark, char **names,
                      size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *name = shown_as(k, names[i], true);
        add(l, pt_xasprintf("  %s %s", mark, name));
        free(name);
    }
}

/* Whether the restore changes the table: its rows counted or compared. */
static bool table_changes(const struct pt_restore_table *t)
{
    return t->now != t->after || t->added || t->removed || t->changed;
}

/* What the comparison by key found, or why there is none; NULL when nothing to say. */
static char *table_note(const struct pt_restore_table *t)
{
    switch (t->rows) {
    case PT_ROWS_COMPARED: {
        if (!t->added && !t->removed && !t->changed)
            return NULL;
        char *changed = pt_l10n_int(t->changed), *added = pt_l10n_int(t->added),
             *removed = pt_l10n_int(t->removed);
        char *note =
            pt_xasprintf(_("%s changed, %s added back, %s removed"), changed, added, removed);
        free(changed);
        free(added);
        free(removed);
        return note;
    }
    case PT_ROWS_NO_KEY:
        return pt_xstrdup(_("no primary key: counts only"));
    case PT_ROWS_KEY_DIFFERS:
        return pt_xstrdup(_("its primary key differs: counts only"));
    case PT_ROWS_ONLY_BACKUP:
        return pt_xstrdup(_("only in the backup"));
    case PT_ROWS_ONLY_NOW:
        return pt_xstrdup(_("not in the backup: dropped"));
    case PT_ROWS_NOT_COMPARED:
        /* Both there and still not compared: the comparison could not read them. */
        if (t->now >= 0 && t->after >= 0)
            return pt_xstrdup(_("not compared: counts only"));
        break;
    }
    return NULL;
}

static void add_tables(struct lines *l, const struct names *k, const struct pt_restore_plan *plan)
{
    size_t width = 0;
    for (size_t i = 0; i < plan->n_tables; i++) {
        size_t w = pt_text_width(plan->tables[i].name);
        width = w > width ? w : width;
    }
    for (size_t i = 0; i < plan->n_tables; i++) {
        const struct pt_restore_table *t = &plan->tables[i];
        char *name = shown_as(k, t->name, false);
        char *now = t->now < 0 ? pt_xstrdup("-") : pt_l10n_int(t->now);
        char *after = t->after < 0 ? pt_xstrdup("-") : pt_l10n_int(t->after);
        char *note = table_note(t);
        size_t pad = width - pt_text_width(t->name) + 2;
        /* The arrow points the way the line reads. */
        add(l, pt_xasprintf("  %s%*s%s %s %s%s%s%s", name, (int)pad, "", now,
                            pt_l10n_rtl() ? "←" : "→", after,
                            table_changes(t) ? "  *"
                            : note           ? "   "
                                             : "",
                            note ? "  " : "", note ? note : ""));
        free(name);
        free(now);
        free(after);
        free(note);
    }
}

/* The warning, and each migration only one side has applied. */
static void add_migrations(struct lines *l, const struct names *k,
                           const struct pt_restore_plan *plan)
{
    add(l, pt_xasprintf("  %s", _("Warning: the backup's Django migrations differ from the "
                                  "current database's; run python manage.py migrate after "
                                  "restoring")));
    for (size_t i = 0; i < plan->n_migrations_backup; i++) {
        char *name = shown_as(k, plan->migrations_backup[i], false);
        add(l, pt_xasprintf("    %s %s", _("only in the backup:"), name));
        free(name);
    }
    for (size_t i = 0; i < plan->n_migrations_now; i++) {
        char *name = shown_as(k, plan->migrations_now[i], false);
        add(l, pt_xasprintf("    %s %s", _("only in the current database:"), name));
        free(name);
    }
}

/*
 * restore --at: the exact point reached (its name and moment), the change
 * sets that lead there from their base, and where the media come from.
 */
static void add_point(struct lines *l, const struct names *k, const struct pt_restore_plan *plan)
{
    char *backup = shown_as(k, plan->backup, false);
    char *backup_at = pt_l10n_date(plan->backup_ms, PT_DATE_SECONDS);
    char *point_at = pt_l10n_date(plan->point_ms, PT_DATE_SECONDS);
    if (plan->point) {
        char *point = shown_as(k, plan->point, false);
        char *n = pt_l10n_int((int64_t)plan->n_points);
        add(l, pt_xasprintf(_("Restore the state of %s: change set %s"), point_at, point));
        add(l, pt_xasprintf(P_("%s change set applied to backup %s, taken at %s",
                               "%s change sets applied to backup %s, taken at %s", plan->n_points),
                            n, backup, backup_at));
        free(n);
        free(point);
    } else {
        add(l, pt_xasprintf(_("Restore the state of %s: backup %s itself, no change set after it"),
                            backup_at, backup));
    }
    if (plan->media_target)
        add(l, pt_xasprintf(_("Media come from backup %s, as they were at %s"), backup, backup_at));
    free(point_at);
    free(backup_at);
    free(backup);
}

size_t pt_present_restore_plan(const struct pt_restore_plan *plan, pt_present_keep_fn isolate,
                               char ***lines)
{
    struct lines l = {0};
    const struct names k = {isolate};
    if (plan->at_ms) {
        add_point(&l, &k, plan);
    } else {
        char *backup = shown_as(&k, plan->backup, false);
        add(&l, pt_xasprintf(_("Restore %s"), backup));
        free(backup);
    }
    if (plan->database_target) {
        char *target = shown_as(&k, plan->database_target, true);
        size_t changed = 0;
        for (size_t i = 0; i < plan->n_tables; i++)
            changed += table_changes(&plan->tables[i]);
        char *n_changed = pt_l10n_int((int64_t)changed),
             *n_all = pt_l10n_int((int64_t)plan->n_tables);
        add(&l,
            pt_xasprintf(_("Database %s: %s of %s tables change (*):"), target, n_changed, n_all));
        free(n_changed);
        free(n_all);
        free(target);
        add_tables(&l, &k, plan);
        if (plan->migrations_differ)
            add_migrations(&l, &k, plan);
    }
    if (plan->media_target) {
        char *target = shown_as(&k, plan->media_target, true);
        char *add_n = pt_l10n_int((int64_t)plan->n_add),
             *change_n = pt_l10n_int((int64_t)plan->n_change),
             *remove_n = pt_l10n_int((int64_t)plan->n_remove);
        add(&l, pt_xasprintf(_("Media %s: %s to add (+), %s to change (~), %s to remove (-)"),
                             target, add_n, change_n, remove_n));
        free(add_n);
        free(change_n);
        free(remove_n);
        free(target);
        add_names(&l, &k, "+", plan->add, plan->n_add);
        add_names(&l, &k, "~", plan->change, plan->n_change);
        add_names(&l, &k, "-", plan->remove, plan->n_remove);
    }
    *lines = l.items;
    return l.n;
}
