// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "helpers.h"
#include "poshtiban/clock.h"
#include "poshtiban/l10n.h"
#include "poshtiban/timefmt.h"

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
        cmocka_unit_test(test_iso_round_trip),
        cmocka_unit_test(test_clock_override),
        cmocka_unit_test(test_sizes_and_durations),
        cmocka_unit_test(test_paths),
    };
    return cmocka_run_group_tests_name("timefmt", tests, NULL, NULL);
}
