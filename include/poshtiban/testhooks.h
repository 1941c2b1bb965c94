/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TESTHOOKS_H
#define POSHTIBAN_TESTHOOKS_H

/*
 * The test hooks, read from the environment here and nowhere else. This
 * module is compiled only when meson is configured with -Dtest_hooks=true
 * (scripts/test does); a released poshtiban has no hooks. Every use stands
 * under #ifdef PT_TEST_HOOKS.
 */
#ifdef PT_TEST_HOOKS

#include <stdbool.h>
#include <stdint.h>

struct pt_test_hooks {
    bool has_now;
    int64_t now_ms;         /* POSHTIBAN_TEST_NOW: seconds since the epoch, or ISO 8601 UTC */
    long kill_after;        /* POSHTIBAN_TEST_KILL_AFTER: SIGKILL at a create's Nth progress
                               report, or at a heal's Nth step (ops/heal.c) */
    const char *tui_timing; /* POSHTIBAN_TUI_TIMING: file that receives the TUI's timings */
    long stall_ms;          /* POSHTIBAN_TEST_STALL_MS: restic stuck after this long without I/O */
    bool kill_in_metrics;   /* POSHTIBAN_TEST_KILL_IN_METRICS: SIGKILL halfway through writing
                               metrics.textfile (store/metrics.c) */
};

/* The hooks, read from the environment at the first call of the process. */
const struct pt_test_hooks *pt_test_hooks(void);

#endif
#endif
