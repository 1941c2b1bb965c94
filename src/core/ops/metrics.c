// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "poshtiban/changes.h"
#include "poshtiban/i18n.h"
#include "poshtiban/record.h"
#include "poshtiban/settings.h"
#include "poshtiban/testhooks.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"
#include "store/autolog.h"

/* A label value as the text format wants it: \ " and line feeds escaped. */
static char *label_value(const char *s)
{
    char *out = pt_xcalloc(1, strlen(s) * 2 + 1), *o = out;
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') {
            *o++ = '\\';
            *o++ = *s;
        } else if (*s == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else {
            *o++ = *s;
        }
    }
    return out;
}

static void family(char **out, const char *name, const char *type, const char *help)
{
    pt_xappendf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(char **out, const char *name, const char *labels, double value)
{
    pt_xappendf(out, "%s{%s} %.17g\n", name, labels, value);
}

static double iso_seconds(const char *iso)
{
    int64_t ms;
    return iso && pt_time_parse_iso(iso, &ms) ? (double)ms / 1000.0 : 0;
}

/* The newest change set's time (docs/changes.md), in seconds; false when there is none. */
static bool newest_change_set(const struct pt_project *p, double *seconds)
{
    struct pt_change_list list;
    if (pt_changes_list(p, &list, NULL) != PT_OK)
        return false;
    bool any = list.n > 0;
    if (any)
        *seconds = (double)list.points[list.n - 1].taken_ms / 1000.0;
    pt_change_list_free(&list);
    return any;
}

/* The whole file. New string. */
static char *metrics_text(const struct pt_project *p, struct pt_catalog *c)
{
    struct pt_catalog_filter all = {0};
    struct pt_record *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (pt_catalog_list(c, &all, &list, &n, &total, NULL) != PT_OK)
        n = 0;
    const struct pt_record *completed = NULL, *failed = NULL, *offsite = NULL;
    size_t counts[PT_STATE_CANCELLED + 1] = {0}, damaged = 0;
    for (size_t i = 0; i < n; i++) {
        const struct pt_record *r = &list[i];
        damaged += r->status == PT_STATE_COMPLETED && r->verify_ok == 0;
        if ((size_t)r->status <= PT_STATE_CANCELLED)
            counts[r->status]++;
        if (!completed && r->status == PT_STATE_COMPLETED)
            completed = r;
        if (!failed && (r->status == PT_STATE_FAILED || r->status == PT_STATE_INTERRUPTED))
            failed = r;
        if (!offsite && r->offsite_snapshot)
            offsite = r;
    }
    char *value = label_value(p->root);
    char *project = pt_xasprintf("project=\"%s\"", value);
    free(value);
    char *out = NULL;
    family(&out, "poshtiban_last_success_timestamp_seconds", "gauge",
           "Time the newest completed backup finished, in seconds since the epoch; 0 when none "
           "has.");
    sample(&out, "poshtiban_last_success_timestamp_seconds", project,
           completed ? iso_seconds(completed->finished_at) : 0);
    family(&out, "poshtiban_last_failure_timestamp_seconds", "gauge",
           "Time the newest failed or interrupted backup ended, in seconds since the epoch; 0 "
           "when none has.");
    sample(&out, "poshtiban_last_failure_timestamp_seconds", project,
           failed ? iso_seconds(failed->finished_at ? failed->finished_at : failed->created_at)
                  : 0);
    family(&out, "poshtiban_last_backup_duration_seconds", "gauge",
           "How long the newest completed backup took.");
    sample(&out, "poshtiban_last_backup_duration_seconds", project,
           completed ? (double)completed->duration_ms / 1000.0 : 0);
    family(&out, "poshtiban_last_backup_size_bytes", "gauge",
           "Size of the newest completed backup.");
    sample(&out, "poshtiban_last_backup_size_bytes", project,
           completed ? (double)completed->size_bytes : 0);
    family(&out, "poshtiban_backups", "gauge", "Backups in the catalog, by status.");
    for (int s = PT_STATE_PENDING; s <= PT_STATE_CANCELLED; s++) {
        char *labels = pt_xasprintf("%s,status=\"%s\"", project, pt_state_name((enum pt_state)s));
        sample(&out, "poshtiban_backups", labels, (double)counts[s]);
        free(labels);
    }
    family(&out, "poshtiban_backups_damaged", "gauge",
           "Completed backups whose last verify found damage.");
    sample(&out, "poshtiban_backups_damaged", project, (double)damaged);
    struct statvfs vfs;
    if (statvfs(p->backups, &vfs) == 0) {
        family(&out, "poshtiban_backup_root_free_bytes", "gauge",
               "Space free for poshtiban in the folder that holds the backups.");
        sample(&out, "poshtiban_backup_root_free_bytes", project,
               (double)vfs.f_bavail * (double)vfs.f_frsize);
    }
    if (offsite || pt_settings_bool(c, PT_KEY_OFFSITE_ENABLED)) {
        double at = 0;
        if (offsite)
            at = offsite->offsite_at_ms > 0 ? (double)offsite->offsite_at_ms / 1000.0
                                            : iso_seconds(offsite->created_at);
        family(&out, "poshtiban_offsite_last_snapshot_timestamp_seconds", "gauge",
               "Time the newest backup with a known off-site copy was sent, in seconds since the "
               "epoch; 0 when none has one.");
        sample(&out, "poshtiban_offsite_last_snapshot_timestamp_seconds", project, at);
    }
    double changes;
    if (newest_change_set(p, &changes)) {
        family(&out, "poshtiban_last_change_set_timestamp_seconds", "gauge",
               "Time of the newest change set, in seconds since the epoch.");
        sample(&out, "poshtiban_last_change_set_timestamp_seconds", project, changes);
    }
    family(&out, "poshtiban_metrics_timestamp_seconds", "gauge",
           "Time of the operation that wrote this file, in seconds since the epoch.");
    sample(&out, "poshtiban_metrics_timestamp_seconds", project, (double)p->now_ms / 1000.0);
    free(project);
    pt_record_list_free(list, n);
    return out;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        data += w;
        len -= (size_t)w;
    }
    return true;
}

enum pt_status pt_metrics_write(const struct pt_project *p, struct pt_catalog *c,
                                struct pt_error *err)
{
    char *setting = pt_settings_string(c, PT_KEY_METRICS_TEXTFILE);
    if (!*setting) {
        free(setting);
        return PT_OK;
    }
    char *path = pt_path_absolute(p->root, setting);
    free(setting);
    char *dir = pt_xstrdup(path);
    char *slash = strrchr(dir, '/');
    slash[slash == dir ? 1 : 0] = '\0';
    /* Not *.prom: node_exporter never reads a file half written. */
    char *tmp = pt_xasprintf("%s/.%s.XXXXXX", dir, strrchr(path, '/') + 1);
    char *text = metrics_text(p, c);
    size_t len = strlen(text);
    enum pt_status rc = PT_OK;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot write the metrics file %s: %s"), path,
                          strerror(errno));
        goto out;
    }
#ifdef PT_TEST_HOOKS
    if (pt_test_hooks()->kill_in_metrics) {
        write_all(fd, text, len / 2);
        fsync(fd);
        raise(SIGKILL);
    }
#endif
    /* node_exporter runs as a user of its own: the file is for everyone to read. */
    if (!write_all(fd, text, len) || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        rc = pt_error_set(err, PT_EFAIL, _("cannot write the metrics file %s: %s"), path,
                          strerror(saved));
        goto out;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        rc = pt_error_set(err, PT_EFAIL, _("cannot write the metrics file %s: %s"), path,
                          strerror(saved));
        goto out;
    }
    pt_fsync_dir(dir);
out:
    free(text);
    free(tmp);
    free(dir);
    free(path);
    return rc;
}

void pt_metrics_update(const struct pt_project *p, struct pt_catalog *c)
{
    if (!c)
        return;
    struct pt_error err = {0};
    if (pt_metrics_write(p, c, &err) != PT_OK)
        pt_autolog_append(p, err.message);
    pt_error_clear(&err);
}
