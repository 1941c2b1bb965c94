// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "poshtiban/present.h"
#include "poshtiban/restore-path.h"

#include "cli.h"

static void print_plan(const struct pt_path_plan *plan)
{
    char **lines = NULL;
    size_t n = pt_present_path_plan(plan, pt_cli_keep_whole, &lines);
    for (size_t i = 0; i < n; i++) {
        pt_cli_printf("%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
}

int pt_cmd_restore_path(struct pt_cli *cli, const char *id,
                        const struct pt_restore_path_options *opts, bool yes)
{
    if (!opts->dry_run && !yes && !isatty(STDIN_FILENO))
        return pt_cli_confirm(PT_OP_RESTORE_PATH, NULL, false);
    struct pt_error err = {0};
    struct pt_path_plan plan;
    struct pt_restore_path_options look = *opts;
    look.dry_run = true;
    /* What would be written, refused with nothing written when a file is in the way. */
    enum pt_status rc = pt_restore_path(&cli->session, id, &look, NULL, &plan, &err);
    if (rc != PT_OK && plan.n > 0 && !cli->json)
        print_plan(&plan);
    if (rc != PT_OK) {
        pt_path_plan_free(&plan);
        return pt_cli_error(&err);
    }
    if (opts->dry_run) {
        int code = cli->json ? pt_cli_print_json(pt_present_path_plan_json(&plan))
                             : (print_plan(&plan), 0);
        pt_path_plan_free(&plan);
        return code;
    }
    if (!yes && !cli->json)
        print_plan(&plan);
    char *question =
        pt_present_path_question(opts->path, plan.backup, plan.target_root, pt_cli_keep_whole);
    int code = pt_cli_confirm(PT_OP_RESTORE_PATH, question, yes);
    free(question);
    pt_path_plan_free(&plan);
    if (code != 0)
        return code;
    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    rc = pt_restore_path(&cli->session, id, opts, &monitor, &plan, &err);
    pt_cli_monitor_done();
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    else if (cli->json)
        code = pt_cli_print_json(pt_present_path_plan_json(&plan));
    else {
        char *said = pt_present_path_restored(&plan, pt_cli_keep_whole);
        pt_cli_printf("%s\n", said);
        free(said);
    }
    pt_path_plan_free(&plan);
    return code;
}
