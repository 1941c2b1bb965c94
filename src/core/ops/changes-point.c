// SPDX-License-Identifier: GPL-3.0-or-later
/* One point of a change-set chain: its name, its JSON, read back and checked. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "poshtiban/alloc.h"
#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/timefmt.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "engine/changeset.h"
#include "engine/compress.h"
#include "ops/changes-store.h"
#include "ops/naming.h"

char *pt_changes_chain_dir(const struct pt_project *p, const char *base)
{
    char *dir = pt_path_join(p->backups, PT_CHANGES_DIR);
    char *chain = pt_path_join(dir, base);
    free(dir);
    return chain;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool pt_changes_name_valid(const char *name)
{
    /* changes_YYYYMMDD_HHMMSS[_N] */
    size_t len = strlen(name);
    if (len < 23 || strncmp(name, "changes_", 8) != 0 || !digits(name + 8, 8) || name[16] != '_' ||
        !digits(name + 17, 6))
        return false;
    if (len == 23)
        return true;
    return name[23] == '_' && len > 24 && len <= 30 && digits(name + 24, len - 24) &&
           name[24] != '0';
}

static bool name_used(const struct pt_change_list *all, const char *name)
{
    for (size_t i = 0; all && i < all->n; i++)
        if (strcmp(all->points[i].name, name) == 0)
            return true;
    return false;
}

char *pt_changes_name_new(const struct pt_change_list *all, int64_t taken_ms)
{
    time_t t = (time_t)(taken_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
    char *name = pt_xasprintf("changes_%s", stamp);
    for (int n = 2; name_used(all, name); n++) {
        free(name);
        name = pt_xasprintf("changes_%s_%d", stamp, n);
    }
    return name;
}

bool pt_changes_record_ms(const char *iso, int64_t *ms)
{
    return iso && pt_time_parse_iso(iso, ms);
}

static const char *kind_name(enum pt_change_kind k)
{
    return k == PT_CHANGE_SNAPSHOT ? "snapshot" : "rows";
}

static const char *data_suffix(enum pt_change_kind k)
{
    return k == PT_CHANGE_SNAPSHOT ? ".sqlite3.zst" : ".changeset.zst";
}

void pt_change_point_free(struct pt_change_point *p)
{
    free(p->name);
    free(p->base);
    free(p->previous);
    free(p->reason);
    free(p->path);
    pt_change_tables_free(p->tables, p->n_tables);
    json_decref(p->state);
    memset(p, 0, sizeof(*p));
}

void pt_change_list_free(struct pt_change_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        pt_change_point_free(&l->points[i]);
    free(l->points);
    for (size_t i = 0; i < l->n_problems; i++)
        free(l->problems[i]);
    free(l->problems);
    memset(l, 0, sizeof(*l));
}

static struct pt_change_table *copy_tables(const struct pt_change_table *src, size_t n)
{
    struct pt_change_table *out = n ? pt_xcalloc(n, sizeof(*out)) : NULL;
    for (size_t i = 0; i < n; i++) {
        out[i] = src[i];
        out[i].name = pt_xstrdup(src[i].name);
        out[i].columns = src[i].n_columns ? pt_xcalloc(src[i].n_columns, sizeof(char *)) : NULL;
        for (size_t j = 0; j < src[i].n_columns; j++)
            out[i].columns[j] = pt_xstrdup(src[i].columns[j]);
    }
    return out;
}

void pt_change_point_copy(struct pt_change_point *dst, const struct pt_change_point *src)
{
    *dst = *src;
    dst->name = pt_xstrdup(src->name);
    dst->base = pt_xstrdup(src->base);
    dst->previous = pt_xstrdup(src->previous);
    dst->reason = pt_xstrdup(src->reason);
    dst->path = pt_xstrdup(src->path);
    dst->tables = copy_tables(src->tables, src->n_tables);
    dst->state = src->state ? json_deep_copy(src->state) : NULL;
}

static json_t *iso_json(int64_t ms)
{
    char buf[32];
    pt_time_iso(ms, buf);
    return json_string(buf);
}

static json_t *tables_json(const struct pt_change_point *p, bool columns)
{
    json_t *tables = json_object();
    for (size_t i = 0; i < p->n_tables; i++) {
        const struct pt_change_table *t = &p->tables[i];
        json_t *o = json_pack("{s:I, s:I, s:I}", "inserted", (json_int_t)t->inserted, "updated",
                              (json_int_t)t->updated, "deleted", (json_int_t)t->deleted);
        if (columns) {
            json_t *cols = json_array();
            for (size_t j = 0; j < t->n_columns; j++)
                json_array_append_new(cols, json_string(t->columns[j]));
            json_object_set_new(o, "columns", cols);
        }
        json_object_set_new(tables, t->name, o);
    }
    return tables;
}

static const char *file_name(const struct pt_change_point *p)
{
    const char *slash = strrchr(p->path, '/');
    return slash ? slash + 1 : p->path;
}

json_t *pt_changes_point_document(const struct pt_change_point *p)
{
    return json_pack("{s:i, s:s, s:s, s:o, s:i, s:s, s:o, s:o, s:o, s:i, s:s, s:I, s:s, s:o, "
                     "s:O}",
                     "format", 1, "name", p->name, "base", p->base, "previous",
                     p->previous ? json_string(p->previous) : json_null(), "seq", p->seq, "kind",
                     kind_name(p->kind), "reason", p->reason ? json_string(p->reason) : json_null(),
                     "taken_at", iso_json(p->taken_ms), "first_at", iso_json(p->first_ms),
                     "captures", p->captures, "file", file_name(p), "size", (json_int_t)p->size,
                     "sha256", p->sha256, "tables", tables_json(p, true), "state",
                     p->state ? p->state : json_object());
}

static bool hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

static bool count_ok(json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* The tables object of a point's JSON, every field checked. */
static bool read_tables(json_t *tables, struct pt_change_point *out)
{
    if (!json_is_object(tables))
        return false;
    const char *name;
    json_t *t;
    out->tables = json_object_size(tables)
                      ? pt_xcalloc(json_object_size(tables), sizeof(*out->tables))
                      : NULL;
    json_object_foreach(tables, name, t)
    {
        json_t *ins = json_object_get(t, "inserted"), *upd = json_object_get(t, "updated"),
               *del = json_object_get(t, "deleted"), *cols = json_object_get(t, "columns");
        if (!count_ok(ins) || !count_ok(upd) || !count_ok(del) || (cols && !json_is_array(cols)))
            return false;
        struct pt_change_table *ct = &out->tables[out->n_tables++];
        ct->name = pt_xstrdup(name);
        ct->inserted = json_integer_value(ins);
        ct->updated = json_integer_value(upd);
        ct->deleted = json_integer_value(del);
        size_t i;
        json_t *c;
        ct->columns =
            json_array_size(cols) ? pt_xcalloc(json_array_size(cols), sizeof(char *)) : NULL;
        json_array_foreach(cols, i, c)
        {
            if (!json_is_string(c))
                return false;
            ct->columns[ct->n_columns++] = pt_xstrdup(json_string_value(c));
        }
    }
    return true;
}

static int64_t iso_ms(json_t *v, bool *ok)
{
    int64_t ms = 0;
    if (!json_is_string(v) || !pt_time_parse_iso(json_string_value(v), &ms))
        *ok = false;
    return ms;
}

enum pt_status pt_changes_read_point(const char *dir, const char *json_name,
                                     struct pt_change_point *out, struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    char *path = pt_path_join(dir, json_name);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > PT_CHANGES_JSON_MAX) {
        enum pt_status rc =
            pt_error_set(err, PT_EFAIL, _("%s is not a change set's description"), path);
        free(path);
        return rc;
    }
    char *text = pt_read_file(path, PT_CHANGES_JSON_MAX, NULL);
    json_error_t jerr;
    json_t *doc = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    free(text);
    const char *slash = strrchr(dir, '/');
    const char *folder = slash ? slash + 1 : dir;
    bool ok = json_is_object(doc) && json_integer_value(json_object_get(doc, "format")) == 1;
    const char *name = json_string_value(json_object_get(doc, "name"));
    const char *base = json_string_value(json_object_get(doc, "base"));
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    const char *file = json_string_value(json_object_get(doc, "file"));
    const char *sha = json_string_value(json_object_get(doc, "sha256"));
    json_t *prev = json_object_get(doc, "previous"), *reason = json_object_get(doc, "reason");
    json_t *seq = json_object_get(doc, "seq"), *size = json_object_get(doc, "size");
    json_t *captures = json_object_get(doc, "captures");
    ok = ok && name && pt_changes_name_valid(name) && base && pt_backup_name_valid(base) &&
         strcmp(base, folder) == 0 && kind && file && hex64(sha) && json_is_integer(seq) &&
         json_integer_value(seq) >= 1 && json_integer_value(seq) < 1000000 && count_ok(size) &&
         json_is_integer(captures) && json_integer_value(captures) >= 1 &&
         (json_is_null(prev) ||
          (json_is_string(prev) && pt_changes_name_valid(json_string_value(prev)))) &&
         (json_is_null(reason) || json_is_string(reason) || !reason) &&
         json_is_object(json_object_get(json_object_get(doc, "state"), "tables"));
    char *json_expected = ok ? pt_xasprintf("%s.json", name) : NULL;
    ok = ok && strcmp(json_expected, json_name) == 0;
    free(json_expected);
    if (ok) {
        out->kind = strcmp(kind, "snapshot") == 0 ? PT_CHANGE_SNAPSHOT : PT_CHANGE_ROWS;
        ok = (strcmp(kind, "snapshot") == 0 || strcmp(kind, "rows") == 0);
        char *want = pt_xasprintf("%s%s", name, data_suffix(out->kind));
        ok = ok && strcmp(file, want) == 0;
        free(want);
    }
    if (ok) {
        out->name = pt_xstrdup(name);
        out->base = pt_xstrdup(base);
        out->previous = json_is_string(prev) ? pt_xstrdup(json_string_value(prev)) : NULL;
        out->reason = json_is_string(reason) ? pt_xstrdup(json_string_value(reason)) : NULL;
        out->seq = (int)json_integer_value(seq);
        out->captures = (int)json_integer_value(captures);
        out->size = json_integer_value(size);
        memcpy(out->sha256, sha, 65);
        out->taken_ms = iso_ms(json_object_get(doc, "taken_at"), &ok);
        out->first_ms = iso_ms(json_object_get(doc, "first_at"), &ok);
        ok = ok && out->first_ms <= out->taken_ms;
        out->path = pt_path_join(dir, file);
        out->state = json_incref(json_object_get(doc, "state"));
        ok = ok && read_tables(json_object_get(doc, "tables"), out);
    }
    if (ok) {
        struct stat data;
        ok = lstat(out->path, &data) == 0 && S_ISREG(data.st_mode) && data.st_size == out->size;
        if (!ok) {
            /* name lives in doc: said before doc goes. */
            enum pt_status rc = pt_error_set(err, PT_EFAIL,
                                             _("change set %s: its file %s is missing or not "
                                               "of the recorded size"),
                                             name ? name : json_name, out->path);
            json_decref(doc);
            pt_change_point_free(out);
            free(path);
            return rc;
        }
    }
    json_decref(doc);
    enum pt_status rc = PT_OK;
    if (!ok) {
        pt_change_point_free(out);
        rc = pt_error_set(err, PT_EFAIL, _("%s is not a valid change set's description"), path);
    }
    free(path);
    return rc;
}

size_t pt_changes_start(const struct pt_change_point *points, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++)
        if (points[i].kind == PT_CHANGE_SNAPSHOT)
            from = i;
    return from;
}
