// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "app.h"
#include "poshtiban/cron.h"
#include "poshtiban/l10n.h"
#include "poshtiban/secrets.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"
#include "tui.h"

/*
 * Every setting (docs/catalog-and-settings.md) as a form: Enter edits,
 * Enter again saves, Esc leaves it.
 */
struct settings {
    size_t cursor;
    char **values;
    size_t n;
    struct pt_cron_status cron; /* read when the pane comes into view */
    bool cron_read;
    int rows;
};

static const enum pt_action actions[] = {PT_ACT_OPEN, PT_ACT_CRON,    PT_ACT_TEST_MAIL, PT_ACT_UP,
                                         PT_ACT_DOWN, PT_ACT_PAGE_UP, PT_ACT_PAGE_DOWN, PT_ACT_HOME,
                                         PT_ACT_END,  PT_ACT_NONE};

static void *init(struct pt_app *app)
{
    (void)app;
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

static void read_cron(struct settings *s, struct pt_app *app)
{
    if (s->cron_read)
        pt_cron_status_free(&s->cron);
    s->cron_read = pt_cron_status(app->project, &s->cron, NULL) == PT_OK;
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

static void focus(void *state, struct pt_app *app)
{
    struct settings *s = state;
    drop(s);
    read_cron(s, app);
    const struct pt_setting_def *defs = pt_settings_defs(&s->n);
    s->values = pt_xcalloc(s->n, sizeof(*s->values));
    for (size_t i = 0; i < s->n; i++) {
        char *value = pt_settings_string(app->catalog, defs[i].id);
        /* What is drawn and what the prompt offers: a login in the repository never shows. */
        s->values[i] = pt_settings_shown(&defs[i], value);
        free(value);
    }
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

static void draw(void *state, struct pt_app *app, WINDOW *win, int y, int x, int h, int w)
{
    struct settings *s = state;
    (void)app;
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    int rows = h - 3;
    s->rows = rows;
    size_t top = s->cursor >= (size_t)rows ? s->cursor - (size_t)rows + 1 : 0;
    for (size_t i = top; i < n && (int)(i - top) < rows; i++) {
        int ry = y + (int)(i - top);
        bool sel = i == s->cursor;
        if (sel)
            pt_ui_fill(win, ry, x, w, PT_STYLE_SELECTED);
        enum pt_style st = sel ? PT_STYLE_SELECTED : PT_STYLE_NORMAL;
        pt_ui_text(win, ry, x + 2, 28, defs[i].key, sel ? st : PT_STYLE_DIM, PT_ALIGN_LEFT);
        const char *value = i < s->n && s->values[i] ? s->values[i] : "";
        pt_ui_text(win, ry, x + 31, w - 33, *value ? value : _("(empty)"), st, PT_ALIGN_LEFT);
    }
    if (s->cursor < n) {
        char *allowed = allowed_values(&defs[s->cursor]);
        pt_ui_textf(win, y + h - 2, x + 2, w - 4, PT_STYLE_DIM, PT_ALIGN_LEFT, "%s%s%s",
                    _(defs[s->cursor].help), allowed ? _("; allowed: ") : "",
                    allowed ? allowed : "");
        free(allowed);
    }
    char *cron = cron_line(s);
    pt_ui_text(win, y + h - 1, x + 2, w - 4, cron,
               s->cron.daemon_running ? PT_STYLE_NORMAL : PT_STYLE_WARN, PT_ALIGN_LEFT);
    free(cron);
}

static bool save(struct pt_app *app, const struct pt_setting_def *def, const char *text);
static void switch_value(struct settings *s, struct pt_app *app, const struct pt_setting_def *def);

static bool handle(void *state, struct pt_app *app, enum pt_action a)
{
    struct settings *s = state;
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    int page = s->rows > 1 ? s->rows - 1 : 1;
    switch (a) {
    case PT_ACT_UP:
        if (s->cursor > 0)
            s->cursor--;
        return true;
    case PT_ACT_DOWN:
        if (s->cursor + 1 < n)
            s->cursor++;
        return true;
    case PT_ACT_PAGE_DOWN:
        if (app->key == ' ') {
            switch_value(s, app, &defs[s->cursor]);
            return true;
        }
        s->cursor = s->cursor + (size_t)page < n ? s->cursor + (size_t)page : n - 1;
        return true;
    case PT_ACT_PAGE_UP:
        s->cursor = s->cursor > (size_t)page ? s->cursor - (size_t)page : 0;
        return true;
    case PT_ACT_HOME:
        s->cursor = 0;
        return true;
    case PT_ACT_END:
        s->cursor = n - 1;
        return true;
    case PT_ACT_CRON: {
        struct pt_error err = {0};
        bool removed = false;
        enum pt_status rc;
        bool installed = s->cron_read && s->cron.line;
        char *every = pt_l10n_int(PT_CRON_DEFAULT_MINUTES);
        char *question =
            pt_xasprintf(installed ? _("Remove this project's line from your crontab? "
                                       "Automatic backups stop until it is installed again.")
                                   : _("Add a line to your crontab that runs `poshtiban auto` "
                                       "every %s minutes for this project?"),
                         every);
        bool yes = pt_app_confirm(app, question);
        free(question);
        if (!yes) {
            free(every);
            pt_app_message(app, PT_STYLE_NORMAL, "%s", _("crontab unchanged"));
            return true;
        }
        if (installed) {
            rc = pt_cron_remove(app->project, &removed, &err);
            if (rc == PT_OK)
                pt_app_message(app, PT_STYLE_OK, "%s", _("cron line removed"));
        } else {
            /* The line runs this very program; ui.language decides its language, when set. */
            char *language = pt_settings_string(app->catalog, PT_KEY_UI_LANGUAGE);
            bool from_setting = language && strcmp(language, "auto") != 0;
            free(language);
            struct pt_cron_options opts = {.lang =
                                               from_setting ? NULL : pt_l10n_code(pt_l10n_lang())};
            char *line = NULL;
            bool replaced = false;
            rc = pt_cron_install(app->project, &opts, &line, &replaced, &err);
            free(line);
            if (rc == PT_OK)
                pt_app_message(app, PT_STYLE_OK,
                               _("cron line installed: `auto` runs every %s minutes"), every);
        }
        free(every);
        if (rc != PT_OK)
            pt_app_message(app, PT_STYLE_ERROR, "%s", err.message ? err.message : _("failed"));
        pt_error_clear(&err);
        read_cron(s, app);
        return true;
    }
    case PT_ACT_TEST_MAIL:
        pt_app_start(app, PT_JOB_TEST_MAIL, NULL);
        return true;
    case PT_ACT_OPEN: {
        const struct pt_setting_def *def = &defs[s->cursor];
        if (def->type == PT_SETTING_BOOL || def->type == PT_SETTING_CHOICE) {
            switch_value(s, app, def);
            return true;
        }
        char *label = pt_xasprintf(_("%s:"), def->key);
        /*
         * A value refused stays in the prompt, to be mended. A repository
         * with a login starts empty: saving the redacted text would lose it.
         */
        char *text = pt_xstrdup(strstr(s->values[s->cursor], "***@") ? "" : s->values[s->cursor]);
        for (;;) {
            char *typed = pt_app_prompt(app, label, text);
            free(text);
            text = typed;
            if (!text || save(app, def, text))
                break;
        }
        free(label);
        if (!text)
            pt_app_message(app, PT_STYLE_NORMAL, _("%s unchanged"), def->key);
        free(text);
        pt_app_changed(app);
        return true;
    }
    default:
        return false;
    }
}

/* Validates and stores text for def, and says how it went; false when refused. */
static bool save(struct pt_app *app, const struct pt_setting_def *def, const char *text)
{
    /* The catalog may not exist yet: writing a setting creates it. */
    struct pt_error err = {0};
    char *stored = NULL;
    bool ok = pt_settings_save(app->project, def->id, text, &stored, &err) == PT_OK;
    if (ok) {
        char *shown = pt_settings_shown(def, stored);
        free(stored);
        stored = shown;
    }
    if (!ok)
        pt_app_message(app, PT_STYLE_ERROR, "%s", err.message);
    else if (strncmp(def->key, "ui.", 3) == 0)
        pt_app_message(app, PT_STYLE_OK, _("saved: %s = %s; it applies when poshtiban starts next"),
                       def->key, stored);
    else
        pt_app_message(app, PT_STYLE_OK, _("saved: %s = %s"), def->key, stored);
    free(stored);
    /* As `settings set` says it: the scheduled run would miss a password. */
    struct pt_secret_gaps gaps = {0};
    if (ok && app->catalog && pt_secrets_setting(def->id))
        pt_secrets_check(app->project, app->catalog, PT_SECRETS_ENABLED, &gaps);
    if (gaps.n > 0)
        pt_app_message(app, PT_STYLE_ERROR,
                       _("%s (`poshtiban doctor` prints the commands that fix it)"),
                       gaps.items[0].problem);
    pt_secret_gaps_free(&gaps);
    pt_error_clear(&err);
    return ok;
}

/* A boolean switches; a choice takes the next value. */
static void switch_value(struct settings *s, struct pt_app *app, const struct pt_setting_def *def)
{
    const char *now = s->values[s->cursor] ? s->values[s->cursor] : def->default_value;
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
    save(app, def, next);
    pt_app_changed(app);
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
    .destroy = destroy,
    .actions = actions,
};
