// SPDX-License-Identifier: GPL-3.0-or-later
/* pull --at: the chain of change sets of the backup pulled, fetched and checked like it. */
#include "poshtiban/offsite.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "poshtiban/changes.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/notify.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"
#include "poshtiban/verify.h"

#include "auto/offsite-pull-internal.h"
#include "auto/offsite-repo.h"
#include "auto/restic.h"
#include "base/filewriter.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "engine/reader.h"
#include "ops/naming.h"
#include "store/autolog.h"

/* ---- a chain of change sets (docs/changes.md, "Off-site") ---------------- */

/* "changes_YYYYMMDD_HHMMSS", with "_2", "_3"… within one second: nothing else. */
static bool point_name_valid(const char *s, size_t len)
{
    static const char pattern[] = "changes_dddddddd_dddddd";
    size_t fixed = sizeof(pattern) - 1;
    if (len < fixed)
        return false;
    for (size_t i = 0; i < fixed; i++)
        if (pattern[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pattern[i])
            return false;
    if (len == fixed)
        return true;
    if (s[fixed] != '_' || len == fixed + 1 || len > fixed + 6 || s[fixed + 1] == '0')
        return false;
    for (size_t i = fixed + 1; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The point name of a chain's file name and what it is: 1 JSON, 2 changeset, 3 snapshot, 0 none. */
static int chain_file(const char *file, size_t *len)
{
    static const char *const suffixes[] = {".json", ".changeset.zst", ".sqlite3.zst"};
    size_t n = strlen(file);
    for (int k = 0; k < 3; k++) {
        size_t sl = strlen(suffixes[k]);
        if (n > sl && strcmp(file + n - sl, suffixes[k]) == 0 && point_name_valid(file, n - sl)) {
            *len = n - sl;
            return k + 1;
        }
    }
    return 0;
}

/* One point of a fetched chain, checked. */
struct fetched_point {
    char *name, *data;
    int seq;
};

static int fetched_by_seq(const void *a, const void *b)
{
    const struct fetched_point *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The one entry of folder dir, which must be a folder named name (no link). */
static bool only_folder(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    int entries = 0;
    bool ok = true;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        entries++;
        struct stat st;
        ok = ok && strcmp(e->d_name, name) == 0 &&
             fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    closedir(d);
    return ok && entries == 1;
}

/*
 * What restic restored into work must be base's chain and nothing else:
 * changes/<base>/ holding regular files alone, each a point's JSON or its
 * data file, every JSON naming itself, base and its data file, whose
 * checksum and size it gives. *points (by seq) receives them.
 */
static enum pt_status check_chain(const char *work, const char *base, struct fetched_point **points,
                                  size_t *n, struct pt_error *err)
{
    *points = NULL;
    *n = 0;
    char *what = pt_backup_name_shown(base);
    char *changes = pt_path_join(work, PT_CHANGES_DIR);
    char *dir = pt_path_join(changes, base);
    enum pt_status rc = PT_OK;
    if (!only_folder(work, PT_CHANGES_DIR) || !only_folder(changes, base))
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site change sets of %s hold more than its chain, or a "
                            "link; nothing was kept"),
                          what);
    DIR *d = rc == PT_OK ? opendir(dir) : NULL;
    if (rc == PT_OK && !d)
        rc = pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), dir, strerror(errno));
    size_t n_data = 0;
    struct dirent *e;
    while (d && rc == PT_OK && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        size_t len = 0;
        int kind = chain_file(e->d_name, &len);
        char *shown = pt_backup_name_shown(e->d_name);
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site change sets of %s hold a link or special file "
                                "(%s); nothing was kept"),
                              what, shown);
        else if (kind == 0)
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site change sets of %s hold %s, which is no file of a "
                                "change set; nothing was kept"),
                              what, shown);
        free(shown);
        if (rc != PT_OK || kind != 1) {
            n_data += kind > 1;
            continue;
        }
        char *name = pt_xasprintf("%.*s", (int)len, e->d_name);
        char *path = pt_path_join(dir, e->d_name);
        char *text = pt_read_file(path, PT_SMALL_FILE_MAX, NULL);
        json_t *doc = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
        const char *j_name = json_string_value(json_object_get(doc, "name"));
        const char *j_base = json_string_value(json_object_get(doc, "base"));
        const char *j_file = json_string_value(json_object_get(doc, "file"));
        const char *j_kind = json_string_value(json_object_get(doc, "kind"));
        const char *j_sha = json_string_value(json_object_get(doc, "sha256"));
        json_t *j_size = json_object_get(doc, "size"), *j_seq = json_object_get(doc, "seq");
        char *want = j_kind ? pt_xasprintf("%s%s", name,
                                           strcmp(j_kind, "rows") == 0       ? ".changeset.zst"
                                           : strcmp(j_kind, "snapshot") == 0 ? ".sqlite3.zst"
                                                                             : "?")
                            : NULL;
        char *shown_name = pt_backup_name_shown(name);
        if (!json_is_object(doc) || !j_name || strcmp(j_name, name) != 0 || !want || !j_file ||
            strcmp(j_file, want) != 0 || !j_sha || !json_is_integer(j_size) ||
            !json_is_integer(j_seq) || json_integer_value(j_seq) < 1 ||
            json_integer_value(j_seq) > 1000000000) {
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site change set %s of %s is damaged; nothing was kept"),
                              shown_name, what);
        } else if (!j_base || strcmp(j_base, base) != 0) {
            rc = pt_error_set(err, PT_EFAIL,
                              _("the off-site change set %s names another backup as its base; "
                                "nothing was kept"),
                              shown_name);
        } else {
            char *data = pt_path_join(dir, want);
            char hex[PT_SHA256_HEX];
            int64_t size = -1;
            struct stat ds;
            if (lstat(data, &ds) != 0 || !S_ISREG(ds.st_mode) ||
                pt_sha256_file(data, hex, &size, NULL) != PT_OK || strcmp(hex, j_sha) != 0 ||
                size != json_integer_value(j_size)) {
                rc = pt_error_set(err, PT_EFAIL,
                                  _("the off-site change set %s of %s is missing or damaged (its "
                                    "checksum differs); nothing was kept"),
                                  shown_name, what);
                free(data);
            } else {
                *points = pt_xrealloc(*points, (*n + 1) * sizeof(**points));
                (*points)[(*n)++] =
                    (struct fetched_point){pt_xstrdup(name), data, (int)json_integer_value(j_seq)};
            }
        }
        free(shown_name);
        free(want);
        json_decref(doc);
        free(text);
        free(path);
        free(name);
    }
    if (d)
        closedir(d);
    /* Each data file is some point's: nothing left over. */
    if (rc == PT_OK && n_data != *n)
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site change sets of %s hold a data file no change set "
                            "names; nothing was kept"),
                          what);
    if (rc == PT_OK && *n > 1)
        qsort(*points, *n, sizeof(**points), fetched_by_seq);
    free(dir);
    free(changes);
    free(what);
    return rc;
}

static void fetched_free(struct fetched_point *points, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(points[i].name);
        free(points[i].data);
    }
    free(points);
}

/*
 * Moves the checked points into changes/<base>/, oldest first, each data
 * file before its JSON; a point that is here already stays as it is.
 */
static enum pt_status place_chain(const struct pt_project *p, const char *base,
                                  const struct fetched_point *points, size_t n,
                                  struct pt_error *err)
{
    char *dir = pt_xasprintf("%s/%s/%s", p->backups, PT_CHANGES_DIR, base);
    enum pt_status rc = PT_OK;
    if (pt_mkdir_p(dir, 0700) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), dir, strerror(errno));
    for (size_t i = 0; i < n && rc == PT_OK; i++) {
        char *json = pt_xasprintf("%s/%s.json", dir, points[i].name);
        char *from_json =
            pt_xasprintf("%.*s/%s.json", (int)(strrchr(points[i].data, '/') - points[i].data),
                         points[i].data, points[i].name);
        char *data = pt_path_join(dir, strrchr(points[i].data, '/') + 1);
        struct stat st;
        if (lstat(json, &st) != 0) {
            if (pt_offsite_pull_move_new(points[i].data, data) != 0 && errno != EEXIST)
                rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into %s: %s"), points[i].name,
                                  dir, strerror(errno));
            else if (pt_offsite_pull_move_new(from_json, json) != 0)
                rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into %s: %s"), points[i].name,
                                  dir, strerror(errno));
        }
        free(json);
        free(from_json);
        free(data);
    }
    if (rc == PT_OK && pt_fsync_dir(dir) != 0)
        rc = pt_error_set(err, PT_EFAIL, _("cannot write %s: %s"), dir, strerror(errno));
    free(dir);
    return rc;
}

/*
 * With pull --at: the newest chain snapshot of base, hostile until proven
 * (docs/changes.md, "Off-site"): restored into a private folder under
 * .poshtiban/tmp, checked file by file, then its points moved into place.
 * No chain off-site: nothing to do.
 */
enum pt_status pt_offsite_pull_fetch_chain(const struct pt_project *p, struct pt_restic *r,
                                           json_t *listed, const char *project, const char *base,
                                           const struct pt_monitor *mon, struct pt_error *err)
{
    struct pt_offsite_chain *chains = NULL;
    size_t n = 0;
    pt_offsite_read_chains(listed, project, &chains, &n);
    const struct pt_offsite_chain *chain = NULL;
    /* The newest that names base at all: one that also names another is refused, not skipped. */
    for (size_t i = n; i-- > 0 && !chain;)
        if (pt_offsite_chain_names(&chains[i], base))
            chain = &chains[i];
    enum pt_status rc = PT_OK;
    char *what = pt_backup_name_shown(base);
    if (chain && !chain->confined)
        rc = pt_error_set(err, PT_EFAIL,
                          _("the off-site change sets of %s (snapshot %s) carry the tags of "
                            "another project, backup or chain; nothing was kept"),
                          what, chain->short_id);
    char *work = NULL;
    if (chain && rc == PT_OK) {
        work = pt_xasprintf("%s/pull-changes-XXXXXX", p->tmp);
        if (pt_mkdir_p(p->tmp, 0700) != 0 || !mkdtemp(work)) {
            rc = pt_error_set(err, PT_EFAIL, _("cannot create %s: %s"), work, strerror(errno));
            free(work);
            work = NULL;
        }
    }
    if (work) {
        const char *args[] = {"restore", chain->id, "--target", work, NULL};
        struct pt_restic_call call = {.args = args, .monitor = mon, .phase = PT_PHASE_DOWNLOAD};
        rc = pt_restic_run(r, &call, err);
        struct fetched_point *points = NULL;
        size_t n_points = 0;
        if (rc == PT_OK)
            rc = check_chain(work, base, &points, &n_points, err);
        if (rc == PT_OK)
            rc = place_chain(p, base, points, n_points, err);
        fetched_free(points, n_points);
        pt_offsite_pull_remove_or_say(work, err);
        free(work);
    }
    free(what);
    pt_offsite_chains_free(chains, n);
    return rc;
}
