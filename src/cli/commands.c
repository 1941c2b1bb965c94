// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"

static const struct pt_command commands[] = {
    {"create", pt_cmd_create, "[--name N] [--kind K] [--no-media] [--format F]",
     N_("take a backup")},
    {"list", pt_cmd_list, "[--status S] [--kind K] [--limit N] [--offset N]",
     N_("the backups, newest first")},
    {"show", pt_cmd_show, "ID", N_("one backup: record, tables, files, messages")},
    {"stats", pt_cmd_stats, "", N_("backup figures and the database's tables")},
    {"report", pt_cmd_report, "ID", N_("print a backup's summary")},
    {"settings", pt_cmd_settings, "list | get KEY | set KEY VALUE", N_("read and change settings")},
};

const struct pt_command *pt_cli_commands(size_t *n)
{
    *n = sizeof(commands) / sizeof(commands[0]);
    return commands;
}
