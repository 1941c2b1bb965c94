// SPDX-License-Identifier: GPL-3.0-or-later
#include "auto/apprise.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/i18n.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"

#include "base/fsutil.h"
#include "base/secretfile.h"
#include "base/subprocess.h"

/* Apprise gives up on a service after a few seconds; a run silent this long is stuck. */
#define APPRISE_STALL_MS 60000L
/* What Apprise said, as it is kept in an error: a line, not a log. */
#define SAID_MAX 400

enum pt_mail_kind pt_apprise_choose(const char *on, enum pt_state state,
                                    const enum pt_state *previous)
{
    if (strcmp(on, "changes") != 0)
        return pt_mail_choose(strcmp(on, "always") == 0, state, previous);
    bool failed = state == PT_STATE_FAILED || state == PT_STATE_INTERRUPTED;
    bool failed_before =
        previous && (*previous == PT_STATE_FAILED || *previous == PT_STATE_INTERRUPTED);
    if (failed)
        return failed_before ? PT_MAIL_NONE : PT_MAIL_FAILED;
    return state == PT_STATE_COMPLETED && failed_before ? PT_MAIL_FIXED : PT_MAIL_NONE;
}

bool pt_apprise_found(void)
{
    const char *path = getenv("PATH");
    char *copy = pt_xstrdup(path && *path ? path : "/usr/bin:/bin"), *save = NULL;
    bool found = false;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *exe = pt_path_join(*d ? d : ".", "apprise");
        found = access(exe, X_OK) == 0;
        free(exe);
    }
    free(copy);
    return found;
}

/* The file of notify.apprise.urls_file, read and checked; NULL with err set when it is not fit. */
static char *read_urls(const struct pt_project *p, struct pt_catalog *c, char **path,
                       struct pt_error *err)
{
    *path = pt_settings_password_file(p, c, PT_KEY_NOTIFY_APPRISE_URLS_FILE);
    if (!*path) {
        pt_error_set(err, PT_EINVAL,
                     _("notify.apprise.urls_file is not set: name a file (mode 600) that holds "
                       "the Apprise URLs, one a line"));
        return NULL;
    }
    char *text = NULL;
    struct pt_error why = {0};
    if (pt_private_file_read(*path, &text, &why) != PT_OK) {
        pt_error_set(err, why.status, "notify.apprise.urls_file: %s", why.message);
        pt_error_clear(&why);
        return NULL;
    }
    /* Every URL (ntfy://, tgram://, json://…) and every Apprise configuration names one. */
    if (!pt_text_valid_utf8(text) || !strstr(text, "://")) {
        pt_error_set(err, PT_EINVAL,
                     _("the file %s holds no Apprise URL: write one a line, such as "
                       "ntfy://ntfy.sh/TOPIC"),
                     *path);
        memset(text, 0, strlen(text));
        free(text);
        return NULL;
    }
    return text;
}

enum pt_status pt_apprise_check(const struct pt_project *p, struct pt_catalog *c,
                                struct pt_error *err)
{
    char *path = NULL;
    char *text = read_urls(p, c, &path, err);
    free(path);
    if (!text)
        return err && err->status != PT_OK ? err->status : PT_EINVAL;
    memset(text, 0, strlen(text));
    free(text);
    return PT_OK;
}

static bool delimiter(char ch)
{
    return strchr(" \t\r\n/:@?&=#,;'\"[]{}()<>", ch) != NULL;
}

/* s with every word of the URLs file (4 bytes or more) replaced by ***, longest first. */
static char *mask(const char *s, const char *secrets)
{
    char *out = pt_xstrdup(s);
    for (;;) {
        /* The longest word of secrets still found in out. */
        const char *best = NULL;
        size_t best_len = 0;
        for (const char *w = secrets; *w;) {
            while (*w && delimiter(*w))
                w++;
            size_t len = 0;
            while (w[len] && !delimiter(w[len]))
                len++;
            if (len >= 4 && len > best_len) {
                char *word = pt_xasprintf("%.*s", (int)len, w);
                if (strstr(out, word)) {
                    best = w;
                    best_len = len;
                }
                free(word);
            }
            w += len;
        }
        if (!best)
            return out;
        char *word = pt_xasprintf("%.*s", (int)best_len, best);
        char *hit;
        while ((hit = strstr(out, word))) {
            char *next = pt_xasprintf("%.*s***%s", (int)(hit - out), out, hit + best_len);
            free(out);
            out = next;
        }
        free(word);
    }
}

/* What apprise logs (on stdout), kept up to a bound. */
struct log {
    char *text;
};

#define LOG_MAX 16384

static void on_line(const char *line, void *user)
{
    struct log *log = user;
    if (log->text && strlen(log->text) > LOG_MAX)
        return;
    char *next = pt_xasprintf("%s%s\n", log->text ? log->text : "", line);
    free(log->text);
    log->text = next;
}

/* Apprise's warnings and errors (it logs "DATE TIME - LEVEL - text"), on one line. */
static char *what_apprise_said(const char *errout)
{
    char *said = pt_xstrdup("");
    const char *line = errout ? errout : "";
    while (*line && strlen(said) < SAID_MAX) {
        size_t len = strcspn(line, "\n");
        const char *level = NULL;
        for (const char *m = line; m < line + len; m++)
            if (strncmp(m, " - WARNING - ", 13) == 0 || strncmp(m, " - ERROR - ", 11) == 0) {
                level = strstr(m + 3, " - ") + 3;
                break;
            }
        if (level && level < line + len) {
            char *next =
                pt_xasprintf("%s%s%.*s", said, *said ? "; " : "", (int)(line + len - level), level);
            free(said);
            said = next;
        }
        line += len + (line[len] == '\n');
    }
    if (strlen(said) > SAID_MAX) {
        size_t cut = SAID_MAX - 3;
        while (cut > 0 && ((unsigned char)said[cut] & 0xc0) == 0x80)
            cut--; /* never half a character */
        strcpy(said + cut, "…");
    }
    return said;
}

enum pt_status pt_apprise_send(const struct pt_project *p, struct pt_catalog *c, const char *type,
                               const char *title, const char *body, struct pt_error *err)
{
    char *path = NULL;
    char *secrets = read_urls(p, c, &path, err);
    if (!secrets) {
        free(path);
        return err && err->status != PT_OK ? err->status : PT_EINVAL;
    }
    const char *argv[] = {"apprise", "-v",      "--config", path,     "--notification-type",
                          type,      "--title", title,      "--body", body,
                          NULL};
    struct log log = {0};
    struct pt_subprocess_stream st = {
        .argv = argv, .stall_ms = APPRISE_STALL_MS, .on_line = on_line, .user = &log};
    struct pt_subprocess_result res;
    struct pt_error spawn = {0};
    enum pt_status rc = pt_subprocess_run_stream(&st, &res, &spawn);
    if (rc == PT_ENOTFOUND)
        rc = pt_error_set(err, PT_EFAIL,
                          _("apprise is not installed; alerts through Apprise need it: sudo "
                            "apt-get install apprise"));
    else if (rc != PT_OK)
        rc = pt_error_set(err, PT_EFAIL, "%s", spawn.message ? spawn.message : _("failed"));
    pt_error_clear(&spawn);
    if (rc == PT_OK) {
        char *all = pt_xasprintf("%s%s", log.text ? log.text : "", res.errout);
        char *said = what_apprise_said(all);
        free(all);
        char *masked = mask(said, secrets);
        if (res.stalled)
            rc = pt_error_set(err, PT_EFAIL, _("Apprise did not answer within a minute"));
        else if (res.exit_code == 3 || (res.exit_code != 0 && strstr(said, "configuration")))
            rc = pt_error_set(err, PT_EINVAL,
                              _("Apprise found no URL it can use in %s (it says: %s)"), path,
                              *masked ? masked : "-");
        else if (res.exit_code != 0 && *masked)
            rc =
                pt_error_set(err, PT_EFAIL, _("Apprise could not reach every service: %s"), masked);
        else if (res.exit_code != 0)
            rc = pt_error_set(err, PT_EFAIL, _("Apprise could not reach every service (exit %d)"),
                              res.exit_code);
        free(masked);
        free(said);
        pt_subprocess_free(&res);
    }
    free(log.text);
    memset(secrets, 0, strlen(secrets));
    free(secrets);
    free(path);
    return rc;
}
