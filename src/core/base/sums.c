// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/sums.h"

#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"

static int compare_sum(const void *a, const void *b)
{
    return strcmp(((const struct pt_sum *)a)->path, ((const struct pt_sum *)b)->path);
}

/* Undoes sha256sum's escaping of names with \ or a newline. */
static char *unescape(const char *s)
{
    char *out = pt_xmalloc(strlen(s) + 1), *o = out;
    for (; *s; s++) {
        if (*s == '\\' && s[1] == 'n') {
            *o++ = '\n';
            s++;
        } else if (*s == '\\' && s[1] == '\\') {
            *o++ = '\\';
            s++;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

void pt_sums_parse(const char *text, struct pt_sums *out)
{
    memset(out, 0, sizeof(*out));
    size_t cap = 0;
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *l = line;
        bool escaped = len > 0 && l[0] == '\\';
        if (escaped) {
            l++;
            len--;
        }
        if (len < 67 || !is_hex(l, 64) || l[64] != ' ' || (l[65] != ' ' && l[65] != '*')) {
            if (len > 0 || escaped)
                out->malformed++;
        } else {
            char *name = pt_xasprintf("%.*s", (int)(len - 66), l + 66);
            if (escaped) {
                char *plain = unescape(name);
                free(name);
                name = plain;
            }
            if (out->n == cap)
                out->list = pt_xrealloc(out->list, (cap = cap ? cap * 2 : 64) * sizeof(*out->list));
            struct pt_sum *s = &out->list[out->n++];
            s->path = name;
            memcpy(s->sha256, l, 64);
            s->sha256[64] = '\0';
            s->seen = false;
        }
        line = end ? end + 1 : NULL;
    }
    if (out->n > 1)
        qsort(out->list, out->n, sizeof(*out->list), compare_sum);
    /* A path listed twice is kept once, and counted. */
    size_t kept = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (kept > 0 && strcmp(out->list[kept - 1].path, out->list[i].path) == 0) {
            out->duplicates++;
            free(out->list[i].path);
            continue;
        }
        out->list[kept++] = out->list[i];
    }
    out->n = kept;
}

struct pt_sum *pt_sums_find(const struct pt_sums *sums, const char *path)
{
    struct pt_sum key = {.path = (char *)path};
    return sums->n ? bsearch(&key, sums->list, sums->n, sizeof(*sums->list), compare_sum) : NULL;
}

void pt_sums_free(struct pt_sums *sums)
{
    for (size_t i = 0; i < sums->n; i++)
        free(sums->list[i].path);
    free(sums->list);
    memset(sums, 0, sizeof(*sums));
}
