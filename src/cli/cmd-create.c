// SPDX-License-Identifier: GPL-3.0-or-later
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "poshtiban/backup.h"
#include "poshtiban/timefmt.h"

static atomic_bool cancel_requested;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&cancel_requested, true);
}

struct progress_line {
    struct timespec last;
    bool drawn;
};

static void draw_progress(const struct pt_progress *p, void *user)
{
    struct progress_line *line = user;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - line->last.tv_sec) * 1000 + (now.tv_nsec - line->last.tv_nsec) / 1000000;
    if (line->drawn && ms < 100 && p->done != p->total)
        return;
    line->last = now;
    line->drawn = true;
    char done[32], total[32];
    if (p->phase == PT_PHASE_FIXTURES) {
        snprintf(done, sizeof(done), "%lld", (long long)p->done);
        snprintf(total, sizeof(total), "%lld", (long long)p->total);
    } else {
        pt_format_size(p->done, done, sizeof(done));
        pt_format_size(p->total, total, sizeof(total));
    }
    if (p->total > 0)
        fprintf(stderr, "\r\033[K%s: %s / %s (%d%%)", pt_phase_label(p->phase), done, total,
                (int)(p->done * 100 / p->total));
    else
        fprintf(stderr, "\r\033[K%s…", pt_phase_label(p->phase));
    fflush(stderr);
}

int pt_cmd_create(struct pt_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *kind = NULL, *format = NULL;
    bool no_media = false;
    const struct pt_cli_option options[] = {
        {"--name", &name, NULL},
        {"--kind", &kind, NULL},
        {"--format", &format, NULL},
        {"--no-media", NULL, &no_media},
        {0},
    };
    size_t n_pos;
    if (!pt_cli_parse("create", argc, argv, options, NULL, 0, &n_pos))
        return 2;
    struct pt_create_options opts = {.name = name, .kind = PT_KIND_MANUAL,
                                     .include_media = no_media ? 0 : -1, .format = format};
    if (kind && !pt_kind_parse(kind, &opts.kind))
        return pt_cli_usage("create", _("--kind takes manual, auto or scheduled, not \"%s\""),
                            kind);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    struct progress_line line = {0};
    struct pt_monitor monitor = {.cancel = &cancel_requested};
    if (isatty(STDERR_FILENO)) {
        monitor.progress = draw_progress;
        monitor.user = &line;
    }
    struct pt_record record = {0};
    struct pt_error err = {0};
    enum pt_status rc = pt_backup_create(&cli->project, &opts, &monitor, &record, &err);
    if (line.drawn)
        fputs("\r\033[K", stderr);
    int code = 0;
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    if (rc == PT_OK || record.id > 0) {
        if (cli->json) {
            int printed = pt_cli_print_json(pt_record_to_json(&record));
            code = code ? code : printed;
        } else if (rc == PT_OK) {
            char size[32], took[32];
            pt_format_size(record.size_bytes, size, sizeof(size));
            pt_format_duration(record.duration_ms, took, sizeof(took));
            printf(_("Backup %s completed: %s in %s\n%s\n"), record.name, size, took, record.path);
        }
    }
    pt_record_free(&record);
    return code;
}
