// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/secrets.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/cron.h"
#include "poshtiban/i18n.h"
#include "poshtiban/settings.h"

#include "base/fsutil.h"
#include "base/secretfile.h"
#include "base/shquote.h"

/* One password: its settings and the sentences that name it. */
struct secret {
    enum pt_setting_id file_key, env_key;
    const char *file_suffix;
    const char *missing;  /* %1$s: the variable */
    const char *unusable; /* %1$s: why */
};

static const struct secret offsite = {
    PT_KEY_OFFSITE_PASSWORD_FILE, PT_KEY_OFFSITE_PASSWORD_ENV, "restic-password",
    N_("the scheduled run (cron) will not find the off-site repository password: cron does not "
       "see your shell's variable %s and offsite.password_file is not set, so every automatic "
       "off-site copy will fail"),
    N_("the scheduled run (cron) cannot use the off-site repository password: %s")};

static const struct secret mail = {
    PT_KEY_NOTIFY_SMTP_PASSWORD_FILE, PT_KEY_NOTIFY_SMTP_PASSWORD_ENV, "smtp-password",
    N_("the scheduled run (cron) will not find the mail password: cron does not see your "
       "shell's variable %s and notify.smtp.password_file is not set, so no mail will go out, "
       "not even about a failure"),
    N_("the scheduled run (cron) cannot use the mail password: %s")};

static char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home && *home == '/')
        return pt_xstrdup(home);
    struct passwd *pw = getpwuid(geteuid());
    return pt_xstrdup(pw && pw->pw_dir ? pw->pw_dir : "/root");
}

static void add_fix(struct pt_secret_gap *g, char *command)
{
    g->fix = pt_xrealloc(g->fix, (g->n_fix + 1) * sizeof(*g->fix));
    g->fix[g->n_fix++] = command;
}

/* Writes the password to a new private file and points the setting at it. */
static void write_file_fix(const struct pt_project *p, const struct secret *s, const char *var,
                           struct pt_secret_gap *g)
{
    char *home = home_dir();
    char *dir = pt_path_join(home, ".config/poshtiban");
    /* One file per project: another project's password is never overwritten. */
    char *marker = pt_cron_marker(p);
    const char *id = strrchr(marker, ' ') ? strrchr(marker, ' ') + 1 : marker;
    char *name = pt_xasprintf("%s-%s", id, s->file_suffix);
    char *file = pt_path_join(dir, name);
    char *qdir = pt_sh_quote(dir), *qfile = pt_sh_quote(file);
    add_fix(g, pt_xasprintf("mkdir -p -m 700 %s", qdir));
    const char *value = getenv(var);
    if (value && *value)
        add_fix(g, pt_xasprintf("(umask 077 && printenv %s > %s)", var, qfile));
    else
        add_fix(g, pt_xasprintf("(umask 077 && cat > %s)   # %s", qfile,
                                _("type the password, Enter, then Ctrl-D")));
    add_fix(g,
            pt_xasprintf("poshtiban settings set %s %s", pt_settings_def(s->file_key)->key, qfile));
    free(qfile);
    free(qdir);
    free(file);
    free(name);
    free(marker);
    free(dir);
    free(home);
}

static void check_one(const struct pt_project *p, struct pt_catalog *c, const struct secret *s,
                      struct pt_secret_gaps *out)
{
    char *file = pt_settings_password_file(p, c, s->file_key);
    char *var = pt_settings_string(c, s->env_key);
    struct pt_error e = {0};
    struct pt_secret_gap g = {.setting = pt_settings_def(s->file_key)->key};
    if (file) {
        if (pt_secret_file_read(file, NULL, &e) != PT_OK) {
            g.problem = pt_xasprintf(_(s->unusable), e.message);
            struct stat st;
            if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) {
                char *q = pt_sh_quote(file);
                add_fix(&g, pt_xasprintf("chmod 600 %s", q));
                free(q);
            } else {
                write_file_fix(p, s, var, &g);
            }
        }
    } else if (!pt_cron_defines(var)) {
        g.problem = pt_xasprintf(_(s->missing), var);
        write_file_fix(p, s, var, &g);
    }
    if (g.problem) {
        out->items = pt_xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
        out->items[out->n++] = g;
    }
    pt_error_clear(&e);
    free(var);
    free(file);
}

void pt_secrets_check(const struct pt_project *p, struct pt_catalog *c, unsigned flags,
                      struct pt_secret_gaps *out)
{
    memset(out, 0, sizeof(*out));
    if ((flags & PT_SECRETS_OFFSITE) || pt_settings_bool(c, PT_KEY_OFFSITE_ENABLED))
        check_one(p, c, &offsite, out);
    char *user = pt_settings_string(c, PT_KEY_NOTIFY_SMTP_USER);
    /* Without a login the server is sent no password at all. */
    if (pt_settings_bool(c, PT_KEY_NOTIFY_EMAIL_ENABLED) && *user)
        check_one(p, c, &mail, out);
    free(user);
}

bool pt_secrets_setting(enum pt_setting_id id)
{
    switch (id) {
    case PT_KEY_OFFSITE_ENABLED:
    case PT_KEY_OFFSITE_PASSWORD_ENV:
    case PT_KEY_OFFSITE_PASSWORD_FILE:
    case PT_KEY_NOTIFY_EMAIL_ENABLED:
    case PT_KEY_NOTIFY_SMTP_USER:
    case PT_KEY_NOTIFY_SMTP_PASSWORD_ENV:
    case PT_KEY_NOTIFY_SMTP_PASSWORD_FILE:
        return true;
    default:
        return false;
    }
}

void pt_secret_gaps_free(struct pt_secret_gaps *gaps)
{
    for (size_t i = 0; i < gaps->n; i++) {
        free(gaps->items[i].problem);
        for (size_t j = 0; j < gaps->items[i].n_fix; j++)
            free(gaps->items[i].fix[j]);
        free(gaps->items[i].fix);
    }
    free(gaps->items);
    memset(gaps, 0, sizeof(*gaps));
}
