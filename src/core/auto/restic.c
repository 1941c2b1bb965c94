// SPDX-License-Identifier: GPL-3.0-or-later
#include "auto/restic.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"
#include "poshtiban/testhooks.h"
#include "poshtiban/text.h"

#include "base/fsutil.h"
#include "base/secretfile.h"
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
        repository ? pt_xstrdup(repository) : pt_settings_string(c, PT_KEY_OFFSITE_REPOSITORY);
    if (!*r->repository) {
        pt_restic_close(r);
        return pt_error_set(err, PT_EINVAL,
                            _("no off-site repository: set one with `poshtiban settings set "
                              "offsite.repository STRING`"));
    }
    char *file = pt_settings_password_file(p, c, PT_KEY_OFFSITE_PASSWORD_FILE);
    char *var = pt_settings_string(c, PT_KEY_OFFSITE_PASSWORD_ENV);
    const char *password = file ? NULL : getenv(var);
    enum pt_status rc = PT_OK;
    /* restic reads the file itself; a file others may read is refused all the same. */
    if (file && pt_secret_file_read(file, NULL, err) != PT_OK) {
        rc = PT_EFAIL; /* a failed run, as for a missing variable: exit 1 */
        if (err)
            err->status = PT_EFAIL;
    } else if (!file && (!password || !*password))
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
    free(r->stalled);
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

/*
 * "repository is already locked exclusively by PID 4242 on host by user
 * (UID 0, GID 0)" and "lock was created at … (5m0s ago)": who holds it and
 * since when, or NULL when restic said nothing of a lock. restic ends with
 * "the `unlock` command can be used to remove stale locks", which invites
 * removing a live one: that line is never shown.
 */
static char *lock_holder(const char *errout)
{
    const char *locked = strstr(errout, "is already locked");
    if (!locked)
        return NULL;
    locked += strlen("is already locked");
    while (*locked == ' ')
        locked++;
    int holder = (int)strcspn(locked, "\n");
    const char *created = strstr(errout, "lock was created at ");
    const char *open = created ? strchr(created, '(') : NULL;
    int age = open ? (int)strcspn(open + 1, ")\n") : 0;
    if (open && open[1 + age] == ')' && age > 4 && strncmp(open + 1 + age - 4, " ago", 4) == 0)
        return pt_xasprintf(_("the repository is locked by another restic, %.*s, since %.*s ago: "
                              "let it finish, and do not unlock the repository while it runs"),
                            holder, locked, age - 4, open + 1);
    return pt_xasprintf(_("the repository is locked by another restic, %.*s: let it finish, and do "
                          "not unlock the repository while it runs"),
                        holder, locked);
}

/*
 * The cause of restic's last retry ("Save(<data/…>) returned error, retrying
 * after 1.2s: Post "…": dial tcp …: connect: connection refused"): what
 * follows the last ": ", which holds no address. NULL when none.
 */
static char *last_retry_error(const char *errout)
{
    const char *hit = NULL;
    for (const char *p = errout; (p = strstr(p, "returned error, retrying after")); p++)
        hit = p;
    if (!hit)
        return NULL;
    size_t len = strcspn(hit, "\n");
    const char *cause = NULL;
    for (const char *q = hit; q + 1 < hit + len; q++)
        if (q[0] == ':' && q[1] == ' ')
            cause = q + 2;
    if (!cause || cause >= hit + len)
        return NULL;
    char *text = pt_xasprintf("%.*s", (int)(hit + len - cause), cause);
    char *printable = pt_text_printable(text);
    free(text);
    return printable;
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
    char *line = lock_holder(errout);
    if (!line && fatal && ssh)
        line = pt_xasprintf("%s (%s)", fatal, ssh);
    else if (!line && (fatal || last))
        line = pt_xstrdup(fatal ? fatal : last);
    else if (!line)
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
    if (r->stalled) {
        free(argv);
        return pt_error_set(err, PT_EFAIL, "%s", r->stalled);
    }
    long stall_ms = PT_RESTIC_STALL_MS;
#ifdef PT_TEST_HOOKS
    if (pt_test_hooks()->stall_ms > 0)
        stall_ms = pt_test_hooks()->stall_ms;
#endif
    struct lines lines = {call};
    struct pt_subprocess_stream st = {.stall_ms = call->watched ? stall_ms : 0,
                                      .argv = argv,
                                      .envp = r->envp,
                                      .cwd = call->cwd,
                                      .on_line = on_line,
                                      .user = &lines,
                                      .cancel = call->monitor ? call->monitor->cancel : NULL};
    struct pt_subprocess_result res;
    struct pt_error spawn = {0};
    r->no_space = false;
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
    if (res.stalled) {
        /* What restic says as it is stopped is about the lock it cannot remove: not the cause. */
        char *shown = pt_text_redact_url(r->repository);
        char *secs = pt_l10n_int((stall_ms + 999) / 1000);
        char *last = last_retry_error(res.errout);
        if (last)
            r->stalled = pt_xasprintf(_("the repository %s stopped answering: restic sent and "
                                        "received nothing for %s s, so it was stopped (its last "
                                        "error: %s)"),
                                      shown, secs, last);
        else
            r->stalled = pt_xasprintf(_("the repository %s stopped answering: restic sent and "
                                        "received nothing for %s s, so it was stopped"),
                                      shown, secs);
        free(last);
        free(secs);
        free(shown);
        rc = pt_error_set(err, PT_EFAIL, "%s", r->stalled);
    } else if (res.cancelled)
        rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
    else if (res.exit_code != 0) {
        /* restic 0.14 ends a restore that ran out of room with "There were N errors". */
        r->no_space = res.errout && strcasestr(res.errout, "no space left on device");
        char *line = failure_line(r, res.errout, res.exit_code);
        rc = pt_error_set(err, PT_EFAIL, _("restic: %s"), line);
        free(line);
    }
    pt_subprocess_free(&res);
    return rc;
}
