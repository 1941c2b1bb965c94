// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/naming.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "poshtiban/text.h"

#include "base/fsutil.h"

/* The next code point of a valid UTF-8 string; *s moves past it. */
static unsigned long next_code_point(const unsigned char **s)
{
    const unsigned char *p = *s;
    unsigned long c = p[0];
    size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (n > 1)
        c &= 0x3fu >> (n - 1);
    for (size_t i = 1; i < n && p[i]; i++)
        c = (c << 6) | (p[i] & 0x3fu);
    *s = p + n;
    return c;
}

static bool forbidden(unsigned long c)
{
    return c < 0x20 || c == '/' || c == '\\' || (c >= 0x7f && c <= 0x9f) || c == 0x61c ||
           c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029 || c == 0xfeff ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* Spaces and characters that take no room: a name of these alone shows as nothing. */
static bool invisible(unsigned long c)
{
    return c == ' ' || c == 0xa0 || c == 0xad || c == 0x34f || c == 0x61c || c == 0x1680 ||
           c == 0x180e || (c >= 0x2000 && c <= 0x200f) || c == 0x202f ||
           (c >= 0x205f && c <= 0x2064) || c == 0x3000;
}

char *pt_backup_name_shown(const char *name)
{
    char *safe = pt_text_printable(name);
    char *out = pt_xmalloc(strlen(safe) * 4 + 1), *o = out; /* 2 bytes become 8 at most */
    for (const unsigned char *s = (const unsigned char *)safe; *s;) {
        const unsigned char *start = s;
        unsigned long c = next_code_point(&s);
        if (c >= 0x80 && forbidden(c)) {
            o += sprintf(o, "<U+%04lX>", c);
        } else {
            memcpy(o, start, (size_t)(s - start));
            o += s - start;
        }
    }
    *o = '\0';
    free(safe);
    return out;
}

bool pt_backup_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 200 || name[0] == '.' || strspn(name, "0123456789") == len ||
        strcmp(name, "latest") == 0 || strcmp(name, "changes") == 0)
        return false;
    json_t *utf8 = json_stringn(name, len); /* jansson refuses what is not UTF-8 */
    if (!utf8)
        return false;
    json_decref(utf8);
    bool seen = false;
    for (const unsigned char *p = (const unsigned char *)name; *p;) {
        unsigned long c = next_code_point(&p);
        if (forbidden(c))
            return false;
        seen = seen || !invisible(c);
    }
    return seen;
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
