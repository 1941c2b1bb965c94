// SPDX-License-Identifier: GPL-3.0-or-later
/* A dir backup's sharing with the one before it: which backup, and its tables' fixtures. */
#include "ops/backup-share.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"

#include "base/fsutil.h"
#include "engine/table-digest.h"

/*
 * The newest completed backup in format dir whose last verify did not
 * fail (and, with media, that holds media): unchanged media and tables'
 * fixtures are linked to its files, each read again first (docs/safety.md,
 * "Shared media", "Shared fixtures"). *name receives its name. NULL when
 * there is none.
 */
char *pt_backup_previous_dir(struct pt_catalog *c, bool with_media, char **name)
{
    struct pt_catalog_filter filter = {
        .has_status = true, .status = PT_STATE_COMPLETED, .limit = 50};
    struct pt_record *records = NULL;
    size_t n = 0;
    int64_t total;
    char *found = NULL;
    *name = NULL;
    if (pt_catalog_list(c, &filter, &records, &n, &total, NULL) != PT_OK)
        return NULL;
    for (size_t i = 0; i < n && !found; i++)
        if ((records[i].include_media || !with_media) && records[i].path &&
            records[i].verify_ok != 0 && strcmp(records[i].format, "dir") == 0) {
            found = pt_xstrdup(records[i].path);
            *name = pt_xstrdup(records[i].name);
        }
    pt_record_list_free(records, n);
    return found;
}

static void *digest_run(void *user)
{
    struct pt_backup_digests *j = user;
    sqlite3 *db = NULL;
    j->rc = PT_EFAIL;
    if (sqlite3_open_v2(j->path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
        j->rc = pt_table_digests(db, j->path, j->schema, &j->opts, j->digests, j->ranges, NULL);
    sqlite3_close(db);
    return NULL;
}

/* Waits for the digests, which the share then holds when they were made. */
void pt_backup_digests_finish(struct pt_backup_digests *j, struct pt_fixtures_share *share)
{
    if (j->running)
        pthread_join(j->thread, NULL);
    if (j->running && j->rc == PT_OK)
        pt_fixtures_share_digests(share, (const char(*)[PT_SHA256_HEX])j->digests, j->ranges);
    j->running = false;
    for (size_t i = 0; j->ranges && i < j->schema->n_tables; i++)
        pt_row_ranges_free(&j->ranges[i]);
    free(j->ranges);
    j->ranges = NULL;
    free(j->digests);
    free(j->path);
    j->digests = NULL;
    j->path = NULL;
}

/*
 * Which tables' fixtures a dir backup may share (docs/safety.md, "Shared
 * fixtures"): with the newest completed dir backup whose last verify did
 * not fail, as media are shared, the tables whose digests, from the new
 * snapshot's pages, are those it records. When it records none, the
 * digests are made on job's thread instead (pt_backup_digests_finish).
 */
struct pt_fixtures_share *pt_backup_share_begin(struct pt_catalog *c, sqlite3 *snap,
                                                const char *work, const struct pt_schema *s,
                                                const struct pt_fixture_options *fopts,
                                                struct pt_backup_digests *job)
{
    struct pt_fixtures_share *share =
        pt_fixtures_share_new(s, fopts->compression, fopts->gzip_level);
    char *name;
    char *previous = pt_backup_previous_dir(c, false, &name);
    pt_fixtures_share_previous(share, previous, name);
    free(previous);
    free(name);
    job->path = pt_path_join(work, "database.sqlite3");
    job->schema = s;
    job->opts = *fopts;
    job->digests = pt_xcalloc(s->n_tables + 1, sizeof(*job->digests));
    job->ranges = pt_xcalloc(s->n_tables + 1, sizeof(*job->ranges));
    if (pt_fixtures_share_has_source(share)) {
        if (pt_table_digests(snap, job->path, s, fopts, job->digests, job->ranges, NULL) == PT_OK)
            pt_fixtures_share_digests(share, (const char(*)[PT_SHA256_HEX])job->digests,
                                      job->ranges);
        pt_backup_digests_finish(job, share);
    } else {
        job->running = pthread_create(&job->thread, NULL, digest_run, job) == 0;
    }
    return share;
}

void pt_backup_share_warnings(const struct pt_fixtures_share *share, json_t *warnings)
{
    struct pt_fixtures_share_totals t;
    pt_fixtures_share_totals(share, &t);
    if (t.bad > 0) {
        char *n = pt_l10n_int(t.bad);
        char *w = pt_xasprintf(_("%s unchanged tables' fixtures were written afresh, since "
                                 "backup %s holds them damaged; run poshtiban verify %s"),
                               n, t.source, t.source);
        json_array_append_new(warnings, json_string(w));
        free(w);
        free(n);
    }
    if (t.failed > 0) {
        char *n = pt_l10n_int(t.failed);
        char *w = pt_xasprintf(_("%s unchanged tables' fixtures were written afresh, since they "
                                 "could not be linked to the previous backup's: %s"),
                               n, strerror(t.failed_errno));
        json_array_append_new(warnings, json_string(w));
        free(w);
        free(n);
    }
}
