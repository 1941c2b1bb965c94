// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/naming.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "base/fsutil.h"

static bool path_exists(const char *dir, const char *name)
{
    char *path = pt_path_join(dir, name);
    struct stat st;
    bool exists = lstat(path, &st) == 0;
    free(path);
    return exists;
}

bool pt_backup_name_free(const struct pt_project *p, struct pt_catalog *c, const char *name)
{
    static const char *const suffixes[] = {"", ".zip", ".tar.zst"};
    if (pt_catalog_name_taken(c, name) || path_exists(p->tmp, name))
        return false;
    for (size_t i = 0; i < 3; i++) {
        char *file = pt_xasprintf("%s%s", name, suffixes[i]);
        bool exists = path_exists(p->backups, file);
        free(file);
        if (exists)
            return false;
    }
    return true;
}

char *pt_backup_name_new(const struct pt_project *p, struct pt_catalog *c, const char *prefix,
                         int64_t now_ms)
{
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    char stamp[32];
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
    char *base = pt_xasprintf("%s_%s", prefix, stamp);
    char *name = pt_xstrdup(base);
    for (int i = 2; !pt_backup_name_free(p, c, name); i++) {
        free(name);
        name = pt_xasprintf("%s_%d", base, i);
    }
    free(base);
    return name;
}
