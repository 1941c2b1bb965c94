// SPDX-License-Identifier: GPL-3.0-or-later
/* The chains of change-set points: listed, checked, placed and swept, and the shadow of the last
 * capture. */
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
#include "poshtiban/session.h"
#include "poshtiban/timefmt.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "engine/changeset.h"
#include "engine/compress.h"
#include "ops/changes-store.h"
#include "ops/naming.h"

#define SHADOW "changes-shadow"

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

/* The marker of pt_changes_place: the data file's path, on the disk before the data is renamed. */
static enum pt_status write_marker(const char *marker, const char *path, struct pt_error *err)
{
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, marker, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_file_writer_write(&w, path, strlen(path), err);
    if (rc == PT_OK)
        return pt_file_writer_close(&w, NULL, NULL, err);
    pt_file_writer_abort(&w);
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
    /*
     * From before its folder is made until its JSON is in place, a marker
     * in tmp names the data file: crash recovery takes away what a kill
     * left half placed (pt_changes_unplace).
     */
    char *marker = pt_xasprintf("%s/placing-%ld", p->tmp, (long)getpid());
    if (lstat(json_path, &st) == 0 || lstat(point->path, &st) == 0)
        rc = pt_error_set(err, PT_EFAIL, _("change set %s exists already"), point->name);
    if (rc == PT_OK)
        rc = write_marker(marker, point->path, err);
    if (rc == PT_OK && pt_mkdir_p(dir, 0700) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), dir, strerror(errno));
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
    if (rc == PT_OK) {
        pt_fsync_dir(dir);
    } else {
        rmdir(dir); /* made for this point, when nothing else is in it */
        rmdir(root);
    }
    unlink(marker);
    free(marker);
    unlink(json_tmp);
    free(json_tmp);
    free(json_path);
    free(dir);
    free(root);
    return rc;
}

/* A folder itself, not a link to one: what is swept is never elsewhere. */
static bool real_dir(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Removes dir/file when it is a point's data file that no NAME.json beside it claims. */
static void drop_unclaimed(const char *dir, const char *file)
{
    const char *suffix = ends_with(file, ".changeset.zst") ? ".changeset.zst"
                         : ends_with(file, ".sqlite3.zst") ? ".sqlite3.zst"
                                                           : NULL;
    if (!suffix)
        return;
    char *name = pt_xstrdup(file);
    name[strlen(name) - strlen(suffix)] = '\0';
    char *json = pt_xasprintf("%s/%s.json", dir, name);
    struct stat st;
    if (pt_changes_name_valid(name) && lstat(json, &st) != 0 && errno == ENOENT) {
        char *data = pt_path_join(dir, file);
        unlink(data);
        free(data);
    }
    free(json);
    free(name);
}

void pt_changes_sweep(const struct pt_project *p)
{
    char *root = pt_path_join(p->backups, PT_CHANGES_DIR);
    DIR *d = real_dir(root) ? opendir(root) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !pt_backup_name_valid(e->d_name))
            continue;
        char *dir = pt_path_join(root, e->d_name);
        DIR *c = real_dir(dir) ? opendir(dir) : NULL;
        struct dirent *f;
        while (c && (f = readdir(c)))
            drop_unclaimed(dir, f->d_name);
        if (c)
            closedir(c);
        rmdir(dir); /* an emptied chain folder; fails, as it should, when anything is left */
        free(dir);
    }
    if (d)
        closedir(d);
    rmdir(root); /* and changes/ itself, when no chain is left in it */
    free(root);
}

void pt_changes_unplace(const struct pt_project *p, const char *marker)
{
    char *path = pt_read_file(marker, 4096, NULL);
    char *root = pt_path_join(p->backups, PT_CHANGES_DIR);
    size_t n = strlen(root);
    /* Only what pt_changes_place names: <root>/<base>/<point><suffix>. */
    const char *rest = path && strncmp(path, root, n) == 0 && path[n] == '/' ? path + n + 1 : NULL;
    const char *slash = rest ? strchr(rest, '/') : NULL;
    if (slash && !strchr(slash + 1, '/')) {
        char *dir = pt_xstrdup(path);
        dir[slash - path] = '\0';
        if (pt_backup_name_valid(dir + n + 1) && real_dir(root) && real_dir(dir)) {
            drop_unclaimed(dir, slash + 1);
            rmdir(dir); /* fails, as it should, when anything is left */
            rmdir(root);
        }
        free(dir);
    }
    free(root);
    free(path);
}

char *pt_changes_shadow_path(const struct pt_project *p)
{
    return pt_xasprintf("%s/" SHADOW ".sqlite3", p->meta);
}

bool pt_changes_shadow_read(const struct pt_project *p, struct pt_changes_shadow *out)
{
    memset(out, 0, sizeof(*out));
    char *path = pt_xasprintf("%s/" SHADOW ".json", p->meta);
    char *text = pt_read_file(path, PT_CHANGES_JSON_MAX, NULL);
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
