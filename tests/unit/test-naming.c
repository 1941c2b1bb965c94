// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "poshtiban/catalog.h"

#include "base/fsutil.h"
#include "helpers.h"
#include "ops/naming.h"

/* A record of this name, and no file of it. */
static void record_only(struct pt_catalog *c, const char *name)
{
    struct pt_record r = {0};
    r.name = pt_xstrdup(name);
    r.kind = PT_KIND_MANUAL;
    r.status = PT_STATE_COMPLETED;
    r.format = pt_xstrdup("dir");
    r.path = pt_xasprintf("/nowhere/%s", name);
    r.created_at = pt_xstrdup("2026-11-26T10:00:00Z");
    r.verify_ok = -1;
    assert_int_equal(pt_catalog_insert(c, &r, NULL), PT_OK);
    pt_record_free(&r);
}

/* A file of this name in dir, and no record. */
static void file_only(const char *dir, const char *name)
{
    char *path = pt_path_join(dir, name);
    pt_test_write_file(path, "left behind");
    free(path);
}

static void expect_name(struct pt_test_catalog *f, const char *prefix, const char *want)
{
    char *name = pt_backup_name_new(&f->project, f->catalog, prefix, f->project.now_ms);
    assert_string_equal(name, want);
    free(name);
}

static void test_same_second(void **state)
{
    struct pt_test_catalog *f = *state;
    expect_name(f, "backup", "backup_20261126_100000");
    record_only(f->catalog, "backup_20261126_100000");
    expect_name(f, "backup", "backup_20261126_100000_2");
    record_only(f->catalog, "backup_20261126_100000_2");
    expect_name(f, "backup", "backup_20261126_100000_3");
    /* Another prefix is another series. */
    expect_name(f, "pre_restore", "pre_restore_20261126_100000");
}

static void test_taken_on_disk_only(void **state)
{
    struct pt_test_catalog *f = *state;
    /* A folder, an archive of either format, or work in tmp holds a name. */
    file_only(f->project.backups, "pre_restore_20261126_100000");
    file_only(f->project.backups, "pre_restore_20261126_100000_2.zip");
    file_only(f->project.backups, "pre_restore_20261126_100000_3.tar.zst");
    file_only(f->project.tmp, "pre_restore_20261126_100000_4");
    expect_name(f, "pre_restore", "pre_restore_20261126_100000_5");
    assert_false(pt_backup_name_free(&f->project, f->catalog, "pre_restore_20261126_100000_3"));
    assert_true(pt_backup_name_free(&f->project, f->catalog, "pre_restore_20261126_100000_5"));
}

static void test_taken_in_catalog_only(void **state)
{
    struct pt_test_catalog *f = *state;
    record_only(f->catalog, "pre_restore_20261126_100000");
    expect_name(f, "pre_restore", "pre_restore_20261126_100000_2");
    assert_false(pt_backup_name_free(&f->project, f->catalog, "pre_restore_20261126_100000"));
}

static void test_utc(void **state)
{
    struct pt_test_catalog *f = *state;
    /* Tehran is 3:30 ahead; the name keeps UTC whatever the local zone. */
    setenv("TZ", "IRST-3:30", 1); /* POSIX form: no tzdata needed */
    tzset();
    f->project.now_ms = 1795687200000LL + 59999; /* 2026-11-26T10:00:59.999Z */
    expect_name(f, "backup", "backup_20261126_100059");
    unsetenv("TZ");
    tzset();
}

/* Names that read as another, or as nothing, are refused (issue 21, Why 6). */
static void test_valid(void **state)
{
    (void)state;
    static const char *const good[] = {"nightly", "پیش_از_مهاجرت", "unused", "v1.2",
                                       "a b",     "x_2",           "😀",      "۱۲۳"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (i != 2)
            assert_true(pt_backup_name_valid(good[i]));
    assert_true(pt_backup_name_valid("می\xe2\x80\x8cخواهم")); /* ZWNJ inside a word */
    static const char *const bad[] = {
        "",
        ".hid",
        "123",
        "latest",
        "a/b",
        "a\\b",
        "a\nb",
        "a\x7f",
        "x\xc2\x85y",               /* U+0085, a C1 control */
        "x\xc2\x9b[31m",            /* U+009B, CSI */
        "x\xe2\x80\xaegpj.exe",     /* U+202E, right-to-left override */
        "x\xe2\x80\xaby",           /* U+202B, right-to-left embedding */
        "x\xe2\x81\xa7y",           /* U+2067, right-to-left isolate */
        "x\xe2\x81\xa9y",           /* U+2069, pop directional isolate */
        "\xe2\x80\x8f",             /* a lone U+200F */
        "\xef\xbb\xbfname",         /* a leading BOM */
        "   ",                      /* spaces only */
        "\xe2\x80\x8b\xe2\x80\x8c", /* zero-width only */
        "\xc2\xa0\xe3\x80\x80",     /* no-break and ideographic spaces only */
        "a\xe2\x80\xa8\x62",        /* U+2028, a line separator */
        "\xff\xfe",                 /* not UTF-8 */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (pt_backup_name_valid(bad[i]))
            fail_msg("accepted bad name #%zu", i);
    }
    char longest[202];
    memset(longest, 'a', 201);
    longest[201] = '\0';
    assert_false(pt_backup_name_valid(longest));
    longest[200] = '\0';
    assert_true(pt_backup_name_valid(longest));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_second, pt_test_catalog_setup,
                                        pt_test_catalog_teardown),
        cmocka_unit_test_setup_teardown(test_taken_on_disk_only, pt_test_catalog_setup,
                                        pt_test_catalog_teardown),
        cmocka_unit_test_setup_teardown(test_taken_in_catalog_only, pt_test_catalog_setup,
                                        pt_test_catalog_teardown),
        cmocka_unit_test_setup_teardown(test_utc, pt_test_catalog_setup, pt_test_catalog_teardown),
        cmocka_unit_test(test_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
