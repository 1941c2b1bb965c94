// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/restore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "ops/backup-internal.h"
#include "ops/hooks.h"
#include "poshtiban/settings.h"
#include "ops/restore-at.h"
#include "engine/compress.h"
#include "base/filewriter.h"
#include "base/fsutil.h"
#include "poshtiban/i18n.h"
#include "ops/naming.h"
#include "poshtiban/catalog.h"
#include "base/lock.h"
#include "poshtiban/verify.h"
#include "engine/reader.h"
#include "engine/restore-journal.h"
#include "engine/schema.h"
#include "base/sums.h"
#include "poshtiban/timefmt.h"

#define BUF_SIZE (256 * 1024)

/* Everything one restore works from. */
struct session {
    const struct pt_project *project;
    struct pt_record record;
    struct pt_restore_plan *plan;
    char *snapshot; /* the backup's database.sqlite3 as a file */
    bool snapshot_temp;
    char *snapshot_member; /* its name in the backup, when taken out: "database.sqlite3.zst" */
    char snapshot_sha256[PT_SHA256_HEX]; /* of the copy taken out of an archive */
    char *sums;
    struct pt_sums listed; /* sums, parsed */
    const struct pt_monitor *monitor;
    int64_t done;
    bool key_by_key;               /* the plan compares the tables key by key (pt_restore_plan) */
    struct pt_restore_chain chain; /* restore --at: the base and the points to apply */
};

static void push(char ***list, size_t *n, const char *s)
{
    *list = pt_xrealloc(*list, (*n + 1) * sizeof(**list));
    (*list)[(*n)++] = pt_xstrdup(s);
}

static void report(struct session *s, int64_t add, const char *what)
{
    s->done += add;
    if (s->monitor && s->monitor->progress) {
        struct pt_progress p = {PT_PHASE_RESTORE, s->done, s->record.size_bytes, what};
        s->monitor->progress(&p, s->monitor->user);
    }
}

static bool cancelled(const struct session *s)
{
    return s->monitor && s->monitor->cancel && atomic_load(s->monitor->cancel);
}

/* A member read as it is stored, hashed on the way. */
struct hashing {
    struct pt_reader *reader;
    EVP_MD_CTX *md;
};

static ssize_t hashing_read(void *user, void *buf, size_t len, struct pt_error *err)
{
    struct hashing *h = user;
    ssize_t n = pt_reader_read(h->reader, buf, len, err);
    if (n > 0)
        EVP_DigestUpdate(h->md, buf, (size_t)n);
    return n;
}

/* The snapshot, plain or compressed, unpacked into tmp; its checksum is of the member as stored. */
static enum pt_status take_snapshot(struct session *s, const struct pt_entry *e,
                                    enum pt_compression c, struct pt_reader *r,
                                    struct pt_error *err)
{
    if (s->snapshot)
        return pt_error_set(err, PT_EFAIL, _("%s holds database.sqlite3 twice"), s->record.path);
    s->snapshot =
        pt_xasprintf("%s/restore-%ld-%s.sqlite3", s->project->tmp, (long)getpid(), s->record.name);
    s->snapshot_temp = true;
    s->snapshot_member = pt_xstrdup(e->path);
    struct hashing h = {.reader = r, .md = EVP_MD_CTX_new()};
    EVP_DigestInit_ex(h.md, EVP_sha256(), NULL);
    bool damaged;
    enum pt_status rc = pt_unpack_snapshot(c, hashing_read, &h, s->snapshot, &damaged, NULL, err);
    if (rc != PT_OK && damaged && err) {
        /* Which backup and which member, as verify says it. */
        char *why = pt_xstrdup(err->message ? err->message : _("damaged"));
        pt_error_clear(err);
        rc = pt_error_set(err, PT_EFAIL, _("backup %s: %s: %s"), s->record.name, e->path, why);
        free(why);
    }
    unsigned char *buf = pt_xmalloc(BUF_SIZE);
    ssize_t n;
    while (rc == PT_OK && (n = hashing_read(&h, buf, BUF_SIZE, err)) != 0)
        if (n < 0)
            rc = PT_EFAIL;
    free(buf);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(h.md, digest, &len);
    EVP_MD_CTX_free(h.md);
    pt_sha256_hex(digest, s->snapshot_sha256);
    return rc;
}

/* Copies the snapshot out to tmp and keeps SHA256SUMS; stops once both are had. */
static enum pt_status take_members(const struct pt_entry *e, struct pt_reader *r, void *user,
                                   struct pt_error *err)
{
    struct session *s = user;
    enum pt_compression c;
    bool db = pt_compression_match(e->path, "database.sqlite3", &c);
    bool sums = strcmp(e->path, "SHA256SUMS") == 0;
    if (e->type != PT_ENTRY_FILE || (!db && !sums))
        return PT_OK;
    enum pt_status rc = PT_OK;
    if (db) {
        rc = take_snapshot(s, e, c, r, err);
    } else {
        unsigned char *buf = pt_xmalloc(BUF_SIZE);
        size_t len = 0, cap = 0;
        while (rc == PT_OK) {
            ssize_t n = pt_reader_read(r, buf, BUF_SIZE, err);
            if (n <= 0) {
                rc = n < 0 ? PT_EFAIL : PT_OK;
                break;
            }
            if (len + (size_t)n > PT_SMALL_FILE_MAX) {
                rc =
                    pt_error_set(err, PT_EFAIL,
                                 _("%s is larger than poshtiban ever writes it: refused"), e->path);
                break;
            }
            if (len + (size_t)n + 1 > cap) {
                /* The size the archive declares when it fits, else twice as much each time. */
                bool declared = cap == 0 && e->size > 0 && e->size <= (int64_t)PT_SMALL_FILE_MAX;
                cap = declared ? (size_t)e->size + 1 : cap ? cap * 2 : BUF_SIZE;
                while (cap < len + (size_t)n + 1)
                    cap *= 2;
                s->sums = pt_xrealloc(s->sums, cap);
            }
            memcpy(s->sums + len, buf, (size_t)n);
            len += (size_t)n;
            s->sums[len] = '\0';
        }
        free(buf);
        if (!s->sums)
            s->sums = pt_xstrdup("");
    }
    if (rc == PT_OK && s->sums && s->snapshot)
        return PT_ECANCELLED; /* both in hand: stop reading */
    return rc;
}

/* A folder with a plain database.sqlite3 is used in place; anything else is read member by member.
 */
static bool plain_folder(const struct session *s)
{
    if (pt_reader_archive_suffix(s->record.format))
        return false;
    char *db = pt_path_join(s->record.path, "database.sqlite3");
    struct stat st;
    bool plain = lstat(db, &st) == 0 && S_ISREG(st.st_mode);
    free(db);
    return plain;
}

static enum pt_status open_backup(struct session *s, struct pt_error *err)
{
    if (!plain_folder(s)) {
        enum pt_status rc = pt_reader_walk(&s->record, take_members, s, err);
        if (rc != PT_OK && rc != PT_ECANCELLED)
            return rc;
        if (!s->snapshot || !s->sums)
            return pt_error_set(err, PT_EFAIL, _("%s lacks database.sqlite3 or SHA256SUMS"),
                                s->record.path);
        return PT_OK;
    }
    s->snapshot = pt_path_join(s->record.path, "database.sqlite3");
    char *sums = pt_path_join(s->record.path, "SHA256SUMS");
    s->sums = pt_read_file(sums, PT_SMALL_FILE_MAX, NULL);
    enum pt_status rc =
        s->sums ? PT_OK
                : pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), sums, strerror(errno));
    free(sums);
    return rc;
}

struct media_walk {
    struct pt_restore_plan *plan;
    struct pt_sums *sums;
};

static void walk_current(struct media_walk *w, const char *root, const char *rel)
{
    char *dir = rel ? pt_path_join(root, rel) : pt_xstrdup(root);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = rel ? pt_path_join(rel, e->d_name) : pt_xstrdup(e->d_name);
        char *full = pt_path_join(root, child);
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk_current(w, root, child);
        } else if (lstat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            char *member = pt_path_join("media", child);
            struct pt_sum *h = pt_sums_find(w->sums, member);
            char hex[PT_SHA256_HEX];
            if (!h)
                push(&w->plan->remove, &w->plan->n_remove, child);
            else if (pt_sha256_file(full, hex, NULL, NULL) != PT_OK || strcmp(hex, h->sha256) != 0)
                push(&w->plan->change, &w->plan->n_change, child);
            if (h)
                h->seen = true;
            free(member);
        }
        free(full);
        free(child);
    }
    if (d)
        closedir(d);
    free(dir);
}

static void plan_media(struct session *s)
{
    struct media_walk w = {.plan = s->plan, .sums = &s->listed};
    walk_current(&w, s->plan->media_target, NULL);
    for (size_t i = 0; i < s->listed.n; i++) {
        struct pt_sum *sum = &s->listed.list[i];
        if (strncmp(sum->path, "media/", 6) == 0 && !sum->seen)
            push(&s->plan->add, &s->plan->n_add, sum->path + 6);
        sum->seen = false; /* the flags serve the extraction next */
    }
}

static struct pt_restore_table *find_table(struct pt_restore_plan *plan, const char *name)
{
    for (size_t i = 0; i < plan->n_tables; i++)
        if (strcmp(plan->tables[i].name, name) == 0)
            return &plan->tables[i];
    plan->tables = pt_xrealloc(plan->tables, (plan->n_tables + 1) * sizeof(*plan->tables));
    struct pt_restore_table *t = &plan->tables[plan->n_tables++];
    *t = (struct pt_restore_table){.name = pt_xstrdup(name), .now = -1, .after = -1};
    return t;
}

static sqlite3 *open_read(const char *path)
{
    sqlite3 *db = NULL;
    struct stat st;
    /* Only a regular file: opening a FIFO would wait for a writer forever. */
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 30000);
    return db;
}

/* Rows per table of one side, in the caller's transaction. */
static void tables_of(sqlite3 *db, struct pt_restore_plan *plan, bool after)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM main.sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            struct pt_restore_table *t = find_table(plan, name);
            *(after ? &t->after : &t->now) = pt_schema_count_rows(db, name);
        }
    }
    sqlite3_finalize(st);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
    char **items;
    size_t n;
};

static void names_free(struct names *names)
{
    for (size_t i = 0; i < names->n; i++)
        free(names->items[i]);
    free(names->items);
    memset(names, 0, sizeof(*names));
}

/* "app.name" of every applied migration of one side, sorted; none without the table. */
static void migrations_of(sqlite3 *db, struct names *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT app || '.' || name FROM main.django_migrations", -1, &st,
                           NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW)
            if (sqlite3_column_text(st, 0))
                push(&out->items, &out->n, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (out->n > 1)
        qsort(out->items, out->n, sizeof(*out->items), compare_strings);
}

/* The migrations only in the backup and only in the target. */
static void compare_migrations(struct pt_restore_plan *plan, const struct names *now,
                               const struct names *after)
{
    size_t i = 0, j = 0;
    while (i < now->n || j < after->n) {
        int c = i == now->n ? 1 : j == after->n ? -1 : strcmp(now->items[i], after->items[j]);
        if (c < 0)
            push(&plan->migrations_now, &plan->n_migrations_now, now->items[i]);
        else if (c > 0)
            push(&plan->migrations_backup, &plan->n_migrations_backup, after->items[j]);
        i += c <= 0;
        j += c >= 0;
    }
    plan->migrations_differ = plan->n_migrations_now || plan->n_migrations_backup;
}

/* A table's columns on one side: the primary key's first, in key order. */
struct columns {
    struct names names, types; /* the declared types decide how keys compare */
    size_t n_key;
};

static bool columns_of(sqlite3 *db, const char *schema, const char *table, struct columns *out)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof(*out));
    if (sqlite3_prepare_v2(db,
                           "SELECT name, pk, type FROM pragma_table_info(?1, ?2)"
                           " ORDER BY pk = 0, pk, cid",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return false;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, schema, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        const unsigned char *type = sqlite3_column_text(st, 2);
        push(&out->names.items, &out->names.n, (const char *)sqlite3_column_text(st, 0));
        push(&out->types.items, &out->types.n, type ? (const char *)type : "");
        out->n_key += sqlite3_column_int64(st, 1) > 0;
    }
    sqlite3_finalize(st);
    return step == SQLITE_DONE && out->names.n > 0;
}

static bool has_column(const struct columns *c, const char *name)
{
    for (size_t i = c->n_key; i < c->names.n; i++)
        if (sqlite3_stricmp(c->names.items[i], name) == 0)
            return true;
    return false;
}

/* "a.k1 = m.k1 AND …": the key's own collation, so its index answers. */
static char *key_match(const struct columns *c, const char *probed, const char *other)
{
    char *match = pt_xstrdup("");
    for (size_t i = 0; i < c->n_key; i++) {
        char *q = pt_sql_quote(c->names.items[i]);
        char *next =
            pt_xasprintf("%s%s%s.%s = %s.%s", match, i ? " AND " : "", probed, q, other, q);
        free(q);
        free(match);
        match = next;
    }
    return match;
}

static bool count_query(sqlite3 *db, const char *sql, int64_t *a, int64_t *b)
{
    sqlite3_stmt *st;
    bool ok =
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    if (ok)
        *a = sqlite3_column_int64(st, 0);
    if (ok && b)
        *b = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    return ok;
}

static void columns_free(struct columns *c)
{
    names_free(&c->names);
    names_free(&c->types);
}

/*
 * "a.c COLLATE BINARY IS NOT m.c OR …" over n columns, as a balanced tree:
 * a chain would pass SQLite's expression depth (1000) on a wide table.
 */
static char *any_differs(char **columns, size_t n)
{
    if (n == 1) {
        char *q = pt_sql_quote(columns[0]);
        char *one = pt_xasprintf("a.%s COLLATE BINARY IS NOT m.%s", q, q);
        free(q);
        return one;
    }
    char *left = any_differs(columns, n / 2), *right = any_differs(columns + n / 2, n - n / 2);
    char *both = pt_xasprintf("(%s OR %s)", left, right);
    free(left);
    free(right);
    return both;
}

/*
 * One table, in both: rows added, removed and changed by primary key. SQLite
 * counts as it reads, one key lookup per row each way; nothing is held.
 * Each lookup compares keys as the table looked up does (its collation, its
 * index), and the keys' declared types must agree, so a row matches at most
 * one. Values are compared byte for byte (BINARY), whatever the column's
 * collation, in the columns both sides have.
 */
static void compare_table(sqlite3 *db, struct pt_restore_table *t)
{
    struct columns now, after;
    bool read = columns_of(db, "main", t->name, &now);
    read = columns_of(db, "snapshot", t->name, &after) && read;
    bool same_key = now.n_key == after.n_key;
    for (size_t i = 0; read && same_key && i < now.n_key; i++)
        same_key = sqlite3_stricmp(now.names.items[i], after.names.items[i]) == 0 &&
                   sqlite3_stricmp(now.types.items[i], after.types.items[i]) == 0;
    if (!read || !now.n_key || !after.n_key || !same_key) {
        t->rows = !read                        ? PT_ROWS_NOT_COMPARED
                  : !now.n_key || !after.n_key ? PT_ROWS_NO_KEY
                                               : PT_ROWS_KEY_DIFFERS;
        columns_free(&now);
        columns_free(&after);
        return;
    }
    struct names common = {0};
    for (size_t i = now.n_key; i < now.names.n; i++)
        if (has_column(&after, now.names.items[i]))
            push(&common.items, &common.n, now.names.items[i]);
    char *differs = common.n ? any_differs(common.items, common.n) : pt_xstrdup("0");
    names_free(&common);
    char *table = pt_sql_quote(t->name), *first_key = pt_sql_quote(now.names.items[0]);
    char *in_now = key_match(&now, "m", "a"), *in_after = key_match(&now, "a", "m");
    char *added = pt_xasprintf("SELECT count(*) FROM snapshot.%s AS a WHERE NOT EXISTS"
                               " (SELECT 1 FROM main.%s AS m WHERE %s)",
                               table, table, in_now);
    /*
     * A key column of a matched row is never NULL (= matches no NULL). The
     * rows are counted outside the join: SQLite allows no more than 2000
     * column terms inside one aggregate, and LIMIT -1 keeps the join a
     * co-routine, not folded into the count.
     */
    char *others = pt_xasprintf(
        "SELECT count(*) - count(found), count(differs) FROM"
        " (SELECT a.%s AS found, CASE WHEN a.%s IS NOT NULL AND %s THEN 1 END AS differs"
        " FROM main.%s AS m LEFT JOIN snapshot.%s AS a ON %s LIMIT -1)",
        first_key, first_key, differs, table, table, in_after);
    bool ok = count_query(db, added, &t->added, NULL) &&
              count_query(db, others, &t->removed, &t->changed);
    t->rows = ok ? PT_ROWS_COMPARED : PT_ROWS_NOT_COMPARED;
    if (!ok)
        t->added = t->removed = t->changed = 0;
    free(added);
    free(others);
    free(in_now);
    free(in_after);
    free(first_key);
    free(table);
    free(differs);
    columns_free(&now);
    columns_free(&after);
}

/*
 * Both sides: rows per table, the migrations, and, when compare, every
 * table in both compared key by key. The target is read in one transaction
 * with the snapshot attached, so its counts and its rows are of one moment.
 */
static void compare_databases(sqlite3 *now, sqlite3 *after, const char *snapshot,
                              struct pt_restore_plan *plan, bool compare)
{
    struct names now_migrations = {0}, after_migrations = {0};
    sqlite3_exec(after, "BEGIN", NULL, NULL, NULL);
    tables_of(after, plan, true);
    migrations_of(after, &after_migrations);
    sqlite3_exec(after, "COMMIT", NULL, NULL, NULL);
    if (now) {
        sqlite3_stmt *st = NULL;
        /* A file name, never a URI (Debian's SQLite reads "file:…" as one): "./" before it. */
        char *name = snapshot[0] == '/' ? pt_xstrdup(snapshot) : pt_xasprintf("./%s", snapshot);
        bool attached = false;
        if (compare &&
            sqlite3_prepare_v2(now, "ATTACH ?1 AS snapshot", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
            attached = sqlite3_step(st) == SQLITE_DONE;
        }
        sqlite3_finalize(st);
        free(name);
        sqlite3_exec(now, "BEGIN", NULL, NULL, NULL);
        tables_of(now, plan, false);
        migrations_of(now, &now_migrations);
        for (size_t i = 0; i < plan->n_tables; i++) {
            struct pt_restore_table *t = &plan->tables[i];
            t->rows = t->now < 0 && t->after >= 0   ? PT_ROWS_ONLY_BACKUP
                      : t->now >= 0 && t->after < 0 ? PT_ROWS_ONLY_NOW
                                                    : PT_ROWS_NOT_COMPARED;
            if (attached && t->now >= 0 && t->after >= 0)
                compare_table(now, t);
        }
        sqlite3_exec(now, "COMMIT", NULL, NULL, NULL);
        if (attached)
            sqlite3_exec(now, "DETACH snapshot", NULL, NULL, NULL);
        compare_migrations(plan, &now_migrations, &after_migrations);
    }
    names_free(&now_migrations);
    names_free(&after_migrations);
}

static int compare_tables(const void *a, const void *b)
{
    return strcmp(((const struct pt_restore_table *)a)->name,
                  ((const struct pt_restore_table *)b)->name);
}

static char *absolute(const char *path)
{
    char *cwd = getcwd(NULL, 0);
    char *out = pt_path_absolute(cwd ? cwd : "/", path);
    free(cwd);
    return out;
}

/*
 * A restore replaces its targets whole: none may hold or lie in the backups,
 * the catalog, the project folder or a database (symbolic links resolved).
 */
static enum pt_status check_targets(const struct pt_project *p, const struct pt_restore_plan *plan,
                                    struct pt_error *err)
{
    char *backups = pt_path_resolve(p->backups), *root = pt_path_resolve(p->root);
    char *database = pt_path_resolve(p->database);
    enum pt_status rc = PT_OK;
    if (plan->database_target) {
        char *target = pt_path_resolve(plan->database_target);
        struct stat st;
        if (pt_path_within(backups, target))
            rc = pt_error_set(err, PT_EINVAL,
                              _("cannot restore the database to %s: it lies in the backup "
                                "folder %s"),
                              plan->database_target, p->backups);
        else if (stat(target, &st) == 0 && !S_ISREG(st.st_mode))
            rc = pt_error_set(err, PT_EINVAL,
                              _("cannot restore the database to %s: it is not a file"),
                              plan->database_target);
        free(target);
    }
    if (rc == PT_OK && plan->media_target) {
        char *target = pt_path_resolve(plan->media_target);
        char *target_db = plan->database_target ? pt_path_resolve(plan->database_target) : NULL;
        const char *holds = pt_path_within(target, backups)                  ? p->backups
                            : pt_path_within(target, root)                   ? p->root
                            : pt_path_within(target, database)               ? p->database
                            : target_db && pt_path_within(target, target_db) ? plan->database_target
                                                                             : NULL;
        if (holds)
            rc = pt_error_set(err, PT_EINVAL,
                              _("cannot restore the media to %s: the folder would be replaced "
                                "whole, and it holds %s"),
                              plan->media_target, holds);
        else if (pt_path_within(backups, target))
            rc = pt_error_set(err, PT_EINVAL,
                              _("cannot restore the media to %s: it lies in the backup folder %s"),
                              plan->media_target, p->backups);
        free(target);
        free(target_db);
    }
    free(backups);
    free(root);
    free(database);
    return rc;
}

/* restore --at: the point the plan reaches, and when its base was taken. */
static void name_point(struct session *s, int64_t at_ms)
{
    struct pt_restore_plan *plan = s->plan;
    const struct pt_restore_chain *chain = &s->chain;
    plan->at_ms = at_ms;
    if (!s->record.created_at || !pt_time_parse_iso(s->record.created_at, &plan->backup_ms))
        plan->backup_ms = 0;
    plan->n_points = chain->n;
    plan->point = chain->n ? pt_xstrdup(chain->points[chain->n - 1].name) : NULL;
    plan->point_ms = chain->n ? chain->points[chain->n - 1].taken_ms : plan->backup_ms;
}

static enum pt_status start(struct session *s, const struct pt_project *p, const char *id,
                            const struct pt_restore_options *opts, struct pt_restore_plan *plan,
                            struct pt_error *err)
{
    memset(plan, 0, sizeof(*plan));
    s->project = p;
    s->plan = plan;
    if (opts->database_only && opts->media_only)
        return pt_error_set(err, PT_EINVAL,
                            _("--database-only and --media-only exclude each other"));
    enum pt_status rc;
    if (opts->at_ms) {
        /* The base in place of id: the newest full backup at or before the moment. */
        if ((rc = pt_restore_at_resolve(p, opts->at_ms, &s->chain, err)) != PT_OK)
            return rc;
        id = s->chain.base;
    }
    struct pt_catalog *c;
    rc = pt_catalog_open(&c, p, PT_CATALOG_READ, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_catalog_get(c, id, &s->record, err);
    pt_catalog_close(c);
    if (rc != PT_OK)
        return rc;
    if (s->record.status != PT_STATE_COMPLETED)
        return pt_error_set(err, PT_EINVAL,
                            _("backup %s is not complete (%s): there is nothing to restore"),
                            s->record.name, pt_state_label(s->record.status));
    plan->backup = pt_xstrdup(s->record.name);
    if (opts->at_ms)
        name_point(s, opts->at_ms);
    if (!opts->media_only)
        plan->database_target =
            opts->target_database ? absolute(opts->target_database) : pt_xstrdup(p->database);
    if (!opts->database_only && s->record.include_media)
        plan->media_target = opts->target_media ? absolute(opts->target_media)
                             : p->media         ? pt_xstrdup(p->media)
                                                : pt_path_join(p->root, "media");
    if (opts->media_only && !plan->media_target)
        return pt_error_set(err, PT_EINVAL, _("backup %s holds no media"), s->record.name);
    if ((rc = pt_project_check_layout(p, err)) != PT_OK ||
        (rc = check_targets(p, plan, err)) != PT_OK)
        return rc;
    struct stat st;
    if (plan->media_target && lstat(plan->media_target, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* A media folder that is a link (to a volume): the folder it names is restored. */
        char *real = pt_path_resolve(plan->media_target);
        free(plan->media_target);
        plan->media_target = real;
    }
    return PT_OK;
}

static enum pt_status check_snapshot_sum(struct session *s, struct pt_error *err);

/*
 * restore --at: the base's snapshot staged (copied when it is the backup's
 * own file: a backup is never changed), proven against SHA256SUMS, then its
 * change sets applied and the result proven; from here it is the snapshot.
 */
static enum pt_status stage_chain(struct session *s, struct pt_error *err)
{
    enum pt_status rc = PT_OK;
    if (!s->snapshot_temp) {
        char *staged = pt_xasprintf("%s/restore-%ld-%s.sqlite3", s->project->tmp, (long)getpid(),
                                    s->record.name);
        rc = pt_restore_at_copy(s->snapshot, staged, s->snapshot_sha256, err);
        free(s->snapshot);
        s->snapshot = staged;
        s->snapshot_temp = true;
    }
    if (rc == PT_OK)
        rc = check_snapshot_sum(s, err);
    if (rc != PT_OK)
        return rc;
    struct pt_error why = {0};
    rc =
        pt_restore_at_build(s->project, s->snapshot, s->chain.points, s->chain.n, s->monitor, &why);
    if (rc == PT_ECANCELLED)
        rc = pt_error_set(err, rc, "%s", why.message ? why.message : _("cancelled"));
    else if (rc != PT_OK) {
        char when[32];
        pt_time_iso(s->plan->at_ms, when);
        rc = pt_error_set(err, rc, _("refused to restore to %s: %s; nothing was changed"), when,
                          why.message ? why.message : _("damaged"));
    }
    pt_error_clear(&why);
    return rc;
}

/* Reads the backup itself: its SHA256SUMS, and what restoring it would change. */
static enum pt_status load(struct session *s, struct pt_error *err)
{
    struct pt_restore_plan *plan = s->plan;
    enum pt_status rc = open_backup(s, err);
    if (rc != PT_OK)
        return rc;
    pt_sums_parse(s->sums, &s->listed);
    free(s->sums); /* parsed: the text is not needed again */
    s->sums = NULL;
    if (plan->database_target && s->chain.n && (rc = stage_chain(s, err)) != PT_OK)
        return rc;
    if (plan->database_target) {
        sqlite3 *now = open_read(plan->database_target);
        sqlite3 *after = open_read(s->snapshot);
        if (!after) {
            sqlite3_close(now);
            return pt_error_set(err, PT_EFAIL, _("cannot open the snapshot of %s"), s->record.name);
        }
        compare_databases(now, after, s->snapshot, plan, s->key_by_key);
        sqlite3_close(now);
        sqlite3_close(after);
        if (plan->n_tables > 1)
            qsort(plan->tables, plan->n_tables, sizeof(*plan->tables), compare_tables);
    }
    if (plan->media_target)
        plan_media(s);
    return PT_OK;
}

static void finish(struct session *s)
{
    pt_restore_at_free(&s->chain);
    if (s->snapshot_temp && s->snapshot)
        unlink(s->snapshot);
    free(s->snapshot);
    free(s->snapshot_member);
    free(s->sums);
    pt_sums_free(&s->listed);
    pt_record_free(&s->record);
}

enum pt_status pt_restore_plan(const struct pt_project *p, const char *id,
                               const struct pt_restore_options *opts, struct pt_restore_plan *plan,
                               struct pt_error *err)
{
    struct session s = {.key_by_key = true};
    enum pt_status rc = start(&s, p, id, opts, plan, err);
    if (rc == PT_OK)
        rc = load(&s, err);
    finish(&s);
    return rc;
}

static enum pt_status restore_database(struct session *s, struct pt_error *err)
{
    enum pt_status rc = pt_restore_copy_database(s->snapshot, s->plan->database_target, err);
    report(s, 0, "database.sqlite3");
    return rc;
}

struct extract {
    struct session *session;
    struct archive *disk;
    unsigned char *buf;
    mode_t dir_mode, file_mode; /* never wider than the media folder's own */
    json_t *modes; /* "media/…" → the original's permission bits, from the report */
};

/* The modes the report recorded for media files (backups made before it recorded none). */
static json_t *recorded_modes(const struct pt_record *r)
{
    json_t *modes = json_object(), *report = NULL;
    if (pt_backup_read_report(r, &report, NULL) != PT_OK)
        return modes;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(report, "files"), i, f)
    {
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *mode = json_string_value(json_object_get(f, "mode"));
        char *end;
        long bits = mode ? strtol(mode, &end, 8) : -1;
        if (path && mode && *end == '\0' && bits >= 0)
            json_object_set_new(modes, path, json_integer(bits & 0777));
    }
    json_decref(report);
    return modes;
}

/* Each file extracted is what SHA256SUMS lists, once: or nothing is swapped in. */
static enum pt_status check_installed(struct session *s, const char *path, const char *hex,
                                      struct pt_error *err)
{
    struct pt_sum *sum = pt_sums_find(&s->listed, path);
    if (!sum)
        return pt_error_set(err, PT_EFAIL, _("refused to restore %s: %s is not in its SHA256SUMS"),
                            s->record.name, path);
    if (sum->seen)
        return pt_error_set(err, PT_EFAIL, _("refused to restore %s: it holds %s twice"),
                            s->record.name, path);
    sum->seen = true;
    if (strcmp(sum->sha256, hex) != 0)
        return pt_error_set(err, PT_EFAIL,
                            _("refused to restore %s: %s does not match its checksum"),
                            s->record.name, path);
    return PT_OK;
}

static enum pt_status extract_entry(const struct pt_entry *e, struct pt_reader *r, void *user,
                                    struct pt_error *err)
{
    struct extract *x = user;
    if (strncmp(e->path, "media/", 6) != 0 || !e->path[6])
        return PT_OK;
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, e->path + 6); /* relative: the staging folder is the cwd */
    /* To the nanosecond: the next backup knows an unchanged file by it and shares it. */
    archive_entry_set_mtime(ae, e->mtime, e->mtime_nsec);
    if (e->type == PT_ENTRY_DIR) {
        archive_entry_set_filetype(ae, AE_IFDIR);
        archive_entry_set_perm(ae, x->dir_mode);
    } else if (e->type == PT_ENTRY_LINK) {
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_perm(ae, 0777);
        archive_entry_set_symlink(ae, e->link_target);
    } else {
        archive_entry_set_filetype(ae, AE_IFREG);
        json_t *recorded = json_object_get(x->modes, e->path);
        archive_entry_set_perm(ae, recorded ? (mode_t)json_integer_value(recorded) : x->file_mode);
        archive_entry_set_size(ae, e->size);
    }
    enum pt_status rc = PT_OK;
    if (archive_write_header(x->disk, ae) != ARCHIVE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("refused to extract %s: %s"), e->path,
                          archive_error_string(x->disk));
    EVP_MD_CTX *md = e->type == PT_ENTRY_FILE ? EVP_MD_CTX_new() : NULL;
    if (md)
        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    while (rc == PT_OK && md) {
        ssize_t n = pt_reader_read(r, x->buf, BUF_SIZE, err);
        if (n <= 0) {
            rc = n < 0 ? PT_EFAIL : PT_OK;
            break;
        }
        EVP_DigestUpdate(md, x->buf, (size_t)n);
        if (archive_write_data(x->disk, x->buf, (size_t)n) != n)
            /* The system's reason ("No space left on device") before libarchive's "Write failed".
             */
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), e->path,
                              archive_errno(x->disk) ? strerror(archive_errno(x->disk))
                                                     : archive_error_string(x->disk));
        report(x->session, n, e->path);
        if (cancelled(x->session))
            rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    }
    if (md) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        char hex[PT_SHA256_HEX];
        EVP_DigestFinal_ex(md, digest, &len);
        EVP_MD_CTX_free(md);
        pt_sha256_hex(digest, hex);
        if (rc == PT_OK)
            rc = check_installed(x->session, e->path, hex, err);
    }
    if (rc == PT_OK && archive_write_finish_entry(x->disk) != ARCHIVE_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), e->path,
                          archive_error_string(x->disk));
    archive_entry_free(ae);
    return rc;
}

static char *staging_path(const char *target)
{
    return pt_xasprintf("%s.poshtiban-restore-%ld", target, (long)getpid());
}

/*
 * The finished tree, before it is swapped in: every link, followed through
 * the links it meets, must stay inside it. A chain of links can escape
 * where each one, read alone, seems to stay.
 */
static enum pt_status links_stay_inside(const char *root, const char *dir, struct pt_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), dir, strerror(errno));
    enum pt_status rc = PT_OK;
    struct dirent *e;
    while (rc == PT_OK && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = pt_path_join(dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = links_stay_inside(root, path, err);
        } else if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
            /* Where the link leads, even when nothing is there yet. */
            char *target = pt_xcalloc(1, (size_t)st.st_size + 2);
            ssize_t len = readlink(path, target, (size_t)st.st_size + 1);
            char *joined = len < 0            ? pt_xstrdup("/")
                           : target[0] == '/' ? pt_xstrdup(target)
                                              : pt_xasprintf("%s/%s", dir, target);
            char *resolved = pt_path_resolve(joined);
            free(target);
            free(joined);
            if (!pt_path_within(root, resolved))
                rc = pt_error_set(err, PT_EFAIL,
                                  _("refused to restore: the link %s leads out of the media "
                                    "folder"),
                                  path + strlen(root) + 1);
            free(resolved);
        }
        free(path);
    }
    closedir(d);
    return rc;
}

/* Media, step one: extracted into a staging folder beside the target. */
static enum pt_status stage_media(struct session *s, struct pt_error *err)
{
    char *staging = staging_path(s->plan->media_target);
    struct stat st;
    mode_t mode = stat(s->plan->media_target, &st) == 0 ? (st.st_mode & 0777) | 0700 : 0700;
    pt_remove_tree(staging);
    if (mkdir(staging, 0700) != 0 || chmod(staging, mode) != 0) {
        enum pt_status rc =
            pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), staging, strerror(errno));
        free(staging);
        return rc;
    }
    /* libarchive's secure flags check relative paths: extract from inside the staging folder. */
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct extract x = {.session = s,
                        .disk = archive_write_disk_new(),
                        .buf = pt_xmalloc(BUF_SIZE),
                        .dir_mode = (0755 & mode) | 0700,
                        .file_mode = (0644 & mode) | 0600,
                        .modes = recorded_modes(&s->record)};
    archive_write_disk_set_options(
        x.disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_TIME |
                    ARCHIVE_EXTRACT_SPARSE); /* runs of zeros become holes again */
    enum pt_status rc = PT_OK;
    if (cwd < 0 || chdir(staging) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot enter %s: %s"), staging, strerror(errno));
    if (rc == PT_OK)
        rc = pt_reader_walk(&s->record, extract_entry, &x, err);
    for (size_t i = 0; rc == PT_OK && i < s->listed.n; i++)
        if (strncmp(s->listed.list[i].path, "media/", 6) == 0 && !s->listed.list[i].seen)
            rc = pt_error_set(err, PT_EFAIL, _("refused to restore %s: %s is missing"),
                              s->record.name, s->listed.list[i].path);
    if (archive_write_close(x.disk) != ARCHIVE_OK && rc == PT_OK)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), staging,
                          archive_error_string(x.disk));
    archive_write_free(x.disk);
    json_decref(x.modes);
    if (rc == PT_OK) {
        char *root = pt_path_resolve(staging);
        rc = links_stay_inside(root, root, err);
        free(root);
    }
    free(x.buf);
    if (cwd >= 0) {
        if (fchdir(cwd) != 0 && rc == PT_OK)
            rc = pt_error_set(err, PT_EFAIL, _("cannot return to the working folder"));
        close(cwd);
    }
    if (rc != PT_OK)
        pt_remove_tree(staging);
    free(staging);
    return rc;
}

/* The state about to be replaced, as an ordinary backup: undo is one more restore. */
static enum pt_status save_current(struct session *s, struct pt_catalog *c, struct pt_error *err)
{
    const char *db = s->plan->database_target ? s->plan->database_target : s->project->database;
    if (access(db, F_OK) != 0)
        return PT_OK; /* nothing there to lose */
    struct pt_project current = *s->project;
    current.database = (char *)db;
    current.media_given = false;
    struct stat st;
    bool media =
        s->plan->media_target && stat(s->plan->media_target, &st) == 0 && S_ISDIR(st.st_mode);
    current.media = media ? s->plan->media_target : NULL;
    char *name = pt_backup_name_new(s->project, c, "pre_restore", s->project->now_ms);
    struct pt_create_options opts = {
        .name = name, .kind = PT_KIND_MANUAL, .include_media = media ? 1 : 0, .no_hooks = true};
    struct pt_record r = {0};
    enum pt_status rc = pt_backup_check_input(&current, &opts, err);
    if (rc == PT_OK)
        rc = pt_backup_create_locked(&current, c, &opts, s->monitor, &r, err);
    if (rc == PT_OK)
        s->plan->pre_restore = pt_xstrdup(r.name);
    pt_record_free(&r);
    free(name);
    return rc;
}

/*
 * The whole backup verifies, deeply (every checksum, integrity_check of the
 * snapshot, every JSON), or nothing is restored.
 */
static enum pt_status check_backup(struct session *s, struct pt_catalog *c, struct pt_error *err)
{
    struct pt_verify_result result;
    /* Under restore's lock; a damaged backup is refused as it is, never healed here. */
    enum pt_status rc = pt_verify_backup_locked(s->project, c, s->record.name, true, false,
                                                s->monitor, NULL, &result, err);
    if (rc == PT_OK && !result.ok)
        rc = pt_error_set(err, PT_EFAIL, _("backup %s does not verify (%s): nothing was restored"),
                          s->record.name, result.n ? result.problems[0] : _("damaged"));
    pt_verify_result_free(&result);
    return rc;
}

/* The snapshot about to be installed is the one SHA256SUMS lists. */
static enum pt_status check_snapshot_sum(struct session *s, struct pt_error *err)
{
    char hex[PT_SHA256_HEX];
    enum pt_status rc = s->snapshot_temp ? PT_OK : pt_sha256_file(s->snapshot, hex, NULL, err);
    if (rc != PT_OK)
        return rc;
    const struct pt_sum *sum =
        pt_sums_find(&s->listed, s->snapshot_member ? s->snapshot_member : "database.sqlite3");
    if (!sum || strcmp(sum->sha256, s->snapshot_temp ? s->snapshot_sha256 : hex) != 0)
        return pt_error_set(err, PT_EFAIL,
                            _("refused to restore %s: database.sqlite3 does not match its "
                              "checksum"),
                            s->record.name);
    return PT_OK;
}

enum pt_status pt_restore(const struct pt_project *p, const char *id,
                          const struct pt_restore_options *opts, const struct pt_monitor *monitor,
                          struct pt_restore_plan *plan, struct pt_error *err)
{
    struct session s = {.monitor = monitor};
    struct pt_catalog *c = NULL;
    struct pt_lock lock = {-1};
    memset(plan, 0, sizeof(*plan));
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_WRITE, err);
    if (rc == PT_OK)
        rc = pt_lock_acquire(&lock, p, err);
    if (rc == PT_OK)
        rc = start(&s, p, id, opts, plan, err);
    /*
     * What can fail on a bad backup comes first, while nothing is replaced
     * yet; and the backup verifies before anything in it is opened.
     */
    if (rc == PT_OK)
        rc = check_backup(&s, c, err);
    if (rc == PT_OK)
        rc = load(&s, err);
    if (rc == PT_OK && plan->database_target)
        rc = check_snapshot_sum(&s, err);
    struct pt_hook_call hook = {.hook = PT_HOOK_BEFORE_RESTORE,
                                .name = plan->backup,
                                .path = s.record.path,
                                .status = "running",
                                .database =
                                    plan->database_target ? plan->database_target : p->database,
                                .media = plan->media_target};
    /* Last before anything changes: when it fails, nothing is. */
    bool hooked = rc == PT_OK;
    if (rc == PT_OK)
        rc = pt_hooks_run(p, c, &hook, monitor, err);
    bool staged = false;
    char *staging = plan->media_target ? staging_path(plan->media_target) : NULL;
    /* Journaled, so that a kill at any point is undone or finished by the next command. */
    struct pt_restore_journal journal = {.backup = plan->backup,
                                         .database = plan->database_target,
                                         .snapshot = s.snapshot,
                                         .media = plan->media_target,
                                         .staging = staging};
    bool journaled = rc == PT_OK;
    if (journaled)
        pt_restore_journal_write(p, &journal, PT_RESTORE_STAGING);
    if (rc == PT_OK && plan->media_target)
        staged = (rc = stage_media(&s, err)) == PT_OK;
    if (rc == PT_OK)
        rc = save_current(&s, c, err);
    /* From here a kill is finished by the next command, not undone: the user said yes. */
    struct stat st;
    if (rc == PT_OK && staged && stat(staging, &st) == 0)
        journal.staged_inode = (uint64_t)st.st_ino;
    if (rc == PT_OK)
        pt_restore_journal_write(p, &journal, PT_RESTORE_FINISHING);
    if (rc == PT_OK && plan->database_target)
        rc = restore_database(&s, err);
    if (rc == PT_OK && staged) {
        rc = pt_restore_swap_folder(plan->media_target, staging, err);
        if (rc == PT_OK)
            pt_restore_journal_write(p, &journal, PT_RESTORE_SWAPPED);
    }
    if (staged)
        pt_remove_tree(staging); /* the old media after the swap, or the unused new ones */
    if (journaled)
        pt_restore_journal_clear(p);
    free(staging);
    if (hooked) {
        hook.hook = PT_HOOK_AFTER_RESTORE;
        hook.status = pt_state_name(rc == PT_OK           ? PT_STATE_COMPLETED
                                    : rc == PT_ECANCELLED ? PT_STATE_CANCELLED
                                                          : PT_STATE_FAILED);
        struct pt_error why = {0};
        /* Without the cancel flag: it runs after a cancelled restore too, within its time. */
        if (pt_hooks_run(p, c, &hook, NULL, &why) != PT_OK) {
            plan->hook_error = pt_xstrdup(why.message);
        } else {
            char *command = pt_settings_string(c, "hooks.after_restore");
            plan->hook_ran = *command != '\0';
            free(command);
        }
        pt_error_clear(&why);
    }
    finish(&s);
    pt_lock_release(&lock);
    pt_catalog_close(c);
    return rc;
}

static json_t *string_list(char **items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static const char *rows_label(enum pt_restore_rows rows)
{
    switch (rows) {
    case PT_ROWS_COMPARED:
        return "compared";
    case PT_ROWS_NO_KEY:
        return "no_primary_key";
    case PT_ROWS_KEY_DIFFERS:
        return "key_differs";
    case PT_ROWS_ONLY_BACKUP:
        return "only_in_backup";
    case PT_ROWS_ONLY_NOW:
        return "only_now";
    case PT_ROWS_NOT_COMPARED:
        break;
    }
    return "not_compared";
}

static json_t *count_or_null(const struct pt_restore_table *t, int64_t n)
{
    return t->rows == PT_ROWS_COMPARED ? json_integer(n) : json_null();
}

static json_t *iso_or_null(int64_t ms)
{
    char iso[32];
    if (!ms)
        return json_null();
    pt_time_iso(ms, iso);
    return json_string(iso);
}

/* restore --at: the moment asked for, the point reached, and where the media come from. */
static json_t *at_to_json(const struct pt_restore_plan *plan)
{
    json_t *at = json_object();
    json_object_set_new(at, "time", iso_or_null(plan->at_ms));
    json_object_set_new(at, "point", plan->point ? json_string(plan->point) : json_null());
    json_object_set_new(at, "point_at", iso_or_null(plan->point_ms));
    json_object_set_new(at, "change_sets", json_integer((json_int_t)plan->n_points));
    json_object_set_new(at, "backup", json_string(plan->backup));
    json_object_set_new(at, "backup_at", iso_or_null(plan->backup_ms));
    json_object_set_new(at, "media_from",
                        plan->media_target ? json_string(plan->backup) : json_null());
    return at;
}

json_t *pt_restore_plan_to_json(const struct pt_restore_plan *plan)
{
    json_t *tables = json_array();
    for (size_t i = 0; i < plan->n_tables; i++) {
        const struct pt_restore_table *t = &plan->tables[i];
        json_array_append_new(
            tables,
            json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:o}", "name", t->name, "now",
                      t->now < 0 ? json_null() : json_integer(t->now), "after",
                      t->after < 0 ? json_null() : json_integer(t->after), "rows",
                      rows_label(t->rows), "added", count_or_null(t, t->added), "removed",
                      count_or_null(t, t->removed), "changed", count_or_null(t, t->changed)));
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "backup", json_string(plan->backup));
    json_object_set_new(doc, "database",
                        plan->database_target ? json_string(plan->database_target) : json_null());
    json_object_set_new(doc, "media_folder",
                        plan->media_target ? json_string(plan->media_target) : json_null());
    json_object_set_new(doc, "tables", tables);
    json_object_set_new(doc, "media",
                        json_pack("{s:o, s:o, s:o}", "add", string_list(plan->add, plan->n_add),
                                  "change", string_list(plan->change, plan->n_change), "remove",
                                  string_list(plan->remove, plan->n_remove)));
    json_object_set_new(doc, "migrations_differ", json_boolean(plan->migrations_differ));
    json_object_set_new(doc, "migrations",
                        json_pack("{s:o, s:o}", "only_in_backup",
                                  string_list(plan->migrations_backup, plan->n_migrations_backup),
                                  "only_now",
                                  string_list(plan->migrations_now, plan->n_migrations_now)));
    if (plan->at_ms)
        json_object_set_new(doc, "at", at_to_json(plan));
    return doc;
}

static void free_list(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

void pt_restore_plan_free(struct pt_restore_plan *plan)
{
    for (size_t i = 0; i < plan->n_tables; i++)
        free(plan->tables[i].name);
    free(plan->tables);
    free_list(plan->add, plan->n_add);
    free_list(plan->change, plan->n_change);
    free_list(plan->remove, plan->n_remove);
    free_list(plan->migrations_backup, plan->n_migrations_backup);
    free_list(plan->migrations_now, plan->n_migrations_now);
    free(plan->backup);
    free(plan->database_target);
    free(plan->media_target);
    free(plan->pre_restore);
    free(plan->point);
    free(plan->hook_error);
    memset(plan, 0, sizeof(*plan));
}
