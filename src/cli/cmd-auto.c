// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>

#include "cli.h"
#include "poshtiban/auto.h"
#include "poshtiban/l10n.h"
#include "poshtiban/timefmt.h"

static json_t *auto_json(const struct pt_auto_result *res)
{
    char iso[32];
    json_t *next = json_null();
    if (res->schedule.next_ms >= 0) {
        pt_time_iso(res->schedule.next_ms, iso);
        next = json_string(iso);
    }
    return json_pack("{s:b, s:s, s:o, s:o}", "due", res->schedule.due, "reason",
                     res->reason ? res->reason : "", "next_due_at", next, "backup",
                     res->record.id > 0 ? pt_record_to_json(&res->record) : json_null());
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
    enum pt_status rc = pt_auto_run(&cli->project, &monitor, &res, &err);
    pt_cli_monitor_done();
    /* Busy: another process works on this backup root; nothing was decided. */
    if (rc == PT_EBUSY) {
        pt_auto_result_free(&res);
        return pt_cli_error(&err);
    }
    int code = 0;
    if (cli->json && res.reason) {
        code = pt_cli_print_json(auto_json(&res));
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
    }
    fflush(stdout);
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    pt_auto_result_free(&res);
    return code;
}
