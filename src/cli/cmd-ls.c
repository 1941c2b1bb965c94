// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/present.h"
#include "poshtiban/restore-path.h"

#include "cli.h"

/* The members are printed as the backup is read, never held all at once. */
struct listing {
    bool json, started;
    struct pt_cli_json_list out;
};

static enum pt_status each(const char *backup, const struct pt_member *m, void *user,
                           struct pt_error *err)
{
    (void)err;
    struct listing *l = user;
    if (!l->json) {
        char *line = pt_present_member_line(m, pt_cli_keep_whole);
        pt_cli_printf("%s\n", line);
        free(line);
        return PT_OK;
    }
    if (!l->started)
        pt_cli_json_list_begin(&l->out, pt_present_members_head_json(backup), "members");
    l->started = true;
    pt_cli_json_list_item(&l->out, pt_present_member_json(m));
    return PT_OK;
}

int pt_cmd_ls(struct pt_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    const struct pt_cli_option options[] = {{0}};
    size_t n_pos;
    if (!pt_cli_parse("ls", argc, argv, options, pos, 2, &n_pos))
        return 2;
    if (n_pos < 1)
        return pt_cli_usage("ls", _("which backup? give its id or name"));
    struct listing l = {.json = cli->json};
    struct pt_error err = {0};
    enum pt_status rc = pt_backup_each_member(&cli->session, pos[0], pos[1], each, &l, &err);
    int code = 0;
    if (cli->json && (l.started || rc == PT_OK)) {
        if (!l.started)
            pt_cli_json_list_begin(&l.out, pt_present_members_head_json(NULL), "members");
        code = pt_cli_json_list_end(&l.out);
    }
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    return code;
}
