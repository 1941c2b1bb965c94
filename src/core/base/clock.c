// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/clock.h"

#include <time.h>

#include "poshtiban/testhooks.h"

static int64_t read_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pt_clock_now_ms(void)
{
#ifdef PT_TEST_HOOKS
    const struct pt_test_hooks *hooks = pt_test_hooks();
    if (hooks->has_now)
        return hooks->now_ms;
#endif
    return read_ms(CLOCK_REALTIME);
}

int64_t pt_clock_elapsed_ms(void)
{
    return read_ms(CLOCK_MONOTONIC);
}
