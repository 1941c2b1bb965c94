// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/settings.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/session.h"
#include "poshtiban/text.h"

#include "base/fsutil.h"
#include "base/secretfile.h"

#define PT_SETTING_ROW_(id, key, type, default_value, min, max, choices, help)                     \
    [PT_KEY_##id] = {PT_KEY_##id, key, PT_SETTING_##type, default_value, min, max, choices, help},
static const struct pt_setting_def defs[] = {PT_SETTINGS(PT_SETTING_ROW_)};
#undef PT_SETTING_ROW_

/* The enum and the table come from one list; a row lost on the way would be a setting of zeros. */
_Static_assert(sizeof(defs) / sizeof(defs[0]) == PT_SETTINGS_COUNT,
               "enum pt_setting_id and the table of settings agree");

#define N_DEFS ((size_t)PT_SETTINGS_COUNT)

const struct pt_setting_def *pt_settings_defs(size_t *n)
{
    *n = N_DEFS;
    return defs;
}

const struct pt_setting_def *pt_settings_def(enum pt_setting_id id)
{
    return &defs[id];
}

const struct pt_setting_def *pt_settings_find(const char *key)
{
    for (size_t i = 0; key && i < N_DEFS; i++)
        if (strcmp(defs[i].key, key) == 0)
            return &defs[i];
    return NULL;
}

enum pt_status pt_settings_lookup(const char *key, enum pt_setting_id *id, struct pt_error *err)
{
    const struct pt_setting_def *def = pt_settings_find(key);
    if (!def)
        return pt_error_set(err, PT_ENOTFOUND,
                            _("unknown setting %s (see `poshtiban settings list`)"), key);
    *id = def->id;
    return PT_OK;
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

enum pt_status pt_settings_get(struct pt_catalog *catalog, enum pt_setting_id id, char **value,
                               struct pt_error *err)
{
    const struct pt_setting_def *def = &defs[id];
    *value = NULL;
    char *stored = NULL;
    enum pt_status rc = pt_catalog_setting_get(catalog, def->key, &stored, err);
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

enum pt_status pt_settings_set(struct pt_catalog *catalog, enum pt_setting_id id, const char *text,
                               struct pt_error *err)
{
    const struct pt_setting_def *def = &defs[id];
    char *canonical;
    enum pt_status rc = pt_settings_validate(def, text, &canonical, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_catalog_setting_put(catalog, def->key, canonical, err);
    free(canonical);
    /* The person has looked at the settings again since they were lost. */
    if (rc == PT_OK)
        pt_catalog_setting_delete(catalog, PT_SETTINGS_LOST_KEY, NULL);
    return rc;
}

enum pt_status pt_settings_save(struct pt_session *s, enum pt_setting_id id, const char *text,
                                char **stored, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    if (stored)
        *stored = NULL;
    const struct pt_setting_def *def = &defs[id];
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
    rc = pt_settings_set(c, id, text, err);
    if (rc == PT_OK && stored)
        pt_settings_get(c, id, stored, NULL);
    return rc;
}

bool pt_settings_bool(struct pt_catalog *catalog, enum pt_setting_id id)
{
    char *v = pt_settings_string(catalog, id);
    bool out = v && strcmp(v, "true") == 0;
    free(v);
    return out;
}

int64_t pt_settings_int(struct pt_catalog *catalog, enum pt_setting_id id)
{
    char *v = pt_settings_string(catalog, id);
    int64_t out = v ? strtoll(v, NULL, 10) : 0;
    free(v);
    return out;
}

char *pt_settings_string(struct pt_catalog *catalog, enum pt_setting_id id)
{
    char *v = NULL;
    if (pt_settings_get(catalog, id, &v, NULL) != PT_OK) {
        free(v);
        return pt_xstrdup(defs[id].default_value);
    }
    return v;
}

char *pt_settings_password_file(const struct pt_project *p, struct pt_catalog *c,
                                enum pt_setting_id id)
{
    char *file = pt_settings_string(c, id);
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
        if (pt_settings_get(catalog, defs[i].id, &v, err) != PT_OK) {
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
