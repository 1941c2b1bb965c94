// SPDX-License-Identifier: GPL-3.0-or-later
#include <string.h>

#include "cli.h"

/*
 * Every command with its options: the parser (pt_cli_parse), the help
 * (help.c), the completion (complete.c) and the man page's check
 * (tests/integration/shell-help.sh) all read these rows. A new option is a
 * row in its command's list; a new command is a row in commands[].
 */

#define KINDS "manual auto scheduled"
#define STATES "pending running completed failed interrupted cancelled"

static const struct pt_cli_opt globals[] = {
    {"-C", .value = "DIR", .help = N_("project folder (default: the current folder)"),
     .complete = PT_WORDS_DIR},
    {"--database", .value = "PATH",
     .help = N_("source database (default: $POSHTIBAN_DATABASE, db.sqlite3)"),
     .complete = PT_WORDS_FILE},
    {"--media", .value = "DIR", .help = N_("media folder (default: media/ when it exists)"),
     .complete = PT_WORDS_DIR},
    {"--backups", .value = "DIR", .help = N_("backup folder (default: backups/)"),
     .complete = PT_WORDS_DIR},
    {"--lang", .value = "fa|en", .help = N_("language of messages and reports"),
     .complete = PT_WORDS_LIST, .words = "fa en"},
    {"--bidi", .value = "MODE",
     .help =
         N_("who reorders right-to-left text: auto, app, terminal or off (default: ui.bidi on a "
            "terminal, off when piped)"),
     .complete = PT_WORDS_LIST, .words = "auto app terminal off"},
    {"--json", .help = N_("print one JSON document on stdout")},
    {"--no-color", .help = N_("no colours")},
    {"--version", .help = N_("print the version")},
    {"--help", .alias = "-h", .help = N_("print the help (of a command, after its name)")},
    {0},
};

static const struct pt_cli_opt create_opts[] = {
    {"--name", .value = "N", .help = N_("the backup's name (default: backup_DATE_TIME)")},
    {"--kind", .value = "K", .help = N_("manual (default), auto or scheduled"),
     .complete = PT_WORDS_LIST, .words = KINDS},
    {"--format", .value = "F", .help = N_("dir, zip or tar.zst (default: backup.format)"),
     .complete = PT_WORDS_LIST, .words = "dir zip tar.zst"},
    {"--no-media", .help = N_("leave the media folder out")},
    {0},
};

static const struct pt_cli_opt list_opts[] = {
    {"--status", .value = "S", .help = N_("only backups in this state (completed, failed…)"),
     .complete = PT_WORDS_LIST, .words = STATES},
    {"--kind", .value = "K", .help = N_("only backups of this kind: manual, auto or scheduled"),
     .complete = PT_WORDS_LIST, .words = KINDS},
    {"--limit", .value = "N", .help = N_("at most N backups")},
    {"--offset", .value = "N", .help = N_("skip the N newest first")},
    {0},
};

static const struct pt_cli_opt verify_opts[] = {
    {"--all", .help = N_("every backup, not one")},
    {"--deep", .help = N_("also integrity_check the database and read the JSON")},
    {0},
};

static const struct pt_cli_opt restore_opts[] = {
    {"--database-only", .help = N_("only the database")},
    {"--media-only", .help = N_("only the media folder")},
    {"--target-database", .value = "P", .help = N_("restore the database to P instead"),
     .complete = PT_WORDS_FILE},
    {"--target-media", .value = "D", .help = N_("restore the media to folder D instead"),
     .complete = PT_WORDS_DIR},
    {"--at", .value = "TIME",
     .help = N_("the state at TIME: the newest backup before it and its change sets")},
    {"--dry-run", .help = N_("say what would change, change nothing")},
    {"--yes", .alias = "-y", .help = N_("do not ask first")},
    {"--path", .value = "media/REL",
     .help = N_("bring back only this file or folder of the media, nothing else")},
    {"--to", .value = "DIR", .help = N_("with --path: into DIR instead of the media folder"),
     .complete = PT_WORDS_DIR},
    {"--force", .help = N_("with --path: replace a file that differs")},
    {0},
};

static const struct pt_cli_opt export_opts[] = {
    {"--output", .alias = "-o", .value = "FILE.zip|DIR",
     .help = N_("where the ZIP goes (default: backups/exports/)"), .complete = PT_WORDS_FILE},
    {"--force", .help = N_("replace a file; export a backup that failed verify")},
    {"--plain", .help = N_("a plain database.sqlite3 and plain JSON, which any machine opens")},
    {0},
};

static const struct pt_cli_opt changes_opts[] = {
    {"--since", .value = "TIME", .help = N_("only change sets taken at or after TIME")},
    {"--until", .value = "TIME", .help = N_("only change sets taken at or before TIME")},
    {"--table", .value = "T", .help = N_("only the changes of table T")},
    {"--rows", .help = N_("each changed row's key, and an update's changed columns")},
    {0},
};

static const struct pt_cli_opt watch_opts[] = {
    {"--interval", .value = "SECONDS",
     .help = N_("how often to look at the database, 1 to 60 (2)")},
    {0},
};

static const struct pt_cli_opt yes_opts[] = {
    {"--yes", .alias = "-y", .help = N_("do not ask first")},
    {0},
};

static const struct pt_cli_opt prune_opts[] = {
    {"--dry-run", .help = N_("list what would go, delete nothing")},
    {"--yes", .alias = "-y", .help = N_("do not ask first")},
    {0},
};

static const struct pt_cli_opt cron_opts[] = {
    {"--every", .value = "MIN", .help = N_("run auto every MIN minutes, 1 to 60"),
     .action = "install"},
    {0},
};

static const struct pt_cli_opt offsite_opts[] = {
    {"--repository", .value = "R", .help = N_("another restic repository than offsite.repository"),
     .action = "list"},
    {"--project", .value = "P", .help = N_("the copies of project P in a shared repository"),
     .action = "list"},
    {"--dry-run", .help = N_("list what restic would forget, forget nothing"), .action = "prune"},
    /* xgettext:no-c-format */
    {"--read-data-subset", .value = "N%", .help = N_("also read N% of the stored data"),
     .action = "check"},
    {0},
};

static const struct pt_cli_opt push_opts[] = {
    {"--missing", .help = N_("every completed backup not yet off-site")},
    {0},
};

static const struct pt_cli_opt pull_opts[] = {
    {"--repository", .value = "R", .help = N_("another restic repository than offsite.repository")},
    {"--project", .value = "P", .help = N_("the copies of project P in a shared repository")},
    {"--at", .value = "TIME", .help = N_("the newest copy taken at or before TIME (UTC)")},
    {0},
};

static const struct pt_cli_opt recover_opts[] = {
    {"--repository", .value = "R", .help = N_("the restic repository to recover from (needed)")},
    {"--project", .value = "P", .help = N_("project P, when several share the repository")},
    {"--at", .value = "TIME", .help = N_("the newest copy taken at or before TIME (UTC)")},
    {0},
};

static const struct pt_command commands[] = {
    {"create", PT_RUN_create, "", N_("take a backup"), .options = create_opts,
     .example = "poshtiban create --name before-upgrade"},
    {"list", PT_RUN_list, "", N_("the backups, newest first"), .options = list_opts,
     .example = "poshtiban list --status failed"},
    {"show", PT_RUN_show, "ID", N_("one backup: record, tables, files, messages"),
     .example = "poshtiban show latest", .args = PT_WORDS_BACKUP},
    {"stats", PT_RUN_stats, "", N_("backup figures and the database's tables"),
     .example = "poshtiban stats"},
    {"report", PT_RUN_report, "ID", N_("print a backup's summary"),
     .example = "poshtiban report 12", .args = PT_WORDS_BACKUP},
    {"verify", PT_RUN_verify, "ID | --all",
     N_("check every file of a backup, its snapshot and row counts"), .options = verify_opts,
     .example = "poshtiban verify --all --deep", .args = PT_WORDS_BACKUP},
    {"restore", PT_RUN_restore, "ID | --at TIME",
     N_("restore a backup, after saving the current state as pre_restore_…; or one file or "
        "folder of its media (--path)"),
     .options = restore_opts, .example = "poshtiban restore 12 --dry-run", .args = PT_WORDS_BACKUP},
    {"ls", PT_RUN_ls, "ID [PATH]", N_("what a backup holds: paths and sizes"),
     .example = "poshtiban ls latest media/uploads", .args = PT_WORDS_BACKUP},
    {"export", PT_RUN_export, "ID", N_("one ZIP of a backup, to download"), .options = export_opts,
     .example = "poshtiban export latest -o site.zip", .args = PT_WORDS_BACKUP},
    {"delete", PT_RUN_delete, "ID", N_("remove a backup and its record"), .options = yes_opts,
     .example = "poshtiban delete 12", .args = PT_WORDS_BACKUP},
    {"pin", PT_RUN_pin, "ID", N_("protect a backup from retention"), .example = "poshtiban pin 12",
     .args = PT_WORDS_BACKUP},
    {"unpin", PT_RUN_unpin, "ID", N_("stop protecting a backup from retention"),
     .example = "poshtiban unpin 12", .args = PT_WORDS_BACKUP},
    {"prune", PT_RUN_prune, "", N_("apply retention now"), .options = prune_opts,
     .example = "poshtiban prune --dry-run"},
    {"reindex", PT_RUN_reindex, "", N_("rebuild the catalog from the backups on disk"),
     .example = "poshtiban reindex"},
    {"settings", PT_RUN_settings, "list | get KEY | set KEY VALUE", N_("read and change settings"),
     .example = "poshtiban settings set offsite.enabled true", .args = PT_WORDS_SETTING},
    {"capture", PT_RUN_capture, "", N_("save the database's changes now, as a change set"),
     .example = "poshtiban capture"},
    {"watch", PT_RUN_watch, "", N_("keep running: a change set within a minute of each commit"),
     .options = watch_opts, .example = "poshtiban watch"},
    {"changes", PT_RUN_changes, "",
     N_("the change sets, newest first: rows inserted, updated and deleted per table"),
     .options = changes_opts, .example = "poshtiban changes --since 2026-12-06 --rows"},
    {"auto", PT_RUN_auto, "", N_("take an automatic backup if one is due; say why not otherwise"),
     .example = "poshtiban auto"},
    {"cron", PT_RUN_cron, "install | remove | status",
     N_("the crontab line that runs auto; whether cron runs"), .options = cron_opts,
     .example = "poshtiban cron install --every 15", .args = PT_WORDS_LIST,
     .words = "install remove status"},
    {"notify", PT_RUN_notify, "test",
     N_("send a test mail and, when Apprise is set up, a test alert"),
     .example = "poshtiban notify test", .args = PT_WORDS_LIST, .words = "test"},
    {"offsite", PT_RUN_offsite, "init | list | prune | check",
     N_("the restic repository of the off-site copies"), .options = offsite_opts,
     .example = "poshtiban offsite list", .args = PT_WORDS_LIST, .words = "init list prune check"},
    {"push", PT_RUN_push, "[ID]", N_("send a backup off-site (default: latest)"),
     .options = push_opts, .example = "poshtiban push --missing", .args = PT_WORDS_BACKUP},
    {"pull", PT_RUN_pull, "NAME | latest | --at TIME", N_("bring a backup back from off-site"),
     .options = pull_opts, .example = "poshtiban pull latest", .args = PT_WORDS_LIST,
     .words = "latest"},
    {"recover", PT_RUN_recover, "--repository R",
     N_("on a new machine: pull, settings and restore in one step"), .options = recover_opts,
     .example = "poshtiban recover --repository sftp:host:/srv/restic"},
    {"doctor", PT_RUN_doctor, "", N_("where the backups live, what they survive, what needs care"),
     .example = "poshtiban doctor"},
    {"help", PT_RUN_help, "[COMMAND]", N_("how to use a command: its options and an example"),
     .example = "poshtiban help restore", .args = PT_WORDS_COMMAND, .flags = PT_CMD_NO_PROJECT},
};

const struct pt_command *pt_cli_commands(size_t *n)
{
    *n = sizeof(commands) / sizeof(commands[0]);
    return commands;
}

const struct pt_command *pt_cli_command_find(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

const struct pt_cli_opt *pt_cli_globals(void)
{
    return globals;
}
