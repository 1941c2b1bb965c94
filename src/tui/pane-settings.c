// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "poshtiban/cron.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"
#include "tui.h"

/* Every setting of SPEC §4 as a form: Enter edits, Enter again saves, Esc leaves it. */
struct settings {
    size_t cursor;
    char **values;
    size_t n;
    struct pt_cron_status cron; /* read when the pane comes into view */
    bool cron_read;
};

static const enum pt_action actions[] = {PT_ACT_OPEN, PT_ACT_CRON, PT_ACT_TEST_MAIL, PT_ACT_UP,
                                         PT_ACT_DOWN, PT_ACT_NONE};

static void *init(struct pt_app *app)
{
    (void)app;
    return calloc(1, sizeof(struct settings));
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
    char *out = NULL;
    const struct pt_cron_status *c = &s->cron;
    if (!s->cron_read || !c->crontab_ok) {
        if (asprintf(&out, _("cron: %s"), c->crontab_error ? c->crontab_error : _("unknown")) < 0)
            out = NULL;
    } else if (!c->line) {
        out = strdup(_("cron: no line for this project (c installs it)"));
    } else if (!c->daemon_running) {
        if (asprintf(&out, _("cron: line installed, but no cron daemon runs; start it: %s"),
                     c->start_command ? c->start_command : "cron") < 0)
            out = NULL;
    } else {
        out = strdup(_("cron: line installed and cron runs (c removes it)"));
    }
    return out;
}

static void focus(void *state, struct pt_app *app)
{
    struct settings *s = state;
    drop(s);
    read_cron(s, app);
    const struct pt_setting_def *defs = pt_settings_defs(&s->n);
    s->values = calloc(s->n, sizeof(*s->values));
    for (size_t i = 0; i < s->n; i++)
        s->values[i] = pt_settings_string(app->catalog, defs[i].key);
}

static void draw(void *state, struct pt_app *app, WINDOW *win, int y, int x, int h, int w)
{
    struct settings *s = state;
    (void)app;
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    int rows = h - 3;
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
    if (s->cursor < n)
        pt_ui_text(win, y + h - 2, x + 2, w - 4, _(defs[s->cursor].help), PT_STYLE_DIM,
                   PT_ALIGN_LEFT);
    char *cron = cron_line(s);
    pt_ui_text(win, y + h - 1, x + 2, w - 4, cron, s->cron.daemon_running ? PT_STYLE_NORMAL
                                                                          : PT_STYLE_WARN,
               PT_ALIGN_LEFT);
    free(cron);
}

static bool handle(void *state, struct pt_app *app, enum pt_action a)
{
    struct settings *s = state;
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    switch (a) {
    case PT_ACT_UP:
        if (s->cursor > 0)
            s->cursor--;
        return true;
    case PT_ACT_DOWN:
        if (s->cursor + 1 < n)
            s->cursor++;
        return true;
    case PT_ACT_CRON: {
        struct pt_error err = {0};
        bool removed = false;
        enum pt_status rc;
        if (s->cron_read && s->cron.line) {
            rc = pt_cron_remove(app->project, &removed, &err);
            if (rc == PT_OK)
                pt_app_message(app, PT_STYLE_OK, "%s", _("cron line removed"));
        } else {
            /* The line runs this very program. */
            char *self = realpath("/proc/self/exe", NULL);
            struct pt_cron_options opts = {.program = self ? self : "poshtiban",
                                           .lang = pt_l10n_code(pt_l10n_lang())};
            char *line = NULL;
            bool replaced = false;
            rc = pt_cron_install(app->project, &opts, &line, &replaced, &err);
            free(line);
            free(self);
            if (rc == PT_OK)
                pt_app_message(app, PT_STYLE_OK, "%s",
                               _("cron line installed: `auto` runs every 15 minutes"));
        }
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
        char *label = NULL;
        if (asprintf(&label, "%s =", def->key) < 0)
            return true;
        char *text = pt_app_prompt(app, label, s->values[s->cursor]);
        free(label);
        if (!text) {
            pt_app_message(app, PT_STYLE_NORMAL, _("%s unchanged"), def->key);
            return true;
        }
        /* The catalog may not exist yet: writing a setting creates it. */
        struct pt_catalog *c = NULL;
        struct pt_error err = {0};
        char *canonical = NULL;
        if (pt_settings_validate(def, text, &canonical, &err) != PT_OK ||
            pt_catalog_open(&c, app->project, PT_CATALOG_WRITE, &err) != PT_OK ||
            pt_settings_set(c, def->key, text, &err) != PT_OK) {
            pt_app_message(app, PT_STYLE_ERROR, "%s", err.message);
        } else {
            char *stored = pt_settings_string(c, def->key);
            pt_app_message(app, PT_STYLE_OK, _("saved: %s = %s"), def->key, stored);
            free(stored);
        }
        pt_catalog_close(c);
        pt_error_clear(&err);
        free(canonical);
        free(text);
        pt_app_changed(app);
        return true;
    }
    default:
        return false;
    }
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
