// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/verify.h"
#include "poshtiban/session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "engine/compress.h"
#include "ops/backup-internal.h"
#include "base/filewriter.h"
#include "base/fsutil.h"
#include "ops/metrics.h"
#include "poshtiban/i18n.h"
#include "poshtiban/backup.h"
#include "poshtiban/catalog.h"
#include "poshtiban/timefmt.h"
#include "engine/reader.h"
#include "engine/schema.h"
#include "base/sums.h"
#include "ops/heal.h"
#include "ops/verify-changes.h"
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
    int64_t objects; /* the objects read, one a line */
    bool bad;
};

/* A JSON file of rows, and how many objects it holds (verify --deep). */
struct counted {
    char *path;
    int64_t objects;
};

struct verify {
    const struct pt_project *project;
    const struct pt_record *record;
    const struct pt_monitor *monitor;
    struct pt_verify_result *result;
    struct hashed *files;
    size_t n_files, cap_files;
    char *sums;     /* SHA256SUMS */
    char *report;   /* backup_report.json */
    char *snapshot; /* path of database.sqlite3 to check */
    bool snapshot_is_temp;
    bool snapshot_bad; /* a compressed snapshot that could not be unpacked: said already */
    bool deep;         /* integrity_check and every JSON parsed */
    /* Could not be checked for want of room or a write (not damage): what failed. */
    struct pt_error failed;
    unsigned char *buf;
    int64_t done;
    struct counted *counts; /* every JSON file of rows that parsed */
    size_t n_counts;
    struct pt_heal *heal; /* heals damaged media files; NULL: none */
};

static void problem(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct verify *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = pt_xvasprintf(fmt, ap);
    va_end(ap);
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
    else
        j->objects++;
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

/* complete_database.json and fixtures/<label>.json, plain or gzip. */
static bool streamed_json(const char *path, enum pt_compression *c)
{
    if (pt_compression_match(path, "complete_database.json", c))
        return *c != PT_COMPRESSION_ZSTD;
    if (strncmp(path, "fixtures/", 9) != 0 || strchr(path + 9, '/'))
        return false;
    size_t n = strlen(path);
    *c = n > 12 && strcmp(path + n - 3, ".gz") == 0 ? PT_COMPRESSION_GZIP : PT_COMPRESSION_NONE;
    return true;
}

/* A member as it is read: hashed as stored, counted for progress, kept when small and wanted. */
struct tee {
    struct verify *v;
    struct pt_reader *rd;
    const struct pt_entry *e;
    EVP_MD_CTX *md;
    bool keep;
    char *kept;
    size_t kept_len, kept_cap;
    /* The report: only what precedes its top-level "files" (scanned as it streams). */
    bool head_only, cut;
    int depth;
    bool in_string, escaped, is_key, files_key;
    size_t comma, string_start;
};

/*
 * Follows the report's JSON byte by byte, at the top level only, until the
 * key "files": everything before its comma is what verify reads (name,
 * tables); the list of files, 100,000 lines perhaps, is hashed as the rest
 * is, but never kept (docs/backup-layout.md).
 */
static void scan_head(struct tee *t, size_t from)
{
    for (size_t i = from; i < t->kept_len && !t->cut; i++) {
        char c = t->kept[i];
        if (t->in_string) {
            if (t->escaped)
                t->escaped = false;
            else if (c == '\\')
                t->escaped = true;
            else if (c == '"') {
                t->in_string = false;
                t->files_key = t->is_key && i - t->string_start == 5 &&
                               memcmp(t->kept + t->string_start, "files", 5) == 0;
            }
            continue;
        }
        if (c == '"') {
            t->in_string = true;
            t->string_start = i + 1;
            t->is_key = t->depth == 1 && t->is_key;
        } else if (c == '{' || c == '[') {
            t->depth++;
            t->is_key = c == '{' && t->depth == 1;
            if (t->is_key)
                t->comma = i + 1;
        } else if (c == '}' || c == ']') {
            t->depth--;
        } else if (c == ',' && t->depth == 1) {
            t->comma = i;
            t->is_key = true;
        } else if (c == ':' && t->depth == 1) {
            if (t->files_key) {
                t->cut = true;
                t->kept_len = t->comma;
                t->kept[t->kept_len] = '\0';
            }
            t->is_key = false;
        }
    }
}

static ssize_t tee_read(void *user, void *buf, size_t len, struct pt_error *err)
{
    struct tee *t = user;
    struct verify *v = t->v;
    ssize_t n = pt_reader_read(t->rd, buf, len, err);
    if (n <= 0)
        return n;
    EVP_DigestUpdate(t->md, buf, (size_t)n);
    if (t->keep) {
        if (t->kept_len + (size_t)n > PT_SMALL_FILE_MAX) {
            pt_error_set(err, PT_EFAIL, _("%s is larger than poshtiban ever writes it: refused"),
                         t->e->path);
            return -1;
        }
        if (t->kept_len + (size_t)n + 1 > t->kept_cap)
            t->kept = pt_xrealloc(t->kept, t->kept_cap = (t->kept_len + (size_t)n + 1) * 2);
        memcpy(t->kept + t->kept_len, buf, (size_t)n);
        t->kept_len += (size_t)n;
        t->kept[t->kept_len] = '\0';
        if (t->head_only) {
            scan_head(t, t->kept_len - (size_t)n);
            t->keep = !t->cut;
        }
    }
    v->done += n;
    if (v->monitor && v->monitor->progress) {
        struct pt_progress p = {PT_PHASE_VERIFY, v->done, v->record->size_bytes, t->e->path};
        v->monitor->progress(&p, v->monitor->user);
    }
    if (v->monitor && v->monitor->cancel && atomic_load(v->monitor->cancel)) {
        pt_error_set(err, PT_ECANCELLED, _("cancelled"));
        return -1;
    }
    return n;
}

static bool verify_cancelled(const struct verify *v)
{
    return v->monitor && v->monitor->cancel && atomic_load(v->monitor->cancel);
}

/* What a damaged compressed member says: a problem of the backup, not a failure to read it. */
static void damaged_member(struct verify *v, const char *path, struct pt_error *why)
{
    problem(v, "%s: %s", path, why->message ? why->message : _("damaged"));
    pt_error_clear(why);
}

/* Keeps how many objects a JSON file of rows holds, for check_fixture_counts. */
static void count_objects(struct verify *v, const char *path, int64_t objects)
{
    v->counts = pt_xrealloc(v->counts, (v->n_counts + 1) * sizeof(*v->counts));
    v->counts[v->n_counts++] = (struct counted){pt_xstrdup(path), objects};
}

static int compare_counted(const void *a, const void *b)
{
    return strcmp(((const struct counted *)a)->path, ((const struct counted *)b)->path);
}

/* In v->counts, sorted by path (a hostile report may list many tables). */
static const struct counted *find_count(const struct verify *v, const char *path)
{
    struct counted key = {(char *)path, 0};
    return bsearch(&key, v->counts, v->n_counts, sizeof(*v->counts), compare_counted);
}

static void count_mismatch(struct verify *v, const char *path, int64_t got, int64_t want)
{
    char *a = pt_l10n_int(got), *b = pt_l10n_int(want);
    problem(v, _("%s: %s objects, the report says %s rows"), path, a, b);
    free(a);
    free(b);
}

/*
 * verify --deep: each fixture holds one object per row of its table, as the
 * report counts them, and the complete fixture all of them: a fixture cut
 * to "[]" or short of an object, resealed in SHA256SUMS, is found.
 * The report is read with SQLite's JSON functions, as check_snapshot does.
 */
static void check_fixture_counts(struct verify *v)
{
    if (!v->deep || !v->report || v->n_counts == 0)
        return;
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT json_extract(value, '$.fixture'), json_extract(value, '$.rows') "
                           "FROM json_each(?1, '$.tables') WHERE json_valid(?1)",
                           -1, &q, NULL) != SQLITE_OK ||
        sqlite3_bind_text(q, 1, v->report, -1, SQLITE_STATIC) != SQLITE_OK) {
        sqlite3_finalize(q);
        sqlite3_close(db);
        return;
    }
    qsort(v->counts, v->n_counts, sizeof(*v->counts), compare_counted);
    const char *complete = NULL;
    for (size_t i = 0; i < v->n_counts && !complete; i++)
        if (strncmp(v->counts[i].path, "complete_database.json", 22) == 0)
            complete = v->counts[i].path;
    int64_t all = 0;
    bool every = true; /* every table with a fixture had its fixture counted */
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) != SQLITE_TEXT)
            continue;
        const char *fixture = (const char *)sqlite3_column_text(q, 0);
        int64_t rows = sqlite3_column_int64(q, 1);
        all += rows;
        /* The report names it plain; the member may be stored as .gz. */
        char *gz = pt_xasprintf("%s.gz", fixture);
        const struct counted *c = find_count(v, fixture);
        if (!c)
            c = find_count(v, gz);
        free(gz);
        if (!c)
            every = false;
        else if (c->objects != rows)
            count_mismatch(v, c->path, c->objects, rows);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    const struct counted *c = complete ? find_count(v, complete) : NULL;
    if (c && every && c->objects != all)
        count_mismatch(v, c->path, c->objects, all);
}

/* Every JSON line, decompressed as it streams; stops reading once it is bad. */
static enum pt_status check_json(struct verify *v, struct tee *t, enum pt_compression c,
                                 struct pt_error *err)
{
    struct json_lines jl = {0};
    bool broken = false; /* the member itself, said already: its JSON is not judged */
    struct pt_unpack *u = pt_unpack_open(c, tee_read, t);
    struct pt_error why = {0};
    enum pt_status rc = PT_OK;
    for (;;) {
        ssize_t n = pt_unpack_read(u, v->buf, BUF_SIZE, &why);
        if (n < 0 && pt_unpack_source_failed(u)) {
            rc = pt_error_set(err, why.status ? why.status : PT_EFAIL, "%s",
                              why.message ? why.message : _("failed"));
            pt_error_clear(&why);
        } else if (n < 0) {
            damaged_member(v, t->e->path, &why);
            jl.bad = broken = true;
        }
        if (n <= 0)
            break;
        json_lines_feed(&jl, (const char *)v->buf, (size_t)n);
        if (jl.bad)
            break;
    }
    pt_unpack_close(u);
    bool ok = json_lines_ok(&jl);
    if (rc == PT_OK && !ok && !broken)
        problem(v, _("%s: not valid JSON"), t->e->path);
    if (rc == PT_OK && ok)
        count_objects(v, t->e->path, jl.objects);
    return rc;
}

/*
 * A zstd snapshot written before poshtiban gave each frame a checksum: it
 * is read and checked as before (SHA256SUMS, integrity_check, row counts),
 * and verify --deep says that nothing else proves its bytes.
 */
static void note_unchecked(struct verify *v, const char *path, bool unchecked)
{
    if (!v->deep || !unchecked)
        return;
    v->result->notes = pt_xrealloc(v->result->notes, (v->result->n_notes + 1) * sizeof(char *));
    v->result->notes[v->result->n_notes++] =
        pt_xasprintf(_("%s: written without a zstd checksum (a backup made before they were "
                       "written): only SHA256SUMS vouches for it"),
                     path);
}

/* The snapshot, as a file SQLite can open: in place, or unpacked into tmp. */
static enum pt_status take_snapshot(struct verify *v, struct tee *t, enum pt_compression c,
                                    struct pt_error *err)
{
    if (v->snapshot || v->snapshot_bad) {
        problem(v, _("%s: the backup holds a second snapshot"), t->e->path);
        return PT_OK;
    }
    if (c == PT_COMPRESSION_NONE && !pt_reader_archive_suffix(v->record->format)) {
        v->snapshot = pt_path_join(v->record->path, t->e->path);
        return PT_OK;
    }
    v->snapshot =
        pt_xasprintf("%s/verify-%ld-%s.sqlite3", v->project->tmp, (long)getpid(), v->record->name);
    v->snapshot_is_temp = true;
    bool damaged = false;
    struct pt_error why = {0};
    bool unchecked = false;
    enum pt_status rc = pt_unpack_snapshot(c, tee_read, t, v->snapshot, &damaged, &unchecked, &why);
    if (rc == PT_OK) {
        note_unchecked(v, t->e->path, unchecked);
        return PT_OK;
    }
    free(v->snapshot);
    v->snapshot = NULL;
    v->snapshot_bad = true;
    if (verify_cancelled(v)) {
        pt_error_clear(&why);
        return pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    }
    if (damaged) {
        damaged_member(v, t->e->path, &why);
        return PT_OK;
    }
    /* No room, or no writing, to unpack it: that says nothing of the backup. */
    pt_error_set(&v->failed, PT_EFAIL, "%s", why.message ? why.message : _("failed"));
    rc = pt_error_set(err, PT_EFAIL, "%s", why.message ? why.message : _("failed"));
    pt_error_clear(&why);
    return rc;
}

static enum pt_status check_entry(const struct pt_entry *e, struct pt_reader *rd, void *user,
                                  struct pt_error *err)
{
    struct verify *v = user;
    if (e->type != PT_ENTRY_FILE)
        return PT_OK;
    enum pt_compression c = PT_COMPRESSION_NONE;
    struct tee t = {.v = v, .rd = rd, .e = e, .md = EVP_MD_CTX_new()};
    t.head_only = strcmp(e->path, "backup_report.json") == 0;
    t.keep = strcmp(e->path, "SHA256SUMS") == 0 || t.head_only;
    EVP_DigestInit_ex(t.md, EVP_sha256(), NULL);
    enum pt_status rc = PT_OK;
    if (pt_compression_match(e->path, "database.sqlite3", &c))
        rc = take_snapshot(v, &t, c, err);
    else if (v->deep && streamed_json(e->path, &c))
        rc = check_json(v, &t, c, err);
    /* The rest of the member, as stored, for its checksum. */
    while (rc == PT_OK) {
        ssize_t n = tee_read(&t, v->buf, BUF_SIZE, err);
        if (n < 0)
            rc = err && err->status ? err->status : PT_EFAIL;
        if (n <= 0)
            break;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_DigestFinal_ex(t.md, digest, &dlen);
    EVP_MD_CTX_free(t.md);
    if (rc != PT_OK) {
        free(t.kept);
        return rc;
    }
    if (t.keep && strcmp(e->path, "SHA256SUMS") == 0) {
        free(v->sums);
        v->sums = t.kept ? t.kept : pt_xstrdup("");
    } else if (t.head_only) {
        free(v->report);
        /* The head, closed where the files began: a whole JSON object again. */
        v->report = t.cut ? pt_xasprintf("%s}", t.kept) : t.kept ? t.kept : pt_xstrdup("");
        if (t.cut)
            free(t.kept);
    }
    if (v->n_files == v->cap_files)
        v->files = pt_xrealloc(v->files, (v->cap_files = v->cap_files ? v->cap_files * 2 : 64) *
                                             sizeof(*v->files));
    struct hashed *h = &v->files[v->n_files++];
    h->path = pt_xstrdup(e->path);
    pt_sha256_hex(digest, h->sha256);
    return PT_OK;
}

/* A file that does not match SHA256SUMS: a media file is healed when it can be. */
static void mismatch(struct verify *v, const char *path, const char *sha256)
{
    if (!v->heal || strncmp(path, "media/", 6) != 0) {
        problem(v, _("%s: checksum mismatch"), path);
        return;
    }
    char *said = NULL;
    size_t before = v->heal->n_healed;
    if (!pt_heal_media_file(v->heal, path, sha256, &said)) {
        problem(v, "%s", said);
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
            mismatch(v, path, sum->sha256);
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
        if (!v->snapshot_bad)
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
        problem(v, _("backup_report.json: not valid JSON"));
    else if (!named || strcmp(named, v->record->name) != 0)
        problem(v, _("backup_report.json: it is the report of another backup (%s)"),
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
                problem(v, _("database.sqlite3: table %s has %s rows, the report says %s"), name, a,
                        b);
                free(a);
                free(b);
            }
        }
    }
    sqlite3_finalize(q);
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
    struct verify v = {.project = p,
                       .record = r,
                       .monitor = monitor,
                       .result = result,
                       .deep = deep,
                       .heal = heal};
    v.buf = pt_xmalloc(BUF_SIZE);
    if (pt_reader_archive_suffix(r->format))
        check_archive_file(&v);
    struct pt_error walk_err = {0};
    enum pt_status walked = pt_reader_walk(r, check_entry, &v, &walk_err);
    enum pt_status rc = PT_OK;
    if (walked == PT_ECANCELLED) {
        rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    } else if (v.failed.status != PT_OK) {
        rc = pt_error_set(err, v.failed.status, "%s", v.failed.message);
    } else if (walked != PT_OK) {
        problem(&v, "%s", walk_err.message ? walk_err.message : _("cannot be read"));
    } else {
        check_sums(&v);
        check_snapshot(&v);
        check_fixture_counts(&v);
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
