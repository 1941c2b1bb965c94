// SPDX-License-Identifier: GPL-3.0-or-later
/* Is the database changed? Asked every few seconds by poshtiban watch (docs/changes.md). */
#include "poshtiban/dbwatch.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

/* What the files look like: a replaced or rewritten file is a change data_version cannot see. */
struct look {
    ino_t inode;
    off_t size, wal_size;
    struct timespec mtime, wal_mtime;
};

struct pt_db_watch {
    char *path, *wal;
    sqlite3 *db;
    int64_t version;
    struct look look;
};

static void look_at(const struct pt_db_watch *w, struct look *l)
{
    memset(l, 0, sizeof(*l));
    struct stat st;
    if (stat(w->path, &st) == 0) {
        l->inode = st.st_ino;
        l->size = st.st_size;
        l->mtime = st.st_mtim;
    }
    if (stat(w->wal, &st) == 0) {
        l->wal_size = st.st_size;
        l->wal_mtime = st.st_mtim;
    }
}

static int64_t data_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

struct pt_db_watch *pt_db_watch_open(const char *database, struct pt_error *err)
{
    struct pt_db_watch *w = pt_xcalloc(1, sizeof(*w));
    w->path = pt_xstrdup(database);
    w->wal = pt_xasprintf("%s-wal", database);
    if (sqlite3_open_v2(database, &w->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        pt_error_set(err, PT_EINVAL, _("cannot open %s: %s"), database,
                     w->db ? sqlite3_errmsg(w->db) : "");
        pt_db_watch_close(w);
        return NULL;
    }
    sqlite3_busy_timeout(w->db, 1000);
    w->version = data_version(w->db);
    look_at(w, &w->look);
    return w;
}

bool pt_db_watch_changed(struct pt_db_watch *w)
{
    int64_t version = data_version(w->db);
    struct look now;
    look_at(w, &now);
    bool changed = version != w->version || now.inode != w->look.inode ||
                   now.size != w->look.size || now.wal_size != w->look.wal_size ||
                   now.mtime.tv_sec != w->look.mtime.tv_sec ||
                   now.mtime.tv_nsec != w->look.mtime.tv_nsec ||
                   now.wal_mtime.tv_sec != w->look.wal_mtime.tv_sec ||
                   now.wal_mtime.tv_nsec != w->look.wal_mtime.tv_nsec;
    if (now.inode != w->look.inode) {
        /* Replaced (a restore, a copy): watch the new file. */
        sqlite3_close(w->db);
        w->db = NULL;
        sqlite3_open_v2(w->path, &w->db, SQLITE_OPEN_READONLY, NULL);
        version = data_version(w->db);
    }
    w->version = version;
    w->look = now;
    return changed;
}

void pt_db_watch_close(struct pt_db_watch *w)
{
    if (!w)
        return;
    sqlite3_close(w->db);
    free(w->path);
    free(w->wal);
    free(w);
}
