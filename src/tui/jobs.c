// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Every kind of job, in one table: its title, its work on the thread (run),
 * its end on the main thread (done) and its result's free. The sentence a
 * job ends with is present/results.c's, the one the CLI prints.
 */
#include "jobs.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/auto.h"
#include "poshtiban/backup.h"
#include "poshtiban/catalog.h"
#include "poshtiban/cron.h"
#include "poshtiban/export.h"
#include "poshtiban/l10n.h"
#include "poshtiban/notify.h"
#include "poshtiban/offsite.h"
#include "poshtiban/pin.h"
#include "poshtiban/present.h"
#include "poshtiban/record.h"
#include "poshtiban/remove.h"
#include "poshtiban/restore-path.h"
#include "poshtiban/restore.h"
#include "poshtiban/retention.h"
#include "poshtiban/settings.h"
#include "poshtiban/stats.h"
#include "poshtiban/verify.h"

#include "tui.h"

/* ---- what every done shares ---- */

static enum pt_style style_of(enum pt_status status)
{
    return status == PT_OK ? PT_STYLE_OK : status == PT_ECANCELLED ? PT_STYLE_WARN : PT_STYLE_ERROR;
}

/* A job that failed says why, in the core's words, and the panes reload; true when it did. */
static bool failed(const struct pt_job *job, struct pt_reaction *out)
{
    if (job->status == PT_OK)
        return false;
    pt_reaction_say(out, style_of(job->status), "%s",
                    job->err.message ? job->err.message : _("failed"));
    out->reload = true;
    return true;
}

static void free_record(void *result)
{
    if (result)
        pt_record_free(result);
    free(result);
}

/* ---- create ---- */

static void create_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    struct pt_record *record = pt_xcalloc(1, sizeof(*record));
    job->result = record;
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = -1};
    job->status = pt_backup_create(job->session, &opts, monitor, record, &job->err);
}

/* Completed, cancelled or failed: create's own sentence, naming the backup. */
static void create_done(struct pt_job *job, struct pt_reaction *out)
{
    pt_reaction_tell(
        out, style_of(job->status),
        pt_present_created(job->status, job->result, job->err.message, pt_ui_keep_whole));
    out->reload = true;
}

/* ---- the overdue automatic backup ---- */

static void auto_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    struct pt_auto_result *result = pt_xcalloc(1, sizeof(*result));
    job->result = result;
    job->status = pt_auto_run(job->session, monitor, result, &job->err);
}

static void auto_done(struct pt_job *job, struct pt_reaction *out)
{
    const struct pt_auto_result *result = job->result;
    /* A damaged backup found by auto's verify outweighs the news of its backup. */
    for (size_t i = 0; job->status == PT_OK && i < result->n_verified; i++) {
        const struct pt_auto_verified *v = &result->verified[i];
        if (!v->result.ok) {
            pt_reaction_tell(out, PT_STYLE_ERROR,
                             pt_present_verified(v->name, v->deep, &v->result, pt_ui_keep_whole));
            out->reload = true;
            return;
        }
    }
    if (job->status != PT_OK || result->record.id > 0)
        pt_reaction_tell(
            out, style_of(job->status),
            pt_present_created(job->status, &result->record, job->err.message, pt_ui_keep_whole));
    else
        pt_reaction_say(out, PT_STYLE_NORMAL, "%s", result->reason ? result->reason : "");
    out->reload = true;
}

static void free_auto(void *result)
{
    if (result)
        pt_auto_result_free(result);
    free(result);
}

/* ---- verify ---- */

struct verified {
    struct pt_record record;
    struct pt_verify_result verify;
};

static void verify_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    struct verified *v = pt_xcalloc(1, sizeof(*v));
    job->result = v;
    job->status = pt_verify_backup(job->session, job->id, job->kind == PT_JOB_VERIFY_DEEP, monitor,
                                   &v->record, &v->verify, &job->err);
}

static void verify_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    const struct verified *v = job->result;
    pt_reaction_tell(out, v->verify.ok ? PT_STYLE_OK : PT_STYLE_ERROR,
                     pt_present_verified(v->record.name, job->kind == PT_JOB_VERIFY_DEEP,
                                         &v->verify, pt_ui_keep_whole));
    out->reload = true;
}

static void free_verified(void *result)
{
    struct verified *v = result;
    if (v) {
        pt_record_free(&v->record);
        pt_verify_result_free(&v->verify);
    }
    free(v);
}

/* ---- restore: the plan first, then, on yes, the restore ---- */

static void free_plan(void *result);

static void restore_plan_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    (void)monitor;
    struct pt_restore_plan *plan = pt_xcalloc(1, sizeof(*plan));
    job->result = plan;
    struct pt_restore_options opts = {.at_ms = job->at_ms};
    job->status = pt_restore_plan(job->session, job->id, &opts, plan, &job->err);
}

/* What the restore will change, in full, before the user says yes. */
static void restore_plan_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    const struct pt_restore_plan *plan = job->result;
    /*
     * A change set's moment that led to no change set: a core without
     * restore --at restored the base instead. Nothing is offered then.
     */
    if (job->at_ms && !plan->point) {
        pt_reaction_say(out, PT_STYLE_ERROR, "%s",
                        _("This build cannot restore to a change set: restore --at is missing."));
        return;
    }
    char **lines = NULL;
    size_t n = pt_present_restore_plan(plan, pt_ui_keep_whole, &lines);
    /* The question `poshtiban restore` asks (present/questions.c), about the point reached. */
    char *name = pt_ui_keep_whole(plan->point ? plan->point : plan->backup, false);
    pt_reaction_ask(out, pt_present_question(PT_OP_RESTORE, name, false, 0, 0), _("Restore"), lines,
                    n, _("Restore cancelled: nothing changed."));
    free(name);
    pt_reaction_start(out, PT_JOB_RESTORE, job->id, job->at_ms);
    /* The plan the user approves travels with the restore, as its input. */
    out->start.input = job->result;
    out->start.free_input = free_plan;
    job->result = NULL;
}

/* The plan the user approved (job->input, from the plan job) is carried out, or refused. */
static void restore_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    struct pt_restore_plan *plan = job->input;
    job->input = NULL;
    job->result = plan;
    job->status = pt_restore(job->session, plan, monitor, &job->err);
}

/* The state about to be replaced is saved as a backup first. */
static const char *restore_label(enum pt_phase phase)
{
    return phase <= PT_PHASE_REPORT || phase == PT_PHASE_ARCHIVE
               ? _("Restore: saving the current state first")
               : _("Restore");
}

static void restore_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    const struct pt_restore_plan *plan = job->result;
    /* Migrations to run: a warning, not a plain "done". */
    pt_reaction_tell(out, plan->migrations_differ ? PT_STYLE_WARN : PT_STYLE_OK,
                     pt_present_restored(plan, pt_ui_keep_whole));
    out->reload = true;
}

static void free_plan(void *result)
{
    if (result)
        pt_restore_plan_free(result);
    free(result);
}

/* ---- export ---- */

static void export_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    char *path = NULL;
    job->status = pt_export_backup(job->session, job->id, NULL, false,
                                   job->kind == PT_JOB_EXPORT_PLAIN, monitor, &path, &job->err);
    job->result = path;
}

static void export_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    pt_reaction_tell(out, PT_STYLE_OK, pt_present_exported(job->result, pt_ui_keep_whole));
    out->reload = true;
}

/* ---- one file back: what would be written, the question, then the files ---- */

static void restore_path_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    struct pt_path_plan *plan = pt_xcalloc(1, sizeof(*plan));
    job->result = plan;
    char *backup = pt_xstrdup(job->id ? job->id : "");
    char *path = strchr(backup, '\n');
    if (path)
        *path++ = '\0';
    struct pt_restore_path_options opts = {.path = path ? path : "",
                                           .dry_run = job->kind == PT_JOB_RESTORE_PATH_PLAN};
    job->status = pt_restore_path(job->session, backup, &opts, monitor, plan, &job->err);
    free(backup);
}

static void restore_path_plan_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    const struct pt_path_plan *plan = job->result;
    char **lines = NULL;
    size_t n = pt_present_path_plan(plan, pt_ui_keep_whole, &lines);
    /* The question `poshtiban restore --path` asks (present/one-file.c). */
    const char *path = strchr(job->id, '\n') + 1;
    pt_reaction_ask(
        out, pt_present_path_question(path, plan->backup, plan->target_root, pt_ui_keep_whole),
        _("Restore"), lines, n, _("Restore cancelled: nothing changed."));
    pt_reaction_start(out, PT_JOB_RESTORE_PATH, job->id, 0);
}

static void restore_path_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    pt_reaction_tell(out, PT_STYLE_OK, pt_present_path_restored(job->result, pt_ui_keep_whole));
}

static void free_path_plan(void *result)
{
    if (result)
        pt_path_plan_free(result);
    free(result);
}

/* ---- delete ---- */

static void delete_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    (void)monitor;
    job->status = pt_backup_delete(job->session, job->id, &job->err);
}

static void delete_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    pt_reaction_tell(out, PT_STYLE_OK, pt_present_deleted(job->id, pt_ui_keep_whole));
    out->leave_detail = true;
    out->reload = true;
}

/* ---- prune ---- */

struct pruned {
    size_t deleted, kept;
};

static void prune_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    (void)monitor;
    struct pruned *pruned = pt_xcalloc(1, sizeof(*pruned));
    job->result = pruned;
    struct pt_retention_plan plan;
    job->status = pt_retention_prune(job->session, false, &plan, &job->err);
    pruned->deleted = plan.n;
    pruned->kept = plan.kept;
    pt_retention_plan_free(&plan);
}

static void prune_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    const struct pruned *pruned = job->result;
    pt_reaction_tell(out, PT_STYLE_OK, pt_present_pruned(pruned->deleted, pruned->kept));
    out->reload = true;
}

/* ---- the database's row counts, in the background, without a progress box ---- */

static void stats_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    (void)monitor;
    struct pt_database_stats *stats = pt_xcalloc(1, sizeof(*stats));
    job->result = stats;
    job->status = pt_stats_database(job->project, stats, &job->err);
}

/* The dashboard takes the counts, whatever the status: a failure leaves them empty. */
static void stats_done(struct pt_job *job, struct pt_reaction *out)
{
    out->database = job->result;
    job->result = NULL;
}

static void free_stats(void *result)
{
    if (result)
        pt_database_stats_free(result);
    free(result);
}

/* ---- off-site copy ---- */

static void push_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    struct pt_offsite_push_result *pushed = pt_xcalloc(1, sizeof(*pushed));
    job->result = pushed;
    job->status = pt_offsite_push(job->session, job->id, monitor, pushed, &job->err);
}

static void push_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    const struct pt_offsite_push_result *pushed = job->result;
    pt_reaction_tell(out, PT_STYLE_OK,
                     pt_present_pushed(pushed->n ? &pushed->items[0] : NULL, pt_ui_keep_whole));
    out->reload = true;
}

static void free_pushed(void *result)
{
    if (result)
        pt_offsite_push_result_free(result);
    free(result);
}

/* ---- notify test: the result is what was sent (struct pt_notify_test_sent) ---- */

static void test_mail_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    (void)monitor;
    struct pt_catalog *c = NULL;
    struct pt_notify_test_sent *sent = pt_xcalloc(1, sizeof(*sent));
    job->result = sent;
    job->status = pt_session_catalog(job->session, PT_CATALOG_READ, &c, &job->err);
    if (job->status == PT_OK)
        job->status = pt_notify_test(job->project, c, sent, &job->err);
}

/* The settings pane stays as it is: nothing changed but a mail or an alert sent. */
static void test_mail_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    pt_reaction_tell(out, PT_STYLE_OK, pt_present_notify_test(job->result, pt_ui_keep_whole));
}

static void free_sent(void *result)
{
    if (result)
        pt_notify_test_sent_free(result);
    free(result);
}

/* ---- pin: the backup's pinned flag, the other way ---- */

static void pin_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    (void)monitor;
    struct pt_record *record = pt_xcalloc(1, sizeof(*record));
    job->result = record;
    struct pt_catalog *c = NULL;
    job->status = pt_session_catalog(job->session, PT_CATALOG_READ, &c, &job->err);
    if (job->status == PT_OK)
        job->status = pt_catalog_get(c, job->id, record, &job->err);
    if (job->status == PT_OK)
        job->status = pt_backup_pin(job->session, job->id, !record->pinned, NULL, &job->err);
}

static void pin_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    const struct pt_record *was = job->result;
    pt_reaction_tell(out, PT_STYLE_OK, pt_present_pinned(job->id, !was->pinned, pt_ui_keep_whole));
    out->reload = true;
}

/* ---- the crontab line: id "install" or "remove" (the question said which) ---- */

static void cron_run(struct pt_job *job, const struct pt_monitor *monitor)
{
    (void)monitor;
    if (strcmp(job->id, "remove") == 0) {
        bool removed = false;
        job->status = pt_cron_remove(job->project, &removed, &job->err);
        return;
    }
    /* The line runs this very program; ui.language decides its language, when set. */
    struct pt_catalog *c = NULL;
    char *language = NULL;
    if (pt_catalog_open(&c, job->project, PT_CATALOG_READ, NULL) == PT_OK)
        language = pt_settings_string(c, PT_KEY_UI_LANGUAGE);
    pt_catalog_close(c);
    bool from_setting = language && strcmp(language, "auto") != 0;
    free(language);
    struct pt_cron_options opts = {.lang = from_setting ? NULL : pt_l10n_code(pt_l10n_lang())};
    char *line = NULL;
    bool replaced = false;
    job->status = pt_cron_install(job->project, &opts, &line, &replaced, &job->err);
    free(line);
}

static void cron_done(struct pt_job *job, struct pt_reaction *out)
{
    if (failed(job, out))
        return;
    char *every = pt_l10n_int(PT_CRON_DEFAULT_MINUTES);
    if (strcmp(job->id, "remove") == 0)
        pt_reaction_say(out, PT_STYLE_OK, "%s", _("cron line removed"));
    else
        pt_reaction_say(out, PT_STYLE_OK, _("cron line installed: `auto` runs every %s minutes"),
                        every);
    free(every);
    out->reload = true;
}

/* ---- the table ---- */

static const struct pt_job_ops ops[PT_N_JOB_KINDS] = {
    [PT_JOB_CREATE] = {.label = N_("New backup"),
                       .run = create_run,
                       .done = create_done,
                       .free = free_record},
    [PT_JOB_AUTO] = {.label = N_("Automatic backup"),
                     .run = auto_run,
                     .done = auto_done,
                     .free = free_auto},
    [PT_JOB_VERIFY] = {.label = N_("Verify"),
                       .run = verify_run,
                       .done = verify_done,
                       .free = free_verified},
    [PT_JOB_VERIFY_DEEP] = {.label = N_("Deep verify"),
                            .run = verify_run,
                            .done = verify_done,
                            .free = free_verified},
    [PT_JOB_RESTORE_PLAN] = {.label = N_("Restore, dry run"),
                             .run = restore_plan_run,
                             .done = restore_plan_done,
                             .free = free_plan},
    [PT_JOB_RESTORE] = {.label = N_("Restore"),
                        .label_at = restore_label,
                        .run = restore_run,
                        .done = restore_done,
                        .free = free_plan},
    [PT_JOB_EXPORT] = {.label = N_("Export"), .run = export_run, .done = export_done, .free = free},
    [PT_JOB_DELETE] = {.label = N_("Delete"), .run = delete_run, .done = delete_done, .free = free},
    [PT_JOB_PRUNE] = {.label = N_("Prune"), .run = prune_run, .done = prune_done, .free = free},
    [PT_JOB_PUSH] = {.label = N_("Off-site copy"),
                     .run = push_run,
                     .done = push_done,
                     .free = free_pushed},
    [PT_JOB_TEST_MAIL] = {.label = N_("Test mail"),
                          .run = test_mail_run,
                          .done = test_mail_done,
                          .free = free_sent},
    [PT_JOB_DATABASE_STATS] = {.run = stats_run, .done = stats_done, .free = free_stats},
    [PT_JOB_RESTORE_PATH_PLAN] = {.label = N_("Restore, dry run"),
                                  .run = restore_path_run,
                                  .done = restore_path_plan_done,
                                  .free = free_path_plan},
    [PT_JOB_RESTORE_PATH] = {.label = N_("Restore"),
                             .run = restore_path_run,
                             .done = restore_path_done,
                             .free = free_path_plan},
    [PT_JOB_EXPORT_PLAIN] = {.label = N_("Export"),
                             .run = export_run,
                             .done = export_done,
                             .free = free},
    /* Quick: no progress box. */
    [PT_JOB_PIN] = {.run = pin_run, .done = pin_done, .free = free_record},
    [PT_JOB_CRON] = {.run = cron_run, .done = cron_done, .free = free},
};

const struct pt_job_ops *pt_job_ops(enum pt_job_kind kind)
{
    return &ops[kind];
}

const char *pt_job_label(const struct pt_job *job, enum pt_phase phase)
{
    const struct pt_job_ops *o = pt_job_ops(job->kind);
    if (o->label_at)
        return o->label_at(phase);
    return o->label ? _(o->label) : "";
}

bool pt_job_boxed(enum pt_job_kind kind)
{
    return kind < PT_N_JOB_KINDS && ops[kind].label != NULL;
}
