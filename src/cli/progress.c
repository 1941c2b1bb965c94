// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/progress.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static atomic_bool cancel_requested;
static struct timespec last, phase_start;
static int phase = -1;
static bool drawn;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&cancel_requested, true);
}

static long ms_between(const struct timespec *from, const struct timespec *to)
{
    return (to->tv_sec - from->tv_sec) * 1000 + (to->tv_nsec - from->tv_nsec) / 1000000;
}

static void draw(const struct pt_progress *p, void *user)
{
    (void)user;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    /* Each phase is measured on its own scale, from when it began, as in the TUI. */
    if ((int)p->phase != phase) {
        phase = (int)p->phase;
        phase_start = now;
    }
    if (drawn && ms_between(&last, &now) < 100 && p->done != p->total)
        return;
    last = now;
    drawn = true;
    /* The words and numbers of the TUI's progress box (present/progress-text.c). */
    struct pt_progress_text text;
    pt_present_progress(p, ms_between(&phase_start, &now), &text);
    if (text.amount) {
        fprintf(stderr, "\r\033[K%s: %s", pt_phase_label(p->phase), text.amount);
        if (text.rate)
            fprintf(stderr, "  %s", text.rate);
        if (text.left)
            fprintf(stderr, "  %s", text.left);
    } else {
        fprintf(stderr, "\r\033[K%s…", pt_phase_label(p->phase));
    }
    pt_present_progress_free(&text);
    fflush(stderr);
}

void pt_cli_monitor(struct pt_monitor *monitor)
{
    /* Ctrl-C and friends cancel: the core then leaves nothing half-made. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    memset(monitor, 0, sizeof(*monitor));
    monitor->cancel = &cancel_requested;
    if (isatty(STDERR_FILENO))
        monitor->progress = draw;
}

void pt_cli_monitor_done(void)
{
    if (drawn)
        fputs("\r\033[K", stderr);
    drawn = false;
    phase = -1;
}
