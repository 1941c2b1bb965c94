// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "poshtiban/bidi.h"
#include "poshtiban/l10n.h"
#include "poshtiban/text.h"

/*
 * stdout and stderr, when they are terminals that do no BiDi of their own,
 * pass through here: each line (or \r-ended progress line) is put in display
 * order and shaped before it reaches the terminal.
 */
struct line_filter {
    int fd;
    char *buf;
    size_t len, cap;
};

/* Room for one more byte and the terminating NUL; false when memory runs out. */
static bool reserve(struct line_filter *f)
{
    if (f->buf && f->len + 2 <= f->cap)
        return true;
    size_t cap = f->cap ? f->cap * 2 : 256;
    char *buf = realloc(f->buf, cap);
    if (!buf)
        return false;
    f->buf = buf;
    f->cap = cap;
    return true;
}

static void emit(struct line_filter *f, const char *end)
{
    /* A line may end before anything was buffered: a progress line starts with \r. */
    if (f->len == 0) {
        ssize_t w = end ? write(f->fd, end, 1) : 0;
        (void)w;
        return;
    }
    f->buf[f->len] = '\0';
    char *visual = pt_bidi_visual(f->buf, pt_l10n_rtl());
    size_t n = strlen(visual);
    ssize_t w;
    /* Right to left lines start at the right edge, as they would in a terminal that knew. */
    struct winsize size;
    if (pt_l10n_rtl() && ioctl(f->fd, TIOCGWINSZ, &size) == 0) {
        for (size_t cols = pt_text_width(visual); cols < size.ws_col; cols++)
            w = write(f->fd, " ", 1);
    }
    w = write(f->fd, visual, n);
    if (end)
        w = write(f->fd, end, 1);
    (void)w;
    free(visual);
    f->len = 0;
}

static ssize_t filter_write(void *cookie, const char *data, size_t size)
{
    struct line_filter *f = cookie;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n' || data[i] == '\r') {
            emit(f, &data[i]);
            continue;
        }
        if (!reserve(f))
            return -1;
        f->buf[f->len++] = data[i];
    }
    return (ssize_t)size;
}

static int filter_close(void *cookie)
{
    struct line_filter *f = cookie;
    if (f->len)
        emit(f, NULL);
    free(f->buf);
    free(f);
    return 0;
}

static FILE *wrap(FILE *stream, int fd)
{
    struct line_filter *f = calloc(1, sizeof(*f));
    if (!f)
        return stream;
    f->fd = fd;
    cookie_io_functions_t io = {.write = filter_write, .close = filter_close};
    FILE *out = fopencookie(f, "w", io);
    if (!out) {
        free(f);
        return stream;
    }
    fflush(stream);
    setvbuf(out, NULL, fd == STDERR_FILENO ? _IONBF : _IOLBF, 0);
    return out;
}

static bool wrapped_out, wrapped_err;

void pt_cli_bidi_streams(const char *setting, bool json)
{
    if (!json && pt_bidi_resolve(setting, isatty(STDOUT_FILENO)) == PT_BIDI_APP) {
        stdout = wrap(stdout, STDOUT_FILENO);
        wrapped_out = true;
    }
    if (pt_bidi_resolve(setting, isatty(STDERR_FILENO)) == PT_BIDI_APP) {
        stderr = wrap(stderr, STDERR_FILENO);
        wrapped_err = true;
    }
}

void pt_cli_bidi_finish(void)
{
    /* Closing a filter writes what is left of its last line. */
    if (wrapped_out)
        fclose(stdout);
    if (wrapped_err)
        fclose(stderr);
    wrapped_out = wrapped_err = false;
}
