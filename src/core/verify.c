// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "filewriter.h"
#include "fsutil.h"
#include "i18n.h"
#include "poshtiban/backup.h"
#include "poshtiban/catalog.h"
#include "poshtiban/timefmt.h"
#include "reader.h"
#include "schema.h"
#include "sums.h"
#include "poshtiban/text.h"
#include "poshtiban/l10n.h"

#define BUF_SIZE (256 * 1024)

struct hashed {
    char *path;
    char sha256[PT_SHA256_HEX];
};

/* Checks a JSON file of ours line by line: "[", one object per line, "]". */
struct json_lines {
    char *line;
    size_t len, cap;
    int state; /* 0 before "[", 1 inside, 2 after "]" */
    long lineno;
    bool bad;
};

struct verify {
    const struct pt_project *project;
    const struct pt_record *record;
    const struct pt_monitor *monitor;
    struct pt_verify_result *result;
    struct hashed *files;
    size_t n_files, cap_files;
    char *sums;   /* SHA256SUMS */
    char *report; /* backup_report.json */
    char *snapshot; /* path of database.sqlite3 to check */
    bool snapshot_is_temp;
    bool deep; /* integrity_check and every JSON parsed */
    unsigned char *buf;
    int64_t done;
};

static void problem(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct verify *v, const char *fmt, ...)
{
    va_list ap;
    char *text = NULL;
    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    if (!text)
        return;
    /*
     * One line, safe on a terminal and in JSON: SQLite's verdicts span
     * lines, and names come from the backup's files.
     */
    for (char *c = text; *c; c++)
        if (*c == '\n')
            *c = ' ';
    char *shown = pt_text_printable(text);
    free(text);
    text = shown;
    struct pt_verify_result *r = v->result;
    r->problems = pt_xrealloc(r->problems, (r->n + 1) * sizeof(*r->problems));
    r->problems[r->n++] = text;
    r->ok = false;
}

static void json_line_end(struct json_lines *j)
{
    char *s = j->line;
    size_t n = j->len;
    j->lineno++;
    j->len = 0;
    if (j->bad)
        return;
    if (j->state == 0) {
        if (n == 1 && s[0] == '[')
            j->state = 1;
        else if (n == 2 && s[0] == '[' && s[1] == ']')
            j->state = 2;
        else
            j->bad = true;
        return;
    }
    if (j->state == 2 || n == 0) {
        j->bad = true;
        return;
    }
    if (n == 1 && s[0] == ']') {
        j->state = 2;
        return;
    }
    if (s[n - 1] == ',')
        n--;
    json_t *o = json_loadb(s, n, 0, NULL);
    if (!json_is_object(o))
        j->bad = true;
    json_decref(o);
}

/*
 * One row per line; no row of a fixture is this long (a BLOB of ~48 MB in
 * base64). Past it the file is called bad rather than held in memory.
 */
#define JSON_LINE_MAX ((size_t)64 << 20)

static void json_lines_feed(struct json_lines *j, const char *data, size_t n)
{
    for (size_t i = 0; i < n && !j->bad; i++) {
        if (data[i] == '\n') {
            json_line_end(j);
            continue;
        }
        if (j->len + 1 >= JSON_LINE_MAX) {
            j->bad = true;
            break;
        }
        if (j->len + 1 >= j->cap)
            j->line = pt_xrealloc(j->line, j->cap = j->cap ? j->cap * 2 : 4096);
        j->line[j->len++] = data[i];
    }
}

static bool json_lines_ok(struct json_lines *j)
{
    if (j->len > 0)
        json_line_end(j);
    free(j->line);
    return !j->bad && j->state == 2;
}

static bool streamed_json(const char *path)
{
    return strcmp(path, "complete_database.json") == 0 ||
           (strncmp(path, "fixtures/", 9) == 0 && strchr(path + 9, '/') == NULL);
}

static enum pt_status check_entry(const struct pt_entry *e, struct pt_reader *rd, void *user,
                                  struct pt_error *err)
{
    struct verify *v = user;
    if (e->type != PT_ENTRY_FILE)
        return PT_OK;
    bool keep = strcmp(e->path, "SHA256SUMS") == 0 || strcmp(e->path, "backup_report.json") == 0;
    bool is_db = strcmp(e->path, "database.sqlite3") == 0;
    bool lines = v->deep && streamed_json(e->path);
    struct pt_file_writer copy = {.fd = -1};
    bool copying = false;
    if (is_db && pt_reader_archive_suffix(v->record->format)) {
        free(v->snapshot);
        v->snapshot = pt_xasprintf("%s/verify-%ld-%s.sqlite3", v->project->tmp, (long)getpid(),
                                   v->record->name);
        unlink(v->snapshot);
        if (pt_file_writer_open(&copy, v->snapshot, err) != PT_OK)
            return PT_EFAIL;
        copying = v->snapshot_is_temp = true;
    } else if (is_db) {
        free(v->snapshot);
        v->snapshot = pt_path_join(v->record->path, "database.sqlite3");
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    struct json_lines jl = {0};
    size_t kept_len = 0, kept_cap = 0;
    char *kept = NULL;
    enum pt_status rc = PT_OK;
    for (;;) {
        ssize_t n = pt_reader_read(rd, v->buf, BUF_SIZE, err);
        if (n < 0) {
            rc = PT_EFAIL;
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(md, v->buf, (size_t)n);
        if (lines)
            json_lines_feed(&jl, (const char *)v->buf, (size_t)n);
        if (copying && (rc = pt_file_writer_write(&copy, v->buf, (size_t)n, err)) != PT_OK)
            break;
        if (keep && kept_len + (size_t)n > PT_SMALL_FILE_MAX) {
            rc = pt_error_set(err, PT_EFAIL,
                              _("%s is larger than poshtiban ever writes it: refused"), e->path);
            break;
        }
        if (keep) {
            if (kept_len + (size_t)n + 1 > kept_cap)
                kept = pt_xrealloc(kept, kept_cap = (kept_len + (size_t)n + 1) * 2);
            memcpy(kept + kept_len, v->buf, (size_t)n);
            kept_len += (size_t)n;
            kept[kept_len] = '\0';
        }
        v->done += n;
        if (v->monitor && v->monitor->progress) {
            struct pt_progress p = {PT_PHASE_VERIFY, v->done, v->record->size_bytes, e->path};
            v->monitor->progress(&p, v->monitor->user);
        }
        if (v->monitor && v->monitor->cancel && atomic_load(v->monitor->cancel)) {
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
            break;
        }
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_DigestFinal_ex(md, digest, &dlen);
    EVP_MD_CTX_free(md);
    bool json_ok = lines ? json_lines_ok(&jl) : true;
    if (copying) {
        if (rc == PT_OK)
            rc = pt_file_writer_close(&copy, NULL, NULL, err);
        else
            pt_file_writer_abort(&copy);
    }
    if (rc != PT_OK) {
        free(kept);
        return rc;
    }
    if (lines && !json_ok)
        problem(v, _("%s: not valid JSON"), e->path);
    if (keep && strcmp(e->path, "SHA256SUMS") == 0) {
        free(v->sums);
        v->sums = kept ? kept : pt_xstrdup("");
    } else if (keep) {
        free(v->report);
        v->report = kept ? kept : pt_xstrdup("");
    }
    if (v->n_files == v->cap_files)
        v->files = pt_xrealloc(v->files, (v->cap_files = v->cap_files ? v->cap_files * 2 : 64) *
                                             sizeof(*v->files));
    struct hashed *h = &v->files[v->n_files++];
    h->path = pt_xstrdup(e->path);
    pt_sha256_hex(digest, h->sha256);
    return PT_OK;
}

static int compare_hashed(const void *a, const void *b)
{
    return strcmp(((const struct hashed *)a)->path, ((const struct hashed *)b)->path);
}

static void check_sums(struct verify *v)
{
    if (!v->sums) {
        problem(v, _("SHA256SUMS: missing"));
        return;
    }
    struct pt_sums sums;
    pt_sums_parse(v->sums, &sums);
    if (sums.malformed)
        problem(v, _("SHA256SUMS: a line is not in sha256sum's form"));
    if (sums.duplicates)
        problem(v, _("SHA256SUMS: a file is listed twice"));
    qsort(v->files, v->n_files, sizeof(*v->files), compare_hashed);
    for (size_t i = 0; i < v->n_files; i++) {
        const char *path = v->files[i].path;
        if (i > 0 && strcmp(v->files[i - 1].path, path) == 0) {
            problem(v, _("%s: the backup holds it twice"), path);
            continue;
        }
        struct pt_sum *sum = pt_sums_find(&sums, path);
        if (!sum) {
            if (strcmp(path, "SHA256SUMS") != 0)
                problem(v, _("%s: not listed in SHA256SUMS"), path);
            continue;
        }
        sum->seen = true;
        if (strcmp(sum->sha256, v->files[i].sha256) != 0)
            problem(v, _("%s: checksum mismatch"), path);
    }
    for (size_t i = 0; i < sums.n; i++)
        if (!sums.list[i].seen)
            problem(v, _("%s: missing"), sums.list[i].path);
    pt_sums_free(&sums);
}

/* SQLite asks this now and then during a long check: nonzero stops it. */
static int stop_when_cancelled(void *user)
{
    const struct verify *v = user;
    return v->monitor && v->monitor->cancel && atomic_load(v->monitor->cancel);
}

static void check_snapshot(struct verify *v)
{
    if (!v->snapshot) {
        problem(v, _("database.sqlite3: missing"));
        return;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(v->snapshot, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        problem(v, _("database.sqlite3: cannot open: %s"), sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    sqlite3_progress_handler(db, 100000, stop_when_cancelled, v);
    sqlite3_stmt *st;
    const char *check = v->deep ? "PRAGMA integrity_check" : "PRAGMA quick_check";
    if (sqlite3_prepare_v2(db, check, -1, &st, NULL) != SQLITE_OK) {
        problem(v, _("database.sqlite3: integrity check failed: %s"), sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    int step = sqlite3_step(st);
    const char *verdict = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    bool intact = verdict && strcmp(verdict, "ok") == 0;
    if (!intact)
        problem(v, _("database.sqlite3: integrity check failed: %s"),
                verdict ? verdict : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    json_t *report = v->report ? json_loads(v->report, 0, NULL) : NULL;
    const char *named = json_string_value(json_object_get(report, "name"));
    if (!report)
        problem(v, _("backup_report.json: not valid JSON"));
    else if (!named || strcmp(named, v->record->name) != 0)
        problem(v, _("backup_report.json: it is the report of another backup (%s)"),
                named ? named : "?");
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(report, "tables"), i, t)
    {
        if (!intact)
            break;
        const char *name = json_string_value(json_object_get(t, "name"));
        json_int_t want = json_integer_value(json_object_get(t, "rows"));
        if (!name)
            continue;
        int64_t got = pt_schema_count_rows(db, name);
        if (got != want) {
            char *a = pt_l10n_int(got), *b = pt_l10n_int(want);
            problem(v, _("database.sqlite3: table %s has %s rows, the report says %s"), name, a, b);
            free(a);
            free(b);
        }
    }
    json_decref(report);
    sqlite3_close(db);
}

/* The archive file against the SHA-256 recorded beside it when it was made. */
static void check_archive_file(struct verify *v)
{
    const char *file = strrchr(v->record->path, '/');
    file = file ? file + 1 : v->record->path;
    char *sidecar = pt_xasprintf("%s.sha256", v->record->path);
    char *recorded = pt_read_file(sidecar, 4096, NULL);
    char hex[PT_SHA256_HEX];
    if (!recorded || strlen(recorded) < 64)
        problem(v, _("%s.sha256: missing"), file);
    else if (pt_sha256_file(v->record->path, hex, NULL, NULL) != PT_OK)
        problem(v, _("%s: cannot be read"), file);
    else if (strncmp(hex, recorded, 64) != 0)
        problem(v, _("%s: checksum mismatch"), file);
    free(recorded);
    free(sidecar);
}

enum pt_status pt_verify_backup(const struct pt_project *p, const char *id, bool deep,
                                const struct pt_monitor *monitor, struct pt_record *out,
                                struct pt_verify_result *result, struct pt_error *err)
{
    memset(result, 0, sizeof(*result));
    result->ok = true;
    struct pt_catalog *c;
    struct pt_record r = {0};
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_READ, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_catalog_get(c, id, &r, err)) != PT_OK)
        goto out;
    if (r.status != PT_STATE_COMPLETED) {
        rc = pt_error_set(err, PT_EINVAL,
                          _("backup %s is not complete (%s): there is nothing to verify"), r.name,
                          pt_state_label(r.status));
        goto out;
    }
    struct verify v = {
        .project = p, .record = &r, .monitor = monitor, .result = result, .deep = deep};
    v.buf = pt_xmalloc(BUF_SIZE);
    if (pt_reader_archive_suffix(r.format))
        check_archive_file(&v);
    struct pt_error walk_err = {0};
    enum pt_status walked = pt_reader_walk(&r, check_entry, &v, &walk_err);
    if (walked == PT_ECANCELLED) {
        rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    } else {
        if (walked != PT_OK) {
            problem(&v, "%s", walk_err.message ? walk_err.message : _("cannot be read"));
        } else {
            check_sums(&v);
            check_snapshot(&v);
        }
        char iso[32];
        pt_time_iso(p->now_ms, iso);
        free(r.verified_at);
        r.verified_at = pt_xstrdup(iso);
        r.verify_ok = result->ok ? 1 : 0;
        rc = pt_catalog_set_verified(c, r.id, r.verified_at, r.verify_ok == 1, err);
    }
    pt_error_clear(&walk_err);
    if (v.snapshot_is_temp)
        unlink(v.snapshot);
    free(v.snapshot);
    free(v.sums);
    free(v.report);
    for (size_t i = 0; i < v.n_files; i++)
        free(v.files[i].path);
    free(v.files);
    free(v.buf);
out:
    pt_catalog_close(c);
    if (out && rc == PT_OK)
        *out = r;
    else
        pt_record_free(&r);
    return rc;
}

void pt_verify_result_free(struct pt_verify_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->problems[i]);
    free(r->problems);
    memset(r, 0, sizeof(*r));
}
