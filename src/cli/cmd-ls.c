// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/present.h"
#include "poshtiban/restore-path.h"

#include "cli.h"

int pt_cmd_ls(struct pt_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    const struct pt_cli_option options[] = {{0}};
    size_t n_pos;
    if (!pt_cli_parse("ls", argc, argv, options, pos, 2, &n_pos))
        return 2;
    if (n_pos < 1)
        return pt_cli_usage("ls", _("which backup? give its id or name"));
    struct pt_members members;
    struct pt_error err = {0};
    if (pt_backup_members(&cli->session, pos[0], pos[1], &members, &err) != PT_OK) {
        pt_members_free(&members);
        return pt_cli_error(&err);
    }
    int code = 0;
    if (cli->json) {
        code = pt_cli_print_json(pt_present_members_json(&members));
    } else {
        char **lines = NULL;
        size_t n = pt_present_members(&members, pt_cli_keep_whole, &lines);
        for (size_t i = 0; i < n; i++) {
            pt_cli_printf("%s\n", lines[i]);
            free(lines[i]);
        }
        free(lines);
    }
    pt_members_free(&members);
    return code;
}
