// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>

#include "poshtiban/pin.h"

#include "cli.h"

static int pin(struct pt_cli *cli, const char *command, int argc, char **argv, bool pinned)
{
    const char *id = NULL;
    size_t n_pos;
    if (!pt_cli_parse(command, argc, argv, NULL, &id, 1, &n_pos))
        return 2;
    if (n_pos != 1)
        return pt_cli_usage(command, _("which backup? give its id or name"));
    struct pt_error err = {0};
    struct pt_record record;
    if (pt_backup_pin(&cli->session, id, pinned, &record, &err) != PT_OK)
        return pt_cli_error(&err);
    int code = 0;
    if (cli->json)
        code = pt_cli_print_json(pt_present_record_json(&record));
    else {
        char *said = pt_present_pinned(record.name, pinned, pt_cli_keep_whole);
        pt_cli_printf("%s\n", said);
        free(said);
    }
    pt_record_free(&record);
    return code;
}

int pt_cmd_pin(struct pt_cli *cli, int argc, char **argv)
{
    return pin(cli, "pin", argc, argv, true);
}

int pt_cmd_unpin(struct pt_cli *cli, int argc, char **argv)
{
    return pin(cli, "unpin", argc, argv, false);
}
