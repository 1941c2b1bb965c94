// SPDX-License-Identifier: GPL-3.0-or-later
/* doctor --json: one home for the document (docs/cli.md, "JSON"). */
#include "poshtiban/doctor.h"

#include <jansson.h>

#include "poshtiban/present.h"
#include "poshtiban/storage.h"
#include "poshtiban/timefmt.h"

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *bytes_or_null(int64_t v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

static json_t *time_or_null(int64_t ms)
{
    if (ms < 0)
        return json_null();
    char iso[32];
    pt_time_iso(ms, iso);
    return json_string(iso);
}

json_t *pt_present_doctor_json(const struct pt_project *p, const struct pt_doctor *d)
{
    const struct pt_storage *s = &d->storage;
    const struct pt_mount *m = s->mount_known ? &s->mount : NULL;
    json_t *storage = json_object();
    json_object_set_new(storage, "path", string_or_null(s->path));
    json_object_set_new(storage, "exists", json_boolean(s->exists));
    json_object_set_new(storage, "fstype", string_or_null(m ? m->fstype : NULL));
    json_object_set_new(storage, "mount_point", string_or_null(m ? m->mount_point : NULL));
    json_object_set_new(storage, "mount_source", string_or_null(m ? m->source : NULL));
    json_object_set_new(storage, "mount_root", string_or_null(m ? m->root : NULL));
    json_object_set_new(storage, "free_bytes", bytes_or_null(s->free_bytes));
    json_object_set_new(storage, "total_bytes", bytes_or_null(s->total_bytes));
    json_object_set_new(storage, "kind", json_string(pt_storage_kind_name(s->kind)));
    json_object_set_new(storage, "verdict", json_string(pt_storage_verdict(s)));
    json_object_set_new(storage, "safe_place", string_or_null(s->safe_place));

    json_t *env = json_object();
    json_object_set_new(env, "codespace", json_boolean(d->codespace));
    json_object_set_new(env, "codespace_name", string_or_null(d->codespace_name));
    json_object_set_new(env, "container", json_boolean(s->container));
    json_object_set_new(env, "ssh", json_boolean(d->ssh));
    json_object_set_new(env, "ssh_server", string_or_null(d->ssh_server));
    json_t *advice = json_array();
    for (size_t i = 0; i < d->n_codespace_advice; i++)
        json_array_append_new(advice, json_string(d->codespace_advice[i]));
    json_object_set_new(env, "codespace_advice", advice);

    json_t *newest = json_null(), *download = json_null();
    if (d->has_newest) {
        newest =
            json_pack("{s:s, s:s, s:s, s:I}", "name", d->newest.name, "path", d->newest.path,
                      "format", d->newest.format, "size_bytes", (json_int_t)d->newest.size_bytes);
        if (d->download_command)
            download = json_pack("{s:s, s:o}", "command", d->download_command, "note",
                                 string_or_null(d->download_note));
    }
    json_t *autos = json_object();
    json_object_set_new(autos, "enabled", json_boolean(d->auto_enabled));
    json_object_set_new(autos, "interval_hours", json_integer(d->interval_hours));
    json_object_set_new(autos, "due", json_boolean(d->schedule.due));
    json_object_set_new(autos, "reason", string_or_null(d->schedule_reason));
    json_object_set_new(autos, "next_due_at", time_or_null(d->schedule.next_ms));

    json_t *last = json_null();
    if (d->has_last_success)
        last = json_pack("{s:s, s:s, s:I, s:b}", "name", d->last_success_name, "finished_at",
                         d->last_success_at, "age_s", (json_int_t)d->last_success_age_s, "overdue",
                         d->overdue);
    json_t *warnings = json_array();
    for (size_t i = 0; i < d->n_warnings; i++)
        json_array_append_new(warnings, json_string(d->warnings[i]));

    json_t *o = json_object();
    json_object_set_new(o, "backup_root", json_string(p->backups));
    json_object_set_new(o, "storage", storage);
    json_object_set_new(o, "next_backup_bytes", json_integer(d->next_backup_bytes));
    json_object_set_new(o, "backups_fit",
                        d->backups_fit >= 0 ? json_integer(d->backups_fit) : json_null());
    json_object_set_new(o, "environment", env);
    json_object_set_new(o, "newest_backup", newest);
    json_object_set_new(o, "download", download);
    char checked[32];
    if (d->offsite_checked_at_ms >= 0)
        pt_time_iso(d->offsite_checked_at_ms, checked);
    json_object_set_new(
        o, "offsite",
        json_pack("{s:b, s:s, s:b, s:b, s:I, s:I, s:o}", "enabled", d->offsite_enabled,
                  "repository", d->offsite_repository ? d->offsite_repository : "", "restic_found",
                  d->restic_found, "newest_pushed", d->newest_offsite, "copied",
                  (json_int_t)d->offsite_copied, "total", (json_int_t)d->offsite_total,
                  "checked_at",
                  d->offsite_checked_at_ms >= 0 ? json_string(checked) : json_null()));
    json_object_set_new(o, "cron", pt_present_cron_status_json(&d->cron));
    json_object_set_new(o, "auto", autos);
    json_object_set_new(o, "last_success", last);
    json_t *hooks = json_object();
    for (int i = 0; i < PT_DOCTOR_HOOKS; i++)
        json_object_set_new(hooks, pt_doctor_hook_name(i),
                            d->hooks[i] && *d->hooks[i] ? json_string(d->hooks[i]) : json_null());
    json_object_set_new(hooks, "timeout_seconds", json_integer(d->hooks_timeout_s));
    json_object_set_new(o, "hooks", hooks);
    json_object_set_new(o, "warnings", warnings);
    return o;
}
