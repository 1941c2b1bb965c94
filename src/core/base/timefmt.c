// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/timefmt.h"

#include <inttypes.h>
#include <stdio.h>
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
