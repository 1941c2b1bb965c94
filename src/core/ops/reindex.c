// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/reindex.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "poshtiban/backup-read.h"
#include "poshtiban/catalog.h"
#include "poshtiban/i18n.h"
#include "poshtiban/session.h"

#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/reader.h"
#include "ops/reindex.h"

static const char *const formats[] = {"zip", "tar.zst"};

static char *json_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? pt_xstrdup(s) : NULL;
}

static enum pt_status add_size(const struct pt_entry *e, struct pt_reader *r, void *user,
                               struct pt_error *err)
{
    (void)r;
    (void)err;
    *(int64_t *)user += e->type == PT_ENTRY_FILE ? e->size : 0;
    return PT_OK;
}

static void replace(char **field, char *value)
{
    free(*field);
    *field = value;
}

void pt_backup_record_from_report(struct pt_record *r, json_t *report)
{
    pt_kind_parse(json_string_value(json_object_get(report, "kind")), &r->kind);
    replace(&r->created_at, json_str(report, "created_at"));
    replace(&r->started_at, json_str(report, "started_at"));
    replace(&r->finished_at, json_str(report, "finished_at"));
    r->duration_ms = json_integer_value(json_object_get(report, "duration_ms"));
    r->include_media = json_is_true(json_object_get(json_object_get(report, "media"), "included"));
    for (size_t i = 0; i < r->n_tables; i++)
        free(r->tables[i].name);
    free(r->tables);
    r->tables = NULL;
    r->n_tables = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(report, "tables"), i, t)
    {
        /* A report is read from disk: a table without a name, or named twice, is left out. */
        const char *name = json_string_value(json_object_get(t, "name"));
        bool seen = !name;
        for (size_t k = 0; k < r->n_tables && !seen; k++)
            seen = strcmp(r->tables[k].name, name) == 0;
        if (!seen)
            pt_record_add_table(r, name, json_integer_value(json_object_get(t, "rows")));
    }
    struct stat st;
    if (strcmp(r->format, "dir") == 0) {
        r->size_bytes = 0;
        pt_reader_walk(r, add_size, &r->size_bytes, NULL);
    } else if (stat(r->path, &st) == 0) {
        r->size_bytes = st.st_size;
    }
}

/* A record from what the backup says of itself; false when it is no backup of ours. */
static bool read_backup(const char *root, const char *entry, struct pt_record *r)
{
    memset(r, 0, sizeof(*r));
    r->path = pt_path_join(root, entry);
    r->status = PT_STATE_COMPLETED;
    r->verify_ok = -1;
    size_t len = strlen(entry);
    struct stat st;
    if (lstat(r->path, &st) != 0)
        return false;
    for (size_t i = 0; i < 2 && S_ISREG(st.st_mode) && !r->format; i++) {
        const char *suffix = pt_reader_archive_suffix(formats[i]);
        size_t sl = strlen(suffix);
        if (len > sl && strcmp(entry + len - sl, suffix) == 0) {
            r->format = pt_xstrdup(formats[i]);
            r->name = pt_xasprintf("%.*s", (int)(len - sl), entry);
            r->size_bytes = st.st_size;
        }
    }
    if (S_ISDIR(st.st_mode)) {
        r->format = pt_xstrdup("dir");
        r->name = pt_xstrdup(entry);
    }
    json_t *report = NULL;
    if (!r->format || pt_backup_read_report(r, &report, NULL) != PT_OK)
        return false;
    const char *name = json_string_value(json_object_get(report, "name"));
    bool ours = name && strcmp(name, r->name) == 0;
    pt_backup_record_from_report(r, report);
    json_decref(report);
    pt_record_set_message(r, PT_MESSAGE_REINDEXED, NULL);
    return ours && r->created_at;
}

enum pt_status pt_reindex(struct pt_session *s, size_t *count, struct pt_error *err)
{
    const struct pt_project *p = s->project;
    *count = 0;
    struct pt_catalog *c;
    struct pt_lock lock = {-1};
    enum pt_status rc = pt_session_catalog(s, PT_CATALOG_WRITE, &c, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_lock_acquire(&lock, p, err)) == PT_OK)
        rc = pt_reindex_locked(p, c, count, err);
    pt_lock_release(&lock);
    return rc;
}

enum pt_status pt_reindex_locked(const struct pt_project *p, struct pt_catalog *c, size_t *count,
                                 struct pt_error *err)
{
    *count = 0;
    enum pt_status rc = PT_OK;
    DIR *d = opendir(p->backups);
    if (!d)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read %s"), p->backups);
    struct dirent *e;
    while (rc == PT_OK && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        struct pt_record found, known = {0};
        enum pt_status added;
        if (read_backup(p->backups, e->d_name, &found)) {
            if (pt_catalog_get(c, found.name, &known, NULL) == PT_OK) {
                found.id = known.id;
                found.pinned = known.pinned;
                found.verify_ok = known.verify_ok;
                found.verified_at = known.verified_at;
                known.verified_at = NULL;
                free(found.message);
                free(found.message_code);
                free(found.message_args);
                found.message = known.message;
                found.message_code = known.message_code;
                found.message_args = known.message_args;
                known.message = known.message_code = known.message_args = NULL;
                added = pt_catalog_update(c, &found, NULL);
            } else {
                added = pt_catalog_insert(c, &found, NULL);
            }
            pt_record_free(&known);
            /* One backup the catalog refuses never keeps the others out. */
            if (added == PT_OK)
                (*count)++;
        }
        pt_record_free(&found);
    }
    if (d)
        closedir(d);
    return rc;
}
