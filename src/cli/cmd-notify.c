// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/catalog.h"
#include "poshtiban/notify.h"
#include "poshtiban/settings.h"

#include "cli.h"

int pt_cmd_notify(struct pt_cli *cli, int argc, char **argv)
{
    const char *words[1] = {0};
    size_t n_pos;
    if (!pt_cli_parse("notify", argc, argv, NULL, words, 1, &n_pos))
        return 2;
    if (n_pos != 1 || strcmp(words[0], "test") != 0)
        return pt_cli_usage("notify", _("usage: notify test"));
    struct pt_error err = {0};
    struct pt_catalog *catalog;
    if (pt_session_catalog(&cli->session, PT_CATALOG_READ, &catalog, &err) != PT_OK)
        return pt_cli_error(&err);
    struct pt_notify_test_sent sent;
    enum pt_status rc = pt_notify_test(&cli->project, catalog, &sent, &err);
    int code = 0;
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    else if (cli->json)
        code = pt_cli_print_json(pt_present_notify_test_json(&sent));
    else {
        char *said = pt_present_notify_test(&sent, pt_cli_keep_whole);
        pt_cli_printf("%s\n", said);
        free(said);
    }
    pt_notify_test_sent_free(&sent);
    return code;
}
