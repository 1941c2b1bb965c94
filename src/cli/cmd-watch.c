// SPDX-License-Identifier: GPL-3.0-or-later
/* poshtiban watch: a change set within a minute of every commit (docs/changes.md). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "poshtiban/capture.h"
#include "poshtiban/changes.h"
#include "poshtiban/clock.h"
#include "poshtiban/dbwatch.h"
#include "poshtiban/l10n.h"
#include "poshtiban/offsite.h"
#include "poshtiban/timefmt.h"

#include "cli.h"

/* A commit is captured once the database was quiet this long, or at the latest after MAX_WAIT. */
#define QUIET_MS 5000
#define MAX_WAIT_MS 30000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void nap(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (!stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* One capture, told as a line that says when; false when watching cannot go on. */
static bool capture(struct pt_cli *cli, bool *busy, int *code)
{
    cli->project.now_ms = pt_clock_now_ms();
    char now[32];
    pt_time_iso(cli->project.now_ms, now);
    struct pt_capture_result r;
    struct pt_error err = {0};
    enum pt_status rc = pt_changes_capture(&cli->session, NULL, &r, &err);
    *busy = rc == PT_EBUSY;
    bool go_on = true;
    if (cli->json) {
        json_t *line =
            pt_present_watch_json(cli->project.now_ms, rc == PT_OK && r.unchanged, &r, err.message);
        char *text = json_dumps(line, JSON_COMPACT);
        printf("%s\n", text);
        free(text);
        json_decref(line);
    } else if (rc == PT_OK && r.unchanged) {
        pt_cli_printf(_("%s Change set: nothing changed since the last one.\n"), now);
    } else if (rc == PT_OK) {
        pt_cli_printf(_("%s Change set %s saved (%s).\n"), now, r.name,
                      r.snapshot ? _("the whole database") : _("rows"));
    } else if (!*busy) {
        pt_cli_printf(_("%s Change set failed: %s\n"), now, err.message ? err.message : "");
    }
    fflush(stdout);
    /* The chain off-site, as capture sends it (docs/changes.md, "Off-site"). */
    if (rc == PT_OK && !r.unchanged)
        pt_offsite_after_capture(&cli->session, r.base, NULL);
    if (rc == PT_EINVAL) {
        /* No full backup, no database: nothing will capture until the user acts. */
        *code = pt_cli_error(&err);
        go_on = false;
    }
    pt_error_clear(&err);
    pt_capture_result_free(&r);
    return go_on;
}

int pt_cmd_watch(struct pt_cli *cli, int argc, char **argv)
{
    const char *every = NULL;
    const struct pt_cli_option options[] = {{"--interval", &every, NULL}, {NULL, NULL, NULL}};
    size_t n_pos;
    if (!pt_cli_parse("watch", argc, argv, options, NULL, 0, &n_pos))
        return 2;
    long long seconds = 2;
    if (every && (!pt_cli_parse_count(every, &seconds) || seconds < 1 || seconds > 60))
        return pt_cli_usage("watch", _("--interval takes seconds from 1 to 60"));
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    struct pt_error err = {0};
    struct pt_db_watch *w = pt_db_watch_open(cli->project.database, &err);
    if (!w)
        return pt_cli_error(&err);
    if (!cli->json) {
        char *db = pt_cli_path(cli->project.database);
        pt_cli_printf(
            _("Watching %s: a change set within a minute of every commit. Ctrl-C stops.\n"), db);
        free(db);
        fflush(stdout);
    }
    int code = 0;
    bool busy = false;
    /*
     * No connection of ours is open while a capture runs: it reads the
     * file's header through a descriptor of its own, and closing that drops
     * every POSIX lock this process holds on the file, the watch's too;
     * another process's last commit would then take the WAL from under it
     * ("database disk image is malformed").
     */
    pt_db_watch_close(w);
    /* What changed while nothing watched is saved first. */
    bool go_on = capture(cli, &busy, &code);
    w = go_on ? pt_db_watch_open(cli->project.database, &err) : NULL;
    if (go_on && !w)
        return pt_cli_error(&err);
    int64_t first = busy ? pt_clock_elapsed_ms() : -1, last = first;
    while (go_on && !stop) {
        nap((long)seconds * 1000);
        if (stop)
            break;
        int64_t t = pt_clock_elapsed_ms();
        if (pt_db_watch_changed(w)) {
            if (first < 0)
                first = t;
            last = t;
        }
        if (first >= 0 && (t - last >= QUIET_MS || t - first >= MAX_WAIT_MS)) {
            pt_db_watch_close(w);
            go_on = capture(cli, &busy, &code);
            /* Busy (a backup runs): try again at the next look. */
            first = busy ? first : -1;
            /* Opened again: what the capture itself did to the files is no commit. */
            w = go_on ? pt_db_watch_open(cli->project.database, &err) : NULL;
            if (go_on && !w)
                return pt_cli_error(&err);
        }
    }
    pt_db_watch_close(w);
    return code;
}
