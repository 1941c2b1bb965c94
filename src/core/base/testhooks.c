// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/testhooks.h"

#include <pthread.h>
#include <stdlib.h>

#include "poshtiban/timefmt.h"

static struct pt_test_hooks hooks;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void read_hooks(void)
{
    const char *now = getenv("POSHTIBAN_TEST_NOW");
    if (now && *now) {
        char *end;
        long long secs = strtoll(now, &end, 10);
        if (*end == '\0') {
            hooks.now_ms = (int64_t)secs * 1000;
            hooks.has_now = true;
        } else {
            hooks.has_now = pt_time_parse_iso(now, &hooks.now_ms);
        }
    }
    const char *kill_after = getenv("POSHTIBAN_TEST_KILL_AFTER");
    hooks.kill_after = kill_after ? atol(kill_after) : 0;
    const char *stall = getenv("POSHTIBAN_TEST_STALL_MS");
    hooks.stall_ms = stall ? atol(stall) : 0;
    const char *kill_metrics = getenv("POSHTIBAN_TEST_KILL_IN_METRICS");
    hooks.kill_in_metrics = kill_metrics && *kill_metrics;
    const char *timing = getenv("POSHTIBAN_TUI_TIMING");
    hooks.tui_timing = timing && *timing ? timing : NULL;
}

const struct pt_test_hooks *pt_test_hooks(void)
{
    pthread_once(&once, read_hooks);
    return &hooks;
}
