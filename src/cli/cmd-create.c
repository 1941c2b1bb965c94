// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/backup.h"

#include "cli.h"

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
    struct pt_create_options opts = {
        .name = name, .kind = PT_KIND_MANUAL, .include_media = no_media ? 0 : -1, .format = format};
    if (kind && !pt_kind_parse(kind, &opts.kind))
        return pt_cli_usage("create", _("--kind takes manual, auto or scheduled, not \"%s\""),
                            kind);

    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    struct pt_record record = {0};
    struct pt_error err = {0};
    enum pt_status rc = pt_backup_create(&cli->session, &opts, &monitor, &record, &err);
    pt_cli_monitor_done();
    int code = 0;
    if (rc != PT_OK) {
        char *said = pt_present_created(rc, &record, err.message, pt_cli_keep_whole);
        code = pt_cli_fail(err.status, "%s", said); /* as pt_cli_error() */
        free(said);
        pt_error_clear(&err);
    }
    if (rc == PT_OK || record.id > 0) {
        if (cli->json) {
            int printed = pt_cli_print_json(pt_present_record_json(&record));
            code = code ? code : printed;
        } else if (rc == PT_OK) {
            /* The sentence the TUI shows, then the folder, on a line of its own to copy. */
            char *said = pt_present_created(rc, &record, NULL, pt_cli_keep_whole);
            pt_cli_printf("%s\n%s\n", said, record.path);
            free(said);
        }
    }
    pt_record_free(&record);
    return code;
}
