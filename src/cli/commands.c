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
    {"verify", pt_cmd_verify, "ID | --all [--deep]",
     N_("check every file of a backup, its snapshot and row counts (--deep: integrity_check and "
        "the JSON too)")},
    {"restore", pt_cmd_restore,
     "ID [--database-only] [--media-only] [--target-database P] [--target-media D] [--dry-run] "
     "[--yes]",
     N_("restore a backup, after saving the current state as pre_restore_…")},
    {"export", pt_cmd_export, "ID [-o FILE.zip | -o DIR] [--force]",
     N_("one ZIP of a backup, to download")},
    {"delete", pt_cmd_delete, "ID [--yes]", N_("remove a backup and its record")},
    {"pin", pt_cmd_pin, "ID", N_("protect a backup from retention")},
    {"unpin", pt_cmd_unpin, "ID", N_("stop protecting a backup from retention")},
    {"prune", pt_cmd_prune, "[--dry-run] [--yes]", N_("apply retention now")},
    {"reindex", pt_cmd_reindex, "", N_("rebuild the catalog from the backups on disk")},
    {"settings", pt_cmd_settings, "list | get KEY | set KEY VALUE", N_("read and change settings")},
    {"capture", pt_cmd_capture, "",
     N_("save the database's changes since the last backup or change set now")},
    {"auto", pt_cmd_auto, "", N_("take an automatic backup if one is due; say why not otherwise")},
    {"cron", pt_cmd_cron, "install [--every MIN] | remove | status",
     N_("the crontab line that runs auto; whether cron runs")},
    {"notify", pt_cmd_notify, "test", N_("send a test mail with the notify.* settings")},
    {"offsite", pt_cmd_offsite,
     "init | list [--repository R] [--project P] | prune [--dry-run] | check "
     "[--read-data-subset N%]",
     N_("the restic repository of the off-site copies")},
    {"push", pt_cmd_push, "[ID | --missing]", N_("send a backup off-site (default: latest)")},
    {"pull", pt_cmd_pull, "NAME | latest | --at TIME [--repository R] [--project P]",
     N_("bring a backup back from off-site")},
    {"recover", pt_cmd_recover, "--repository R [--at TIME] [--project P]",
     N_("on a new machine: pull, settings and restore in one step, into an empty project folder")},
    {"doctor", pt_cmd_doctor, "", N_("where the backups live, what they survive, what needs care")},
};

const struct pt_command *pt_cli_commands(size_t *n)
{
    *n = sizeof(commands) / sizeof(commands[0]);
    return commands;
}
