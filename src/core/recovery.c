// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/recovery.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup-internal.h"
#include "fsutil.h"
#include "i18n.h"
#include "poshtiban/backup.h"
#include "poshtiban/lock.h"

/* tmp entries of verify and restore are named "<what>-<pid>-…". */
static bool owner_alive(const char *entry)
{
    const char *dash = strchr(entry, '-');
    if (!dash)
        return false;
    long pid = strtol(dash + 1, NULL, 10);
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
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
        bool work = strncmp(e->d_name, "verify-", 7) == 0 ||
                    strncmp(e->d_name, "restore-", 8) == 0;
        if (work && owner_alive(e->d_name))
            continue;
        char *path = pt_path_join(p->tmp, e->d_name);
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

void pt_recover_locked(const struct pt_project *p, struct pt_catalog *c)
{
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
                free(r->message);
                r->message = pt_xstrdup(_("recovered after an interruption; verify it"));
            } else {
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
}

enum pt_status pt_recover(const struct pt_project *p, struct pt_error *err)
{
    if (access(p->catalog, F_OK) != 0)
        return PT_OK;
    struct pt_lock lock;
    if (pt_lock_acquire(&lock, p, NULL) != PT_OK)
        return PT_OK;
    struct pt_catalog *c;
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_READ, err);
    if (rc == PT_OK) {
        pt_recover_locked(p, c);
        pt_catalog_close(c);
    }
    pt_lock_release(&lock);
    return rc;
}
