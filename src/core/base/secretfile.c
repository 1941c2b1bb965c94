// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/secretfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"
#include "base/shquote.h"

/* A password is a line; a file much longer than that is not a password file. */
#define SECRET_MAX 4096

enum pt_status pt_secret_file_read(const char *path, char **secret, struct pt_error *err)
{
    if (secret)
        *secret = NULL;
    /* Never a FIFO or a device that would block. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read the password file %s: %s"), path,
                            strerror(errno));
    struct stat st;
    enum pt_status rc = PT_OK;
    char *quoted = pt_sh_quote(path);
    if (fstat(fd, &st) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read the password file %s: %s"), path,
                          strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = pt_error_set(err, PT_EINVAL, _("the password file %s is not a regular file"), path);
    else if (st.st_mode & (S_IRWXG | S_IRWXO))
        rc = pt_error_set(err, PT_EINVAL,
                          _("the password file %s may be read or written by others (mode %04o): "
                            "chmod 600 %s"),
                          path, (unsigned)(st.st_mode & 07777), quoted);
    else if (st.st_size > SECRET_MAX)
        rc = pt_error_set(err, PT_EINVAL, _("the password file %s is too long for a password"),
                          path);
    char *buf = NULL;
    size_t used = 0;
    if (rc == PT_OK) {
        buf = pt_xcalloc(1, SECRET_MAX + 1);
        ssize_t got;
        while (used < SECRET_MAX && (got = read(fd, buf + used, SECRET_MAX - used)) != 0) {
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                rc = pt_error_set(err, PT_EFAIL, _("cannot read the password file %s: %s"), path,
                                  strerror(errno));
                break;
            }
            used += (size_t)got;
        }
    }
    close(fd);
    free(quoted);
    if (rc == PT_OK) {
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!*buf)
            rc = pt_error_set(err, PT_EFAIL, _("the password file %s is empty"), path);
    }
    if (rc == PT_OK && secret) {
        *secret = pt_xstrdup(buf);
    }
    if (buf) {
        memset(buf, 0, SECRET_MAX + 1);
        free(buf);
    }
    return rc;
}

enum pt_status pt_private_file_read(const char *path, char **text, struct pt_error *err)
{
    if (text)
        *text = NULL;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        return pt_error_set(err, PT_EINVAL,
                            _("the file %s is a symbolic link: name the file itself"), path);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
    if (fd < 0)
        return pt_error_set(err, PT_EFAIL, _("cannot read the file %s: %s"), path, strerror(errno));
    enum pt_status rc = PT_OK;
    char *quoted = pt_sh_quote(path);
    if (fstat(fd, &st) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read the file %s: %s"), path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = pt_error_set(err, PT_EINVAL, _("the file %s is not a regular file"), path);
    else if (st.st_mode & (S_IRWXG | S_IRWXO))
        rc = pt_error_set(err, PT_EINVAL,
                          _("the file %s may be read or written by others (mode %04o): chmod "
                            "600 %s"),
                          path, (unsigned)(st.st_mode & 07777), quoted);
    else if (st.st_size > PT_PRIVATE_FILE_MAX)
        rc = pt_error_set(err, PT_EINVAL, _("the file %s is longer than %d KiB"), path,
                          PT_PRIVATE_FILE_MAX / 1024);
    free(quoted);
    char *buf = NULL;
    size_t used = 0;
    if (rc == PT_OK) {
        buf = pt_xcalloc(1, PT_PRIVATE_FILE_MAX + 1);
        ssize_t got;
        while (used < PT_PRIVATE_FILE_MAX &&
               (got = read(fd, buf + used, PT_PRIVATE_FILE_MAX - used)) != 0) {
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                rc = pt_error_set(err, PT_EFAIL, _("cannot read the file %s: %s"), path,
                                  strerror(errno));
                break;
            }
            used += (size_t)got;
        }
    }
    close(fd);
    if (rc == PT_OK && memchr(buf, '\0', used))
        rc = pt_error_set(err, PT_EINVAL, _("the file %s is not text"), path);
    if (rc == PT_OK && text)
        *text = pt_xstrdup(buf);
    if (buf) {
        memset(buf, 0, PT_PRIVATE_FILE_MAX + 1);
        free(buf);
    }
    return rc;
}
