// SPDX-License-Identifier: GPL-3.0-or-later
/* cron status --json, and doctor's "cron": one home for the document (docs/cli.md, "JSON"). */
#include "poshtiban/cron.h"

#include <jansson.h>

#include "poshtiban/present.h"

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *pt_present_cron_status_json(const struct pt_cron_status *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "installed", json_boolean(s->line != NULL));
    json_object_set_new(o, "line", string_or_null(s->line));
    json_object_set_new(o, "program", string_or_null(s->program));
    json_object_set_new(o, "program_ok", json_boolean(s->program_ok));
    json_object_set_new(o, "crontab_error", string_or_null(s->crontab_error));
    json_object_set_new(o, "daemon_running", json_boolean(s->daemon_running));
    json_object_set_new(o, "daemon_installed", json_boolean(s->daemon_installed));
    json_object_set_new(o, "start_command", string_or_null(s->start_command));
    json_object_set_new(o, "start_hint", string_or_null(s->start_hint));
    json_object_set_new(o, "log", string_or_null(s->log_path));
    json_object_set_new(o, "auto_enabled", json_boolean(s->auto_enabled));
    json_object_set_new(o, "last_auto",
                        s->has_last_auto ? pt_present_record_json(&s->last_auto) : json_null());
    return o;
}
