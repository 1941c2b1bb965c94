// SPDX-License-Identifier: GPL-3.0-or-later
#include "auto/restic.h"

#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/secretfile.h"
#include "poshtiban/i18n.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"
#include "base/subprocess.h"

extern char **environ;

/* Variables of the caller's that would tell restic another repository or password. */
static bool ours(const char *entry)
{
    static const char *const names[] = {
        "RESTIC_REPOSITORY=",    "RESTIC_REPOSITORY_FILE=",  "RESTIC_PASSWORD=",
        "RESTIC_PASSWORD_FILE=", "RESTIC_PASSWORD_COMMAND=", "TZ="};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strncmp(entry, names[i], strlen(names[i])) == 0)
            return true;
    return false;
}

static void add_env(struct pt_restic *r, size_t *n, char *entry)
{
    r->envp = pt_xrealloc(r->envp, (*n + 2) * sizeof(*r->envp));
    r->envp[(*n)++] = entry;
    r->envp[*n] = NULL;
}

enum pt_status pt_restic_open(struct pt_restic *r, const struct pt_project *p, struct pt_catalog *c,
                              const char *repository, struct pt_error *err)
{
    memset(r, 0, sizeof(*r));
    r->repository =
        repository ? pt_xstrdup(repository) : pt_settings_string(c, "offsite.repository");
    if (!*r->repository) {
        pt_restic_close(r);
        return pt_error_set(err, PT_EINVAL,
                            _("no off-site repository: set one with `poshtiban settings set "
                              "offsite.repository STRING`"));
    }
    char *file = pt_settings_password_file(p, c, "offsite.password_file");
    char *var = pt_settings_string(c, "offsite.password_env");
    const char *password = file ? NULL : getenv(var);
    enum pt_status rc = PT_OK;
    /* restic reads the file itself; a file others may read is refused all the same. */
    if (file && pt_secret_file_read(file, NULL, err) != PT_OK)
        rc = err ? (err->status = PT_EFAIL) : PT_EFAIL;
    else if (!file && (!password || !*password))
        rc = pt_error_set(err, PT_EFAIL,
                          _("the environment variable %s, which holds the off-site repository "
                            "password, is not set (setting offsite.password_env; cron does not "
                            "see your shell's variables: see `poshtiban doctor` for the "
                            "password file that it reads)"),
                          var);
    size_t n = 0;
    for (char **e = environ; rc == PT_OK && *e; e++)
        if (!ours(*e))
            add_env(r, &n, pt_xstrdup(*e));
    if (rc == PT_OK) {
        add_env(r, &n, pt_xasprintf("RESTIC_REPOSITORY=%s", r->repository));
        if (file) {
            add_env(r, &n, pt_xasprintf("RESTIC_PASSWORD_FILE=%s", file));
        } else {
            add_env(r, &n, pt_xasprintf("RESTIC_PASSWORD=%s", password));
        }
        /* Snapshot times are given and read in UTC; status lines a few times a second. */
        add_env(r, &n, pt_xstrdup("TZ=UTC"));
        if (!getenv("RESTIC_PROGRESS_FPS"))
            add_env(r, &n, pt_xstrdup("RESTIC_PROGRESS_FPS=4"));
    }
    free(var);
    free(file);
    if (rc != PT_OK)
        pt_restic_close(r);
    return rc;
}

void pt_restic_close(struct pt_restic *r)
{
    for (char **e = r->envp; e && *e; e++) {
        /* The password was in here: it does not stay in freed memory. */
        memset(*e, 0, strlen(*e));
        free(*e);
    }
    free(r->envp);
    free(r->repository);
    memset(r, 0, sizeof(*r));
}

struct lines {
    const struct pt_restic_call *call;
};

static void on_line(const char *line, void *user)
{
    const struct pt_restic_call *call = ((struct lines *)user)->call;
    if (line[0] != '{' && line[0] != '[')
        return;
    json_t *msg = json_loads(line, JSON_DECODE_ANY, NULL);
    if (!msg)
        return;
    const char *type = json_string_value(json_object_get(msg, "message_type"));
    const struct pt_monitor *m = call->monitor;
    if (type && strcmp(type, "status") == 0) {
        if (m && m->progress) {
            struct pt_progress pr = {call->phase,
                                     json_integer_value(json_object_get(msg, "bytes_done")),
                                     json_integer_value(json_object_get(msg, "total_bytes")), NULL};
            m->progress(&pr, m->user);
        }
    } else if (call->on_json) {
        call->on_json(msg, call->user);
    }
    json_decref(msg);
}

/* s with every occurrence of what replaced by with. New string. */
static char *replace_all(const char *s, const char *what, const char *with)
{
    size_t wl = strlen(what);
    char *out = pt_xstrdup("");
    const char *hit;
    while (wl && (hit = strstr(s, what))) {
        char *next = pt_xasprintf("%s%.*s%s", out, (int)(hit - s), s, with);
        free(out);
        out = next;
        s = hit + wl;
    }
    char *next = pt_xasprintf("%s%s", out, s);
    free(out);
    return next;
}

/* One line from restic's stderr: its Fatal line, with what ssh said when it said something. */
static char *failure_line(const struct pt_restic *r, const char *errout, int code)
{
    char *copy = pt_xstrdup(errout), *save = NULL;
    char *fatal = NULL, *ssh = NULL, *last = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        while (*l == ' ' || *l == '\r')
            l++;
        if (!*l)
            continue;
        if (!fatal && strncmp(l, "Fatal: ", 7) == 0)
            fatal = l + 7;
        else if (!ssh && strncmp(l, "subprocess ssh: ", 16) == 0)
            ssh = l + 16;
        last = l;
    }
    char *line;
    if (fatal && ssh)
        line = pt_xasprintf("%s (%s)", fatal, ssh);
    else if (fatal || last)
        line = pt_xstrdup(fatal ? fatal : last);
    else
        line = pt_xasprintf(_("exit status %d"), code);
    free(copy);
    char *shown = pt_text_redact_url(r->repository);
    char *safe = replace_all(line, r->repository, shown);
    char *printable = pt_text_printable(safe);
    free(safe);
    free(shown);
    free(line);
    return printable;
}

enum pt_status pt_restic_run(struct pt_restic *r, const struct pt_restic_call *call,
                             struct pt_error *err)
{
    size_t n = 0;
    while (call->args[n])
        n++;
    const char **argv = pt_xcalloc(n + 2, sizeof(*argv));
    argv[0] = "restic";
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = call->args[i];
    struct lines lines = {call};
    struct pt_subprocess_stream st = {.argv = argv,
                                      .envp = r->envp,
                                      .cwd = call->cwd,
                                      .on_line = on_line,
                                      .user = &lines,
                                      .cancel = call->monitor ? call->monitor->cancel : NULL};
    struct pt_subprocess_result res;
    struct pt_error spawn = {0};
    enum pt_status rc = pt_subprocess_run_stream(&st, &res, &spawn);
    free(argv);
    if (rc == PT_ENOTFOUND)
        rc = pt_error_set(err, PT_EFAIL,
                          _("restic is not installed; off-site copies need it: sudo apt install "
                            "restic"));
    else if (rc != PT_OK)
        rc = pt_error_set(err, PT_EFAIL, "%s", spawn.message ? spawn.message : _("failed"));
    pt_error_clear(&spawn);
    if (rc != PT_OK)
        return rc;
    if (res.cancelled)
        rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    else if (res.exit_code != 0) {
        char *line = failure_line(r, res.errout, res.exit_code);
        rc = pt_error_set(err, PT_EFAIL, _("restic: %s"), line);
        free(line);
    }
    pt_subprocess_free(&res);
    return rc;
}
