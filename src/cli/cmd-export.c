// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/export.h"

#include "cli.h"

int pt_cmd_export(struct pt_cli *cli, int argc, char **argv)
{
    const char *id = NULL, *output = NULL;
    bool force = false, plain = false;
    const struct pt_cli_option options[] = {
        {"--output", &output, NULL}, {"--force", NULL, &force}, {"--plain", NULL, &plain}, {0}};
    size_t n_pos;
    if (!pt_cli_parse("export", argc, argv, options, &id, 1, &n_pos))
        return 2;
    if (n_pos != 1)
        return pt_cli_usage("export", _("which backup? give its id or name"));
    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    char *path = NULL;
    struct pt_error err = {0};
    enum pt_status rc =
        pt_export_backup(&cli->session, id, output, force, plain, &monitor, &path, &err);
    pt_cli_monitor_done();
    if (rc != PT_OK)
        return pt_cli_error(&err);
    int code = 0;
    if (cli->json)
        code = pt_cli_print_json(pt_present_exported_json(path));
    else {
        char *said = pt_present_exported(path, pt_cli_keep_whole);
        pt_cli_printf("%s\n", said);
        free(said);
    }
    free(path);
    return code;
}
