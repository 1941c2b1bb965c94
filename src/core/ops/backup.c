// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/backup.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "poshtiban/clock.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"
#include "poshtiban/testhooks.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"
#include "engine/compress.h"
#include "engine/fixtures-share.h"
#include "engine/fixtures.h"
#include "engine/manifest.h"
#include "engine/media.h"
#include "engine/pack.h"
#include "engine/reader.h"
#include "engine/report.h"
#include "engine/schema.h"
#include "engine/snapshot.h"
#include "ops/backup-archive.h"
#include "ops/backup-media.h"
#include "ops/backup-share.h"
#include "ops/carried.h"
#include "ops/hooks.h"
#include "ops/naming.h"

/*
 * Every progress report of a create passes here. For the crash tests, a
 * build with test hooks kills itself at the Nth ($POSHTIBAN_TEST_KILL_AFTER).
 */
struct relay {
    const struct pt_monitor *outer;
    long kill_after, count;
};

static void relay_progress(const struct pt_progress *p, void *user)
{
    struct relay *r = user;
    if (r->kill_after > 0 && ++r->count >= r->kill_after)
        raise(SIGKILL);
    if (r->outer && r->outer->progress)
        r->outer->progress(p, r->outer->user);
}

static bool cancelled(const struct pt_monitor *m)
{
    return m && m->cancel && atomic_load(m->cancel);
}

static void put_setting(json_t *s, enum pt_setting_id id, json_t *value)
{
    json_object_set_new(s, pt_settings_def(id)->key, value);
}

static json_t *settings_used(struct pt_catalog *c, const char *format, bool media)
{
    json_t *s = json_object();
    put_setting(s, PT_KEY_BACKUP_FORMAT, json_string(format));
    put_setting(s, PT_KEY_BACKUP_COMPRESS,
                json_boolean(pt_settings_bool(c, PT_KEY_BACKUP_COMPRESS)));
    put_setting(s, PT_KEY_BACKUP_COMPRESSION_LEVEL,
                json_integer(pt_settings_int(c, PT_KEY_BACKUP_COMPRESSION_LEVEL)));
    put_setting(s, PT_KEY_BACKUP_INCLUDE_MEDIA, json_boolean(media));
    put_setting(s, PT_KEY_FIXTURES_DATETIME_UTC,
                json_boolean(pt_settings_bool(c, PT_KEY_FIXTURES_DATETIME_UTC)));
    char *lang = pt_settings_string(c, PT_KEY_UI_LANGUAGE);
    put_setting(s, PT_KEY_UI_LANGUAGE, json_string(lang));
    free(lang);
    return s;
}

static bool is_through_table(const struct pt_schema *s, const char *name)
{
    for (size_t i = 0; i < s->n_tables; i++)
        for (size_t j = 0; j < s->tables[i].n_m2m; j++)
            if (strcmp(s->tables[i].m2m[j].through, name) == 0)
                return true;
    return false;
}

/* Adds a warning that counts something: fmt holds one %s, the count in the user's digits. */
static void warn_count(json_t *warnings, const char *fmt, int64_t count)
{
    char *n = pt_l10n_int(count);
    char *w = pt_xasprintf(fmt, n);
    json_array_append_new(warnings, json_string(w));
    free(w);
    free(n);
}

static void schema_warnings(const struct pt_schema *s, json_t *warnings)
{
    for (size_t i = 0; i < s->n_tables; i++) {
        const struct pt_table *t = &s->tables[i];
        if (t->fixture || strcmp(t->name, "django_migrations") == 0 || is_through_table(s, t->name))
            continue;
        char *w = pt_xasprintf(
            t->is_virtual ? _("table %s is a virtual table; its rows are in database.sqlite3 only")
                          : _("table %s is not a Django model; its rows are in database.sqlite3 "
                              "only"),
            t->name);
        json_array_append_new(warnings, json_string(w));
        free(w);
    }
}

/* Everything that goes into the folder; nothing outside work is touched. */
/*
 * The record's finish: its duration measured on a clock that only moves
 * forward, from clock_start, and its finish time the command's "now" plus
 * that duration.
 */
static void stamp_finish(const struct pt_project *p, struct pt_record *r, int64_t clock_start)
{
    char iso[32];
    r->duration_ms = pt_clock_elapsed_ms() - clock_start;
    pt_time_iso(p->now_ms + r->duration_ms, iso);
    free(r->finished_at);
    r->finished_at = pt_xstrdup(iso);
}

/* The snapshot compressed on a thread of its own, while the fixtures are written. */
struct squeeze {
    char *src, *dest;
    int level;
    char hex[PT_SHA256_HEX];
    int64_t size;
    enum pt_status rc;
    struct pt_error err;
    pthread_t thread;
    bool running;
};

static void *squeeze_snapshot(void *user)
{
    struct squeeze *q = user;
    q->rc = pt_compress_file_zstd(q->src, q->dest, q->level, q->hex, &q->size, &q->err);
    return NULL;
}

static void squeeze_start(struct squeeze *q, const char *work, int level)
{
    q->src = pt_path_join(work, "database.sqlite3");
    q->dest = pt_path_join(work, "database.sqlite3.zst");
    q->level = level;
    q->running = pthread_create(&q->thread, NULL, squeeze_snapshot, q) == 0;
    if (!q->running)
        q->rc = pt_error_set(&q->err, PT_EFAIL, _("cannot start a thread: %s"), strerror(errno));
}

/* Waits for the compressed snapshot; the plain one goes once it is written. */
static enum pt_status squeeze_finish(struct squeeze *q, struct pt_manifest *manifest,
                                     struct pt_error *err)
{
    if (q->running)
        pthread_join(q->thread, NULL);
    q->running = false;
    enum pt_status rc = q->rc;
    if (rc != PT_OK)
        pt_error_set(err, rc, "%s", q->err.message ? q->err.message : _("failed"));
    else if (unlink(q->src) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), q->src, strerror(errno));
    else
        pt_manifest_add(manifest, "database.sqlite3.zst", q->size, q->hex);
    pt_error_clear(&q->err);
    free(q->src);
    free(q->dest);
    q->src = q->dest = NULL;
    return rc;
}

/* arc: the archive written as the backup is made (zip, tar.zst), NULL for format dir. */
static enum pt_status build(const struct pt_project *p, struct pt_catalog *c, struct pt_record *r,
                            const char *work, struct pt_backup_archive *arc, int64_t clock_start,
                            const struct pt_monitor *mon, struct pt_error *err)
{
    struct pt_manifest manifest = {0};
    struct pt_schema schema = {0};
    int64_t *rows = NULL;
    sqlite3 *snap = NULL;
    json_t *warnings = json_array();
    json_t *settings = settings_used(c, r->format, r->include_media);
    struct pt_backup_facts facts = {.record = r,
                                    .source_path = p->database,
                                    .media_included = r->include_media,
                                    .media_path = r->include_media ? p->media : NULL,
                                    .settings = settings,
                                    .warnings = warnings,
                                    .manifest = &manifest};
    char hex[PT_SHA256_HEX];
    int64_t size;
    enum pt_status rc;
    struct squeeze squeeze = {0};
    struct pt_fixtures_share *share = NULL;
    struct pt_backup_digests digests = {0};
    struct pt_backup_media *media = NULL;
    char *previous_name = NULL;
    /* Archives are compressed whole: their members stay plain. */
    bool compress = pt_settings_bool(c, PT_KEY_BACKUP_COMPRESS) && strcmp(r->format, "dir") == 0;
    int level = (int)pt_settings_int(c, PT_KEY_BACKUP_COMPRESSION_LEVEL);
    facts.fixtures_compression = compress ? PT_COMPRESSION_GZIP : PT_COMPRESSION_NONE;
    facts.snapshot_compression = compress ? PT_COMPRESSION_ZSTD : PT_COMPRESSION_NONE;

    if (mkdir(work, 0700) != 0) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), work, strerror(errno));
        goto out;
    }
    chmod(work, 0700);

    /*
     * A dir backup's media are copied on a thread of their own beside the
     * snapshot and the fixtures; an archive takes them after, in order.
     */
    if (r->include_media && !arc) {
        struct pt_media_totals planned;
        char *previous = pt_backup_previous_dir(c, true, &previous_name);
        rc = pt_media_measure(p->media, p->backups, &planned, err);
        char *media_dest = pt_path_join(work, "media");
        if (rc == PT_OK)
            media =
                pt_backup_media_start(p->media, media_dest, p->backups, previous, planned.bytes);
        free(media_dest);
        free(previous);
        if (rc != PT_OK)
            goto out;
    }

    pt_monitor_phase(mon, PT_PHASE_SNAPSHOT);
    char *db_path = pt_path_join(work, "database.sqlite3");
    /* Kept only when it is stored plain: a compressed or packed one is synced as such. */
    rc = pt_snapshot_take(p->database, db_path, !compress && !arc, mon, err);
    if (rc == PT_OK && arc)
        pt_backup_archive_snapshot(arc, db_path);
    else if (rc == PT_OK && compress)
        squeeze_start(&squeeze, work, level);
    else if (rc == PT_OK)
        rc = pt_sha256_file(db_path, hex, &size, err);
    if (rc == PT_OK && !compress && !arc)
        pt_manifest_add(&manifest, "database.sqlite3", size, hex);
    if (rc == PT_OK) {
        /* One thread reads it: no mutex around each of the fixtures' column reads. */
        if (sqlite3_open_v2(db_path, &snap, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK)
            rc = pt_error_set(err, PT_EFAIL, _("cannot open the snapshot: %s"),
                              sqlite3_errmsg(snap));
    }
    free(db_path);
    if (rc != PT_OK)
        goto out;
    struct stat st;
    facts.source_size = stat(p->database, &st) == 0 ? st.st_size : 0;

    pt_monitor_phase(mon, PT_PHASE_FIXTURES);
    if ((rc = pt_schema_read(snap, &schema, err)) != PT_OK)
        goto out;
    rows = pt_xcalloc(schema.n_tables + 1, sizeof(*rows));
    struct pt_fixture_options fopts = {.datetime_utc =
                                           pt_settings_bool(c, PT_KEY_FIXTURES_DATETIME_UTC),
                                       .compression = facts.fixtures_compression,
                                       .gzip_level = pt_compression_gzip_level(level)};
    for (size_t i = 0; compress && i < schema.n_tables; i++)
        if (schema.tables[i].fixture) {
            char *named = pt_xasprintf("%s.gz", schema.tables[i].fixture);
            free(schema.tables[i].fixture);
            schema.tables[i].fixture = named;
        }
    if (strcmp(r->format, "dir") == 0)
        share = pt_backup_share_begin(c, snap, work, &schema, &fopts, &digests);
    fopts.share = share;
    facts.fixtures_share = share;
    int64_t invalid = 0;
    size_t fixtures_from = manifest.n;
    rc = pt_fixtures_write(snap, &schema, work, &fopts, mon, &manifest, rows, &invalid, err);
    pt_backup_digests_finish(&digests, share);
    if (rc == PT_OK && arc)
        rc = pt_backup_archive_fixtures(arc, work, &manifest, fixtures_from, mon, err);
    if (squeeze.src) {
        enum pt_status squeezed = squeeze_finish(&squeeze, &manifest, err);
        rc = rc == PT_OK ? squeezed : rc;
    }
    if (rc != PT_OK)
        goto out;
    if (invalid > 0) {
        warn_count(warnings,
                   _("%s text values were not valid UTF-8; the JSON files hold them "
                     "with U+FFFD, database.sqlite3 holds them exactly"),
                   invalid);
    }
    pt_backup_share_warnings(share, warnings);
    schema_warnings(&schema, warnings);
    for (size_t i = 0; i < schema.n_tables; i++)
        pt_record_add_table(r, schema.tables[i].name, rows[i]);

    if (r->include_media) {
        pt_monitor_phase(mon, PT_PHASE_MEDIA);
        if (arc) {
            struct pt_media_totals planned;
            rc = pt_media_measure(p->media, p->backups, &planned, err);
            if (rc == PT_OK)
                rc = pt_backup_archive_media(arc, p->media, p->backups, planned.bytes, &manifest,
                                             &facts.media, mon, err);
        } else {
            rc = pt_backup_media_finish(media, mon, false, &manifest, &facts.media, err);
            media = NULL;
        }
        if (rc == PT_OK && facts.media.share_bad > 0) {
            char *n = pt_l10n_int(facts.media.share_bad);
            char *w = pt_xasprintf(_("%s unchanged media files were copied afresh, since backup "
                                     "%s holds them damaged; run poshtiban verify %s to heal it"),
                                   n, previous_name, previous_name);
            json_array_append_new(warnings, json_string(w));
            free(w);
            free(n);
        }
        if (rc != PT_OK)
            goto out;
        if (facts.media.links_out > 0) {
            warn_count(warnings,
                       _("%s links in the media folder lead out of it and were left "
                         "out"),
                       facts.media.links_out);
        }
        if (facts.media.skipped > 0) {
            warn_count(warnings, _("%s special files in the media folder were left out"),
                       facts.media.skipped);
        }
        if (facts.media.share_failed > 0) {
            char *n = pt_l10n_int(facts.media.share_failed);
            char *w = pt_xasprintf(_("%s unchanged media files were copied, since they could "
                                     "not be linked to the previous backup's: %s"),
                                   n, strerror(facts.media.share_errno));
            json_array_append_new(warnings, json_string(w));
            free(w);
            free(n);
        }
    }
    if (cancelled(mon)) {
        rc = pt_error_set(err, PT_ECANCELLED, _("cancelled"));
        goto out;
    }

    pt_monitor_phase(mon, PT_PHASE_REPORT);
    stamp_finish(p, r, clock_start);
    r->status = PT_STATE_COMPLETED;
    facts.schema = &schema;
    facts.rows = rows;
    json_t *report = pt_report_build(&facts);
    rc = pt_carried_write(c, work, &manifest, err);
    if (rc == PT_OK)
        rc = pt_report_write_summary(report, work, &manifest, err);
    if (rc == PT_OK)
        rc = pt_report_write_json(report, work, &manifest, err);
    json_decref(report);
    char *sums = pt_path_join(work, "SHA256SUMS");
    if (rc == PT_OK)
        rc = pt_manifest_write_sums(&manifest, sums, err);
    if (rc == PT_OK && stat(sums, &st) == 0)
        r->size_bytes = manifest.bytes + st.st_size;
    free(sums);
    /* A backup's files are never written again, and media may be shared with the next. */
    if (rc == PT_OK && arc) {
        pt_monitor_phase(mon, PT_PHASE_ARCHIVE);
        rc = pt_backup_archive_finish(arc, work, &manifest, mon, &r->size_bytes, err);
    } else if (rc == PT_OK && (pt_tree_read_only(work) != 0 || pt_fsync_dir(work) != 0)) {
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), work, strerror(errno));
    }
out:
    /* The media thread first: it may still be writing into work. */
    pt_backup_media_finish(media, NULL, true, NULL, NULL, NULL);
    free(previous_name);
    if (squeeze.src)
        squeeze_finish(&squeeze, &manifest, NULL);
    if (rc != PT_OK)
        r->status = PT_STATE_FAILED;
    if (snap)
        sqlite3_close(snap);
    pt_backup_digests_finish(&digests, share);
    pt_fixtures_share_free(share);
    pt_schema_free(&schema);
    pt_manifest_free(&manifest);
    free(rows);
    json_decref(warnings);
    json_decref(settings);
    return rc;
}

/* The format asked for, or the setting's, in its canonical spelling (*out, owned). */
static enum pt_status resolve_format(struct pt_catalog *c, const char *requested, char **out,
                                     struct pt_error *err)
{
    char *format = requested ? pt_xstrdup(requested) : pt_settings_string(c, PT_KEY_BACKUP_FORMAT);
    const struct pt_setting_def *def = pt_settings_def(PT_KEY_BACKUP_FORMAT);
    *out = NULL;
    enum pt_status rc = pt_settings_validate(def, format, out, err);
    free(format);
    return rc;
}

/* Moves the finished backup (folder, or archive and .sha256) from tmp into the root. */
static enum pt_status publish(const struct pt_project *p, const struct pt_record *r,
                              const char *suffix, struct pt_error *err)
{
    char *file = pt_xasprintf("%s%s", r->name, suffix ? suffix : "");
    char *from = pt_path_join(p->tmp, file);
    enum pt_status rc = PT_OK;
    if (suffix) {
        char *sidecar_from = pt_xasprintf("%s.sha256", from);
        char *sidecar_to = pt_xasprintf("%s.sha256", r->path);
        if (rename(sidecar_from, sidecar_to) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), sidecar_to,
                              strerror(errno));
        free(sidecar_from);
        free(sidecar_to);
    }
    if (rc == PT_OK && rename(from, r->path) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot move the backup into %s: %s"), r->path,
                          strerror(errno));
    if (rc == PT_OK && (pt_fsync_dir(p->backups) != 0 || pt_fsync_dir(p->tmp) != 0))
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), p->backups, strerror(errno));
    free(from);
    free(file);
    return rc;
}

/* Removes whatever a failed create left in tmp or, after publishing, in the root. */
static void discard(const struct pt_project *p, const struct pt_record *r, const char *suffix,
                    bool published)
{
    char *work = pt_path_join(p->tmp, r->name);
    pt_remove_tree(work);
    if (suffix) {
        char *archive = pt_xasprintf("%s%s", work, suffix);
        char *sidecar = pt_xasprintf("%s.sha256", archive);
        unlink(archive);
        unlink(sidecar);
        free(sidecar);
        free(archive);
    }
    free(work);
    if (published) {
        char *sidecar = pt_xasprintf("%s.sha256", r->path);
        pt_remove_tree(r->path);
        unlink(sidecar);
        free(sidecar);
    }
}

enum pt_status pt_backup_check_input(const struct pt_project *p,
                                     const struct pt_create_options *opts, struct pt_error *err)
{
    if (opts->name && !pt_backup_name_valid(opts->name)) {
        char *shown = pt_backup_name_shown(opts->name);
        enum pt_status refused =
            pt_error_set(err, PT_EINVAL,
                         _("backup name \"%s\" is not allowed: any characters but / \\, "
                           "control characters and those that reorder or hide text, at most "
                           "200 bytes, not starting with a dot, something visible, not only "
                           "digits (those are ids) and not \"latest\""),
                         shown);
        free(shown);
        return refused;
    }
    enum pt_status rc = pt_snapshot_check_source(p->database, NULL, err);
    if (rc == PT_OK)
        rc = pt_project_check_layout(p, err);
    if (rc != PT_OK)
        return rc;
    if (p->media_given) {
        struct stat st;
        if (stat(p->media, &st) != 0 || !S_ISDIR(st.st_mode))
            return pt_error_set(err, PT_EINVAL, _("media folder %s is not a folder"), p->media);
    }
    return PT_OK;
}

/*
 * hooks.after_backup, told how the backup ended; record (NULL when the
 * before-hook stopped it: none was written) keeps its status, and its
 * error says when the hook failed.
 */
static void after_hook(const struct pt_project *p, struct pt_catalog *c, struct pt_hook_call *hook,
                       enum pt_state state, struct pt_record *record)
{
    hook->hook = PT_HOOK_AFTER_BACKUP;
    hook->status = pt_state_name(state);
    struct pt_error why = {0};
    /* Without the cancel flag: a cancelled backup's after-hook still runs, within its time. */
    if (pt_hooks_run(p, c, hook, NULL, &why) != PT_OK && record && record->id > 0) {
        char *error = record->error ? pt_xasprintf("%s; %s", record->error, why.message)
                                    : pt_xstrdup(why.message);
        free(record->error);
        record->error = error;
        pt_catalog_update(c, record, NULL);
    }
    pt_error_clear(&why);
}

enum pt_status pt_backup_create_locked(const struct pt_project *p, struct pt_catalog *c,
                                       const struct pt_create_options *opts,
                                       const struct pt_monitor *outer, struct pt_record *out,
                                       struct pt_error *err)
{
    struct relay relay = {.outer = outer};
#ifdef PT_TEST_HOOKS
    relay.kill_after = pt_test_hooks()->kill_after;
#endif
    int64_t clock_start = pt_clock_elapsed_ms();
    struct pt_monitor monitor = {relay_progress, &relay, outer ? outer->cancel : NULL};
    const struct pt_monitor *mon = &monitor;
    struct pt_record r = {0};
    char *format;
    enum pt_status rc = resolve_format(c, opts->format, &format, err);
    if (rc != PT_OK)
        return rc;
    if (opts->name && !pt_backup_name_free(p, c, opts->name)) {
        free(format);
        return pt_error_set(err, PT_EINVAL, _("a backup named %s exists already"), opts->name);
    }
    const char *suffix = pt_reader_archive_suffix(format);
    char iso[32];
    pt_time_iso(p->now_ms, iso);
    r.name = opts->name ? pt_xstrdup(opts->name) : pt_backup_name_new(p, c, "backup", p->now_ms);
    r.kind = opts->kind;
    r.status = PT_STATE_RUNNING;
    r.format = format;
    r.path = pt_xasprintf("%s/%s%s", p->backups, r.name, suffix ? suffix : "");
    r.created_at = pt_xstrdup(iso);
    r.started_at = pt_xstrdup(iso);
    r.include_media = p->media != NULL &&
                      (opts->include_media >= 0 ? opts->include_media
                                                : pt_settings_bool(c, PT_KEY_BACKUP_INCLUDE_MEDIA));
    r.verify_ok = -1;
    r.pid = (long)getpid();
    struct pt_hook_call hook = {.hook = PT_HOOK_BEFORE_BACKUP,
                                .name = r.name,
                                .path = r.path,
                                .status = "running",
                                .database = p->database,
                                .media = r.include_media ? p->media : NULL};
    /* Before anything is written: a failing hook leaves no record and no file. */
    if (!opts->no_hooks && (rc = pt_hooks_run(p, c, &hook, outer, err)) != PT_OK) {
        after_hook(p, c, &hook, rc == PT_ECANCELLED ? PT_STATE_CANCELLED : PT_STATE_FAILED, NULL);
        pt_record_free(&r);
        return rc;
    }
    if ((rc = pt_catalog_insert(c, &r, err)) != PT_OK) {
        pt_record_free(&r);
        return rc;
    }

    char *work = pt_path_join(p->tmp, r.name);
    bool published = false;
    struct pt_backup_archive *arc = NULL;
    if (suffix)
        rc = pt_backup_archive_open(
            p, &r, suffix, (int)pt_settings_int(c, PT_KEY_BACKUP_COMPRESSION_LEVEL), &arc, err);
    if (rc == PT_OK)
        rc = build(p, c, &r, work, arc, clock_start, mon, err);
    pt_backup_archive_free(arc);
    if (rc == PT_OK && suffix)
        pt_remove_tree(work); /* what the archive's members were written from */
    if (rc == PT_OK) {
        pt_monitor_phase(mon, PT_PHASE_FINISH);
        rc = publish(p, &r, suffix, err);
        published = rc == PT_OK;
    }
    r.pid = 0;
    if (rc == PT_OK) {
        int64_t total_rows = 0;
        for (size_t i = 0; i < r.n_tables; i++)
            total_rows += r.tables[i].rows;
        /* Told in the language of whoever reads it (pt_record_message). */
        char *figures = pt_xasprintf("%zu %lld", r.n_tables, (long long)total_rows);
        pt_record_set_message(&r, PT_MESSAGE_COMPLETED, figures);
        free(figures);
        rc = pt_catalog_update(c, &r, err);
    }
    if (rc != PT_OK) {
        /* Free the space first: the catalog itself may need it to record the failure. */
        discard(p, &r, suffix, published);
        stamp_finish(p, &r, clock_start);
        /* A cancel the user asked for is no failure: its own status, and no alarm. */
        bool cancelled = rc == PT_ECANCELLED;
        r.status = cancelled ? PT_STATE_CANCELLED : PT_STATE_FAILED;
        r.size_bytes = 0;
        pt_record_set_message(&r, cancelled ? PT_MESSAGE_CANCELLED : NULL, NULL);
        free(r.error);
        r.error = cancelled ? NULL : pt_xstrdup(err && err->message ? err->message : _("failed"));
        pt_catalog_update(c, &r, NULL);
    }
    if (!opts->no_hooks)
        after_hook(p, c, &hook, r.status, &r);
    free(work);
    if (out)
        *out = r;
    else
        pt_record_free(&r);
    return rc;
}
