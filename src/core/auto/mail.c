// SPDX-License-Identifier: GPL-3.0-or-later
#include "auto/mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"

enum pt_mail_kind pt_mail_choose(bool always, enum pt_state state, const enum pt_state *previous)
{
    if (state == PT_STATE_FAILED || state == PT_STATE_INTERRUPTED)
        return PT_MAIL_FAILED;
    if (state != PT_STATE_COMPLETED)
        return PT_MAIL_NONE;
    if (previous && (*previous == PT_STATE_FAILED || *previous == PT_STATE_INTERRUPTED))
        return PT_MAIL_FIXED;
    return always ? PT_MAIL_COMPLETED : PT_MAIL_NONE;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends the base64 of data to out (which has room: 4 per 3 bytes, rounded up). */
static size_t base64(const unsigned char *data, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64[v & 63] : '=';
    }
    return o;
}

static bool plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* Length of the UTF-8 sequence starting with c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xf0 && c < 0xf8)
        return 4;
    if (c >= 0xe0)
        return c < 0xf0 ? 3 : 1;
    if (c >= 0xc0)
        return 2;
    return 1;
}

#define WORD_OPEN "=?UTF-8?B?"
#define WORD_CLOSE "?="
#define LINE_MAX_CHARS 76

char *pt_mail_encode_header(const char *text, size_t name_len)
{
    if (plain_ascii(text))
        return pt_xstrdup(text);
    size_t len = strlen(text);
    /* Worst case: one word per character. */
    char *out = pt_xmalloc(len * 4 / 3 * 2 + len * 20 + 32);
    size_t o = 0, i = 0;
    size_t used = name_len; /* columns already on this line */
    const size_t frame = strlen(WORD_OPEN) + strlen(WORD_CLOSE);
    while (i < len) {
        if (o > 0) {
            memcpy(out + o, "\r\n ", 3);
            o += 3;
            used = 1;
        }
        /* The most whole characters whose base64 fits in what is left of the line. */
        size_t room = LINE_MAX_CHARS > used + frame ? LINE_MAX_CHARS - used - frame : 4;
        size_t max_bytes = room / 4 * 3;
        if (max_bytes < 4)
            max_bytes = 4;
        size_t take = 0;
        while (i + take < len) {
            size_t n = utf8_len((unsigned char)text[i + take]);
            if (i + take + n > len)
                n = len - i - take;
            if (take + n > max_bytes)
                break;
            take += n;
        }
        if (take == 0)
            take = utf8_len((unsigned char)text[i]);
        memcpy(out + o, WORD_OPEN, strlen(WORD_OPEN));
        o += strlen(WORD_OPEN);
        o += base64((const unsigned char *)text + i, take, out + o);
        memcpy(out + o, WORD_CLOSE, strlen(WORD_CLOSE));
        o += strlen(WORD_CLOSE);
        i += take;
    }
    out[o] = '\0';
    return out;
}

/* RFC 5322 date in UTC, with English names whatever the locale. */
static void mail_date(int64_t ms, char buf[64])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(buf, 64, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The body as base64 in lines of 76, with CRLF line ends in the text first. */
static char *body_base64(const char *body)
{
    size_t len = strlen(body), lines = 0;
    for (const char *p = body; *p; p++)
        lines += *p == '\n';
    char *crlf = pt_xmalloc(len + lines + 1);
    size_t n = 0;
    for (const char *p = body; *p; p++) {
        if (*p == '\n' && (p == body || p[-1] != '\r'))
            crlf[n++] = '\r';
        crlf[n++] = *p;
    }
    size_t enc_len = (n + 2) / 3 * 4;
    char *enc = pt_xmalloc(enc_len + 1);
    base64((const unsigned char *)crlf, n, enc);
    free(crlf);
    char *out = pt_xmalloc(enc_len + enc_len / 76 * 2 + 3);
    size_t o = 0;
    for (size_t i = 0; i < enc_len; i += 76) {
        size_t take = enc_len - i < 76 ? enc_len - i : 76;
        memcpy(out + o, enc + i, take);
        o += take;
        out[o++] = '\r';
        out[o++] = '\n';
    }
    out[o] = '\0';
    free(enc);
    return out;
}

char *pt_mail_format(const struct pt_mail *m)
{
    char date[64];
    mail_date(m->date_ms, date);
    char *subject = pt_mail_encode_header(m->subject, strlen("Subject: "));
    char *body = body_base64(m->body);
    char *msg = pt_xasprintf("Date: %s\r\n"
                             "From: poshtiban <%s>\r\n"
                             "To: %s\r\n"
                             "Subject: %s\r\n"
                             "Message-ID: <%lld.%ld.poshtiban@%s>\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=UTF-8\r\n"
                             "Content-Transfer-Encoding: base64\r\n"
                             "Auto-Submitted: auto-generated\r\n"
                             "\r\n"
                             "%s",
                             date, m->from, m->to, subject, (long long)m->date_ms, (long)getpid(),
                             m->host, body);
    free(subject);
    free(body);
    return msg;
}
