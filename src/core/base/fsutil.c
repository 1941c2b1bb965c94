// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *pt_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    if (la > 0 && a[la - 1] == '/')
        return pt_xasprintf("%s%s", a, b);
    return pt_xasprintf("%s/%s", a, b);
}

char *pt_path_absolute(const char *base, const char *path)
{
    char *joined = path[0] == '/' ? pt_xstrdup(path) : pt_path_join(base, path);
    size_t n = strlen(joined);
    /* Clean in place: drop "." parts, empty parts and resolve "..". */
    char *out = pt_xmalloc(n + 2);
    size_t o = 0;
    out[o++] = '/';
    const char *p = joined;
    while (*p) {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - start);
        if (len == 0 || (len == 1 && start[0] == '.'))
            continue;
        if (len == 2 && start[0] == '.' && start[1] == '.') {
            if (o > 1) {
                o--; /* drop the last part */
                while (o > 1 && out[o - 1] != '/')
                    o--;
            }
            continue;
        }
        if (o > 1 && out[o - 1] != '/')
            out[o++] = '/';
        memcpy(out + o, start, len);
        o += len;
    }
    if (o > 1 && out[o - 1] == '/')
        o--;
    out[o] = '\0';
    free(joined);
    return out;
}

bool pt_path_within(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    if (strncmp(dir, path, n) != 0)
        return false;
    return path[n] == '\0' || path[n] == '/' || (n == 1 && dir[0] == '/');
}

char *pt_path_resolve(const char *path)
{
    char *real = realpath(path, NULL);
    if (real)
        return real;
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return pt_xstrdup(path);
    char *parent = pt_xasprintf("%.*s", (int)(slash - path), path);
    char *resolved = pt_path_resolve(parent);
    char *out = strcmp(resolved, "/") == 0 ? pt_xasprintf("/%s", slash + 1)
                                           : pt_xasprintf("%s/%s", resolved, slash + 1);
    free(parent);
    free(resolved);
    return out;
}

int pt_mkdir_p(const char *path, mode_t mode)
{
    char *copy = pt_xstrdup(path);
    int rc = 0;
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, mode) != 0) {
            struct stat st;
            if (errno != EEXIST || stat(copy, &st) != 0 || !S_ISDIR(st.st_mode)) {
                if (errno == EEXIST)
                    errno = ENOTDIR;
                rc = -1;
                break;
            }
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    int saved_errno = errno;
    free(copy);
    errno = saved_errno;
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = type == FTW_DP ? rmdir(path) : unlink(path);
    return rc != 0 && errno != ENOENT ? -1 : 0;
}

int pt_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    return nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

static int read_only_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    return flag == FTW_F && S_ISREG(st->st_mode) ? chmod(path, 0400) : 0;
}

int pt_tree_read_only(const char *path)
{
    return nftw(path, read_only_entry, 32, FTW_PHYS);
}

int pt_sync_fs(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = syncfs(fd);
    int saved_errno = errno;
    close(fd);
    errno = saved_errno;
    return rc;
}

int pt_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved_errno = errno;
    close(fd);
    errno = saved_errno;
    return rc;
}

char *pt_read_file(const char *path, size_t max, size_t *len)
{
    /* Never a FIFO or a device, which could block or never end; never through a link. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    int refused = fstat(fd, &st) != 0        ? errno
                  : !S_ISREG(st.st_mode)     ? EINVAL
                  : (size_t)st.st_size > max ? EFBIG
                                             : 0;
    if (refused) {
        close(fd);
        errno = refused;
        return NULL;
    }
    size_t cap = 4096, used = 0;
    char *buf = pt_xmalloc(cap);
    ssize_t got;
    int failure = 0;
    while ((got = read(fd, buf + used, cap - used - 1)) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            failure = errno;
            break;
        }
        used += (size_t)got;
        if (used > max) {
            failure = EFBIG;
            break;
        }
        if (cap - used < 2) {
            cap *= 2;
            buf = pt_xrealloc(buf, cap);
        }
    }
    close(fd);
    if (failure) {
        free(buf);
        errno = failure;
        return NULL;
    }
    buf[used] = '\0';
    if (len)
        *len = used;
    return buf;
}
