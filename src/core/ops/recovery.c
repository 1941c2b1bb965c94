// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/recovery.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/backup-read.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/recovery.h"
#include "poshtiban/reindex.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/restore-journal.h"
#include "ops/changes-store.h"
#include "ops/reindex.h"
#include "ops/remove.h"
#include "store/autolog.h"

/* tmp entries of verify, restore, export, push and a capture's placing are named "<what>-<pid>…".
 */
static bool owner_alive(const char *entry)
{
    const char *dash = strchr(entry, '-');
    if (!dash)
        return false;
    long pid = strtol(dash + 1, NULL, 10);
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/*
 * An export killed by kill -9 leaves its .part-<pid> file beside the file
 * it was making, wherever that is; its marker in tmp says where.
 */
static void remove_export_part(const char *marker, const char *entry)
{
    char *part = pt_read_file(marker, 4096, NULL);
    char *suffix = pt_xasprintf(".part-%s", entry + strlen("export-"));
    size_t n = part ? strlen(part) : 0, k = strlen(suffix);
    if (part && n > k && strcmp(part + n - k, suffix) == 0 && part[0] == '/')
        unlink(part);
    free(suffix);
    free(part);
}

/*
 * A `restore --path` killed by kill -9 leaves its temporary files
 * (".NAME.poshtiban-part-<pid>") beside the files it was bringing back; its
 * marker in tmp lists them, one a line.
 */
static void remove_onefile_parts(const char *marker, const char *entry)
{
    char *list = pt_read_file(marker, PT_SMALL_FILE_MAX, NULL);
    char *suffix =
        pt_xasprintf(".poshtiban-part-%ld", strtol(entry + strlen("onefile-"), NULL, 10));
    size_t k = strlen(suffix);
    for (char *line = list, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        else
            next = line + strlen(line);
        size_t n = strlen(line);
        const char *base = strrchr(line, '/');
        if (line[0] == '/' && n > k && strcmp(line + n - k, suffix) == 0 && base && base[1] == '.')
            unlink(line);
    }
    free(suffix);
    free(list);
}

static void clear_tmp(const struct pt_project *p)
{
    DIR *d = opendir(p->tmp);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        bool work =
            strncmp(e->d_name, "verify-", 7) == 0 || strncmp(e->d_name, "restore-", 8) == 0 ||
            strncmp(e->d_name, "export-", 7) == 0 || strncmp(e->d_name, "onefile-", 8) == 0 ||
            strncmp(e->d_name, "push-", 5) == 0 || strncmp(e->d_name, "placing-", 8) == 0;
        if (work && owner_alive(e->d_name))
            continue;
        char *path = pt_path_join(p->tmp, e->d_name);
        if (strncmp(e->d_name, "export-", 7) == 0)
            remove_export_part(path, e->d_name);
        if (strncmp(e->d_name, "onefile-", 8) == 0)
            remove_onefile_parts(path, e->d_name);
        if (strncmp(e->d_name, "placing-", 8) == 0)
            pt_changes_unplace(p, path);
        pt_remove_tree(path);
        free(path);
    }
    closedir(d);
}

/* Deletes that were cut short are finished. */
static void finish_deletes(const struct pt_project *p, struct pt_catalog *c)
{
    struct pt_catalog_filter filter = {.has_status = true, .status = PT_STATE_DELETING};
    struct pt_record *records = NULL;
    size_t n = 0;
    int64_t total;
    if (pt_catalog_list(c, &filter, &records, &n, &total, NULL) != PT_OK)
        return;
    for (size_t i = 0; i < n; i++)
        pt_backup_remove_locked(p, c, &records[i], NULL);
    pt_record_list_free(records, n);
}

/* Everything a killed process left; a sentence for the person when something was finished. */
static char *recover_locked(const struct pt_project *p, struct pt_catalog *c)
{
    char *notice = pt_restore_journal_recover(p);
    if (notice)
        pt_autolog_append(p, notice);
    finish_deletes(p, c);
    struct pt_catalog_filter filter = {.has_status = true, .status = PT_STATE_RUNNING};
    struct pt_record *records = NULL;
    size_t n = 0;
    int64_t total;
    if (pt_catalog_list(c, &filter, &records, &n, &total, NULL) == PT_OK) {
        for (size_t i = 0; i < n; i++) {
            struct pt_record *r = &records[i];
            r->pid = 0;
            r->status = PT_STATE_COMPLETED;
            json_t *report = NULL;
            /* Moved into place but not yet recorded: the backup is whole. */
            if (access(r->path, F_OK) == 0 && pt_backup_read_report(r, &report, NULL) == PT_OK) {
                pt_backup_record_from_report(r, report);
                pt_record_set_message(r, PT_MESSAGE_RECOVERED, NULL);
            } else {
                /* An archive's .sha256 is moved into place first: without its archive it goes. */
                char *sidecar = pt_xasprintf("%s.sha256", r->path);
                if (pt_format_suffix(r->format) && access(r->path, F_OK) != 0)
                    unlink(sidecar);
                free(sidecar);
                r->status = PT_STATE_INTERRUPTED;
                free(r->error);
                r->error = pt_xstrdup(_("interrupted: the process stopped before the backup "
                                        "was finished"));
            }
            json_decref(report);
            pt_catalog_update(c, r, NULL);
        }
        pt_record_list_free(records, n);
    }
    clear_tmp(p);
    return notice;
}

void pt_recover_locked(const struct pt_project *p, struct pt_catalog *c)
{
    free(recover_locked(p, c));
}

struct salvage {
    struct pt_catalog *catalog;
    size_t copied;
};

static void salvage_setting(const char *key, const char *value, void *user)
{
    struct salvage *s = user;
    const struct pt_setting_def *def = pt_settings_find(key);
    if (def && pt_settings_set(s->catalog, def->id, value, NULL) == PT_OK)
        s->copied++;
}

/*
 * The catalog is damaged: it is moved aside, never deleted, and a new one
 * is made with every setting still readable and a record for every backup
 * whose report is found. *notice says what happened, for the person.
 */
static enum pt_status rescue_catalog(const struct pt_project *p, const char *damage, char **notice,
                                     struct pt_error *err)
{
    char iso[32], stamp[32];
    pt_time_iso(p->now_ms, iso);
    size_t k = 0;
    for (const char *s = iso; *s && k + 1 < sizeof(stamp); s++)
        if (*s != '-' && *s != ':')
            stamp[k++] = *s;
    stamp[k] = '\0';
    char *aside = pt_xasprintf("%s.damaged-%s", p->catalog, stamp);
    char *journal = pt_xasprintf("%s-journal", p->catalog);
    char *journal_aside = pt_xasprintf("%s-journal", aside);
    enum pt_status rc = PT_OK;
    if (rename(p->catalog, aside) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move the damaged catalog aside: %s"),
                          strerror(errno));
    else
        rename(journal, journal_aside); /* a hot journal belongs with its database */
    struct pt_catalog *c = NULL;
    struct salvage salvage = {0};
    bool whole = false;
    size_t found = 0;
    if (rc == PT_OK && (rc = pt_catalog_open(&c, p, PT_CATALOG_WRITE, err)) == PT_OK) {
        salvage.catalog = c;
        whole = pt_catalog_read_settings_of(aside, salvage_setting, &salvage);
        if (!whole)
            pt_catalog_setting_put(c, PT_SETTINGS_LOST_KEY, iso, NULL);
        rc = pt_reindex_locked(p, c, &found, err);
        pt_catalog_close(c);
    }
    if (rc == PT_OK) {
        char *n = pt_l10n_int((int64_t)found), *m = pt_l10n_int((int64_t)salvage.copied);
        *notice = pt_xasprintf(_("%s. It was moved aside as %s and rebuilt from the reports of "
                                 "%s backups, with %s settings recovered."),
                               damage, aside, n, m);
        if (!whole) {
            char *more = pt_xasprintf(
                "%s %s", *notice,
                _("Some settings could not be read: check `poshtiban settings list`. Automatic "
                  "backups stay stopped until a setting is set again."));
            free(*notice);
            *notice = more;
        }
        free(n);
        free(m);
        pt_autolog_append(p, *notice);
    }
    free(aside);
    free(journal);
    free(journal_aside);
    return rc;
}

/* Appends more (taken) to *notice, a space between. */
static void add_notice(char **notice, char *more)
{
    if (!more)
        return;
    if (!*notice) {
        *notice = more;
        return;
    }
    char *both = pt_xasprintf("%s %s", *notice, more);
    free(*notice);
    free(more);
    *notice = both;
}

enum pt_status pt_session_recover(struct pt_session *s, struct pt_error *err)
{
    if (s->recovered)
        return PT_OK;
    s->recovered = true;
    if (!s->damage && !s->catalog)
        return PT_OK;
    struct pt_lock lock;
    if (pt_lock_acquire(&lock, s->project, NULL) != PT_OK)
        return PT_OK;
    enum pt_status rc = PT_OK;
    if (s->damage) {
        char *told = NULL;
        rc = rescue_catalog(s->project, s->damage, &told, err);
        add_notice(&s->notice, told);
        if (rc == PT_OK) {
            free(s->damage);
            s->damage = NULL;
            rc = pt_catalog_open(&s->catalog, s->project, PT_CATALOG_READ, err);
        }
    }
    if (rc == PT_OK && s->catalog)
        add_notice(&s->notice, recover_locked(s->project, s->catalog));
    pt_lock_release(&lock);
    return rc;
}
