// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/cron.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"

#include "base/fsutil.h"
#include "base/shquote.h"
#include "base/subprocess.h"
#include "store/autolog.h"

#define MARKER_PREFIX "# poshtiban-auto "

char *pt_cron_marker(const struct pt_project *p)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(p->backups, strlen(p->backups), digest, &len, EVP_sha256(), NULL);
    char hex[17];
    for (int i = 0; i < 8; i++) {
        static const char digits[] = "0123456789abcdef";
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[16] = '\0';
    return pt_xasprintf(MARKER_PREFIX "%s", hex);
}

static bool cron_safe(const char *s)
{
    return !strpbrk(s, "\\\n\r");
}

/* Appends " OPTION 'value'" to *cmd. */
static void add_arg(char **cmd, const char *option, const char *value)
{
    char *quoted = pt_sh_quote(value);
    char *joined = option ? pt_xasprintf("%s %s %s", *cmd, option, quoted)
                          : pt_xasprintf("%s %s", *cmd, quoted);
    free(quoted);
    free(*cmd);
    *cmd = joined;
}

/* cron turns an unescaped % into a line break; \% reaches sh as %. */
static char *escape_percent(const char *s)
{
    size_t extra = 0;
    for (const char *c = s; *c; c++)
        extra += *c == '%';
    char *out = pt_xmalloc(strlen(s) + extra + 1), *o = out;
    for (const char *c = s; *c; c++) {
        if (*c == '%')
            *o++ = '\\';
        *o++ = *c;
    }
    *o = '\0';
    return out;
}

static bool is_default(const char *root, const char *path, const char *name)
{
    char *def = pt_path_join(root, name);
    bool same = strcmp(def, path) == 0;
    free(def);
    return same;
}

enum pt_status pt_cron_line(const struct pt_project *p, const struct pt_cron_options *o,
                            char **line, struct pt_error *err)
{
    *line = NULL;
    int every = o->every_minutes ? o->every_minutes : PT_CRON_DEFAULT_MINUTES;
    if (every < 1 || every > 60)
        return pt_error_set(err, PT_EINVAL, _("--every takes minutes from 1 to 60, not %d"), every);
    /* By default the line runs this very program, wherever it was installed. */
    char *self = o->program ? NULL : realpath("/proc/self/exe", NULL);
    const char *program = o->program ? o->program : self;
    if (!program)
        return pt_error_set(err, PT_EFAIL, _("cannot find the path of this program: %s"),
                            strerror(errno));
    char *log = pt_autolog_path(p);
    const char *paths[] = {program, p->root, p->database, p->backups, p->media, log};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (paths[i] && !cron_safe(paths[i])) {
            enum pt_status rc = pt_error_set(
                err, PT_EINVAL,
                _("%s holds a backslash or a line break, which a crontab line cannot carry"),
                paths[i]);
            free(log);
            free(self);
            return rc;
        }
    }
    char *cmd = pt_sh_quote(program);
    free(self);
    add_arg(&cmd, "-C", p->root);
    if (!is_default(p->root, p->database, "db.sqlite3"))
        add_arg(&cmd, "--database", p->database);
    if (p->media_given)
        add_arg(&cmd, "--media", p->media);
    if (!is_default(p->root, p->backups, "backups"))
        add_arg(&cmd, "--backups", p->backups);
    if (o->lang)
        add_arg(&cmd, "--lang", o->lang);
    char *with_log = pt_xasprintf("%s auto >>", cmd);
    free(cmd);
    cmd = with_log;
    add_arg(&cmd, NULL, log);
    free(log);
    char *escaped = escape_percent(cmd);
    free(cmd);
    char *when = every == 60  ? pt_xstrdup("0 * * * *")
                 : every == 1 ? pt_xstrdup("* * * * *")
                              : pt_xasprintf("*/%d * * * *", every);
    char *marker = pt_cron_marker(p);
    *line = pt_xasprintf("%s %s 2>&1 %s", when, escaped, marker);
    free(marker);
    free(when);
    free(escaped);
    return PT_OK;
}

static void put(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *out = pt_xrealloc(*out, *cap);
    }
    memcpy(*out + *len, s, n);
    *len += n;
    (*out)[*len] = '\0';
}

char *pt_cron_edit(const char *table, size_t len, const char *marker, const char *line, bool *found)
{
    size_t cap = len + (line ? strlen(line) : 0) + 4, n = 0;
    char *out = pt_xcalloc(1, cap);
    bool placed = false;
    *found = false;
    size_t marker_len = strlen(marker);
    for (size_t start = 0; start < len;) {
        const char *nl = memchr(table + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - table) + 1 : len; /* with its \n, if it has one */
        const char *hit = NULL;
        for (size_t i = start; i + marker_len <= end && !hit; i++)
            if (memcmp(table + i, marker, marker_len) == 0)
                hit = table + i;
        if (!hit) {
            put(&out, &n, &cap, table + start, end - start);
        } else {
            *found = true;
            if (line && !placed) {
                put(&out, &n, &cap, line, strlen(line));
                put(&out, &n, &cap, "\n", 1);
                placed = true;
            }
        }
        start = end;
    }
    if (line && !placed) {
        if (n > 0 && out[n - 1] != '\n')
            put(&out, &n, &cap, "\n", 1);
        put(&out, &n, &cap, line, strlen(line));
        put(&out, &n, &cap, "\n", 1);
    }
    return out;
}

static void trim_end(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

/* The current table; an empty one when the user has none yet. */
static enum pt_status read_table(char **table, size_t *len, struct pt_error *err)
{
    const char *const argv[] = {"crontab", "-l", NULL};
    struct pt_subprocess_result res;
    *table = NULL;
    *len = 0;
    enum pt_status rc = pt_subprocess_run(argv, NULL, 0, &res, NULL);
    if (rc == PT_ENOTFOUND)
        return pt_error_set(err, PT_EFAIL,
                            _("crontab is not installed: install cron (on Debian or Ubuntu: "
                              "sudo apt-get install cron)"));
    if (rc != PT_OK)
        return pt_error_set(err, PT_EFAIL, _("cannot run crontab -l"));
    if (res.exit_code == 0) {
        *table = res.out;
        *len = res.out_len;
        res.out = NULL;
    } else if (strstr(res.errout, "no crontab")) {
        *table = pt_xstrdup("");
    } else {
        trim_end(res.errout);
        rc = pt_error_set(err, PT_EFAIL, _("crontab -l failed (exit %d): %s"), res.exit_code,
                          res.errout);
    }
    pt_subprocess_free(&res);
    return rc;
}

static enum pt_status write_table(const char *table, struct pt_error *err)
{
    const char *const argv[] = {"crontab", "-", NULL};
    struct pt_subprocess_result res;
    enum pt_status rc = pt_subprocess_run(argv, table, strlen(table), &res, err);
    if (rc != PT_OK)
        return PT_EFAIL;
    if (res.exit_code != 0) {
        trim_end(res.errout);
        rc = pt_error_set(err, PT_EFAIL, _("crontab refused the new table (exit %d): %s"),
                          res.exit_code, res.errout);
    }
    pt_subprocess_free(&res);
    return rc;
}

static enum pt_status change(const struct pt_project *p, const char *line, bool *found,
                             struct pt_error *err)
{
    char *table;
    size_t len;
    enum pt_status rc = read_table(&table, &len, err);
    if (rc != PT_OK)
        return rc;
    char *marker = pt_cron_marker(p);
    char *edited = pt_cron_edit(table, len, marker, line, found);
    if (strlen(edited) != len || memcmp(edited, table, len) != 0)
        rc = write_table(edited, err);
    free(edited);
    free(marker);
    free(table);
    return rc;
}

bool pt_cron_defines(const char *name)
{
    char *table;
    size_t len;
    if (read_table(&table, &len, NULL) != PT_OK)
        return false;
    bool found = false;
    size_t n = strlen(name);
    char *save = NULL;
    for (char *l = strtok_r(table, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
        while (*l == ' ' || *l == '\t')
            l++;
        if (strncmp(l, name, n) != 0)
            continue;
        const char *q = l + n;
        while (*q == ' ' || *q == '\t')
            q++;
        /* NAME= with a value; NAME= alone sets it empty, which is no password. */
        found = *q == '=' && q[1] && q[1] != '\r';
    }
    free(table);
    return found;
}

enum pt_status pt_cron_install(const struct pt_project *p, const struct pt_cron_options *o,
                               char **line, bool *replaced, struct pt_error *err)
{
    *replaced = false;
    enum pt_status rc = pt_cron_line(p, o, line, err);
    if (rc == PT_OK)
        rc = pt_project_prepare(p, err);
    if (rc == PT_OK)
        rc = change(p, *line, replaced, err);
    if (rc != PT_OK) {
        free(*line);
        *line = NULL;
    }
    return rc;
}

enum pt_status pt_cron_remove(const struct pt_project *p, bool *removed, struct pt_error *err)
{
    return change(p, NULL, removed, err);
}

bool pt_cron_daemon_running(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return false;
    bool running = false;
    struct dirent *e;
    while (!running && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char *path = pt_xasprintf("/proc/%s/comm", e->d_name);
        char *comm = pt_read_file(path, 4096, NULL);
        free(path);
        if (comm) {
            trim_end(comm);
            running = strcmp(comm, "cron") == 0 || strcmp(comm, "crond") == 0;
            free(comm);
        }
    }
    closedir(d);
    return running;
}

static bool daemon_installed(void)
{
    static const char *const paths[] = {"/usr/sbin/cron", "/usr/sbin/crond", "/sbin/crond",
                                        "/usr/bin/crond"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (access(paths[i], X_OK) == 0)
            return true;
    return false;
}

static bool in_codespace(void)
{
    const char *v = getenv("CODESPACES");
    return v && strcmp(v, "true") == 0;
}

/*
 * The program a line of ours runs: the first word after the five time
 * fields, as pt_sh_quote wrote it (plain, or in single quotes with '\''
 * for a quote). New string, or NULL.
 */
static char *line_program(const char *line)
{
    const char *s = line;
    for (int field = 0; field < 5; field++) {
        s += strspn(s, " \t");
        s += strcspn(s, " \t");
    }
    s += strspn(s, " \t");
    char *out = pt_xmalloc(strlen(s) + 1), *o = out;
    bool quoted = false;
    for (; *s && (quoted || (*s != ' ' && *s != '\t')); s++) {
        if (*s == '\'')
            quoted = !quoted;
        else if (*s == '\\' && !quoted && s[1])
            *o++ = *++s;
        else
            *o++ = *s;
    }
    *o = '\0';
    if (!*out) {
        free(out);
        return NULL;
    }
    return out;
}

enum pt_status pt_cron_status(struct pt_session *s, struct pt_cron_status *out,
                              struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(out, 0, sizeof(*out));
    struct pt_error cerr = {0};
    char *table;
    size_t len;
    if (read_table(&table, &len, &cerr) == PT_OK) {
        out->crontab_ok = true;
        char *marker = pt_cron_marker(p);
        for (size_t start = 0; start < len && !out->line;) {
            const char *nl = memchr(table + start, '\n', len - start);
            size_t end = nl ? (size_t)(nl - table) : len;
            char *one = pt_xasprintf("%.*s", (int)(end - start), table + start);
            if (strstr(one, marker))
                out->line = one;
            else
                free(one);
            start = end + 1;
        }
        free(marker);
        free(table);
        /* A build folder removed, or poshtiban uninstalled: the line would run nothing. */
        out->program = out->line ? line_program(out->line) : NULL;
        out->program_ok = out->program && access(out->program, X_OK) == 0;
    } else {
        out->crontab_error = pt_xstrdup(cerr.message);
    }
    pt_error_clear(&cerr);

    out->daemon_running = pt_cron_daemon_running();
    out->daemon_installed = daemon_installed();
    bool codespace = in_codespace();
    const char *sudo = geteuid() == 0 && !codespace ? "" : "sudo ";
    if (!out->daemon_running) {
        if (!out->daemon_installed)
            out->start_command =
                pt_xasprintf("%sapt-get install -y cron && %sservice cron start", sudo, sudo);
        else if (!codespace && access("/run/systemd/system", F_OK) == 0)
            out->start_command = pt_xasprintf("%ssystemctl enable --now cron", sudo);
        else
            out->start_command = pt_xasprintf("%sservice cron start", sudo);
    }
    if (codespace)
        out->start_hint = pt_xstrdup(
            out->daemon_installed
                ? _("to start cron with every start of the codespace, add \"postStartCommand\": "
                    "\"sudo service cron start\" to .devcontainer/devcontainer.json")
                : _("to have cron in every new codespace, add \"postCreateCommand\": \"sudo "
                    "apt-get install -y cron\" and \"postStartCommand\": \"sudo service cron "
                    "start\" to .devcontainer/devcontainer.json"));
    out->log_path = pt_autolog_path(p);

    struct pt_catalog *c = NULL;
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_READ, &c, err);
    if (rc != PT_OK)
        return rc;
    out->auto_enabled = pt_settings_bool(c, PT_KEY_AUTO_ENABLED);
    struct pt_catalog_filter f = {.has_kind = true, .kind = PT_KIND_AUTO, .limit = 1};
    struct pt_record *r = NULL;
    size_t n = 0;
    int64_t total;
    rc = pt_catalog_list(c, &f, &r, &n, &total, err);
    if (rc == PT_OK && n > 0) {
        out->has_last_auto = true;
        out->last_auto = r[0];
        memset(&r[0], 0, sizeof(r[0]));
    }
    pt_record_list_free(r, n);
    return rc;
}

void pt_cron_status_free(struct pt_cron_status *s)
{
    free(s->crontab_error);
    free(s->line);
    free(s->program);
    free(s->start_command);
    free(s->start_hint);
    free(s->log_path);
    pt_record_free(&s->last_auto);
    memset(s, 0, sizeof(*s));
}
