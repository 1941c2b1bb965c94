// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "poshtiban/retention.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/timefmt.h"

/* Thinning's merges, one line each (present/results.c). */
static void print_merges(const struct pt_retention_plan *plan, bool done)
{
    for (size_t i = 0; i < plan->n_merges; i++) {
        char *line = pt_present_thinned(&plan->merges[i], done);
        pt_cli_printf("%s\n", line);
        free(line);
    }
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
        for (size_t i = 0; i < plan.n; i++) {
            char *name = pt_cli_name(plan.items[i].record.name);
            pt_cli_printf(_("would delete %s: %s\n"), name, plan.items[i].reason);
            free(name);
        }
        print_merges(&plan, false);
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
        json_t *deleted = json_array();
        for (size_t i = 0; i < plan.n; i++)
            json_array_append_new(deleted,
                                  json_pack("{s:s, s:s}", "name", plan.items[i].record.name,
                                            "reason", plan.items[i].reason));
        json_t *merged = json_array();
        for (size_t i = 0; i < plan.n_merges; i++) {
            const struct pt_thin_merge *m = &plan.merges[i];
            json_t *names = json_array();
            for (size_t j = 0; j < m->n_names; j++)
                json_array_append_new(names, json_string(m->names[j]));
            char first[32], taken[32];
            pt_time_iso(m->first_ms, first);
            pt_time_iso(m->taken_ms, taken);
            json_array_append_new(merged, json_pack("{s:s, s:s, s:o, s:s, s:s}", "base", m->base,
                                                    "into", m->into, "merged", names, "first_at",
                                                    first, "taken_at", taken));
        }
        code = pt_cli_print_json(json_pack("{s:o, s:I, s:o, s:b}", "deleted", deleted, "kept",
                                           (json_int_t)plan.kept, "thinned", merged, "dry_run",
                                           dry_run));
    } else if (rc == PT_OK) {
        for (size_t i = 0; i < plan.n; i++) {
            char *name = pt_cli_name(plan.items[i].record.name);
            pt_cli_printf(dry_run ? _("would delete %s: %s\n") : _("deleted %s: %s\n"), name,
                          plan.items[i].reason);
            free(name);
        }
        print_merges(&plan, !dry_run);
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
