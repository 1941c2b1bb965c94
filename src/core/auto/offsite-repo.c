// SPDX-License-Identifier: GPL-3.0-or-later
/* What every off-site command reads from the repository: tags, project ids, snapshot lists. */
#include "poshtiban/offsite.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
#include "base/subprocess.h"
#include "engine/reader.h"
#include "ops/naming.h"
#include "store/autolog.h"

/* ---- tags ---------------------------------------------------------------- */

/* restic splits --tag values at commas: a name keeps its ',' and '%' as %2C and %25. */
char *pt_offsite_tag_encode(const char *prefix, const char *value)
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

/*
 * The value of a tag, %XX decoded. "%00" stays as it is: a NUL would cut
 * the name short, so that the tag named one backup and pull took another.
 * What it gives is no name yet: pull checks it as `create --name` does.
 */
static char *tag_decode(const char *s)
{
    char *out = pt_xmalloc(strlen(s) + 1), *o = out;
    for (; *s; s++) {
        unsigned v;
        if (*s == '%' && s[1] && s[2] && isxdigit((unsigned char)s[1]) &&
            isxdigit((unsigned char)s[2]) && sscanf(s + 1, "%2X", &v) == 1 && v != 0) {
            *o++ = (char)v;
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

bool pt_offsite_valid_project_id(const char *s)
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
char *pt_offsite_stored_project(struct pt_catalog *c)
{
    char *id = NULL;
    if (pt_catalog_setting_get(c, PT_OFFSITE_PROJECT_KEY, &id, NULL) != PT_OK || !id)
        return NULL;
    if (!pt_offsite_valid_project_id(id)) {
        free(id);
        return NULL;
    }
    return id;
}

char *pt_offsite_own_project(struct pt_catalog *c, struct pt_error *err)
{
    char *id = pt_offsite_stored_project(c);
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

void pt_offsite_snapshot_free(struct pt_offsite_snapshot *s)
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
        pt_offsite_snapshot_free(&l->items[i]);
    free(l->items);
    free(l->project);
    memset(l, 0, sizeof(*l));
}

const char *pt_offsite_tag_value(json_t *tags, const char *prefix)
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
bool pt_offsite_read_snapshot(json_t *o, struct pt_offsite_snapshot *s)
{
    memset(s, 0, sizeof(*s));
    json_t *tags = json_object_get(o, "tags");
    const char *name = pt_offsite_tag_value(tags, "name:");
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!name || !id)
        return false;
    s->id = pt_xstrdup(id);
    const char *short_id = json_string_value(json_object_get(o, "short_id"));
    s->short_id = pt_xasprintf("%.8s", short_id ? short_id : id);
    s->name = tag_decode(name);
    s->kind = PT_KIND_MANUAL;
    pt_kind_parse(pt_offsite_tag_value(tags, "kind:"), &s->kind);
    const char *host = json_string_value(json_object_get(o, "hostname"));
    s->host = pt_xstrdup(host ? host : "");
    if (!pt_time_parse_iso(json_string_value(json_object_get(o, "time")), &s->time_ms))
        s->time_ms = 0;
    const char *size = pt_offsite_tag_value(tags, "size:");
    s->size_bytes = size ? strtoll(size, NULL, 10) : -1;
    return true;
}

void pt_offsite_keep_json(json_t *msg, void *user)
{
    struct pt_offsite_collected *c = user;
    if (!c->doc)
        c->doc = json_incref(msg);
}

/* `restic snapshots` with filter tags; the raw array (new reference). */
enum pt_status pt_offsite_snapshots_json(struct pt_restic *r, const char *tags,
                                         const struct pt_monitor *mon, json_t **out,
                                         struct pt_error *err)
{
    struct pt_offsite_collected got = {0};
    const char *args[] = {"snapshots", "--json", "--no-lock", "--tag", tags, NULL};
    struct pt_restic_call call = {.args = args,
                                  .watched = true,
                                  .monitor = mon,
                                  .phase = PT_PHASE_PREPARE,
                                  .on_json = pt_offsite_keep_json,
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

int pt_offsite_by_time(const void *a, const void *b)
{
    const struct pt_offsite_snapshot *x = a, *y = b;
    return x->time_ms < y->time_ms ? -1 : x->time_ms > y->time_ms ? 1 : strcmp(x->name, y->name);
}

enum pt_status pt_offsite_list_project(struct pt_restic *r, const char *project,
                                       const struct pt_monitor *mon, struct pt_offsite_list *out,
                                       struct pt_error *err)
{
    return pt_offsite_list_project_raw(r, project, mon, out, NULL, err);
}

enum pt_status pt_offsite_list_project_raw(struct pt_restic *r, const char *project,
                                           const struct pt_monitor *mon,
                                           struct pt_offsite_list *out, json_t **raw,
                                           struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    if (raw)
        *raw = NULL;
    char *tags = pt_xasprintf("poshtiban,project:%s", project);
    json_t *doc = NULL;
    enum pt_status rc = pt_offsite_snapshots_json(r, tags, mon, &doc, err);
    free(tags);
    if (rc != PT_OK)
        return rc;
    out->project = pt_xstrdup(project);
    out->items = pt_xcalloc(json_array_size(doc) + 1, sizeof(*out->items));
    size_t i;
    json_t *o;
    json_array_foreach(doc, i, o)
    {
        if (pt_offsite_read_snapshot(o, &out->items[out->n]))
            out->n++;
    }
    if (raw)
        *raw = doc;
    else
        json_decref(doc);
    qsort(out->items, out->n, sizeof(*out->items), pt_offsite_by_time);
    return PT_OK;
}

static int chain_by_time(const void *a, const void *b)
{
    const struct pt_offsite_chain *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return strcmp(x->id, y->id);
}

void pt_offsite_read_chains(json_t *doc, const char *project, struct pt_offsite_chain **out,
                            size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t i;
    json_t *o;
    json_array_foreach(doc, i, o)
    {
        json_t *tags = json_object_get(o, "tags");
        const char *id = json_string_value(json_object_get(o, "id"));
        size_t bases = 0, points = 0, names = 0, k;
        bool changes = false, others = false;
        const char *base = NULL, *point = NULL;
        json_t *t;
        json_array_foreach(tags, k, t)
        {
            const char *tag = json_string_value(t);
            if (!tag)
                continue;
            if (strcmp(tag, "changes") == 0)
                changes = true;
            else if (strncmp(tag, "base:", 5) == 0 && ++bases && !base)
                base = tag + 5;
            else if (strncmp(tag, "point:", 6) == 0 && ++points)
                point = tag + 6;
            else if (strncmp(tag, "name:", 5) == 0)
                names++;
            else if (strncmp(tag, "project:", 8) == 0 && strcmp(tag + 8, project) != 0)
                others = true;
        }
        if (!changes || !base || !id)
            continue;
        *out = pt_xrealloc(*out, (*n + 1) * sizeof(**out));
        struct pt_offsite_chain *c = &(*out)[(*n)++];
        memset(c, 0, sizeof(*c));
        c->id = pt_xstrdup(id);
        const char *short_id = json_string_value(json_object_get(o, "short_id"));
        c->short_id = pt_xasprintf("%.8s", short_id ? short_id : id);
        c->base = tag_decode(base);
        c->bases = pt_xcalloc(bases, sizeof(*c->bases));
        json_array_foreach(tags, k, t)
        {
            const char *tag = json_string_value(t);
            if (tag && strncmp(tag, "base:", 5) == 0)
                c->bases[c->n_bases++] = tag_decode(tag + 5);
        }
        c->point = point ? tag_decode(point) : NULL;
        const char *tree = json_string_value(json_object_get(o, "tree"));
        c->tree = tree ? pt_xstrdup(tree) : NULL;
        if (!pt_time_parse_iso(json_string_value(json_object_get(o, "time")), &c->time_ms))
            c->time_ms = 0;
        c->confined = bases == 1 && points <= 1 && names == 0 && !others && tree;
    }
    if (*n > 1)
        qsort(*out, *n, sizeof(**out), chain_by_time);
}

void pt_offsite_chains_free(struct pt_offsite_chain *chains, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(chains[i].id);
        free(chains[i].short_id);
        free(chains[i].base);
        for (size_t k = 0; k < chains[i].n_bases; k++)
            free(chains[i].bases[k]);
        free(chains[i].bases);
        free(chains[i].point);
        free(chains[i].tree);
    }
    free(chains);
}

bool pt_offsite_chain_names(const struct pt_offsite_chain *chain, const char *base)
{
    for (size_t i = 0; i < chain->n_bases; i++)
        if (strcmp(chain->bases[i], base) == 0)
            return true;
    return false;
}

const struct pt_offsite_chain *pt_offsite_find_chain(const struct pt_offsite_chain *chains,
                                                     size_t n, const char *base)
{
    for (size_t i = n; i-- > 0;)
        if (chains[i].confined && strcmp(chains[i].base, base) == 0)
            return &chains[i];
    return NULL;
}

const struct pt_offsite_snapshot *pt_offsite_find_name(const struct pt_offsite_list *l,
                                                       const char *name)
{
    for (size_t i = l->n; i-- > 0;)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

/* The catalog (read only) and restic, for the commands that only talk to the repository. */
enum pt_status pt_offsite_open_repository(struct pt_session *s, const struct pt_offsite_options *o,
                                          struct pt_catalog **c, struct pt_restic *r,
                                          char **project, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    *project = NULL;
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_READ, c, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_restic_open(r, p, *c, o ? o->repository : NULL, err)) != PT_OK)
        return rc;
    *project = o && o->project ? pt_xstrdup(o->project) : pt_offsite_stored_project(*c);
    if (!*project)
        return pt_error_set(err, PT_ENOTFOUND,
                            _("this project has sent nothing off-site yet (poshtiban push)"));
    if (!pt_offsite_valid_project_id(*project))
        return pt_error_set(err, PT_EINVAL, _("\"%s\" is no project id"), *project);
    return PT_OK;
}

/* restic removes locks of its own processes that died; never the others'. */
void pt_offsite_unlock_stale(struct pt_restic *r)
{
    const char *args[] = {"unlock", NULL};
    struct pt_restic_call call = {.args = args};
    pt_restic_run(r, &call, NULL);
}

/* ---- which repository, and what it holds ---------------------------------- */

struct text {
    char *s;
};

static void gather(const char *line, void *user)
{
    struct text *t = user;
    char *next = pt_xasprintf("%s%s\n", t->s ? t->s : "", line);
    free(t->s);
    t->s = next;
}

enum pt_status pt_offsite_repository_id(struct pt_restic *r, struct pt_catalog *c, char **id,
                                        struct pt_error *err)
{
    *id = NULL;
    /* restic prints the config as indented JSON over several lines: read it whole. */
    const char *argv[] = {"restic", "cat", "config", "--no-lock", NULL};
    struct text out = {0};
    struct pt_subprocess_stream st = {
        .argv = argv, .envp = r->envp, .on_line = gather, .user = &out};
    struct pt_subprocess_result res = {0};
    enum pt_status rc = pt_subprocess_run_stream(&st, &res, NULL);
    bool ran = rc == PT_OK && res.exit_code == 0 && !res.cancelled;
    pt_subprocess_free(&res);
    json_t *doc = ran && out.s ? json_loads(out.s, 0, NULL) : NULL;
    free(out.s);
    const char *found = json_string_value(json_object_get(doc, "id"));
    if (found && *found && strspn(found, "0123456789abcdef") == strlen(found))
        *id = pt_xstrdup(found);
    json_decref(doc);
    if (!*id) {
        if (!ran) {
            /* Once more through pt_restic_run, for restic's own reason in one clean line. */
            const char *args[] = {"cat", "config", "--no-lock", NULL};
            struct pt_restic_call call = {.args = args};
            if ((rc = pt_restic_run(r, &call, err)) != PT_OK)
                return rc;
        }
        return pt_error_set(err, PT_EFAIL,
                            _("restic gave no repository id: is this a restic repository?"));
    }
    if (c && (rc = pt_catalog_offsite_learn(c, r->repository, *id, err)) != PT_OK) {
        free(*id);
        *id = NULL;
        return rc;
    }
    return PT_OK;
}

enum pt_status pt_offsite_sync(const struct pt_project *p, struct pt_catalog *c,
                               const struct pt_restic *r, const char *repo,
                               const struct pt_offsite_list *l, struct pt_error *err)
{
    char *current = pt_settings_string(c, PT_KEY_OFFSITE_REPOSITORY);
    bool same = strcmp(current, r->repository) == 0;
    free(current);
    if (!same)
        return PT_OK;
    struct pt_catalog_offsite_copy *copies = pt_xcalloc(l->n + 1, sizeof(*copies));
    for (size_t i = 0; i < l->n; i++) /* oldest first: the newest of one name wins */
        copies[i] =
            (struct pt_catalog_offsite_copy){l->items[i].name, l->items[i].id, l->items[i].time_ms};
    enum pt_status rc = pt_catalog_offsite_sync(c, repo, copies, l->n, p->now_ms, err);
    free(copies);
    return rc;
}

enum pt_status pt_offsite_refresh(const struct pt_project *p, struct pt_catalog *c,
                                  struct pt_restic *r, const char *project,
                                  const struct pt_monitor *mon, char **repo,
                                  struct pt_offsite_list *out, struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    char *own = pt_offsite_stored_project(c);
    const char *which = project ? project : own;
    enum pt_status rc = pt_offsite_repository_id(r, c, repo, err);
    if (rc == PT_OK && which)
        rc = pt_offsite_list_project(r, which, mon, out, err);
    /* No project id yet: nothing of this project can be there. */
    if (rc == PT_OK && (!project || (own && strcmp(project, own) == 0)))
        rc = pt_offsite_sync(p, c, r, *repo, out, err);
    free(own);
    return rc;
}
