// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"

#define MIN_MS (60 * 1000LL)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define MAX_COUNTED 10000

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_minute(int64_t ms)
{
    return floor_div(ms, MIN_MS) * MIN_MS;
}

/* minute after local midnight on the local day of t moved by days. */
static int64_t local_at(int64_t t, int days, int minute)
{
    time_t secs = (time_t)floor_div(t, 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    tm.tm_mday += days;
    tm.tm_hour = minute / 60;
    tm.tm_min = minute % 60;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * 1000;
}

/* The latest local HH:MM at or before t. */
static int64_t day_anchor(int64_t t, int minute)
{
    int64_t a = local_at(t, 0, minute);
    return a > t ? local_at(t, -1, minute) : a;
}

static int64_t day_number(int64_t t)
{
    time_t secs = (time_t)floor_div(t, 1000);
    struct tm tm, noon = {0};
    localtime_r(&secs, &tm);
    noon.tm_year = tm.tm_year;
    noon.tm_mon = tm.tm_mon;
    noon.tm_mday = tm.tm_mday;
    noon.tm_hour = 12;
    return (int64_t)timegm(&noon) / 86400;
}

/* Grid of intervals under a day: HH:MM + k × interval within each local day. */
static int64_t grid_at(int64_t t, int minute, int64_t interval)
{
    int64_t a = day_anchor(t, minute);
    return a + (t - a) / interval * interval;
}

static int64_t grid_next(int64_t point, int minute, int64_t interval)
{
    int64_t next_day = local_at(day_anchor(point, minute), 1, minute);
    int64_t next = point + interval;
    return next < next_day ? next : next_day;
}

void pt_schedule_decide(const struct pt_schedule_input *in, struct pt_schedule *out)
{
    memset(out, 0, sizeof(*out));
    out->next_ms = -1;
    out->slot_ms = -1;
    out->last_success_ms = in->last_success_ms;
    out->last_failure_ms = in->last_failure_ms;
    if (!in->enabled) {
        out->why = PT_SCHEDULE_OFF;
        return;
    }
    int64_t now = in->now_ms, last = in->last_success_ms;
    int64_t interval = (in->interval_hours > 0 ? in->interval_hours : 1) * HOUR_MS;
    int minute = in->preferred_minute;
    bool due = false;
    enum pt_schedule_why why = PT_SCHEDULE_WAIT;
    int64_t next = -1, slot = -1, passed = 0;

    if (last < 0) {
        due = true;
        why = PT_SCHEDULE_FIRST;
    } else if (last > now + MIN_MS) {
        due = true;
        why = PT_SCHEDULE_CLOCK;
    } else if (minute < 0) {
        int64_t anchor = floor_minute(last);
        passed = (now - anchor) / interval;
        due = passed >= 1;
        if (due)
            slot = anchor + passed * interval;
        else
            next = anchor + interval;
        why = due ? PT_SCHEDULE_INTERVAL : PT_SCHEDULE_WAIT;
    } else if (interval < DAY_MS) {
        int64_t point = grid_at(now, minute, interval);
        due = point > last;
        if (due) {
            slot = point;
            for (int64_t t = point; t > last && passed < MAX_COUNTED; passed++)
                t = grid_at(t - 1, minute, interval);
        } else {
            next = grid_next(point, minute, interval);
        }
        why = due ? PT_SCHEDULE_TIME : PT_SCHEDULE_WAIT;
    } else {
        int64_t days = (in->interval_hours + 12) / 24;
        int64_t point = day_anchor(now, minute), last_point = day_anchor(last, minute);
        int64_t apart = day_number(point) - day_number(last_point);
        due = point > last && apart >= days;
        if (due) {
            slot = point;
            passed = apart / days;
        } else {
            next = local_at(last_point, (int)days, minute);
        }
        why = due ? PT_SCHEDULE_TIME : PT_SCHEDULE_WAIT;
    }
    if (due && passed >= 2)
        why = PT_SCHEDULE_CATCH_UP;

    int64_t failed = in->last_failure_ms;
    if (due && failed >= 0 && failed >= last && failed <= now + MIN_MS) {
        int64_t retry =
            failed + (interval < PT_SCHEDULE_RETRY_MS ? interval : PT_SCHEDULE_RETRY_MS);
        if (now < retry) {
            due = false;
            why = PT_SCHEDULE_RETRY_WAIT;
            next = retry;
        } else {
            why = PT_SCHEDULE_RETRY;
        }
    }
    out->due = due;
    out->why = why;
    out->next_ms = due ? now : next;
    out->slot_ms = due ? slot : -1;
    out->missed = due ? passed : 0;
}

/* Start of the newest record of kind with status; -1 when none. */
static int64_t newest_start(struct pt_catalog *c, enum pt_kind kind, enum pt_state status,
                            struct pt_error *err, enum pt_status *rc)
{
    struct pt_catalog_filter f = {
        .has_kind = true, .kind = kind, .has_status = true, .status = status, .limit = 1};
    struct pt_record *r = NULL;
    size_t n = 0;
    int64_t total, ms = -1;
    enum pt_status listed = pt_catalog_list(c, &f, &r, &n, &total, err);
    if (listed != PT_OK)
        *rc = listed;
    else if (n > 0 && !pt_time_parse_iso(r[0].started_at ? r[0].started_at : r[0].created_at, &ms))
        ms = -1;
    pt_record_list_free(r, n);
    return ms;
}

enum pt_status pt_schedule_read(struct pt_catalog *c, int64_t now_ms, struct pt_schedule *out,
                                struct pt_error *err)
{
    struct pt_schedule_input in = {
        .now_ms = now_ms, .last_success_ms = -1, .last_failure_ms = -1, .preferred_minute = -1};
    in.enabled = pt_settings_bool(c, PT_KEY_AUTO_ENABLED);
    in.interval_hours = pt_settings_int(c, PT_KEY_AUTO_INTERVAL_HOURS);
    char *when = pt_settings_string(c, PT_KEY_AUTO_TIME);
    int h, m;
    if (when && sscanf(when, "%d:%d", &h, &m) == 2)
        in.preferred_minute = h * 60 + m;
    free(when);

    static const enum pt_kind kinds[] = {PT_KIND_AUTO, PT_KIND_SCHEDULED};
    static const enum pt_state failures[] = {PT_STATE_FAILED, PT_STATE_INTERRUPTED};
    enum pt_status rc = PT_OK;
    for (size_t k = 0; k < 2; k++) {
        int64_t ok = newest_start(c, kinds[k], PT_STATE_COMPLETED, err, &rc);
        if (ok > in.last_success_ms)
            in.last_success_ms = ok;
        for (size_t f = 0; f < 2; f++) {
            int64_t bad = newest_start(c, kinds[k], failures[f], err, &rc);
            if (bad > in.last_failure_ms)
                in.last_failure_ms = bad;
        }
    }
    if (in.last_failure_ms >= 0 && in.last_failure_ms < in.last_success_ms)
        in.last_failure_ms = -1;
    pt_schedule_decide(&in, out);
    return rc;
}

void pt_schedule_local_time(int64_t ms, char buf[32])
{
    if (ms < 0) {
        snprintf(buf, 32, "-");
        return;
    }
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    char ascii[32];
    strftime(ascii, sizeof(ascii), "%Y-%m-%d %H:%M", &tm);
    /* Local time, as auto.time is; Persian digits when the language is Persian. */
    char *shown = pt_l10n_digits(ascii);
    snprintf(buf, 32, "%s", shown);
    free(shown);
}

char *pt_schedule_reason(const struct pt_schedule *s)
{
    char last[32], next[32], failed[32], slot[32];
    pt_schedule_local_time(s->last_success_ms, last);
    pt_schedule_local_time(s->next_ms, next);
    pt_schedule_local_time(s->last_failure_ms, failed);
    pt_schedule_local_time(s->slot_ms, slot);
    switch (s->why) {
    case PT_SCHEDULE_OFF:
        return pt_xstrdup(_("not due: automatic backups are off (auto.enabled is false)"));
    case PT_SCHEDULE_FIRST:
        return pt_xstrdup(_("due: there is no automatic backup yet"));
    case PT_SCHEDULE_INTERVAL:
        return pt_xasprintf(_("due: auto.interval_hours have passed since the last automatic "
                              "backup at %s"),
                            last);
    case PT_SCHEDULE_TIME:
        return pt_xasprintf(_("due: the backup time %s has come; the last automatic backup was "
                              "at %s"),
                            slot, last);
    case PT_SCHEDULE_CATCH_UP: {
        /* Persian digits in Persian, as every other figure. */
        char *missed = pt_l10n_int(s->missed);
        char *text = pt_xasprintf(P_("due: %s scheduled run was missed since the last automatic "
                                     "backup at %s; one backup catches up",
                                     "due: %s scheduled runs were missed since the last "
                                     "automatic backup at %s; one backup catches up",
                                     s->missed),
                                  missed, last);
        free(missed);
        return text;
    }
    case PT_SCHEDULE_RETRY:
        return pt_xasprintf(_("due: the last automatic backup failed at %s; trying again"), failed);
    case PT_SCHEDULE_CLOCK:
        return pt_xasprintf(_("due: the last automatic backup is dated %s, in the future: the "
                              "clock was changed"),
                            last);
    case PT_SCHEDULE_WAIT:
        return pt_xasprintf(_("not due: the last automatic backup was at %s; the next is due at "
                              "%s"),
                            last, next);
    case PT_SCHEDULE_RETRY_WAIT:
        return pt_xasprintf(_("not due: the last automatic backup failed at %s; trying again at "
                              "%s"),
                            failed, next);
    }
    return pt_xstrdup("");
}
