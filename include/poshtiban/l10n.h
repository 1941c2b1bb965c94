/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_L10N_H
#define POSHTIBAN_L10N_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The language people read poshtiban in, and how numbers and dates look in
 * it: Persian digits and separators and the Solar Hijri (Jalali) calendar
 * through ICU, or English with ISO dates. JSON, file names and SHA256SUMS
 * never go through here.
 */
enum pt_lang { PT_LANG_EN, PT_LANG_FA };

enum pt_date_style {
    PT_DATE_SHORT, /* ۱۴۰۵/۰۹/۰۵ or 2026-11-26 */
    PT_DATE_LONG,  /* پنجشنبه ۵ آذر ۱۴۰۵ or Thursday 26 November 2026 */
    PT_DATE_TIME,  /* ۱۴۰۵/۰۹/۰۵ ۱۱:۰۶ or 2026-11-26 11:06 */
    PT_DATE_BRIEF, /* ۰۹/۰۵ ۱۱:۰۶ or 11-26 11:06: where room is short */
    PT_DATE_SECONDS, /* ۱۴۰۵/۰۹/۰۵ ۱۱:۰۶:۱۸ or 2026-11-26 11:06:18: a change set's moment */
};

/*
 * The language from, in order: explicit (--lang fa|en), setting (ui.language
 * unless "auto"), then LANGUAGE, LC_ALL, LC_MESSAGES and LANG.
 */
enum pt_lang pt_l10n_choose(const char *explicit_lang, const char *setting);

/*
 * Makes lang current for gettext (through LANGUAGE, so that it works where
 * only C.UTF-8 exists) and for numbers and dates; calendar is ui.calendar
 * (auto: Jalali in Persian).
 */
void pt_l10n_apply(enum pt_lang lang, const char *calendar);

enum pt_lang pt_l10n_lang(void);
/* Right to left: the current language is Persian. */
bool pt_l10n_rtl(void);
/* "fa" or "en". */
const char *pt_l10n_code(enum pt_lang lang);

/* New strings: ۱٬۲۳۴ / 1234; ۱٬۲۳۴٫۵ / 1234.5 with fraction digits (0-6). */
char *pt_l10n_int(int64_t value);
char *pt_l10n_decimal(double value, int fraction);
/* A date and time (UTC) in the current calendar; new string. */
char *pt_l10n_date(int64_t ms, enum pt_date_style style);
/* An ISO 8601 UTC text as pt_l10n_date would show it; "-" when NULL or malformed. */
char *pt_l10n_iso_date(const char *iso, enum pt_date_style style);
/* ASCII digits of text as the current language writes them (Persian digits in fa). */
char *pt_l10n_digits(const char *text);

/* "1.5 KiB", "12 MiB": binary units, one decimal under 10. */
void pt_l10n_size(int64_t bytes, char *buf, size_t len);
/* "850 ms", "12.3 s", "4 min 5 s", "2 h 3 min". */
void pt_l10n_duration(int64_t ms, char *buf, size_t len);
/* "5 minutes ago"-style age from seconds; translated. */
void pt_l10n_age(int64_t seconds, char *buf, size_t len);

#endif
