// SPDX-License-Identifier: GPL-3.0-or-later
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "poshtiban/l10n.h"
#include "poshtiban/progress.h"
#include "poshtiban/timefmt.h"

static atomic_bool cancel_requested;
static struct timespec last;
static bool drawn;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&cancel_requested, true);
}

static void draw(const struct pt_progress *p, void *user)
{
    (void)user;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000;
    if (drawn && ms < 100 && p->done != p->total)
        return;
    last = now;
    drawn = true;
    /* Numbers as the language writes them: Persian digits in Persian. */
    char done[32], total[32];
    if (p->phase == PT_PHASE_FIXTURES) {
        char *d = pt_l10n_int(p->done), *t = pt_l10n_int(p->total);
        snprintf(done, sizeof(done), "%s", d);
        snprintf(total, sizeof(total), "%s", t);
        free(d);
        free(t);
    } else {
        pt_format_size(p->done, done, sizeof(done));
        pt_format_size(p->total, total, sizeof(total));
    }
    if (p->total > 0) {
        char *percent = pt_l10n_int(p->done * 100 / p->total);
        fprintf(stderr, "\r\033[K%s: %s / %s (%s%%)", pt_phase_label(p->phase), done, total,
                percent);
        free(percent);
    } else {
        fprintf(stderr, "\r\033[K%s…", pt_phase_label(p->phase));
    }
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
}
