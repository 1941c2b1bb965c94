// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>

#include "poshtiban/clock.h"
#include "poshtiban/l10n.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"
#include "helpers.h"

static void test_iso_round_trip(void **state)
{
    (void)state;
    char buf[32];
    int64_t ms;
    assert_true(pt_time_parse_iso("2026-11-26T11:06:18Z", &ms));
    assert_int_equal(ms, 1795691178000LL);
    pt_time_iso(ms, buf);
    assert_string_equal(buf, "2026-11-26T11:06:18Z");
    assert_true(pt_time_parse_iso("2026-11-26 11:06:18.5", &ms));
    assert_int_equal(ms, 1795691178500LL);
    assert_false(pt_time_parse_iso("2026-13-01T00:00:00Z", &ms));
    assert_false(pt_time_parse_iso("yesterday", &ms));
    assert_false(pt_time_parse_iso("2026-11-26T11:06:18+03:30", &ms));
}

/* "At or before": the end of what the text names, in every form a person copies. */
static void test_parse_until(void **state)
{
    (void)state;
    int64_t ms;
    const int64_t t = 1795691178000LL; /* 2026-11-26T11:06:18Z */
    assert_true(pt_time_parse_until("2026-11-26T11:06:18Z", &ms));
    assert_int_equal(ms, t + 999);
    assert_true(pt_time_parse_until("2026-11-26T11:06:18.250Z", &ms));
    assert_int_equal(ms, t + 250);
    assert_true(pt_time_parse_until("2026-11-26T14:36:18+03:30", &ms));
    assert_int_equal(ms, t + 999);
    assert_true(pt_time_parse_until("2026-11-26T06:06:18-0500", &ms));
    assert_int_equal(ms, t + 999);
    assert_true(pt_time_parse_until("2026-11-26 11:06", &ms));
    assert_int_equal(ms, t - 18000 + 59999);
    assert_true(pt_time_parse_until("2026-11-26", &ms));
    assert_int_equal(ms, 1795737600000LL - 1);
    assert_true(pt_time_parse_until("2024-02-29", &ms));
    const char *bad[] = {"",
                         "yesterday",
                         "2026-13-01",
                         "2026-02-29",
                         "2026-11-26T",
                         "2026-11-26 25:00",
                         "2026-11-26 11:6",
                         "2026/11-26",
                         "2026-11-26T11:06:18Zx",
                         "1100/01/01",
                         "۱۴۰۵/۱۳/۰۱",
                         NULL};
    for (size_t i = 0; bad[i]; i++)
        assert_false(pt_time_parse_until(bad[i], &ms));
    /* What `list` prints in Persian (Solar Hijri, Persian digits) parses back to its minute. */
    pt_l10n_apply(PT_LANG_FA, "auto");
    for (int64_t at = 631152000000LL; at < 2240524800000LL; at += 86400000LL * 7 + 3600000LL * 5) {
        char *shown = pt_l10n_date(at, PT_DATE_TIME);
        assert_true(pt_time_parse_until(shown, &ms));
        assert_int_equal(ms, at - at % 60000 + 59999);
        free(shown);
    }
    pt_l10n_apply(PT_LANG_EN, "auto");
    assert_true(pt_time_parse_until("۱۴۰۵/۰۹/۰۵ ۱۱:۰۶", &ms));
    assert_int_equal(ms, t - 18000 + 59999);
}

/* "At or after" (changes --since): the start of what the text names, in the same forms. */
static void test_parse_since(void **state)
{
    (void)state;
    int64_t ms;
    const int64_t t = 1795691178000LL; /* 2026-11-26T11:06:18Z */
    assert_true(pt_time_parse_since("2026-11-26T11:06:18Z", &ms));
    assert_int_equal(ms, t);
    assert_true(pt_time_parse_since("2026-11-26T14:36:18+03:30", &ms));
    assert_int_equal(ms, t);
    assert_true(pt_time_parse_since("2026-11-26 11:06", &ms));
    assert_int_equal(ms, t - 18000);
    assert_true(pt_time_parse_since("2026-11-26", &ms));
    assert_int_equal(ms, 1795737600000LL - 86400000LL);
    assert_true(pt_time_parse_since("۱۴۰۵/۰۹/۰۵ ۱۱:۰۶", &ms));
    assert_int_equal(ms, t - 18000);
    assert_false(pt_time_parse_since("yesterday", &ms));
    assert_false(pt_time_parse_since("2026-02-29", &ms));
}

/* The hook is read once per process: set before the first reading, it holds after. */
static void test_clock_override(void **state)
{
    (void)state;
#ifdef PT_TEST_HOOKS
    setenv("POSHTIBAN_TEST_NOW", "2026-11-26T11:06:18Z", 1);
    assert_int_equal(pt_clock_now_ms(), 1795691178000LL);
    setenv("POSHTIBAN_TEST_NOW", "1", 1);
    assert_int_equal(pt_clock_now_ms(), 1795691178000LL);
    unsetenv("POSHTIBAN_TEST_NOW");
#else
    assert_true(pt_clock_now_ms() > 1700000000000LL);
#endif
    int64_t a = pt_clock_elapsed_ms(), b = pt_clock_elapsed_ms();
    assert_true(b >= a);
}

static void test_sizes_and_durations(void **state)
{
    (void)state;
    char buf[64];
    pt_l10n_size(0, buf, sizeof(buf));
    assert_string_equal(buf, "0 B");
    pt_l10n_size(1023, buf, sizeof(buf));
    assert_string_equal(buf, "1023 B");
    pt_l10n_size(1536, buf, sizeof(buf));
    assert_string_equal(buf, "1.5 KiB");
    pt_l10n_size(200LL * 1024 * 1024, buf, sizeof(buf));
    assert_string_equal(buf, "200 MiB");
    pt_l10n_duration(850, buf, sizeof(buf));
    assert_string_equal(buf, "850 ms");
    pt_l10n_duration(12300, buf, sizeof(buf));
    assert_string_equal(buf, "12.3 s");
    pt_l10n_duration(245000, buf, sizeof(buf));
    assert_string_equal(buf, "4 min 5 s");
    pt_l10n_age(7200, buf, sizeof(buf));
    assert_string_equal(buf, "2 hours ago");
    pt_l10n_age(86400, buf, sizeof(buf));
    assert_string_equal(buf, "1 day ago");
}

static void test_paths(void **state)
{
    (void)state;
    char *p = pt_path_absolute("/a/b", "../c/./d/");
    assert_string_equal(p, "/a/c/d");
    free(p);
    p = pt_path_absolute("/a", "/x/../../y");
    assert_string_equal(p, "/y");
    free(p);
    assert_true(pt_path_within("/a/b", "/a/b/c"));
    assert_true(pt_path_within("/a/b", "/a/b"));
    assert_false(pt_path_within("/a/b", "/a/bc"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_round_trip),      cmocka_unit_test(test_parse_until),
        cmocka_unit_test(test_parse_since),         cmocka_unit_test(test_clock_override),
        cmocka_unit_test(test_sizes_and_durations), cmocka_unit_test(test_paths),
    };
    return cmocka_run_group_tests_name("timefmt", tests, NULL, NULL);
}
