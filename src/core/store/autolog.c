// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/autolog.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/timefmt.h"

#include "base/fsutil.h"

#define LOG_LIMIT (1024 * 1024)
#define LOG_KEEP (256 * 1024)

char *pt_autolog_path(const struct pt_project *p)
{
    return pt_path_join(p->meta, "auto.log");
}

void pt_autolog_append(const struct pt_project *p, const char *text)
{
    struct stat st;
    if (stat(p->meta, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    char iso[32];
    pt_time_iso(p->now_ms, iso);
    char *line = pt_xasprintf("%s %s\n", iso, text);
    for (char *c = line + strlen(iso) + 1; c[1]; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    char *path = pt_autolog_path(p);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        /* One write: lines of concurrent writers do not interleave. */
        if (write(fd, line, strlen(line)) < 0) {
            /* Nowhere left to report it. */
        }
        close(fd);
    }
    free(path);
    free(line);
}

void pt_autolog_trim(const struct pt_project *p)
{
    char *path = pt_autolog_path(p);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    free(path);
    struct stat st;
    if (fd < 0)
        return;
    if (fstat(fd, &st) != 0 || st.st_size <= LOG_LIMIT) {
        close(fd);
        return;
    }
    char *tail = pt_xmalloc(LOG_KEEP);
    ssize_t n = pread(fd, tail, LOG_KEEP, st.st_size - LOG_KEEP);
    if (n > 0) {
        char *start = memchr(tail, '\n', (size_t)n);
        start = start ? start + 1 : tail;
        size_t len = (size_t)(tail + n - start);
        /* In place, not renamed: the shell running `auto` holds the file open for appending. */
        if (ftruncate(fd, 0) == 0 && pwrite(fd, start, len, 0) < 0) {
            /* The log is only a log. */
        }
    }
    free(tail);
    close(fd);
}
