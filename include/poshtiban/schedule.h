/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_SCHEDULE_H
#define POSHTIBAN_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/catalog.h"
#include "poshtiban/status.h"

/* A failed automatic backup is tried again after this long (or the interval, when shorter). */
#define PT_SCHEDULE_RETRY_MS (3600 * 1000LL)

/* What decides whether an automatic backup is due; times in ms since the epoch. */
struct pt_schedule_input {
    bool enabled;           /* auto.enabled */
    int64_t interval_hours; /* auto.interval_hours */
    int preferred_minute;   /* auto.time as minutes after local midnight; -1 when empty */
    int64_t now_ms;
    int64_t last_success_ms; /* start of the newest completed auto/scheduled backup; -1: none */
    int64_t last_failure_ms; /* start of a failed or interrupted one newer than that; -1: none */
};

enum pt_schedule_why {
    PT_SCHEDULE_OFF,        /* not due: auto.enabled is false */
    PT_SCHEDULE_FIRST,      /* due: no automatic backup yet */
    PT_SCHEDULE_INTERVAL,   /* due: the interval has passed */
    PT_SCHEDULE_TIME,       /* due: the preferred time of day has come */
    PT_SCHEDULE_CATCH_UP,   /* due: runs were missed; this one backup catches up */
    PT_SCHEDULE_RETRY,      /* due: the last attempt failed and its retry time has come */
    PT_SCHEDULE_CLOCK,      /* due: the last backup is dated in the future (the clock moved) */
    PT_SCHEDULE_WAIT,       /* not due: the next one is due at next_ms */
    PT_SCHEDULE_RETRY_WAIT, /* not due: the last attempt failed; next try at next_ms */
};

struct pt_schedule {
    bool due;
    enum pt_schedule_why why;
    int64_t next_ms; /* when a backup is next due: now_ms when due, -1 when off */
    int64_t slot_ms; /* the scheduled time this backup stands for, -1 when none */
    int64_t missed;  /* scheduled runs missed before this one (PT_SCHEDULE_CATCH_UP) */
    int64_t last_success_ms, last_failure_ms; /* as in the input */
};

/*
 * The decision of `auto` (README, "Automatic backups, notifications and
 * doctor"), a pure function of its input:
 * - without auto.time: due once auto.interval_hours have passed since the
 *   start of the last completed automatic backup (counted from its minute,
 *   so that a cron line every N minutes does not drift);
 * - with auto.time: backups belong to the local times of day HH:MM,
 *   HH:MM + interval, … (for intervals under a day; the grid starts again at
 *   HH:MM each day), or to HH:MM every round(interval / 24) days; one is due
 *   when a time of the grid has passed that the last backup did not cover;
 * - the first automatic backup is due at once; however many runs were
 *   missed, one backup catches up and the grid goes on from there;
 * - after a failed attempt the next try waits PT_SCHEDULE_RETRY_MS (or the
 *   interval, when shorter).
 * Local time is the process's time zone ($TZ).
 */
void pt_schedule_decide(const struct pt_schedule_input *in, struct pt_schedule *out);

/* The same from the settings and the catalog at now_ms. */
enum pt_status pt_schedule_read(struct pt_catalog *catalog, int64_t now_ms, struct pt_schedule *out,
                                struct pt_error *err);

/* One translated sentence saying why (not) due, with local times; owned by the caller. */
char *pt_schedule_reason(const struct pt_schedule *schedule);

/* "2026-11-26 14:30" in local time for ms since the epoch; buf holds 32 bytes. */
void pt_schedule_local_time(int64_t ms, char buf[32]);

#endif
