// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/changes-thin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "poshtiban/i18n.h"
#include "poshtiban/settings.h"
#include "poshtiban/testhooks.h"
#include "poshtiban/timefmt.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "engine/changeset.h"
#include "engine/compress.h"
#include "ops/changes-store.h"

#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define READ_BUF (64 * 1024)

/* For the crash tests: a build with test hooks dies at the Nth step of a thinning. */
static void step(void)
{
#ifdef PT_TEST_HOOKS
    static long steps;
    long kill_after = pt_test_hooks()->kill_after;
    if (kill_after > 0 && ++steps >= kill_after)
        raise(SIGKILL);
#endif
}

/* ---- the plan ---- */

/* Which period a point falls in: 0 kept alone, else 1 + hour or day (negated for days). */
static int64_t bucket(int64_t now, int64_t keep_all_ms, int64_t hourly_until, int64_t taken)
{
    int64_t age = now - taken;
    if (age < keep_all_ms)
        return 0;
    if (age < hourly_until)
        return 1 + taken / HOUR_MS;
    return -(1 + taken / DAY_MS);
}

static bool named(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

static int by_seq(const void *a, const void *b)
{
    const struct pt_change_point *x = *(const struct pt_change_point *const *)a;
    const struct pt_change_point *y = *(const struct pt_change_point *const *)b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The points of base's chain in list, by seq; an owned array of borrowed points. */
static const struct pt_change_point **chain_of(const struct pt_change_list *list, const char *base,
                                               size_t *n)
{
    const struct pt_change_point **out = pt_xcalloc(list->n + 1, sizeof(*out));
    *n = 0;
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->points[i].base, base) == 0)
            out[(*n)++] = &list->points[i];
    qsort(out, *n, sizeof(*out), by_seq);
    return out;
}

static void add_merge(struct pt_thin_merge **merges, size_t *n, const struct pt_change_point **g,
                      size_t k)
{
    *merges = pt_xrealloc(*merges, (*n + 1) * sizeof(**merges));
    struct pt_thin_merge *m = &(*merges)[(*n)++];
    memset(m, 0, sizeof(*m));
    m->base = pt_xstrdup(g[k - 1]->base);
    m->into = pt_xstrdup(g[k - 1]->name);
    m->names = pt_xcalloc(k, sizeof(*m->names));
    for (size_t i = 0; i + 1 < k; i++)
        m->names[m->n_names++] = pt_xstrdup(g[i]->name);
    m->first_ms = g[0]->first_ms;
    m->taken_ms = g[k - 1]->taken_ms;
}

void pt_thin_plan(const struct pt_project *p, struct pt_catalog *c,
                  const struct pt_change_list *list, const char *const *gone, size_t n_gone,
                  struct pt_thin_merge **merges, size_t *n)
{
    *merges = NULL;
    *n = 0;
    int64_t keep_all_ms = pt_settings_int(c, PT_KEY_CHANGES_KEEP_ALL_HOURS) * HOUR_MS;
    int64_t hourly_until =
        keep_all_ms + pt_settings_int(c, PT_KEY_CHANGES_KEEP_HOURLY_DAYS) * DAY_MS;
    const char **seen = pt_xcalloc(list->n + 1, sizeof(*seen));
    size_t n_seen = 0;
    for (size_t i = 0; i < list->n; i++) {
        const char *base = list->points[i].base;
        if (named(seen, n_seen, base) || named(gone, n_gone, base))
            continue;
        seen[n_seen++] = base;
        size_t len;
        const struct pt_change_point **chain = chain_of(list, base, &len);
        /* Runs of consecutive rows points in one period; a snapshot stands alone. */
        size_t start = 0;
        for (size_t j = 0; j <= len; j++) {
            bool ends = j == len || chain[j]->kind != PT_CHANGE_ROWS;
            int64_t b =
                j < len ? bucket(p->now_ms, keep_all_ms, hourly_until, chain[j]->taken_ms) : 0;
            if (!ends && j > start &&
                b != bucket(p->now_ms, keep_all_ms, hourly_until, chain[start]->taken_ms))
                ends = true;
            if (!ends && b == 0)
                ends = true;
            if (ends) {
                if (j - start >= 2)
                    add_merge(merges, n, chain + start, j - start);
                /* A rows point in a period starts the next run; anything else stands alone. */
                start = j < len && chain[j]->kind == PT_CHANGE_ROWS && b != 0 ? j : j + 1;
            }
        }
        free(chain);
    }
    free(seen);
}

void pt_thin_merges_free(struct pt_thin_merge *merges, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(merges[i].base);
        free(merges[i].into);
        for (size_t j = 0; j < merges[i].n_names; j++)
            free(merges[i].names[j]);
        free(merges[i].names);
    }
    free(merges);
}

/* ---- merging changesets, as streams ---- */

struct fd_source {
    int fd;
    const char *path;
};

static ssize_t fd_read(void *user, void *buf, size_t len, struct pt_error *err)
{
    struct fd_source *s = user;
    ssize_t got;
    do
        got = read(s->fd, buf, len);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), s->path, strerror(errno));
    return got;
}

/* A point's changeset, unpacked as SQLite's stream functions read it. */
struct changeset_in {
    struct fd_source src;
    struct pt_unpack *unpack;
    struct pt_error *err;
};

static int changeset_in_open(struct changeset_in *in, const char *path, struct pt_error *err)
{
    memset(in, 0, sizeof(*in));
    in->src.path = path;
    in->err = err;
    in->src.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in->src.fd < 0) {
        pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
        return -1;
    }
    in->unpack = pt_unpack_open(PT_COMPRESSION_ZSTD, fd_read, &in->src);
    return 0;
}

static void changeset_in_close(struct changeset_in *in)
{
    if (in->unpack)
        pt_unpack_close(in->unpack);
    if (in->src.fd >= 0)
        close(in->src.fd);
    in->unpack = NULL;
    in->src.fd = -1;
}

static int changeset_input(void *user, void *data, int *n)
{
    struct changeset_in *in = user;
    ssize_t got = pt_unpack_read(in->unpack, data, (size_t)*n, in->err);
    if (got < 0)
        return SQLITE_IOERR;
    *n = (int)got;
    return SQLITE_OK;
}

struct changeset_out {
    struct pt_zstd_writer *zstd;
    struct pt_error *err;
};

static int changeset_output(void *user, const void *data, int n)
{
    struct changeset_out *out = user;
    return pt_zstd_writer_write(out->zstd, data, (size_t)n, out->err) == PT_OK ? SQLITE_OK
                                                                               : SQLITE_IOERR;
}

/* Adds the data file of point to g, its checksum proven first. */
static enum pt_status group_add(sqlite3_changegroup *g, const struct pt_change_point *point,
                                struct pt_error *err)
{
    char hex[PT_SHA256_HEX];
    int64_t size;
    if (pt_sha256_file(point->path, hex, &size, err) != PT_OK)
        return PT_EFAIL;
    if (strcmp(hex, point->sha256) != 0 || size != point->size)
        return pt_error_set(err, PT_EFAIL,
                            _("change set %s is damaged (its checksum differs); not merged"),
                            point->name);
    struct changeset_in in;
    if (changeset_in_open(&in, point->path, err) != 0)
        return PT_EFAIL;
    int rc = sqlite3changegroup_add_strm(g, changeset_input, &in);
    changeset_in_close(&in);
    if (rc != SQLITE_OK)
        return pt_error_set(err, PT_EFAIL, _("cannot merge change set %s: %s"), point->name,
                            sqlite3_errstr(rc));
    return PT_OK;
}

/* ---- a chain built anew ---- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Writes doc as dest (0600, fsynced), with the mode of like. */
static enum pt_status write_json(const char *dest, json_t *doc, const char *like,
                                 struct pt_error *err)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    struct pt_file_writer w;
    enum pt_status rc = pt_file_writer_open(&w, dest, err);
    if (rc == PT_OK) {
        if ((rc = pt_file_writer_puts(&w, text, err)) == PT_OK &&
            (rc = pt_file_writer_puts(&w, "\n", err)) == PT_OK) {
            char hex[PT_SHA256_HEX];
            int64_t size;
            rc = pt_file_writer_close(&w, hex, &size, err);
        } else {
            pt_file_writer_abort(&w);
        }
    }
    free(text);
    struct stat st;
    if (rc == PT_OK && stat(like, &st) == 0)
        chmod(dest, st.st_mode & 0777);
    return rc;
}

/*
 * The state a merged point leads to: the newest's row counts and
 * sqlite_sequence. Its changed_sha256 hashed the rows the newest
 * changeset names, not those the merged one does, so it goes
 * (docs/changes.md, "Proof"): the merged point is proved by its counts,
 * its sequence and the conflicts a wrong base raises on apply.
 */
static json_t *merged_state(const struct pt_change_point *const *g, size_t k)
{
    json_t *state = json_deep_copy(g[k - 1]->state);
    json_object_del(state, "changed_sha256");
    return state;
}

/* The columns of table as the newest of g[0..k) that touched it names them. */
static void copy_columns(struct pt_change_table *t, const struct pt_change_point *const *g,
                         size_t k)
{
    for (size_t i = k; i-- > 0;)
        for (size_t j = 0; j < g[i]->n_tables; j++) {
            const struct pt_change_table *o = &g[i]->tables[j];
            if (strcmp(o->name, t->name) != 0)
                continue;
            t->columns = pt_xcalloc(o->n_columns + 1, sizeof(*t->columns));
            for (size_t c = 0; c < o->n_columns; c++)
                t->columns[c] = pt_xstrdup(o->columns[c]);
            t->n_columns = o->n_columns;
            return;
        }
}

/* point's NAME.json written into dir (the mode of its JSON in old_dir). */
static enum pt_status write_point(const char *old_dir, const char *dir,
                                  const struct pt_change_point *point, struct pt_error *err)
{
    json_t *doc = pt_changes_point_document(point);
    char *dest = pt_xasprintf("%s/%s.json", dir, point->name);
    char *like = pt_xasprintf("%s/%s.json", old_dir, point->name);
    enum pt_status rc = write_json(dest, doc, like, err);
    free(dest);
    free(like);
    json_decref(doc);
    return rc;
}

/* Merges g (points g[0..k), oldest first) into dir/<file of the newest> and its JSON. */
static enum pt_status write_merged(const char *old_dir, const char *dir, int level,
                                   const struct pt_change_point *const *g, size_t k, int seq,
                                   struct pt_error *err)
{
    const struct pt_change_point *into = g[k - 1];
    enum pt_status rc = PT_OK;
    sqlite3_changegroup *group = NULL;
    if (sqlite3changegroup_new(&group) != SQLITE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("out of memory"));
    for (size_t i = 0; i < k && rc == PT_OK; i++)
        rc = group_add(group, g[i], err);
    char *data = pt_xasprintf("%s/%s", dir, base_name(into->path));
    struct pt_change_point merged;
    pt_change_point_copy(&merged, into);
    if (rc == PT_OK) {
        struct pt_file_writer w;
        rc = pt_file_writer_open(&w, data, err);
        if (rc == PT_OK) {
            struct changeset_out out = {pt_zstd_writer_new(&w, level), err};
            int src = sqlite3changegroup_output_strm(group, changeset_output, &out);
            if (src != SQLITE_OK)
                rc = pt_error_set(err, PT_EFAIL, _("cannot merge change set %s: %s"), into->name,
                                  sqlite3_errstr(src));
            if (rc == PT_OK)
                rc = pt_zstd_writer_end(out.zstd, err);
            pt_zstd_writer_free(out.zstd);
            if (rc == PT_OK)
                rc = pt_file_writer_close(&w, merged.sha256, &merged.size, err);
            else
                pt_file_writer_abort(&w);
        }
    }
    if (group)
        sqlite3changegroup_delete(group);
    step();
    struct pt_change_table *tables = NULL;
    size_t n_tables = 0;
    if (rc == PT_OK)
        rc = pt_changeset_count(data, &tables, &n_tables, err);
    if (rc == PT_OK) {
        struct stat st;
        if (stat(into->path, &st) == 0)
            chmod(data, st.st_mode & 0777);
        for (size_t i = 0; i < n_tables; i++)
            copy_columns(&tables[i], g, k);
        pt_change_tables_free(merged.tables, merged.n_tables);
        merged.tables = tables;
        merged.n_tables = n_tables;
        free(merged.previous);
        merged.previous = pt_xstrdup(g[0]->previous);
        merged.seq = seq;
        merged.first_ms = g[0]->first_ms;
        merged.captures = 0;
        for (size_t i = 0; i < k; i++)
            merged.captures += g[i]->captures > 0 ? g[i]->captures : 1;
        json_decref(merged.state);
        merged.state = merged_state(g, k);
        rc = write_point(old_dir, dir, &merged, err);
    }
    pt_change_point_free(&merged);
    free(data);
    step();
    return rc;
}

/* What becomes of each point of a chain. */
enum fate { KEEP, MERGED_INTO, GOES };

static const struct pt_thin_merge *merge_of(const struct pt_thin_merge *merges, size_t n,
                                            const char *base, const char *name, enum fate *fate)
{
    *fate = KEEP;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(merges[i].base, base) != 0)
            continue;
        if (strcmp(merges[i].into, name) == 0) {
            *fate = MERGED_INTO;
            return &merges[i];
        }
        for (size_t j = 0; j < merges[i].n_names; j++)
            if (strcmp(merges[i].names[j], name) == 0) {
                *fate = GOES;
                return &merges[i];
            }
    }
    return NULL;
}

/* Builds the thinned chain in work (under .poshtiban/tmp) from the chain in dir. */
static enum pt_status build_chain(const char *dir, const char *work, int level,
                                  const struct pt_change_point **chain, size_t len,
                                  const struct pt_thin_merge *merges, size_t n_merges,
                                  struct pt_error *err)
{
    const char **done = pt_xcalloc(2 * len + 1, sizeof(*done));
    size_t n_done = 0;
    enum pt_status rc = PT_OK;
    int seq = 0;
    for (size_t i = 0; i < len && rc == PT_OK; i++) {
        const struct pt_change_point *pt = chain[i];
        enum fate fate;
        const struct pt_thin_merge *m = merge_of(merges, n_merges, pt->base, pt->name, &fate);
        char *json_name = pt_xasprintf("%s.json", pt->name);
        done[n_done++] = json_name;
        done[n_done++] = base_name(pt->path);
        if (fate == GOES)
            continue;
        seq++;
        if (fate == MERGED_INTO) {
            /* The run merged: the points from i - n_names to i. */
            size_t k = m->n_names + 1;
            if (i + 1 < k) {
                rc = pt_error_set(err, PT_EFAIL, _("change set %s: its chain changed"), pt->name);
                break;
            }
            for (size_t j = 0; j + 1 < k; j++)
                if (strcmp(chain[i + 1 - k + j]->name, m->names[j]) != 0)
                    rc = pt_error_set(err, PT_EFAIL, _("change set %s: its chain changed"),
                                      pt->name);
            if (rc == PT_OK)
                rc = write_merged(dir, work, level, chain + i + 1 - k, k, seq, err);
            continue;
        }
        /* Kept: its data linked as it is, its JSON too unless its seq changes. */
        char *from = pt_xasprintf("%s/%s", dir, base_name(pt->path));
        char *to = pt_xasprintf("%s/%s", work, base_name(pt->path));
        if (link(from, to) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), to, strerror(errno));
        free(from);
        free(to);
        from = pt_xasprintf("%s/%s", dir, json_name);
        to = pt_xasprintf("%s/%s", work, json_name);
        if (rc == PT_OK && pt->seq == seq) {
            if (link(from, to) != 0)
                rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), to, strerror(errno));
        } else if (rc == PT_OK) {
            struct pt_change_point renumbered;
            pt_change_point_copy(&renumbered, pt);
            renumbered.seq = seq;
            rc = write_point(dir, work, &renumbered, err);
            pt_change_point_free(&renumbered);
            step();
        }
        free(from);
        free(to);
    }
    /* Anything else of the chain's folder (what the list left out) stays as it was. */
    DIR *d = rc == PT_OK ? opendir(dir) : NULL;
    if (rc == PT_OK && !d)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), dir, strerror(errno));
    struct dirent *e;
    while (d && rc == PT_OK && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            named(done, n_done, e->d_name))
            continue;
        char *from = pt_path_join(dir, e->d_name), *to = pt_path_join(work, e->d_name);
        struct stat st;
        if (lstat(from, &st) != 0 || !S_ISREG(st.st_mode))
            rc = pt_error_set(err, PT_EFAIL, _("%s is not a file of a change set; not thinned"),
                              from);
        else if (link(from, to) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), to, strerror(errno));
        free(from);
        free(to);
    }
    if (d)
        closedir(d);
    for (size_t i = 0; i < n_done; i += 2)
        free((char *)done[i]);
    free(done);
    if (rc == PT_OK && pt_fsync_dir(work) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), work, strerror(errno));
    return rc;
}

static enum pt_status thin_chain(const struct pt_project *p, int level,
                                 const struct pt_change_list *list, const char *base,
                                 const struct pt_thin_merge *merges, size_t n_merges,
                                 struct pt_error *err)
{
    char *dir = pt_xasprintf("%s/%s/%s", p->backups, PT_CHANGES_DIR, base);
    char *work = pt_xasprintf("%s/thin-%s", p->tmp, base);
    /* A thinning killed earlier left its work here: the chain is whole either way. */
    pt_remove_tree(work);
    enum pt_status rc = PT_OK;
    if (pt_mkdir_p(work, 0700) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), work, strerror(errno));
    size_t len = 0;
    const struct pt_change_point **chain = chain_of(list, base, &len);
    if (rc == PT_OK)
        rc = build_chain(dir, work, level, chain, len, merges, n_merges, err);
    free(chain);
    step();
    if (rc == PT_OK && renameat2(AT_FDCWD, work, AT_FDCWD, dir, RENAME_EXCHANGE) != 0)
        rc = pt_error_set(err, PT_EFAIL,
                          errno == EINVAL || errno == ENOSYS
                              ? _("cannot thin the change sets of %s: this filesystem cannot swap "
                                  "two folders in one step; they are kept as they are")
                              : _("cannot thin the change sets of %s: %s"),
                          base, strerror(errno));
    if (rc == PT_OK) {
        char *parent = pt_xasprintf("%s/%s", p->backups, PT_CHANGES_DIR);
        pt_fsync_dir(parent);
        free(parent);
        step();
    }
    /* Now the old chain (or the new one that failed): not needed. */
    pt_remove_tree(work);
    if (rc == PT_OK)
        step();
    free(dir);
    free(work);
    return rc;
}

enum pt_status pt_thin_apply(const struct pt_project *p, struct pt_catalog *c,
                             const struct pt_thin_merge *merges, size_t n, struct pt_error *err)
{
    if (n == 0)
        return PT_OK;
    struct pt_change_list list;
    enum pt_status rc = pt_changes_list(p, &list, err);
    if (rc != PT_OK)
        return rc;
    int level = (int)pt_settings_int(c, PT_KEY_BACKUP_COMPRESSION_LEVEL);
    const char **bases = pt_xcalloc(n + 1, sizeof(*bases));
    size_t n_bases = 0;
    for (size_t i = 0; i < n && rc == PT_OK; i++) {
        if (named(bases, n_bases, merges[i].base))
            continue;
        bases[n_bases++] = merges[i].base;
        rc = thin_chain(p, level, &list, merges[i].base, merges, n, err);
    }
    free(bases);
    pt_change_list_free(&list);
    return rc;
}

int pt_thin_remove_chain(const struct pt_project *p, const char *base)
{
    char *dir = pt_xasprintf("%s/%s/%s", p->backups, PT_CHANGES_DIR, base);
    char *gone = pt_xasprintf("%s/gone-%s", p->tmp, base);
    int rc = 0;
    pt_remove_tree(gone);
    if (pt_mkdir_p(p->tmp, 0700) != 0 || rename(dir, gone) != 0) {
        if (errno != ENOENT)
            rc = -1;
    } else {
        char *parent = pt_xasprintf("%s/%s", p->backups, PT_CHANGES_DIR);
        pt_fsync_dir(parent);
        free(parent);
    }
    if (rc == 0 && pt_remove_tree(gone) != 0 && errno != ENOENT)
        rc = -1;
    free(dir);
    free(gone);
    return rc;
}
