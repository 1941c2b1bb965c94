// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/catalog.h"
#include "poshtiban/remove.h"

#include "cli.h"

int pt_cmd_delete(struct pt_cli *cli, int argc, char **argv)
{
    const char *id = NULL;
    bool yes = false;
    const struct pt_cli_option options[] = {{"--yes", NULL, &yes}, {0}};
    size_t n_pos;
    if (!pt_cli_parse("delete", argc, argv, options, &id, 1, &n_pos))
        return 2;
    if (n_pos != 1)
        return pt_cli_usage("delete", _("which backup? give its id or name"));
    struct pt_error err = {0};
    struct pt_catalog *catalog;
    struct pt_record record;
    if (pt_session_catalog(&cli->session, PT_CATALOG_READ, &catalog, &err) != PT_OK)
        return pt_cli_error(&err);
    enum pt_status rc = pt_catalog_get(catalog, id, &record, &err);
    if (rc != PT_OK)
        return pt_cli_error(&err);
    char *name = pt_cli_name(record.name);
    char *question = pt_present_question(PT_OP_DELETE, name, record.pinned, 0, 0);
    int code = pt_cli_confirm(PT_OP_DELETE, question, yes);
    free(question);
    free(name);
    if (code == 0 && pt_backup_delete(&cli->session, record.name, &err) != PT_OK)
        code = pt_cli_error(&err);
    if (code == 0) {
        if (cli->json)
            code = pt_cli_print_json(pt_present_deleted_json(record.name));
        else {
            char *said = pt_present_deleted(record.name, pt_cli_keep_whole);
            pt_cli_printf("%s\n", said);
            free(said);
        }
    }
    pt_record_free(&record);
    return code;
}
