// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/fixtures.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/i18n.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "engine/compress.h"
#include "engine/fixtures-share.h"
#include "engine/rowjson.h"

#define CHECK_EVERY 1024

struct json_out {
    struct pt_file_writer file;
    bool open;
};

struct run {
    const struct pt_fixture_options *opts;
    const struct pt_monitor *monitor;
    struct pt_manifest *manifest;
    const char *dir;
    int64_t done, total;
    int64_t invalid_text;
    struct pt_rowjson_buf row;
    struct pt_fanout *fan;
    struct json_out all, one; /* complete_database.json, the table's own fixture */
    bool all_rows;            /* complete_database.json has a row already */
};

static enum pt_status out_open(struct run *run, struct json_out *o, const char *rel,
                               struct pt_error *err)
{
    char *path = pt_path_join(run->dir, rel);
    enum pt_status rc = pt_file_writer_open(&o->file, path, err);
    free(path);
    o->open = rc == PT_OK;
    return rc;
}

/* One part of the files: text written to one or both, compressed once (a gzip member). */
static enum pt_status part(struct run *run, struct json_out *a, struct json_out *b,
                           const char *text, struct pt_error *err)
{
    struct pt_file_writer *files[2] = {&a->file, b ? &b->file : NULL};
    enum pt_status rc = pt_fanout_begin(run->fan, files, b ? 2 : 1, err);
    if (rc == PT_OK && text)
        rc = pt_fanout_puts(run->fan, text, err);
    if (rc == PT_OK && text)
        rc = pt_fanout_end(run->fan, err);
    return rc;
}

static enum pt_status out_close(struct run *run, struct json_out *o, const char *rel,
                                struct pt_error *err)
{
    char hex[PT_SHA256_HEX];
    int64_t size;
    o->open = false;
    enum pt_status rc = pt_file_writer_close(&o->file, hex, &size, err);
    if (rc != PT_OK)
        return rc;
    pt_manifest_add(run->manifest, rel, size, hex);
    return PT_OK;
}

static void out_abort(struct json_out *o)
{
    if (o->open)
        pt_file_writer_abort(&o->file);
    o->open = false;
}

static void report_progress(struct run *run)
{
    if (!run->monitor || !run->monitor->progress)
        return;
    struct pt_progress p = {PT_PHASE_FIXTURES, run->done, run->total, NULL};
    run->monitor->progress(&p, run->monitor->user);
}

static bool cancelled(const struct run *run)
{
    return run->monitor && run->monitor->cancel && atomic_load(run->monitor->cancel);
}

static char *select_sql(const struct pt_table *t)
{
    size_t cap = 64 + strlen(t->name) * 2;
    for (size_t i = 0; i < t->n_columns; i++)
        cap += strlen(t->columns[i].name) * 4 + 8;
    char *sql = pt_xcalloc(1, cap);
    strcat(sql, "SELECT ");
    for (size_t i = 0; i < t->n_columns; i++) {
        char *q = pt_sql_quote(t->columns[i].name);
        if (i)
            strcat(sql, ", ");
        strcat(sql, q);
        free(q);
    }
    char *table = pt_sql_quote(t->name);
    strcat(sql, t->n_columns ? (t->rowid ? ", rowid FROM " : " FROM ") : "rowid FROM ");
    strcat(sql, table);
    free(table);
    strcat(sql, " ORDER BY ");
    if (t->rowid)
        strcat(sql, "rowid");
    for (size_t i = 0; i < t->n_pk; i++) {
        char *q = pt_sql_quote(t->columns[t->pk[i]].name);
        if (i)
            strcat(sql, ", ");
        strcat(sql, q);
        free(q);
    }
    return sql;
}

static sqlite3_stmt *prepare_m2m(sqlite3 *db, const struct pt_m2m *m)
{
    char *through = pt_sql_quote(m->through);
    char *owner = pt_sql_quote(m->owner_column);
    char *other = pt_sql_quote(m->other_column);
    char *sql =
        pt_xasprintf("SELECT %s FROM %s WHERE %s = ? ORDER BY \"id\"", other, through, owner);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    free(sql);
    free(through);
    free(owner);
    free(other);
    return st;
}

/*
 * A table proven unchanged (fixtures-share.h): its fixture is linked
 * already, and its rows go into complete_database.json as the linked file
 * stores them, neither read from the snapshot nor compressed again.
 */
static enum pt_status share_table(struct run *run, const struct pt_table *t,
                                  struct pt_shared_fixture *sf, int64_t rows, struct pt_error *err)
{
    struct pt_file_writer *all[1] = {&run->all.file};
    enum pt_status rc = PT_OK;
    if (sf->rows_len > 0) {
        rc = part(run, &run->all, NULL, run->all_rows ? ",\n" : "[\n", err);
        run->all_rows = true;
        if (rc == PT_OK)
            rc = pt_fanout_raw(run->fan, all, 1, sf->fd, sf->rows_at, sf->rows_len, err);
    }
    close(sf->fd);
    if (rc != PT_OK)
        return rc;
    pt_manifest_add(run->manifest, t->fixture, sf->size, sf->sha256);
    run->invalid_text += sf->invalid_text;
    run->done += rows;
    report_progress(run);
    return cancelled(run) ? pt_error_set(err, PT_ECANCELLED, _("cancelled")) : PT_OK;
}

/*
 * The rows of a table go once through the compressor, into both files: the
 * table's own fixture is "[\n" rows "\n]\n", and complete_database.json holds
 * the same rows between the other tables'.
 */
static enum pt_status write_table(struct run *run, sqlite3 *db, const struct pt_table *t,
                                  int64_t *rows, struct pt_error *err)
{
    struct pt_shared_fixture shared;
    char *dest = pt_path_join(run->dir, t->fixture);
    bool take =
        run->opts->share && pt_fixtures_share_take(run->opts->share, t, dest, *rows, &shared);
    free(dest);
    if (take)
        return share_table(run, t, &shared, *rows, err);
    char *sql = select_sql(t);
    sqlite3_stmt *st = NULL;
    sqlite3_stmt **m2m = pt_xcalloc(t->n_m2m + 1, sizeof(*m2m));
    struct pt_rowjson *rj = pt_rowjson_new(t, run->opts->datetime_utc);
    enum pt_status rc = PT_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc =
            pt_error_set(err, PT_EFAIL, _("cannot read table %s: %s"), t->name, sqlite3_errmsg(db));
        goto out;
    }
    for (size_t i = 0; i < t->n_m2m; i++)
        if (!(m2m[i] = prepare_m2m(db, &t->m2m[i]))) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot read table %s: %s"), t->m2m[i].through,
                              sqlite3_errmsg(db));
            goto out;
        }
    if ((rc = out_open(run, &run->one, t->fixture, err)) != PT_OK)
        goto out;
    *rows = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        run->row.len = 0;
        rc = pt_rowjson_row(rj, st, m2m, &run->row, &run->invalid_text, err);
        if (rc == PT_OK && *rows == 0) {
            rc = part(run, &run->one, NULL, "[\n", err);
            if (rc == PT_OK)
                rc = part(run, &run->all, NULL, run->all_rows ? ",\n" : "[\n", err);
            if (rc == PT_OK)
                rc = part(run, &run->all, &run->one, NULL, err);
            run->all_rows = true;
        } else if (rc == PT_OK) {
            rc = pt_fanout_write(run->fan, ",\n", 2, err);
        }
        if (rc == PT_OK)
            rc = pt_fanout_write(run->fan, run->row.data, run->row.len, err);
        if (rc != PT_OK)
            goto out;
        (*rows)++;
        if (++run->done % CHECK_EVERY == 0) {
            report_progress(run);
            if (cancelled(run)) {
                rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
                goto out;
            }
        }
    }
    if (step != SQLITE_DONE) {
        rc =
            pt_error_set(err, PT_EFAIL, _("cannot read table %s: %s"), t->name, sqlite3_errmsg(db));
        goto out;
    }
    if (*rows > 0)
        rc = pt_fanout_end(run->fan, err);
    if (rc == PT_OK)
        rc = part(run, &run->one, NULL, *rows > 0 ? "\n]\n" : "[]\n", err);
    if (rc == PT_OK)
        rc = out_close(run, &run->one, t->fixture, err);
out:
    pt_rowjson_free(rj);
    for (size_t i = 0; i < t->n_m2m; i++)
        sqlite3_finalize(m2m[i]);
    free(m2m);
    sqlite3_finalize(st);
    free(sql);
    return rc;
}

enum pt_status pt_fixtures_write(sqlite3 *db, const struct pt_schema *schema, const char *dir,
                                 const struct pt_fixture_options *opts,
                                 const struct pt_monitor *monitor, struct pt_manifest *manifest,
                                 int64_t *rows, int64_t *invalid_text, struct pt_error *err)
{
    struct run run = {.opts = opts, .monitor = monitor, .manifest = manifest, .dir = dir};
    for (size_t i = 0; i < schema->n_tables; i++) {
        rows[i] = pt_schema_count_rows(db, schema->tables[i].name);
        if (schema->tables[i].fixture && rows[i] > 0)
            run.total += rows[i];
    }
    char *fixtures_dir = pt_path_join(dir, "fixtures");
    int made = mkdir(fixtures_dir, 0700);
    free(fixtures_dir);
    if (made != 0)
        return pt_error_set(err, PT_EFAIL, _("cannot create %s/fixtures: %s"), dir,
                            strerror(errno));
    report_progress(&run);
    char *all = pt_xasprintf("complete_database.json%s", pt_compression_suffix(opts->compression));
    run.fan = pt_fanout_new(opts->compression, opts->gzip_level);
    enum pt_status rc = out_open(&run, &run.all, all, err);
    for (size_t i = 0; rc == PT_OK && i < schema->n_tables; i++)
        if (schema->tables[i].fixture) {
            int64_t invalid_before = run.invalid_text;
            rc = write_table(&run, db, &schema->tables[i], &rows[i], err);
            if (opts->share)
                pt_fixtures_share_written(opts->share, schema->tables[i].name,
                                          run.invalid_text - invalid_before);
        }
    if (rc == PT_OK)
        rc = part(&run, &run.all, NULL, run.all_rows ? "\n]\n" : "[]\n", err);
    if (rc == PT_OK)
        rc = out_close(&run, &run.all, all, err);
    /* No table changed: the complete file is the previous backup's too. */
    if (rc == PT_OK && opts->share) {
        char *path = pt_path_join(dir, all);
        pt_fixtures_share_same(opts->share, all, path,
                               run.manifest->entries[run.manifest->n - 1].sha256);
        free(path);
    }
    /* The fixtures' names, linked ones among them, reach the disk with their files. */
    fixtures_dir = pt_path_join(dir, "fixtures");
    if (rc == PT_OK && pt_fsync_dir(fixtures_dir) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), fixtures_dir, strerror(errno));
    free(fixtures_dir);
    /* The thread first: it may still be writing to the files removed next. */
    pt_fanout_free(run.fan);
    out_abort(&run.one);
    out_abort(&run.all);
    free(all);
    report_progress(&run);
    free(run.row.data);
    *invalid_text = run.invalid_text;
    return rc;
}
