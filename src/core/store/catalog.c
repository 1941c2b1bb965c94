// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/catalog.h"
#include "store/catalog-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/fsutil.h"
#include "poshtiban/i18n.h"

struct pt_catalog {
    sqlite3 *db;
    char *path;
    /*
     * The backup root as this process reaches it. A record's path is made
     * from it and the record's name, so a project reached through a link
     * or moved elsewhere keeps finding its backups.
     */
    char *backups;
};

/* migrations[v] brings a catalog from version v to v + 1. Append only. */
static const char *const migrations[PT_CATALOG_VERSION] = {
    ("CREATE TABLE backups ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  kind TEXT NOT NULL,"
     "  status TEXT NOT NULL,"
     "  format TEXT NOT NULL DEFAULT 'dir',"
     "  path TEXT NOT NULL,"
     "  created_at TEXT NOT NULL,"
     "  started_at TEXT,"
     "  finished_at TEXT,"
     "  duration_ms INTEGER NOT NULL DEFAULT 0,"
     "  size_bytes INTEGER NOT NULL DEFAULT 0,"
     "  include_media INTEGER NOT NULL DEFAULT 1,"
     "  message TEXT,"
     "  error TEXT,"
     "  verified_at TEXT,"
     "  verify_ok INTEGER,"
     "  pinned INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE backup_tables ("
     "  backup_id INTEGER NOT NULL REFERENCES backups(id) ON DELETE CASCADE,"
     "  name TEXT NOT NULL,"
     "  rows INTEGER NOT NULL,"
     "  PRIMARY KEY (backup_id, name));"
     "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"),

    /* 2: the process behind a running backup, for crash recovery; list indexes. */
    ("ALTER TABLE backups ADD COLUMN pid INTEGER;"
     "CREATE INDEX backups_newest ON backups(created_at DESC, id DESC);"
     "CREATE INDEX backups_status ON backups(status);"),

    /* 3: the dashboard's figures from an index alone, at any number of backups. */
    ("DROP INDEX backups_status;"
     "CREATE INDEX backups_status ON backups(status, finished_at, id, size_bytes, duration_ms);"),

    /* 4: ids are never used twice, even after the newest backup is deleted. */
    ("CREATE TABLE backups_new ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  name TEXT NOT NULL UNIQUE,"
     "  kind TEXT NOT NULL,"
     "  status TEXT NOT NULL,"
     "  format TEXT NOT NULL DEFAULT 'dir',"
     "  path TEXT NOT NULL,"
     "  created_at TEXT NOT NULL,"
     "  started_at TEXT,"
     "  finished_at TEXT,"
     "  duration_ms INTEGER NOT NULL DEFAULT 0,"
     "  size_bytes INTEGER NOT NULL DEFAULT 0,"
     "  include_media INTEGER NOT NULL DEFAULT 1,"
     "  message TEXT,"
     "  error TEXT,"
     "  verified_at TEXT,"
     "  verify_ok INTEGER,"
     "  pinned INTEGER NOT NULL DEFAULT 0,"
     "  pid INTEGER);"
     "INSERT INTO backups_new SELECT id, name, kind, status, format, path, created_at,"
     "  started_at, finished_at, duration_ms, size_bytes, include_media, message, error,"
     "  verified_at, verify_ok, pinned, pid FROM backups;"
     "DROP TABLE backups;"
     "ALTER TABLE backups_new RENAME TO backups;"
     "CREATE INDEX backups_newest ON backups(created_at DESC, id DESC);"
     "CREATE INDEX backups_status ON backups(status, finished_at, id, size_bytes, duration_ms);"),

    /* 5: the off-site copy of each backup (README, "Off-site copies"). */
    ("ALTER TABLE backups ADD COLUMN offsite_snapshot TEXT;"
     "ALTER TABLE backups ADD COLUMN offsite_at INTEGER;"
     "ALTER TABLE backups ADD COLUMN offsite_error TEXT;"
     "ALTER TABLE backups ADD COLUMN offsite_bytes INTEGER;"),

    /*
     * 6: what a message says, as a code and its figures, told in the
     * language of whoever reads it; message keeps the notes, and the text
     * of records older than this.
     */
    ("ALTER TABLE backups ADD COLUMN message_code TEXT;"
     "ALTER TABLE backups ADD COLUMN message_args TEXT;"),

    /*
     * 7: which restic repository holds each off-site snapshot (its id, from
     * `restic cat config`), which repository each offsite.repository string
     * leads to (the string hashed, never stored again) and when poshtiban
     * last listed it. Snapshots of older catalogs count again once a listing
     * of the repository finds them.
     */
    ("ALTER TABLE backups ADD COLUMN offsite_repo TEXT;"
     "CREATE TABLE offsite_repositories ("
     "  location TEXT PRIMARY KEY,"
     "  id TEXT NOT NULL,"
     "  checked_at INTEGER);"),
};

static enum pt_status db_error(struct pt_catalog *c, struct pt_error *err, const char *what)
{
    return pt_error_set(err, PT_EFAIL, _("catalog %s: %s: %s"), c->path, what,
                        sqlite3_errmsg(c->db));
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static enum pt_status migrate(struct pt_catalog *c, struct pt_error *err)
{
    int v = user_version(c->db);
    if (v < 0)
        return db_error(c, err, _("not readable"));
    if (v > PT_CATALOG_VERSION)
        return pt_error_set(err, PT_EFAIL,
                            _("catalog %s has version %d; this poshtiban knows up to %d"), c->path,
                            v, PT_CATALOG_VERSION);
    if (v == PT_CATALOG_VERSION)
        return PT_OK;
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot migrate"));
    v = user_version(c->db); /* another process may have migrated meanwhile */
    for (; v < PT_CATALOG_VERSION; v++) {
        char *sql = pt_xasprintf("%s PRAGMA user_version = %d;", migrations[v], v + 1);
        int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
        free(sql);
        if (rc != SQLITE_OK) {
            db_error(c, err, _("cannot migrate"));
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            return PT_EFAIL;
        }
    }
    if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        db_error(c, err, _("cannot migrate"));
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return PT_EFAIL;
    }
    return PT_OK;
}

/* SQLite's quick_check on the open file: PT_EFAIL, saying what, when it is damaged. */
static enum pt_status quick_check(sqlite3 *db, const char *path, struct pt_error *err)
{
    sqlite3_stmt *st = NULL;
    const char *verdict = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        rc = pt_error_set(err, PT_EFAIL, _("catalog %s is damaged: %s"), path, sqlite3_errmsg(db));
    else if (!(verdict = (const char *)sqlite3_column_text(st, 0)) || strcmp(verdict, "ok") != 0)
        rc = pt_error_set(err, PT_EFAIL, _("catalog %s is damaged: %s"), path,
                          verdict ? verdict : "?");
    sqlite3_finalize(st);
    return rc;
}

/* With damage, a file quick_check finds damaged leaves *out NULL and says why in damage. */
static enum pt_status open_file(struct pt_catalog **out, const char *path, int flags,
                                struct pt_error *damage, struct pt_error *err)
{
    struct pt_catalog *c = pt_xcalloc(1, sizeof(*c));
    c->path = pt_xstrdup(path);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        if (damage) {
            pt_error_set(damage, PT_EFAIL, _("catalog %s is damaged: %s"), path,
                         c->db ? sqlite3_errmsg(c->db) : _("cannot open"));
            pt_catalog_close(c);
            *out = NULL;
            return PT_OK;
        }
        db_error(c, err, _("cannot open"));
        pt_catalog_close(c);
        return PT_EFAIL;
    }
    sqlite3_busy_timeout(c->db, 10000);
    if (strcmp(path, ":memory:") != 0)
        chmod(path, 0600);
    if (damage && quick_check(c->db, path, damage) != PT_OK) {
        pt_catalog_close(c);
        *out = NULL;
        return PT_OK;
    }
    /* Foreign keys only after migrating: a migration that rebuilds a table must not cascade. */
    enum pt_status rc = migrate(c, err);
    if (rc != PT_OK) {
        pt_catalog_close(c);
        return rc;
    }
    sqlite3_exec(c->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    *out = c;
    return PT_OK;
}

/* <backups>/.poshtiban/catalog.sqlite3 gives <backups>; NULL for any other path. */
static char *backups_of(const char *catalog)
{
    const char *tail = "/.poshtiban/catalog.sqlite3";
    size_t n = strlen(catalog), t = strlen(tail);
    return n > t && strcmp(catalog + n - t, tail) == 0 ? pt_xasprintf("%.*s", (int)(n - t), catalog)
                                                       : NULL;
}

enum pt_status pt_catalog_open_path(struct pt_catalog **out, const char *path, struct pt_error *err)
{
    enum pt_status rc = open_file(out, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL, err);
    if (rc == PT_OK)
        (*out)->backups = backups_of(path);
    return rc;
}

enum pt_status pt_catalog_open(struct pt_catalog **out, const struct pt_project *project,
                               enum pt_catalog_mode mode, struct pt_error *err)
{
    *out = NULL;
    if (mode == PT_CATALOG_READ && access(project->catalog, F_OK) != 0) {
        enum pt_status rc =
            open_file(out, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL, err);
        if (rc == PT_OK)
            (*out)->backups = pt_xstrdup(project->backups);
        return rc;
    }
    if (mode == PT_CATALOG_WRITE) {
        enum pt_status rc = pt_project_prepare(project, err);
        if (rc != PT_OK)
            return rc;
    }
    return pt_catalog_open_path(out, project->catalog, err);
}

enum pt_status pt_catalog_open_checked(struct pt_catalog **out, const struct pt_project *project,
                                       struct pt_error *damage, struct pt_error *err)
{
    enum pt_status rc = open_file(out, project->catalog, SQLITE_OPEN_READWRITE, damage, err);
    if (rc == PT_OK && *out)
        (*out)->backups = backups_of(project->catalog);
    return rc;
}

bool pt_catalog_in_memory(struct pt_catalog *c)
{
    return strcmp(c->path, ":memory:") == 0;
}

void pt_catalog_close(struct pt_catalog *c)
{
    if (!c)
        return;
    sqlite3_close_v2(c->db);
    free(c->path);
    free(c->backups);
    free(c);
}

int pt_catalog_version(struct pt_catalog *c)
{
    return user_version(c->db);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static char *column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? pt_xstrdup((const char *)s) : NULL;
}

#define RECORD_COLUMNS                                                                             \
    "id, name, kind, status, format, path, created_at, started_at, finished_at, duration_ms,"      \
    " size_bytes, include_media, message, error, verified_at, verify_ok, pinned, pid,"             \
    " message_code, message_args"
/* What is read; the off-site columns are written by pt_catalog_set_offsite() alone. */
#define READ_COLUMNS                                                                               \
    RECORD_COLUMNS ", offsite_snapshot, offsite_at, offsite_error, offsite_bytes, offsite_repo"

/* ---- which repository ---------------------------------------------------- */

/* An offsite.repository string as the catalog keeps it: hashed (FNV-1a, 64 bits), never again in
 * clear. New string. */
static char *location_of(const char *repository)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)repository; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return pt_xasprintf("fnv1a64:%016llx:%zu", (unsigned long long)h, strlen(repository));
}

enum pt_status pt_catalog_offsite_learn(struct pt_catalog *c, const char *repository,
                                        const char *id, struct pt_error *err)
{
    char *location = location_of(repository);
    sqlite3_stmt *st;
    /* The same repository reached another way keeps the time it was last listed. */
    int rc = sqlite3_prepare_v2(
        c->db,
        "INSERT INTO offsite_repositories (location, id, checked_at) VALUES (?1, ?2,"
        " (SELECT max(checked_at) FROM offsite_repositories WHERE id = ?2))"
        " ON CONFLICT (location) DO UPDATE SET id = excluded.id,"
        " checked_at = CASE WHEN id = excluded.id THEN checked_at ELSE excluded.checked_at END",
        -1, &st, NULL);
    if (rc == SQLITE_OK) {
        bind_text(st, 1, location);
        bind_text(st, 2, id);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    free(location);
    return rc == SQLITE_DONE ? PT_OK : db_error(c, err, _("cannot write"));
}

void pt_catalog_offsite_current(struct pt_catalog *c, char **id, int64_t *checked_ms)
{
    *id = NULL;
    *checked_ms = -1;
    char *repository = NULL;
    if (pt_catalog_setting_get(c, "offsite.repository", &repository, NULL) != PT_OK ||
        !repository || !*repository) {
        free(repository);
        return;
    }
    char *location = location_of(repository);
    free(repository);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT id, checked_at FROM offsite_repositories WHERE location = ?", -1,
                           &st, NULL) == SQLITE_OK) {
        bind_text(st, 1, location);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *id = column_text(st, 0);
            if (sqlite3_column_type(st, 1) != SQLITE_NULL)
                *checked_ms = sqlite3_column_int64(st, 1);
        }
    }
    sqlite3_finalize(st);
    free(location);
}

/* The current repository as read_record needs it. */
struct current {
    char *id;
    int64_t checked_ms;
};

static void current_read(struct pt_catalog *c, struct current *cur)
{
    pt_catalog_offsite_current(c, &cur->id, &cur->checked_ms);
}

static void bind_record(sqlite3_stmt *st, const struct pt_record *r)
{
    /* ?1 is the id; the others follow RECORD_COLUMNS. */
    bind_text(st, 2, r->name);
    bind_text(st, 3, pt_kind_name(r->kind));
    bind_text(st, 4, pt_state_name(r->status));
    bind_text(st, 5, r->format ? r->format : "dir");
    bind_text(st, 6, r->path ? r->path : "");
    bind_text(st, 7, r->created_at);
    bind_text(st, 8, r->started_at);
    bind_text(st, 9, r->finished_at);
    sqlite3_bind_int64(st, 10, r->duration_ms);
    sqlite3_bind_int64(st, 11, r->size_bytes);
    sqlite3_bind_int(st, 12, r->include_media);
    bind_text(st, 13, r->message);
    bind_text(st, 14, r->error);
    bind_text(st, 15, r->verified_at);
    if (r->verify_ok < 0)
        sqlite3_bind_null(st, 16);
    else
        sqlite3_bind_int(st, 16, r->verify_ok);
    sqlite3_bind_int(st, 17, r->pinned);
    if (r->pid > 0)
        sqlite3_bind_int64(st, 18, r->pid);
    else
        sqlite3_bind_null(st, 18);
    bind_text(st, 19, r->message_code);
    bind_text(st, 20, r->message_args);
}

static void read_record(const struct pt_catalog *c, sqlite3_stmt *st, const struct current *cur,
                        struct pt_record *r)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(st, 0);
    r->name = column_text(st, 1);
    pt_kind_parse((const char *)sqlite3_column_text(st, 2), &r->kind);
    if (!pt_state_parse((const char *)sqlite3_column_text(st, 3), &r->status))
        r->status = PT_STATE_FAILED;
    r->format = column_text(st, 4);
    r->path = column_text(st, 5);
    r->created_at = column_text(st, 6);
    r->started_at = column_text(st, 7);
    r->finished_at = column_text(st, 8);
    r->duration_ms = sqlite3_column_int64(st, 9);
    r->size_bytes = sqlite3_column_int64(st, 10);
    r->include_media = sqlite3_column_int(st, 11) != 0;
    r->message = column_text(st, 12);
    r->error = column_text(st, 13);
    r->verified_at = column_text(st, 14);
    r->verify_ok = sqlite3_column_type(st, 15) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 15);
    r->pinned = sqlite3_column_int(st, 16) != 0;
    r->pid = (long)sqlite3_column_int64(st, 17);
    r->message_code = column_text(st, 18);
    r->message_args = column_text(st, 19);
    r->offsite_snapshot = column_text(st, 20);
    r->offsite_at_ms =
        sqlite3_column_type(st, 21) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 21);
    r->offsite_error = column_text(st, 22);
    r->offsite_bytes = sqlite3_column_int64(st, 23);
    /* A snapshot in another repository, or in one never listed, is no copy there. */
    const char *repo = (const char *)sqlite3_column_text(st, 24);
    if (r->offsite_snapshot && (!cur->id || !repo || strcmp(repo, cur->id) != 0)) {
        free(r->offsite_snapshot);
        r->offsite_snapshot = NULL;
    }
    r->offsite_checked_ms = cur->checked_ms;
    if (c->backups && r->name) {
        const char *suffix = pt_format_suffix(r->format);
        free(r->path);
        r->path = pt_xasprintf("%s/%s%s", c->backups, r->name, suffix ? suffix : "");
    }
}

static enum pt_status load_tables(struct pt_catalog *c, struct pt_record *r, struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT name, rows FROM backup_tables WHERE backup_id = ? ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot read"));
    sqlite3_bind_int64(st, 1, r->id);
    while (sqlite3_step(st) == SQLITE_ROW)
        pt_record_add_table(r, (const char *)sqlite3_column_text(st, 0),
                            sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    return PT_OK;
}

static enum pt_status save_tables(struct pt_catalog *c, const struct pt_record *r,
                                  struct pt_error *err)
{
    sqlite3_stmt *del, *ins;
    if (sqlite3_prepare_v2(c->db, "DELETE FROM backup_tables WHERE backup_id = ?", -1, &del,
                           NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot write"));
    sqlite3_bind_int64(del, 1, r->id);
    int rc = sqlite3_step(del);
    sqlite3_finalize(del);
    if (rc != SQLITE_DONE)
        return db_error(c, err, _("cannot write"));
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO backup_tables (backup_id, name, rows) VALUES (?, ?, ?)", -1,
                           &ins, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot write"));
    for (size_t i = 0; i < r->n_tables; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, r->id);
        bind_text(ins, 2, r->tables[i].name);
        sqlite3_bind_int64(ins, 3, r->tables[i].rows);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            sqlite3_finalize(ins);
            return db_error(c, err, _("cannot write"));
        }
    }
    sqlite3_finalize(ins);
    return PT_OK;
}

static enum pt_status write_record(struct pt_catalog *c, const char *sql, struct pt_record *r,
                                   bool insert, struct pt_error *err)
{
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot write"));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(c, err, _("cannot write"));
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return PT_EFAIL;
    }
    if (insert)
        sqlite3_bind_null(st, 1);
    else
        sqlite3_bind_int64(st, 1, r->id);
    bind_record(st, r);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_CONSTRAINT)
            pt_error_set(err, PT_EINVAL, _("a backup named %s exists already"), r->name);
        else
            db_error(c, err, _("cannot write"));
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return err && err->status != PT_OK ? err->status : PT_EFAIL;
    }
    if (insert)
        r->id = sqlite3_last_insert_rowid(c->db);
    if (save_tables(c, r, err) != PT_OK ||
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        db_error(c, err, _("cannot write"));
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return PT_EFAIL;
    }
    return PT_OK;
}

enum pt_status pt_catalog_insert(struct pt_catalog *c, struct pt_record *r, struct pt_error *err)
{
    return write_record(c,
                        "INSERT INTO backups (" RECORD_COLUMNS ") VALUES "
                        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
                        " ?17, ?18, ?19, ?20)",
                        r, true, err);
}

enum pt_status pt_catalog_update(struct pt_catalog *c, const struct pt_record *r,
                                 struct pt_error *err)
{
    return write_record(c,
                        "UPDATE backups SET name = ?2, kind = ?3, status = ?4, format = ?5,"
                        " path = ?6, created_at = ?7, started_at = ?8, finished_at = ?9,"
                        " duration_ms = ?10, size_bytes = ?11, include_media = ?12, message = ?13,"
                        " error = ?14, verified_at = ?15, verify_ok = ?16, pinned = ?17, pid = ?18"
                        ", message_code = ?19, message_args = ?20 WHERE id = ?1",
                        (struct pt_record *)r, false, err);
}

enum pt_status pt_catalog_delete(struct pt_catalog *c, int64_t id, struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "DELETE FROM backups WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot write"));
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? PT_OK : db_error(c, err, _("cannot write"));
}

/*
 * One column or two of one record, and nothing else: whoever else changed
 * the record meanwhile (a pin during a verify) keeps their change. sql
 * may use ?1 id, ?2 text and ?3 number; binding one it does not use is
 * a harmless SQLITE_RANGE.
 */
static enum pt_status set_columns(struct pt_catalog *c, const char *sql, int64_t id,
                                  const char *text, int64_t number, struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot write"));
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, text);
    sqlite3_bind_int64(st, 3, number);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(c, err, _("cannot write"));
    return sqlite3_changes(c->db)
               ? PT_OK
               : pt_error_set(err, PT_ENOTFOUND, _("backup %lld was deleted"), (long long)id);
}

enum pt_status pt_catalog_set_status(struct pt_catalog *c, int64_t id, enum pt_state status,
                                     struct pt_error *err)
{
    return set_columns(c, "UPDATE backups SET status = ?2 WHERE id = ?1", id, pt_state_name(status),
                       0, err);
}

enum pt_status pt_catalog_set_pinned(struct pt_catalog *c, int64_t id, bool pinned,
                                     struct pt_error *err)
{
    return set_columns(c, "UPDATE backups SET pinned = ?3 WHERE id = ?1", id, NULL, pinned, err);
}

enum pt_status pt_catalog_set_verified(struct pt_catalog *c, int64_t id, const char *at, bool ok,
                                       struct pt_error *err)
{
    return set_columns(c, "UPDATE backups SET verified_at = ?2, verify_ok = ?3 WHERE id = ?1", id,
                       at, ok, err);
}

enum pt_status pt_catalog_set_message(struct pt_catalog *c, int64_t id, const char *message,
                                      struct pt_error *err)
{
    return set_columns(c, "UPDATE backups SET message = ?2 WHERE id = ?1", id, message, 0, err);
}

enum pt_status pt_catalog_set_offsite(struct pt_catalog *c, int64_t id, const char *snapshot,
                                      int64_t at_ms, const char *error, int64_t bytes_added,
                                      struct pt_error *err)
{
    sqlite3_stmt *st;
    struct current cur;
    if (sqlite3_prepare_v2(
            c->db,
            "UPDATE backups SET offsite_snapshot = ?2, offsite_at = ?3,"
            " offsite_error = ?4, offsite_bytes = ?5,"
            " offsite_repo = CASE WHEN ?2 IS NULL THEN NULL ELSE ?6 END WHERE id = ?1",
            -1, &st, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot write"));
    current_read(c, &cur);
    bind_text(st, 6, cur.id);
    free(cur.id);
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, snapshot);
    sqlite3_bind_int64(st, 3, at_ms);
    bind_text(st, 4, error);
    sqlite3_bind_int64(st, 5, bytes_added);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(c, err, _("cannot write"));
    return sqlite3_changes(c->db)
               ? PT_OK
               : pt_error_set(err, PT_ENOTFOUND, _("backup %lld was deleted"), (long long)id);
}

static bool exec_ok(struct pt_catalog *c, sqlite3_stmt *st)
{
    (void)c;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE;
}

enum pt_status pt_catalog_offsite_sync(struct pt_catalog *c, const char *repo,
                                       const struct pt_catalog_offsite_copy *copies, size_t n,
                                       int64_t at_ms, struct pt_error *err)
{
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot write"));
    sqlite3_stmt *clear = NULL, *set = NULL, *checked = NULL;
    bool ok =
        sqlite3_prepare_v2(c->db,
                           "UPDATE backups SET offsite_snapshot = NULL, offsite_repo = NULL"
                           " WHERE offsite_snapshot IS NOT NULL OR offsite_repo IS NOT NULL",
                           -1, &clear, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(c->db,
                           "UPDATE backups SET offsite_snapshot = ?2, offsite_repo = ?3,"
                           " offsite_error = NULL, offsite_at = coalesce(offsite_at, ?4),"
                           " offsite_bytes = coalesce(offsite_bytes, 0) WHERE name = ?1",
                           -1, &set, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(c->db, "UPDATE offsite_repositories SET checked_at = ?2 WHERE id = ?1",
                           -1, &checked, NULL) == SQLITE_OK &&
        exec_ok(c, clear);
    for (size_t i = 0; ok && i < n; i++) {
        bind_text(set, 1, copies[i].name);
        bind_text(set, 2, copies[i].snapshot);
        bind_text(set, 3, repo);
        sqlite3_bind_int64(set, 4, copies[i].time_ms);
        ok = exec_ok(c, set);
    }
    if (ok) {
        bind_text(checked, 1, repo);
        sqlite3_bind_int64(checked, 2, at_ms);
        ok = exec_ok(c, checked);
    }
    sqlite3_finalize(clear);
    sqlite3_finalize(set);
    sqlite3_finalize(checked);
    if (!ok || sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        db_error(c, err, _("cannot write"));
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return PT_EFAIL;
    }
    return PT_OK;
}

enum pt_status pt_catalog_check(const char *path, struct pt_error *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    const char *verdict = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        rc = pt_error_set(err, PT_EFAIL, _("catalog %s is damaged: %s"), path,
                          db ? sqlite3_errmsg(db) : _("cannot open"));
    else if (!(verdict = (const char *)sqlite3_column_text(st, 0)) || strcmp(verdict, "ok") != 0)
        rc = pt_error_set(err, PT_EFAIL, _("catalog %s is damaged: %s"), path,
                          verdict ? verdict : "?");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

bool pt_catalog_read_settings_of(const char *path,
                                 void (*fn)(const char *key, const char *value, void *user),
                                 void *user)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool whole =
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT key, value FROM settings", -1, &st, NULL) == SQLITE_OK;
    int step = SQLITE_DONE;
    while (whole && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *value = (const char *)sqlite3_column_text(st, 1);
        if (key && value)
            fn(key, value, user);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return whole && step == SQLITE_DONE;
}

bool pt_catalog_read_names_of(const char *path,
                              void (*fn)(int64_t id, const char *name, void *user), void *user)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    /* Read-only, no busy wait, no migration: a look that never writes nor waits. */
    bool whole = access(path, F_OK) == 0 &&
                 sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
                 sqlite3_prepare_v2(db, "SELECT id, name FROM backups ORDER BY id DESC", -1, &st,
                                    NULL) == SQLITE_OK;
    int step = SQLITE_DONE;
    while (whole && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (name)
            fn(sqlite3_column_int64(st, 0), name, user);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return whole && step == SQLITE_DONE;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

enum pt_status pt_catalog_get(struct pt_catalog *c, const char *id_or_name, struct pt_record *out,
                              struct pt_error *err)
{
    sqlite3_stmt *st;
    bool by_id = all_digits(id_or_name), latest = strcmp(id_or_name, "latest") == 0;
    const char *sql = by_id    ? "SELECT " READ_COLUMNS " FROM backups WHERE id = ?"
                      : latest ? "SELECT " READ_COLUMNS " FROM backups WHERE status = ?"
                                 " ORDER BY created_at DESC, id DESC LIMIT 1"
                               : "SELECT " READ_COLUMNS " FROM backups WHERE name = ?";
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot read"));
    if (by_id)
        sqlite3_bind_int64(st, 1, strtoll(id_or_name, NULL, 10));
    else
        bind_text(st, 1, latest ? pt_state_name(PT_STATE_COMPLETED) : id_or_name);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE && latest)
            return pt_error_set(err, PT_ENOTFOUND, _("no completed backup yet"));
        if (rc == SQLITE_DONE)
            return pt_error_set(err, PT_ENOTFOUND, _("no backup %s"), id_or_name);
        return db_error(c, err, _("cannot read"));
    }
    struct current cur;
    current_read(c, &cur);
    read_record(c, st, &cur, out);
    free(cur.id);
    sqlite3_finalize(st);
    return load_tables(c, out, err);
}

bool pt_catalog_name_taken(struct pt_catalog *c, const char *name)
{
    sqlite3_stmt *st;
    bool taken = false;
    if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM backups WHERE name = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        bind_text(st, 1, name);
        taken = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return taken;
}

static void bind_filter(sqlite3_stmt *st, const struct pt_catalog_filter *f)
{
    if (f->has_status)
        bind_text(st, sqlite3_bind_parameter_index(st, ":status"), pt_state_name(f->status));
    if (f->has_kind)
        bind_text(st, sqlite3_bind_parameter_index(st, ":kind"), pt_kind_name(f->kind));
    if (f->name_contains)
        bind_text(st, sqlite3_bind_parameter_index(st, ":name"), f->name_contains);
}

enum pt_status pt_catalog_list(struct pt_catalog *c, const struct pt_catalog_filter *f,
                               struct pt_record **out, size_t *n, int64_t *total,
                               struct pt_error *err)
{
    static const struct pt_catalog_filter none = {0};
    if (!f)
        f = &none;
    *out = NULL;
    *n = 0;
    char *where = pt_xasprintf(" WHERE 1%s%s%s", f->has_status ? " AND status = :status" : "",
                               f->has_kind ? " AND kind = :kind" : "",
                               f->name_contains ? " AND instr(name, :name) > 0" : "");
    char *count_sql = pt_xasprintf("SELECT count(*) FROM backups%s", where);
    char *list_sql = pt_xasprintf("SELECT " READ_COLUMNS " FROM backups%s"
                                  " ORDER BY created_at DESC, id DESC LIMIT %lld OFFSET %lld",
                                  where, f->limit > 0 ? (long long)f->limit : -1LL,
                                  f->offset > 0 ? (long long)f->offset : 0LL);
    free(where);
    sqlite3_stmt *st = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3_prepare_v2(c->db, count_sql, -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(c, err, _("cannot read"));
        goto out;
    }
    bind_filter(st, f);
    if (sqlite3_step(st) == SQLITE_ROW && total)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(c->db, list_sql, -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(c, err, _("cannot read"));
        goto out;
    }
    bind_filter(st, f);
    size_t cap = 0;
    struct current cur;
    current_read(c, &cur);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = pt_xrealloc(*out, cap * sizeof(**out));
        }
        read_record(c, st, &cur, &(*out)[*n]);
        (*n)++;
    }
    free(cur.id);
    sqlite3_finalize(st);
    for (size_t i = 0; i < *n && rc == PT_OK; i++)
        rc = load_tables(c, &(*out)[i], err);
out:
    free(count_sql);
    free(list_sql);
    return rc;
}

static enum pt_status totals_error(struct pt_catalog *c, struct pt_error *err)
{
    return pt_error_set(err, PT_EFAIL, _("cannot read the catalog: %s"), sqlite3_errmsg(c->db));
}

enum pt_status pt_catalog_totals(struct pt_catalog *c, struct pt_catalog_totals *t,
                                 struct pt_error *err)
{
    memset(t, 0, sizeof(*t));
    t->offsite.newest_at_ms = -1;
    pt_catalog_offsite_current(c, &t->offsite.repo, &t->offsite.checked_at_ms);
    sqlite3_stmt *st;
    /* One pass over the status index, whatever the number of backups. */
    if (sqlite3_prepare_v2(c->db,
                           "SELECT status, count(*), coalesce(sum(size_bytes), 0),"
                           " coalesce(sum(duration_ms), 0) FROM backups GROUP BY status",
                           -1, &st, NULL) != SQLITE_OK)
        return totals_error(c, err);
    while (sqlite3_step(st) == SQLITE_ROW) {
        enum pt_state state;
        int64_t n = sqlite3_column_int64(st, 1);
        t->total += n;
        if (!pt_state_parse((const char *)sqlite3_column_text(st, 0), &state))
            continue;
        if (state == PT_STATE_COMPLETED) {
            t->completed = n;
            t->completed_bytes = sqlite3_column_int64(st, 2);
            t->completed_duration_ms = sqlite3_column_int64(st, 3);
        } else if (state == PT_STATE_FAILED) {
            t->failed = n;
        } else if (state == PT_STATE_RUNNING) {
            t->running = n;
        } else if (state == PT_STATE_INTERRUPTED) {
            t->interrupted = n;
        }
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(c->db,
                           "SELECT name, finished_at,"
                           " offsite_snapshot IS NOT NULL AND offsite_repo = ?1, offsite_error"
                           " FROM backups WHERE status = 'completed'"
                           " ORDER BY finished_at DESC, id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return totals_error(c, err);
    bind_text(st, 1, t->offsite.repo);
    if (sqlite3_step(st) == SQLITE_ROW) {
        t->newest.name = column_text(st, 0);
        t->newest.finished_at = column_text(st, 1);
        t->newest.offsite = sqlite3_column_int(st, 2) != 0;
        t->newest.offsite_error = column_text(st, 3);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(c->db,
                           "SELECT count(*) FROM backups WHERE status = 'completed'"
                           " AND offsite_snapshot IS NOT NULL AND offsite_repo = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return totals_error(c, err);
    bind_text(st, 1, t->offsite.repo);
    if (sqlite3_step(st) == SQLITE_ROW)
        t->offsite.copied = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(c->db,
                           "SELECT name, offsite_at FROM backups WHERE status = 'completed'"
                           " AND offsite_snapshot IS NOT NULL AND offsite_repo = ?1"
                           " ORDER BY offsite_at DESC, id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return totals_error(c, err);
    bind_text(st, 1, t->offsite.repo);
    if (sqlite3_step(st) == SQLITE_ROW) {
        t->offsite.newest_name = column_text(st, 0);
        t->offsite.newest_at_ms = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return PT_OK;
}

void pt_catalog_totals_free(struct pt_catalog_totals *t)
{
    free(t->newest.name);
    free(t->newest.finished_at);
    free(t->newest.offsite_error);
    free(t->offsite.newest_name);
    free(t->offsite.repo);
    memset(t, 0, sizeof(*t));
}

enum pt_status pt_catalog_setting_get(struct pt_catalog *c, const char *key, char **value,
                                      struct pt_error *err)
{
    sqlite3_stmt *st;
    *value = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT value FROM settings WHERE key = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return db_error(c, err, _("cannot read"));
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *value = column_text(st, 0);
    sqlite3_finalize(st);
    /* A page that cannot be read is an error, never "not set". */
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? PT_OK : db_error(c, err, _("cannot read"));
}

enum pt_status pt_catalog_setting_delete(struct pt_catalog *c, const char *key,
                                         struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "DELETE FROM settings WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot write"));
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? PT_OK : db_error(c, err, _("cannot write"));
}

enum pt_status pt_catalog_setting_put(struct pt_catalog *c, const char *key, const char *value,
                                      struct pt_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO settings (key, value) VALUES (?, ?)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(c, err, _("cannot write"));
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? PT_OK : db_error(c, err, _("cannot write"));
}
