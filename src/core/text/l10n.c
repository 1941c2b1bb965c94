// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/l10n.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/udat.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

#include "poshtiban/i18n.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"

static enum pt_lang current = PT_LANG_EN;
static bool jalali;

static bool persian_name(const char *value)
{
    return value && strncasecmp(value, "fa", 2) == 0 &&
           (value[2] == '\0' || value[2] == '_' || value[2] == '.' || value[2] == ':' ||
            value[2] == '@');
}

enum pt_lang pt_l10n_choose(const char *explicit_lang, const char *setting)
{
    if (explicit_lang && *explicit_lang)
        return persian_name(explicit_lang) ? PT_LANG_FA : PT_LANG_EN;
    if (setting && *setting && strcmp(setting, "auto") != 0)
        return persian_name(setting) ? PT_LANG_FA : PT_LANG_EN;
    static const char *const vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < 4; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return persian_name(v) ? PT_LANG_FA : PT_LANG_EN;
    }
    return PT_LANG_EN;
}

void pt_l10n_apply(enum pt_lang lang, const char *calendar)
{
    current = lang;
    jalali = calendar && strcmp(calendar, "jalali") == 0      ? true
             : calendar && strcmp(calendar, "gregorian") == 0 ? false
                                                              : lang == PT_LANG_FA;
    /* LANGUAGE works in any locale but C; gettext re-reads it when the locale is set again. */
    setenv("LANGUAGE", lang == PT_LANG_FA ? "fa" : "en", 1);
    const char *now = setlocale(LC_MESSAGES, NULL);
    char *saved = pt_xstrdup(now ? now : "C.UTF-8");
    setlocale(LC_MESSAGES, saved);
    free(saved);
}

enum pt_lang pt_l10n_lang(void)
{
    return current;
}

bool pt_l10n_rtl(void)
{
    return current == PT_LANG_FA;
}

const char *pt_l10n_code(enum pt_lang lang)
{
    return lang == PT_LANG_FA ? "fa" : "en";
}

static const char *icu_locale(void)
{
    if (current == PT_LANG_FA)
        return jalali ? "fa_IR@calendar=persian" : "fa_IR@calendar=gregorian";
    return jalali ? "en_US@calendar=persian" : "en_US";
}

static char *from_uchars(const UChar *s, int32_t len)
{
    UErrorCode status = U_ZERO_ERROR;
    int32_t need = 0;
    u_strToUTF8(NULL, 0, &need, s, len, &status);
    status = U_ZERO_ERROR;
    char *out = pt_xmalloc((size_t)need + 1);
    u_strToUTF8(out, need + 1, NULL, s, len, &status);
    out[need] = '\0';
    return out;
}

/* English numbers are written plain (10000, 1.5): people type them back into settings. */
static void plain_in_english(UNumberFormat *nf)
{
    if (current != PT_LANG_FA)
        unum_setAttribute(nf, UNUM_GROUPING_USED, 0);
}

char *pt_l10n_decimal(double value, int fraction)
{
    UErrorCode status = U_ZERO_ERROR;
    UNumberFormat *nf =
        unum_open(UNUM_DECIMAL, NULL, 0, current == PT_LANG_FA ? "fa" : "en", NULL, &status);
    if (U_FAILURE(status))
        return pt_xasprintf("%.*f", fraction, value);
    plain_in_english(nf);
    unum_setAttribute(nf, UNUM_MIN_FRACTION_DIGITS, fraction);
    unum_setAttribute(nf, UNUM_MAX_FRACTION_DIGITS, fraction);
    UChar buf[96];
    int32_t n = unum_formatDouble(nf, value, buf, 96, NULL, &status);
    unum_close(nf);
    if (U_FAILURE(status))
        return pt_xasprintf("%.*f", fraction, value);
    return from_uchars(buf, n);
}

char *pt_l10n_int(int64_t value)
{
    UErrorCode status = U_ZERO_ERROR;
    UNumberFormat *nf =
        unum_open(UNUM_DECIMAL, NULL, 0, current == PT_LANG_FA ? "fa" : "en", NULL, &status);
    if (U_FAILURE(status))
        return pt_xasprintf("%lld", (long long)value);
    plain_in_english(nf);
    UChar buf[64];
    int32_t n = unum_formatInt64(nf, value, buf, 64, NULL, &status);
    unum_close(nf);
    if (U_FAILURE(status))
        return pt_xasprintf("%lld", (long long)value);
    return from_uchars(buf, n);
}

char *pt_l10n_date(int64_t ms, enum pt_date_style style)
{
    static const char *const patterns[2][5] = {
        {"yyyy-MM-dd", "EEEE d MMMM y", "yyyy-MM-dd HH:mm", "MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"},
        {"yyyy/MM/dd", "EEEE d MMMM y", "yyyy/MM/dd HH:mm", "MM/dd HH:mm", "yyyy/MM/dd HH:mm:ss"},
    };
    const char *pattern = patterns[jalali || current == PT_LANG_FA ? 1 : 0][style];
    UChar upattern[32], zone[8];
    u_uastrcpy(upattern, pattern);
    u_uastrcpy(zone, "UTC");
    UErrorCode status = U_ZERO_ERROR;
    UDateFormat *df =
        udat_open(UDAT_PATTERN, UDAT_PATTERN, icu_locale(), zone, -1, upattern, -1, &status);
    if (U_FAILURE(status)) {
        char iso[32];
        pt_time_iso(ms, iso);
        return pt_xstrdup(iso);
    }
    UChar buf[96];
    int32_t n = udat_format(df, (UDate)ms, buf, 96, NULL, &status);
    udat_close(df);
    return from_uchars(buf, n);
}

char *pt_l10n_iso_date(const char *iso, enum pt_date_style style)
{
    int64_t ms;
    if (!iso || !pt_time_parse_iso(iso, &ms))
        return pt_xstrdup("-");
    return pt_l10n_date(ms, style);
}

char *pt_l10n_digits(const char *text)
{
    if (current != PT_LANG_FA)
        return pt_xstrdup(text);
    size_t n = strlen(text);
    char *out = pt_xmalloc(n * 2 + 1), *o = out;
    for (const char *p = text; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            /* U+06F0..U+06F9: EXTENDED ARABIC-INDIC DIGIT, as Persian writes them. */
            *o++ = (char)0xdb;
            *o++ = (char)(0xb0 + (*p - '0'));
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* Copies text into buf and frees it. */
static void put(char *text, char *buf, size_t len)
{
    snprintf(buf, len, "%s", text);
    free(text);
}

void pt_l10n_size(int64_t bytes, char *buf, size_t len)
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

void pt_l10n_duration(int64_t ms, char *buf, size_t len)
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

void pt_l10n_age(int64_t s, char *buf, size_t len)
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
