// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/doctor.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/bidi.h"
#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/offsite.h"
#include "poshtiban/secrets.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"
#include "poshtiban/stats.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"

#include "auto/apprise.h"
#include "base/fsutil.h"
#include "base/shquote.h"
#include "base/subprocess.h"
#include "ops/changes-store.h"
#include "ops/hooks.h"
#include "ops/preflight.h"

#define DAY_S (24 * 3600LL)

static void warn(struct pt_doctor *d, char *text)
{
    d->warnings = pt_xrealloc(d->warnings, (d->n_warnings + 1) * sizeof(*d->warnings));
    d->warnings[d->n_warnings++] = text;
}

static bool needs_quoting(const char *s)
{
    char *q = pt_sh_quote(s);
    bool differs = strcmp(q, s) != 0;
    free(q);
    return differs;
}

/* $SSH_CONNECTION is "client-address client-port server-address server-port". */
static bool ssh_fields(const char *conn, char **server, char **port)
{
    *server = *port = NULL;
    if (!conn || !*conn)
        return false;
    char *copy = pt_xstrdup(conn), *save = NULL;
    char *fields[4] = {NULL};
    size_t n = 0;
    for (char *t = strtok_r(copy, " ", &save); t && n < 4; t = strtok_r(NULL, " ", &save))
        fields[n++] = t;
    if (n >= 3) {
        *server = pt_xstrdup(fields[2]);
        *port = pt_xstrdup(n == 4 ? fields[3] : "22");
    }
    free(copy);
    return *server != NULL;
}

char *pt_doctor_download_command(const char *path, bool dir, const char *codespace_name,
                                 const char *ssh_connection, const char *user)
{
    if (codespace_name && *codespace_name) {
        char *name = pt_sh_quote(codespace_name);
        char *remote = pt_xasprintf("remote:%s", path);
        char *quoted = pt_sh_quote_always(remote);
        /* -e lets the remote shell expand the name: only for names that need no quoting. */
        char *cmd = pt_xasprintf("gh codespace cp %s-c %s %s%s .", dir ? "-r " : "", name,
                                 needs_quoting(path) ? "" : "-e ", quoted);
        free(quoted);
        free(remote);
        free(name);
        return cmd;
    }
    char *server = NULL, *port_text = NULL;
    if (!ssh_fields(ssh_connection, &server, &port_text))
        return NULL;
    unsigned long sport = strtoul(port_text, NULL, 10);
    free(port_text);
    char *host = strchr(server, ':') ? pt_xasprintf("[%s]", server) : pt_xstrdup(server);
    char *target = pt_xasprintf("%s@%s:%s", user && *user ? user : "root", host, path);
    char *quoted = pt_sh_quote(target);
    char *port = sport && sport != 22 ? pt_xasprintf("-P %lu ", sport) : pt_xstrdup("");
    char *cmd = pt_xasprintf("scp %s%s%s .", port, dir ? "-r " : "", quoted);
    free(port);
    free(quoted);
    free(target);
    free(host);
    free(server);
    return cmd;
}

static char *user_name(void)
{
    const char *u = getenv("USER");
    if (u && *u)
        return pt_xstrdup(u);
    struct passwd *pw = getpwuid(geteuid());
    return pt_xstrdup(pw ? pw->pw_name : "root");
}

static char *ssh_server(const char *conn)
{
    char *server = NULL, *port = NULL;
    if (!ssh_fields(conn, &server, &port))
        return NULL;
    free(port);
    return server;
}

/* The folder holding .git, from the project root upwards; NULL when none. */
static char *git_work_tree(const char *root)
{
    char *dir = pt_xstrdup(root);
    for (;;) {
        char *git = pt_path_join(dir, ".git");
        struct stat st;
        bool here = lstat(git, &st) == 0;
        free(git);
        if (here)
            return dir;
        char *slash = strrchr(dir, '/');
        if (!slash || strcmp(dir, "/") == 0) {
            free(dir);
            return NULL;
        }
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
}

/* `git check-ignore`: true only when git says the path is ignored. */
static bool git_ignores(const char *tree, const char *path)
{
    const char *const argv[] = {"git", "-C", tree, "check-ignore", "-q", "--", path, NULL};
    struct pt_subprocess_result res;
    if (pt_subprocess_run(argv, NULL, 0, &res, NULL) != PT_OK)
        return false;
    bool ignored = res.exit_code == 0;
    pt_subprocess_free(&res);
    return ignored;
}

static void storage_warnings(const struct pt_project *p, struct pt_doctor *d)
{
    if (d->storage.kind == PT_STORAGE_CONTAINER || d->storage.kind == PT_STORAGE_MEMORY)
        warn(d, pt_xasprintf(_("the backups in %s are %s"), p->backups,
                             pt_storage_verdict(&d->storage)));
    if (d->storage.free_bytes >= 0 && d->next_backup_bytes > d->storage.free_bytes) {
        char need[32], have[32];
        pt_l10n_size(d->next_backup_bytes, need, sizeof(need));
        pt_l10n_size(d->storage.free_bytes, have, sizeof(have));
        warn(d, pt_xasprintf(_("only %s is free in %s; the next backup needs about %s"), have,
                             d->storage.path, need));
    }
    /* Links resolved: a backups folder that is a link into media is inside it too. */
    struct pt_error layout = {0};
    if (pt_project_check_layout(p, &layout) != PT_OK)
        warn(d, pt_xstrdup(layout.message));
    pt_error_clear(&layout);
    if (access(p->backups, F_OK) == 0 &&
        (access(p->backups, W_OK) != 0 ||
         (access(p->meta, F_OK) == 0 && access(p->meta, W_OK) != 0)))
        warn(d, pt_xasprintf(_("the backup folder %s cannot be written (%s): no backup, restore "
                               "or verify can be recorded there"),
                             p->backups, strerror(errno)));
    char *tree = git_work_tree(p->root);
    if (tree && pt_path_within(tree, p->backups) && !git_ignores(tree, p->backups))
        warn(d, pt_xasprintf(_("the backup folder %s is inside the git work tree %s and git "
                               "does not ignore it: add it to .gitignore, so that backups, "
                               "which hold all the data, are never committed"),
                             p->backups, tree));
    free(tree);
}

/* Mail that is switched on but cannot go out. */
static void mail_warnings(struct pt_catalog *c, struct pt_doctor *d)
{
    if (!pt_settings_bool(c, PT_KEY_NOTIFY_EMAIL_ENABLED))
        return;
    char *url = pt_settings_string(c, PT_KEY_NOTIFY_SMTP_URL);
    char *to = pt_settings_string(c, PT_KEY_NOTIFY_EMAIL_TO);
    if (!*url || !*to)
        warn(d, pt_xstrdup(_("notify.email.enabled is true but notify.smtp.url or "
                             "notify.email.to is empty: no mail can go out")));
    free(to);
    free(url);
}

/*
 * Change sets that should come every auto.changes_minutes but have not
 * (docs/changes.md): the database was last seen three intervals ago.
 */
static void changes_warnings(const struct pt_project *p, struct pt_catalog *c, struct pt_doctor *d)
{
    int64_t minutes = pt_settings_int(c, PT_KEY_AUTO_CHANGES_MINUTES);
    if (!d->auto_enabled || minutes <= 0)
        return;
    int64_t seen = pt_changes_last_seen(p, c);
    if (seen <= 0 || p->now_ms - seen < 3 * minutes * 60 * 1000)
        return;
    char age[64];
    pt_l10n_age((p->now_ms - seen) / 1000, age, sizeof(age));
    warn(d, pt_xasprintf(_("the database's changes were last saved %s, though "
                           "auto.changes_minutes is %lld: is the crontab line running auto "
                           "(poshtiban cron status)?"),
                         age, (long long)minutes));
}

/* Alerts through Apprise that are switched on but cannot go out. */
static void apprise_warnings(const struct pt_project *p, struct pt_catalog *c, struct pt_doctor *d)
{
    char *file = pt_settings_string(c, PT_KEY_NOTIFY_APPRISE_URLS_FILE);
    bool enabled = pt_settings_bool(c, PT_KEY_NOTIFY_APPRISE_ENABLED);
    if ((enabled || *file) && !pt_apprise_found())
        warn(d, pt_xstrdup(_("apprise, which sends the alerts of notify.apprise.*, is not "
                             "installed: sudo apt-get install apprise")));
    struct pt_error why = {0};
    if (enabled && pt_apprise_check(p, c, &why) != PT_OK)
        warn(d, pt_xasprintf(_("notify.apprise.enabled is true but no alert can go out: %s"),
                             why.message));
    pt_error_clear(&why);
    free(file);
}

/* Each password the scheduled run will not find, with the commands that fix it. */
static void secret_warnings(const struct pt_project *p, struct pt_catalog *c, struct pt_doctor *d)
{
    struct pt_secret_gaps gaps;
    pt_secrets_check(p, c, PT_SECRETS_ENABLED, &gaps);
    for (size_t i = 0; i < gaps.n; i++) {
        char *text = pt_xasprintf("%s; %s", gaps.items[i].problem, _("the commands that fix it:"));
        for (size_t j = 0; j < gaps.items[i].n_fix; j++) {
            char *next = pt_xasprintf("%s\n      %s", text, gaps.items[i].fix[j]);
            free(text);
            text = next;
        }
        warn(d, text);
    }
    pt_secret_gaps_free(&gaps);
}

static void offsite_state(struct pt_catalog *c, struct pt_doctor *d)
{
    d->offsite_enabled = pt_settings_bool(c, PT_KEY_OFFSITE_ENABLED);
    char *repo = pt_settings_string(c, PT_KEY_OFFSITE_REPOSITORY);
    d->offsite_repository = pt_text_redact_url(repo);
    d->restic_found = pt_offsite_restic_found();
    d->newest_offsite = d->has_newest && d->newest.offsite_snapshot;
    if ((*repo || d->offsite_enabled) && !d->restic_found)
        warn(d, pt_xstrdup(_("restic, which makes the off-site copies, is not installed: sudo "
                             "apt install restic")));
    if (d->offsite_enabled && !*repo)
        warn(d, pt_xstrdup(_("offsite.enabled is true but offsite.repository is empty: no "
                             "off-site copy can be made")));
    if (d->has_newest && !d->newest_offsite) {
        char *as_of = pt_stats_offsite_as_of(d->offsite_checked_at_ms, d->offsite_checked_age_s);
        warn(d, pt_xasprintf(_("the newest backup, %s, has no off-site copy (%s): it would not "
                               "survive the loss of this machine (`poshtiban push`; see "
                               "offsite.repository)"),
                             d->newest.name, as_of));
        free(as_of);
    }
    free(repo);
}

static void advise(struct pt_doctor *d, char *text)
{
    d->codespace_advice =
        pt_xrealloc(d->codespace_advice, (d->n_codespace_advice + 1) * sizeof(char *));
    d->codespace_advice[d->n_codespace_advice++] = text;
}

/* What a codespace does to backups beyond where they are stored (README, "Codespaces"). */
static void codespace_advice(struct pt_doctor *d)
{
    if (d->storage.kind != PT_STORAGE_WORKSPACE && d->storage.safe_place) {
        char *place = pt_l10n_rtl() ? pt_bidi_isolate(d->storage.safe_place)
                                    : pt_xstrdup(d->storage.safe_place);
        advise(d, pt_xasprintf(_("keep the backups in %s: it is kept across rebuilds and stops"),
                               place));
        free(place);
    }
    advise(d, pt_xstrdup(_("a codespace left stopped is deleted after its retention period (30 "
                           "days by default), with everything in it: download copies, or send "
                           "them off-site")));
    advise(d, pt_xstrdup(_("cron runs only while the codespace runs: a stopped codespace takes "
                           "no automatic backups, and cron must be started again with it")));
    if (d->cron.start_hint)
        advise(d, pt_xstrdup(d->cron.start_hint));
    advise(d, pt_xstrdup(_("to download a backup without gh: in the editor's Explorer, right-click "
                           "its folder or file and choose Download")));
}

static void automation_warnings(struct pt_doctor *d)
{
    const struct pt_cron_status *c = &d->cron;
    if (!d->has_last_success)
        warn(d, pt_xstrdup(_("there is no successful backup yet")));
    else if (d->overdue) {
        char age[64];
        pt_l10n_age(d->last_success_age_s, age, sizeof(age));
        warn(d, pt_xasprintf(_("the last successful backup, %s, was taken %s: backups are "
                               "overdue"),
                             d->last_success_name, age));
    }
    if (d->auto_enabled && !c->line)
        warn(d, pt_xstrdup(_("auto.enabled is true but no crontab line runs `poshtiban auto`: "
                             "run `poshtiban cron install`")));
    if (!c->crontab_ok && (d->auto_enabled || c->line))
        warn(d, pt_xstrdup(c->crontab_error));
    if (c->line && !c->program_ok)
        warn(d, pt_xasprintf(_("the crontab line runs %s, which is not there to run: install the "
                               "line again with `poshtiban cron install`"),
                             c->program ? c->program : "?"));
    if (c->line && !c->auto_enabled)
        warn(d, pt_xstrdup(_("the crontab line runs `poshtiban auto`, but auto.enabled is "
                             "false, so it takes no backup: `poshtiban settings set "
                             "auto.enabled true`")));
    if (c->line && !c->daemon_running)
        warn(d, pt_xasprintf(_("cron is not running, so the crontab line never runs: start it "
                               "with `%s`"),
                             c->start_command));
    if (c->has_last_auto &&
        (c->last_auto.status == PT_STATE_FAILED || c->last_auto.status == PT_STATE_INTERRUPTED))
        warn(d, pt_xasprintf(_("the last automatic backup, %s, failed: %s"), c->last_auto.name,
                             c->last_auto.error ? c->last_auto.error : "-"));
}

enum pt_status pt_doctor_run(struct pt_session *s, struct pt_doctor *d, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(d, 0, sizeof(*d));
    d->backups_fit = -1;
    d->last_success_age_s = -1;
    d->offsite_checked_at_ms = d->offsite_checked_age_s = -1;
    enum pt_status rc = pt_storage_inspect(p->backups, &d->storage, err);
    if (rc != PT_OK)
        return rc;
    struct pt_catalog *c = NULL;
    if ((rc = pt_session_catalog(s, PT_CATALOG_READ, &c, err)) != PT_OK)
        return rc;

    struct pt_preflight next;
    pt_preflight_estimate(p, c, &next);
    d->next_backup_bytes = next.needed_bytes;
    d->last_backup_bytes = next.last_backup_bytes;
    if (d->last_backup_bytes > 0 && d->storage.free_bytes >= 0)
        d->backups_fit = d->storage.free_bytes / d->last_backup_bytes;

    const char *cs = getenv("CODESPACES");
    d->codespace = cs && strcmp(cs, "true") == 0;
    const char *name = getenv("CODESPACE_NAME");
    d->codespace_name = d->codespace && name && *name ? pt_xstrdup(name) : NULL;
    const char *conn = getenv("SSH_CONNECTION");
    d->ssh_server = ssh_server(conn);
    d->ssh = d->ssh_server != NULL;

    struct pt_catalog_filter f = {.has_status = true, .status = PT_STATE_COMPLETED, .limit = 1};
    struct pt_record *newest = NULL;
    size_t n = 0;
    int64_t total;
    if ((rc = pt_catalog_list(c, &f, &newest, &n, &total, err)) != PT_OK)
        goto out;
    if (n > 0) {
        d->has_newest = true;
        d->newest = newest[0];
        memset(&newest[0], 0, sizeof(newest[0]));
        bool dir = strcmp(d->newest.format, "dir") == 0;
        char *user = user_name();
        if (d->codespace)
            d->download_command = pt_doctor_download_command(
                d->newest.path, dir, d->codespace_name ? d->codespace_name : "NAME", NULL, NULL);
        else if (d->ssh)
            d->download_command = pt_doctor_download_command(d->newest.path, dir, NULL, conn, user);
        free(user);
        if (d->download_command && dir)
            d->download_note = pt_xasprintf(_("%s is a folder, copied with -r; for one file "
                                              "instead, run `poshtiban export %s` and download "
                                              "the ZIP it names"),
                                            d->newest.name, d->newest.name);
        else if (d->codespace && !d->codespace_name)
            d->download_note = pt_xstrdup(_("put the codespace's name (see `gh codespace list`) "
                                            "in place of NAME"));
    }
    pt_record_list_free(newest, n);

    d->auto_enabled = pt_settings_bool(c, PT_KEY_AUTO_ENABLED);
    d->interval_hours = pt_settings_int(c, PT_KEY_AUTO_INTERVAL_HOURS);
    if ((rc = pt_schedule_read(c, p->now_ms, &d->schedule, err)) != PT_OK)
        goto out;
    d->schedule_reason = pt_schedule_reason(&d->schedule);

    struct pt_backup_stats stats;
    if ((rc = pt_stats_backups(c, p->now_ms, &stats, err)) != PT_OK)
        goto out;
    if (stats.last_success_at) {
        d->has_last_success = true;
        d->last_success_name = stats.last_success_name;
        d->last_success_at = stats.last_success_at;
        d->last_success_age_s = stats.last_success_age_s;
        stats.last_success_name = stats.last_success_at = NULL;
        int64_t limit = d->auto_enabled ? 2 * d->interval_hours * 3600 : DAY_S;
        d->overdue = d->last_success_age_s > limit;
    }
    d->offsite_copied = stats.offsite.copied;
    d->offsite_total = stats.completed;
    d->offsite_checked_at_ms = stats.offsite.checked_at_ms;
    d->offsite_checked_age_s = stats.offsite.checked_age_s;
    pt_backup_stats_free(&stats);
    mail_warnings(c, d);
    apprise_warnings(p, c, d);
    changes_warnings(p, c, d);
    offsite_state(c, d);
    for (int i = 0; i < PT_DOCTOR_HOOKS; i++)
        d->hooks[i] = pt_settings_string(c, pt_hook_setting((enum pt_hook)i));
    d->hooks_timeout_s = pt_settings_int(c, PT_KEY_HOOKS_TIMEOUT_SECONDS);
    secret_warnings(p, c, d);
    c = NULL;

    if ((rc = pt_cron_status(s, &d->cron, err)) != PT_OK)
        goto out;
    storage_warnings(p, d);
    automation_warnings(d);
    if (d->codespace)
        codespace_advice(d);
out:
    return rc;
}

void pt_doctor_free(struct pt_doctor *d)
{
    pt_storage_free(&d->storage);
    free(d->codespace_name);
    free(d->ssh_server);
    pt_record_free(&d->newest);
    free(d->download_command);
    free(d->download_note);
    free(d->offsite_repository);
    for (int i = 0; i < PT_DOCTOR_HOOKS; i++)
        free(d->hooks[i]);
    pt_cron_status_free(&d->cron);
    free(d->schedule_reason);
    free(d->last_success_name);
    free(d->last_success_at);
    for (size_t i = 0; i < d->n_warnings; i++)
        free(d->warnings[i]);
    free(d->warnings);
    for (size_t i = 0; i < d->n_codespace_advice; i++)
        free(d->codespace_advice[i]);
    free(d->codespace_advice);
    memset(d, 0, sizeof(*d));
}

const char *pt_doctor_hook_name(int i)
{
    return pt_hook_name((enum pt_hook)i);
}
