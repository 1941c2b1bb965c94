// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/bidi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "poshtiban/l10n.h"
#include "poshtiban/text.h"

#include "cli.h"

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

static const char lri[] = "\xe2\x81\xa6", pdi[] = "\xe2\x81\xa9";

/* +1 at an isolate's start (LRI, RLI, FSI), -1 at its end (PDI), 0 elsewhere. */
static int isolate_step(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] != 0xe2 || u[1] != 0x81)
        return 0;
    return u[2] >= 0xa6 && u[2] <= 0xa8 ? 1 : u[2] == 0xa9 ? -1 : 0;
}

static char *put(char *o, const char *s, size_t n)
{
    memcpy(o, s, n);
    return o + n;
}

/* A right-to-left letter (Hebrew, Arabic, Persian…) starts at s; not a digit or a sign. */
static bool rtl_letter(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0xd6 || u[0] > 0xdf)
        return false;
    unsigned cp = (unsigned)(u[0] & 0x1f) << 6 | (u[1] & 0x3f);
    return !(cp >= 0x660 && cp <= 0x66d) && !(cp >= 0x6f0 && cp <= 0x6f9) && cp != 0x60c &&
           cp != 0x61b && cp != 0x61f;
}

/*
 * Where a run of double-quoted Latin text starting at line[i] ends: from
 * this quote to the last closing one before the next right-to-left letter,
 * so that `"postStartCommand": "sudo service cron start"` stays one piece
 * to copy. 0 when the quote closes nowhere or holds right-to-left letters.
 */
static size_t quoted_end(const char *line, size_t i)
{
    size_t end = 0;
    for (size_t open = i;;) {
        const char *close = strchr(line + open + 1, '"');
        if (!close)
            break;
        for (const char *c = line + open + 1; c < close; c++)
            if (rtl_letter(c) || isolate_step(c))
                return end;
        end = (size_t)(close - line) + 1;
        /* Between two quoted pieces, only Latin text and signs (": "). */
        size_t k = end;
        while (line[k] && line[k] != '"' && !rtl_letter(line + k) && !isolate_step(line + k))
            k++;
        if (line[k] != '"')
            break;
        open = k;
    }
    return end;
}

/*
 * Paths and `commands` inside a right-to-left line are isolated left to
 * right (LRI … PDI), so that the BiDi algorithm keeps each whole, a path's
 * leading slash in front and a command's last argument last, as the TUI
 * does; a sentence's closing punctuation stays outside. What the CLI
 * isolated itself is left as it is. New string.
 */
static char *isolate_paths(const char *line)
{
    size_t n = strlen(line);
    char *out = malloc(n * 3 + 1), *o = out;
    if (!out)
        return NULL;
    int depth = 0;
    for (size_t i = 0; i < n;) {
        int step = isolate_step(line + i);
        if (step) {
            depth += step;
            o = put(o, line + i, 3);
            i += 3;
            continue;
        }
        const char *close = depth == 0 && line[i] == '`' ? strchr(line + i + 1, '`') : NULL;
        if (close && close > line + i + 1) {
            /* The backquotes stay outside: what is between them is the command. */
            size_t len = (size_t)(close - line - i - 1);
            o = put(o, "`", 1);
            o = put(o, lri, 3);
            o = put(o, line + i + 1, len);
            o = put(o, pdi, 3);
            o = put(o, "`", 1);
            i += len + 2;
            continue;
        }
        size_t quoted = depth == 0 && line[i] == '"' ? quoted_end(line, i) : 0;
        if (quoted) {
            o = put(o, lri, 3);
            o = put(o, line + i, quoted - i);
            o = put(o, pdi, 3);
            i = quoted;
            continue;
        }
        if (depth != 0 || !path_start(line, i)) {
            *o++ = line[i++];
            continue;
        }
        size_t end = i + strcspn(line + i, " \t\"'»`");
        while (end > i + 1 && strchr(".,;:)", line[end - 1]))
            end--;
        /* "،" and "؛" (Persian comma and semicolon) end a path too. */
        while (end > i + 2 && (unsigned char)line[end - 2] == 0xd8 &&
               ((unsigned char)line[end - 1] == 0x8c || (unsigned char)line[end - 1] == 0x9b))
            end -= 2;
        o = put(o, lri, 3);
        o = put(o, line + i, end - i);
        o = put(o, pdi, 3);
        i = end;
    }
    *o = '\0';
    return out;
}

/* True when s holds a right-to-left letter outside every isolate. */
static bool rtl_outside_isolates(const char *s)
{
    int depth = 0;
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        int step = isolate_step((const char *)u);
        depth += step;
        if (depth == 0 && rtl_letter((const char *)u))
            return true;
    }
    return false;
}

/* Leading spaces and a bullet ("! ", "- ", "* "): continuation lines are indented as far. */
static size_t hanging_indent(const char *line)
{
    size_t n = strspn(line, " ");
    if (line[n] && strchr("!-*+~", line[n]) && line[n + 1] == ' ')
        n += 2;
    return n;
}

/*
 * Where to cut line so that its first part fits in cols columns: after the
 * last space outside every isolate that keeps it within cols (a path or a
 * command is never cut). 0 when it fits whole or cannot be cut.
 */
static size_t cut_at(const char *line, size_t cols)
{
    if (pt_text_width(line) <= cols)
        return 0;
    size_t best = 0, used = 0;
    int depth = 0;
    for (size_t i = 0; line[i];) {
        int step = isolate_step(line + i);
        size_t len = step ? 3 : 1;
        while (!step && line[i + len] && ((unsigned char)line[i + len] & 0xc0) == 0x80)
            len++;
        char one[8] = {0};
        memcpy(one, line + i, len < 8 ? len : 7);
        used += pt_text_width(one);
        depth += step;
        if (used > cols && best)
            break;
        if (depth == 0 && line[i] == ' ' && i > 0 && line[i - 1] != ' ')
            best = i;
        i += len;
    }
    return best;
}

static void write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* One screen line: in display order, and in Persian against the right edge. */
static void emit_piece(struct line_filter *f, const char *logical, size_t cols, const char *end)
{
    char *visual = pt_bidi_visual(logical, pt_l10n_rtl());
    /* Right to left lines start at the right edge, as they would in a terminal that knew. */
    for (size_t w = pt_text_width(visual); pt_l10n_rtl() && w < cols; w++)
        write_all(f->fd, " ", 1);
    write_all(f->fd, visual, strlen(visual));
    if (end)
        write_all(f->fd, end, 1);
    free(visual);
}

static void emit(struct line_filter *f, const char *end)
{
    /* A line may end before anything was buffered: a progress line starts with \r. */
    if (f->len == 0) {
        if (end)
            write_all(f->fd, end, 1);
        return;
    }
    f->buf[f->len] = '\0';
    f->len = 0;
    char *logical = pt_l10n_rtl() ? isolate_paths(f->buf) : NULL;
    const char *line = logical ? logical : f->buf;
    struct winsize size;
    size_t cols = ioctl(f->fd, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
    /*
     * A right-to-left line wider than the screen is cut in logical order
     * and each part put in display order: the terminal's own wrapping
     * would show the sentence's end first.
     */
    size_t indent = hanging_indent(line), cut;
    char *rest = NULL;
    while (pt_l10n_rtl() && cols > indent + 10 && rtl_outside_isolates(line) &&
           (cut = cut_at(line, cols)) > indent) {
        char *head = strndup(line, cut);
        if (head)
            emit_piece(f, head, cols, "\n");
        free(head);
        size_t skip = cut + strspn(line + cut, " ");
        char *next = malloc(indent + strlen(line + skip) + 1);
        if (!next)
            break;
        memset(next, ' ', indent);
        strcpy(next + indent, line + skip);
        free(rest);
        rest = next;
        line = rest;
    }
    emit_piece(f, line, cols, end);
    free(rest);
    free(logical);
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
            write_all(f->fd, &data[i], 1);
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
static enum pt_bidi_mode out_mode = PT_BIDI_OFF;

/*
 * --bidi (explicit) decides for this command, pipes included; ui.bidi
 * (setting) only for a terminal: piped output keeps logical order (README,
 * "فارسی — Persian").
 */
static enum pt_bidi_mode resolve(const char *setting, const char *explicit_mode, int fd)
{
    bool tty = isatty(fd);
    if (explicit_mode)
        return pt_bidi_resolve(explicit_mode, tty);
    return tty ? pt_bidi_resolve(setting, true) : PT_BIDI_OFF;
}

void pt_cli_bidi_streams(const char *setting, const char *explicit_mode, bool json)
{
    out_mode = json ? PT_BIDI_OFF : resolve(setting, explicit_mode, STDOUT_FILENO);
    if (out_mode == PT_BIDI_APP) {
        stdout = wrap(stdout, STDOUT_FILENO);
        wrapped_out = true;
    }
    if (resolve(setting, explicit_mode, STDERR_FILENO) == PT_BIDI_APP) {
        stderr = wrap(stderr, STDERR_FILENO);
        wrapped_err = true;
    }
}

enum pt_bidi_mode pt_cli_bidi_mode(void)
{
    return out_mode;
}

bool pt_cli_bidi_stderr(void)
{
    return wrapped_err;
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
