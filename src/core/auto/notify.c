// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/notify.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"

#include "auto/apprise.h"
#include "auto/mail.h"
#include "base/fsutil.h"
#include "base/secretfile.h"
#include "store/autolog.h"

#define PING_CONNECT_S 5L
#define PING_TOTAL_S 10L
/* A ping's body: the last lines of what happened, as much as healthchecks.io shows at once. */
#define PING_BODY_MAX 10000
#define SMTP_CONNECT_S 10L
#define SMTP_TOTAL_S 30L

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void add_note(struct pt_notify_run *run, const char *note)
{
    if (run->notes)
        pt_xappendf(&run->notes, "; %s", note);
    else
        run->notes = pt_xstrdup(note);
}

static char *host_name(void)
{
    const char *codespace = getenv("CODESPACE_NAME");
    if (codespace && *codespace)
        return pt_xstrdup(codespace);
    long max = sysconf(_SC_HOST_NAME_MAX);
    size_t len = max > 0 ? (size_t)max + 1 : 256;
    char *name = pt_xcalloc(1, len + 1);
    if (gethostname(name, len) != 0 || !*name) {
        free(name);
        return pt_xstrdup("localhost");
    }
    return name;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static CURL *new_handle(const char *url, char errbuf[CURL_ERROR_SIZE])
{
    pthread_once(&curl_once, curl_start);
    CURL *curl = curl_easy_init();
    if (!curl)
        return NULL;
    errbuf[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "poshtiban/" PT_VERSION);
    return curl;
}

static enum pt_status curl_failed(CURLcode code, const char *errbuf, const char *url,
                                  struct pt_error *err)
{
    char *shown = pt_text_redact_url(url);
    enum pt_status rc =
        pt_error_set(err, PT_EFAIL, "%s: %s", shown, *errbuf ? errbuf : curl_easy_strerror(code));
    free(shown);
    return rc;
}

static size_t discard(char *data, size_t size, size_t n, void *user)
{
    (void)data;
    (void)user;
    return size * n;
}

/* The end of text, at most PING_BODY_MAX bytes, from the start of a line (or a character). */
static const char *ping_tail(const char *text)
{
    size_t len = strlen(text);
    if (len <= PING_BODY_MAX)
        return text;
    const char *tail = text + len - PING_BODY_MAX;
    const char *line = strchr(tail, '\n');
    if (line && line[1])
        return line + 1;
    while (((unsigned char)*tail & 0xc0) == 0x80)
        tail++;
    return tail;
}

/* POSTs body (text/plain), as healthchecks-style services take a reason with the ping. */
static enum pt_status http_ping(const char *url, const char *body, struct pt_error *err)
{
    char errbuf[CURL_ERROR_SIZE];
    CURL *curl = new_handle(url, errbuf);
    if (!curl)
        return pt_error_set(err, PT_EFAIL, _("cannot start libcurl"));
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, PING_CONNECT_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, PING_TOTAL_S);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    const char *tail = ping_tail(body ? body : "");
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(tail));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, tail);
    CURLcode code = curl_easy_perform(curl);
    enum pt_status rc = code == CURLE_OK ? PT_OK : curl_failed(code, errbuf, url, err);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    return rc;
}

/* healthchecks.io style: URL, URL/start, URL/fail, with body as the reason. */
static void ping(struct pt_catalog *c, struct pt_notify_run *run, const char *suffix,
                 const char *body)
{
    char *url = pt_settings_string(c, PT_KEY_NOTIFY_PING_URL);
    if (*url) {
        size_t len = strlen(url);
        char *target = *suffix ? pt_xasprintf("%s%s%s", url, url[len - 1] == '/' ? "" : "/", suffix)
                               : pt_xstrdup(url);
        struct pt_error err = {0};
        if (http_ping(target, body, &err) != PT_OK) {
            char *note = pt_xasprintf(_("ping failed: %s"), err.message);
            add_note(run, note);
            free(note);
        }
        pt_error_clear(&err);
        free(target);
    }
    free(url);
}

struct upload {
    const char *data;
    size_t len, pos;
};

static size_t upload_read(char *buf, size_t size, size_t n, void *user)
{
    struct upload *u = user;
    size_t take = u->len - u->pos < size * n ? u->len - u->pos : size * n;
    memcpy(buf, u->data + u->pos, take);
    u->pos += take;
    return take;
}

static enum pt_status smtp_send(const char *url, const char *user, const char *password,
                                bool insecure, const char *from, const char *to,
                                const char *message, struct pt_error *err)
{
    char errbuf[CURL_ERROR_SIZE];
    CURL *curl = new_handle(url, errbuf);
    if (!curl)
        return pt_error_set(err, PT_EFAIL, _("cannot start libcurl"));
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
    /*
     * smtps:// is TLS throughout. smtp:// upgrades with STARTTLS; a login
     * is sent only over TLS, unless notify.smtp.insecure allows otherwise.
     */
    if (strncasecmp(url, "smtp://", 7) == 0)
        curl_easy_setopt(curl, CURLOPT_USE_SSL,
                         (long)(user && *user && !insecure ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (user && *user) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, password ? password : "");
    }
    char *mail_from = pt_xasprintf("<%s>", from);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from);
    struct curl_slist *rcpt = NULL;
    char *list = pt_xstrdup(to), *save = NULL;
    for (char *a = strtok_r(list, ", ", &save); a; a = strtok_r(NULL, ", ", &save)) {
        char *angle = pt_xasprintf("<%s>", a);
        rcpt = curl_slist_append(rcpt, angle);
        free(angle);
    }
    free(list);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    struct upload up = {message, strlen(message), 0};
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, upload_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, SMTP_CONNECT_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, SMTP_TOTAL_S);
    CURLcode code = curl_easy_perform(curl);
    enum pt_status rc = code == CURLE_OK ? PT_OK : curl_failed(code, errbuf, url, err);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    free(mail_from);
    return rc;
}

/* Sends subject and body with the mail settings. */
static enum pt_status send_mail(const struct pt_project *p, struct pt_catalog *c, int64_t now_ms,
                                const char *subject, const char *body, struct pt_error *err)
{
    char *url = pt_settings_string(c, PT_KEY_NOTIFY_SMTP_URL);
    char *to = pt_settings_string(c, PT_KEY_NOTIFY_EMAIL_TO);
    char *user = pt_settings_string(c, PT_KEY_NOTIFY_SMTP_USER);
    char *password_env = pt_settings_string(c, PT_KEY_NOTIFY_SMTP_PASSWORD_ENV);
    char *password_file = pt_settings_password_file(p, c, PT_KEY_NOTIFY_SMTP_PASSWORD_FILE);
    char *from_file = NULL;
    const char *password = password_file ? NULL : getenv(password_env);
    char *host = host_name();
    char *from = strchr(user, '@') ? pt_xstrdup(user) : pt_xasprintf("poshtiban@%s", host);
    enum pt_status rc = PT_OK;
    if (!*url)
        rc = pt_error_set(err, PT_EINVAL, _("notify.smtp.url is not set"));
    else if (!*to)
        rc = pt_error_set(err, PT_EINVAL, _("notify.email.to is not set"));
    else if (*user && password_file) {
        if (pt_secret_file_read(password_file, &from_file, err) != PT_OK)
            rc = PT_EINVAL;
        password = from_file;
    } else if (*user && !password)
        rc = pt_error_set(err, PT_EINVAL,
                          _("the environment variable %s, which holds the mail password, is not "
                            "set"),
                          password_env);
    if (rc == PT_OK) {
        struct pt_mail mail = {.from = from,
                               .to = to,
                               .subject = subject,
                               .body = body,
                               .date_ms = now_ms,
                               .host = host};
        char *message = pt_mail_format(&mail);
        rc = smtp_send(url, user, password, pt_settings_bool(c, PT_KEY_NOTIFY_SMTP_INSECURE), from,
                       to, message, err);
        free(message);
    }
    if (from_file) {
        memset(from_file, 0, strlen(from_file));
        free(from_file);
    }
    free(password_file);
    free(from);
    free(host);
    free(password_env);
    free(user);
    free(to);
    free(url);
    return rc;
}

/* Mails subject and body; when it cannot, the run's notes say why. */
static void mail_or_note(const struct pt_project *p, struct pt_catalog *c,
                         struct pt_notify_run *run, const char *subject, const char *body)
{
    struct pt_error err = {0};
    if (send_mail(p, c, p->now_ms, subject, body, &err) != PT_OK) {
        char *note = pt_xasprintf(_("mail not sent: %s"), err.message);
        add_note(run, note);
        free(note);
    }
    pt_error_clear(&err);
}

/* The backup finished before r (not running), when there is one. */
static bool previous_record(struct pt_catalog *c, const struct pt_record *r, struct pt_record *out)
{
    struct pt_catalog_filter f = {.limit = 50};
    struct pt_record *list = NULL;
    size_t n = 0;
    int64_t total;
    bool found = false;
    if (pt_catalog_list(c, &f, &list, &n, &total, NULL) == PT_OK) {
        for (size_t i = 0; i < n && !found; i++) {
            struct pt_record *o = &list[i];
            if (o->id == r->id || o->status == PT_STATE_RUNNING || o->status == PT_STATE_PENDING)
                continue;
            int cmp =
                strcmp(o->created_at ? o->created_at : "", r->created_at ? r->created_at : "");
            if (cmp > 0 || (cmp == 0 && o->id > r->id))
                continue;
            *out = *o;
            memset(o, 0, sizeof(*o));
            found = true;
        }
    }
    pt_record_list_free(list, n);
    return found;
}

static char *mail_subject(enum pt_mail_kind kind, const struct pt_project *p,
                          const struct pt_record *r, const char *host)
{
    const char *project = base_name(p->root);
    switch (kind) {
    case PT_MAIL_FAILED:
        return pt_xasprintf(_("poshtiban: backup %s of %s FAILED on %s"), r->name, project, host);
    case PT_MAIL_FIXED:
        return pt_xasprintf(_("poshtiban: backups of %s work again: %s on %s"), project, r->name,
                            host);
    default:
        return pt_xasprintf(_("poshtiban: backup %s of %s completed on %s"), r->name, project,
                            host);
    }
}

/* What happened to r: for a mail (with how to change what is mailed), an alert or a ping. */
static char *mail_body(enum pt_mail_kind kind, const struct pt_project *p,
                       const struct pt_record *r, const struct pt_record *previous,
                       const char *host, bool for_mail)
{
    char *b = NULL;
    const char *project = base_name(p->root);
    if (kind == PT_MAIL_FAILED)
        pt_xappendf(&b, _("The backup %s of %s failed."), r->name, project);
    else if (kind == PT_MAIL_FIXED)
        pt_xappendf(&b, _("The backup %s of %s completed; the one before it, %s, had failed."),
                    r->name, project, previous ? previous->name : "-");
    else
        pt_xappendf(&b, _("The backup %s of %s completed."), r->name, project);
    pt_xappendf(&b, "\n\n");
    pt_xappendf(&b, _("Project: %s"), p->root);
    pt_xappendf(&b, "\n");
    pt_xappendf(&b, _("Host: %s"), host);
    pt_xappendf(&b, "\n");
    pt_xappendf(&b, _("Kind: %s"), pt_kind_label(r->kind));
    pt_xappendf(&b, "\n");
    pt_xappendf(&b, _("Status: %s"), pt_state_label(r->status));
    pt_xappendf(&b, "\n");
    pt_xappendf(&b, _("Started: %s"), r->started_at ? r->started_at : "-");
    pt_xappendf(&b, "\n");
    pt_xappendf(&b, _("Finished: %s"), r->finished_at ? r->finished_at : "-");
    pt_xappendf(&b, "\n");
    char text[64];
    pt_l10n_duration(r->duration_ms, text, sizeof(text));
    pt_xappendf(&b, _("Duration: %s"), text);
    pt_xappendf(&b, "\n");
    if (r->status == PT_STATE_COMPLETED) {
        pt_l10n_size(r->size_bytes, text, sizeof(text));
        pt_xappendf(&b, _("Size: %s"), text);
        pt_xappendf(&b, "\n");
        pt_xappendf(&b, _("Path: %s"), r->path);
        pt_xappendf(&b, "\n");
    }
    if (r->error) {
        pt_xappendf(&b, _("Error: %s"), r->error);
        pt_xappendf(&b, "\n");
    }
    char *message = pt_record_message(r);
    if (message) {
        pt_xappendf(&b, _("Message: %s"), message);
        pt_xappendf(&b, "\n");
    }
    free(message);
    if (kind == PT_MAIL_FIXED && previous && previous->error) {
        pt_xappendf(&b, _("Error of %s: %s"), previous->name, previous->error);
        pt_xappendf(&b, "\n");
    }
    if (!for_mail)
        return b;
    pt_xappendf(&b, "\n-- \n");
    pt_xappendf(&b,
                _("poshtiban %s. To be mailed about every backup or only about failures: "
                  "poshtiban settings set notify.email.on always|failure"),
                PT_VERSION);
    pt_xappendf(&b, "\n");
    return b;
}

static void mail_about(const struct pt_project *p, struct pt_catalog *c, struct pt_notify_run *run,
                       const struct pt_record *r, const struct pt_record *previous)
{
    char *on = pt_settings_string(c, PT_KEY_NOTIFY_EMAIL_ON);
    bool always = strcmp(on, "always") == 0;
    free(on);
    enum pt_mail_kind kind = pt_mail_choose(always, r->status, previous ? &previous->status : NULL);
    /* A completed backup with an error: hooks.after_backup failed, which is told as failures are.
     */
    if (kind == PT_MAIL_NONE && r->status == PT_STATE_COMPLETED && r->error)
        kind = PT_MAIL_COMPLETED;
    if (kind != PT_MAIL_NONE) {
        char *host = host_name();
        char *subject = mail_subject(kind, p, r, host);
        char *body = mail_body(kind, p, r, previous, host, true);
        mail_or_note(p, c, run, subject, body);
        free(body);
        free(subject);
        free(host);
    }
}

/* Sends an alert through Apprise when notify.apprise.enabled; what fails is noted in run. */
static void alert(const struct pt_project *p, struct pt_catalog *c, struct pt_notify_run *run,
                  const char *type, const char *title, const char *body)
{
    if (!pt_settings_bool(c, PT_KEY_NOTIFY_APPRISE_ENABLED))
        return;
    struct pt_error err = {0};
    if (pt_apprise_send(p, c, type, title, body, &err) != PT_OK) {
        char *note = pt_xasprintf(_("Apprise alert not sent: %s"), err.message);
        add_note(run, note);
        free(note);
    }
    pt_error_clear(&err);
}

static void alert_about(const struct pt_project *p, struct pt_catalog *c, struct pt_notify_run *run,
                        const struct pt_record *r, const struct pt_record *previous)
{
    char *on = pt_settings_string(c, PT_KEY_NOTIFY_APPRISE_ON);
    enum pt_mail_kind kind = pt_apprise_choose(on, r->status, previous ? &previous->status : NULL);
    free(on);
    if (kind == PT_MAIL_NONE)
        return;
    char *host = host_name();
    char *title = mail_subject(kind, p, r, host);
    char *body = mail_body(kind, p, r, previous, host, false);
    alert(p, c, run, kind == PT_MAIL_FAILED ? "failure" : "success", title, body);
    free(body);
    free(title);
    free(host);
}

void pt_notify_start(const struct pt_project *p, struct pt_catalog *c, struct pt_notify_run *run)
{
    memset(run, 0, sizeof(*run));
    char *host = host_name();
    char *body = pt_xasprintf(_("A backup of %s starts on %s."), p->root, host);
    pt_xappendf(&body, "\n");
    ping(c, run, "start", body);
    free(body);
    free(host);
}

void pt_notify_finish(const struct pt_project *p, struct pt_catalog *c, struct pt_notify_run *run,
                      struct pt_record *r)
{
    if (r->status == PT_STATE_CANCELLED)
        return; /* the user stopped it: nothing to tell (the start ping times out quietly) */
    struct pt_record previous = {0};
    bool has_previous = previous_record(c, r, &previous);
    const struct pt_record *before = has_previous ? &previous : NULL;
    char *host = host_name();
    char *said = mail_body(pt_mail_choose(true, r->status, before ? &before->status : NULL), p, r,
                           before, host, false);
    ping(c, run, r->status == PT_STATE_COMPLETED && !r->error ? "" : "fail", said);
    free(said);
    free(host);
    if (pt_settings_bool(c, PT_KEY_NOTIFY_EMAIL_ENABLED))
        mail_about(p, c, run, r, before);
    alert_about(p, c, run, r, before);
    pt_record_free(&previous);
    if (!run->notes)
        return;
    char *message =
        r->message ? pt_xasprintf("%s; %s", r->message, run->notes) : pt_xstrdup(run->notes);
    free(r->message);
    r->message = message;
    pt_catalog_set_message(c, r->id, r->message, NULL);
    char *line = pt_xasprintf("%s: %s", r->name, run->notes);
    pt_autolog_append(p, line);
    free(line);
}

void pt_notify_offsite_failed(const struct pt_project *p, struct pt_catalog *c, const char *name,
                              const char *error)
{
    struct pt_notify_run run = {0};
    char *host = host_name();
    const char *project = base_name(p->root);
    char *subject = pt_xasprintf(_("poshtiban: the off-site copy of backup %s of %s FAILED on "
                                   "%s"),
                                 name, project, host);
    char *body = NULL;
    pt_xappendf(&body,
                _("The backup %s of %s is safe on this machine, but its off-site copy failed. "
                  "The next automatic run tries again."),
                name, project);
    pt_xappendf(&body, "\n\n");
    pt_xappendf(&body, _("Project: %s"), p->root);
    pt_xappendf(&body, "\n");
    pt_xappendf(&body, _("Host: %s"), host);
    pt_xappendf(&body, "\n");
    pt_xappendf(&body, _("Error: %s"), error);
    pt_xappendf(&body, "\n");
    ping(c, &run, "fail", body);
    alert(p, c, &run, "failure", subject, body);
    if (pt_settings_bool(c, PT_KEY_NOTIFY_EMAIL_ENABLED)) {
        pt_xappendf(&body, "\n-- \n");
        pt_xappendf(&body, _("poshtiban %s. To send it again now: poshtiban push %s"), PT_VERSION,
                    name);
        pt_xappendf(&body, "\n");
        mail_or_note(p, c, &run, subject, body);
    }
    free(body);
    free(subject);
    free(host);
    if (run.notes) {
        char *line = pt_xasprintf("%s: %s", name, run.notes);
        pt_autolog_append(p, line);
        free(line);
    }
    pt_notify_run_free(&run);
}

void pt_notify_run_free(struct pt_notify_run *run)
{
    free(run->notes);
    run->notes = NULL;
}

enum pt_status pt_notify_test_mail(const struct pt_project *p, struct pt_catalog *c,
                                   struct pt_error *err)
{
    char *host = host_name();
    char *subject =
        pt_xasprintf(_("poshtiban: test mail for %s from %s"), base_name(p->root), host);
    char *body = pt_xasprintf(_("This is a test mail from poshtiban for the project %s on %s. "
                                "Mail works."),
                              p->root, host);
    enum pt_status rc = send_mail(p, c, p->now_ms, subject, body, err);
    free(body);
    free(subject);
    free(host);
    return rc;
}

void pt_notify_damaged(const struct pt_project *p, struct pt_catalog *c,
                       const struct pt_auto_verified *verified, size_t n)
{
    struct pt_notify_run run = {0};
    char *host = host_name();
    const char *project = base_name(p->root);
    char *subject =
        pt_xasprintf(_("poshtiban: verify found damage in the backups of %s on %s"), project, host);
    char *body = NULL;
    pt_xappendf(&body, _("Verify found damage in the backups of %s:"), project);
    pt_xappendf(&body, "\n");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; !verified[i].result.ok && j < verified[i].result.n; j++)
            pt_xappendf(&body, "%s: %s\n", verified[i].name, verified[i].result.problems[j]);
    pt_xappendf(&body, "\n");
    pt_xappendf(&body, _("Project: %s"), p->root);
    pt_xappendf(&body, "\n");
    pt_xappendf(&body, _("Host: %s"), host);
    pt_xappendf(&body, "\n");
    alert(p, c, &run, "failure", subject, body);
    if (pt_settings_bool(c, PT_KEY_NOTIFY_EMAIL_ENABLED)) {
        pt_xappendf(&body, "\n-- \n");
        pt_xappendf(&body, _("poshtiban %s. To see it again: poshtiban verify"), PT_VERSION);
        pt_xappendf(&body, "\n");
        mail_or_note(p, c, &run, subject, body);
    }
    if (run.notes)
        pt_autolog_append(p, run.notes);
    free(body);
    free(subject);
    free(host);
    pt_notify_run_free(&run);
}

enum pt_status pt_notify_test_apprise(const struct pt_project *p, struct pt_catalog *c,
                                      struct pt_error *err)
{
    char *host = host_name();
    char *title = pt_xasprintf(_("poshtiban: test alert for %s from %s"), base_name(p->root), host);
    char *body = pt_xasprintf(_("This is a test alert from poshtiban for the project %s on %s. "
                                "Apprise works."),
                              p->root, host);
    enum pt_status rc = pt_apprise_send(p, c, "info", title, body, err);
    free(body);
    free(title);
    free(host);
    return rc;
}

enum pt_status pt_notify_test(const struct pt_project *p, struct pt_catalog *c,
                              struct pt_notify_test_sent *sent, struct pt_error *err)
{
    memset(sent, 0, sizeof(*sent));
    char *urls = pt_settings_password_file(p, c, PT_KEY_NOTIFY_APPRISE_URLS_FILE);
    char *smtp = pt_settings_string(c, PT_KEY_NOTIFY_SMTP_URL);
    bool apprise = urls || pt_settings_bool(c, PT_KEY_NOTIFY_APPRISE_ENABLED);
    bool mail = !apprise || *smtp || pt_settings_bool(c, PT_KEY_NOTIFY_EMAIL_ENABLED);
    free(smtp);
    enum pt_status rc = PT_OK;
    if (mail) {
        sent->mail_to = pt_settings_string(c, PT_KEY_NOTIFY_EMAIL_TO);
        rc = pt_notify_test_mail(p, c, err);
    }
    if (rc == PT_OK && apprise) {
        sent->apprise_file = urls ? pt_xstrdup(urls) : NULL;
        rc = pt_notify_test_apprise(p, c, err);
    }
    free(urls);
    return rc;
}

void pt_notify_test_sent_free(struct pt_notify_test_sent *sent)
{
    free(sent->mail_to);
    free(sent->apprise_file);
    memset(sent, 0, sizeof(*sent));
}
