// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>

#include "poshtiban/retention.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"
#include "helpers.h"

/* A completed backup created on day (of November 2026), with flags. */
static void add(struct pt_test_catalog *f, int day, enum pt_state state, bool pinned, int verify_ok)
{
    struct pt_record r = {0};
    r.name = pt_xasprintf("backup_202611%02d_000000", day);
    r.kind = PT_KIND_AUTO;
    r.status = state;
    r.format = pt_xstrdup("dir");
    r.path = pt_path_join(f->project.backups, r.name);
    r.created_at = pt_xasprintf("2026-11-%02dT00:00:00Z", day);
    r.pinned = pinned;
    r.verify_ok = verify_ok;
    assert_int_equal(pt_catalog_insert(f->catalog, &r, NULL), PT_OK);
    pt_record_free(&r);
}

static char *planned(struct pt_test_catalog *f)
{
    struct pt_retention_plan plan;
    assert_int_equal(pt_retention_plan(&f->project, f->catalog, &plan, NULL), PT_OK);
    size_t len = 1;
    for (size_t i = 0; i < plan.n; i++)
        len += strlen(plan.items[i].record.name) + 1;
    char *out = pt_xcalloc(1, len);
    for (size_t i = 0; i < plan.n; i++) {
        if (i)
            strcat(out, " ");
        strcat(out, plan.items[i].record.name + 13); /* the day: "01_000000" */
        out[strlen(out) - 7] = '\0';
    }
    pt_retention_plan_free(&plan);
    return out;
}

static void expect_plan(struct pt_test_catalog *f, const char *days)
{
    char *got = planned(f);
    assert_string_equal(got, days);
    free(got);
}

static void test_count_keeps_pinned_aside(void **state)
{
    struct pt_test_catalog *f = *state;
    assert_int_equal(pt_settings_set(f->catalog, PT_KEY_RETENTION_MAX_BACKUPS, "3", NULL), PT_OK);
    add(f, 1, PT_STATE_COMPLETED, true, -1);
    for (int day = 2; day <= 6; day++)
        add(f, day, PT_STATE_COMPLETED, false, -1);
    add(f, 7, PT_STATE_FAILED, false, -1);
    add(f, 8, PT_STATE_RUNNING, false, -1);
    /* Newest first: 6 5 4 kept, 3 2 go, 1 pinned; failed and running are not counted. */
    expect_plan(f, "03 02");
}

static void test_newest_verified_is_kept(void **state)
{
    struct pt_test_catalog *f = *state;
    assert_int_equal(pt_settings_set(f->catalog, PT_KEY_RETENTION_MAX_BACKUPS, "1", NULL), PT_OK);
    add(f, 1, PT_STATE_COMPLETED, false, 1);
    add(f, 2, PT_STATE_COMPLETED, false, 0);
    add(f, 3, PT_STATE_COMPLETED, false, -1);
    expect_plan(f, "02");
}

static void test_age(void **state)
{
    struct pt_test_catalog *f = *state;
    assert_true(pt_time_parse_iso("2026-11-30T12:00:00Z", &f->project.now_ms));
    assert_int_equal(pt_settings_set(f->catalog, PT_KEY_RETENTION_MAX_AGE_DAYS, "3", NULL), PT_OK);
    for (int day = 20; day <= 29; day++)
        add(f, day, PT_STATE_COMPLETED, day == 21, -1);
    /* Older than 3 days (before the 27th, noon): the 27th and earlier, but 21 is pinned. */
    expect_plan(f, "27 26 25 24 23 22 20");
    /* Even when every backup is too old, the newest completed stays. */
    assert_true(pt_time_parse_iso("2027-06-01T00:00:00Z", &f->project.now_ms));
    expect_plan(f, "28 27 26 25 24 23 22 20");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_count_keeps_pinned_aside, pt_test_catalog_setup,
                                        pt_test_catalog_teardown),
        cmocka_unit_test_setup_teardown(test_newest_verified_is_kept, pt_test_catalog_setup,
                                        pt_test_catalog_teardown),
        cmocka_unit_test_setup_teardown(test_age, pt_test_catalog_setup, pt_test_catalog_teardown),
    };
    return cmocka_run_group_tests_name("retention", tests, NULL, NULL);
}
