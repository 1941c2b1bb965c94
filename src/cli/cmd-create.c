// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "poshtiban/backup.h"
#include "poshtiban/l10n.h"
#include "poshtiban/timefmt.h"

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

    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    struct pt_record record = {0};
    struct pt_error err = {0};
    enum pt_status rc = pt_backup_create(&cli->project, &opts, &monitor, &record, &err);
    pt_cli_monitor_done();
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
            pt_cli_printf(_("Backup %s completed: %s in %s\n%s\n"), record.name, size, took,
                          record.path);
        }
    }
    pt_record_free(&record);
    return code;
}
