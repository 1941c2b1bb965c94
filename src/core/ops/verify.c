// SPDX-License-Identifier: GPL-3.0-or-later
/* verify: a backup's files against SHA256SUMS, its snapshot, its archive; the entry points. */
#include "poshtiban/verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/session.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "base/sums.h"
#include "engine/compress.h"
#include "engine/reader.h"
#include "engine/schema.h"
#include "ops/heal.h"
#include "ops/metrics.h"
#include "ops/verify-changes.h"
#include "ops/verify-internal.h"
#include "ops/verify.h"

/* A file that does not match SHA256SUMS: a media file is healed when it can be. */
static void mismatch(struct pt_verify_walk *v, const char *path, const char *sha256)
{
    if (!v->heal || strncmp(path, "media/", 6) != 0) {
        pt_verify_problem(v, _("%s: checksum mismatch"), path);
        return;
    }
    char *said = NULL;
    size_t before = v->heal->n_healed;
    if (!pt_heal_media_file(v->heal, path, sha256, &said)) {
        pt_verify_problem(v, "%s", said);
        free(said);
        return;
    }
    struct pt_verify_result *r = v->result;
    r->healed = pt_xrealloc(r->healed, (r->n_healed + 1) * sizeof(*r->healed));
    r->healed[r->n_healed++] = pt_text_printable(said);
    r->healed_backups += v->heal->n_healed - before;
    free(said);
}

static int compare_hashed(const void *a, const void *b)
{
    return strcmp(((const struct pt_verify_hashed *)a)->path,
                  ((const struct pt_verify_hashed *)b)->path);
}

static void check_sums(struct pt_verify_walk *v)
{
    if (!v->sums) {
        pt_verify_problem(v, _("SHA256SUMS: missing"));
        return;
    }
    struct pt_sums sums;
    pt_sums_parse(v->sums, &sums);
    if (sums.malformed)
        pt_verify_problem(v, _("SHA256SUMS: a line is not in sha256sum's form"));
    if (sums.duplicates)
        pt_verify_problem(v, _("SHA256SUMS: a file is listed twice"));
    qsort(v->files, v->n_files, sizeof(*v->files), compare_hashed);
    for (size_t i = 0; i < v->n_files; i++) {
        const char *path = v->files[i].path;
        if (i > 0 && strcmp(v->files[i - 1].path, path) == 0) {
            pt_verify_problem(v, _("%s: the backup holds it twice"), path);
            continue;
        }
        struct pt_sum *sum = pt_sums_find(&sums, path);
        if (!sum) {
            if (strcmp(path, "SHA256SUMS") != 0)
                pt_verify_problem(v, _("%s: not listed in SHA256SUMS"), path);
            continue;
        }
        sum->seen = true;
        if (strcmp(sum->sha256, v->files[i].sha256) != 0)
            mismatch(v, path, sum->sha256);
    }
    for (size_t i = 0; i < sums.n; i++)
        if (!sums.list[i].seen)
            pt_verify_problem(v, _("%s: missing"), sums.list[i].path);
    pt_sums_free(&sums);
}

/* SQLite asks this now and then during a long check: nonzero stops it. */
static int stop_when_cancelled(void *user)
{
    const struct pt_verify_walk *v = user;
    return v->monitor && v->monitor->cancel && atomic_load(v->monitor->cancel);
}

static void check_snapshot(struct pt_verify_walk *v)
{
    if (!v->snapshot) {
        if (!v->snapshot_bad)
            pt_verify_problem(v, _("database.sqlite3: missing"));
        return;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(v->snapshot, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        pt_verify_problem(v, _("database.sqlite3: cannot open: %s"), sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    sqlite3_progress_handler(db, 100000, stop_when_cancelled, v);
    sqlite3_stmt *st;
    const char *check = v->deep ? "PRAGMA integrity_check" : "PRAGMA quick_check";
    if (sqlite3_prepare_v2(db, check, -1, &st, NULL) != SQLITE_OK) {
        pt_verify_problem(v, _("database.sqlite3: integrity check failed: %s"), sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    int step = sqlite3_step(st);
    const char *verdict = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    bool intact = verdict && strcmp(verdict, "ok") == 0;
    if (!intact)
        pt_verify_problem(v, _("database.sqlite3: integrity check failed: %s"),
                          verdict ? verdict : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    /*
     * The report's name and tables through SQLite's JSON functions, which
     * walk the text: a report that lists 100,000 media files is never made
     * into a tree (docs/backup-layout.md).
     */
    sqlite3_stmt *q = NULL;
    char *named = NULL;
    bool valid = v->report &&
                 sqlite3_prepare_v2(db, "SELECT json_valid(?1), json_extract(?1, '$.name')", -1, &q,
                                    NULL) == SQLITE_OK &&
                 sqlite3_bind_text(q, 1, v->report, -1, SQLITE_STATIC) == SQLITE_OK &&
                 sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 1;
    if (valid && sqlite3_column_type(q, 1) == SQLITE_TEXT)
        named = pt_xstrdup((const char *)sqlite3_column_text(q, 1));
    sqlite3_finalize(q);
    if (!valid)
        pt_verify_problem(v, _("backup_report.json: not valid JSON"));
    else if (!named || strcmp(named, v->record->name) != 0)
        pt_verify_problem(v, _("backup_report.json: it is the report of another backup (%s)"),
                          named ? named : "?");
    free(named);
    q = NULL;
    if (valid && intact &&
        sqlite3_prepare_v2(db,
                           "SELECT json_extract(value, '$.name'), json_extract(value, '$.rows') "
                           "FROM json_each(?1, '$.tables')",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_bind_text(q, 1, v->report, -1, SQLITE_STATIC) == SQLITE_OK) {
        while (sqlite3_step(q) == SQLITE_ROW) {
            if (sqlite3_column_type(q, 0) != SQLITE_TEXT)
                continue;
            const char *name = (const char *)sqlite3_column_text(q, 0);
            int64_t want = sqlite3_column_int64(q, 1);
            int64_t got = pt_schema_count_rows(db, name);
            if (got != want) {
                char *a = pt_l10n_int(got), *b = pt_l10n_int(want);
                pt_verify_problem(
                    v, _("database.sqlite3: table %s has %s rows, the report says %s"), name, a, b);
                free(a);
                free(b);
            }
        }
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* The archive file against the SHA-256 recorded beside it when it was made. */
static void check_archive_file(struct pt_verify_walk *v)
{
    const char *file = strrchr(v->record->path, '/');
    file = file ? file + 1 : v->record->path;
    char *sidecar = pt_xasprintf("%s.sha256", v->record->path);
    char *recorded = pt_read_file(sidecar, 4096, NULL);
    char hex[PT_SHA256_HEX];
    if (!recorded || strlen(recorded) < 64)
        pt_verify_problem(v, _("%s.sha256: missing"), file);
    else if (pt_sha256_file(v->record->path, hex, NULL, NULL) != PT_OK)
        pt_verify_problem(v, _("%s: cannot be read"), file);
    else if (strncmp(hex, recorded, 64) != 0)
        pt_verify_problem(v, _("%s: checksum mismatch"), file);
    free(recorded);
    free(sidecar);
}

/*
 * Checks r's files; heal (may be NULL) heals damaged media files on the
 * way; chains checks the change sets whose base it is, too.
 */
static enum pt_status verify_record_with(const struct pt_project *p, const struct pt_record *r,
                                         bool deep, struct pt_heal *heal, bool chains,
                                         const struct pt_monitor *monitor,
                                         struct pt_verify_result *result, struct pt_error *err)
{
    memset(result, 0, sizeof(*result));
    result->ok = true;
    struct pt_verify_walk v = {.project = p,
                               .record = r,
                               .monitor = monitor,
                               .result = result,
                               .deep = deep,
                               .heal = heal};
    v.buf = pt_xmalloc(PT_VERIFY_BUF_SIZE);
    if (pt_reader_archive_suffix(r->format))
        check_archive_file(&v);
    struct pt_error walk_err = {0};
    enum pt_status walked = pt_reader_walk(r, pt_verify_check_entry, &v, &walk_err);
    enum pt_status rc = PT_OK;
    if (walked == PT_ECANCELLED) {
        rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    } else if (v.failed.status != PT_OK) {
        rc = pt_error_set(err, v.failed.status, "%s", v.failed.message);
    } else if (walked != PT_OK) {
        pt_verify_problem(&v, "%s", walk_err.message ? walk_err.message : _("cannot be read"));
    } else {
        check_sums(&v);
        check_snapshot(&v);
        pt_verify_check_fixture_counts(&v);
        /* The chain is rebuilt on the snapshot only when the backup is intact. */
        if (chains)
            rc = pt_verify_changes(p, r->name, deep, result->ok ? v.snapshot : NULL, monitor,
                                   result, err);
    }
    pt_error_clear(&walk_err);
    pt_error_clear(&v.failed);
    if (v.snapshot_is_temp && v.snapshot)
        unlink(v.snapshot);
    free(v.snapshot);
    free(v.sums);
    free(v.report);
    for (size_t i = 0; i < v.n_files; i++)
        free(v.files[i].path);
    free(v.files);
    for (size_t i = 0; i < v.n_counts; i++)
        free(v.counts[i].path);
    free(v.counts);
    free(v.buf);
    if (rc != PT_OK)
        pt_verify_result_free(result);
    return rc;
}

enum pt_status pt_verify_record(const struct pt_project *p, const struct pt_record *r, bool deep,
                                const struct pt_monitor *monitor, struct pt_verify_result *result,
                                struct pt_error *err)
{
    return verify_record_with(p, r, deep, NULL, false, monitor, result, err);
}

/* With locked, the caller holds the lock; otherwise heal takes it to heal. */
static enum pt_status verify_in(const struct pt_project *p, struct pt_catalog *c, bool locked,
                                const char *id, bool deep, bool heals, bool chains,
                                const struct pt_monitor *monitor, struct pt_record *out,
                                struct pt_verify_result *result, struct pt_error *err)
{
    memset(result, 0, sizeof(*result));
    result->ok = true;
    struct pt_record r = {0};
    enum pt_status rc;
    if ((rc = pt_catalog_get(c, id, &r, err)) != PT_OK)
        goto out;
    if (r.status != PT_STATE_COMPLETED) {
        rc = pt_error_set(err, PT_EINVAL,
                          _("backup %s is not complete (%s): there is nothing to verify"), r.name,
                          pt_state_label(r.status));
        goto out;
    }
    struct pt_heal heal;
    pt_heal_init(&heal, p, c, &r, locked);
    rc = verify_record_with(p, &r, deep, heals ? &heal : NULL, chains, monitor, result, err);
    pt_heal_done(&heal);
    if (rc != PT_OK) {
        result->ok = true; /* not checked: nothing is recorded */
        goto out;
    }
    char iso[32];
    pt_time_iso(p->now_ms, iso);
    free(r.verified_at);
    r.verified_at = pt_xstrdup(iso);
    r.verify_ok = result->ok ? 1 : 0;
    rc = pt_catalog_set_verified(c, r.id, r.verified_at, r.verify_ok == 1, err);
out:
    if (!locked && rc == PT_OK)
        pt_metrics_update(p, c);
    if (out && rc == PT_OK)
        *out = r;
    else
        pt_record_free(&r);
    return rc;
}

enum pt_status pt_verify_backup(struct pt_session *s, const char *id, bool deep,
                                const struct pt_monitor *monitor, struct pt_record *out,
                                struct pt_verify_result *result, struct pt_error *err)
{
    memset(result, 0, sizeof(*result));
    struct pt_catalog *c;
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_READ, &c, err);
    if (rc != PT_OK)
        return rc;
    /* The change sets too: restore, pull and auto, which hold the lock, check the backup alone. */
    return verify_in(s->project, c, false, id, deep, true, true, monitor, out, result, err);
}

enum pt_status pt_verify_backup_locked(const struct pt_project *p, struct pt_catalog *c,
                                       const char *id, bool deep, bool heal,
                                       const struct pt_monitor *monitor, struct pt_record *out,
                                       struct pt_verify_result *result, struct pt_error *err)
{
    return verify_in(p, c, true, id, deep, heal, false, monitor, out, result, err);
}

void pt_verify_result_free(struct pt_verify_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->problems[i]);
    free(r->problems);
    for (size_t i = 0; i < r->n_notes; i++)
        free(r->notes[i]);
    free(r->notes);
    for (size_t i = 0; i < r->n_healed; i++)
        free(r->healed[i]);
    free(r->healed);
    for (size_t i = 0; i < r->n_change_problems; i++)
        free(r->change_problems[i]);
    free(r->change_problems);
    memset(r, 0, sizeof(*r));
}
