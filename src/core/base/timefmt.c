// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/timefmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void pt_time_iso(int64_t ms, char buf[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool pt_time_parse_iso(const char *text, int64_t *ms)
{
    struct tm tm = {0};
    int frac_len = 0;
    unsigned frac = 0;
    int consumed = 0;
    if (!text || sscanf(text, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                        &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return false;
    const char *p = text + consumed;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (frac_len < 3) {
                frac = frac * 10 + (unsigned)(*p - '0');
                frac_len++;
            }
            p++;
        }
        while (frac_len < 3) {
            frac *= 10;
            frac_len++;
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != '\0')
        return false;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *ms = (int64_t)timegm(&tm) * 1000 + frac;
    return true;
}

/* text with Persian and Arabic-Indic digits as ASCII and direction marks left out. New string. */
static char *plain_digits(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        if (p[0] == 0xdb && p[1] >= 0xb0 && p[1] <= 0xb9) { /* U+06F0..06F9 */
            *o++ = (char)('0' + p[1] - 0xb0);
            p += 2;
        } else if (p[0] == 0xd9 && p[1] >= 0xa0 && p[1] <= 0xa9) { /* U+0660..0669 */
            *o++ = (char)('0' + p[1] - 0xa0);
            p += 2;
        } else if (p[0] == 0xd8 && p[1] == 0x9c) { /* U+061C */
            p += 2;
        } else if (p[0] == 0xe2 && p[1] == 0x80 &&
                   (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xaa && p[2] <= 0xae))) {
            p += 3;
        } else if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9) {
            p += 3;
        } else {
            *o++ = (char)*p++;
        }
    }
    *o = '\0';
    return out;
}

/* The Solar Hijri date jy/jm/jd in the Gregorian calendar (the 33-year arithmetic rule). */
static void jalali_to_gregorian(long jy, long jm, long jd, int *gy, int *gm, int *gd)
{
    jy += 1595;
    long days = -355668 + 365 * jy + (jy / 33) * 8 + ((jy % 33) + 3) / 4 + jd +
                (jm < 7 ? (jm - 1) * 31 : (jm - 7) * 30 + 186);
    long y = 400 * (days / 146097);
    days %= 146097;
    if (days > 36524) {
        days--;
        y += 100 * (days / 36524);
        days %= 36524;
        if (days >= 365)
            days++;
    }
    y += 4 * (days / 1461);
    days %= 1461;
    if (days > 365) {
        y += (days - 1) / 365;
        days = (days - 1) % 365;
    }
    long d = days + 1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const int month[12] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = 0;
    while (m < 11 && d > month[m])
        d -= month[m++];
    *gy = (int)y;
    *gm = m + 1;
    *gd = (int)d;
}

/* Up to max digits at *p as a number; how many were read. */
static int digits(const char **p, int max, long *v)
{
    int n = 0;
    *v = 0;
    while (n < max && **p >= '0' && **p <= '9') {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n;
}

static int days_in_month(long y, long m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* The first millisecond text names (*start) and how long a moment it names (*span). */
static bool parse_moment(const char *text, int64_t *start, int64_t *span_out)
{
    char *plain = text ? plain_digits(text) : NULL;
    if (!plain)
        return false;
    const char *p = plain;
    while (*p == ' ')
        p++;
    long y, mo, d, h = 0, mi = 0, s = 0, frac = 0, off = 0;
    int64_t span = 86400000; /* what the text leaves open: a day, an hour, a minute… */
    bool ok = digits(&p, 4, &y) == 4;
    char sep = *p;
    ok = ok && (sep == '-' || sep == '/') && (p++, digits(&p, 2, &mo) >= 1) && *p == sep &&
         (p++, digits(&p, 2, &d) >= 1);
    if (ok && (*p == 'T' || *p == ' ') && p[1] >= '0' && p[1] <= '9') {
        p++;
        ok = digits(&p, 2, &h) == 2;
        span = 3600000;
        if (ok && *p == ':') {
            p++;
            ok = digits(&p, 2, &mi) == 2;
            span = 60000;
        }
        if (ok && *p == ':') {
            p++;
            ok = digits(&p, 2, &s) == 2;
            span = 1000;
        }
        if (ok && *p == '.' && span == 1000) {
            p++;
            int n = 0;
            while (*p >= '0' && *p <= '9') {
                if (n++ < 3)
                    frac = frac * 10 + (*p - '0');
                p++;
            }
            ok = n > 0;
            for (; n < 3; n++)
                frac *= 10;
            span = 1;
        }
        if (ok && *p == 'Z') {
            p++;
        } else if (ok && (*p == '+' || *p == '-')) {
            int sign = *p++ == '-' ? -1 : 1;
            long oh, om = 0;
            ok = digits(&p, 2, &oh) == 2;
            if (ok && *p == ':')
                p++;
            if (ok && *p)
                ok = digits(&p, 2, &om) == 2;
            ok = ok && oh <= 14 && om <= 59;
            off = sign * (oh * 60 + om) * 60000;
        }
    }
    while (ok && *p == ' ')
        p++;
    ok = ok && *p == '\0';
    free(plain);
    if (ok && y < 1700) { /* Solar Hijri, as `list` prints it in Persian */
        if (y < 1200 || mo < 1 || mo > 12 || d < 1 || d > (mo <= 6 ? 31 : 30))
            return false;
        int gy, gm, gd;
        jalali_to_gregorian(y, mo, d, &gy, &gm, &gd);
        y = gy;
        mo = gm;
        d = gd;
    }
    if (!ok || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        s > 59)
        return false;
    struct tm tm = {.tm_year = (int)y - 1900,
                    .tm_mon = (int)mo - 1,
                    .tm_mday = (int)d,
                    .tm_hour = (int)h,
                    .tm_min = (int)mi,
                    .tm_sec = (int)s};
    *start = (int64_t)timegm(&tm) * 1000 + frac - off;
    *span_out = span;
    return true;
}

bool pt_time_parse_until(const char *text, int64_t *ms)
{
    int64_t start, span;
    if (!parse_moment(text, &start, &span))
        return false;
    *ms = start + span - 1;
    return true;
}

bool pt_time_parse_since(const char *text, int64_t *ms)
{
    int64_t span;
    return parse_moment(text, ms, &span);
}
