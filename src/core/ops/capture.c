// SPDX-License-Identifier: GPL-3.0-or-later
/* One capture of the database's changes (docs/changes.md, "When points are taken"). */
#include "poshtiban/capture.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/alloc.h"
#include "poshtiban/catalog.h"
#include "poshtiban/changes.h"
#include "poshtiban/clock.h"
#include "poshtiban/i18n.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"
#include "poshtiban/testhooks.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/backup-db.h"
#include "engine/changeset.h"
#include "engine/compress.h"
#include "engine/snapshot.h"
#include "ops/changes-store.h"
#include "ops/metrics.h"

struct capture {
    const struct pt_project *project;
    const struct pt_monitor *monitor;
    struct pt_catalog *catalog;
    struct pt_record base;
    struct pt_change_list all;   /* every point of every chain: names must not repeat */
    struct pt_change_list chain; /* the base's, in order */
    char *shadow;                /* .poshtiban/changes-shadow.sqlite3 */
    char *fresh;                 /* the snapshot just taken, under tmp */
    char *data;                  /* the new point's data file, under tmp */
    long steps;
};

/* For the crash tests: a build with test hooks dies at the Nth step of a capture. */
static void step(struct capture *c, const char *what)
{
    if (c->monitor && c->monitor->progress) {
        struct pt_progress p = {PT_PHASE_SNAPSHOT, c->steps, 0, what};
        c->monitor->progress(&p, c->monitor->user);
    }
    c->steps++;
#ifdef PT_TEST_HOOKS
    long kill_after = pt_test_hooks()->kill_after;
    if (kill_after > 0 && c->steps >= kill_after)
        raise(SIGKILL);
#endif
}

static const struct pt_change_point *newest(const struct capture *c)
{
    return c->chain.n ? &c->chain.points[c->chain.n - 1] : NULL;
}

/* The shadow holds the state the chain leads to, or it is rebuilt from the base and the chain. */
static enum pt_status ready_shadow(struct capture *c, struct pt_error *err)
{
    const struct pt_change_point *last = newest(c);
    struct pt_changes_shadow shadow;
    struct stat st;
    bool fits = pt_changes_shadow_read(c->project, &shadow) &&
                strcmp(shadow.base, c->base.name) == 0 &&
                (last ? shadow.point && strcmp(shadow.point, last->name) == 0 : !shadow.point) &&
                stat(c->shadow, &st) == 0 && S_ISREG(st.st_mode);
    pt_changes_shadow_free(&shadow);
    if (fits)
        return PT_OK;
    char *staged = pt_xasprintf("%s/shadow-%ld.sqlite3", c->project->tmp, (long)getpid());
    enum pt_status rc = pt_backup_database_extract(&c->base, staged, err);
    if (rc == PT_OK)
        rc = pt_changes_apply(c->project, staged, c->chain.points, c->chain.n, NULL, err);
    if (rc == PT_OK && rename(staged, c->shadow) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), c->shadow,
                          strerror(errno));
    if (rc == PT_OK) {
        struct pt_changes_shadow fresh = {.base = c->base.name, .point = last ? last->name : NULL};
        rc = pt_changes_shadow_write(c->project, &fresh, err);
    }
    unlink(staged);
    free(staged);
    return rc;
}

/* The moment has no other state than the newest point's: keep only the time of the check. */
static enum pt_status keep_check(struct capture *c, struct pt_error *err)
{
    const struct pt_change_point *last = newest(c);
    struct pt_changes_shadow shadow = {
        .base = c->base.name, .point = last ? last->name : NULL, .checked_ms = c->project->now_ms};
    return pt_changes_shadow_write(c->project, &shadow, err);
}

static void total(struct pt_capture_result *r, const struct pt_change_point *point)
{
    r->n_tables = point->n_tables;
    for (size_t i = 0; i < point->n_tables; i++) {
        r->inserted += point->tables[i].inserted;
        r->updated += point->tables[i].updated;
        r->deleted += point->tables[i].deleted;
    }
}

static char *cannot_compare(const struct pt_error *why)
{
    return pt_xasprintf("the changes could not be compared: %s", why->message ? why->message : "?");
}

static enum pt_status take(struct capture *c, struct pt_capture_result *result,
                           struct pt_error *err)
{
    const struct pt_project *p = c->project;
    /*
     * A chain that no longer rebuilds (a damaged point) must not stop the
     * changes from being kept: the point is then the whole database, from
     * which the chain goes on.
     */
    char *broken = NULL;
    struct pt_error why = {0};
    enum pt_status rc = ready_shadow(c, &why);
    if (rc == PT_ECANCELLED)
        return pt_error_set(err, rc, "%s", why.message);
    if (rc != PT_OK) {
        broken = pt_xasprintf("the change sets before it do not rebuild: %s", why.message);
        unlink(c->shadow);
        rc = PT_OK;
    }
    pt_error_clear(&why);
    step(c, "shadow");
    c->fresh = pt_xasprintf("%s/capture-%ld.sqlite3", p->tmp, (long)getpid());
    unlink(c->fresh);
    if ((rc = pt_snapshot_take(p->database, c->fresh, true, NULL, err)) != PT_OK) {
        free(broken);
        return rc;
    }
    step(c, "snapshot");
    int level = (int)pt_settings_int(c->catalog, PT_KEY_BACKUP_COMPRESSION_LEVEL);
    struct pt_change_point point = {.base = pt_xstrdup(c->base.name),
                                    .taken_ms = p->now_ms,
                                    .first_ms = p->now_ms,
                                    .captures = 1};
    const struct pt_change_point *last = newest(c);
    point.previous = last ? pt_xstrdup(last->name) : NULL;
    point.seq = last ? last->seq + 1 : 1;
    if (!broken && pt_changeset_same_file(c->shadow, c->fresh)) {
        /* Not a byte changed since the last capture: no row did either. */
        pt_change_point_free(&point);
        result->unchanged = true;
        step(c, "unchanged");
        return keep_check(c, err);
    }
    if (broken) {
        point.reason = broken;
    } else {
        struct pt_error cmp = {0};
        if (pt_changeset_incompatible(c->shadow, c->fresh, &point.reason, &cmp) != PT_OK)
            point.reason = cannot_compare(&cmp);
        pt_error_clear(&cmp);
    }
    if (!point.reason) {
        point.kind = PT_CHANGE_ROWS;
        c->data = pt_xasprintf("%s/capture-%ld.changeset.zst", p->tmp, (long)getpid());
        unlink(c->data);
        bool empty = false;
        struct pt_error cmp = {0};
        if (pt_changeset_diff(c->shadow, c->fresh, c->data, level, &empty, point.sha256,
                              &point.size, &point.tables, &point.n_tables, &cmp) != PT_OK) {
            /* A copy that cannot be read (damaged, replaced) costs one whole point, not the data.
             */
            point.reason = cannot_compare(&cmp);
            unlink(c->data);
            free(c->data);
            c->data = NULL;
        } else if (empty && pt_changeset_same_sequence(c->shadow, c->fresh)) {
            pt_change_point_free(&point);
            result->unchanged = true;
            step(c, "unchanged");
            return keep_check(c, err);
        } else {
            if (empty)
                rc = pt_changeset_write_empty(c->data, level, point.sha256, &point.size, err);
            if (rc == PT_OK)
                point.state = pt_changeset_state(c->fresh, c->data, err);
        }
        pt_error_clear(&cmp);
    }
    if (point.reason) {
        point.kind = PT_CHANGE_SNAPSHOT;
        c->data = pt_xasprintf("%s/capture-%ld.sqlite3.zst", p->tmp, (long)getpid());
        unlink(c->data);
        rc = pt_compress_file_zstd(c->fresh, c->data, level, point.sha256, &point.size, err);
        if (rc == PT_OK)
            point.state = pt_changeset_state(c->fresh, NULL, err);
    }
    if (rc == PT_OK && !point.state)
        rc = PT_EFAIL;
    step(c, "written");
    if (rc == PT_OK) {
        point.name = pt_changes_name_new(&c->all, p->now_ms);
        char *dir = pt_changes_chain_dir(p, c->base.name);
        point.path =
            pt_xasprintf("%s/%s%s", dir, point.name,
                         point.kind == PT_CHANGE_SNAPSHOT ? ".sqlite3.zst" : ".changeset.zst");
        free(dir);
        rc = pt_changes_place(p, &point, c->data, err);
    }
    step(c, "placed");
    if (rc == PT_OK && rename(c->fresh, c->shadow) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), c->shadow,
                          strerror(errno));
    if (rc == PT_OK) {
        step(c, "shadow moved");
        struct pt_changes_shadow shadow = {
            .base = c->base.name, .point = point.name, .checked_ms = p->now_ms};
        rc = pt_changes_shadow_write(p, &shadow, err);
    }
    if (rc == PT_OK) {
        result->snapshot = point.kind == PT_CHANGE_SNAPSHOT;
        result->name = pt_xstrdup(point.name);
        result->reason = pt_xstrdup(point.reason);
        result->bytes = point.size;
        total(result, &point);
    }
    pt_change_point_free(&point);
    return rc;
}

enum pt_status pt_changes_capture_locked(const struct pt_project *p, struct pt_catalog *catalog,
                                         const struct pt_monitor *monitor,
                                         struct pt_capture_result *result, struct pt_error *err)
{
    memset(result, 0, sizeof(*result));
    int64_t start = pt_clock_elapsed_ms();
    struct capture c = {.project = p, .monitor = monitor, .catalog = catalog};
    enum pt_status rc = pt_snapshot_check_source(p->database, NULL, err);
    if (rc == PT_OK) {
        rc = pt_catalog_get(c.catalog, "latest", &c.base, err);
        if (rc == PT_ENOTFOUND) {
            pt_error_clear(err);
            rc = pt_error_set(err, PT_EINVAL,
                              _("no complete backup yet: change sets follow a full backup "
                                "(poshtiban create)"));
        }
    }
    if (rc == PT_OK) {
        result->base = pt_xstrdup(c.base.name);
        pt_changes_sweep(p);
        c.shadow = pt_changes_shadow_path(p);
        rc = pt_changes_list(p, &c.all, err);
    }
    if (rc == PT_OK)
        rc = pt_changes_chain(p, c.base.name, &c.chain, err);
    if (rc == PT_OK)
        rc = take(&c, result, err);
    if (c.fresh)
        unlink(c.fresh);
    if (c.data)
        unlink(c.data);
    free(c.fresh);
    free(c.data);
    free(c.shadow);
    pt_change_list_free(&c.all);
    pt_change_list_free(&c.chain);
    pt_record_free(&c.base);
    result->duration_ms = pt_clock_elapsed_ms() - start;
    return rc;
}

enum pt_status pt_changes_capture(struct pt_session *s, const struct pt_monitor *monitor,
                                  struct pt_capture_result *result, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(result, 0, sizeof(*result));
    struct pt_catalog *catalog = NULL;
    struct pt_lock lock = {-1};
    enum pt_status rc = pt_project_prepare(p, err);
    if (rc == PT_OK)
        rc = pt_session_catalog(s, PT_CATALOG_WRITE, &catalog, err);
    if (rc == PT_OK)
        rc = pt_lock_acquire(&lock, p, err);
    if (rc == PT_OK)
        rc = pt_changes_capture_locked(p, catalog, monitor, result, err);
    if (rc == PT_OK && !result->unchanged)
        pt_metrics_update(p, catalog);
    pt_lock_release(&lock);
    return rc;
}

void pt_capture_result_free(struct pt_capture_result *r)
{
    free(r->name);
    free(r->base);
    free(r->reason);
    memset(r, 0, sizeof(*r));
}
