// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fsutil.h"
#include "helpers.h"
#include "ops/naming.h"
#include "poshtiban/catalog.h"

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
