// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/stats.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "poshtiban/bidi.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"
#include "engine/schema.h"
#include "engine/snapshot.h"
#include "store/catalog-totals.h"

enum pt_status pt_stats_backups(struct pt_catalog *c, int64_t now_ms, struct pt_backup_stats *s,
                                struct pt_error *err)
{
    memset(s, 0, sizeof(*s));
    s->last_success_age_s = -1;
    struct pt_offsite_stats *o = &s->offsite;
    o->newest_at_ms = o->newest_age_s = -1;
    o->checked_at_ms = o->checked_age_s = -1;
    struct pt_catalog_totals t;
    enum pt_status rc = pt_catalog_totals(c, &t, err);
    if (rc != PT_OK) {
        pt_catalog_totals_free(&t);
        return rc;
    }
    s->total = t.total;
    s->completed = t.completed;
    s->failed = t.failed;
    s->running = t.running;
    s->interrupted = t.interrupted;
    s->bytes = t.completed_bytes;
    s->average_duration_ms = t.completed ? t.completed_duration_ms / t.completed : 0;
    if (t.newest.name) {
        s->last_success_at = t.newest.finished_at;
        s->last_success_name = t.newest.name;
        t.newest.finished_at = t.newest.name = NULL;
        int64_t ms;
        if (pt_time_parse_iso(s->last_success_at, &ms)) {
            int64_t age = (now_ms - ms) / 1000;
            s->last_success_age_s = age < 0 ? 0 : age;
        }
        o->latest_copied = t.newest.offsite;
        o->latest_error = t.newest.offsite_error;
        t.newest.offsite_error = NULL;
    }
    o->copied = t.offsite.copied;
    if (t.offsite.repo && t.offsite.checked_at_ms >= 0) {
        o->checked_at_ms = t.offsite.checked_at_ms;
        int64_t age = (now_ms - o->checked_at_ms) / 1000;
        o->checked_age_s = age < 0 ? 0 : age;
    }
    if (t.offsite.newest_name) {
        o->newest_name = t.offsite.newest_name;
        t.offsite.newest_name = NULL;
        o->newest_at_ms = t.offsite.newest_at_ms;
        int64_t age = (now_ms - o->newest_at_ms) / 1000;
        o->newest_age_s = age < 0 ? 0 : age;
    }
    pt_catalog_totals_free(&t);
    o->enabled = pt_settings_bool(c, PT_KEY_OFFSITE_ENABLED);
    char *repo = pt_settings_string(c, PT_KEY_OFFSITE_REPOSITORY);
    o->repository = pt_text_redact_url(repo);
    free(repo);
    return PT_OK;
}

enum pt_status pt_stats_database(const struct pt_project *p, struct pt_database_stats *out,
                                 struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    out->path = pt_xstrdup(p->database);
    struct stat st;
    if (stat(p->database, &st) != 0)
        return PT_OK;
    out->size_bytes = st.st_size;
    enum pt_status rc = pt_snapshot_check_source(p->database, NULL, err);
    if (rc != PT_OK)
        return rc;
    out->exists = true;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(p->database, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot open source database %s: %s"), p->database,
                          sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 10000);
    /* One read transaction: the counts belong to one moment. */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *names;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                           -1, &names, NULL) != SQLITE_OK) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot read source database %s: %s"), p->database,
                          sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    while (rc == PT_OK && sqlite3_step(names) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(names, 0);
        int64_t rows = pt_schema_count_rows(db, name);
        if (rows >= 0) {
            out->tables = pt_xrealloc(out->tables, (out->n_tables + 1) * sizeof(*out->tables));
            out->tables[out->n_tables].name = pt_xstrdup(name);
            out->tables[out->n_tables].rows = rows;
            out->n_tables++;
        } else {
            rc = pt_error_set(err, PT_EFAIL, _("cannot read table %s: %s"), name,
                              sqlite3_errmsg(db));
        }
    }
    sqlite3_finalize(names);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

char *pt_stats_offsite_text(const struct pt_backup_stats *b, bool isolate)
{
    const struct pt_offsite_stats *o = &b->offsite;
    if (!o->repository || !*o->repository)
        return pt_xstrdup(_("none: every copy is on this machine; set offsite.repository, then "
                            "poshtiban offsite init"));
    char *copied = pt_l10n_int(o->copied), *all = pt_l10n_int(b->completed);
    /* Kept whole, its slashes in place, inside a right-to-left sentence. */
    char *repo = isolate ? pt_bidi_isolate(o->repository) : pt_xstrdup(o->repository);
    char *text;
    if (o->newest_age_s >= 0) {
        char age[64];
        pt_l10n_age(o->newest_age_s, age, sizeof(age));
        text = pt_xasprintf(_("%s of %s backups off-site; newest copied %s to %s"), copied, all,
                            age, repo);
    } else {
        text = pt_xasprintf(_("%s of %s backups off-site, in %s"), copied, all, repo);
    }
    free(repo);
    free(copied);
    free(all);
    char *as_of = pt_stats_offsite_as_of(o->checked_at_ms, o->checked_age_s);
    char *checked = pt_xasprintf(_("%s; %s"), text, as_of);
    free(as_of);
    free(text);
    text = checked;
    char *more = NULL;
    if (o->latest_error)
        more = pt_xasprintf(_("%s; the newest backup's copy failed: %s"), text, o->latest_error);
    else if (!o->enabled)
        more = pt_xasprintf(_("%s; automatic copies are off (offsite.enabled)"), text);
    if (more) {
        free(text);
        text = more;
    }
    return text;
}

char *pt_stats_offsite_as_of(int64_t checked_at_ms, int64_t age_s)
{
    if (checked_at_ms < 0)
        return pt_xstrdup(_("never checked against this repository (poshtiban offsite list)"));
    char *when = pt_l10n_date(checked_at_ms, PT_DATE_TIME);
    char *text;
    if (age_s >= 0) {
        char age[64];
        pt_l10n_age(age_s, age, sizeof(age));
        text = pt_xasprintf(_("as of %s, %s"), when, age);
    } else {
        text = pt_xasprintf(_("as of %s"), when);
    }
    free(when);
    return text;
}

void pt_backup_stats_free(struct pt_backup_stats *s)
{
    free(s->last_success_at);
    free(s->last_success_name);
    free(s->offsite.repository);
    free(s->offsite.newest_name);
    free(s->offsite.latest_error);
    memset(s, 0, sizeof(*s));
}

void pt_database_stats_free(struct pt_database_stats *s)
{
    for (size_t i = 0; i < s->n_tables; i++)
        free(s->tables[i].name);
    free(s->tables);
    free(s->path);
    memset(s, 0, sizeof(*s));
}
