// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/hooks.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"

#include "base/subprocess.h"
#include "store/autolog.h"

extern char **environ;

static const char *const names[] = {"before_backup", "after_backup", "before_restore",
                                    "after_restore"};

const char *pt_hook_name(enum pt_hook hook)
{
    return names[hook];
}

enum pt_setting_id pt_hook_setting(enum pt_hook hook)
{
    static const enum pt_setting_id settings[] = {
        PT_KEY_HOOKS_BEFORE_BACKUP, PT_KEY_HOOKS_AFTER_BACKUP, PT_KEY_HOOKS_BEFORE_RESTORE,
        PT_KEY_HOOKS_AFTER_RESTORE};
    return settings[hook];
}

static char *slice(const char *s, size_t len)
{
    return pt_xasprintf("%.*s", (int)len, s);
}

struct env {
    char **vars;
    size_t n;
};

static void env_add(struct env *e, char *var)
{
    e->vars = pt_xrealloc(e->vars, (e->n + 2) * sizeof(*e->vars));
    e->vars[e->n++] = var;
    e->vars[e->n] = NULL;
}

static bool named(const char *var, const char *name)
{
    size_t n = strlen(name);
    return n > 0 && strncmp(var, name, n) == 0 && var[n] == '=';
}

/*
 * A variable the hook is not given: one poshtiban sets itself, or one that
 * holds a password poshtiban knows of (the *_password_env settings, restic's
 * own, any POSHTIBAN_ variable that names a password).
 */
static bool withheld(const char *var, char *const *secrets)
{
    static const char *const ours[] = {"POSHTIBAN_OPERATION",   "POSHTIBAN_HOOK",
                                       "POSHTIBAN_BACKUP_NAME", "POSHTIBAN_BACKUP_PATH",
                                       "POSHTIBAN_STATUS",      "POSHTIBAN_PROJECT",
                                       "POSHTIBAN_DATABASE",    "POSHTIBAN_MEDIA",
                                       "RESTIC_PASSWORD",       "RESTIC_PASSWORD_COMMAND"};
    for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
        if (named(var, ours[i]))
            return true;
    for (size_t i = 0; secrets[i]; i++)
        if (named(var, secrets[i]))
            return true;
    if (strncmp(var, "POSHTIBAN_", 10) != 0)
        return false;
    const char *eq = strchr(var, '=');
    char *name = slice(var, eq ? (size_t)(eq - var) : strlen(var));
    bool secret = strstr(name, "PASSWORD") || strstr(name, "SECRET") || strstr(name, "TOKEN");
    free(name);
    return secret;
}

static struct env hook_env(struct pt_catalog *c, const struct pt_project *p,
                           const struct pt_hook_call *call)
{
    char *secrets[] = {pt_settings_string(c, PT_KEY_OFFSITE_PASSWORD_ENV),
                       pt_settings_string(c, PT_KEY_NOTIFY_SMTP_PASSWORD_ENV), NULL};
    struct env e = {0};
    for (char **v = environ; v && *v; v++)
        if (!withheld(*v, secrets))
            env_add(&e, pt_xstrdup(*v));
    free(secrets[0]);
    free(secrets[1]);
    const char *operation = call->hook <= PT_HOOK_AFTER_BACKUP ? "backup" : "restore";
    env_add(&e, pt_xasprintf("POSHTIBAN_OPERATION=%s", operation));
    env_add(&e, pt_xasprintf("POSHTIBAN_HOOK=%s", names[call->hook]));
    env_add(&e, pt_xasprintf("POSHTIBAN_BACKUP_NAME=%s", call->name ? call->name : ""));
    env_add(&e, pt_xasprintf("POSHTIBAN_BACKUP_PATH=%s", call->path ? call->path : ""));
    env_add(&e, pt_xasprintf("POSHTIBAN_STATUS=%s", call->status ? call->status : ""));
    env_add(&e, pt_xasprintf("POSHTIBAN_PROJECT=%s", p->root));
    env_add(&e, pt_xasprintf("POSHTIBAN_DATABASE=%s", call->database ? call->database : ""));
    env_add(&e, pt_xasprintf("POSHTIBAN_MEDIA=%s", call->media ? call->media : ""));
    return e;
}

static void env_free(struct env *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->vars[i]);
    free(e->vars);
}

/* The last line of output that holds something, printable; "" when none. New string. */
static char *last_line(const char *out)
{
    const char *end = out + strlen(out);
    while (end > out && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    const char *start = end;
    while (start > out && start[-1] != '\n')
        start--;
    char *line = slice(start, (size_t)(end - start));
    char *shown = pt_text_printable(line);
    free(line);
    return shown;
}

/* Each of the last lines of what the hook printed goes to auto.log, after who printed it. */
static void log_output(const struct pt_project *p, const char *who, const char *out)
{
    const char *s = out + strlen(out);
    for (int lines = 0; s > out && lines < PT_HOOK_LOG_LINES;)
        if (*--s == '\n' && s[1])
            lines++;
    if (*s == '\n')
        s++;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        char *raw = slice(s, len);
        char *line = pt_text_printable(raw);
        char *entry = pt_xasprintf("%s: %s", who, line);
        pt_autolog_append(p, entry);
        free(entry);
        free(line);
        free(raw);
        s += len + (nl ? 1 : 0);
    }
}

enum pt_status pt_hooks_run(const struct pt_project *p, struct pt_catalog *c,
                            const struct pt_hook_call *call, const struct pt_monitor *mon,
                            struct pt_error *err)
{
    char *command = pt_settings_string(c, pt_hook_setting(call->hook));
    if (!*command) {
        free(command);
        return PT_OK;
    }
    int64_t timeout_s = pt_settings_int(c, PT_KEY_HOOKS_TIMEOUT_SECONDS);
    struct env env = hook_env(c, p, call);
    const char *argv[] = {"/bin/sh", "-c", command, NULL};
    struct pt_subprocess_stream st = {.argv = argv,
                                      .envp = env.vars,
                                      .cwd = p->root,
                                      .cancel = mon ? mon->cancel : NULL,
                                      .timeout_ms = (long)timeout_s * 1000,
                                      .own_group = true,
                                      .tail_max = PT_HOOK_OUTPUT_MAX};
    struct pt_subprocess_result res;
    struct pt_error why = {0};
    enum pt_status rc = pt_subprocess_run_stream(&st, &res, &why);
    env_free(&env);
    free(command);
    char *who = pt_xasprintf(_("%s: hook %s"), call->name ? call->name : "-", names[call->hook]);
    if (rc != PT_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("hook %s could not start: %s"), names[call->hook],
                          why.message ? why.message : _("failed"));
        pt_error_clear(&why);
        char *entry = pt_xasprintf("%s: %s", call->name ? call->name : "-",
                                   err && err->message ? err->message : _("failed"));
        pt_autolog_append(p, entry);
        free(entry);
        free(who);
        return rc;
    }
    log_output(p, who, res.out);
    char *line = last_line(res.out);
    /* TRANSLATORS: what follows a hook's error when it printed nothing. */
    const char *said = *line ? line : _("it printed nothing");
    if (res.cancelled) {
        rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    } else if (res.timed_out) {
        char *secs = pt_l10n_int(timeout_s);
        rc = pt_error_set(err, PT_EFAIL,
                          P_("hook %s was stopped after %s second (hooks.timeout_seconds): %s",
                             "hook %s was stopped after %s seconds (hooks.timeout_seconds): %s",
                             (unsigned long)timeout_s),
                          names[call->hook], secs, said);
        free(secs);
    } else if (res.exit_code != 0) {
        char *code = pt_l10n_int(res.exit_code);
        rc = pt_error_set(err, PT_EFAIL, _("hook %s failed with exit status %s: %s"),
                          names[call->hook], code, said);
        free(code);
    }
    if (rc != PT_OK && rc != PT_ECANCELLED) {
        char *entry = pt_xasprintf("%s: %s", call->name ? call->name : "-",
                                   err && err->message ? err->message : _("failed"));
        pt_autolog_append(p, entry);
        free(entry);
    }
    free(line);
    free(who);
    pt_subprocess_free(&res);
    return rc;
}
