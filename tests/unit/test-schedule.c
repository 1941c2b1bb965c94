// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "poshtiban/catalog.h"
#include "poshtiban/schedule.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"
#include "helpers.h"

#define MIN (60 * 1000LL)
#define HOUR (60 * MIN)

static void zone(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static int64_t at(const char *iso)
{
    int64_t ms;
    assert_true(pt_time_parse_iso(iso, &ms));
    return ms;
}

static struct pt_schedule decide(int64_t hours, int minute, const char *last, const char *now)
{
    struct pt_schedule_input in = {.enabled = true,
                                   .interval_hours = hours,
                                   .preferred_minute = minute,
                                   .now_ms = at(now),
                                   .last_success_ms = last ? at(last) : -1,
                                   .last_failure_ms = -1};
    struct pt_schedule s;
    pt_schedule_decide(&in, &s);
    return s;
}

static void test_off(void **state)
{
    (void)state;
    struct pt_schedule_input in = {.enabled = false,
                                   .interval_hours = 24,
                                   .preferred_minute = -1,
                                   .now_ms = at("2026-11-26T10:00:00Z"),
                                   .last_success_ms = -1,
                                   .last_failure_ms = -1};
    struct pt_schedule s;
    pt_schedule_decide(&in, &s);
    assert_false(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_OFF);
    assert_int_equal(s.next_ms, -1);
}

static void test_first_is_due_at_once(void **state)
{
    (void)state;
    zone("UTC");
    struct pt_schedule s = decide(24, -1, NULL, "2026-11-26T10:00:00Z");
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_FIRST);
    /* With a preferred time too: nothing to wait for when there is no backup at all. */
    s = decide(24, 3 * 60, NULL, "2026-11-26T10:00:00Z");
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_FIRST);
}

static void test_interval(void **state)
{
    (void)state;
    zone("UTC");
    struct pt_schedule s = decide(24, -1, "2026-11-25T10:00:30Z", "2026-11-26T09:59:59Z");
    assert_false(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_WAIT);
    assert_int_equal(s.next_ms, at("2026-11-26T10:00:00Z"));
    /* Counted from the minute: a cron run at 10:00:05 is due though the last began at 10:00:30. */
    s = decide(24, -1, "2026-11-25T10:00:30Z", "2026-11-26T10:00:05Z");
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_INTERVAL);
    assert_int_equal(s.missed, 1);
}

static void test_catch_up_once(void **state)
{
    (void)state;
    zone("UTC");
    struct pt_schedule s = decide(1, -1, "2026-11-26T10:00:00Z", "2026-11-26T13:30:00Z");
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_CATCH_UP);
    assert_int_equal(s.missed, 3);
    /* Once caught up, the next is an interval after the catch-up, not a second catch-up. */
    s = decide(1, -1, "2026-11-26T13:30:00Z", "2026-11-26T13:45:00Z");
    assert_false(s.due);
    assert_int_equal(s.next_ms, at("2026-11-26T14:30:00Z"));
    char *reason = pt_schedule_reason(&(struct pt_schedule){.due = true,
                                                            .why = PT_SCHEDULE_CATCH_UP,
                                                            .missed = 3,
                                                            .last_success_ms = 0,
                                                            .next_ms = 0,
                                                            .slot_ms = 0,
                                                            .last_failure_ms = -1});
    assert_non_null(strstr(reason, "3 scheduled runs were missed"));
    free(reason);
}

static void test_preferred_time(void **state)
{
    (void)state;
    zone("UTC");
    struct pt_schedule s = decide(24, 3 * 60, "2026-11-25T03:00:10Z", "2026-11-26T02:59:00Z");
    assert_false(s.due);
    assert_int_equal(s.next_ms, at("2026-11-26T03:00:00Z"));
    s = decide(24, 3 * 60, "2026-11-25T03:00:10Z", "2026-11-26T03:00:00Z");
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_TIME);
    assert_int_equal(s.slot_ms, at("2026-11-26T03:00:00Z"));
    /* Taken at 03:00:10 on the 26th: the 03:15 run is not due again. */
    s = decide(24, 3 * 60, "2026-11-26T03:00:10Z", "2026-11-26T03:15:00Z");
    assert_false(s.due);
    assert_int_equal(s.next_ms, at("2026-11-27T03:00:00Z"));
}

static void test_preferred_time_is_local(void **state)
{
    (void)state;
    zone("<+0330>-3:30"); /* Tehran: 03:00 there is 23:30 UTC the day before */
    struct pt_schedule s = decide(24, 3 * 60, "2026-11-24T23:30:05Z", "2026-11-25T23:29:00Z");
    assert_false(s.due);
    assert_int_equal(s.next_ms, at("2026-11-25T23:30:00Z"));
    s = decide(24, 3 * 60, "2026-11-24T23:30:05Z", "2026-11-25T23:30:00Z");
    assert_true(s.due);
    zone("UTC");
}

static void test_missed_days_with_preferred_time(void **state)
{
    (void)state;
    zone("UTC");
    /* Mon 03:00, then the machine slept until Thu 10:00: one catch-up. */
    struct pt_schedule s = decide(24, 3 * 60, "2026-11-23T03:00:00Z", "2026-11-26T10:00:00Z");
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_CATCH_UP);
    assert_int_equal(s.missed, 3);
    /* Then back on the grid: not again on Thursday, due on Friday at 03:00. */
    s = decide(24, 3 * 60, "2026-11-26T10:00:00Z", "2026-11-26T23:00:00Z");
    assert_false(s.due);
    assert_int_equal(s.next_ms, at("2026-11-27T03:00:00Z"));
    s = decide(24, 3 * 60, "2026-11-26T10:00:00Z", "2026-11-27T03:00:00Z");
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_TIME);
}

static void test_grid_within_a_day(void **state)
{
    (void)state;
    zone("UTC");
    /* Every 6 hours from 02:00: 02, 08, 14, 20. */
    struct pt_schedule s = decide(6, 2 * 60, "2026-11-26T08:00:20Z", "2026-11-26T13:59:00Z");
    assert_false(s.due);
    assert_int_equal(s.next_ms, at("2026-11-26T14:00:00Z"));
    s = decide(6, 2 * 60, "2026-11-26T08:00:20Z", "2026-11-26T14:00:00Z");
    assert_true(s.due);
    /* Every 7 hours from 02:00: 02, 09, 16, 23, and 02 again the next day. */
    s = decide(7, 2 * 60, "2026-11-26T23:00:00Z", "2026-11-27T01:00:00Z");
    assert_false(s.due);
    assert_int_equal(s.next_ms, at("2026-11-27T02:00:00Z"));
}

static void test_every_two_days(void **state)
{
    (void)state;
    zone("UTC");
    struct pt_schedule s = decide(48, 3 * 60, "2026-11-23T03:00:00Z", "2026-11-24T03:00:00Z");
    assert_false(s.due);
    assert_int_equal(s.next_ms, at("2026-11-25T03:00:00Z"));
    s = decide(48, 3 * 60, "2026-11-23T03:00:00Z", "2026-11-25T03:00:00Z");
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_TIME);
}

static void test_failure_waits_then_retries(void **state)
{
    (void)state;
    zone("UTC");
    struct pt_schedule_input in = {.enabled = true,
                                   .interval_hours = 24,
                                   .preferred_minute = -1,
                                   .now_ms = at("2026-11-26T10:15:00Z"),
                                   .last_success_ms = at("2026-11-25T09:00:00Z"),
                                   .last_failure_ms = at("2026-11-26T10:00:00Z")};
    struct pt_schedule s;
    pt_schedule_decide(&in, &s);
    assert_false(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_RETRY_WAIT);
    assert_int_equal(s.next_ms, at("2026-11-26T11:00:00Z"));
    in.now_ms = at("2026-11-26T11:00:00Z");
    pt_schedule_decide(&in, &s);
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_RETRY);
    /* The very first attempt failed: retried the same way. */
    in.last_success_ms = -1;
    in.now_ms = at("2026-11-26T10:30:00Z");
    pt_schedule_decide(&in, &s);
    assert_false(s.due);
}

static void test_clock_moved_back(void **state)
{
    (void)state;
    zone("UTC");
    struct pt_schedule s = decide(24, -1, "2027-01-01T00:00:00Z", "2026-11-26T10:00:00Z");
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_CLOCK);
}

static void test_daylight_saving(void **state)
{
    (void)state;
    zone("America/New_York"); /* 2026-03-08: 02:00 → 03:00 */
    /* Preferred 02:30, which does not exist that day: due once, then not again that day. */
    struct pt_schedule s = decide(24, 2 * 60 + 30, "2026-03-07T07:30:00Z", "2026-03-08T08:00:00Z");
    assert_true(s.due);
    s = decide(24, 2 * 60 + 30, "2026-03-08T08:00:00Z", "2026-03-08T12:00:00Z");
    assert_false(s.due);
    assert_true(s.next_ms > at("2026-03-08T12:00:00Z"));
    assert_true(s.next_ms <= at("2026-03-09T07:00:00Z"));
    zone("UTC");
}

/* pt_schedule_read: the settings and the catalog's auto and scheduled records. */
static void add(struct pt_catalog *c, const char *name, enum pt_kind kind, enum pt_state state,
                const char *started)
{
    struct pt_record r = {0};
    r.name = pt_xstrdup(name);
    r.kind = kind;
    r.status = state;
    r.format = pt_xstrdup("dir");
    r.path = pt_xasprintf("/nowhere/%s", name);
    r.created_at = pt_xstrdup(started);
    r.started_at = pt_xstrdup(started);
    r.verify_ok = -1;
    assert_int_equal(pt_catalog_insert(c, &r, NULL), PT_OK);
    pt_record_free(&r);
}

static void test_read_from_catalog(void **state)
{
    (void)state;
    zone("UTC");
    char *dir = pt_test_tmpdir();
    char *path = pt_path_join(dir, "catalog.sqlite3");
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open_path(&c, path, NULL), PT_OK);
    struct pt_schedule s;
    assert_int_equal(pt_schedule_read(c, at("2026-11-26T12:00:00Z"), &s, NULL), PT_OK);
    assert_int_equal(s.why, PT_SCHEDULE_OFF);
    assert_int_equal(pt_settings_set(c, PT_KEY_AUTO_ENABLED, "true", NULL), PT_OK);
    /* A manual backup does not count; a scheduled one does, as does an auto one. */
    add(c, "m", PT_KIND_MANUAL, PT_STATE_COMPLETED, "2026-11-26T11:00:00Z");
    add(c, "s", PT_KIND_SCHEDULED, PT_STATE_COMPLETED, "2026-11-25T10:00:00Z");
    assert_int_equal(pt_schedule_read(c, at("2026-11-26T09:00:00Z"), &s, NULL), PT_OK);
    assert_false(s.due);
    assert_int_equal(s.last_success_ms, at("2026-11-25T10:00:00Z"));
    add(c, "a", PT_KIND_AUTO, PT_STATE_COMPLETED, "2026-11-26T08:00:00Z");
    add(c, "f", PT_KIND_AUTO, PT_STATE_FAILED, "2026-11-26T07:00:00Z");
    assert_int_equal(pt_schedule_read(c, at("2026-11-27T08:00:00Z"), &s, NULL), PT_OK);
    assert_true(s.due);
    assert_int_equal(s.why, PT_SCHEDULE_INTERVAL); /* the failure is older than the success */
    add(c, "g", PT_KIND_AUTO, PT_STATE_INTERRUPTED, "2026-11-27T08:00:00Z");
    assert_int_equal(pt_schedule_read(c, at("2026-11-27T08:30:00Z"), &s, NULL), PT_OK);
    assert_int_equal(s.why, PT_SCHEDULE_RETRY_WAIT);
    pt_catalog_close(c);
    free(path);
    pt_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off),
        cmocka_unit_test(test_first_is_due_at_once),
        cmocka_unit_test(test_interval),
        cmocka_unit_test(test_catch_up_once),
        cmocka_unit_test(test_preferred_time),
        cmocka_unit_test(test_preferred_time_is_local),
        cmocka_unit_test(test_missed_days_with_preferred_time),
        cmocka_unit_test(test_grid_within_a_day),
        cmocka_unit_test(test_every_two_days),
        cmocka_unit_test(test_failure_waits_then_retries),
        cmocka_unit_test(test_clock_moved_back),
        cmocka_unit_test(test_daylight_saving),
        cmocka_unit_test(test_read_from_catalog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
