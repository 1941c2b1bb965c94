// SPDX-License-Identifier: GPL-3.0-or-later
#include <locale.h>
#include <stdlib.h>

#include "poshtiban/text.h"

#include "helpers.h"

/* Labels of `show` and `settings list` in Persian: the ZWNJ inside a word takes no column. */
static void widths(void)
{
    assert_int_equal(pt_text_width("رسانه‌ها"), 7);
    assert_int_equal(pt_text_width("سنجاق‌شده"), 8);
    assert_int_equal(pt_text_width("a\u200db\u200ec\u200fd"), 4);
    assert_int_equal(pt_text_width("\u2068/tmp/x\u2069"), 6);
    assert_int_equal(pt_text_width("\u2066ls\u2069\ufeff"), 2);
    assert_int_equal(pt_text_width("مَن"), 2);
    assert_int_equal(pt_text_width("Sam 🏠"), 6);
    assert_int_equal(pt_text_width("\xff\xfe"), 2);
    char *fit = pt_text_fit("رسانه‌ها شامل", 8, 0);
    assert_string_equal(fit, "رسانه‌ها ");
    free(fit);
}

static void test_width_utf8_locale(void **state)
{
    (void)state;
    assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
    widths();
}

/* A machine without C.UTF-8: the same columns, not one per byte run. */
static void test_width_c_locale(void **state)
{
    (void)state;
    assert_non_null(setlocale(LC_ALL, "C"));
    widths();
}

/* A login is replaced by ***, whatever its password holds ('/', '@', '?', '#'). */
static void test_redact_url(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"rest:https://bob:pw@host:8000/repo/", "rest:https://***@host:8000/repo/"},
        {"rest:https://bob:p/w@x?#@host/", "rest:https://***@host/"},
        {"https://user@hc.example.com/x", "https://***@hc.example.com/x"},
        {"rest:https://host/repo", "rest:https://host/repo"},
        {"sftp:user@host:/srv", "sftp:user@host:/srv"},
        {"/srv/restic", "/srv/restic"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = pt_text_redact_url(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_width_utf8_locale),
        cmocka_unit_test(test_width_c_locale),
        cmocka_unit_test(test_redact_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
