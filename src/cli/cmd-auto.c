// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/auto.h"
#include "poshtiban/l10n.h"
#include "poshtiban/timefmt.h"

#include "cli.h"

/* Each verify auto ran: its sentence, then a line per problem and per file healed. */
static void print_verified(const struct pt_auto_result *res, const char *now)
{
    for (size_t i = 0; i < res->n_verified; i++) {
        const struct pt_auto_verified *v = &res->verified[i];
        char *said = pt_present_verified(v->name, v->deep, &v->result, pt_cli_keep_whole);
        pt_cli_printf("%s %s\n", now, said);
        free(said);
        for (size_t j = 0; j < v->result.n; j++)
            pt_cli_printf("%s %s: %s\n", now, v->name, v->result.problems[j]);
        for (size_t j = 0; j < v->result.n_healed; j++)
            pt_cli_printf("%s %s: %s\n", now, v->name, v->result.healed[j]);
    }
}

int pt_cmd_auto(struct pt_cli *cli, int argc, char **argv)
{
    size_t n_pos;
    if (!pt_cli_parse("auto", argc, argv, NULL, NULL, 0, &n_pos))
        return 2;
    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    struct pt_auto_result res;
    struct pt_error err = {0};
    enum pt_status rc = pt_auto_run(&cli->session, &monitor, &res, &err);
    pt_cli_monitor_done();
    /* Busy: another process works on this backup root; nothing was decided. */
    if (rc == PT_EBUSY) {
        pt_auto_result_free(&res);
        return pt_cli_error(&err);
    }
    int code = 0;
    if (cli->json && res.reason) {
        code = pt_cli_print_json(pt_present_auto_json(&res));
    } else if (res.reason) {
        /* Cron appends this to auto.log: every line says when. */
        char now[32];
        pt_time_iso(cli->project.now_ms, now);
        pt_cli_printf("%s %s\n", now, res.reason);
        if (rc == PT_OK && res.record.id > 0) {
            char *said = pt_present_created(rc, &res.record, NULL, pt_cli_keep_whole);
            pt_cli_printf("%s %s\n%s\n", now, said, res.record.path);
            free(said);
            if (res.record.message)
                pt_cli_printf("%s %s\n", now, res.record.message);
        } else if (rc != PT_OK && res.record.message) {
            pt_cli_printf("%s %s\n", now, res.record.message);
        }
        if (rc == PT_OK && res.captured && res.capture.unchanged)
            pt_cli_printf(_("%s Change set: nothing changed since the last one.\n"), now);
        else if (rc == PT_OK && res.captured)
            pt_cli_printf(_("%s Change set %s saved (%s).\n"), now, res.capture.name,
                          res.capture.snapshot ? _("the whole database") : _("rows"));
        print_verified(&res, now);
    }
    fflush(stdout);
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    else if (res.damaged)
        code = 1;
    pt_auto_result_free(&res);
    return code;
}
