// SPDX-License-Identifier: GPL-3.0-or-later
/* A moment resolved to a base and the points after it, applied to a copy of its database. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "poshtiban/alloc.h"
#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/timefmt.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "engine/changeset.h"
#include "engine/compress.h"
#include "ops/changes-store.h"
#include "ops/naming.h"

enum pt_status pt_changes_resolve(const struct pt_project *p, struct pt_catalog *c, int64_t at_ms,
                                  char **base, struct pt_change_point **points, size_t *n,
                                  struct pt_error *err)
{
    *base = NULL;
    *points = NULL;
    *n = 0;
    enum pt_status rc;
    struct pt_catalog_filter f = {.has_status = true, .status = PT_STATE_COMPLETED};
    struct pt_record *records = NULL;
    size_t count = 0;
    int64_t total;
    rc = pt_catalog_list(c, &f, &records, &count, &total, err);
    if (rc != PT_OK)
        return rc;
    int64_t best_ms = 0;
    for (size_t i = 0; i < count; i++) {
        int64_t ms;
        if (pt_changes_record_ms(records[i].created_at, &ms) && ms <= at_ms &&
            (!*base || ms > best_ms)) {
            free(*base);
            *base = pt_xstrdup(records[i].name);
            best_ms = ms;
        }
    }
    pt_record_list_free(records, count);
    if (!*base) {
        char when[32];
        pt_time_iso(at_ms, when);
        return pt_error_set(err, PT_EINVAL, _("no complete backup was taken at or before %s"),
                            when);
    }
    struct pt_change_list chain;
    rc = pt_changes_chain(p, *base, &chain, err);
    size_t upto = 0;
    while (rc == PT_OK && upto < chain.n && chain.points[upto].taken_ms <= at_ms)
        upto++;
    if (rc == PT_OK && upto) {
        *points = pt_xcalloc(upto, sizeof(**points));
        for (size_t i = 0; i < upto; i++)
            pt_change_point_copy(&(*points)[i], &chain.points[i]);
        *n = upto;
    }
    pt_change_list_free(&chain);
    if (rc != PT_OK) {
        free(*base);
        *base = NULL;
    }
    return rc;
}

/* A snapshot point replaces db whole. */
static enum pt_status apply_snapshot(const char *db, const struct pt_change_point *point,
                                     struct pt_error *err)
{
    char *tmp = pt_xasprintf("%s.point", db);
    unlink(tmp);
    int fd = open(point->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        free(tmp);
        return pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), point->path, strerror(errno));
    }
    bool damaged = false;
    enum pt_status rc =
        pt_unpack_snapshot(PT_COMPRESSION_ZSTD, pt_source_fd, &fd, tmp, &damaged, NULL, err);
    close(fd);
    if (rc == PT_OK && rename(tmp, db) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), db, strerror(errno));
    unlink(tmp);
    free(tmp);
    return rc;
}

static enum pt_status integrity(const char *path, struct pt_error *err)
{
    sqlite3 *db = NULL;
    enum pt_status rc = PT_OK;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot open %s"), path);
    } else {
        sqlite3_stmt *st;
        const unsigned char *answer = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            answer = sqlite3_column_text(st, 0);
        if (!answer || strcmp((const char *)answer, "ok") != 0)
            rc = pt_error_set(err, PT_EFAIL,
                              _("the database rebuilt at %s fails its integrity "
                                "check: %s"),
                              path, answer ? (const char *)answer : sqlite3_errmsg(db));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return rc;
}

enum pt_status pt_changes_apply(const struct pt_project *p, const char *db,
                                const struct pt_change_point *points, size_t n,
                                const struct pt_monitor *monitor, struct pt_error *err)
{
    (void)p;
    size_t from = pt_changes_start(points, n);
    enum pt_status rc = pt_changes_check_chain(points + from, n - from, from, err);
    for (size_t i = from; rc == PT_OK && i < n; i++) {
        const struct pt_change_point *point = &points[i];
        if (monitor && monitor->progress) {
            struct pt_progress pr = {PT_PHASE_RESTORE, (int64_t)i, (int64_t)n, point->name};
            monitor->progress(&pr, monitor->user);
        }
        if (monitor && monitor->cancel && atomic_load(monitor->cancel))
            return pt_error_set(err, PT_ECANCELLED, _("cancelled"));
        char hex[PT_SHA256_HEX];
        int64_t size;
        rc = pt_sha256_file(point->path, hex, &size, err);
        if (rc == PT_OK && (strcmp(hex, point->sha256) != 0 || size != point->size))
            rc = pt_error_set(err, PT_EFAIL, _("its file does not match its checksum"));
        if (rc == PT_OK)
            rc = point->kind == PT_CHANGE_SNAPSHOT
                     ? apply_snapshot(db, point, err)
                     : pt_changeset_apply(db, point->path, point->state, err);
        if (rc == PT_OK)
            rc = pt_changeset_state_check(db, point->state,
                                          point->kind == PT_CHANGE_ROWS ? point->path : NULL, err);
        if (rc != PT_OK && err && err->message) {
            char *why = pt_xstrdup(err->message);
            pt_error_clear(err);
            rc = pt_error_set(err, rc, _("change set %s: %s"), point->name, why);
            free(why);
        }
    }
    /* Nothing applied, nothing to prove: the base's own snapshot verified by its checksum. */
    if (rc == PT_OK && n > from)
        rc = integrity(db, err);
    return rc;
}

enum pt_status pt_changes_rows(const struct pt_change_point *point, const char *table,
                               pt_change_row_fn fn, void *user, struct pt_error *err)
{
    if (point->kind == PT_CHANGE_SNAPSHOT)
        return PT_OK;
    return pt_changeset_rows(point->path, point->tables, point->n_tables, table, fn, user, err);
}

char *pt_change_reason_text(const char *reason)
{
    static const char rebuild[] = "the change sets before it do not rebuild: ";
    static const char table[] = "table ", nokey[] = " has no primary key";
    if (!reason)
        return NULL;
    size_t len = strlen(reason);
    static const char compare[] = "the changes could not be compared: ";
    if (strncmp(reason, compare, sizeof(compare) - 1) == 0)
        return pt_xasprintf(_("the changes could not be compared: %s"),
                            reason + sizeof(compare) - 1);
    if (strncmp(reason, rebuild, sizeof(rebuild) - 1) == 0)
        return pt_xasprintf(_("the change sets before it do not rebuild: %s"),
                            reason + sizeof(rebuild) - 1);
    if (len > sizeof(table) + sizeof(nokey) - 2 && strncmp(reason, table, sizeof(table) - 1) == 0 &&
        strcmp(reason + len - (sizeof(nokey) - 1), nokey) == 0) {
        char *name = pt_xstrdup(reason + sizeof(table) - 1);
        name[strlen(name) - (sizeof(nokey) - 1)] = '\0';
        char *out = pt_xasprintf(_("table %s has no primary key"), name);
        free(name);
        return out;
    }
    if (strcmp(reason, "schema changed") == 0)
        return pt_xstrdup(_("schema changed"));
    return pt_xstrdup(reason);
}

int64_t pt_changes_last_seen(const struct pt_project *p, struct pt_catalog *catalog)
{
    struct pt_record base;
    if (pt_catalog_get(catalog, "latest", &base, NULL) != PT_OK)
        return 0;
    int64_t seen = 0;
    pt_changes_record_ms(base.created_at, &seen);
    struct pt_change_list chain;
    if (pt_changes_chain(p, base.name, &chain, NULL) == PT_OK) {
        if (chain.n && chain.points[chain.n - 1].taken_ms > seen)
            seen = chain.points[chain.n - 1].taken_ms;
        struct pt_changes_shadow shadow;
        if (pt_changes_shadow_read(p, &shadow)) {
            if (strcmp(shadow.base, base.name) == 0 && shadow.checked_ms > seen)
                seen = shadow.checked_ms;
            pt_changes_shadow_free(&shadow);
        }
        pt_change_list_free(&chain);
    }
    pt_record_free(&base);
    return seen;
}
