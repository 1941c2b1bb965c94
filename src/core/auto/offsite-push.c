// SPDX-License-Identifier: GPL-3.0-or-later
/* push: backups into the repository, by hand and after a backup. */
#include "poshtiban/offsite.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "poshtiban/changes.h"
#include "poshtiban/i18n.h"
#include "poshtiban/notify.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"
#include "poshtiban/verify.h"

#include "auto/offsite-repo.h"
#include "auto/restic.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/reader.h"
#include "ops/metrics.h"
#include "ops/naming.h"
#include "store/autolog.h"

/* A failed push is tried again by auto once this much later, not at every run. */
#define RETRY_MS (3600 * 1000LL)
/* auto lists the repository (README, "Off-site copies") at most this often when it has nothing to
 * send. */
#define DAY_MS (24 * 3600 * 1000LL)

/* ---- push ---------------------------------------------------------------- */

struct summary {
    char *snapshot;
    int64_t bytes_added;
};

static void backup_summary(json_t *msg, void *user)
{
    struct summary *s = user;
    const char *type = json_string_value(json_object_get(msg, "message_type"));
    const char *id = json_string_value(json_object_get(msg, "snapshot_id"));
    if (type && strcmp(type, "summary") == 0 && id) {
        free(s->snapshot);
        s->snapshot = pt_xstrdup(id);
        s->bytes_added = json_integer_value(json_object_get(msg, "data_added"));
    }
}

void pt_offsite_push_result_free(struct pt_offsite_push_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        free(res->items[i].name);
        free(res->items[i].snapshot);
        free(res->items[i].error);
    }
    free(res->items);
    memset(res, 0, sizeof(*res));
}

static struct pt_offsite_pushed *add_item(struct pt_offsite_push_result *res, const char *name)
{
    res->items = pt_xrealloc(res->items, (res->n + 1) * sizeof(*res->items));
    struct pt_offsite_pushed *it = &res->items[res->n++];
    memset(it, 0, sizeof(*it));
    it->name = pt_xstrdup(name);
    return it;
}

/* `restic backup` of one backup, from the backup root, by name: the same paths on any machine. */
static enum pt_status send_one(const struct pt_project *p, struct pt_restic *r, const char *project,
                               const struct pt_record *rec, const struct pt_monitor *mon,
                               struct summary *sum, struct pt_error *err)
{
    const char *suffix = pt_reader_archive_suffix(rec->format);
    char *file = pt_xasprintf("%s%s", rec->name, suffix ? suffix : "");
    char *sidecar = pt_xasprintf("%s.sha256", file);
    char *name_tag = pt_offsite_tag_encode("name:", rec->name);
    char *tags = pt_xasprintf("poshtiban,project:%s,%s,kind:%s,size:%lld", project, name_tag,
                              pt_kind_name(rec->kind), (long long)rec->size_bytes);
    int64_t created = 0;
    if (!pt_time_parse_iso(rec->created_at, &created))
        created = p->now_ms;
    time_t secs = (time_t)(created / 1000);
    struct tm tm;
    char when[32];
    gmtime_r(&secs, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    const char *args[] = {
        "backup", "--json", "--tag", tags, "--time", when, "--", file, suffix ? sidecar : NULL,
        NULL};
    struct pt_restic_call call = {.args = args,
                                  .cwd = p->backups,
                                  .monitor = mon,
                                  .phase = PT_PHASE_UPLOAD,
                                  .on_json = backup_summary,
                                  .user = sum,
                                  .watched = true};
    enum pt_status rc = pt_restic_run(r, &call, err);
    if (rc == PT_OK && !sum->snapshot)
        rc = pt_error_set(err, PT_EFAIL, _("restic made no snapshot of %s"), rec->name);
    free(tags);
    free(name_tag);
    free(sidecar);
    free(file);
    return rc;
}

/* Which backups a push sends. */
enum pick {
    PICK_GIVEN,   /* the one record given */
    PICK_MISSING, /* every completed backup the repository lacks */
    PICK_DUE,     /* those of PICK_MISSING whose last try is old enough (auto) */
};

/* What the repository holds, learned at the start of a push. */
struct known {
    bool listed;
    char *repo; /* the repository's id */
    struct pt_offsite_list list;
    struct pt_error error; /* why it could not be listed */
};

/*
 * Writes rec's off-site outcome, under the project lock (waiting for a
 * create or delete to finish): restic read the backup without it, and the
 * backup may have been deleted meanwhile; then nothing is written.
 */
static void record_outcome(const struct pt_project *p, struct pt_catalog *c,
                           const struct pt_record *rec)
{
    struct pt_lock lock = {-1};
    if (pt_lock_wait(&lock, p, NULL) != PT_OK)
        return;
    struct pt_record now = {0};
    if (pt_catalog_get(c, rec->name, &now, NULL) == PT_OK && now.id == rec->id &&
        now.status == PT_STATE_COMPLETED)
        pt_catalog_set_offsite(c, rec->id, rec->offsite_snapshot, rec->offsite_at_ms,
                               rec->offsite_error, rec->offsite_bytes, NULL);
    pt_record_free(&now);
    pt_lock_release(&lock);
}

/*
 * Pushes each of records (completed) that the repository lacks; outcomes
 * into the catalog, records and res. Stops at a cancel.
 */
static enum pt_status push_records(const struct pt_project *p, struct pt_catalog *c,
                                   struct pt_restic *r, const char *project, const struct known *k,
                                   struct pt_record **records, size_t n,
                                   const struct pt_monitor *mon, struct pt_offsite_push_result *res,
                                   struct pt_error *err)
{
    enum pt_status worst = PT_OK;
    for (size_t i = 0; i < n; i++) {
        struct pt_record *rec = records[i];
        struct pt_offsite_pushed *it = add_item(res, rec->name);
        struct summary sum = {0};
        struct pt_error e = {0};
        const struct pt_offsite_snapshot *there =
            k->listed ? pt_offsite_find_name(&k->list, rec->name) : NULL;
        enum pt_status one;
        if (!k->listed) {
            /* A repository that cannot even be listed fails every backup alike. */
            one = pt_error_set(&e, k->error.status == PT_ECANCELLED ? PT_ECANCELLED : PT_EFAIL,
                               "%s", k->error.message ? k->error.message : _("failed"));
        } else if (there) {
            it->already = true;
            sum.snapshot = pt_xstrdup(there->id);
            one = PT_OK;
        } else {
            one = send_one(p, r, project, rec, mon, &sum, &e);
        }
        if (one == PT_ECANCELLED) {
            /* Asked to stop: nothing is recorded, and nothing is an alarm. */
            free(sum.snapshot);
            pt_error_clear(&e);
            it->error = pt_xstrdup(_("cancelled"));
            worst = PT_ECANCELLED;
            pt_error_set(err, PT_ECANCELLED, "%s", _("cancelled"));
            break;
        }
        if (one == PT_OK) {
            it->snapshot = sum.snapshot;
            it->bytes_added = there ? rec->offsite_bytes : sum.bytes_added;
        } else {
            free(sum.snapshot);
            it->error = pt_xstrdup(e.message ? e.message : _("failed"));
            res->failed++;
            worst = PT_EFAIL;
            pt_error_set(err, PT_EFAIL, "%s", it->error);
        }
        pt_error_clear(&e);
        free(rec->offsite_snapshot);
        free(rec->offsite_error);
        rec->offsite_snapshot = it->snapshot ? pt_xstrdup(it->snapshot) : NULL;
        rec->offsite_error = it->error ? pt_xstrdup(it->error) : NULL;
        rec->offsite_at_ms = p->now_ms;
        if (k->listed)
            rec->offsite_checked_ms = p->now_ms;
        rec->offsite_bytes = it->bytes_added;
        record_outcome(p, c, rec);
    }
    return worst;
}

/*
 * Completed backups to send, newest first: PICK_MISSING those the
 * repository lacks (k listed) or, when it could not be listed, those the
 * catalog has no copy of; PICK_DUE only those last tried before `before`.
 */
static void pick_records(struct pt_catalog *c, enum pick pick, int64_t before,
                         const struct known *k, struct pt_record **out, size_t *n)
{
    struct pt_catalog_filter f = {.has_status = true, .status = PT_STATE_COMPLETED};
    struct pt_record *all = NULL;
    size_t count = 0, kept = 0;
    int64_t total;
    *out = NULL;
    *n = 0;
    if (pt_catalog_list(c, &f, &all, &count, &total, NULL) != PT_OK)
        return;
    for (size_t i = 0; i < count; i++) {
        struct pt_record *r = &all[i];
        bool lacks = k->listed ? !pt_offsite_find_name(&k->list, r->name) : !r->offsite_snapshot;
        bool due = lacks && (pick == PICK_MISSING || r->offsite_at_ms < 0 ||
                             r->offsite_at_ms <= before || !r->offsite_error);
        if (due) {
            all[kept] = *r;
            if (kept != i)
                memset(r, 0, sizeof(*r));
            kept++;
        } else {
            pt_record_free(r);
        }
    }
    *out = all;
    *n = kept;
}

/*
 * A push: restic set up, the repository's id learned, this project's
 * snapshots listed and the catalog synced with them; then the records
 * picked (given, or chosen from that listing) are sent. When restic cannot
 * even be set up (no repository, no password), each record says so.
 */
static enum pt_status push_all(const struct pt_project *p, struct pt_catalog *c, enum pick pick,
                               struct pt_record *given, int64_t before,
                               const struct pt_monitor *mon, struct pt_offsite_push_result *out,
                               struct pt_error *err)
{
    struct pt_restic r = {0};
    struct pt_error e = {0};
    struct known k = {0};
    struct pt_record *list = NULL, **ptrs = NULL;
    size_t n = 0;
    char *project = NULL;
    enum pt_status rc = pt_restic_open(&r, p, c, NULL, &e);
    if (rc == PT_OK) {
        if (!(project = pt_offsite_own_project(c, &k.error)))
            k.listed = false;
        else
            k.listed =
                pt_offsite_refresh(p, c, &r, project, mon, &k.repo, &k.list, &k.error) == PT_OK;
    }
    if (pick == PICK_GIVEN) {
        n = 1;
        ptrs = pt_xcalloc(1, sizeof(*ptrs));
        ptrs[0] = given;
    } else {
        pick_records(c, pick, before, &k, &list, &n);
        ptrs = pt_xcalloc(n + 1, sizeof(*ptrs));
        for (size_t i = 0; i < n; i++)
            ptrs[i] = &list[i];
    }
    if (n == 0 && rc == PT_OK && !k.listed) {
        /* Nothing picked because nothing could be listed: that is no "all sent". */
        rc = pt_error_set(err, k.error.status == PT_ECANCELLED ? PT_ECANCELLED : PT_EFAIL, "%s",
                          k.error.message ? k.error.message : _("failed"));
    } else if (n == 0) {
        rc = PT_OK;
    } else if (rc == PT_OK) {
        rc = push_records(p, c, &r, project, &k, ptrs, n, mon, out, err);
    } else {
        for (size_t i = 0; i < n; i++) {
            struct pt_offsite_pushed *it = add_item(out, ptrs[i]->name);
            it->error = pt_xstrdup(e.message ? e.message : _("failed"));
            out->failed++;
            free(ptrs[i]->offsite_error);
            ptrs[i]->offsite_error = pt_xstrdup(it->error);
            ptrs[i]->offsite_at_ms = p->now_ms;
            free(ptrs[i]->offsite_snapshot);
            ptrs[i]->offsite_snapshot = NULL;
            ptrs[i]->offsite_bytes = 0;
            record_outcome(p, c, ptrs[i]);
        }
        pt_error_set(err, PT_EFAIL, "%s", e.message ? e.message : _("failed"));
        rc = PT_EFAIL;
    }
    free(ptrs);
    pt_record_list_free(list, n);
    free(project);
    free(k.repo);
    pt_offsite_list_free(&k.list);
    pt_error_clear(&k.error);
    pt_error_clear(&e);
    pt_restic_close(&r);
    return rc;
}

/* ---- chains of change sets (docs/changes.md, "Off-site") ---------------- */

/*
 * base's chain as it is now, linked into a private folder (*stage, which
 * holds changes/<base>/) under the project lock for a moment: restic then
 * reads a chain that no capture or thinning changes meanwhile.
 */
static enum pt_status stage_chain(const struct pt_project *p, const char *base, char **stage,
                                  struct pt_error *err)
{
    /* Named for recovery's clean-up of tmp, which leaves a live process's work alone. */
    *stage = pt_xasprintf("%s/push-%ld-changes-XXXXXX", p->tmp, (long)getpid());
    if (pt_mkdir_p(p->tmp, 0700) != 0 || !mkdtemp(*stage))
        return pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), *stage, strerror(errno));
    char *dir = pt_xasprintf("%s/%s/%s", p->backups, PT_CHANGES_DIR, base);
    char *into = pt_xasprintf("%s/%s/%s", *stage, PT_CHANGES_DIR, base);
    struct pt_lock lock = {-1};
    enum pt_status rc = pt_lock_wait(&lock, p, err);
    if (rc == PT_OK && pt_mkdir_p(into, 0700) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), into, strerror(errno));
    DIR *d = rc == PT_OK ? opendir(dir) : NULL;
    if (rc == PT_OK && !d)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), dir, strerror(errno));
    struct dirent *e;
    while (d && rc == PT_OK && (e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        char *from = pt_path_join(dir, e->d_name), *to = pt_path_join(into, e->d_name);
        if (link(from, to) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), to, strerror(errno));
        free(from);
        free(to);
    }
    if (d)
        closedir(d);
    pt_lock_release(&lock);
    free(dir);
    free(into);
    return rc;
}

/* `restic backup` of base's chain, its newest point newest, from a staged copy. */
static enum pt_status send_chain(const struct pt_project *p, struct pt_restic *r,
                                 const char *project, const struct pt_change_point *newest,
                                 const struct pt_monitor *mon, struct summary *sum,
                                 struct pt_error *err)
{
    char *stage = NULL;
    enum pt_status rc = stage_chain(p, newest->base, &stage, err);
    char *base_tag = pt_offsite_tag_encode("base:", newest->base);
    char *point_tag = pt_offsite_tag_encode("point:", newest->name);
    char *tags = pt_xasprintf("poshtiban,project:%s,changes,%s,%s", project, base_tag, point_tag);
    char *path = pt_xasprintf("%s/%s", PT_CHANGES_DIR, newest->base);
    time_t secs = (time_t)(newest->taken_ms / 1000);
    struct tm tm;
    char when[32];
    gmtime_r(&secs, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    const char *args[] = {"backup", "--json", "--tag", tags, "--time", when, "--", path, NULL};
    struct pt_restic_call call = {.args = args,
                                  .cwd = stage,
                                  .monitor = mon,
                                  .phase = PT_PHASE_UPLOAD,
                                  .on_json = backup_summary,
                                  .user = sum,
                                  .watched = true};
    if (rc == PT_OK)
        rc = pt_restic_run(r, &call, err);
    if (rc == PT_OK && !sum->snapshot)
        rc = pt_error_set(err, PT_EFAIL, _("restic made no snapshot of %s"), path);
    if (stage)
        pt_remove_tree(stage);
    free(stage);
    free(path);
    free(tags);
    free(point_tag);
    free(base_tag);
    return rc;
}

/*
 * Sends the chains (only base's when not NULL) whose newest point no chain
 * snapshot of the repository names yet; each outcome into res. The project
 * lock is not held; the off-site lock is the caller's.
 */
static enum pt_status push_chains(const struct pt_project *p, struct pt_catalog *c,
                                  const char *base, const struct pt_monitor *mon,
                                  struct pt_offsite_push_result *res, struct pt_error *err)
{
    struct pt_change_list list = {0};
    if (pt_changes_list(p, &list, NULL) != PT_OK || list.n == 0) {
        pt_change_list_free(&list);
        return PT_OK;
    }
    struct pt_restic r = {0};
    json_t *doc = NULL;
    struct pt_offsite_chain *chains = NULL;
    size_t n_chains = 0;
    char *project = NULL;
    struct pt_error e = {0};
    enum pt_status rc = pt_restic_open(&r, p, c, NULL, &e);
    if (rc == PT_OK && !(project = pt_offsite_own_project(c, &e)))
        rc = PT_EFAIL;
    if (rc == PT_OK) {
        char *filter = pt_xasprintf("poshtiban,project:%s,changes", project);
        rc = pt_offsite_snapshots_json(&r, filter, mon, &doc, &e);
        free(filter);
    }
    if (rc == PT_OK)
        pt_offsite_read_chains(doc, project, &chains, &n_chains);
    enum pt_status worst = PT_OK;
    for (size_t i = 0; i < list.n; i++) {
        const struct pt_change_point *pt = &list.points[i];
        bool newest = true;
        for (size_t j = 0; j < list.n && newest; j++)
            newest = strcmp(list.points[j].base, pt->base) != 0 || list.points[j].seq <= pt->seq;
        if (!newest || (base && strcmp(pt->base, base) != 0))
            continue;
        const struct pt_offsite_chain *there = pt_offsite_find_chain(chains, n_chains, pt->base);
        if (rc == PT_OK && there && there->point && strcmp(there->point, pt->name) == 0)
            continue;
        char *label = pt_xasprintf("%s/%s", PT_CHANGES_DIR, pt->base);
        struct pt_offsite_pushed *it = add_item(res, label);
        free(label);
        struct summary sum = {0};
        struct pt_error why = {0};
        enum pt_status one =
            rc == PT_OK ? send_chain(p, &r, project, pt, mon, &sum, &why)
                        : pt_error_set(&why, rc, "%s", e.message ? e.message : _("failed"));
        if (one == PT_OK) {
            it->snapshot = sum.snapshot;
            it->bytes_added = sum.bytes_added;
        } else {
            free(sum.snapshot);
            it->error = pt_xstrdup(one == PT_ECANCELLED ? _("cancelled")
                                   : why.message        ? why.message
                                                        : _("failed"));
            if (one != PT_ECANCELLED)
                res->failed++;
            worst = worst == PT_ECANCELLED ? worst : one == PT_ECANCELLED ? one : PT_EFAIL;
            pt_error_set(err, worst, "%s", it->error);
        }
        pt_error_clear(&why);
        if (one == PT_ECANCELLED)
            break;
    }
    pt_error_clear(&e);
    pt_offsite_chains_free(chains, n_chains);
    json_decref(doc);
    free(project);
    pt_restic_close(&r);
    pt_change_list_free(&list);
    return worst;
}

void pt_offsite_after_capture(struct pt_session *s, const char *base, const struct pt_monitor *mon)
{
    const struct pt_project *p = s->project;
    struct pt_catalog *c = NULL;
    if (!base || pt_session_catalog(s, PT_CATALOG_WRITE, &c, NULL) != PT_OK)
        return;
    struct pt_offsite_push_result out = {0};
    /* Another push runs: this chain goes with the next capture, or push --missing. */
    struct pt_lock lock = {-1};
    if (pt_settings_bool(c, PT_KEY_OFFSITE_ENABLED) &&
        pt_settings_bool(c, PT_KEY_OFFSITE_AFTER_BACKUP) &&
        pt_lock_acquire_offsite(&lock, p, NULL) == PT_OK) {
        push_chains(p, c, base, mon, &out, NULL);
        pt_lock_release(&lock);
    }
    pt_offsite_notify(p, c, &out);
    pt_offsite_push_result_free(&out);
}

enum pt_status pt_offsite_push(struct pt_session *s, const char *id, const struct pt_monitor *mon,
                               struct pt_offsite_push_result *out, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    struct pt_lock lock = {-1};
    struct pt_record one = {0};
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_WRITE, &c, err);
    if (rc != PT_OK)
        return rc;
    /* The off-site lock alone: create and auto go on while restic uploads. */
    if ((rc = pt_lock_acquire_offsite(&lock, p, err)) != PT_OK)
        goto out;
    if (id) {
        if ((rc = pt_catalog_get(c, id, &one, err)) != PT_OK)
            goto out;
        if (one.status != PT_STATE_COMPLETED) {
            rc = pt_error_set(err, PT_EINVAL,
                              _("backup %s is not complete (%s): it has no files to send"),
                              one.name, pt_state_label(one.status));
            goto out;
        }
    }
    /* --missing decides from the repository's own listing, never from the catalog. */
    rc = push_all(p, c, id ? PICK_GIVEN : PICK_MISSING, &one, INT64_MAX, mon, out, err);
    /* Then the chains of change sets the repository lacks. */
    if (!id && rc != PT_ECANCELLED) {
        enum pt_status chains = push_chains(p, c, NULL, mon, out, err);
        if (rc == PT_OK)
            rc = chains;
    }
out:
    pt_record_free(&one);
    pt_lock_release(&lock);
    /* After the lock, as for a backup: mail and pings never hold up another push. */
    if (c)
        pt_offsite_notify(p, c, out);
    pt_metrics_update(p, c);
    return rc;
}

/*
 * When auto last tried to look at the repository (ms, as text): beside the
 * settings, so that a repository that cannot be reached is tried once a
 * day, not at every run.
 */
#define LOOKED_KEY ".offsite.looked_at"

/* True when then lies less than a day before now. */
static bool within_day(const struct pt_project *p, int64_t then)
{
    return then >= 0 && then <= p->now_ms && p->now_ms - then < DAY_MS;
}

/* True when auto listed the current repository, or tried to, less than a day ago. */
static bool looked_today(const struct pt_project *p, struct pt_catalog *c)
{
    char *repo = NULL, *tried = NULL;
    int64_t checked;
    pt_catalog_offsite_current(c, &repo, &checked);
    bool today = repo && within_day(p, checked);
    if (!today && pt_catalog_setting_get(c, LOOKED_KEY, &tried, NULL) == PT_OK && tried)
        today = within_day(p, strtoll(tried, NULL, 10));
    free(tried);
    free(repo);
    return today;
}

/* The catalog synced with the repository, and nothing sent. Failures wait for the next day. */
static void refresh_only(const struct pt_project *p, struct pt_catalog *c,
                         const struct pt_monitor *mon)
{
    struct pt_restic r = {0};
    struct pt_offsite_list l = {0};
    char *repo = NULL;
    if (pt_restic_open(&r, p, c, NULL, NULL) == PT_OK)
        pt_offsite_refresh(p, c, &r, NULL, mon, &repo, &l, NULL);
    free(repo);
    pt_offsite_list_free(&l);
    pt_restic_close(&r);
}

void pt_offsite_after_backup(const struct pt_project *p, struct pt_catalog *c,
                             struct pt_record *record, const struct pt_monitor *mon,
                             struct pt_offsite_push_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!pt_settings_bool(c, PT_KEY_OFFSITE_ENABLED))
        return;
    bool push = pt_settings_bool(c, PT_KEY_OFFSITE_AFTER_BACKUP);
    if (record && (!push || record->status != PT_STATE_COMPLETED))
        return;
    /*
     * Another push runs (by hand, or another auto): this backup stays unsent,
     * without an error, and the next auto sends it.
     */
    struct pt_lock lock = {-1};
    if (pt_lock_acquire_offsite(&lock, p, NULL) != PT_OK)
        return;
    if (record) {
        push_all(p, c, PICK_GIVEN, record, 0, mon, out, NULL);
        pt_lock_release(&lock);
        return;
    }
    int64_t before = p->now_ms - RETRY_MS;
    if (looked_today(p, c)) {
        /* Looked today: the catalog is fact enough to know whether anything is owed. */
        struct known none = {0};
        struct pt_record *owed = NULL;
        size_t n = 0;
        if (push)
            pick_records(c, PICK_DUE, before, &none, &owed, &n);
        pt_record_list_free(owed, n);
        if (n == 0) {
            pt_lock_release(&lock);
            return;
        }
    }
    char *now = pt_xasprintf("%lld", (long long)p->now_ms);
    pt_catalog_setting_put(c, LOOKED_KEY, now, NULL);
    free(now);
    if (push)
        push_all(p, c, PICK_DUE, NULL, before, mon, out, NULL);
    else
        refresh_only(p, c, mon);
    pt_lock_release(&lock);
}

void pt_offsite_notify(const struct pt_project *p, struct pt_catalog *c,
                       const struct pt_offsite_push_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        const struct pt_offsite_pushed *it = &res->items[i];
        if (!it->error || it->snapshot || strcmp(it->error, _("cancelled")) == 0)
            continue;
        char *line = pt_xasprintf(_("%s: the off-site copy failed: %s"), it->name, it->error);
        pt_autolog_append(p, line);
        free(line);
        pt_notify_offsite_failed(p, c, it->name, it->error);
    }
}
