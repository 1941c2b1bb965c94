// SPDX-License-Identifier: GPL-3.0-or-later
/* The catalog's backup records: written, updated, deleted, found and listed. */
#include "poshtiban/catalog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"
#include "store/catalog-internal.h"

#define RECORD_COLUMNS                                                                             \
    "id, name, kind, status, format, path, created_at, started_at, finished_at, duration_ms,"      \
    " size_bytes, include_media, message, error, verified_at, verify_ok, pinned, pid,"             \
    " message_code, message_args"
/* What is read; the off-site columns are written by pt_catalog_set_offsite() alone. */
#define READ_COLUMNS                                                                               \
    RECORD_COLUMNS ", offsite_snapshot, offsite_at, offsite_error, offsite_bytes, offsite_repo"

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
    pt_catalog_bind_text(st, 2, r->name);
    pt_catalog_bind_text(st, 3, pt_kind_name(r->kind));
    pt_catalog_bind_text(st, 4, pt_state_name(r->status));
    pt_catalog_bind_text(st, 5, r->format ? r->format : "dir");
    pt_catalog_bind_text(st, 6, r->path ? r->path : "");
    pt_catalog_bind_text(st, 7, r->created_at);
    pt_catalog_bind_text(st, 8, r->started_at);
    pt_catalog_bind_text(st, 9, r->finished_at);
    sqlite3_bind_int64(st, 10, r->duration_ms);
    sqlite3_bind_int64(st, 11, r->size_bytes);
    sqlite3_bind_int(st, 12, r->include_media);
    pt_catalog_bind_text(st, 13, r->message);
    pt_catalog_bind_text(st, 14, r->error);
    pt_catalog_bind_text(st, 15, r->verified_at);
    if (r->verify_ok < 0)
        sqlite3_bind_null(st, 16);
    else
        sqlite3_bind_int(st, 16, r->verify_ok);
    sqlite3_bind_int(st, 17, r->pinned);
    if (r->pid > 0)
        sqlite3_bind_int64(st, 18, r->pid);
    else
        sqlite3_bind_null(st, 18);
    pt_catalog_bind_text(st, 19, r->message_code);
    pt_catalog_bind_text(st, 20, r->message_args);
}

static void read_record(const struct pt_catalog *c, sqlite3_stmt *st, const struct current *cur,
                        struct pt_record *r)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(st, 0);
    r->name = pt_catalog_column_text(st, 1);
    pt_kind_parse((const char *)sqlite3_column_text(st, 2), &r->kind);
    if (!pt_state_parse((const char *)sqlite3_column_text(st, 3), &r->status))
        r->status = PT_STATE_FAILED;
    r->format = pt_catalog_column_text(st, 4);
    r->path = pt_catalog_column_text(st, 5);
    r->created_at = pt_catalog_column_text(st, 6);
    r->started_at = pt_catalog_column_text(st, 7);
    r->finished_at = pt_catalog_column_text(st, 8);
    r->duration_ms = sqlite3_column_int64(st, 9);
    r->size_bytes = sqlite3_column_int64(st, 10);
    r->include_media = sqlite3_column_int(st, 11) != 0;
    r->message = pt_catalog_column_text(st, 12);
    r->error = pt_catalog_column_text(st, 13);
    r->verified_at = pt_catalog_column_text(st, 14);
    r->verify_ok = sqlite3_column_type(st, 15) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 15);
    r->pinned = sqlite3_column_int(st, 16) != 0;
    r->pid = (long)sqlite3_column_int64(st, 17);
    r->message_code = pt_catalog_column_text(st, 18);
    r->message_args = pt_catalog_column_text(st, 19);
    r->offsite_snapshot = pt_catalog_column_text(st, 20);
    r->offsite_at_ms =
        sqlite3_column_type(st, 21) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 21);
    r->offsite_error = pt_catalog_column_text(st, 22);
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
        return pt_catalog_db_error(c, err, _("cannot read"));
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
        return pt_catalog_db_error(c, err, _("cannot write"));
    sqlite3_bind_int64(del, 1, r->id);
    int rc = sqlite3_step(del);
    sqlite3_finalize(del);
    if (rc != SQLITE_DONE)
        return pt_catalog_db_error(c, err, _("cannot write"));
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO backup_tables (backup_id, name, rows) VALUES (?, ?, ?)", -1,
                           &ins, NULL) != SQLITE_OK)
        return pt_catalog_db_error(c, err, _("cannot write"));
    for (size_t i = 0; i < r->n_tables; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, r->id);
        pt_catalog_bind_text(ins, 2, r->tables[i].name);
        sqlite3_bind_int64(ins, 3, r->tables[i].rows);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            sqlite3_finalize(ins);
            return pt_catalog_db_error(c, err, _("cannot write"));
        }
    }
    sqlite3_finalize(ins);
    return PT_OK;
}

static enum pt_status write_record(struct pt_catalog *c, const char *sql, struct pt_record *r,
                                   bool insert, struct pt_error *err)
{
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return pt_catalog_db_error(c, err, _("cannot write"));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        pt_catalog_db_error(c, err, _("cannot write"));
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
            pt_catalog_db_error(c, err, _("cannot write"));
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return err && err->status != PT_OK ? err->status : PT_EFAIL;
    }
    if (insert)
        r->id = sqlite3_last_insert_rowid(c->db);
    if (save_tables(c, r, err) != PT_OK ||
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        pt_catalog_db_error(c, err, _("cannot write"));
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
        return pt_catalog_db_error(c, err, _("cannot write"));
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? PT_OK : pt_catalog_db_error(c, err, _("cannot write"));
}

/* Steps and finalizes st, an update of record id: PT_ENOTFOUND when it is gone. */
static enum pt_status step_one(struct pt_catalog *c, sqlite3_stmt *st, int64_t id,
                               struct pt_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return pt_catalog_db_error(c, err, _("cannot write"));
    return sqlite3_changes(c->db)
               ? PT_OK
               : pt_error_set(err, PT_ENOTFOUND, _("backup %lld was deleted"), (long long)id);
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
        return pt_catalog_db_error(c, err, _("cannot write"));
    sqlite3_bind_int64(st, 1, id);
    pt_catalog_bind_text(st, 2, text);
    sqlite3_bind_int64(st, 3, number);
    return step_one(c, st, id, err);
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
        return pt_catalog_db_error(c, err, _("cannot write"));
    current_read(c, &cur);
    pt_catalog_bind_text(st, 6, cur.id);
    free(cur.id);
    sqlite3_bind_int64(st, 1, id);
    pt_catalog_bind_text(st, 2, snapshot);
    sqlite3_bind_int64(st, 3, at_ms);
    pt_catalog_bind_text(st, 4, error);
    sqlite3_bind_int64(st, 5, bytes_added);
    return step_one(c, st, id, err);
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
        return pt_catalog_db_error(c, err, _("cannot read"));
    if (by_id)
        sqlite3_bind_int64(st, 1, strtoll(id_or_name, NULL, 10));
    else
        pt_catalog_bind_text(st, 1, latest ? pt_state_name(PT_STATE_COMPLETED) : id_or_name);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE && latest)
            return pt_error_set(err, PT_ENOTFOUND, _("no completed backup yet"));
        if (rc == SQLITE_DONE)
            return pt_error_set(err, PT_ENOTFOUND, _("no backup %s"), id_or_name);
        return pt_catalog_db_error(c, err, _("cannot read"));
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
        pt_catalog_bind_text(st, 1, name);
        taken = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return taken;
}

static void bind_filter(sqlite3_stmt *st, const struct pt_catalog_filter *f)
{
    if (f->has_status)
        pt_catalog_bind_text(st, sqlite3_bind_parameter_index(st, ":status"),
                             pt_state_name(f->status));
    if (f->has_kind)
        pt_catalog_bind_text(st, sqlite3_bind_parameter_index(st, ":kind"), pt_kind_name(f->kind));
    if (f->name_contains)
        pt_catalog_bind_text(st, sqlite3_bind_parameter_index(st, ":name"), f->name_contains);
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
        rc = pt_catalog_db_error(c, err, _("cannot read"));
        goto out;
    }
    bind_filter(st, f);
    if (sqlite3_step(st) == SQLITE_ROW && total)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(c->db, list_sql, -1, &st, NULL) != SQLITE_OK) {
        rc = pt_catalog_db_error(c, err, _("cannot read"));
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
