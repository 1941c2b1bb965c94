// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/preflight.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <sqlite3.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"

#include "engine/media.h"
#include "engine/schema.h"

static int64_t database_bytes(const char *path)
{
    sqlite3 *db = NULL;
    int64_t bytes = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        int64_t pages = pt_schema_pragma_int(db, "PRAGMA page_count");
        int64_t size = pt_schema_pragma_int(db, "PRAGMA page_size");
        if (pages >= 0 && size > 0)
            bytes = pages * size;
    }
    sqlite3_close(db);
    struct stat st;
    if (bytes < 0 && stat(path, &st) == 0)
        bytes = st.st_size;
    return bytes;
}

void pt_preflight_estimate(const struct pt_project *p, struct pt_catalog *c,
                           struct pt_preflight *out)
{
    memset(out, 0, sizeof(*out));
    out->free_bytes = -1;
    out->enough = true;
    out->database_bytes = database_bytes(p->database);
    out->media_bytes = 0;
    if (p->media && pt_settings_bool(c, PT_KEY_BACKUP_INCLUDE_MEDIA)) {
        struct pt_media_totals totals;
        out->media_bytes =
            pt_media_measure(p->media, p->backups, &totals, NULL) == PT_OK ? totals.bytes : -1;
    }
    out->last_backup_bytes = -1;
    struct pt_catalog_filter f = {.has_status = true, .status = PT_STATE_COMPLETED, .limit = 1};
    struct pt_record *r = NULL;
    size_t n = 0;
    int64_t total;
    if (pt_catalog_list(c, &f, &r, &n, &total, NULL) == PT_OK && n > 0)
        out->last_backup_bytes = r[0].size_bytes;
    pt_record_list_free(r, n);
    int64_t fresh = (out->database_bytes > 0 ? out->database_bytes : 0) +
                    (out->media_bytes > 0 ? out->media_bytes : 0);
    out->needed_bytes = fresh > out->last_backup_bytes ? fresh : out->last_backup_bytes;
}

enum pt_status pt_preflight_check(const struct pt_project *p, struct pt_catalog *c,
                                  struct pt_preflight *out, struct pt_error *err)
{
    pt_preflight_estimate(p, c, out);
    struct statvfs vfs;
    if (statvfs(p->backups, &vfs) != 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read the free space of %s: %s"), p->backups,
                            strerror(errno));
    out->free_bytes = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    out->enough = out->free_bytes >= out->needed_bytes;
    if (out->enough)
        return PT_OK;
    char need[32], have[32];
    pt_l10n_size(out->needed_bytes, need, sizeof(need));
    pt_l10n_size(out->free_bytes, have, sizeof(have));
    return pt_error_set(err, PT_EFAIL,
                        _("not enough free space in %s: the backup needs about %s, only %s is "
                          "free; nothing was written"),
                        p->backups, need, have);
}
