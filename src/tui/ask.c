// SPDX-License-Identifier: GPL-3.0-or-later
#include "ask.h"

#include <stdlib.h>

#include "poshtiban/alloc.h"
#include "poshtiban/cron.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/retention.h"
#include "poshtiban/schedule.h"
#include "poshtiban/settings.h"

#include "tui.h"

bool pt_ask_delete(const struct pt_tui_context *ctx, const struct pt_selection *sel,
                   struct pt_reaction *out)
{
    (void)ctx;
    /* The CLI's question (present/questions.c), saying so when the backup is pinned. */
    char *name = pt_ui_keep_whole(sel->record->name, false);
    pt_reaction_ask(out, pt_present_question(PT_OP_DELETE, name, sel->record->pinned, 0, 0), NULL,
                    NULL, 0, NULL);
    free(name);
    return true;
}

/* Retention's choice, each backup with why it goes, before the user says yes. */
bool pt_ask_prune(const struct pt_tui_context *ctx, const struct pt_selection *sel,
                  struct pt_reaction *out)
{
    (void)sel;
    struct pt_retention_plan plan;
    struct pt_error err = {0};
    if (pt_retention_plan(ctx->project, ctx->catalog, &plan, &err) != PT_OK) {
        pt_reaction_say(out, PT_STYLE_ERROR, "%s", err.message);
        pt_error_clear(&err);
        return false;
    }
    if (plan.n == 0) {
        char *kept = pt_l10n_int((int64_t)plan.kept);
        pt_reaction_say(out, PT_STYLE_OK,
                        P_("Retention deletes nothing now: it keeps the %s completed backup.",
                           "Retention deletes nothing now: it keeps all %s completed backups.",
                           plan.kept),
                        kept);
        free(kept);
        pt_retention_plan_free(&plan);
        return false;
    }
    /* The lines `prune` prints (present/prune-plan.c). */
    char **lines;
    size_t n = pt_present_prune_plan(&plan, false, pt_ui_keep_whole, &lines);
    /* The CLI's question (present/questions.c). */
    pt_reaction_ask(out, pt_present_question(PT_OP_PRUNE, NULL, false, plan.n, plan.kept),
                    _("Prune"), lines, n, NULL);
    pt_retention_plan_free(&plan);
    return true;
}

/* Installs the line when there is none, removes it when there is one. */
bool pt_ask_cron(const struct pt_tui_context *ctx, const struct pt_selection *sel,
                 struct pt_reaction *out)
{
    (void)sel;
    struct pt_cron_status cron = {0};
    bool installed = false;
    struct pt_session session = {.project = ctx->project, .catalog = ctx->catalog};
    if (pt_cron_status(&session, &cron, NULL) == PT_OK) {
        installed = cron.line != NULL;
        pt_cron_status_free(&cron);
    }
    char *every = pt_l10n_int(PT_CRON_DEFAULT_MINUTES);
    char *question =
        pt_xasprintf(installed ? _("Remove this project's line from your crontab? "
                                   "Automatic backups stop until it is installed again.")
                               : _("Add a line to your crontab that runs `poshtiban auto` "
                                   "every %s minutes for this project?"),
                     every);
    free(every);
    pt_reaction_start(out, PT_JOB_CRON, installed ? "remove" : "install", 0);
    pt_reaction_ask(out, question, NULL, NULL, 0, _("crontab unchanged"));
    return true;
}

void pt_ask_overdue(const struct pt_tui_context *ctx, struct pt_reaction *out)
{
    struct pt_schedule s;
    if (!pt_settings_bool(ctx->catalog, PT_KEY_AUTO_ENABLED) ||
        pt_schedule_read(ctx->catalog, ctx->project->now_ms, &s, NULL) != PT_OK || !s.due)
        return;
    char *reason = pt_schedule_reason(&s);
    pt_reaction_ask(out, pt_xasprintf(_("An automatic backup is due (%s). Take it now?"), reason),
                    NULL, NULL, 0, NULL);
    free(reason);
    pt_reaction_start(out, PT_JOB_AUTO, NULL, 0);
}

void pt_ask_quit_during_work(struct pt_reaction *out)
{
    pt_reaction_ask(out, pt_xstrdup(_("Work is under way. Cancel it and quit?")), NULL, NULL, 0,
                    NULL);
    out->quit = true;
}
