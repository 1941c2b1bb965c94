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
#include "engine/row-range.h"
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

/* The table's rows in key order; with between, only those whose rowid is from ?1 to ?2. */
static char *select_sql(const struct pt_table *t, bool between)
{
    size_t cap = 96 + strlen(t->name) * 2;
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
    if (between)
        strcat(sql, " WHERE rowid BETWEEN ?1 AND ?2");
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

/* What writing one table's rows needs. */
struct table_run {
    const struct pt_table *t;
    sqlite3_stmt *st;
    sqlite3_stmt **m2m;
    struct pt_rowjson *rj;
    bool ranged;                  /* cut into row ranges (engine/row-range.h) */
    struct pt_row_ranges written; /* the ranges as written, when ranged */
};

/* The column the rowid is read from: t's last when no column holds it, else its key's. */
static int rowid_column(const struct pt_table *t)
{
    return t->rowid ? (int)t->n_columns : t->pk[0];
}

/* Before a table's first row: "[\n" into its fixture, the separator into the complete file. */
static enum pt_status rows_begin(struct run *run, struct pt_error *err)
{
    enum pt_status rc = part(run, &run->one, NULL, "[\n", err);
    if (rc == PT_OK)
        rc = part(run, &run->all, NULL, run->all_rows ? ",\n" : "[\n", err);
    run->all_rows = true;
    return rc;
}

/* A row counted; every CHECK_EVERY rows, progress and a look at cancel. */
static enum pt_status row_done(struct run *run, struct pt_error *err)
{
    if (++run->done % CHECK_EVERY != 0)
        return PT_OK;
    report_progress(run);
    return cancelled(run) ? pt_error_set(err, PT_ECANCELLED, _("cancelled")) : PT_OK;
}

/*
 * The rows of st into parts of their own, each row after ",\n" but the
 * first when lead is false; begin: the table's "[\n" and separator go
 * before the first row (none: "[]\n" follows). With tr->ranged a part ends
 * after each row a range ends at and the next begins; *rows counts them.
 */
static enum pt_status stream_rows(struct run *run, struct table_run *tr, bool lead, bool begin,
                                  int64_t *rows, struct pt_error *err)
{
    enum pt_status rc = PT_OK;
    bool open = false; /* a part is begun */
    struct pt_row_range *range = NULL;
    int64_t here = 0;
    int step;
    while ((step = sqlite3_step(tr->st)) == SQLITE_ROW) {
        run->row.len = 0;
        int64_t invalid_before = run->invalid_text;
        rc = pt_rowjson_row(tr->rj, tr->st, tr->m2m, &run->row, &run->invalid_text, err);
        if (rc == PT_OK && begin && here == 0)
            rc = rows_begin(run, err);
        if (rc == PT_OK && !open) {
            rc = part(run, &run->one, &run->all, NULL, err);
            open = true;
            if (tr->ranged)
                range = pt_row_ranges_add(&tr->written);
        }
        if (rc == PT_OK && (lead || here > 0))
            rc = pt_fanout_write(run->fan, ",\n", 2, err);
        if (rc == PT_OK)
            rc = pt_fanout_write(run->fan, run->row.data, run->row.len, err);
        if (rc != PT_OK)
            return rc;
        here++;
        (*rows)++;
        if (range) {
            int64_t rowid = sqlite3_column_int64(tr->st, rowid_column(tr->t));
            if (range->rows++ == 0)
                range->first = rowid;
            range->last = rowid;
            range->invalid_text += run->invalid_text - invalid_before;
            if (pt_row_range_ends(rowid)) {
                if ((rc = pt_fanout_close(run->fan, err)) != PT_OK)
                    return rc;
                open = false;
                range = NULL;
            }
        }
        if ((rc = row_done(run, err)) != PT_OK)
            return rc;
    }
    if (step != SQLITE_DONE)
        return pt_error_set(err, PT_EFAIL, _("cannot read table %s: %s"), tr->t->name,
                            sqlite3_errmsg(sqlite3_db_handle(tr->st)));
    if (open)
        rc = tr->ranged ? pt_fanout_close(run->fan, err) : pt_fanout_end(run->fan, err);
    return rc;
}

/*
 * A table whose ranges are known (fixtures-share.h, pt_range_plan): each
 * range the previous fixture holds is copied as it is stored, each other
 * one read with its rowids' bounds and written afresh. Each must hold the
 * rows the snapshot's pages said, or the table fails.
 */
static enum pt_status plan_rows(struct run *run, struct table_run *tr,
                                const struct pt_range_plan *plan, int64_t *rows,
                                struct pt_error *err)
{
    struct pt_file_writer *both[2] = {&run->one.file, &run->all.file};
    enum pt_status rc = rows_begin(run, err);
    for (size_t i = 0; rc == PT_OK && i < plan->ranges->n; i++) {
        const struct pt_row_range *want = &plan->ranges->r[i];
        const struct pt_row_range *from = plan->fd >= 0 ? plan->from[i] : NULL;
        if (from) {
            struct pt_row_range *r = pt_row_ranges_add(&tr->written);
            *r = *from;
            rc = pt_fanout_copy(run->fan, both, 2, plan->fd, (off_t)from->at, from->len, err);
            *rows += from->rows;
            run->invalid_text += from->invalid_text;
            run->done += from->rows;
            report_progress(run);
            if (rc == PT_OK && cancelled(run))
                rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
            continue;
        }
        sqlite3_reset(tr->st);
        sqlite3_bind_int64(tr->st, 1, want->first);
        sqlite3_bind_int64(tr->st, 2, want->last);
        int64_t before = *rows;
        size_t n_before = tr->written.n;
        rc = stream_rows(run, tr, i > 0, false, rows, err);
        /* One range in, one range out: the pages and the rows agree. */
        const struct pt_row_range *got =
            tr->written.n == n_before + 1 ? &tr->written.r[n_before] : NULL;
        if (rc == PT_OK && (!got || *rows - before != want->rows || got->first != want->first ||
                            got->last != want->last))
            rc = pt_error_set(err, PT_EFAIL, _("cannot read table %s: %s"), tr->t->name,
                              _("its rows are not those its pages hold"));
    }
    return rc;
}

/*
 * The rows of a table go once through the compressor, into both files: the
 * table's own fixture is "[\n" rows "\n]\n", and complete_database.json holds
 * the same rows between the other tables'. In a dir backup a table read in
 * rowid order is cut into row ranges, each a part of its own, which the
 * next backup may copy (docs/backup-layout.md, "Shared row ranges").
 */
static enum pt_status write_table(struct run *run, sqlite3 *db, const struct pt_table *t,
                                  int64_t *rows, struct pt_error *err)
{
    struct pt_shared_fixture shared;
    struct pt_fixtures_share *share = run->opts->share;
    char *dest = pt_path_join(run->dir, t->fixture);
    bool take = share && pt_fixtures_share_take(share, t, dest, *rows, &shared);
    free(dest);
    if (take)
        return share_table(run, t, &shared, *rows, err);
    struct table_run tr = {.t = t, .ranged = share && pt_row_range_table(t)};
    struct pt_range_plan plan = {.fd = -1};
    bool planned = tr.ranged && pt_fixtures_share_plan(share, t, &plan);
    int64_t planned_rows = 0;
    for (size_t i = 0; planned && i < plan.ranges->n; i++)
        planned_rows += plan.ranges->r[i].rows;
    if (planned && planned_rows != *rows) {
        /* The pages and the count disagree: read the table whole, as if no range were known. */
        pt_range_plan_free(&plan);
        planned = false;
    }
    char *sql = select_sql(t, planned);
    tr.m2m = pt_xcalloc(t->n_m2m + 1, sizeof(*tr.m2m));
    tr.rj = pt_rowjson_new(t, run->opts->datetime_utc);
    enum pt_status rc = PT_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &tr.st, NULL) != SQLITE_OK) {
        rc =
            pt_error_set(err, PT_EFAIL, _("cannot read table %s: %s"), t->name, sqlite3_errmsg(db));
        goto out;
    }
    for (size_t i = 0; i < t->n_m2m; i++)
        if (!(tr.m2m[i] = prepare_m2m(db, &t->m2m[i]))) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot read table %s: %s"), t->m2m[i].through,
                              sqlite3_errmsg(db));
            goto out;
        }
    if ((rc = out_open(run, &run->one, t->fixture, err)) != PT_OK)
        goto out;
    *rows = 0;
    rc = planned ? plan_rows(run, &tr, &plan, rows, err)
                 : stream_rows(run, &tr, false, true, rows, err);
    /* Every part written, even after a failure: the copies read plan.fd until then. */
    enum pt_status waited = pt_fanout_wait(run->fan, rc == PT_OK ? err : NULL);
    if (rc == PT_OK)
        rc = waited;
    const struct pt_fanout_span *spans;
    size_t n_spans = pt_fanout_spans(run->fan, &spans);
    if (rc == PT_OK && tr.ranged && n_spans == tr.written.n) {
        for (size_t i = 0; i < n_spans; i++) {
            tr.written.r[i].at = spans[i].at;
            tr.written.r[i].len = spans[i].len;
        }
        pt_fixtures_share_written_ranges(share, t->name, &tr.written);
    }
    if (rc == PT_OK)
        rc = part(run, &run->one, NULL, *rows > 0 ? "\n]\n" : "[]\n", err);
    if (rc == PT_OK)
        rc = out_close(run, &run->one, t->fixture, err);
out:
    pt_range_plan_free(&plan);
    pt_row_ranges_free(&tr.written);
    pt_rowjson_free(tr.rj);
    for (size_t i = 0; i < t->n_m2m; i++)
        sqlite3_finalize(tr.m2m[i]);
    free(tr.m2m);
    sqlite3_finalize(tr.st);
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
