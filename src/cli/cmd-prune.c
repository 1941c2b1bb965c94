// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/retention.h"

#include "cli.h"

/* The plan's lines, as the TUI shows them before it asks (present/prune-plan.c). */
static void print_plan(const struct pt_retention_plan *plan, bool done)
{
    char **lines;
    size_t n = pt_present_prune_plan(plan, done, pt_cli_keep_whole, &lines);
    for (size_t i = 0; i < n; i++) {
        pt_cli_printf("%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
}

int pt_cmd_prune(struct pt_cli *cli, int argc, char **argv)
{
    bool dry_run = false, yes = false;
    const struct pt_cli_option options[] = {
        {"--dry-run", NULL, &dry_run}, {"--yes", NULL, &yes}, {0}};
    size_t n_pos;
    if (!pt_cli_parse("prune", argc, argv, options, NULL, 0, &n_pos))
        return 2;
    struct pt_retention_plan plan;
    struct pt_error err = {0};
    /* On a terminal, the same question as the TUI's, after the list of what goes. */
    if (!dry_run && !yes && !cli->json && isatty(STDIN_FILENO)) {
        if (pt_retention_prune(&cli->session, true, &plan, &err) != PT_OK) {
            pt_retention_plan_free(&plan);
            return pt_cli_error(&err);
        }
        size_t n = plan.n, kept = plan.kept;
        print_plan(&plan, false);
        pt_retention_plan_free(&plan);
        if (n > 0) {
            char *question = pt_present_question(PT_OP_PRUNE, NULL, false, n, kept);
            int code = pt_cli_confirm(PT_OP_PRUNE, question, false);
            free(question);
            if (code != 0)
                return code;
        }
    }
    enum pt_status rc = pt_retention_prune(&cli->session, dry_run, &plan, &err);
    int code = rc == PT_OK ? 0 : pt_cli_error(&err);
    if (rc == PT_OK && cli->json) {
        code = pt_cli_print_json(pt_present_prune_json(&plan, dry_run));
    } else if (rc == PT_OK) {
        print_plan(&plan, !dry_run);
        if (dry_run) {
            char *kept = pt_l10n_int((int64_t)plan.kept);
            pt_cli_printf(P_("%s completed backup kept\n", "%s completed backups kept\n",
                             pt_cli_plural((int64_t)plan.kept)),
                          kept);
            free(kept);
        } else {
            /* The sentence the TUI ends a prune with. */
            char *said = pt_present_pruned(plan.n, plan.kept);
            pt_cli_printf("%s\n", said);
            free(said);
        }
    }
    pt_retention_plan_free(&plan);
    return code;
}
