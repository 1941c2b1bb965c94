// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/settings.h"
#include "poshtiban/session.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fsutil.h"
#include "base/secretfile.h"
#include "poshtiban/i18n.h"
#include "poshtiban/text.h"
#include "poshtiban/l10n.h"

static const char *const formats[] = {"dir", "zip", "tar.zst", NULL};
static const char *const email_on[] = {"failure", "always", NULL};
static const char *const apprise_on[] = {"failure", "always", "changes", NULL};
static const char *const languages[] = {"auto", "fa", "en", NULL};
static const char *const bidi_modes[] = {"auto", "app", "terminal", "off", NULL};
static const char *const calendars[] = {"auto", "jalali", "gregorian", NULL};

static const struct pt_setting_def defs[] = {
    {"auto.enabled", PT_SETTING_BOOL, "false", 0, 0, NULL, N_("automatic backups on or off")},
    {"auto.interval_hours", PT_SETTING_INT, "24", 1, 8760, NULL,
     N_("hours between automatic backups")},
    {"auto.time", PT_SETTING_TIME, "", 0, 0, NULL,
     N_("preferred time of day for automatic backups (local time)")},
    {"auto.changes_minutes", PT_SETTING_INT, "15", 0, 1440, NULL,
     N_("minutes between change sets captured by auto; 0: none")},
    {"retention.max_backups", PT_SETTING_INT, "10", 1, 10000, NULL,
     N_("how many completed backups to keep")},
    {"retention.max_age_days", PT_SETTING_INT, "0", 0, 36500, NULL,
     N_("delete backups older than this many days; 0 keeps them regardless of age")},
    {"retention.auto_cleanup", PT_SETTING_BOOL, "true", 0, 0, NULL,
     N_("apply retention after every successful backup")},
    {"changes.keep_all_hours", PT_SETTING_INT, "48", 1, 8760, NULL,
     N_("hours during which every change set is kept")},
    {"changes.keep_hourly_days", PT_SETTING_INT, "14", 0, 3650, NULL,
     N_("days after those during which one change set per hour is kept")},
    {"backup.format", PT_SETTING_CHOICE, "dir", 0, 0, formats, N_("storage format")},
    {"backup.compression_level", PT_SETTING_INT, "3", 1, 19, NULL,
     N_("zstd compression level (zip maps it to deflate 1 to 9)")},
    {"backup.compress", PT_SETTING_BOOL, "true", 0, 0, NULL,
     N_("format dir: fixtures as .json.gz (loaddata reads them as they are) and the snapshot as "
        "database.sqlite3.zst (zstd -d); false: plain files")},
    {"backup.include_media", PT_SETTING_BOOL, "true", 0, 0, NULL, N_("copy the media folder")},
    {"notify.email.enabled", PT_SETTING_BOOL, "false", 0, 0, NULL, N_("send mail after backups")},
    {"notify.email.on", PT_SETTING_CHOICE, "failure", 0, 0, email_on,
     N_("failure: failures and the first success after one; always: every backup")},
    {"notify.email.to", PT_SETTING_EMAILS, "", 0, 0, NULL, N_("recipients, separated by commas")},
    {"notify.smtp.url", PT_SETTING_SMTP_URL, "", 0, 0, NULL, N_("mail server")},
    {"notify.smtp.user", PT_SETTING_LOGIN, "", 0, 0, NULL, N_("mail server login")},
    {"notify.smtp.password_env", PT_SETTING_ENV_NAME, "POSHTIBAN_SMTP_PASSWORD", 0, 0, NULL,
     N_("environment variable holding the mail password; the password is never stored")},
    {"notify.smtp.password_file", PT_SETTING_PASSWORD_FILE, "", 0, 0, NULL,
     N_("file holding the mail password (mode 600), used instead of the variable when set; "
        "cron sees no shell variables")},
    {"notify.smtp.insecure", PT_SETTING_BOOL, "false", 0, 0, NULL,
     N_("allow sending the login to an smtp:// server that offers no STARTTLS, in clear")},
    {"notify.ping_url", PT_SETTING_HTTP_URL, "", 0, 0, NULL,
     N_("dead-man ping: URL on success, URL/start, URL/fail")},
    {"notify.apprise.enabled", PT_SETTING_BOOL, "false", 0, 0, NULL,
     N_("send alerts through Apprise (ntfy, Telegram, Slack, Matrix…) after backups")},
    {"notify.apprise.urls_file", PT_SETTING_PRIVATE_FILE, "", 0, 0, NULL,
     N_("file holding the Apprise URLs, one a line, or an Apprise configuration (mode 600)")},
    {"notify.apprise.on", PT_SETTING_CHOICE, "failure", 0, 0, apprise_on,
     N_("failure: failures and the first success after one; always: every backup; changes: only "
        "when backups start failing or work again")},
    {"metrics.textfile", PT_SETTING_TEXTFILE, "", 0, 0, NULL,
     N_("Prometheus text file written after every operation, for node_exporter's textfile "
        "collector (a .prom path); empty: none")},
    {"ui.language", PT_SETTING_CHOICE, "auto", 0, 0, languages,
     N_("language; auto follows the locale")},
    {"ui.bidi", PT_SETTING_CHOICE, "auto", 0, 0, bidi_modes, N_("who reorders right-to-left text")},
    {"ui.calendar", PT_SETTING_CHOICE, "auto", 0, 0, calendars,
     N_("calendar; auto is Jalali when the language is Persian")},
    {"fixtures.datetime_utc", PT_SETTING_BOOL, "true", 0, 0, NULL,
     N_("write date-times in fixtures with a UTC designator")},
    {"offsite.enabled", PT_SETTING_BOOL, "false", 0, 0, NULL,
     N_("copy backups off-site with restic: after each backup, and retried by auto")},
    {"offsite.repository", PT_SETTING_REPOSITORY, "", 0, 0, NULL,
     N_("restic repository, given to restic as it is (sftp:host:/path, s3:…, rest:…, a path)")},
    {"offsite.password_env", PT_SETTING_ENV_NAME, "POSHTIBAN_RESTIC_PASSWORD", 0, 0, NULL,
     N_("environment variable holding the repository password; the password is never stored")},
    {"offsite.password_file", PT_SETTING_PASSWORD_FILE, "", 0, 0, NULL,
     N_("file holding the repository password (mode 600), used instead of the variable when "
        "set; cron sees no shell variables")},
    {"offsite.after_backup", PT_SETTING_BOOL, "true", 0, 0, NULL,
     N_("send each new backup off-site as soon as it is taken")},
    {"offsite.keep_last", PT_SETTING_INT, "0", 0, 100000, NULL,
     N_("off-site prune keeps this many newest copies; 0: not used")},
    {"offsite.keep_daily", PT_SETTING_INT, "7", 0, 100000, NULL,
     N_("off-site prune keeps the newest copy of this many days; 0: not used")},
    {"offsite.keep_weekly", PT_SETTING_INT, "4", 0, 100000, NULL,
     N_("off-site prune keeps the newest copy of this many weeks; 0: not used")},
    {"offsite.keep_monthly", PT_SETTING_INT, "12", 0, 100000, NULL,
     N_("off-site prune keeps the newest copy of this many months; 0: not used")},
    {"verify.after_auto", PT_SETTING_BOOL, "true", 0, 0, NULL,
     N_("auto verifies each automatic backup as soon as it is taken")},
    {"verify.deep_every_days", PT_SETTING_INT, "7", 0, 365, NULL,
     N_("auto deep-verifies every backup this many days apart; 0: never")},
    {"hooks.before_backup", PT_SETTING_STRING, "", 0, 0, NULL,
     N_("shell command run in the project folder before each backup; when it fails, no backup "
        "is taken")},
    {"hooks.after_backup", PT_SETTING_STRING, "", 0, 0, NULL,
     N_("shell command run after each backup, completed or failed ($POSHTIBAN_STATUS says "
        "which)")},
    {"hooks.before_restore", PT_SETTING_STRING, "", 0, 0, NULL,
     N_("shell command run before each restore; when it fails, nothing is restored")},
    {"hooks.after_restore", PT_SETTING_STRING, "", 0, 0, NULL,
     N_("shell command run after each restore, such as python3 manage.py migrate")},
    {"hooks.timeout_seconds", PT_SETTING_INT, "300", 1, 86400, NULL,
     N_("seconds a hook may run before it is stopped (and counted as failed)")},
};

#define N_DEFS (sizeof(defs) / sizeof(defs[0]))

const struct pt_setting_def *pt_settings_defs(size_t *n)
{
    *n = N_DEFS;
    return defs;
}

const struct pt_setting_def *pt_settings_find(const char *key)
{
    for (size_t i = 0; key && i < N_DEFS; i++)
        if (strcmp(defs[i].key, key) == 0)
            return &defs[i];
    return NULL;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static bool valid_email(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    if (!at || at == s || at == s + len - 1)
        return false;
    for (size_t i = 0; i < len; i++)
        if (isspace((unsigned char)s[i]) || s[i] == ',' || s[i] == '<' || s[i] == '>' ||
            (s[i] == '@' && s + i != at))
            return false;
    return memchr(at, '.', (size_t)(s + len - at)) != NULL;
}

static char *canonical_emails(const char *text)
{
    size_t cap = strlen(text) * 2 + 1;
    char *out = pt_xcalloc(1, cap);
    const char *p = text;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && *p != ',' && !isspace((unsigned char)*p))
            p++;
        if (p == start)
            continue;
        if (!valid_email(start, (size_t)(p - start))) {
            free(out);
            return NULL;
        }
        if (*out)
            strcat(out, ", ");
        strncat(out, start, (size_t)(p - start));
    }
    return out;
}

static bool url_with_scheme(const char *s, const char *const *schemes)
{
    for (; *schemes; schemes++) {
        size_t n = strlen(*schemes);
        if (strncasecmp(s, *schemes, n) == 0)
            return s[n] != '\0' && s[n] != '/' && !strpbrk(s, " \t");
    }
    return false;
}

char *pt_settings_shown(const struct pt_setting_def *def, const char *value)
{
    return def->type == PT_SETTING_REPOSITORY ? pt_text_redact_url(value) : pt_xstrdup(value);
}

static enum pt_status refuse(const struct pt_setting_def *def, const char *text,
                             const char *allowed, struct pt_error *err)
{
    char *shown = pt_settings_shown(def, text);
    pt_error_set(err, PT_EINVAL, _("setting %s: %s; \"%s\" is not allowed"), def->key, allowed,
                 shown);
    free(shown);
    return PT_EINVAL;
}

/*
 * Variables that hold something else: the password would be $PATH or
 * $HOME, or poshtiban's own settings. Names ending in * are prefixes.
 */
static bool taken_variable(const char *name)
{
    static const char *const names[] = {"PATH",
                                        "HOME",
                                        "USER",
                                        "LOGNAME",
                                        "SHELL",
                                        "TERM",
                                        "LANG",
                                        "LANGUAGE",
                                        "LC_*",
                                        "TZ",
                                        "PWD",
                                        "OLDPWD",
                                        "LD_*",
                                        "IFS",
                                        "MAIL",
                                        "TMPDIR",
                                        "HOSTNAME",
                                        "DISPLAY",
                                        "SSH_*",
                                        "EDITOR",
                                        "VISUAL",
                                        "PS1",
                                        "NO_COLOR",
                                        "COLUMNS",
                                        "LINES",
                                        "RESTIC_*",
                                        "POSHTIBAN_DATABASE",
                                        "POSHTIBAN_LOCALEDIR",
                                        "CODESPACES",
                                        "CODESPACE_NAME",
                                        "GITHUB_*"};
    /* The test hooks' variables, named in parts: a release binary holds none of their names. */
    static const char prefix[] = "POSHTIBAN_";
    if (strncmp(name, prefix, sizeof(prefix) - 1) == 0 &&
        (strncmp(name + sizeof(prefix) - 1, "TEST_", 5) == 0 ||
         strncmp(name + sizeof(prefix) - 1, "TUI_", 4) == 0))
        return true;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t n = strlen(names[i]);
        if (names[i][n - 1] == '*' ? strncmp(name, names[i], n - 1) == 0
                                   : strcmp(name, names[i]) == 0)
            return true;
    }
    return false;
}

enum pt_status pt_settings_validate(const struct pt_setting_def *def, const char *text,
                                    char **canonical, struct pt_error *err)
{
    *canonical = NULL;
    /* Every value is text in JSON and on screen: bytes that are not UTF-8 are never stored. */
    if (!pt_text_valid_utf8(text))
        return refuse(def, "…", _("must be UTF-8 text"), err);
    switch (def->type) {
    case PT_SETTING_BOOL: {
        static const char *const yes[] = {"true", "yes", "on", "1"};
        static const char *const no[] = {"false", "no", "off", "0"};
        for (size_t i = 0; i < 4; i++) {
            if (strcasecmp(text, yes[i]) == 0)
                *canonical = pt_xstrdup("true");
            else if (strcasecmp(text, no[i]) == 0)
                *canonical = pt_xstrdup("false");
        }
        if (!*canonical)
            return refuse(def, text, _("must be true or false"), err);
        return PT_OK;
    }
    case PT_SETTING_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (!*text || *end || errno || v < def->min || v > def->max) {
            char *low = pt_l10n_int(def->min), *high = pt_l10n_int(def->max);
            char *allowed = pt_xasprintf(_("must be a whole number from %s to %s"), low, high);
            free(low);
            free(high);
            refuse(def, text, allowed, err);
            free(allowed);
            return PT_EINVAL;
        }
        *canonical = pt_xasprintf("%lld", v);
        return PT_OK;
    }
    case PT_SETTING_CHOICE: {
        size_t len = 0;
        for (const char *const *c = def->choices; *c; c++) {
            if (strcmp(text, *c) == 0) {
                *canonical = pt_xstrdup(*c);
                return PT_OK;
            }
            len += strlen(*c) + 2;
        }
        char *list = pt_xcalloc(1, len + 1);
        for (const char *const *c = def->choices; *c; c++) {
            if (*list)
                strcat(list, ", ");
            strcat(list, *c);
        }
        char *allowed = pt_xasprintf(_("must be one of %s"), list);
        refuse(def, text, allowed, err);
        free(allowed);
        free(list);
        return PT_EINVAL;
    }
    case PT_SETTING_TIME: {
        int h, m, used = 0;
        if (!*text) {
            *canonical = pt_xstrdup("");
            return PT_OK;
        }
        if (sscanf(text, "%2d:%2d%n", &h, &m, &used) != 2 || text[used] || h < 0 || h > 23 ||
            m < 0 || m > 59 || !isdigit((unsigned char)text[0]))
            return refuse(def, text, _("must be a time of day as HH:MM, or empty"), err);
        *canonical = pt_xasprintf("%02d:%02d", h, m);
        return PT_OK;
    }
    case PT_SETTING_STRING:
    case PT_SETTING_REPOSITORY:
    case PT_SETTING_PASSWORD_FILE:
    case PT_SETTING_PRIVATE_FILE:
        if (has_control(text))
            return refuse(def, text, _("must be text without control characters"), err);
        *canonical = pt_xstrdup(text);
        return PT_OK;
    case PT_SETTING_TEXTFILE: {
        size_t n = strlen(text);
        /* node_exporter reads only *.prom: any other name would be written for nobody. */
        if (*text && (has_control(text) || n <= 5 || strcmp(text + n - 5, ".prom") != 0 ||
                      text[n - 6] == '/'))
            return refuse(def, text, _("must be the path of a file ending in .prom, or empty"),
                          err);
        *canonical = pt_xstrdup(text);
        return PT_OK;
    }
    case PT_SETTING_LOGIN:
        /* It becomes the mail's sender when it is an address: nothing that breaks a header. */
        if (has_control(text) || strpbrk(text, "<>\"(),;: \t"))
            return refuse(def, text,
                          _("must be a login or a mail address, without spaces, control "
                            "characters or < > \" ( ) , ; :"),
                          err);
        *canonical = pt_xstrdup(text);
        return PT_OK;
    case PT_SETTING_EMAILS:
        *canonical = has_control(text) ? NULL : canonical_emails(text);
        if (!*canonical)
            return refuse(def, text, _("must be mail addresses separated by commas, or empty"),
                          err);
        return PT_OK;
    case PT_SETTING_SMTP_URL: {
        static const char *const schemes[] = {"smtp://", "smtps://", NULL};
        if (*text && (has_control(text) || !url_with_scheme(text, schemes)))
            return refuse(def, text, _("must be an smtp:// or smtps:// URL, or empty"), err);
        /* A password here would be stored in the catalog: it belongs in the environment. */
        if (strchr(text, '@'))
            return refuse(def, "…",
                          _("must not hold a login: use notify.smtp.user, and the environment "
                            "variable of notify.smtp.password_env for the password"),
                          err);
        *canonical = pt_xstrdup(text);
        return PT_OK;
    }
    case PT_SETTING_HTTP_URL: {
        static const char *const schemes[] = {"http://", "https://", NULL};
        if (*text && (has_control(text) || !url_with_scheme(text, schemes)))
            return refuse(def, text, _("must be an http:// or https:// URL, or empty"), err);
        const char *scheme = strstr(text, "://");
        const char *authority = scheme ? scheme + 3 : text;
        const char *at = strrchr(authority, '@'), *colon = strchr(authority, ':');
        if (at && colon && colon < at)
            return refuse(def, "…",
                          _("must not hold a password: it would be stored in the catalog"), err);
        *canonical = pt_xstrdup(text);
        return PT_OK;
    }
    case PT_SETTING_ENV_NAME: {
        bool ok = (isalpha((unsigned char)text[0]) || text[0] == '_');
        for (const char *p = text; ok && *p; p++)
            ok = isalnum((unsigned char)*p) || *p == '_';
        if (!ok)
            return refuse(def, text, _("must be an environment variable name (letters, digits, _)"),
                          err);
        if (taken_variable(text))
            return refuse(def, text,
                          _("must name a variable of its own: this one holds something else "
                            "(the password would be its value)"),
                          err);
        *canonical = pt_xstrdup(text);
        return PT_OK;
    }
    }
    return refuse(def, text, _("is not allowed"), err);
}

static enum pt_status unknown(const char *key, struct pt_error *err)
{
    return pt_error_set(err, PT_ENOTFOUND, _("unknown setting %s (see `poshtiban settings list`)"),
                        key);
}

enum pt_status pt_settings_get(struct pt_catalog *catalog, const char *key, char **value,
                               struct pt_error *err)
{
    const struct pt_setting_def *def = pt_settings_find(key);
    *value = NULL;
    if (!def)
        return unknown(key, err);
    char *stored = NULL;
    enum pt_status rc = pt_catalog_setting_get(catalog, key, &stored, err);
    if (rc != PT_OK)
        return rc;
    char *canonical = NULL;
    /* A value stored by another version that this one refuses reads as the default. */
    if (stored && pt_settings_validate(def, stored, &canonical, NULL) == PT_OK) {
        *value = canonical;
    } else {
        free(canonical);
        *value = pt_xstrdup(def->default_value);
    }
    free(stored);
    return PT_OK;
}

enum pt_status pt_settings_set(struct pt_catalog *catalog, const char *key, const char *text,
                               struct pt_error *err)
{
    const struct pt_setting_def *def = pt_settings_find(key);
    if (!def)
        return unknown(key, err);
    char *canonical;
    enum pt_status rc = pt_settings_validate(def, text, &canonical, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_catalog_setting_put(catalog, key, canonical, err);
    free(canonical);
    /* The person has looked at the settings again since they were lost. */
    if (rc == PT_OK)
        pt_catalog_setting_delete(catalog, PT_SETTINGS_LOST_KEY, NULL);
    return rc;
}

enum pt_status pt_settings_save(struct pt_session *s, const char *key, const char *text,
                                char **stored, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    if (stored)
        *stored = NULL;
    const struct pt_setting_def *def = pt_settings_find(key);
    if (!def)
        return unknown(key, err);
    /* A bad value creates no catalog and no backup folder. */
    char *canonical;
    enum pt_status rc = pt_settings_validate(def, text, &canonical, err);
    if (rc != PT_OK)
        return rc;
    /* A password file others may read is refused now, not at the first nightly run. */
    if (def->type == PT_SETTING_PASSWORD_FILE && *canonical) {
        char *path = pt_path_absolute(p->root, canonical);
        if (pt_secret_file_read(path, NULL, err) != PT_OK) {
            rc = PT_EINVAL; /* what the person typed is refused: exit 2, as for any bad value */
            if (err)
                err->status = PT_EINVAL;
        }
        free(path);
    }
    if (def->type == PT_SETTING_PRIVATE_FILE && *canonical) {
        char *path = pt_path_absolute(p->root, canonical);
        if (pt_private_file_read(path, NULL, err) != PT_OK) {
            rc = PT_EINVAL;
            if (err)
                err->status = PT_EINVAL;
        }
        free(path);
    }
    free(canonical);
    if (rc != PT_OK)
        return rc;
    struct pt_catalog *c;
    if ((rc = pt_session_catalog(s, PT_CATALOG_WRITE, &c, err)) != PT_OK)
        return rc;
    rc = pt_settings_set(c, key, text, err);
    if (rc == PT_OK && stored)
        pt_settings_get(c, key, stored, NULL);
    return rc;
}

bool pt_settings_bool(struct pt_catalog *catalog, const char *key)
{
    char *v = pt_settings_string(catalog, key);
    bool out = v && strcmp(v, "true") == 0;
    free(v);
    return out;
}

int64_t pt_settings_int(struct pt_catalog *catalog, const char *key)
{
    char *v = pt_settings_string(catalog, key);
    int64_t out = v ? strtoll(v, NULL, 10) : 0;
    free(v);
    return out;
}

char *pt_settings_string(struct pt_catalog *catalog, const char *key)
{
    char *v = NULL;
    if (pt_settings_get(catalog, key, &v, NULL) != PT_OK) {
        const struct pt_setting_def *def = pt_settings_find(key);
        free(v);
        return pt_xstrdup(def ? def->default_value : "");
    }
    return v;
}

char *pt_settings_password_file(const struct pt_project *p, struct pt_catalog *c, const char *key)
{
    char *file = pt_settings_string(c, key);
    char *path = *file ? pt_path_absolute(p->root, file) : NULL;
    free(file);
    return path;
}

json_t *pt_settings_json_value(const struct pt_setting_def *def, const char *value)
{
    switch (def->type) {
    case PT_SETTING_BOOL:
        return json_boolean(strcmp(value, "true") == 0);
    case PT_SETTING_INT:
        return json_integer(strtoll(value, NULL, 10));
    default:
        return json_string(value);
    }
}

json_t *pt_settings_to_json(struct pt_catalog *catalog, struct pt_error *err)
{
    json_t *o = json_object();
    for (size_t i = 0; i < N_DEFS; i++) {
        char *v;
        if (pt_settings_get(catalog, defs[i].key, &v, err) != PT_OK) {
            json_decref(o);
            return NULL;
        }
        char *shown = pt_settings_shown(&defs[i], v);
        json_object_set_new(o, defs[i].key, pt_settings_json_value(&defs[i], shown));
        free(shown);
        free(v);
    }
    return o;
}
