// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"

char *pt_sql_quote(const char *id)
{
    size_t n = strlen(id);
    char *out = pt_xmalloc(2 * n + 3);
    size_t o = 0;
    out[o++] = '"';
    for (const char *p = id; *p; p++) {
        if (*p == '"')
            out[o++] = '"';
        out[o++] = *p;
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

int64_t pt_schema_count_rows(sqlite3 *db, const char *table)
{
    /* Tables only: a view of that name (in a hostile backup) may never end. */
    sqlite3_stmt *st;
    bool is_table = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        is_table = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    if (!is_table)
        return -1;
    char *q = pt_sql_quote(table);
    char *sql = pt_xasprintf("SELECT count(*) FROM %s", q);
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    free(sql);
    free(q);
    return n;
}

int64_t pt_schema_pragma_int(sqlite3 *db, const char *pragma)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, pragma, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static enum pt_status sql_error(sqlite3 *db, struct pt_error *err)
{
    return pt_error_set(err, PT_EFAIL, _("cannot read the snapshot's schema: %s"),
                        sqlite3_errmsg(db));
}

static char *lower(const char *s)
{
    char *out = pt_xstrdup(s ? s : "");
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

/* A fixture file name from a model label: no slash, no leading dot, no control bytes. */
static char *fixture_name(const char *model)
{
    char *safe = pt_xstrdup(model);
    for (char *p = safe; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x20)
            *p = '_';
    if (safe[0] == '.')
        safe[0] = '_';
    char *out = pt_xasprintf("fixtures/%s.json", safe);
    free(safe);
    return out;
}

struct fk {
    char *from, *table;
};

static void free_fks(struct fk *fks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(fks[i].from);
        free(fks[i].table);
    }
    free(fks);
}

static enum pt_status read_fks(sqlite3 *db, const char *table, struct fk **out, size_t *n,
                               struct pt_error *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db, "SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?)", -1,
                           &st, NULL) != SQLITE_OK)
        return sql_error(db, err);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        *out = pt_xrealloc(*out, (*n + 1) * sizeof(**out));
        (*out)[*n].from = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
        (*out)[*n].table = pt_xstrdup((const char *)sqlite3_column_text(st, 1));
        (*n)++;
    }
    sqlite3_finalize(st);
    return PT_OK;
}

static const char *fk_target(const struct fk *fks, size_t n, const char *column)
{
    for (size_t i = 0; i < n; i++)
        if (fks[i].from && strcmp(fks[i].from, column) == 0)
            return fks[i].table;
    return NULL;
}

static enum pt_value_kind django_kind(const char *decl, const char *column, const char *sql_lower)
{
    char *d = lower(decl);
    enum pt_value_kind kind = PT_VALUE_PLAIN;
    if (strcmp(d, "bool") == 0)
        kind = PT_VALUE_BOOL;
    else if (strncmp(d, "decimal", 7) == 0)
        kind = PT_VALUE_DECIMAL;
    else if (strcmp(d, "datetime") == 0)
        kind = PT_VALUE_DATETIME;
    else if (strcmp(d, "text") == 0) {
        /* Django's JSONField on SQLite: text CHECK ((JSON_VALID("col") OR "col" IS NULL)). */
        char *quoted = pt_sql_quote(column);
        char *needle = pt_xasprintf("json_valid(%s)", quoted);
        char *needle_lower = lower(needle);
        if (strstr(sql_lower, needle_lower))
            kind = PT_VALUE_JSON;
        free(needle_lower);
        free(needle);
        free(quoted);
    }
    free(d);
    return kind;
}

static enum pt_status read_columns(sqlite3 *db, struct pt_table *t, bool django,
                                   const char *sql_lower, struct pt_error *err)
{
    struct fk *fks;
    size_t n_fks;
    enum pt_status rc = read_fks(db, t->name, &fks, &n_fks, err);
    if (rc != PT_OK)
        return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", -1,
                           &st, NULL) != SQLITE_OK) {
        free_fks(fks, n_fks);
        return sql_error(db, err);
    }
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    int pk_order[64];
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *decl = (const char *)sqlite3_column_text(st, 1);
        int pk = sqlite3_column_int(st, 2);
        t->columns = pt_xrealloc(t->columns, (t->n_columns + 1) * sizeof(*t->columns));
        struct pt_column *c = &t->columns[t->n_columns];
        c->name = pt_xstrdup(name);
        c->kind = django ? django_kind(decl, name, sql_lower) : PT_VALUE_PLAIN;
        size_t len = strlen(name);
        if (django && fk_target(fks, n_fks, name) && len > 3 && strcmp(name + len - 3, "_id") == 0)
            c->field = pt_xasprintf("%.*s", (int)(len - 3), name);
        else
            c->field = pt_xstrdup(name);
        if (pk > 0 && t->n_pk < 64) {
            t->pk = pt_xrealloc(t->pk, (t->n_pk + 1) * sizeof(*t->pk));
            t->pk[t->n_pk] = (int)t->n_columns;
            pk_order[t->n_pk] = pk;
            t->n_pk++;
        }
        t->n_columns++;
    }
    sqlite3_finalize(st);
    free_fks(fks, n_fks);
    /* Key order, not column order. */
    for (size_t i = 1; i < t->n_pk; i++)
        for (size_t j = i; j > 0 && pk_order[j - 1] > pk_order[j]; j--) {
            int tmp = pk_order[j];
            pk_order[j] = pk_order[j - 1];
            pk_order[j - 1] = tmp;
            tmp = t->pk[j];
            t->pk[j] = t->pk[j - 1];
            t->pk[j - 1] = tmp;
        }
    t->rowid = t->n_pk == 0;
    t->rowid_order =
        t->rowid ||
        (t->n_pk == 1 && pt_schema_autoincrement(db, NULL, t->name, t->columns[t->pk[0]].name));
    /* A column named as the rowid hides it from SQL: such a table is read whole. */
    for (size_t i = 0; i < t->n_columns; i++)
        if (pt_sql_hides_rowid(t->columns[i].name))
            t->rowid_order = false;
    return PT_OK;
}

bool pt_schema_autoincrement(sqlite3 *db, const char *schema, const char *table, const char *column)
{
    int autoinc = 0;
    return sqlite3_table_column_metadata(db, schema, table, column, NULL, NULL, NULL, NULL,
                                         &autoinc) == SQLITE_OK &&
           autoinc;
}

bool pt_sql_hides_rowid(const char *column)
{
    return strcasecmp(column, "rowid") == 0 || strcasecmp(column, "_rowid_") == 0 ||
           strcasecmp(column, "oid") == 0;
}

static struct pt_table *find_table(struct pt_schema *s, const char *name)
{
    for (size_t i = 0; i < s->n_tables; i++)
        if (strcmp(s->tables[i].name, name) == 0)
            return &s->tables[i];
    return NULL;
}

/*
 * Django's own apps name their tables themselves; every other model's table
 * is "<app_label>_<model>" unless the project set db_table.
 */
static const struct {
    const char *app, *model, *table;
} contrib_tables[] = {
    {"contenttypes", "contenttype", "django_content_type"},
    {"sessions", "session", "django_session"},
    {"admin", "logentry", "django_admin_log"},
    {"sites", "site", "django_site"},
    {"redirects", "redirect", "django_redirect"},
    {"flatpages", "flatpage", "django_flatpage"},
};

static char *django_table(const char *app, const char *model)
{
    for (size_t i = 0; i < sizeof(contrib_tables) / sizeof(contrib_tables[0]); i++)
        if (strcmp(contrib_tables[i].app, app) == 0 && strcmp(contrib_tables[i].model, model) == 0)
            return pt_xstrdup(contrib_tables[i].table);
    return pt_xasprintf("%s_%s", app, model);
}

/* Maps tables to Django models through django_content_type. */
static enum pt_status map_models(sqlite3 *db, struct pt_schema *s, struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT app_label, model FROM django_content_type", -1, &st, NULL) !=
        SQLITE_OK)
        return sql_error(db, err);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *app = (const char *)sqlite3_column_text(st, 0);
        const char *model = (const char *)sqlite3_column_text(st, 1);
        if (!app || !model)
            continue;
        char *table = django_table(app, model);
        for (size_t i = 0; i < s->n_tables; i++) {
            struct pt_table *t = &s->tables[i];
            if (!t->model && !t->is_virtual && strcasecmp(t->name, table) == 0) {
                t->model = pt_xasprintf("%s.%s", app, model);
                t->fixture = fixture_name(t->model);
            }
        }
        free(table);
    }
    sqlite3_finalize(st);
    return PT_OK;
}

/*
 * An auto-created many-to-many table: "<owner table>_<field>" holding an id and
 * two foreign keys. Its rows become a list of the other side's keys in the
 * owner's field, the way dumpdata writes them.
 */
static enum pt_status fold_m2m(sqlite3 *db, struct pt_schema *s, struct pt_table *t,
                               struct pt_error *err)
{
    if (t->model || t->n_columns != 3 || t->n_pk != 1 ||
        strcmp(t->columns[t->pk[0]].name, "id") != 0)
        return PT_OK;
    struct fk *fks;
    size_t n_fks;
    enum pt_status rc = read_fks(db, t->name, &fks, &n_fks, err);
    if (rc != PT_OK)
        return rc;
    if (n_fks != 2) {
        free_fks(fks, n_fks);
        return PT_OK;
    }
    struct pt_table *owner = NULL;
    for (size_t i = 0; i < 2; i++) {
        struct pt_table *cand = find_table(s, fks[i].table);
        if (!cand || !cand->model)
            continue;
        size_t len = strlen(cand->name);
        if (strncasecmp(t->name, cand->name, len) == 0 && t->name[len] == '_' && t->name[len + 1] &&
            (!owner || strlen(owner->name) < len))
            owner = cand;
    }
    struct pt_table *other_table = NULL;
    int owner_fk = -1;
    if (owner) {
        const char *model = strchr(owner->model, '.') + 1;
        char *from_name = pt_xasprintf("from_%s_id", model);
        for (int i = 0; i < 2; i++) {
            if (strcasecmp(fks[i].table, owner->name) != 0)
                continue;
            /* Self-referential: the owner's side is from_<model>_id. */
            bool self = strcasecmp(fks[0].table, fks[1].table) == 0;
            if (!self || strcmp(fks[i].from, from_name) == 0)
                owner_fk = i;
        }
        free(from_name);
        if (owner_fk >= 0)
            other_table = find_table(s, fks[1 - owner_fk].table);
    }
    if (owner && owner_fk >= 0 && other_table && other_table->model) {
        owner->m2m = pt_xrealloc(owner->m2m, (owner->n_m2m + 1) * sizeof(*owner->m2m));
        struct pt_m2m *m = &owner->m2m[owner->n_m2m++];
        m->field = pt_xstrdup(t->name + strlen(owner->name) + 1);
        m->through = pt_xstrdup(t->name);
        m->owner_column = pt_xstrdup(fks[owner_fk].from);
        m->other_column = pt_xstrdup(fks[1 - owner_fk].from);
    }
    free_fks(fks, n_fks);
    return PT_OK;
}

static bool table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

enum pt_status pt_schema_read(sqlite3 *db, struct pt_schema *s, struct pt_error *err)
{
    memset(s, 0, sizeof(*s));
    s->django = table_exists(db, "django_content_type") && table_exists(db, "django_migrations");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_error(db, err);
    enum pt_status rc = PT_OK;
    while (rc == PT_OK && sqlite3_step(st) == SQLITE_ROW) {
        s->tables = pt_xrealloc(s->tables, (s->n_tables + 1) * sizeof(*s->tables));
        struct pt_table *t = &s->tables[s->n_tables++];
        memset(t, 0, sizeof(*t));
        t->name = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
        char *sql_lower = lower((const char *)sqlite3_column_text(st, 1));
        t->is_virtual = strncmp(sql_lower, "create virtual table", 20) == 0;
        rc = read_columns(db, t, s->django, sql_lower, err);
        free(sql_lower);
        if (!s->django && !t->is_virtual) {
            t->model = pt_xstrdup(t->name);
            t->fixture = fixture_name(t->model);
        }
    }
    sqlite3_finalize(st);
    if (rc == PT_OK && s->django)
        rc = map_models(db, s, err);
    for (size_t i = 0; rc == PT_OK && s->django && i < s->n_tables; i++)
        rc = fold_m2m(db, s, &s->tables[i], err);
    /* Two labels may come out as one file name once made safe; keep them apart. */
    for (size_t i = 0; rc == PT_OK && i < s->n_tables; i++)
        for (size_t j = 0; s->tables[i].fixture && j < i; j++)
            if (s->tables[j].fixture && strcmp(s->tables[i].fixture, s->tables[j].fixture) == 0) {
                char *label = pt_xasprintf("%s.%zu", s->tables[i].model, i);
                free(s->tables[i].fixture);
                s->tables[i].fixture = fixture_name(label);
                free(label);
            }
    if (rc != PT_OK)
        pt_schema_free(s);
    return rc;
}

void pt_schema_free(struct pt_schema *s)
{
    for (size_t i = 0; i < s->n_tables; i++) {
        struct pt_table *t = &s->tables[i];
        for (size_t j = 0; j < t->n_columns; j++) {
            free(t->columns[j].name);
            free(t->columns[j].field);
        }
        for (size_t j = 0; j < t->n_m2m; j++) {
            free(t->m2m[j].field);
            free(t->m2m[j].through);
            free(t->m2m[j].owner_column);
            free(t->m2m[j].other_column);
        }
        free(t->columns);
        free(t->pk);
        free(t->m2m);
        free(t->name);
        free(t->model);
        free(t->fixture);
    }
    free(s->tables);
    memset(s, 0, sizeof(*s));
}
