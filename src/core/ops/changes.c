// SPDX-License-Identifier: GPL-3.0-or-later
/* The points of change-set chains: read, placed, resolved for a moment and applied. */
#include "ops/changes-store.h"
#include "poshtiban/session.h"

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

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "engine/changeset.h"
#include "engine/compress.h"
#include "ops/naming.h"
#include "poshtiban/alloc.h"
#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/timefmt.h"

#define POINT_JSON_MAX ((size_t)1 << 20)
#define SHADOW "changes-shadow"

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

json_t *pt_change_point_to_json(const struct pt_change_point *p)
{
    return json_pack("{s:s, s:s, s:o, s:i, s:s, s:o, s:o, s:o, s:i, s:s, s:I, s:s, s:o}", "name",
                     p->name, "base", p->base, "previous",
                     p->previous ? json_string(p->previous) : json_null(), "seq", p->seq, "kind",
                     kind_name(p->kind), "reason", p->reason ? json_string(p->reason) : json_null(),
                     "taken_at", iso_json(p->taken_ms), "first_at", iso_json(p->first_ms),
                     "captures", p->captures, "path", p->path, "size_bytes", (json_int_t)p->size,
                     "sha256", p->sha256, "tables", tables_json(p, false));
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
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > POINT_JSON_MAX) {
        enum pt_status rc =
            pt_error_set(err, PT_EFAIL, _("%s is not a change set's description"), path);
        free(path);
        return rc;
    }
    char *text = pt_read_file(path, POINT_JSON_MAX, NULL);
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
            json_decref(doc);
            enum pt_status rc = pt_error_set(err, PT_EFAIL,
                                             _("change set %s: its file %s is missing or not "
                                               "of the recorded size"),
                                             name ? name : json_name, out->path);
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

static int by_time(const void *a, const void *b)
{
    const struct pt_change_point *x = a, *y = b;
    if (x->taken_ms != y->taken_ms)
        return x->taken_ms < y->taken_ms ? -1 : 1;
    int c = strcmp(x->base, y->base);
    return c ? c : x->seq - y->seq;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The points of one chain folder, unsorted, appended to out. */
static void read_chain(const char *dir, struct pt_change_list *out, char ***problems,
                       size_t *n_problems)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".json"))
            continue;
        struct pt_change_point point;
        struct pt_error perr = {0};
        if (pt_changes_read_point(dir, e->d_name, &point, &perr) == PT_OK) {
            out->points = pt_xrealloc(out->points, (out->n + 1) * sizeof(*out->points));
            out->points[out->n++] = point;
        } else if (problems) {
            *problems = pt_xrealloc(*problems, (*n_problems + 1) * sizeof(**problems));
            (*problems)[(*n_problems)++] = pt_xstrdup(perr.message);
        }
        pt_error_clear(&perr);
    }
    closedir(d);
}

static void add_checked(const struct pt_project *p, struct pt_change_list *out)
{
    struct pt_changes_shadow shadow;
    if (!pt_changes_shadow_read(p, &shadow))
        return;
    /* Only a check of the newest state says anything of now. */
    const struct pt_change_point *newest = NULL;
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->points[i].base, shadow.base) == 0)
            newest = &out->points[i];
    bool same = newest ? shadow.point && strcmp(newest->name, shadow.point) == 0 : !shadow.point;
    if (same)
        out->checked_ms = shadow.checked_ms;
    pt_changes_shadow_free(&shadow);
}

static enum pt_status list_with(const struct pt_project *p, const char *only_base,
                                struct pt_change_list *out, struct pt_error *err)
{
    (void)err;
    memset(out, 0, sizeof(*out));
    char *root = pt_path_join(p->backups, PT_CHANGES_DIR);
    DIR *d = opendir(root);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !pt_backup_name_valid(e->d_name) ||
            (only_base && strcmp(e->d_name, only_base) != 0))
            continue;
        char *dir = pt_path_join(root, e->d_name);
        struct stat st;
        if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            read_chain(dir, out, &out->problems, &out->n_problems);
        free(dir);
    }
    if (d)
        closedir(d);
    free(root);
    if (out->n > 1)
        qsort(out->points, out->n, sizeof(*out->points), by_time);
    add_checked(p, out);
    return PT_OK;
}

enum pt_status pt_changes_list(const struct pt_project *p, struct pt_change_list *out,
                               struct pt_error *err)
{
    return list_with(p, NULL, out, err);
}

static int by_seq(const void *a, const void *b)
{
    return ((const struct pt_change_point *)a)->seq - ((const struct pt_change_point *)b)->seq;
}

enum pt_status pt_changes_chain(const struct pt_project *p, const char *base,
                                struct pt_change_list *out, struct pt_error *err)
{
    enum pt_status rc = list_with(p, base, out, err);
    if (rc == PT_OK && out->n > 1)
        qsort(out->points, out->n, sizeof(*out->points), by_seq);
    return rc;
}

enum pt_status pt_changes_check_chain(const struct pt_change_point *points, size_t n, size_t first,
                                      struct pt_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *want = i ? points[i - 1].name : NULL;
        bool linked = want ? points[i].previous && strcmp(points[i].previous, want) == 0
                           : first || !points[i].previous;
        if (points[i].seq != (int)(first + i) + 1 || !linked ||
            (i && points[i].taken_ms < points[i - 1].taken_ms))
            return pt_error_set(err, PT_EFAIL,
                                _("the change sets of backup %s are broken at %s: a change set "
                                  "before it is missing"),
                                points[i].base, points[i].name);
    }
    return PT_OK;
}

static enum pt_status write_json(const char *path, json_t *doc, struct pt_error *err)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, path, err);
    if (rc == PT_OK) {
        rc = pt_file_writer_puts(&w, text, err);
        if (rc == PT_OK)
            rc = pt_file_writer_puts(&w, "\n", err);
        if (rc == PT_OK)
            rc = pt_file_writer_close(&w, NULL, NULL, err);
        else
            pt_file_writer_abort(&w);
    }
    free(text);
    return rc;
}

enum pt_status pt_changes_place(const struct pt_project *p, const struct pt_change_point *point,
                                const char *data, struct pt_error *err)
{
    char *root = pt_path_join(p->backups, PT_CHANGES_DIR);
    char *dir = pt_changes_chain_dir(p, point->base);
    char *json_path = pt_xasprintf("%s/%s.json", dir, point->name);
    char *json_tmp = pt_xasprintf("%s/%s.json", p->tmp, point->name);
    enum pt_status rc = PT_OK;
    struct stat st;
    if (pt_mkdir_p(dir, 0700) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), dir, strerror(errno));
    else if (lstat(json_path, &st) == 0 || lstat(point->path, &st) == 0)
        rc = pt_error_set(err, PT_EFAIL, _("change set %s exists already"), point->name);
    if (rc == PT_OK) {
        pt_fsync_dir(root);
        pt_fsync_dir(p->backups);
        json_t *doc = pt_changes_point_document(point);
        unlink(json_tmp);
        rc = write_json(json_tmp, doc, err);
        json_decref(doc);
    }
    if (rc == PT_OK && rename(data, point->path) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), point->path,
                          strerror(errno));
    if (rc == PT_OK) {
        pt_fsync_dir(dir);
        if (rename(json_tmp, json_path) != 0) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), json_path,
                              strerror(errno));
            unlink(point->path);
        }
    }
    if (rc == PT_OK)
        pt_fsync_dir(dir);
    unlink(json_tmp);
    free(json_tmp);
    free(json_path);
    free(dir);
    free(root);
    return rc;
}

void pt_changes_sweep(const struct pt_project *p)
{
    char *root = pt_path_join(p->backups, PT_CHANGES_DIR);
    DIR *d = opendir(root);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !pt_backup_name_valid(e->d_name))
            continue;
        char *dir = pt_path_join(root, e->d_name);
        DIR *c = opendir(dir);
        struct dirent *f;
        while (c && (f = readdir(c))) {
            const char *suffix = ends_with(f->d_name, ".changeset.zst") ? ".changeset.zst"
                                 : ends_with(f->d_name, ".sqlite3.zst") ? ".sqlite3.zst"
                                                                        : NULL;
            if (!suffix)
                continue;
            char *name = pt_xstrdup(f->d_name);
            name[strlen(name) - strlen(suffix)] = '\0';
            char *json = pt_xasprintf("%s/%s.json", dir, name);
            struct stat st;
            if (pt_changes_name_valid(name) && lstat(json, &st) != 0 && errno == ENOENT) {
                char *data = pt_path_join(dir, f->d_name);
                unlink(data);
                free(data);
            }
            free(json);
            free(name);
        }
        if (c)
            closedir(c);
        rmdir(dir); /* an emptied chain folder; fails, as it should, when anything is left */
        free(dir);
    }
    if (d)
        closedir(d);
    free(root);
}

char *pt_changes_shadow_path(const struct pt_project *p)
{
    return pt_xasprintf("%s/" SHADOW ".sqlite3", p->meta);
}

bool pt_changes_shadow_read(const struct pt_project *p, struct pt_changes_shadow *out)
{
    memset(out, 0, sizeof(*out));
    char *path = pt_xasprintf("%s/" SHADOW ".json", p->meta);
    char *text = pt_read_file(path, POINT_JSON_MAX, NULL);
    free(path);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    const char *base = json_string_value(json_object_get(doc, "base"));
    json_t *point = json_object_get(doc, "point");
    bool ok = base && pt_backup_name_valid(base) &&
              (json_is_null(point) ||
               (json_is_string(point) && pt_changes_name_valid(json_string_value(point))));
    if (ok) {
        out->base = pt_xstrdup(base);
        out->point = json_is_string(point) ? pt_xstrdup(json_string_value(point)) : NULL;
        out->checked_ms = json_integer_value(json_object_get(doc, "checked_ms"));
    }
    json_decref(doc);
    return ok;
}

enum pt_status pt_changes_shadow_write(const struct pt_project *p,
                                       const struct pt_changes_shadow *shadow, struct pt_error *err)
{
    char *path = pt_xasprintf("%s/" SHADOW ".json", p->meta);
    char *tmp = pt_xasprintf("%s/" SHADOW ".json.%ld", p->tmp, (long)getpid());
    json_t *doc = json_pack("{s:s, s:o, s:I}", "base", shadow->base, "point",
                            shadow->point ? json_string(shadow->point) : json_null(), "checked_ms",
                            (json_int_t)shadow->checked_ms);
    unlink(tmp);
    enum pt_status rc = write_json(tmp, doc, err);
    json_decref(doc);
    if (rc == PT_OK && rename(tmp, path) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), path, strerror(errno));
    if (rc == PT_OK)
        pt_fsync_dir(p->meta);
    unlink(tmp);
    free(tmp);
    free(path);
    return rc;
}

void pt_changes_shadow_free(struct pt_changes_shadow *s)
{
    free(s->base);
    free(s->point);
    memset(s, 0, sizeof(*s));
}

enum pt_status pt_changes_resolve(const struct pt_project *p, struct pt_catalog *c, int64_t at_ms,
                                  char **base, struct pt_change_point **points, size_t *n,
                                  struct pt_error *err)
{
    *base = NULL;
    *points = NULL;
    *n = 0;
    enum pt_status rc;
    struct pt_catalog_filter f = {.has_status = true, .status = PT_STATE_COMPLETED};
    struct pt_record *records = NULL;
    size_t count = 0;
    int64_t total;
    rc = pt_catalog_list(c, &f, &records, &count, &total, err);
    if (rc != PT_OK)
        return rc;
    int64_t best_ms = 0;
    for (size_t i = 0; i < count; i++) {
        int64_t ms;
        if (pt_changes_record_ms(records[i].created_at, &ms) && ms <= at_ms &&
            (!*base || ms > best_ms)) {
            free(*base);
            *base = pt_xstrdup(records[i].name);
            best_ms = ms;
        }
    }
    pt_record_list_free(records, count);
    if (!*base) {
        char when[32];
        pt_time_iso(at_ms, when);
        return pt_error_set(err, PT_EINVAL, _("no complete backup was taken at or before %s"),
                            when);
    }
    struct pt_change_list chain;
    rc = pt_changes_chain(p, *base, &chain, err);
    size_t upto = 0;
    while (rc == PT_OK && upto < chain.n && chain.points[upto].taken_ms <= at_ms)
        upto++;
    if (rc == PT_OK && upto) {
        *points = pt_xcalloc(upto, sizeof(**points));
        for (size_t i = 0; i < upto; i++)
            pt_change_point_copy(&(*points)[i], &chain.points[i]);
        *n = upto;
    }
    pt_change_list_free(&chain);
    if (rc != PT_OK) {
        free(*base);
        *base = NULL;
    }
    return rc;
}

static ssize_t read_plain(void *user, void *buf, size_t len, struct pt_error *err)
{
    int fd = *(int *)user;
    ssize_t n;
    do
        n = read(fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        pt_error_set(err, PT_EFAIL, "%s", strerror(errno));
    return n;
}

/* A snapshot point replaces db whole. */
static enum pt_status apply_snapshot(const char *db, const struct pt_change_point *point,
                                     struct pt_error *err)
{
    char *tmp = pt_xasprintf("%s.point", db);
    unlink(tmp);
    int fd = open(point->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        free(tmp);
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), point->path, strerror(errno));
    }
    bool damaged = false;
    enum pt_status rc =
        pt_unpack_snapshot(PT_COMPRESSION_ZSTD, read_plain, &fd, tmp, &damaged, NULL, err);
    close(fd);
    if (rc == PT_OK && rename(tmp, db) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), db, strerror(errno));
    unlink(tmp);
    free(tmp);
    return rc;
}

static enum pt_status integrity(const char *path, struct pt_error *err)
{
    sqlite3 *db = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot open %s"), path);
    } else {
        sqlite3_stmt *st;
        const unsigned char *answer = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            answer = sqlite3_column_text(st, 0);
        if (!answer || strcmp((const char *)answer, "ok") != 0)
            rc = pt_error_set(err, PT_EFAIL,
                              _("the database rebuilt at %s fails its integrity "
                                "check: %s"),
                              path, answer ? (const char *)answer : sqlite3_errmsg(db));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return rc;
}

enum pt_status pt_changes_apply(const struct pt_project *p, const char *db,
                                const struct pt_change_point *points, size_t n,
                                const struct pt_monitor *monitor, struct pt_error *err)
{
    (void)p;
    /* A whole database makes what came before it moot: start from the newest. */
    size_t from = 0;
    for (size_t i = 0; i < n; i++)
        if (points[i].kind == PT_CHANGE_SNAPSHOT)
            from = i;
    enum pt_status rc = pt_changes_check_chain(points + from, n - from, from, err);
    for (size_t i = from; rc == PT_OK && i < n; i++) {
        const struct pt_change_point *point = &points[i];
        if (monitor && monitor->progress) {
            struct pt_progress pr = {PT_PHASE_RESTORE, (int64_t)i, (int64_t)n, point->name};
            monitor->progress(&pr, monitor->user);
        }
        if (monitor && monitor->cancel && atomic_load(monitor->cancel))
            return pt_error_set(err, PT_ECANCELLED, _("cancelled"));
        char hex[PT_SHA256_HEX];
        int64_t size;
        rc = pt_sha256_file(point->path, hex, &size, err);
        if (rc == PT_OK && (strcmp(hex, point->sha256) != 0 || size != point->size))
            rc = pt_error_set(err, PT_EFAIL, _("its file does not match its checksum"));
        if (rc == PT_OK)
            rc = point->kind == PT_CHANGE_SNAPSHOT
                     ? apply_snapshot(db, point, err)
                     : pt_changeset_apply(db, point->path, point->state, err);
        if (rc == PT_OK)
            rc = pt_changeset_state_check(db, point->state,
                                          point->kind == PT_CHANGE_ROWS ? point->path : NULL, err);
        if (rc != PT_OK && err && err->message) {
            char *why = pt_xstrdup(err->message);
            pt_error_clear(err);
            rc = pt_error_set(err, rc, _("change set %s: %s"), point->name, why);
            free(why);
        }
    }
    /* Nothing applied, nothing to prove: the base's own snapshot verified by its checksum. */
    if (rc == PT_OK && n > from)
        rc = integrity(db, err);
    return rc;
}

enum pt_status pt_changes_rows(const struct pt_change_point *point, const char *table,
                               pt_change_row_fn fn, void *user, struct pt_error *err)
{
    if (point->kind == PT_CHANGE_SNAPSHOT)
        return PT_OK;
    return pt_changeset_rows(point->path, point->tables, point->n_tables, table, fn, user, err);
}

char *pt_change_reason_text(const char *reason)
{
    static const char rebuild[] = "the change sets before it do not rebuild: ";
    static const char table[] = "table ", nokey[] = " has no primary key";
    if (!reason)
        return NULL;
    size_t len = strlen(reason);
    static const char compare[] = "the changes could not be compared: ";
    if (strncmp(reason, compare, sizeof(compare) - 1) == 0)
        return pt_xasprintf(_("the changes could not be compared: %s"),
                            reason + sizeof(compare) - 1);
    if (strncmp(reason, rebuild, sizeof(rebuild) - 1) == 0)
        return pt_xasprintf(_("the change sets before it do not rebuild: %s"),
                            reason + sizeof(rebuild) - 1);
    if (len > sizeof(table) + sizeof(nokey) - 2 && strncmp(reason, table, sizeof(table) - 1) == 0 &&
        strcmp(reason + len - (sizeof(nokey) - 1), nokey) == 0) {
        char *name = pt_xstrdup(reason + sizeof(table) - 1);
        name[strlen(name) - (sizeof(nokey) - 1)] = '\0';
        char *out = pt_xasprintf(_("table %s has no primary key"), name);
        free(name);
        return out;
    }
    if (strcmp(reason, "schema changed") == 0)
        return pt_xstrdup(_("schema changed"));
    return pt_xstrdup(reason);
}

int64_t pt_changes_last_seen(const struct pt_project *p, struct pt_catalog *catalog)
{
    struct pt_record base;
    if (pt_catalog_get(catalog, "latest", &base, NULL) != PT_OK)
        return 0;
    int64_t seen = 0;
    pt_changes_record_ms(base.created_at, &seen);
    struct pt_change_list chain;
    if (pt_changes_chain(p, base.name, &chain, NULL) == PT_OK) {
        if (chain.n && chain.points[chain.n - 1].taken_ms > seen)
            seen = chain.points[chain.n - 1].taken_ms;
        struct pt_changes_shadow shadow;
        if (pt_changes_shadow_read(p, &shadow)) {
            if (strcmp(shadow.base, base.name) == 0 && shadow.checked_ms > seen)
                seen = shadow.checked_ms;
            pt_changes_shadow_free(&shadow);
        }
        pt_change_list_free(&chain);
    }
    pt_record_free(&base);
    return seen;
}
