// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/doctor.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"
#include "poshtiban/stats.h"

#include "cli.h"

static void print_storage(const struct pt_project *p, const struct pt_doctor *d)
{
    const struct pt_storage *s = &d->storage;
    char *path = pt_cli_path(p->backups);
    pt_cli_printf(_("Backup folder: %s\n"), path);
    free(path);
    if (!s->exists) {
        path = pt_cli_path(s->path);
        pt_cli_printf(_("  (not made yet; its nearest folder is %s)\n"), path);
        free(path);
    }
    if (s->mount_known) {
        char *source = pt_cli_path(s->mount.source);
        path = pt_cli_path(s->mount.mount_point);
        pt_cli_printf(_("Filesystem: %s from %s, mounted on %s\n"), s->mount.fstype, source, path);
        free(path);
        free(source);
    }
    if (s->free_bytes >= 0) {
        char free_text[32], total[32];
        pt_l10n_size(s->free_bytes, free_text, sizeof(free_text));
        pt_l10n_size(s->total_bytes, total, sizeof(total));
        pt_cli_printf(_("Free space: %s of %s\n"), free_text, total);
    }
    if (d->backups_fit >= 0) {
        char size[32];
        pt_l10n_size(d->last_backup_bytes, size, sizeof(size));
        char *fit = pt_l10n_int(d->backups_fit);
        pt_cli_printf(P_("Room for %s more backup like the last one (%s)\n",
                         "Room for %s more backups like the last one (%s)\n",
                         pt_cli_plural(d->backups_fit)),
                      fit, size);
        free(fit);
    }
    pt_cli_printf(_("Survives: %s\n"), pt_storage_verdict(s));
}

/* The commands poshtiban runs, each whole: this is where a person sees what is in force. */
static void print_hooks(const struct pt_doctor *d)
{
    static const enum pt_setting_id keys[PT_DOCTOR_HOOKS] = {
        PT_KEY_HOOKS_BEFORE_BACKUP, PT_KEY_HOOKS_AFTER_BACKUP, PT_KEY_HOOKS_BEFORE_RESTORE,
        PT_KEY_HOOKS_AFTER_RESTORE};
    bool any = false;
    for (int i = 0; i < PT_DOCTOR_HOOKS; i++)
        any = any || (d->hooks[i] && *d->hooks[i]);
    if (!any) {
        pt_cli_printf("%s\n", _("Hooks: none"));
        return;
    }
    char *secs = pt_l10n_int(d->hooks_timeout_s);
    pt_cli_printf(P_("Hooks (each stopped after %s second):\n",
                     "Hooks (each stopped after %s seconds):\n", pt_cli_plural(d->hooks_timeout_s)),
                  secs);
    free(secs);
    for (int i = 0; i < PT_DOCTOR_HOOKS; i++)
        if (d->hooks[i] && *d->hooks[i]) {
            char *command = pt_cli_command(d->hooks[i]);
            pt_cli_printf("  %s: %s\n", pt_settings_def(keys[i])->key, command);
            free(command);
        }
}

static void print_rest(const struct pt_doctor *d)
{
    if (d->has_newest) {
        char size[32];
        pt_l10n_size(d->newest.size_bytes, size, sizeof(size));
        char *path = pt_cli_path(d->newest.path);
        pt_cli_printf(_("Newest backup: %s (%s)\n"), path, size);
        free(path);
        if (d->download_command) {
            char *command = pt_cli_command(d->download_command);
            pt_cli_printf("%s\n  %s\n", _("To download it to your own computer, run there:"),
                          command);
            free(command);
            if (d->download_note)
                pt_cli_printf("  %s\n", d->download_note);
        }
    }
    if (d->n_codespace_advice > 0) {
        pt_cli_printf("%s\n", _("In a codespace:"));
        for (size_t i = 0; i < d->n_codespace_advice; i++)
            pt_cli_printf("  - %s\n", d->codespace_advice[i]);
    }
    if (d->has_last_success) {
        char age[64];
        char *when = pt_l10n_iso_date(d->last_success_at, PT_DATE_TIME);
        pt_l10n_age(d->last_success_age_s, age, sizeof(age));
        char *name = pt_cli_name(d->last_success_name);
        pt_cli_printf(_("Last successful backup: %s, %s UTC (%s)\n"), name, when, age);
        free(name);
        free(when);
    } else {
        pt_cli_printf("%s\n", _("Last successful backup: none"));
    }
    if (d->auto_enabled) {
        char *hours = pt_l10n_int(d->interval_hours);
        pt_cli_printf(P_("Automatic backups: on, every %s hour; %s\n",
                         "Automatic backups: on, every %s hours; %s\n",
                         pt_cli_plural(d->interval_hours)),
                      hours, d->schedule_reason);
        free(hours);
    } else
        pt_cli_printf("%s\n", _("Automatic backups: off (auto.enabled is false)"));
    if (d->offsite_repository && *d->offsite_repository) {
        char *repository = pt_cli_path(d->offsite_repository);
        char *copied = pt_l10n_int(d->offsite_copied), *total = pt_l10n_int(d->offsite_total);
        char *as_of = pt_stats_offsite_as_of(d->offsite_checked_at_ms, d->offsite_checked_age_s);
        pt_cli_printf(_("Off-site copies: %s, to %s; restic %s; newest backup %s; %s of %s "
                        "backups there, %s\n"),
                      d->offsite_enabled ? _("on") : _("off"), repository,
                      d->restic_found ? _("found") : _("NOT installed"),
                      d->newest_offsite ? _("sent") : _("NOT sent"), copied, total, as_of);
        free(as_of);
        free(total);
        free(copied);
        free(repository);
    } else
        pt_cli_printf("%s\n", _("Off-site copies: none (no offsite.repository)"));
    print_hooks(d);
    const struct pt_cron_status *c = &d->cron;
    if (c->line)
        pt_cli_printf("%s\n", _("Crontab: this project's line is installed"));
    else if (c->crontab_ok)
        pt_cli_printf("%s\n", _("Crontab: no line for this project (`poshtiban cron install`)"));
    else
        pt_cli_printf(_("Crontab: %s\n"), c->crontab_error);
    if (c->daemon_running)
        pt_cli_printf("%s\n", _("cron daemon: running"));
    else
        pt_cli_printf(_("cron daemon: not running (start it with `%s`)\n"), c->start_command);
    if (d->n_warnings == 0) {
        pt_cli_printf("%s\n", _("No warnings."));
        return;
    }
    pt_cli_printf("%s\n", _("Warnings:"));
    for (size_t i = 0; i < d->n_warnings; i++)
        pt_cli_printf("  ! %s\n", d->warnings[i]);
}

int pt_cmd_doctor(struct pt_cli *cli, int argc, char **argv)
{
    size_t n_pos;
    if (!pt_cli_parse("doctor", argc, argv, NULL, NULL, 0, &n_pos))
        return 2;
    struct pt_doctor d;
    struct pt_error err = {0};
    if (pt_doctor_run(&cli->session, &d, &err) != PT_OK) {
        pt_doctor_free(&d);
        return pt_cli_error(&err);
    }
    int code = 0;
    if (cli->json) {
        code = pt_cli_print_json(pt_present_doctor_json(&cli->project, &d));
    } else {
        print_storage(&cli->project, &d);
        print_rest(&d);
    }
    pt_doctor_free(&d);
    return code;
}
