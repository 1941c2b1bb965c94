// SPDX-License-Identifier: GPL-3.0-or-later
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/l10n.h"
#include "poshtiban/timefmt.h"

#include "helpers.h"

static int64_t at(const char *iso)
{
    int64_t ms;
    assert_true(pt_time_parse_iso(iso, &ms));
    return ms;
}

static void expect_date(const char *iso, enum pt_date_style style, const char *want)
{
    char *got = pt_l10n_date(at(iso), style);
    assert_string_equal(got, want);
    free(got);
}

static void test_jalali_dates(void **state)
{
    (void)state;
    pt_l10n_apply(PT_LANG_FA, "auto");
    expect_date("2026-11-26T11:06:18Z", PT_DATE_SHORT, "۱۴۰۵/۰۹/۰۵");
    expect_date("2026-11-26T11:06:18Z", PT_DATE_LONG, "پنجشنبه ۵ آذر ۱۴۰۵");
    /* The year's last day and the new year (Nowruz), a leap year's end among them. */
    expect_date("2025-03-20T12:00:00Z", PT_DATE_SHORT, "۱۴۰۳/۱۲/۳۰");
    expect_date("2025-03-21T12:00:00Z", PT_DATE_SHORT, "۱۴۰۴/۰۱/۰۱");
    expect_date("2030-03-20T12:00:00Z", PT_DATE_SHORT, "۱۴۰۸/۱۲/۳۰");
    expect_date("2026-11-26T11:06:18Z", PT_DATE_TIME, "۱۴۰۵/۰۹/۰۵ ۱۱:۰۶");
}

static void test_english_dates(void **state)
{
    (void)state;
    pt_l10n_apply(PT_LANG_EN, "auto");
    expect_date("2026-11-26T11:06:18Z", PT_DATE_SHORT, "2026-11-26");
    expect_date("2026-11-26T11:06:18Z", PT_DATE_LONG, "Thursday 26 November 2026");
    expect_date("2026-11-26T11:06:18Z", PT_DATE_TIME, "2026-11-26 11:06");
    /* The calendar setting wins over the language. */
    pt_l10n_apply(PT_LANG_FA, "gregorian");
    expect_date("2026-11-26T11:06:18Z", PT_DATE_SHORT, "۲۰۲۶/۱۱/۲۶");
    pt_l10n_apply(PT_LANG_EN, "auto");
}

static void test_numbers(void **state)
{
    (void)state;
    pt_l10n_apply(PT_LANG_FA, "auto");
    char *s = pt_l10n_decimal(1234567.89, 2);
    assert_string_equal(s, "۱٬۲۳۴٬۵۶۷٫۸۹");
    free(s);
    s = pt_l10n_int(1234567);
    assert_string_equal(s, "۱٬۲۳۴٬۵۶۷");
    free(s);
    s = pt_l10n_digits("12:05");
    assert_string_equal(s, "۱۲:۰۵");
    free(s);
    pt_l10n_apply(PT_LANG_EN, "auto");
    s = pt_l10n_decimal(1234567.89, 2);
    assert_string_equal(s, "1234567.89");
    free(s);
    s = pt_l10n_digits("12:05");
    assert_string_equal(s, "12:05");
    free(s);
}

static void test_sizes_and_durations(void **state)
{
    (void)state;
    char buf[64];
    pt_l10n_apply(PT_LANG_FA, "auto");
    /* Numbers only: the units come from the catalog, which this test does not load. */
    pt_l10n_size(1536, buf, sizeof(buf));
    assert_non_null(strstr(buf, "۱٫۵"));
    pt_l10n_size(200LL * 1024 * 1024, buf, sizeof(buf));
    assert_non_null(strstr(buf, "۲۰۰"));
    pt_l10n_duration(12300, buf, sizeof(buf));
    assert_non_null(strstr(buf, "۱۲٫۳"));
    pt_l10n_duration(850, buf, sizeof(buf));
    assert_non_null(strstr(buf, "۸۵۰"));
    assert_null(strpbrk(buf, "0123456789"));
    pt_l10n_apply(PT_LANG_EN, "auto");
    pt_l10n_size(1536, buf, sizeof(buf));
    assert_string_equal(buf, "1.5 KiB");
    pt_l10n_duration(245000, buf, sizeof(buf));
    assert_string_equal(buf, "4 min 5 s");
}

static void test_choice(void **state)
{
    (void)state;
    unsetenv("LANGUAGE");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    setenv("LANG", "C.UTF-8", 1);
    assert_int_equal(pt_l10n_choose(NULL, NULL), PT_LANG_EN);
    assert_int_equal(pt_l10n_choose(NULL, "auto"), PT_LANG_EN);
    assert_int_equal(pt_l10n_choose(NULL, "fa"), PT_LANG_FA);
    assert_int_equal(pt_l10n_choose("en", "fa"), PT_LANG_EN);
    setenv("LANG", "fa_IR.UTF-8", 1);
    assert_int_equal(pt_l10n_choose(NULL, "auto"), PT_LANG_FA);
    setenv("LANGUAGE", "fa:en", 1);
    setenv("LANG", "C.UTF-8", 1);
    assert_int_equal(pt_l10n_choose(NULL, NULL), PT_LANG_FA);
    assert_int_equal(pt_l10n_choose(NULL, "en"), PT_LANG_EN);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jalali_dates), cmocka_unit_test(test_english_dates),
        cmocka_unit_test(test_numbers),      cmocka_unit_test(test_sizes_and_durations),
        cmocka_unit_test(test_choice),
    };
    return cmocka_run_group_tests_name("l10n", tests, NULL, NULL);
}
