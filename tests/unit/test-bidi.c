// SPDX-License-Identifier: GPL-3.0-or-later
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/bidi.h"

#include "helpers.h"

/* The code points of UTF-8 text. */
static size_t code_points(const char *s, unsigned *out, size_t max)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < max) {
        unsigned c;
        int len;
        if (*p < 0x80)
            c = *p, len = 1;
        else if (*p < 0xe0)
            c = (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f), len = 2;
        else if (*p < 0xf0)
            c = (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f),
            len = 3;
        else
            c = (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3f) << 12 |
                (unsigned)(p[2] & 0x3f) << 6 | (p[3] & 0x3f),
            len = 4;
        out[n++] = c;
        p += len;
    }
    return n;
}

static bool contains(const char *s, unsigned cp)
{
    unsigned cps[256];
    size_t n = code_points(s, cps, 256);
    for (size_t i = 0; i < n; i++)
        if (cps[i] == cp)
            return true;
    return false;
}

static void test_shaping_and_order(void **state)
{
    (void)state;
    char *v = pt_bidi_visual("پچژگیک", true);
    unsigned cps[16];
    size_t n = code_points(v, cps, 16);
    const unsigned want[] = {0xFB8F, 0xFBFF, 0xFB94, 0xFB8B, 0xFB7D, 0xFB58};
    assert_int_equal(n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(cps[i], want[i]);
    free(v);
}

static void test_zwnj_gone(void **state)
{
    (void)state;
    char *v = pt_bidi_visual("می‌خواهم", true);
    assert_false(contains(v, 0x200C));
    /* ی before the ZWNJ stays final: the word is not joined across it. */
    assert_true(contains(v, 0xFBFD));
    assert_true(contains(v, 0xFEA7)); /* خ initial */
    free(v);
}

static void test_lam_alef(void **state)
{
    (void)state;
    char *v = pt_bidi_visual("سلام", true);
    unsigned cps[16];
    size_t n = code_points(v, cps, 16);
    assert_false(contains(v, 0xFEFF));
    assert_false(contains(v, ' '));
    /* م final, the lam-alef ligature (final form), س initial. */
    assert_int_equal(n, 3);
    assert_int_equal(cps[0], 0xFEE1);
    assert_int_equal(cps[1], 0xFEFC);
    assert_int_equal(cps[2], 0xFEB3);
    free(v);
}

static void test_names_and_numbers_in_a_sentence(void **state)
{
    (void)state;
    /* "file NAME with 12 files": the name and the number read left to right, in place. */
    char *name = pt_bidi_isolate("backup_20250601_120000.tar.zst");
    char *logical = NULL;
    assert_true(asprintf(&logical, "پرونده %s با ۱۲ فایل", name) > 0);
    char *v = pt_bidi_visual(logical, true);
    const char *file = strstr(v, "backup_20250601_120000.tar.zst");
    const char *number = strstr(v, "۱۲");
    assert_non_null(file);
    assert_non_null(number);
    /* Right to left: the number, said later, stands to the left of the file name. */
    assert_true(number < file);
    assert_false(contains(v, 0x2068));
    assert_false(contains(v, 0x2069));
    free(v);
    free(logical);
    free(name);
}

static void test_terminal_and_off_leave_logical(void **state)
{
    (void)state;
    /* Outside app mode the faces never call pt_bidi_visual: text stays as written. */
    assert_int_equal(pt_bidi_resolve("terminal", true), PT_BIDI_TERMINAL);
    assert_int_equal(pt_bidi_resolve("off", true), PT_BIDI_OFF);
    char *v = pt_bidi_visual("backup done", false);
    assert_string_equal(v, "backup done");
    free(v);
}

static void test_environments(void **state)
{
    (void)state;
    static const struct {
        const char *name, *var, *value;
        bool tty;
        enum pt_bidi_mode want;
    } cases[] = {
        {"VS Code / Codespaces", "TERM_PROGRAM", "vscode", true, PT_BIDI_APP},
        {"VTE (GNOME Terminal)", "VTE_VERSION", "7200", true, PT_BIDI_APP},
        {"Konsole", "KONSOLE_VERSION", "230401", true, PT_BIDI_TERMINAL},
        {"mlterm", "MLTERM", "3.9.3", true, PT_BIDI_TERMINAL},
        {"tmux", "TMUX", "/tmp/tmux-0/default,1,0", true, PT_BIDI_APP},
        {"xterm", "XTERM_VERSION", "XTerm(379)", true, PT_BIDI_APP},
        {"not a terminal", "TERM_PROGRAM", "vscode", false, PT_BIDI_OFF},
        {"Konsole, piped", "KONSOLE_VERSION", "230401", false, PT_BIDI_OFF},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsetenv("KONSOLE_VERSION");
        unsetenv("MLTERM");
        setenv(cases[i].var, cases[i].value, 1);
        if (pt_bidi_resolve("auto", cases[i].tty) != cases[i].want)
            fail_msg("%s: wrong mode", cases[i].name);
        unsetenv(cases[i].var);
    }
    assert_int_equal(pt_bidi_resolve("app", false), PT_BIDI_APP);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shaping_and_order),
        cmocka_unit_test(test_zwnj_gone),
        cmocka_unit_test(test_lam_alef),
        cmocka_unit_test(test_names_and_numbers_in_a_sentence),
        cmocka_unit_test(test_terminal_and_off_leave_logical),
        cmocka_unit_test(test_environments),
    };
    return cmocka_run_group_tests_name("bidi", tests, NULL, NULL);
}
