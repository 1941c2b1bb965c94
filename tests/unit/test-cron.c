// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/cron.h"

#include "base/fsutil.h"
#include "base/shquote.h"
#include "helpers.h"

#define MARKER "# poshtiban-auto 0123456789abcdef"
#define OTHER "# poshtiban-auto fedcba9876543210"

static const char table[] = "# m h  dom mon dow   command\n"
                            "SHELL=/bin/bash\n"
                            "MAILTO=\"ops@example.com\"\n"
                            "\n"
                            "  */5  *   * * *    /usr/bin/true   # odd   spacing\t\n"
                            "0 3 * * * /other/poshtiban -C /elsewhere auto " OTHER "\n"
                            "@reboot echo 'هلو' >/dev/null\n";

static char *edit(const char *t, const char *line, bool *found)
{
    return pt_cron_edit(t, strlen(t), MARKER, line, found);
}

static void test_round_trip_keeps_every_other_byte(void **state)
{
    (void)state;
    bool found;
    char *installed = edit(table, "*/15 * * * * run " MARKER, &found);
    assert_false(found);
    char *expected = pt_xasprintf("%s*/15 * * * * run " MARKER "\n", table);
    assert_string_equal(installed, expected);
    char *again = edit(installed, "*/15 * * * * run " MARKER, &found);
    assert_true(found);
    assert_string_equal(again, installed); /* twice: still one line */
    char *removed = edit(again, NULL, &found);
    assert_true(found);
    assert_string_equal(removed, table);
    free(removed);
    free(again);
    free(expected);
    free(installed);
}

static void test_replaced_in_place(void **state)
{
    (void)state;
    bool found;
    const char *t = "A=1\n*/15 * * * * old " MARKER "\nB=2\n*/5 * * * * dup " MARKER "\n";
    char *out = edit(t, "*/10 * * * * new " MARKER, &found);
    assert_true(found);
    assert_string_equal(out, "A=1\n*/10 * * * * new " MARKER "\nB=2\n");
    free(out);
}

static void test_no_trailing_newline_and_empty(void **state)
{
    (void)state;
    bool found;
    char *out = edit("A=1", "x " MARKER, &found);
    assert_string_equal(out, "A=1\nx " MARKER "\n");
    free(out);
    out = edit("", "x " MARKER, &found);
    assert_string_equal(out, "x " MARKER "\n");
    free(out);
    out = edit("x " MARKER "\n", NULL, &found);
    assert_true(found);
    assert_string_equal(out, "");
    free(out);
}

static void test_quote(void **state)
{
    (void)state;
    char *q = pt_sh_quote("/plain/path-1_2.3");
    assert_string_equal(q, "/plain/path-1_2.3");
    free(q);
    q = pt_sh_quote("/a b/it's $HOME `x`");
    assert_string_equal(q, "'/a b/it'\\''s $HOME `x`'");
    free(q);
    q = pt_sh_quote("");
    assert_string_equal(q, "''");
    free(q);
}

static void test_line(void **state)
{
    (void)state;
    struct pt_project p = {0};
    p.root = "/srv/my proj's \"app\" 100%";
    p.database = pt_xasprintf("%s/db.sqlite3", p.root);
    p.backups = "/backups";
    p.meta = "/backups/.poshtiban";
    struct pt_cron_options o = {.program = "/usr/bin/poshtiban"};
    char *line = NULL;
    struct pt_error err = {0};
    assert_int_equal(pt_cron_line(&p, &o, &line, &err), PT_OK);
    char *marker = pt_cron_marker(&p);
    char *expected = pt_xasprintf("*/15 * * * * /usr/bin/poshtiban -C '/srv/my proj'\\''s "
                                  "\"app\" 100\\%%' --backups /backups auto >> "
                                  "/backups/.poshtiban/auto.log 2>&1 %s",
                                  marker);
    assert_string_equal(line, expected);
    free(expected);
    free(line);
    o.every_minutes = 60;
    o.lang = "fa";
    assert_int_equal(pt_cron_line(&p, &o, &line, &err), PT_OK);
    assert_true(strncmp(line, "0 * * * * ", 10) == 0);
    assert_non_null(strstr(line, " --lang fa auto "));
    free(line);
    o.every_minutes = 61;
    assert_int_equal(pt_cron_line(&p, &o, &line, &err), PT_EINVAL);
    pt_error_clear(&err);
    o.every_minutes = 0;
    p.root = "/srv/back\\slash";
    assert_int_equal(pt_cron_line(&p, &o, &line, &err), PT_EINVAL);
    assert_null(line);
    pt_error_clear(&err);
    /* One line per backup root. */
    struct pt_project q = p;
    q.backups = "/other";
    char *other = pt_cron_marker(&q);
    assert_string_not_equal(marker, other);
    assert_true(strncmp(marker, "# poshtiban-auto ", 17) == 0 && strlen(marker) == 17 + 16);
    free(other);
    free(marker);
    free(p.database);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_keeps_every_other_byte),
        cmocka_unit_test(test_replaced_in_place),
        cmocka_unit_test(test_no_trailing_newline_and_empty),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
