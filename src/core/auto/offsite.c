// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/offsite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/autolog.h"
#include "ops/backup-internal.h"
#include "base/fsutil.h"
#include "poshtiban/i18n.h"
#include "base/lock.h"
#include "ops/naming.h"
#include "poshtiban/notify.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"
#include "poshtiban/verify.h"
#include "engine/reader.h"
#include "auto/restic.h"

/* A failed push is tried again by auto once this much later, not at every run. */
#define RETRY_MS (3600 * 1000LL)

/* ---- tags ---------------------------------------------------------------- */

/* restic splits --tag values at commas: a name keeps its ',' and '%' as %2C and %25. */
static char *tag_encode(const char *prefix, const char *value)
{
    char *out = pt_xmalloc(strlen(prefix) + strlen(value) * 3 + 1), *o = out;
    o += sprintf(o, "%s", prefix);
    for (const char *p = value; *p; p++) {
        if (*p == ',' || *p == '%')
            o += sprintf(o, "%%%02X", (unsigned char)*p);
        else
            *o++ = *p;
    }
    *o = '\0';
    return out;
}

static char *tag_decode(const char *s)
{
    char *out = pt_xmalloc(strlen(s) + 1), *o = out;
    for (; *s; s++) {
        unsigned v;
        if (*s == '%' && sscanf(s + 1, "%2X", &v) == 1 && s[1] && s[2]) {
            *o++ = (char)v;
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

static bool valid_project_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || *s == '-'))
            return false;
    return true;
}

static char *new_project_id(void)
{
    unsigned char raw[8];
    size_t got = 0;
    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < sizeof(raw)) { /* no getrandom: time and pid are unique enough for a name */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
        memcpy(raw, &v, sizeof(raw));
    }
    char *id = pt_xmalloc(sizeof(raw) * 2 + 1);
    for (size_t i = 0; i < sizeof(raw); i++)
        sprintf(id + 2 * i, "%02x", raw[i]);
    return id;
}

/* The stored project id, or NULL. */
static char *stored_project(struct pt_catalog *c)
{
    char *id = NULL;
    if (pt_catalog_setting_get(c, PT_OFFSITE_PROJECT_KEY, &id, NULL) != PT_OK || !id)
        return NULL;
    if (!valid_project_id(id)) {
        free(id);
        return NULL;
    }
    return id;
}

static char *own_project(struct pt_catalog *c, struct pt_error *err)
{
    char *id = stored_project(c);
    if (id)
        return id;
    id = new_project_id();
    if (pt_catalog_setting_put(c, PT_OFFSITE_PROJECT_KEY, id, err) != PT_OK) {
        free(id);
        return NULL;
    }
    return id;
}

/* ---- snapshots ----------------------------------------------------------- */

static void snapshot_free(struct pt_offsite_snapshot *s)
{
    free(s->id);
    free(s->short_id);
    free(s->name);
    free(s->host);
    memset(s, 0, sizeof(*s));
}

void pt_offsite_list_free(struct pt_offsite_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        snapshot_free(&l->items[i]);
    free(l->items);
    free(l->project);
    memset(l, 0, sizeof(*l));
}

static const char *tag_value(json_t *tags, const char *prefix)
{
    size_t i, n = strlen(prefix);
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *s = json_string_value(t);
        if (s && strncmp(s, prefix, n) == 0)
            return s + n;
    }
    return NULL;
}

/* A snapshot of restic's JSON; false when it is no poshtiban backup. */
static bool read_snapshot(json_t *o, struct pt_offsite_snapshot *s)
{
    memset(s, 0, sizeof(*s));
    json_t *tags = json_object_get(o, "tags");
    const char *name = tag_value(tags, "name:");
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!name || !id)
        return false;
    s->id = pt_xstrdup(id);
    const char *short_id = json_string_value(json_object_get(o, "short_id"));
    s->short_id = pt_xasprintf("%.8s", short_id ? short_id : id);
    s->name = tag_decode(name);
    s->kind = PT_KIND_MANUAL;
    pt_kind_parse(tag_value(tags, "kind:"), &s->kind);
    const char *host = json_string_value(json_object_get(o, "hostname"));
    s->host = pt_xstrdup(host ? host : "");
    if (!pt_time_parse_iso(json_string_value(json_object_get(o, "time")), &s->time_ms))
        s->time_ms = 0;
    const char *size = tag_value(tags, "size:");
    s->size_bytes = size ? strtoll(size, NULL, 10) : -1;
    return true;
}

struct collected {
    json_t *doc;
};

static void keep_json(json_t *msg, void *user)
{
    struct collected *c = user;
    if (!c->doc)
        c->doc = json_incref(msg);
}

/* `restic snapshots` with filter tags; the raw array (new reference). */
static enum pt_status snapshots_json(struct pt_restic *r, const char *tags,
                                     const struct pt_monitor *mon, json_t **out,
                                     struct pt_error *err)
{
    struct collected got = {0};
    const char *args[] = {"snapshots", "--json", "--no-lock", "--tag", tags, NULL};
    struct pt_restic_call call = {.args = args,
                                  .monitor = mon,
                                  .phase = PT_PHASE_PREPARE,
                                  .on_json = keep_json,
                                  .user = &got};
    enum pt_status rc = pt_restic_run(r, &call, err);
    if (rc == PT_OK && !json_is_array(got.doc))
        rc = pt_error_set(err, PT_EFAIL, _("restic listed no snapshots in a form poshtiban reads"));
    if (rc != PT_OK) {
        json_decref(got.doc);
        return rc;
    }
    *out = got.doc;
    return PT_OK;
}

static int by_time(const void *a, const void *b)
{
    const struct pt_offsite_snapshot *x = a, *y = b;
    return x->time_ms < y->time_ms ? -1 : x->time_ms > y->time_ms ? 1 : strcmp(x->name, y->name);
}

static enum pt_status list_project(struct pt_restic *r, const char *project,
                                   const struct pt_monitor *mon, struct pt_offsite_list *out,
                                   struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    char *tags = pt_xasprintf("poshtiban,project:%s", project);
    json_t *doc = NULL;
    enum pt_status rc = snapshots_json(r, tags, mon, &doc, err);
    free(tags);
    if (rc != PT_OK)
        return rc;
    out->project = pt_xstrdup(project);
    out->items = pt_xcalloc(json_array_size(doc) + 1, sizeof(*out->items));
    size_t i;
    json_t *o;
    json_array_foreach(doc, i, o)
    {
        if (read_snapshot(o, &out->items[out->n]))
            out->n++;
    }
    json_decref(doc);
    qsort(out->items, out->n, sizeof(*out->items), by_time);
    return PT_OK;
}

static const struct pt_offsite_snapshot *find_name(const struct pt_offsite_list *l,
                                                   const char *name)
{
    for (size_t i = l->n; i-- > 0;)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

/*
 * The project id for a pull: the catalog's; the one asked for; or, on a
 * machine that has none, the only poshtiban project in the repository.
 * Stored when it was not.
 */
static char *pull_project(struct pt_catalog *c, struct pt_restic *r, const char *asked,
                          const struct pt_monitor *mon, struct pt_error *err)
{
    char *stored = stored_project(c);
    if (asked && !valid_project_id(asked)) {
        free(stored);
        pt_error_set(err, PT_EINVAL,
                     _("--project takes a project id as `poshtiban offsite list` shows it "
                       "(letters a-z, digits and -), not \"%s\""),
                     asked);
        return NULL;
    }
    if (stored && asked && strcmp(stored, asked) != 0) {
        pt_error_set(err, PT_EINVAL, _("this catalog belongs to the off-site project %s, not %s"),
                     stored, asked);
        free(stored);
        return NULL;
    }
    if (stored)
        return stored;
    char *id = NULL;
    if (asked) {
        id = pt_xstrdup(asked);
    } else {
        json_t *doc = NULL;
        if (snapshots_json(r, "poshtiban", mon, &doc, err) != PT_OK)
            return NULL;
        json_t *seen = json_object();
        size_t i;
        json_t *o;
        json_array_foreach(doc, i, o)
        {
            const char *p = tag_value(json_object_get(o, "tags"), "project:");
            if (p && valid_project_id(p))
                json_object_set_new(seen, p, json_true());
        }
        json_decref(doc);
        if (json_object_size(seen) == 1) {
            id = pt_xstrdup(json_object_iter_key(json_object_iter(seen)));
        } else if (json_object_size(seen) == 0) {
            pt_error_set(err, PT_ENOTFOUND,
                         _("the off-site repository holds no poshtiban backups"));
        } else {
            char *names = pt_xstrdup("");
            const char *key;
            json_t *v;
            json_object_foreach(seen, key, v)
            {
                char *more = pt_xasprintf("%s%s%s", names, *names ? ", " : "", key);
                free(names);
                names = more;
            }
            pt_error_set(err, PT_EINVAL,
                         _("the off-site repository holds the backups of several projects (%s): "
                           "say which is this one with --project ID"),
                         names);
            free(names);
        }
        json_decref(seen);
    }
    if (id && pt_catalog_setting_put(c, PT_OFFSITE_PROJECT_KEY, id, err) != PT_OK) {
        free(id);
        id = NULL;
    }
    return id;
}

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
    char *name_tag = tag_encode("name:", rec->name);
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
                                  .user = sum};
    enum pt_status rc = pt_restic_run(r, &call, err);
    if (rc == PT_OK && !sum->snapshot)
        rc = pt_error_set(err, PT_EFAIL, _("restic made no snapshot of %s"), rec->name);
    free(tags);
    free(name_tag);
    free(sidecar);
    free(file);
    return rc;
}

/*
 * Pushes each of records (completed) that the repository lacks; outcomes
 * into the catalog, records and res. Stops at a cancel.
 */
static enum pt_status push_records(const struct pt_project *p, struct pt_catalog *c,
                                   struct pt_restic *r, struct pt_record **records, size_t n,
                                   const struct pt_monitor *mon, struct pt_offsite_push_result *res,
                                   struct pt_error *err)
{
    struct pt_error listing = {0};
    char *project = own_project(c, &listing);
    struct pt_offsite_list known = {0};
    bool listed = project && list_project(r, project, mon, &known, &listing) == PT_OK;
    enum pt_status worst = PT_OK;
    for (size_t i = 0; i < n; i++) {
        struct pt_record *rec = records[i];
        struct pt_offsite_pushed *it = add_item(res, rec->name);
        struct summary sum = {0};
        struct pt_error e = {0};
        const struct pt_offsite_snapshot *there = listed ? find_name(&known, rec->name) : NULL;
        enum pt_status one;
        if (!listed) {
            /* A repository that cannot even be listed fails every backup alike. */
            one = pt_error_set(&e, listing.status == PT_ECANCELLED ? PT_ECANCELLED : PT_EFAIL, "%s",
                               listing.message ? listing.message : _("failed"));
        } else if (there) {
            it->already = true;
            sum.snapshot = pt_xstrdup(there->short_id);
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
        rec->offsite_bytes = it->bytes_added;
        pt_catalog_set_offsite(c, rec->id, rec->offsite_snapshot, rec->offsite_at_ms,
                               rec->offsite_error, rec->offsite_bytes, NULL);
    }
    pt_error_clear(&listing);
    pt_offsite_list_free(&known);
    free(project);
    return worst;
}

/*
 * push_records for n records with restic set up here. When restic cannot
 * even be set up (no repository, no password), each record says so.
 */
static enum pt_status push_all(const struct pt_project *p, struct pt_catalog *c,
                               struct pt_record **records, size_t n, const struct pt_monitor *mon,
                               struct pt_offsite_push_result *out, struct pt_error *err)
{
    if (n == 0)
        return PT_OK;
    struct pt_restic r = {0};
    struct pt_error e = {0};
    enum pt_status rc = pt_restic_open(&r, p, c, NULL, &e);
    if (rc == PT_OK) {
        rc = push_records(p, c, &r, records, n, mon, out, err);
    } else {
        for (size_t i = 0; i < n; i++) {
            struct pt_offsite_pushed *it = add_item(out, records[i]->name);
            it->error = pt_xstrdup(e.message ? e.message : _("failed"));
            out->failed++;
            free(records[i]->offsite_error);
            records[i]->offsite_error = pt_xstrdup(it->error);
            records[i]->offsite_at_ms = p->now_ms;
            pt_catalog_set_offsite(c, records[i]->id, NULL, p->now_ms, it->error, 0, NULL);
        }
        pt_error_set(err, PT_EFAIL, "%s", e.message ? e.message : _("failed"));
        rc = PT_EFAIL;
    }
    pt_error_clear(&e);
    pt_restic_close(&r);
    return rc;
}

/* Completed backups without an off-site copy, newest first; only those last tried before `before`.
 */
static void unsent(struct pt_catalog *c, int64_t before, struct pt_record **out, size_t *n)
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
        bool due = !r->offsite_snapshot &&
                   (r->offsite_at_ms < 0 || r->offsite_at_ms <= before || !r->offsite_error);
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

enum pt_status pt_offsite_push(const struct pt_project *p, const char *id,
                               const struct pt_monitor *mon, struct pt_offsite_push_result *out,
                               struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    struct pt_lock lock = {-1};
    struct pt_record one = {0}, *list = NULL, **ptrs = NULL;
    size_t n = 0;
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_WRITE, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_lock_acquire(&lock, p, err)) != PT_OK)
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
        n = 1;
        ptrs = pt_xcalloc(1, sizeof(*ptrs));
        ptrs[0] = &one;
    } else {
        unsent(c, INT64_MAX, &list, &n);
        ptrs = pt_xcalloc(n + 1, sizeof(*ptrs));
        for (size_t i = 0; i < n; i++)
            ptrs[i] = &list[i];
    }
    rc = push_all(p, c, ptrs, n, mon, out, err);
out:
    free(ptrs);
    pt_record_list_free(list, id ? 0 : n);
    pt_record_free(&one);
    pt_lock_release(&lock);
    /* After the lock, as for a backup: mail and pings never hold up another process. */
    if (c)
        pt_offsite_notify(p, c, out);
    pt_catalog_close(c);
    return rc;
}

void pt_offsite_after_backup(const struct pt_project *p, struct pt_catalog *c,
                             struct pt_record *record, const struct pt_monitor *mon,
                             struct pt_offsite_push_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!pt_settings_bool(c, "offsite.enabled") || !pt_settings_bool(c, "offsite.after_backup"))
        return;
    struct pt_record *list = NULL, **ptrs = NULL;
    size_t n = 0;
    if (record) {
        if (record->status != PT_STATE_COMPLETED)
            return;
        ptrs = pt_xcalloc(1, sizeof(*ptrs));
        ptrs[0] = record;
        n = 1;
    } else {
        unsent(c, p->now_ms - RETRY_MS, &list, &n);
        ptrs = pt_xcalloc(n + 1, sizeof(*ptrs));
        for (size_t i = 0; i < n; i++)
            ptrs[i] = &list[i];
    }
    push_all(p, c, ptrs, n, mon, out, NULL);
    free(ptrs);
    pt_record_list_free(list, record ? 0 : n);
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

/* ---- pull ---------------------------------------------------------------- */

/* Moves what restic restored into work into the backup root; fills r's name, format and path. */
static enum pt_status place(const struct pt_project *p, const char *work, const char *name,
                            struct pt_record *r, struct pt_error *err)
{
    static const char *const formats[] = {"dir", "zip", "tar.zst"};
    struct stat st;
    for (size_t i = 0; i < 3 && !r->format; i++) {
        const char *suffix = pt_reader_archive_suffix(formats[i]);
        char *file = pt_xasprintf("%s/%s%s", work, name, suffix ? suffix : "");
        if (lstat(file, &st) == 0 && (suffix ? S_ISREG(st.st_mode) : S_ISDIR(st.st_mode))) {
            r->format = pt_xstrdup(formats[i]);
            r->path = pt_xasprintf("%s/%s%s", p->backups, name, suffix ? suffix : "");
        }
        free(file);
    }
    if (!r->format)
        return pt_error_set(err, PT_EFAIL,
                            _("the off-site copy of %s holds no backup of that name"), name);
    r->name = pt_xstrdup(name);
    const char *suffix = pt_reader_archive_suffix(r->format);
    enum pt_status rc = PT_OK;
    if (suffix) {
        char *from = pt_xasprintf("%s/%s%s.sha256", work, name, suffix);
        char *to = pt_xasprintf("%s.sha256", r->path);
        if (rename(from, to) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), to,
                              strerror(errno));
        free(from);
        free(to);
    }
    char *from = pt_xasprintf("%s/%s%s", work, name, suffix ? suffix : "");
    if (rc == PT_OK && rename(from, r->path) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), r->path,
                          strerror(errno));
    free(from);
    if (rc == PT_OK && pt_fsync_dir(p->backups) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), p->backups, strerror(errno));
    return rc;
}

static enum pt_status fetch(const struct pt_project *p, struct pt_catalog *c, struct pt_restic *r,
                            const struct pt_offsite_snapshot *snap, const struct pt_monitor *mon,
                            struct pt_record *rec, struct pt_error *err)
{
    char *work = pt_xasprintf("%s/pull-%ld", p->tmp, (long)getpid());
    pt_remove_tree(work);
    enum pt_status rc = PT_OK;
    if (pt_mkdir_p(work, 0700) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), work, strerror(errno));
    if (mon && mon->progress) {
        /* restic 0.14 tells nothing while it restores: the phase, without figures. */
        struct pt_progress pr = {PT_PHASE_DOWNLOAD, 0, 0, NULL};
        mon->progress(&pr, mon->user);
    }
    const char *args[] = {"restore", snap->id, "--target", work, NULL};
    struct pt_restic_call call = {.args = args, .monitor = mon, .phase = PT_PHASE_DOWNLOAD};
    if (rc == PT_OK)
        rc = pt_restic_run(r, &call, err);
    if (rc == PT_OK)
        rc = place(p, work, snap->name, rec, err);
    json_t *report = NULL;
    if (rc == PT_OK) {
        rec->status = PT_STATE_COMPLETED;
        rec->verify_ok = -1;
        if ((rc = pt_backup_read_report(rec, &report, err)) == PT_OK) {
            const char *name = json_string_value(json_object_get(report, "name"));
            if (!name || strcmp(name, rec->name) != 0)
                rc = pt_error_set(err, PT_EFAIL, _("the report of %s is damaged"), rec->name);
            pt_backup_record_from_report(rec, report);
        }
        json_decref(report);
        if (rc == PT_OK && !rec->created_at)
            rc = pt_error_set(err, PT_EFAIL, _("the report of %s is damaged"), rec->name);
        if (rc == PT_OK) {
            pt_record_set_message(rec, PT_MESSAGE_PULLED, snap->short_id);
            rc = pt_catalog_insert(c, rec, err);
        }
        if (rc != PT_OK) {
            /* Not recorded: what was moved in goes again. */
            char *sidecar = pt_xasprintf("%s.sha256", rec->path);
            pt_remove_tree(rec->path);
            unlink(sidecar);
            free(sidecar);
        }
    }
    pt_remove_tree(work);
    free(work);
    return rc;
}

enum pt_status pt_offsite_pull(const struct pt_project *p, const char *name,
                               const struct pt_offsite_options *o, const struct pt_monitor *mon,
                               struct pt_record *out, struct pt_error *err)
{
    struct pt_catalog *c = NULL;
    struct pt_lock lock = {-1};
    struct pt_restic r = {0};
    struct pt_offsite_list list = {0};
    struct pt_record rec = {0};
    char *project = NULL;
    static const struct pt_offsite_options none = {0};
    if (!o)
        o = &none;
    if (out)
        memset(out, 0, sizeof(*out));
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_WRITE, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_lock_acquire(&lock, p, err)) != PT_OK)
        goto out;
    if (o->repository &&
        (rc = pt_settings_set(c, "offsite.repository", o->repository, err)) != PT_OK)
        goto out;
    if ((rc = pt_restic_open(&r, p, c, NULL, err)) != PT_OK)
        goto out;
    if (!(project = pull_project(c, &r, o->project, mon, err))) {
        rc = err && err->status != PT_OK ? err->status : PT_EFAIL;
        goto out;
    }
    if ((rc = list_project(&r, project, mon, &list, err)) != PT_OK)
        goto out;
    const struct pt_offsite_snapshot *snap = NULL;
    if (strcmp(name, "latest") == 0)
        snap = list.n ? &list.items[list.n - 1] : NULL;
    else
        snap = find_name(&list, name);
    if (!snap) {
        rc = strcmp(name, "latest") == 0
                 ? pt_error_set(err, PT_ENOTFOUND,
                                _("the off-site repository holds no backup of this project yet"))
                 : pt_error_set(err, PT_ENOTFOUND, _("no off-site copy of %s"), name);
        goto out;
    }
    if (!pt_backup_name_free(p, c, snap->name)) {
        rc = pt_error_set(err, PT_EINVAL,
                          _("a backup named %s exists here already; nothing was fetched"),
                          snap->name);
        goto out;
    }
    if ((rc = fetch(p, c, &r, snap, mon, &rec, err)) != PT_OK)
        goto out;
    pt_catalog_set_offsite(c, rec.id, snap->short_id, p->now_ms, NULL, 0, NULL);
    struct pt_verify_result vr;
    rc = pt_verify_backup(p, rec.name, false, mon, NULL, &vr, err);
    if (rc == PT_OK && !vr.ok) {
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site copy of %s does not verify (%s); it was removed again"),
                          rec.name, vr.n ? vr.problems[0] : "?");
    }
    pt_verify_result_free(&vr);
    if (rc != PT_OK) {
        pt_backup_remove_locked(p, c, &rec, NULL);
        goto out;
    }
    pt_record_free(&rec);
    rc = pt_catalog_get(c, snap->name, &rec, err);
out:
    if (out && rc == PT_OK) {
        *out = rec;
        memset(&rec, 0, sizeof(rec));
    }
    pt_record_free(&rec);
    free(project);
    pt_offsite_list_free(&list);
    pt_restic_close(&r);
    pt_lock_release(&lock);
    pt_catalog_close(c);
    return rc;
}

/* ---- init, list, prune, check ------------------------------------------- */

enum pt_status pt_offsite_init(const struct pt_project *p, bool *existed, struct pt_error *err)
{
    *existed = false;
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_WRITE, err);
    if (rc != PT_OK)
        return rc;
    char *project = NULL;
    if ((rc = pt_restic_open(&r, p, c, NULL, err)) == PT_OK &&
        (project = own_project(c, err)) == NULL)
        rc = PT_EFAIL;
    if (rc == PT_OK) {
        /* A repository that is there already: poshtiban uses it as it is. */
        const char *cat[] = {"cat", "config", "--no-lock", NULL};
        struct pt_restic_call probe = {.args = cat};
        if (pt_restic_run(&r, &probe, NULL) == PT_OK) {
            *existed = true;
        } else {
            const char *args[] = {"init", NULL};
            struct pt_restic_call call = {.args = args};
            rc = pt_restic_run(&r, &call, err);
        }
    }
    free(project);
    pt_restic_close(&r);
    pt_catalog_close(c);
    return rc;
}

/* The catalog (read only) and restic, for the commands that only talk to the repository. */
static enum pt_status open_repository(const struct pt_project *p,
                                      const struct pt_offsite_options *o, struct pt_catalog **c,
                                      struct pt_restic *r, char **project, struct pt_error *err)
{
    *project = NULL;
    enum pt_status rc = pt_catalog_open(c, p, PT_CATALOG_READ, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_restic_open(r, p, *c, o ? o->repository : NULL, err)) != PT_OK)
        return rc;
    *project = o && o->project ? pt_xstrdup(o->project) : stored_project(*c);
    if (!*project)
        return pt_error_set(err, PT_ENOTFOUND,
                            _("this project has sent nothing off-site yet (poshtiban push)"));
    if (!valid_project_id(*project))
        return pt_error_set(err, PT_EINVAL, _("\"%s\" is no project id"), *project);
    return PT_OK;
}

enum pt_status pt_offsite_list(const struct pt_project *p, const struct pt_offsite_options *o,
                               struct pt_offsite_list *out, struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    char *project = NULL;
    enum pt_status rc = open_repository(p, o, &c, &r, &project, err);
    if (rc == PT_OK)
        rc = list_project(&r, project, NULL, out, err);
    free(project);
    pt_restic_close(&r);
    pt_catalog_close(c);
    return rc;
}

/* restic removes locks of its own processes that died; never the others'. */
static void unlock_stale(struct pt_restic *r)
{
    const char *args[] = {"unlock", NULL};
    struct pt_restic_call call = {.args = args};
    pt_restic_run(r, &call, NULL);
}

void pt_offsite_prune_result_free(struct pt_offsite_prune_result *res)
{
    for (size_t i = 0; i < res->n_removed; i++)
        snapshot_free(&res->removed[i]);
    free(res->removed);
    memset(res, 0, sizeof(*res));
}

enum pt_status pt_offsite_prune(const struct pt_project *p, bool dry_run,
                                struct pt_offsite_prune_result *out, struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    char *project = NULL;
    static const char *const keys[] = {"offsite.keep_last", "offsite.keep_daily",
                                       "offsite.keep_weekly", "offsite.keep_monthly"};
    static const char *const flags[] = {"--keep-last", "--keep-daily", "--keep-weekly",
                                        "--keep-monthly"};
    char *values[4] = {NULL};
    const char *args[32];
    size_t n = 0;
    enum pt_status rc = open_repository(p, NULL, &c, &r, &project, err);
    if (rc != PT_OK)
        goto out;
    char *filter = pt_xasprintf("poshtiban,project:%s", project);
    args[n++] = "forget";
    args[n++] = "--json";
    args[n++] = "--group-by";
    args[n++] = "";
    args[n++] = "--tag";
    args[n++] = filter;
    for (size_t i = 0; i < 4; i++) {
        int64_t v = pt_settings_int(c, keys[i]);
        if (v <= 0)
            continue;
        values[i] = pt_xasprintf("%lld", (long long)v);
        args[n++] = flags[i];
        args[n++] = values[i];
    }
    if (n == 6) {
        free(filter);
        rc = pt_error_set(err, PT_EINVAL,
                          _("no off-site keep policy: set at least one of offsite.keep_last, "
                            "keep_daily, keep_weekly or keep_monthly above 0"));
        goto out;
    }
    args[n++] = dry_run ? "--dry-run" : "--prune";
    args[n] = NULL;
    if (!dry_run)
        unlock_stale(&r);
    struct collected got = {0};
    struct pt_restic_call call = {.args = args, .on_json = keep_json, .user = &got};
    rc = pt_restic_run(&r, &call, err);
    free(filter);
    size_t i, j;
    json_t *group, *s;
    json_array_foreach(got.doc, i, group)
    {
        json_t *removed = json_object_get(group, "remove");
        out->kept += json_array_size(json_object_get(group, "keep"));
        json_array_foreach(removed, j, s)
        {
            out->removed = pt_xrealloc(out->removed, (out->n_removed + 1) * sizeof(*out->removed));
            if (read_snapshot(s, &out->removed[out->n_removed]))
                out->n_removed++;
        }
    }
    json_decref(got.doc);
    if (rc == PT_OK && out->n_removed)
        qsort(out->removed, out->n_removed, sizeof(*out->removed), by_time);
out:
    for (size_t k = 0; k < 4; k++)
        free(values[k]);
    free(project);
    pt_restic_close(&r);
    pt_catalog_close(c);
    return rc;
}

static bool valid_subset(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end != s && strcmp(end, "%") == 0 && v > 0 && v <= 100 && s[0] != '-')
        return true;
    unsigned long a, b;
    int used = 0;
    return sscanf(s, "%lu/%lu%n", &a, &b, &used) == 2 && !s[used] && a >= 1 && a <= b &&
           s[0] >= '0' && s[0] <= '9';
}

enum pt_status pt_offsite_check(const struct pt_project *p, const char *subset,
                                struct pt_error *err)
{
    if (subset && !valid_subset(subset))
        return pt_error_set(err, PT_EINVAL,
                            _("--read-data-subset takes a percentage such as 5%% or a part such as "
                              "1/10, not \"%s\""),
                            subset);
    struct pt_catalog *c = NULL;
    struct pt_restic r = {0};
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_READ, err);
    if (rc == PT_OK)
        rc = pt_restic_open(&r, p, c, NULL, err);
    if (rc == PT_OK) {
        unlock_stale(&r);
        const char *args[] = {"check", subset ? "--read-data-subset" : NULL, subset, NULL};
        struct pt_restic_call call = {.args = args};
        rc = pt_restic_run(&r, &call, err);
    }
    pt_restic_close(&r);
    pt_catalog_close(c);
    return rc;
}

bool pt_offsite_restic_found(void)
{
    const char *path = getenv("PATH");
    char *copy = pt_xstrdup(path && *path ? path : "/usr/bin:/bin"), *save = NULL;
    bool found = false;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *exe = pt_path_join(*d ? d : ".", "restic");
        found = access(exe, X_OK) == 0;
        free(exe);
    }
    free(copy);
    return found;
}
