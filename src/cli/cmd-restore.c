// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/restore-path.h"
#include "poshtiban/restore.h"
#include "poshtiban/text.h"

#include "cli.h"

/* The lines the TUI shows before it asks (present/restore-plan.c). */
static void print_plan(const struct pt_restore_plan *plan)
{
    char **lines = NULL;
    size_t n = pt_present_restore_plan(plan, pt_cli_keep_whole, &lines);
    for (size_t i = 0; i < n; i++) {
        pt_cli_printf("%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
}

int pt_cmd_restore(struct pt_cli *cli, int argc, char **argv)
{
    const char *id = NULL, *at = NULL;
    bool dry_run = false, yes = false;
    struct pt_restore_options opts = {0};
    struct pt_restore_path_options one = {0};
    const struct pt_cli_option options[] = {
        {"--database-only", NULL, &opts.database_only},
        {"--media-only", NULL, &opts.media_only},
        {"--target-database", &opts.target_database, NULL},
        {"--target-media", &opts.target_media, NULL},
        {"--at", &at, NULL},
        {"--dry-run", NULL, &dry_run},
        {"--yes", NULL, &yes},
        {"--path", &one.path, NULL},
        {"--to", &one.to, NULL},
        {"--force", NULL, &one.force},
        {0},
    };
    size_t n_pos;
    if (!pt_cli_parse("restore", argc, argv, options, &id, 1, &n_pos))
        return 2;
    if (one.path || one.to || one.force) {
        if (n_pos != 1)
            return pt_cli_usage("restore", _("which backup? give its id or name"));
        if (!one.path || opts.database_only || opts.media_only || opts.target_database ||
            opts.target_media || at)
            return pt_cli_usage("restore", _("--to and --force go with --path, and --path with "
                                             "none of the other restore options"));
        one.dry_run = dry_run;
        return pt_cmd_restore_path(cli, id, &one, yes);
    }
    if (n_pos == 1 && at)
        return pt_cli_usage("restore", _("give a backup's id or name, or --at TIME, not both"));
    if (n_pos != 1 && !at)
        return pt_cli_usage("restore", _("which backup? give its id or name, or --at TIME"));
    if (at && !pt_cli_parse_at("restore", at, &opts.at_ms))
        return 2;
    if (at && opts.at_ms == 0)
        opts.at_ms = -1; /* the epoch's first millisecond: 0 would mean "no --at" */

    /* Nobody to ask: refuse before any work. */
    if (!dry_run && !yes && !isatty(STDIN_FILENO))
        return pt_cli_confirm(PT_OP_RESTORE, NULL, false);

    struct pt_error err = {0};
    struct pt_restore_plan plan;
    if (pt_restore_plan(&cli->session, id, &opts, &plan, &err) != PT_OK) {
        pt_restore_plan_free(&plan);
        return pt_cli_error(&err);
    }
    if (dry_run) {
        int code = cli->json ? pt_cli_print_json(pt_present_restore_plan_json(&plan))
                             : (print_plan(&plan), 0);
        pt_restore_plan_free(&plan);
        return code;
    }
    if (!yes && !cli->json)
        print_plan(&plan);
    char *name = pt_cli_name(plan.backup);
    char *question = pt_present_question(PT_OP_RESTORE, name, false, 0, 0);
    int code = pt_cli_confirm(PT_OP_RESTORE, question, yes);
    free(question);
    free(name);
    if (code != 0) {
        pt_restore_plan_free(&plan);
        return code;
    }

    /* The plan just shown and approved is carried out, or refused when the world moved. */
    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    enum pt_status rc = pt_restore(&cli->session, &plan, &monitor, &err);
    pt_cli_monitor_done();
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    else if (cli->json)
        code = pt_cli_print_json(pt_present_restored_json(&plan));
    else {
        char *said = pt_present_restored(&plan, pt_cli_keep_whole);
        pt_cli_printf("%s\n", said);
        free(said);
    }
    pt_restore_plan_free(&plan);
    return code;
}
