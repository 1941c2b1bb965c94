/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CLOCK_H
#define POSHTIBAN_CLOCK_H

#include <stdint.h>

/*
 * The clocks. Only the faces read the wall clock, once per command, and
 * hand the moment to the core in struct pt_project's now_ms; the core
 * decides nothing by the clock on its own. In a build configured with
 * -Dtest_hooks=true, $POSHTIBAN_TEST_NOW replaces the wall clock.
 */

/* Wall-clock time in milliseconds since the epoch. */
int64_t pt_clock_now_ms(void);

/*
 * Milliseconds on a clock that only moves forward, for measuring how long
 * something took; its origin means nothing.
 */
int64_t pt_clock_elapsed_ms(void);

#endif
