// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>

#include "poshtiban/l10n.h"
#include "poshtiban/reindex.h"

#include "cli.h"

int pt_cmd_reindex(struct pt_cli *cli, int argc, char **argv)
{
    size_t n_pos;
    if (!pt_cli_parse("reindex", argc, argv, NULL, NULL, 0, &n_pos))
        return 2;
    size_t count = 0;
    struct pt_error err = {0};
    if (pt_reindex(&cli->session, &count, &err) != PT_OK)
        return pt_cli_error(&err);
    if (cli->json)
        return pt_cli_print_json(pt_present_reindexed_json((int64_t)count));
    char *found = pt_l10n_int((int64_t)count);
    pt_cli_printf(P_("%s backup found and recorded\n", "%s backups found and recorded\n",
                     pt_cli_plural((int64_t)count)),
                  found);
    free(found);
    return 0;
}
