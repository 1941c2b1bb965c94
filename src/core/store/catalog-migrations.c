// SPDX-License-Identifier: GPL-3.0-or-later
/* The catalog's schema, one migration per version (docs/catalog.md). */
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

/* pt_catalog_migrations[v] brings a catalog from version v to v + 1. Append only. */
const char *const pt_catalog_migrations[PT_CATALOG_VERSION] = {
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
