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
    int escape; /* 0 text; 1 after ESC; 2 inside a control sequence (ESC [ … final byte) */
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

static bool path_start(const char *line, size_t i)
{
    if (line[i] != '/' && !(line[i] == '~' && line[i + 1] == '/'))
        return false;
    return i == 0 || strchr(" \t(\"'«", line[i - 1]) != NULL;
}

/*
 * Paths inside a right-to-left line are isolated (FSI … PDI), so that the
 * BiDi algorithm keeps each whole, its leading slash in front, as the TUI
 * does; a sentence's closing punctuation stays outside. New string.
 */
static char *isolate_paths(const char *line)
{
    static const char fsi[] = "\xe2\x81\xa8", pdi[] = "\xe2\x81\xa9";
    size_t n = strlen(line);
    char *out = malloc(n * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        if (!path_start(line, i)) {
            *o++ = line[i++];
            continue;
        }
        size_t end = i + strcspn(line + i, " \t\"'»");
        while (end > i + 1 && strchr(".,;:)", line[end - 1]))
            end--;
        /* "،" and "؛" (Persian comma and semicolon) end a path too. */
        while (end > i + 2 && (unsigned char)line[end - 2] == 0xd8 &&
               ((unsigned char)line[end - 1] == 0x8c || (unsigned char)line[end - 1] == 0x9b))
            end -= 2;
        memcpy(o, fsi, 3);
        o += 3;
        memcpy(o, line + i, end - i);
        o += end - i;
        memcpy(o, pdi, 3);
        o += 3;
        i = end;
    }
    *o = '\0';
    return out;
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
    char *logical = pt_l10n_rtl() ? isolate_paths(f->buf) : NULL;
    char *visual = pt_bidi_visual(logical ? logical : f->buf, pt_l10n_rtl());
    free(logical);
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
        /* Control sequences (the progress line's ESC [ K) go to the terminal as they are. */
        unsigned char c = (unsigned char)data[i];
        if (c == 0x1b || f->escape) {
            f->escape = c == 0x1b                                  ? 1
                        : f->escape == 1 && c == '['               ? 2
                        : f->escape == 2 && (c < 0x40 || c > 0x7e) ? 2
                                                                   : 0;
            ssize_t w = write(f->fd, &data[i], 1);
            (void)w;
            continue;
        }
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
