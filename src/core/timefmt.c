// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/timefmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "i18n.h"
#include "poshtiban/l10n.h"

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
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *ms = (int64_t)timegm(&tm) * 1000 + frac;
    return true;
}

/* Copies text into buf and frees it. */
static void put(char *text, char *buf, size_t len)
{
    snprintf(buf, len, "%s", text);
    free(text);
}

void pt_format_size(int64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {N_("B"), N_("KiB"), N_("MiB"), N_("GiB"), N_("TiB")};
    double value = (double)bytes;
    size_t unit = 0;
    while (value >= 1024 && unit + 1 < sizeof(units) / sizeof(units[0])) {
        value /= 1024;
        unit++;
    }
    char *number = unit == 0 ? pt_l10n_int(bytes) : pt_l10n_decimal(value, value < 10 ? 1 : 0);
    put(pt_xasprintf("%s %s", number, _(units[unit])), buf, len);
    free(number);
}

void pt_format_duration(int64_t ms, char *buf, size_t len)
{
    char *a, *b = NULL;
    if (ms < 1000) {
        a = pt_l10n_int(ms);
        put(pt_xasprintf(_("%s ms"), a), buf, len);
    } else if (ms < 60 * 1000) {
        a = pt_l10n_decimal((double)ms / 1000, 1);
        put(pt_xasprintf(_("%s s"), a), buf, len);
    } else if (ms < 3600 * 1000) {
        a = pt_l10n_int(ms / 60000);
        b = pt_l10n_int(ms / 1000 % 60);
        put(pt_xasprintf(_("%s min %s s"), a, b), buf, len);
    } else {
        a = pt_l10n_int(ms / 3600000);
        b = pt_l10n_int(ms / 60000 % 60);
        put(pt_xasprintf(_("%s h %s min"), a, b), buf, len);
    }
    free(a);
    free(b);
}

void pt_format_age(int64_t s, char *buf, size_t len)
{
    if (s < 60) {
        snprintf(buf, len, "%s", _("just now"));
        return;
    }
    int64_t n = s < 3600 ? s / 60 : s < 86400 ? s / 3600 : s / 86400;
    char *number = pt_l10n_int(n);
    const char *fmt = s < 3600    ? P_("%s minute ago", "%s minutes ago", n)
                      : s < 86400 ? P_("%s hour ago", "%s hours ago", n)
                                  : P_("%s day ago", "%s days ago", n);
    put(pt_xasprintf(fmt, number), buf, len);
    free(number);
}
