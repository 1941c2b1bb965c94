// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "app.h"
#include "poshtiban/bidi.h"
#include "poshtiban/l10n.h"
#include "poshtiban/text.h"
#include "poshtiban/schedule.h"
#include "poshtiban/settings.h"
#include "poshtiban/storage.h"
#include "poshtiban/stats.h"
#include "poshtiban/timefmt.h"
#include "tui.h"

#define CHART 30

struct dashboard {
    struct pt_backup_stats stats;
    struct pt_record *latest; /* newest first, up to CHART */
    size_t n_latest;
    bool auto_enabled;
    int64_t interval_hours, max_backups;
    char *format;
    bool include_media;
    struct pt_storage storage;
    bool storage_known;
    struct pt_schedule schedule;
    bool schedule_known;
};

static const enum pt_action actions[] = {PT_ACT_NEW, PT_ACT_PRUNE, PT_ACT_REFRESH, PT_ACT_NONE};

static void *init(struct pt_app *app)
{
    (void)app;
    return calloc(1, sizeof(struct dashboard));
}

static void forget(struct dashboard *d)
{
    pt_backup_stats_free(&d->stats);
    pt_record_list_free(d->latest, d->n_latest);
    d->latest = NULL;
    d->n_latest = 0;
    free(d->format);
    d->format = NULL;
    if (d->storage_known)
        pt_storage_free(&d->storage);
    d->storage_known = false;
}

static void focus(void *state, struct pt_app *app)
{
    struct dashboard *d = state;
    forget(d);
    pt_stats_backups(app->catalog, app->project->now_ms, &d->stats, NULL);
    struct pt_catalog_filter filter = {.limit = CHART};
    int64_t total;
    if (pt_catalog_list(app->catalog, &filter, &d->latest, &d->n_latest, &total, NULL) != PT_OK) {
        d->latest = NULL;
        d->n_latest = 0;
    }
    d->auto_enabled = pt_settings_bool(app->catalog, "auto.enabled");
    d->interval_hours = pt_settings_int(app->catalog, "auto.interval_hours");
    d->max_backups = pt_settings_int(app->catalog, "retention.max_backups");
    d->format = pt_settings_string(app->catalog, "backup.format");
    d->include_media = pt_settings_bool(app->catalog, "backup.include_media");
    /* Where the backups live and what that survives (SPEC §8); the root's parent when new. */
    d->storage_known = pt_storage_inspect(app->project->backups, &d->storage, NULL) == PT_OK;
    d->schedule_known =
        pt_schedule_read(app->catalog, app->project->now_ms, &d->schedule, NULL) == PT_OK;
}

static void banner(struct dashboard *d, WINDOW *win, int y, int x, int w)
{
    int64_t limit = d->auto_enabled ? 2 * d->interval_hours * 3600 : 86400;
    char age[64];
    if (d->stats.last_success_age_s < 0) {
        pt_ui_fill(win, y, x, w, PT_STYLE_WARN);
        pt_ui_text(win, y, x + 1, w - 2, _("⚠ No backup yet: press n to take the first one"),
                   PT_STYLE_WARN, PT_ALIGN_LEFT);
    } else if (d->stats.last_success_age_s > limit) {
        pt_format_age(d->stats.last_success_age_s, age, sizeof(age));
        pt_ui_textf(win, y, x + 1, w - 2, PT_STYLE_WARN, PT_ALIGN_LEFT,
                    _("⚠ The last successful backup is old: %s. Press n to take one now."), age);
    } else {
        pt_format_age(d->stats.last_success_age_s, age, sizeof(age));
        pt_ui_textf(win, y, x + 1, w - 2, PT_STYLE_OK, PT_ALIGN_LEFT,
                    _("✓ Backed up %s"), age);
    }
}

static void label(WINDOW *win, int y, int x, const char *text)
{
    pt_ui_text(win, y, x, 12, text, PT_STYLE_DIM, PT_ALIGN_LEFT);
}

static void draw_summary(struct dashboard *d, const char *app_backups, WINDOW *win, int y, int x,
                         int w)
{
    char bytes[32], took[32], free_s[32], total_s[32];
    pt_format_size(d->stats.bytes, bytes, sizeof(bytes));
    char *all = pt_l10n_int(d->stats.total), *done = pt_l10n_int(d->stats.completed),
         *failed = pt_l10n_int(d->stats.failed);
    label(win, y, x, _("Backups"));
    pt_ui_textf(win, y, x + 13, w - 13, PT_STYLE_NORMAL, PT_ALIGN_LEFT,
                _("%s in all · %s completed · %s failed · %s"), all, done, failed, bytes);
    free(all);
    free(done);
    free(failed);
    label(win, y + 1, x, _("Last good"));
    if (d->stats.last_success_name) {
        char *at = pt_l10n_iso_date(d->stats.last_success_at, PT_DATE_TIME);
        pt_format_duration(d->stats.average_duration_ms, took, sizeof(took));
        char *name = pt_l10n_rtl() ? pt_bidi_isolate(d->stats.last_success_name)
                                   : strdup(d->stats.last_success_name);
        pt_ui_textf(win, y + 1, x + 13, w - 13, PT_STYLE_NORMAL, PT_ALIGN_LEFT,
                    _("%s · %s UTC · takes %s on average"), name, at, took);
        free(name);
        free(at);
    } else {
        pt_ui_text(win, y + 1, x + 13, w - 13, _("none"), PT_STYLE_WARN, PT_ALIGN_LEFT);
    }
    char *backups = pt_l10n_rtl() ? pt_bidi_isolate(app_backups) : strdup(app_backups);
    free(backups);
    label(win, y + 2, x, _("Storage"));
    if (d->storage_known) {
        pt_format_size(d->storage.free_bytes, free_s, sizeof(free_s));
        pt_format_size(d->storage.total_bytes, total_s, sizeof(total_s));
        enum pt_storage_kind kind = d->storage.kind;
        /*
         * The newest backup only on this machine: the remedy comes right
         * after the free space, where 80 columns still show it.
         */
        bool alone = d->stats.completed > 0 && !d->stats.offsite.latest_copied;
        bool no_repository = !d->stats.offsite.repository || !*d->stats.offsite.repository;
        if (alone)
            pt_ui_textf(win, y + 2, x + 13, w - 13, PT_STYLE_WARN, PT_ALIGN_LEFT,
                        no_repository
                            ? _("%s free · only on this machine: poshtiban offsite init, or "
                                "download one · %s")
                            : _("%s free · the newest is not off-site yet: u in the list sends "
                                "it · %s"),
                        free_s, pt_storage_verdict(kind));
        else
            pt_ui_textf(win, y + 2, x + 13, w - 13,
                        kind == PT_STORAGE_CONTAINER || kind == PT_STORAGE_MEMORY ? PT_STYLE_WARN
                                                                                  : PT_STYLE_NORMAL,
                        PT_ALIGN_LEFT, _("%s free of %s · %s"), free_s, total_s,
                        pt_storage_verdict(kind));
    }
    label(win, y + 3, x, _("Automatic"));
    if (!d->auto_enabled) {
        pt_ui_text(win, y + 3, x + 13, w - 13, _("off (auto.enabled in the settings, 4)"),
                   PT_STYLE_DIM, PT_ALIGN_LEFT);
    } else if (d->schedule_known) {
        char next[32];
        pt_schedule_local_time(d->schedule.next_ms, next);
        char *every = pt_l10n_int(d->interval_hours);
        pt_ui_textf(win, y + 3, x + 13, w - 13, d->schedule.due ? PT_STYLE_WARN : PT_STYLE_NORMAL,
                    PT_ALIGN_LEFT,
                    d->schedule.due ? _("every %s hours · due now") : _("every %s hours · next %s"),
                    every, next);
        free(every);
    }
    label(win, y + 4, x, _("Off-site"));
    char *offsite = pt_stats_offsite_text(&d->stats, pt_l10n_rtl());
    const struct pt_offsite_stats *o = &d->stats.offsite;
    bool at_risk = !o->latest_copied || o->latest_error;
    pt_ui_text(win, y + 4, x + 13, w - 13, offsite,
               d->stats.completed > 0 && at_risk ? PT_STYLE_WARN : PT_STYLE_NORMAL, PT_ALIGN_LEFT);
    free(offsite);
    label(win, y + 5, x, _("Settings"));
    char *keep = pt_l10n_int(d->max_backups);
    pt_ui_textf(win, y + 5, x + 13, w - 13, PT_STYLE_NORMAL, PT_ALIGN_LEFT,
                _("format %s · keep %s · media %s · automatic %s"), d->format, keep,
                d->include_media ? _("on") : _("off"), d->auto_enabled ? _("on") : _("off"));
    free(keep);
}

static void draw_chart(struct dashboard *d, WINDOW *win, int y, int x, int w)
{
    int64_t sizes[CHART], times[CHART];
    bool failed[CHART];
    int n = 0;
    /* Oldest on the left. */
    for (size_t i = d->n_latest; i-- > 0 && n < CHART;) {
        sizes[n] = d->latest[i].size_bytes;
        times[n] = d->latest[i].duration_ms;
        failed[n] = d->latest[i].status == PT_STATE_FAILED ||
                    d->latest[i].status == PT_STATE_INTERRUPTED;
        n++;
    }
    label(win, y, x, _("Sizes"));
    pt_ui_spark(win, y, x + 13, w - 13, sizes, failed, n);
    label(win, y + 1, x, _("Durations"));
    pt_ui_spark(win, y + 1, x + 13, w - 13, times, failed, n);
    char *count = pt_l10n_int(n);
    if (n > 0)
        pt_ui_textf(win, y + 1, x + 14 + n, w - 14 - n, PT_STYLE_DIM, PT_ALIGN_LEFT,
                    _("the last %s, oldest first, ✗ failed"), count);
    free(count);
}

static void draw_latest(struct dashboard *d, WINDOW *win, int y, int x, int h, int w)
{
    pt_ui_frame(win, y, x, h, w, _("Latest backups"));
    for (size_t i = 0; i < d->n_latest && (int)i < h - 2; i++) {
        const struct pt_record *r = &d->latest[i];
        char size[32];
        pt_format_size(r->size_bytes, size, sizeof(size));
        char *when = pt_l10n_iso_date(r->created_at, PT_DATE_BRIEF);
        bool ok = r->status == PT_STATE_COMPLETED;
        enum pt_style style = ok ? PT_STYLE_OK
                              : r->status == PT_STATE_RUNNING ? PT_STYLE_WARN
                                                              : PT_STYLE_ERROR;
        int cy = y + 1 + (int)i, inner = w - 2;
        /* Size and time as wide as they are; the name takes what is left. No year: room is
         * short, and the list pane has it. */
        int wsize = (int)pt_text_width(size), wwhen = (int)pt_text_width(when);
        pt_ui_text(win, cy, x + 1, 2, ok ? "✓" : r->status == PT_STATE_RUNNING ? "…" : "✗", style,
                   PT_ALIGN_LEFT);
        pt_ui_text(win, cy, x + 3, inner - wsize - wwhen - 5, r->name,
                   ok ? PT_STYLE_NORMAL : style, PT_ALIGN_LEFT);
        pt_ui_text(win, cy, x + inner - wwhen - wsize - 1, wsize, size, PT_STYLE_NORMAL,
                   PT_ALIGN_RIGHT);
        pt_ui_text(win, cy, x + inner - wwhen, wwhen, when, PT_STYLE_DIM, PT_ALIGN_RIGHT);
        free(when);
    }
    if (d->n_latest == 0)
        pt_ui_text(win, y + 1, x + 2, w - 4, _("none yet"), PT_STYLE_DIM, PT_ALIGN_LEFT);
}

static void draw_database(struct pt_app *app, WINDOW *win, int y, int x, int h, int w)
{
    char size[32];
    pt_format_size(app->database.size_bytes, size, sizeof(size));
    char *title = NULL;
    if (asprintf(&title, _("Database · %s"), app->database_ready ? size : "…") < 0)
        title = NULL;
    pt_ui_frame(win, y, x, h, w, title);
    free(title);
    if (!app->database_ready) {
        pt_ui_text(win, y + 1, x + 2, w - 4, _("counting rows…"), PT_STYLE_DIM, PT_ALIGN_LEFT);
        return;
    }
    if (!app->database.exists) {
        pt_ui_text(win, y + 1, x + 2, w - 4, _("no database at this path"), PT_STYLE_ERROR,
                   PT_ALIGN_LEFT);
        return;
    }
    int rows = h - 2;
    for (size_t i = 0; i < app->database.n_tables && (int)i < rows; i++) {
        const struct pt_table_count *t = &app->database.tables[i];
        bool last_row = (int)i == rows - 1 && app->database.n_tables > (size_t)rows;
        if (last_row) {
            char *more = pt_l10n_int((int64_t)(app->database.n_tables - i));
            pt_ui_textf(win, y + 1 + (int)i, x + 2, w - 4, PT_STYLE_DIM, PT_ALIGN_LEFT,
                        _("… and %s more tables"), more);
            free(more);
            break;
        }
        pt_ui_text(win, y + 1 + (int)i, x + 2, w - 14, t->name, PT_STYLE_NORMAL, PT_ALIGN_LEFT);
        char *rows_s = pt_l10n_int(t->rows);
        pt_ui_text(win, y + 1 + (int)i, x + w - 12, 10, rows_s, PT_STYLE_NORMAL, PT_ALIGN_RIGHT);
        free(rows_s);
    }
}

static void draw(void *state, struct pt_app *app, WINDOW *win, int y, int x, int h, int w)
{
    struct dashboard *d = state;
    banner(d, win, y, x, w);
    draw_summary(d, app->project->backups, win, y + 2, x + 1, w - 2);
    draw_chart(d, win, y + 8, x + 1, w - 2);
    int top = y + 11, rest = h - 11;
    int left = w * 3 / 5;
    draw_latest(d, win, top, x, rest, left);
    draw_database(app, win, top, x + left, rest, w - left);
}

static bool handle(void *state, struct pt_app *app, enum pt_action a)
{
    (void)state;
    switch (a) {
    case PT_ACT_NEW:
        pt_app_start(app, PT_JOB_CREATE, NULL);
        return true;
    case PT_ACT_PRUNE:
        if (pt_app_confirm(app, _("Apply retention now and delete what it selects?")))
            pt_app_start(app, PT_JOB_PRUNE, NULL);
        return true;
    case PT_ACT_REFRESH:
        pt_app_changed(app);
        return true;
    default:
        return false;
    }
}

static void destroy(void *state)
{
    forget(state);
    free(state);
}

const struct pt_pane_ops pt_pane_dashboard = {
    .title = N_("Dashboard"),
    .init = init,
    .focus = focus,
    .draw = draw,
    .handle = handle,
    .destroy = destroy,
    .actions = actions,
};
