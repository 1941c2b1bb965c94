// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/naming.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/fsutil.h"
#include "poshtiban/text.h"

/* The bidi formatting character that starts at p (UTF-8), if any: they reorder what a name shows.
 */
static bool bidi_control(const unsigned char *p)
{
    if (p[0] == 0xd8 && p[1] == 0x9c) /* U+061C ARABIC LETTER MARK */
        return true;
    if (p[0] != 0xe2 || !p[1] || !p[2])
        return false;
    return (p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xaa && p[2] <= 0xae))) ||
           (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9);
}

bool pt_backup_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 200 || name[0] == '.' || strspn(name, "0123456789") == len ||
        strcmp(name, "latest") == 0 || !pt_text_valid_utf8(name))
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p == '/' || *p == '\\' || *p < 0x20 || *p == 0x7f || bidi_control(p))
            return false;
    return true;
}

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
