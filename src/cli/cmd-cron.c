// SPDX-License-Identifier: GPL-3.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/cron.h"
#include "poshtiban/l10n.h"
#include "poshtiban/secrets.h"

#include "cli.h"

static void print_status(const struct pt_cron_status *s)
{
    char *text;
    if (s->line) {
        text = pt_cli_command(s->line);
        pt_cli_printf(_("Crontab line:\n  %s\n"), text);
        free(text);
    }
    if (s->line && !s->program_ok) {
        text = pt_cli_path(s->program ? s->program : "?");
        pt_cli_printf(
            _("WARNING: the line runs %s, which is not there to run: install the line again "
              "with `poshtiban cron install`\n"),
            text);
        free(text);
    }
    if (!s->line && s->crontab_ok)
        pt_cli_printf("%s\n", _("Crontab line: none (install it with `poshtiban cron install`)"));
    else if (!s->crontab_ok)
        pt_cli_printf(_("Crontab: %s\n"), s->crontab_error);
    if (s->daemon_running)
        pt_cli_printf("%s\n", _("cron daemon: running"));
    else {
        text = pt_cli_command(s->start_command);
        pt_cli_printf(_("cron daemon: NOT running; start it with:\n  %s\n"), text);
        free(text);
    }
    /* In a codespace, every time: cron stops with the codespace. */
    if (s->start_hint)
        pt_cli_printf("  %s\n", s->start_hint);
    text = pt_cli_path(s->log_path);
    pt_cli_printf(_("Log: %s\n"), text);
    free(text);
    pt_cli_printf("%s\n", s->auto_enabled
                              ? _("Automatic backups: on (auto.enabled)")
                              : _("Automatic backups: off; `auto` takes no backup until `poshtiban "
                                  "settings set auto.enabled true`"));
    if (s->has_last_auto) {
        const struct pt_record *r = &s->last_auto;
        char *when =
            pt_l10n_iso_date(r->finished_at ? r->finished_at : r->started_at, PT_DATE_TIME);
        text = pt_cli_name(r->name);
        pt_cli_printf(_("Last automatic backup: %s, %s, %s UTC\n"), text, pt_state_label(r->status),
                      when);
        free(text);
        free(when);
        if (r->error)
            pt_cli_printf("  %s\n", r->error);
        char *message = pt_record_message(r);
        if (message)
            pt_cli_printf("  %s\n", message);
        free(message);
    } else {
        pt_cli_printf("%s\n", _("Last automatic backup: none yet"));
    }
}

static int status(struct pt_cli *cli, const char *replaced_line, bool replaced)
{
    struct pt_cron_status s;
    struct pt_error err = {0};
    if (pt_cron_status(&cli->session, &s, &err) != PT_OK) {
        pt_cron_status_free(&s);
        return pt_cli_error(&err);
    }
    int code = 0;
    if (cli->json) {
        json_t *doc = pt_present_cron_status_json(&s);
        if (replaced_line)
            json_object_set_new(doc, "replaced", json_boolean(replaced));
        code = pt_cli_print_json(doc);
    } else {
        print_status(&s);
    }
    pt_cron_status_free(&s);
    return code;
}

int pt_cmd_cron(struct pt_cli *cli, int argc, char **argv)
{
    const char *words[1] = {0}, *every = NULL;
    const struct pt_cli_option options[] = {{"--every", &every, NULL}, {0}};
    size_t n_pos;
    if (!pt_cli_parse("cron", argc, argv, options, words, 1, &n_pos))
        return 2;
    const char *action = n_pos ? words[0] : "status";
    if (strcmp(action, "install") != 0 && strcmp(action, "remove") != 0 &&
        strcmp(action, "status") != 0)
        return pt_cli_usage("cron", _("unknown action \"%s\": use install, remove or status"),
                            action);
    if (every && strcmp(action, "install") != 0)
        return pt_cli_usage("cron", _("--every goes with install"));
    struct pt_error err = {0};
    if (strcmp(action, "status") == 0)
        return status(cli, NULL, false);
    if (strcmp(action, "remove") == 0) {
        bool removed = false;
        if (pt_cron_remove(&cli->project, &removed, &err) != PT_OK)
            return pt_cli_error(&err);
        if (cli->json)
            return pt_cli_print_json(pt_present_cron_removed_json(removed));
        pt_cli_printf("%s\n", removed
                                  ? _("Removed this project's line from your crontab.")
                                  : _("Your crontab has no line for this project; nothing to do."));
        return 0;
    }
    long long minutes = 0;
    if (every && (!pt_cli_parse_count(every, &minutes) || minutes < 1 || minutes > 60))
        return pt_cli_usage("cron", _("--every takes minutes from 1 to 60, not \"%s\""), every);
    struct pt_cron_options opts = {.lang = cli->lang, .every_minutes = (int)minutes};
    char *line = NULL;
    bool replaced = false;
    enum pt_status rc = pt_cron_install(&cli->project, &opts, &line, &replaced, &err);
    if (rc != PT_OK)
        return pt_cli_error(&err);
    if (!cli->json)
        pt_cli_printf("%s\n\n", replaced ? _("Updated this project's line in your crontab.")
                                         : _("Added a line for this project to your crontab."));
    int code = status(cli, line, replaced);
    free(line);
    pt_cli_secrets_warn(&cli->session, PT_SECRETS_ENABLED);
    return code;
}
