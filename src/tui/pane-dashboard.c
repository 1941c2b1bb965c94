// SPDX-License-Identifier: GPL-3.0-or-later
#include "pane.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "poshtiban/alloc.h"
#include "poshtiban/bidi.h"
#include "poshtiban/changes.h"
#include "poshtiban/cron.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/retention.h"
#include "poshtiban/schedule.h"
#include "poshtiban/settings.h"
#include "poshtiban/stats.h"
#include "poshtiban/storage.h"
#include "poshtiban/text.h"

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
    struct pt_cron_status cron; /* whether anything runs the automatic backups */
    bool cron_known;
    struct pt_changes_summary changes; /* the change sets on disk, read at focus */
};

/* One line of the summary: a label, and text wrapped on up to max lines. */
struct summary_row {
    const char *label;
    char *text;
    enum pt_style style;
    int max;
};

/* What they do is the action table's (action.h) and the loop's: nothing here handles keys. */
static const enum pt_action actions[] = {PT_ACT_NEW, PT_ACT_PRUNE, PT_ACT_REFRESH, PT_ACT_NONE};

static void *init(void)
{
    return pt_xcalloc(1, sizeof(struct dashboard));
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
    if (d->cron_known)
        pt_cron_status_free(&d->cron);
    d->cron_known = false;
}

static void focus(void *state, const struct pt_tui_context *ctx)
{
    struct dashboard *d = state;
    forget(d);
    pt_stats_backups(ctx->catalog, ctx->project->now_ms, &d->stats, NULL);
    struct pt_catalog_filter filter = {.limit = CHART};
    int64_t total;
    if (pt_catalog_list(ctx->catalog, &filter, &d->latest, &d->n_latest, &total, NULL) != PT_OK) {
        d->latest = NULL;
        d->n_latest = 0;
    }
    d->auto_enabled = pt_settings_bool(ctx->catalog, PT_KEY_AUTO_ENABLED);
    d->interval_hours = pt_settings_int(ctx->catalog, PT_KEY_AUTO_INTERVAL_HOURS);
    d->max_backups = pt_settings_int(ctx->catalog, PT_KEY_RETENTION_MAX_BACKUPS);
    d->format = pt_settings_string(ctx->catalog, PT_KEY_BACKUP_FORMAT);
    d->include_media = pt_settings_bool(ctx->catalog, PT_KEY_BACKUP_INCLUDE_MEDIA);
    /*
     * Where the backups live and what that survives
     * (docs/storage-and-offsite.md); the root's parent when new.
     */
    d->storage_known = pt_storage_inspect(ctx->project->backups, &d->storage, NULL) == PT_OK;
    d->schedule_known =
        pt_schedule_read(ctx->catalog, ctx->project->now_ms, &d->schedule, NULL) == PT_OK;
    /* Automatic backups on: is there anything to run them? (as `doctor` asks) */
    struct pt_session session = {.project = ctx->project, .catalog = ctx->catalog};
    d->cron_known = d->auto_enabled && pt_cron_status(&session, &d->cron, NULL) == PT_OK;
    /* Up to when the data is safe: the change sets' files, not a figure kept aside. */
    struct pt_change_list changes = {0};
    if (pt_changes_list(ctx->project, &changes, NULL) != PT_OK)
        memset(&changes, 0, sizeof(changes));
    pt_present_changes_summary(&changes, pt_settings_int(ctx->catalog, PT_KEY_AUTO_CHANGES_MINUTES),
                               &d->changes);
    pt_change_list_free(&changes);
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
        pt_l10n_age(d->stats.last_success_age_s, age, sizeof(age));
        pt_ui_textf(win, y, x + 1, w - 2, PT_STYLE_WARN, PT_ALIGN_LEFT,
                    _("⚠ The last successful backup is old: %s. Press n to take one now."), age);
    } else {
        pt_l10n_age(d->stats.last_success_age_s, age, sizeof(age));
        pt_ui_textf(win, y, x + 1, w - 2, PT_STYLE_OK, PT_ALIGN_LEFT, _("✓ Backed up %s"), age);
    }
}

static void label(WINDOW *win, int y, int x, const char *text)
{
    pt_ui_text(win, y, x, 12, text, PT_STYLE_DIM, PT_ALIGN_LEFT);
}

static char *backups_text(const struct dashboard *d)
{
    char bytes[32];
    pt_l10n_size(d->stats.bytes, bytes, sizeof(bytes));
    char *all = pt_l10n_int(d->stats.total), *done = pt_l10n_int(d->stats.completed),
         *failed = pt_l10n_int(d->stats.failed);
    char *text =
        pt_xasprintf(_("%s in all · %s completed · %s failed · %s"), all, done, failed, bytes);
    free(all);
    free(done);
    free(failed);
    return text;
}

static char *last_good_text(const struct dashboard *d)
{
    char took[32];
    char *at = pt_l10n_iso_date(d->stats.last_success_at, PT_DATE_TIME);
    pt_l10n_duration(d->stats.average_duration_ms, took, sizeof(took));
    char *name = pt_ui_keep_whole(d->stats.last_success_name, false);
    char *text = pt_xasprintf(_("%s · %s UTC · takes %s on average"), name, at, took);
    free(name);
    free(at);
    return text;
}

/* Free space, then what the place survives: the sentence that matters most, wrapped whole. */
static char *storage_text(const struct dashboard *d, enum pt_style *style)
{
    char free_s[32], total_s[32];
    pt_l10n_size(d->storage.free_bytes, free_s, sizeof(free_s));
    pt_l10n_size(d->storage.total_bytes, total_s, sizeof(total_s));
    enum pt_storage_kind kind = d->storage.kind;
    bool lost = kind == PT_STORAGE_CONTAINER || kind == PT_STORAGE_MEMORY;
    const char *verdict = pt_storage_verdict(&d->storage);
    /* The newest backup only on this machine: the remedy comes right after the free space. */
    bool alone = d->stats.completed > 0 && !d->stats.offsite.latest_copied;
    bool no_repository = !d->stats.offsite.repository || !*d->stats.offsite.repository;
    char *text;
    if (alone)
        text = pt_xasprintf(no_repository
                                ? _("%s free · only on this machine: poshtiban offsite init, "
                                    "or download one · %s")
                                : _("%s free · the newest is not off-site yet: u in the list "
                                    "sends it · %s"),
                            free_s, verdict);
    else
        text = pt_xasprintf(_("%s free of %s · %s"), free_s, total_s, verdict);
    *style = alone || lost ? PT_STYLE_WARN : PT_STYLE_NORMAL;
    return text;
}

/* Automatic backups, and whether anything runs them (as `doctor` warns). */
static char *automatic_text(const struct dashboard *d, enum pt_style *style)
{
    *style = PT_STYLE_NORMAL;
    if (!d->auto_enabled) {
        *style = PT_STYLE_DIM;
        return pt_xstrdup(_("off (auto.enabled in the settings, 4)"));
    }
    char *every = pt_l10n_int(d->interval_hours);
    char *when;
    if (d->schedule_known && !d->schedule.due) {
        char next[32];
        pt_schedule_local_time(d->schedule.next_ms, next);
        when = pt_xasprintf(_("every %s hours · next %s"), every, next);
    } else {
        when = pt_xasprintf(_("every %s hours · due now"), every);
        *style = PT_STYLE_WARN;
    }
    free(every);
    const struct pt_cron_status *c = &d->cron;
    char *text = NULL;
    if (d->cron_known && c->crontab_ok && !c->line)
        text = pt_xasprintf(_("%s · but NOTHING runs them: no crontab line (c in the settings, 4, "
                              "installs it)"),
                            when);
    else if (d->cron_known && c->line && !c->program_ok)
        text = pt_xasprintf(_("%s · but NOTHING runs them: the crontab line runs a program that is "
                              "gone (c in the settings, 4, twice)"),
                            when);
    else if (d->cron_known && c->line && !c->daemon_running)
        text = pt_xasprintf(_("%s · but NOTHING runs them: cron is not running (start it: %s)"),
                            when, c->start_command ? c->start_command : "cron");
    if (text) {
        *style = PT_STYLE_WARN;
    } else if (d->storage_known && d->storage.codespace) {
        text = pt_xasprintf(_("%s · only while the codespace runs"), when);
    }
    if (text) {
        free(when);
        return text;
    }
    return when;
}

/* Draws the rows, wrapping each on up to its max lines; returns the lines used. */
static int draw_rows(WINDOW *win, int y, int x, int w, struct summary_row *rows, size_t n)
{
    int line = 0;
    for (size_t i = 0; i < n; i++) {
        label(win, y + line, x, rows[i].label);
        char *parts[8];
        size_t k = pt_ui_wrap(rows[i].text ? rows[i].text : "", w - 13, parts,
                              (size_t)(rows[i].max < 8 ? rows[i].max : 8));
        if (k == 0)
            line++;
        for (size_t j = 0; j < k; j++) {
            pt_ui_text(win, y + line, x + 13, w - 13, parts[j], rows[i].style, PT_ALIGN_LEFT);
            free(parts[j]);
            line++;
        }
        free(rows[i].text);
    }
    return line;
}

/* The summary's rows; returns the lines drawn. room is how many the storage verdict may take. */
static int draw_summary(struct dashboard *d, WINDOW *win, int y, int x, int w, int room,
                        int64_t now_ms)
{
    struct summary_row rows[7];
    size_t n = 0;
    rows[n++] = (struct summary_row){_("Backups"), backups_text(d), PT_STYLE_NORMAL, 1};
    if (d->stats.last_success_name)
        rows[n++] = (struct summary_row){_("Last good"), last_good_text(d), PT_STYLE_NORMAL, 2};
    else
        rows[n++] = (struct summary_row){_("Last good"), pt_xstrdup(_("none")), PT_STYLE_WARN, 1};
    if (d->storage_known) {
        rows[n] = (struct summary_row){_("Storage"), NULL, PT_STYLE_NORMAL, room};
        rows[n].text = storage_text(d, &rows[n].style);
        n++;
    }
    rows[n] = (struct summary_row){_("Automatic"), NULL, PT_STYLE_NORMAL, 2};
    rows[n].text = automatic_text(d, &rows[n].style);
    n++;
    enum pt_tone tone;
    rows[n] = (struct summary_row){_("Changes"), NULL, PT_STYLE_NORMAL, 1};
    rows[n].text = pt_present_changes_saved(&d->changes, now_ms, &tone);
    rows[n++].style = pt_ui_tone_style(tone);
    const struct pt_offsite_stats *o = &d->stats.offsite;
    bool at_risk = d->stats.completed > 0 && (!o->latest_copied || o->latest_error);
    rows[n++] = (struct summary_row){_("Off-site"), pt_stats_offsite_text(&d->stats, pt_l10n_rtl()),
                                     at_risk ? PT_STYLE_WARN : PT_STYLE_NORMAL, 2};
    char *keep = pt_l10n_int(d->max_backups);
    rows[n++] = (struct summary_row){
        _("Settings"),
        pt_xasprintf(_("format %s · keep %s · media %s · automatic %s"), d->format, keep,
                     d->include_media ? _("on") : _("off"), d->auto_enabled ? _("on") : _("off")),
        PT_STYLE_NORMAL, 1};
    free(keep);
    return draw_rows(win, y, x, w, rows, n);
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
        failed[n] =
            d->latest[i].status == PT_STATE_FAILED || d->latest[i].status == PT_STATE_INTERRUPTED;
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
        pt_l10n_size(r->size_bytes, size, sizeof(size));
        char *when = pt_l10n_iso_date(r->created_at, PT_DATE_BRIEF);
        bool ok = r->status == PT_STATE_COMPLETED;
        enum pt_style style = ok                              ? PT_STYLE_OK
                              : r->status == PT_STATE_RUNNING ? PT_STYLE_WARN
                                                              : PT_STYLE_ERROR;
        int cy = y + 1 + (int)i, inner = w - 2;
        /* Size and time as wide as they are; the name takes what is left. No year: room is
         * short, and the list pane has it. */
        int wsize = (int)pt_text_width(size), wwhen = (int)pt_text_width(when);
        pt_ui_text(win, cy, x + 1, 2,
                   ok                              ? "✓"
                   : r->status == PT_STATE_RUNNING ? "…"
                                                   : "✗",
                   style, PT_ALIGN_LEFT);
        pt_ui_text(win, cy, x + 3, inner - wsize - wwhen - 5, r->name, ok ? PT_STYLE_NORMAL : style,
                   PT_ALIGN_LEFT);
        pt_ui_text(win, cy, x + inner - wwhen - wsize - 1, wsize, size, PT_STYLE_NORMAL,
                   PT_ALIGN_RIGHT);
        pt_ui_text(win, cy, x + inner - wwhen, wwhen, when, PT_STYLE_DIM, PT_ALIGN_RIGHT);
        free(when);
    }
    if (d->n_latest == 0)
        pt_ui_text(win, y + 1, x + 2, w - 4, _("none yet"), PT_STYLE_DIM, PT_ALIGN_LEFT);
}

static void draw_database(const struct pt_tui_context *ctx, WINDOW *win, int y, int x, int h, int w)
{
    char size[32];
    pt_l10n_size(ctx->database->size_bytes, size, sizeof(size));
    char *title = pt_xasprintf(_("Database · %s"), ctx->database_ready ? size : "…");
    pt_ui_frame(win, y, x, h, w, title);
    free(title);
    if (!ctx->database_ready) {
        pt_ui_text(win, y + 1, x + 2, w - 4, _("counting rows…"), PT_STYLE_DIM, PT_ALIGN_LEFT);
        return;
    }
    if (!ctx->database->exists) {
        pt_ui_text(win, y + 1, x + 2, w - 4, _("no database at this path"), PT_STYLE_ERROR,
                   PT_ALIGN_LEFT);
        return;
    }
    int rows = h - 2;
    for (size_t i = 0; i < ctx->database->n_tables && (int)i < rows; i++) {
        const struct pt_table_count *t = &ctx->database->tables[i];
        bool last_row = (int)i == rows - 1 && ctx->database->n_tables > (size_t)rows;
        if (last_row) {
            char *more = pt_l10n_int((int64_t)(ctx->database->n_tables - i));
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

static void draw(void *state, const struct pt_tui_context *ctx, WINDOW *win, int y, int x, int h,
                 int w)
{
    struct dashboard *d = state;
    banner(d, win, y, x, w);
    /* The storage verdict takes the lines it needs; the frames below give way first. */
    int used = draw_summary(d, win, y + 2, x + 1, w - 2, 6, ctx->project->now_ms);
    int top = y + 2 + used + 1;
    if (h - (top - y) >= 10) {
        draw_chart(d, win, top, x + 1, w - 2);
        top += 3;
    }
    int rest = h - (top - y);
    int left = w * 3 / 5;
    draw_latest(d, win, top, x, rest, left);
    draw_database(ctx, win, top, x + left, rest, w - left);
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
    .destroy = destroy,
    .actions = actions,
};
