// SPDX-License-Identifier: GPL-3.0-or-later
/* recover: a project back from its off-site repository on a new machine, in one command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/l10n.h"
#include "poshtiban/offsite.h"
#include "poshtiban/present.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"

#include "cli.h"

json_t *pt_cli_carried_json(const struct pt_carried *carried)
{
    json_t *applied = json_object(), *refused = json_array();
    for (size_t i = 0; i < carried->n_applied; i++) {
        const struct pt_setting_def *def = pt_settings_find(carried->applied[i].key);
        json_object_set_new(applied, carried->applied[i].key,
                            def ? pt_settings_json_value(def, carried->applied[i].value)
                                : json_string(carried->applied[i].value));
    }
    for (size_t i = 0; i < carried->n_refused; i++) {
        char *key = pt_text_printable(carried->refused[i].key);
        json_array_append_new(
            refused, json_pack("{s:s, s:s}", "key", key, "reason", carried->refused[i].value));
        free(key);
    }
    return json_pack("{s:b, s:o, s:o, s:o}", "carried", carried->present, "applied", applied,
                     "refused", refused, "refused_whole",
                     carried->refused_whole ? json_string(carried->refused_whole) : json_null());
}

void pt_cli_print_carried(const struct pt_carried *carried, const char *backup)
{
    if (carried->refused_whole)
        pt_cli_fail(PT_EINVAL, _("the settings of %s were not taken: %s"), backup,
                    carried->refused_whole);
    for (size_t i = 0; i < carried->n_refused; i++) {
        char *key = pt_text_printable(carried->refused[i].key);
        char *why = pt_text_printable(carried->refused[i].value);
        pt_cli_fail(PT_EINVAL, _("setting %s from %s not taken: %s"), key, backup, why);
        free(why);
        free(key);
    }
    if (!carried->present) {
        pt_cli_printf("%s\n", _("This backup carries no settings (made by an older version): "
                                "the settings are the defaults."));
        return;
    }
    if (carried->n_applied == 0) {
        pt_cli_printf("%s\n", _("No settings taken: the backup's are the defaults."));
        return;
    }
    char *n = pt_l10n_int((int64_t)carried->n_applied);
    pt_cli_printf(P_("Took %s setting from the backup (no secrets, no hooks):\n",
                     "Took %s settings from the backup (no secrets, no hooks):\n",
                     pt_cli_plural((int64_t)carried->n_applied)),
                  n);
    free(n);
    for (size_t i = 0; i < carried->n_applied; i++)
        pt_cli_printf("  %s = %s\n", carried->applied[i].key, carried->applied[i].value);
}

bool pt_cli_parse_at(const char *command, const char *text, int64_t *ms)
{
    if (pt_time_parse_until(text, ms))
        return true;
    pt_cli_usage(command,
                 _("--at takes a time such as 2026-09-07T17:19:28Z, 2026-09-07 or "
                   "2026-09-07 17:19 (UTC, as list shows it), not \"%s\""),
                 text);
    return false;
}

int pt_cmd_recover(struct pt_cli *cli, int argc, char **argv)
{
    const char *repository = NULL, *project = NULL, *at = NULL;
    const struct pt_cli_option options[] = {{"--repository", &repository, NULL},
                                            {"--project", &project, NULL},
                                            {"--at", &at, NULL},
                                            {0}};
    size_t n_pos;
    if (!pt_cli_parse("recover", argc, argv, options, NULL, 0, &n_pos))
        return 2;
    if (!repository || !*repository)
        return pt_cli_usage("recover", _("which repository? give --repository R"));
    struct pt_offsite_options o = {.repository = repository, .project = project};
    if (at && !(o.at_given = pt_cli_parse_at("recover", at, &o.at_ms)))
        return 2;
    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    struct pt_offsite_recovered got;
    struct pt_error err = {0};
    enum pt_status rc = pt_offsite_recover(&cli->session, &o, &monitor, &got, &err);
    pt_cli_monitor_done();
    int code = 0;
    char *name = got.pulled ? pt_cli_name(got.record.name) : NULL;
    if (cli->json && got.pulled) {
        json_t *doc =
            json_pack("{s:o, s:o, s:o, s:o}", "backup", pt_present_record_json(&got.record),
                      "settings", pt_cli_carried_json(&got.settings), "restored",
                      rc == PT_OK ? json_string(got.plan.backup) : json_null(), "pre_restore",
                      got.plan.pre_restore ? json_string(got.plan.pre_restore) : json_null());
        code = pt_cli_print_json(doc);
    } else if (got.pulled) {
        char size[32];
        pt_l10n_size(got.record.size_bytes, size, sizeof(size));
        pt_cli_printf(_("Fetched %s from off-site and verified it: %s\n"), name, size);
        pt_cli_print_carried(&got.settings, name);
        if (rc == PT_OK) {
            char *said = pt_present_restored(&got.plan, pt_cli_keep_whole);
            pt_cli_printf("%s\n", said);
            free(said);
        }
    }
    if (rc != PT_OK) {
        code = pt_cli_error(&err);
        if (got.pulled)
            pt_cli_fail(rc,
                        _("the backup %s is here and its settings are taken: restore it with "
                          "`poshtiban restore %s`"),
                        name, name);
    }
    free(name);
    pt_offsite_recovered_free(&got);
    return code;
}
