// SPDX-License-Identifier: GPL-3.0-or-later
/* verify: each member of a backup as it streams by: hashed, its JSON checked line by line, its
   objects counted against the report, the snapshot kept for its own check. */
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

/* Checks a JSON file of ours line by line: "[", one object per line, "]". */
struct json_lines {
    char *line;
    size_t len, cap;
    int state; /* 0 before "[", 1 inside, 2 after "]" */
    long lineno;
    int64_t objects; /* the objects read, one a line */
    bool bad;
};

void pt_verify_problem(struct pt_verify_walk *v, const char *fmt, ...)
{
    struct pt_verify_result *r = v->result;
    r->problems = pt_xrealloc(r->problems, (r->n + 1) * sizeof(*r->problems));
    va_list ap;
    va_start(ap, fmt);
    r->problems[r->n++] = pt_text_vline(fmt, ap);
    va_end(ap);
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
    struct pt_verify_walk *v;
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
    struct pt_verify_walk *v = t->v;
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
        /*
         * A dir backup's members are its files, which size_bytes sums; an
         * archive's are read unpacked, their sum unknown until its last
         * member: no total then, rather than one the count overtakes.
         */
        bool plain = !v->record->format || strcmp(v->record->format, "dir") == 0;
        struct pt_progress p = {PT_PHASE_VERIFY, v->done, plain ? v->record->size_bytes : 0,
                                t->e->path};
        v->monitor->progress(&p, v->monitor->user);
    }
    if (v->monitor && v->monitor->cancel && atomic_load(v->monitor->cancel)) {
        pt_error_set(err, PT_ECANCELLED, _("cancelled"));
        return -1;
    }
    return n;
}

static bool verify_cancelled(const struct pt_verify_walk *v)
{
    return v->monitor && v->monitor->cancel && atomic_load(v->monitor->cancel);
}

/* What a damaged compressed member says: a problem of the backup, not a failure to read it. */
static void damaged_member(struct pt_verify_walk *v, const char *path, struct pt_error *why)
{
    pt_verify_problem(v, "%s: %s", path, why->message ? why->message : _("damaged"));
    pt_error_clear(why);
}

/* Keeps how many objects a JSON file of rows holds, for check_fixture_counts. */
static void count_objects(struct pt_verify_walk *v, const char *path, int64_t objects)
{
    v->counts = pt_xrealloc(v->counts, (v->n_counts + 1) * sizeof(*v->counts));
    v->counts[v->n_counts++] = (struct pt_verify_counted){pt_xstrdup(path), objects};
}

static int compare_counted(const void *a, const void *b)
{
    return strcmp(((const struct pt_verify_counted *)a)->path,
                  ((const struct pt_verify_counted *)b)->path);
}

/* In v->counts, sorted by path (a hostile report may list many tables). */
static const struct pt_verify_counted *find_count(const struct pt_verify_walk *v, const char *path)
{
    struct pt_verify_counted key = {(char *)path, 0};
    return bsearch(&key, v->counts, v->n_counts, sizeof(*v->counts), compare_counted);
}

static void count_mismatch(struct pt_verify_walk *v, const char *path, int64_t got, int64_t want)
{
    char *a = pt_l10n_int(got), *b = pt_l10n_int(want);
    pt_verify_problem(v, _("%s: %s objects, the report says %s rows"), path, a, b);
    free(a);
    free(b);
}

/*
 * verify --deep: each fixture holds one object per row of its table, as the
 * report counts them, and the complete fixture all of them: a fixture cut
 * to "[]" or short of an object, resealed in SHA256SUMS, is found.
 * The report is read with SQLite's JSON functions, as check_snapshot does.
 */
void pt_verify_check_fixture_counts(struct pt_verify_walk *v)
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
        const struct pt_verify_counted *c = find_count(v, fixture);
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
    const struct pt_verify_counted *c = complete ? find_count(v, complete) : NULL;
    if (c && every && c->objects != all)
        count_mismatch(v, c->path, c->objects, all);
}

/* Every JSON line, decompressed as it streams; stops reading once it is bad. */

static enum pt_status check_json(struct pt_verify_walk *v, struct tee *t, enum pt_compression c,
                                 struct pt_error *err)
{
    struct json_lines jl = {0};
    bool broken = false; /* the member itself, said already: its JSON is not judged */
    struct pt_unpack *u = pt_unpack_open(c, tee_read, t);
    struct pt_error why = {0};
    enum pt_status rc = PT_OK;
    for (;;) {
        ssize_t n = pt_unpack_read(u, v->buf, PT_VERIFY_BUF_SIZE, &why);
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
        pt_verify_problem(v, _("%s: not valid JSON"), t->e->path);
    if (rc == PT_OK && ok)
        count_objects(v, t->e->path, jl.objects);
    return rc;
}

/*
 * A zstd snapshot written before poshtiban gave each frame a checksum: it
 * is read and checked as before (SHA256SUMS, integrity_check, row counts),
 * and verify --deep says that nothing else proves its bytes.
 */
static void note_unchecked(struct pt_verify_walk *v, const char *path, bool unchecked)
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
static enum pt_status take_snapshot(struct pt_verify_walk *v, struct tee *t, enum pt_compression c,
                                    struct pt_error *err)
{
    if (v->snapshot || v->snapshot_bad) {
        pt_verify_problem(v, _("%s: the backup holds a second snapshot"), t->e->path);
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

enum pt_status pt_verify_check_entry(const struct pt_entry *e, struct pt_reader *rd, void *user,
                                     struct pt_error *err)
{
    struct pt_verify_walk *v = user;
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
        ssize_t n = tee_read(&t, v->buf, PT_VERIFY_BUF_SIZE, err);
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
    struct pt_verify_hashed *h = &v->files[v->n_files++];
    h->path = pt_xstrdup(e->path);
    pt_sha256_hex(digest, h->sha256);
    return PT_OK;
}
