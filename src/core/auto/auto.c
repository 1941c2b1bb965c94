// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/auto.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/notify.h"
#include "poshtiban/offsite.h"
#include "poshtiban/retention.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"

#include "auto/after-backup.h"
#include "auto/auto-verify.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/reader.h"
#include "ops/backup.h"
#include "ops/changes-store.h"
#include "ops/metrics.h"
#include "ops/naming.h"
#include "ops/preflight.h"
#include "ops/recovery.h"
#include "store/autolog.h"

/* A `failed` auto record for a backup that could not even start; nothing else is written. */
static void record_refusal(const struct pt_project *p, struct pt_catalog *c,
                           const struct pt_error *why, struct pt_record *r)
{
    char iso[32];
    pt_time_iso(p->now_ms, iso);
    memset(r, 0, sizeof(*r));
    r->name = pt_backup_name_new(p, c, "backup", p->now_ms);
    r->kind = PT_KIND_AUTO;
    r->status = PT_STATE_FAILED;
    r->format = pt_settings_string(c, PT_KEY_BACKUP_FORMAT);
    const char *suffix = pt_reader_archive_suffix(r->format);
    r->path = pt_xasprintf("%s/%s%s", p->backups, r->name, suffix ? suffix : "");
    r->created_at = pt_xstrdup(iso);
    r->started_at = pt_xstrdup(iso);
    r->finished_at = pt_xstrdup(iso);
    r->include_media = p->media != NULL && pt_settings_bool(c, PT_KEY_BACKUP_INCLUDE_MEDIA);
    r->error = pt_xstrdup(why->message ? why->message : _("failed"));
    r->verify_ok = -1;
    if (pt_catalog_insert(c, r, NULL) != PT_OK)
        r->id = 0;
}

/* A change set is due when auto.changes_minutes passed since the database was last seen. */
static bool changes_due(const struct pt_project *p, struct pt_catalog *c)
{
    int64_t minutes = pt_settings_int(c, PT_KEY_AUTO_CHANGES_MINUTES);
    if (minutes <= 0)
        return false;
    int64_t seen = pt_changes_last_seen(p, c);
    return seen > 0 && p->now_ms - seen >= minutes * 60 * 1000;
}

static enum pt_status capture(const struct pt_project *p, struct pt_catalog *c,
                              const struct pt_monitor *mon, struct pt_auto_result *out,
                              struct pt_error *err)
{
    out->captured = true;
    enum pt_status rc = pt_changes_capture_locked(p, c, mon, &out->capture, err);
    /* As after a backup: change sets older than their keeping time are merged now. */
    if (rc == PT_OK && !out->capture.unchanged)
        pt_retention_thin_locked(p, c);
    return rc;
}

enum pt_status pt_auto_run(struct pt_session *s, const struct pt_monitor *mon,
                           struct pt_auto_result *out, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_WRITE, &c, err);
    if (rc != PT_OK)
        return rc;
    pt_autolog_trim(p);
    struct pt_lock lock = {-1};
    if ((rc = pt_lock_acquire(&lock, p, err)) != PT_OK) {
        return rc;
    }
    pt_recover_locked(p, c);
    struct pt_after_backup after = {0};
    char *lost = NULL;
    if (pt_catalog_setting_get(c, PT_SETTINGS_LOST_KEY, &lost, NULL) == PT_OK && lost)
        rc = pt_error_set(err, PT_EFAIL,
                          _("automatic backups are stopped: the catalog was damaged on %s and its "
                            "settings could not all be read; check them (poshtiban settings list) "
                            "and set one to go on"),
                          lost);
    free(lost);
    if (rc == PT_OK)
        rc = pt_schedule_read(c, p->now_ms, &out->schedule, err);
    if (rc == PT_OK)
        out->reason = pt_schedule_reason(&out->schedule);
    if (rc == PT_OK && out->schedule.due) {
        out->ran = true;
        pt_after_backup_start(p, c, &after);
        struct pt_create_options opts = {.kind = PT_KIND_AUTO, .include_media = -1};
        struct pt_preflight space;
        struct pt_error why = {0};
        if (pt_backup_check_input(p, &opts, &why) != PT_OK ||
            pt_preflight_check(p, c, &space, &why) != PT_OK) {
            rc = why.status == PT_OK ? PT_EFAIL : why.status;
            record_refusal(p, c, &why, &out->record);
            pt_error_set(err, rc, "%s", why.message ? why.message : _("failed"));
            pt_error_clear(&why);
        } else {
            rc = pt_backup_create_locked(p, c, &opts, mon, &out->record, err);
            if (rc == PT_OK)
                pt_after_backup_locked(p, c, &out->record, &after);
            else if (out->record.id == 0 && rc != PT_ECANCELLED) {
                /* Stopped before it began (hooks.before_backup): failed, so that mail says so. */
                const struct pt_error said = {rc, err ? err->message : NULL};
                record_refusal(p, c, &said, &out->record);
            }
        }
    }
    if (rc == PT_OK && !out->ran && out->schedule.why != PT_SCHEDULE_OFF && changes_due(p, c))
        rc = capture(p, c, mon, out, err);
    if (rc == PT_OK || out->ran)
        pt_auto_verify_locked(p, c, rc == PT_OK && out->ran ? &out->record : NULL, mon, out);
    pt_lock_release(&lock);
    /* The chain off-site, as a backup goes (docs/changes.md, "Off-site"). */
    if (rc == PT_OK && out->captured && !out->capture.unchanged)
        pt_offsite_after_capture(s, out->capture.base, mon);
    /* Without the lock: a create meanwhile is not kept waiting for restic. */
    if (rc == PT_OK)
        pt_after_backup_offsite(p, c, out->ran ? &out->record : NULL, true, mon, &after);
    pt_after_backup_finish(p, c, out->ran ? &out->record : NULL, &after);
    if (out->damaged)
        pt_notify_damaged(p, c, out->verified, out->n_verified);
    pt_metrics_update(p, c);
    return rc;
}

void pt_auto_result_free(struct pt_auto_result *r)
{
    free(r->reason);
    pt_capture_result_free(&r->capture);
    pt_record_free(&r->record);
    for (size_t i = 0; i < r->n_verified; i++) {
        free(r->verified[i].name);
        pt_verify_result_free(&r->verified[i].result);
    }
    free(r->verified);
    memset(r, 0, sizeof(*r));
}
