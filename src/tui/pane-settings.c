// SPDX-License-Identifier: GPL-3.0-or-later
#include "pane.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/cron.h"
#include "poshtiban/l10n.h"
#include "poshtiban/secrets.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"

#include "scroll.h"
#include "tui.h"

/*
 * Every setting (docs/catalog-and-settings.md) as a form: Enter edits,
 * Enter again saves, Esc leaves it.
 */
struct settings {
    struct pt_scroll scroll; /* its cursor is on the setting Enter edits */
    char **values;
    size_t n;
    struct pt_cron_status cron; /* read when the pane comes into view */
    bool cron_read;
    size_t editing; /* the setting a prompt edits */
};

static const enum pt_action actions[] = {PT_ACT_OPEN, PT_ACT_CRON,    PT_ACT_TEST_MAIL, PT_ACT_UP,
                                         PT_ACT_DOWN, PT_ACT_PAGE_UP, PT_ACT_PAGE_DOWN, PT_ACT_HOME,
                                         PT_ACT_END,  PT_ACT_NONE};

static void *init(void)
{
    return pt_xcalloc(1, sizeof(struct settings));
}

static void drop(struct settings *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->values[i]);
    free(s->values);
    s->values = NULL;
    s->n = 0;
}

static void read_cron(struct settings *s, const struct pt_tui_context *ctx)
{
    if (s->cron_read)
        pt_cron_status_free(&s->cron);
    struct pt_session session = {.project = ctx->project, .catalog = ctx->catalog};
    s->cron_read = pt_cron_status(&session, &s->cron, NULL) == PT_OK;
}

/* One line on automatic backups: is the cron line there, does cron run, how to start it. */
static char *cron_line(const struct settings *s)
{
    const struct pt_cron_status *c = &s->cron;
    if (!s->cron_read || !c->crontab_ok)
        return pt_xasprintf(_("cron: %s"), c->crontab_error ? c->crontab_error : _("unknown"));
    if (!c->line)
        return pt_xstrdup(_("cron: no line for this project (c installs it)"));
    if (!c->daemon_running)
        return pt_xasprintf(_("cron: line installed, but no cron daemon runs; start it: %s"),
                            c->start_command ? c->start_command : "cron");
    return pt_xstrdup(_("cron: line installed and cron runs (c removes it)"));
}

static void focus(void *state, const struct pt_tui_context *ctx)
{
    struct settings *s = state;
    drop(s);
    read_cron(s, ctx);
    const struct pt_setting_def *defs = pt_settings_defs(&s->n);
    s->values = pt_xcalloc(s->n, sizeof(*s->values));
    for (size_t i = 0; i < s->n; i++) {
        char *value = pt_settings_string(ctx->catalog, defs[i].id);
        /* What is drawn and what the prompt offers: a login in the repository never shows. */
        s->values[i] = pt_settings_shown(&defs[i], value);
        free(value);
    }
    s->scroll.count = (int64_t)s->n;
}

/* "true or false (Enter switches)", the choices, or the range; NULL for free text. New string. */
static char *allowed_values(const struct pt_setting_def *def)
{
    char *out = NULL;
    switch (def->type) {
    case PT_SETTING_BOOL:
        out = pt_xstrdup(_("true, false (Enter or Space switches)"));
        break;
    case PT_SETTING_CHOICE: {
        size_t len = 1;
        for (const char *const *c = def->choices; *c; c++)
            len += strlen(*c) + 2;
        char *choices = pt_xcalloc(1, len);
        for (const char *const *c = def->choices; *c; c++) {
            if (c != def->choices)
                strcat(choices, ", ");
            strcat(choices, *c);
        }
        out = pt_xasprintf(_("%s (Enter or Space takes the next)"), choices);
        free(choices);
        break;
    }
    case PT_SETTING_INT: {
        char *lo = pt_l10n_int(def->min), *hi = pt_l10n_int(def->max);
        out = pt_xasprintf(_("%s to %s"), lo, hi);
        free(lo);
        free(hi);
        break;
    }
    default:
        break;
    }
    return out;
}

static void draw(void *state, const struct pt_tui_context *ctx, WINDOW *win, int y, int x, int h,
                 int w)
{
    struct settings *s = state;
    (void)ctx;
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    s->scroll.count = (int64_t)n;
    s->scroll.page = h - 3;
    pt_scroll_clamp(&s->scroll);
    size_t top = (size_t)s->scroll.top, cursor = (size_t)s->scroll.cursor;
    for (size_t i = top; i < n && (int)(i - top) < s->scroll.page; i++) {
        int ry = y + (int)(i - top);
        bool sel = i == cursor;
        if (sel)
            pt_ui_fill(win, ry, x, w, PT_STYLE_SELECTED);
        enum pt_style st = sel ? PT_STYLE_SELECTED : PT_STYLE_NORMAL;
        pt_ui_text(win, ry, x + 2, 28, defs[i].key, sel ? st : PT_STYLE_DIM, PT_ALIGN_LEFT);
        const char *value = i < s->n && s->values[i] ? s->values[i] : "";
        pt_ui_text(win, ry, x + 31, w - 33, *value ? value : _("(empty)"), st, PT_ALIGN_LEFT);
    }
    if (cursor < n) {
        char *allowed = allowed_values(&defs[cursor]);
        pt_ui_textf(win, y + h - 2, x + 2, w - 4, PT_STYLE_DIM, PT_ALIGN_LEFT, "%s%s%s",
                    _(defs[cursor].help), allowed ? _("; allowed: ") : "", allowed ? allowed : "");
        free(allowed);
    }
    char *cron = cron_line(s);
    pt_ui_text(win, y + h - 1, x + 2, w - 4, cron,
               s->cron.daemon_running ? PT_STYLE_NORMAL : PT_STYLE_WARN, PT_ALIGN_LEFT);
    free(cron);
}

static bool save(const struct pt_tui_context *ctx, const struct pt_setting_def *def,
                 const char *text, struct pt_reaction *out);
static void switch_value(struct settings *s, const struct pt_tui_context *ctx,
                         const struct pt_setting_def *def, struct pt_reaction *out);

/* Moves, and Enter (or Space) on a setting; the cron line and the test mail are the table's. */
static bool handle(void *state, const struct pt_tui_context *ctx, enum pt_action a,
                   struct pt_reaction *out)
{
    struct settings *s = state;
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    size_t cursor = (size_t)s->scroll.cursor;
    if (cursor >= n)
        return false;
    const struct pt_setting_def *def = &defs[cursor];
    bool space = a == PT_ACT_PAGE_DOWN && ctx->key == ' ';
    if (a != PT_ACT_OPEN && !space)
        return pt_scroll_key(&s->scroll, a);
    if (space || def->type == PT_SETTING_BOOL || def->type == PT_SETTING_CHOICE) {
        switch_value(s, ctx, def, out);
        return true;
    }
    /*
     * A value refused stays in the prompt, to be mended. A repository
     * with a login starts empty: saving the redacted text would lose it.
     */
    s->editing = cursor;
    out->prompt = pt_xasprintf(_("%s:"), def->key);
    out->initial = pt_xstrdup(strstr(s->values[cursor], "***@") ? "" : s->values[cursor]);
    return true;
}

/* The value typed: saved, or refused and offered again to be mended. */
static void prompted(void *state, const struct pt_tui_context *ctx, const char *text,
                     enum pt_prompt_step step, struct pt_reaction *out)
{
    struct settings *s = state;
    size_t n;
    const struct pt_setting_def *def = &pt_settings_defs(&n)[s->editing];
    if (step == PT_PROMPT_EDITED)
        return;
    if (!text) {
        pt_reaction_say(out, PT_STYLE_NORMAL, _("%s unchanged"), def->key);
    } else if (!save(ctx, def, text, out)) {
        out->prompt = pt_xasprintf(_("%s:"), def->key);
        out->initial = pt_xstrdup(text);
        return;
    }
    out->reload = true;
}

/* Validates and stores text for def, and says how it went; false when refused. */
static bool save(const struct pt_tui_context *ctx, const struct pt_setting_def *def,
                 const char *text, struct pt_reaction *out)
{
    /* The catalog may not exist yet: writing a setting creates it. */
    struct pt_error err = {0};
    char *stored = NULL;
    /*
     * The main thread's catalog is lent when it is the file; an empty one in
     * memory would be replaced by the write, so the session opens its own.
     */
    bool lent = !pt_catalog_in_memory(ctx->catalog);
    struct pt_session session = {.project = ctx->project, .catalog = lent ? ctx->catalog : NULL};
    bool ok = pt_settings_save(&session, def->id, text, &stored, &err) == PT_OK;
    if (!lent)
        pt_catalog_close(session.catalog);
    if (ok) {
        char *shown = pt_settings_shown(def, stored);
        free(stored);
        stored = shown;
    }
    if (!ok)
        pt_reaction_say(out, PT_STYLE_ERROR, "%s", err.message);
    else if (strncmp(def->key, "ui.", 3) == 0)
        pt_reaction_say(out, PT_STYLE_OK,
                        _("saved: %s = %s; it applies when poshtiban starts next"), def->key,
                        stored);
    else
        pt_reaction_say(out, PT_STYLE_OK, _("saved: %s = %s"), def->key, stored);
    free(stored);
    /* As `settings set` says it: the scheduled run would miss a password. */
    struct pt_secret_gaps gaps = {0};
    if (ok && ctx->catalog && pt_secrets_setting(def->id))
        pt_secrets_check(ctx->project, ctx->catalog, PT_SECRETS_ENABLED, &gaps);
    if (gaps.n > 0)
        pt_reaction_say(out, PT_STYLE_ERROR,
                        _("%s (`poshtiban doctor` prints the commands that fix it)"),
                        gaps.items[0].problem);
    pt_secret_gaps_free(&gaps);
    pt_error_clear(&err);
    return ok;
}

/* A boolean switches; a choice takes the next value. */
static void switch_value(struct settings *s, const struct pt_tui_context *ctx,
                         const struct pt_setting_def *def, struct pt_reaction *out)
{
    const char *value = s->values[s->scroll.cursor];
    const char *now = value ? value : def->default_value;
    const char *next = NULL;
    if (def->type == PT_SETTING_BOOL) {
        next = strcmp(now, "true") == 0 ? "false" : "true";
    } else if (def->type == PT_SETTING_CHOICE) {
        next = def->choices[0];
        for (const char *const *c = def->choices; *c; c++)
            if (strcmp(*c, now) == 0 && c[1])
                next = c[1];
    } else {
        return;
    }
    save(ctx, def, next, out);
    out->reload = true;
}

/* A setting is always under the cursor: Enter edits it. */
static void selection(void *state, struct pt_selection *out)
{
    (void)state;
    out->row = true;
}

static void destroy(void *state)
{
    struct settings *s = state;
    if (s->cron_read)
        pt_cron_status_free(&s->cron);
    drop(s);
    free(s);
}

const struct pt_pane_ops pt_pane_settings = {
    .title = N_("Settings"),
    .init = init,
    .focus = focus,
    .draw = draw,
    .handle = handle,
    .prompted = prompted,
    .select = selection,
    .destroy = destroy,
    .actions = actions,
};
