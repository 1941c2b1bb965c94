// SPDX-License-Identifier: GPL-3.0-or-later
/* settings.json: the settings every backup carries, and a fresh project taking them back. */
#include "ops/carried.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "poshtiban/alloc.h"
#include "poshtiban/backup-read.h"
#include "poshtiban/i18n.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "engine/reader.h"

#define CARRIED_FILE "settings.json"
#define CARRIED_FORMAT 1

/* Never in a backup, never taken from one: hooks run commands, secrets stay where they are. */
static bool is_hook(const char *key)
{
    return strncmp(key, "hooks.", 6) == 0;
}

static bool is_secret(const char *key)
{
    size_t n = strlen(key);
    return (n >= 8 && strcmp(key + n - 8, "password") == 0) || strstr(key, "secret") ||
           strstr(key, "token");
}

/* A file this machine writes: a backup from elsewhere never chooses where. */
static bool is_local_file(const char *key)
{
    const struct pt_setting_def *def = pt_settings_find(key);
    return def && def->id == PT_KEY_METRICS_TEXTFILE;
}

static bool carried_key(const char *key)
{
    return !is_hook(key) && !is_secret(key) && !is_local_file(key) && key[0] != '.';
}

enum pt_status pt_carried_write(struct pt_catalog *c, const char *dir, struct pt_manifest *manifest,
                                struct pt_error *err)
{
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    json_t *settings = json_object();
    enum pt_status rc = PT_OK;
    for (size_t i = 0; rc == PT_OK && i < n; i++) {
        if (!carried_key(defs[i].key))
            continue;
        char *v = NULL;
        rc = pt_settings_get(c, defs[i].id, &v, err);
        if (rc != PT_OK)
            break;
        /* A repository string with a login in it is left out, never written redacted. */
        char *shown = pt_text_redact_url(v);
        if (strcmp(shown, v) == 0)
            json_object_set_new(settings, defs[i].key, pt_settings_json_value(&defs[i], v));
        free(shown);
        free(v);
    }
    if (rc != PT_OK) {
        json_decref(settings);
        return rc;
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "format_version", json_integer(CARRIED_FORMAT));
    json_object_set_new(doc, "settings", settings);
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    char *path = pt_path_join(dir, CARRIED_FILE);
    struct pt_file_writer w;
    rc = pt_file_writer_open(&w, path, err);
    free(path);
    if (rc == PT_OK) {
        rc = pt_file_writer_puts(&w, text ? text : "{}", err);
        if (rc == PT_OK)
            rc = pt_file_writer_puts(&w, "\n", err);
        if (rc != PT_OK)
            pt_file_writer_abort(&w);
    }
    free(text);
    if (rc != PT_OK)
        return rc;
    char hex[PT_SHA256_HEX];
    int64_t size;
    if ((rc = pt_file_writer_close(&w, hex, &size, err)) == PT_OK)
        pt_manifest_add(manifest, CARRIED_FILE, size, hex);
    return rc;
}

/* ---- apply --------------------------------------------------------------- */

static void add_item(struct pt_carried_item **items, size_t *n, const char *key, const char *value)
{
    *items = pt_xrealloc(*items, (*n + 1) * sizeof(**items));
    (*items)[*n].key = pt_xstrdup(key);
    (*items)[*n].value = pt_xstrdup(value);
    (*n)++;
}

/* Variables that hold something else than a password: a backup never points a secret at them. */
static bool foreign_variable(const char *key, const char *name)
{
    static const char *const names[] = {"PATH",   "HOME",    "USER",     "LOGNAME",  "SHELL",
                                        "PWD",    "OLDPWD",  "TERM",     "LANG",     "LANGUAGE",
                                        "TZ",     "IFS",     "ENV",      "BASH_ENV", "MAIL",
                                        "TMPDIR", "DISPLAY", "HOSTNAME", NULL};
    const struct pt_setting_def *def = pt_settings_find(key);
    if (def && strcmp(name, def->default_value) == 0)
        return false;
    for (size_t i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return strncmp(name, "LD_", 3) == 0 || strncmp(name, "LC_", 3) == 0 ||
           strncmp(name, "POSHTIBAN_", 10) == 0 || strncmp(name, "RESTIC_", 7) == 0 ||
           strncmp(name, "SSH_", 4) == 0;
}

/* The value as settings text; NULL for a JSON type no setting has. New string. */
static char *value_text(json_t *v)
{
    if (json_is_boolean(v))
        return pt_xstrdup(json_is_true(v) ? "true" : "false");
    if (json_is_integer(v))
        return pt_xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_string(v))
        return pt_xstrdup(json_string_value(v));
    return NULL;
}

/* One key of the file: why it is refused (new string), or NULL once it is applied or unchanged. */
static char *apply_one(struct pt_catalog *c, const char *key, json_t *v, struct pt_carried *out,
                       enum pt_status *rc, struct pt_error *err)
{
    const struct pt_setting_def *def = pt_settings_find(key);
    if (is_hook(key))
        return pt_xstrdup(_("hooks are never taken from a backup"));
    if (!def)
        return pt_xstrdup(_("no such setting"));
    if (is_local_file(key))
        return pt_xstrdup(_("the files this machine writes are never named by a backup"));
    if (!carried_key(key))
        return pt_xstrdup(_("secrets are never taken from a backup"));
    /* What this project set itself (the repository it was pulled from, say) stays. */
    char *stored = NULL;
    if (pt_catalog_setting_get(c, key, &stored, NULL) == PT_OK && stored) {
        free(stored);
        return NULL;
    }
    char *text = value_text(v);
    if (!text || strlen(text) != (json_is_string(v) ? json_string_length(v) : strlen(text))) {
        free(text);
        return pt_xstrdup(_("must be true, false, a whole number or text"));
    }
    if (def->type == PT_SETTING_ENV_NAME && foreign_variable(key, text)) {
        free(text);
        return pt_xstrdup(_("names a variable that holds no password"));
    }
    char *canonical = NULL;
    struct pt_error why = {0};
    if (pt_settings_validate(def, text, &canonical, &why) != PT_OK) {
        char *reason = pt_xstrdup(why.message ? why.message : _("is not allowed"));
        pt_error_clear(&why);
        free(text);
        return reason;
    }
    free(text);
    char *now = pt_settings_string(c, def->id);
    if (strcmp(now, canonical) != 0) {
        *rc = pt_settings_set(c, def->id, canonical, err);
        if (*rc == PT_OK)
            add_item(&out->applied, &out->n_applied, key, canonical);
    }
    free(now);
    free(canonical);
    return NULL;
}

static enum pt_status carried_entry(json_t *f, void *user, struct pt_error *err)
{
    (void)err;
    const char *path = json_string_value(json_object_get(f, "path"));
    if (path && strcmp(path, CARRIED_FILE) == 0)
        *(int64_t *)user = json_integer_value(json_object_get(f, "size"));
    return PT_OK;
}

/* The size the report gives settings.json; -1 when the backup has none. */
static int64_t carried_size(const struct pt_record *r, struct pt_error *err, enum pt_status *rc)
{
    int64_t size = -1;
    *rc = pt_backup_each_file(r, carried_entry, &size, err);
    return *rc == PT_OK ? size : -1;
}

static void refuse_whole(struct pt_carried *out, char *why)
{
    free(out->refused_whole);
    out->refused_whole = why;
}

bool pt_carried_fresh(struct pt_catalog *c)
{
    struct pt_catalog_filter all = {.limit = 1};
    struct pt_record *records = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (pt_catalog_list(c, &all, &records, &n, &total, NULL) != PT_OK)
        return false;
    pt_record_list_free(records, n);
    return total == 0;
}

enum pt_status pt_carried_apply(struct pt_catalog *c, const struct pt_record *r,
                                struct pt_carried *out, struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    struct pt_error why = {0};
    enum pt_status rc;
    int64_t size = carried_size(r, &why, &rc);
    if (rc != PT_OK) {
        out->present = true;
        refuse_whole(out, pt_xstrdup(why.message ? why.message : _("failed")));
        pt_error_clear(&why);
        return PT_OK;
    }
    if (size < 0)
        return PT_OK; /* made before backups carried their settings */
    out->present = true;
    if ((size_t)size > PT_CARRIED_MAX_BYTES) {
        refuse_whole(out, pt_xasprintf(_("%s is larger than %d KiB"), CARRIED_FILE,
                                       (int)(PT_CARRIED_MAX_BYTES >> 10)));
        return PT_OK;
    }
    char *text = NULL;
    size_t len = 0;
    if (pt_reader_slurp(r, CARRIED_FILE, &text, &len, &why) != PT_OK) {
        refuse_whole(out, pt_xstrdup(why.message ? why.message : _("failed")));
        pt_error_clear(&why);
        return PT_OK;
    }
    json_error_t jerr;
    json_t *doc =
        len <= PT_CARRIED_MAX_BYTES ? json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    free(text);
    json_t *settings = json_object_get(doc, "settings");
    size_t n_defs;
    pt_settings_defs(&n_defs);
    json_t *version = json_object_get(doc, "format_version");
    if (!doc)
        refuse_whole(out, pt_xasprintf(_("%s is not JSON"), CARRIED_FILE));
    else if (!json_is_integer(version) || json_integer_value(version) != CARRIED_FORMAT ||
             !json_is_object(settings))
        refuse_whole(out, pt_xasprintf(_("%s is not in a form this version reads"), CARRIED_FILE));
    else if (json_object_size(settings) > 2 * n_defs)
        refuse_whole(out,
                     pt_xasprintf(_("%s holds more keys than there are settings"), CARRIED_FILE));
    if (out->refused_whole) {
        json_decref(doc);
        return PT_OK;
    }
    const char *key;
    json_t *v;
    rc = PT_OK;
    json_object_foreach(settings, key, v)
    {
        char *reason = apply_one(c, key, v, out, &rc, err);
        if (reason)
            add_item(&out->refused, &out->n_refused, key, reason);
        free(reason);
        if (rc != PT_OK)
            break;
    }
    json_decref(doc);
    return rc;
}

void pt_carried_free(struct pt_carried *carried)
{
    for (size_t i = 0; i < carried->n_applied; i++) {
        free(carried->applied[i].key);
        free(carried->applied[i].value);
    }
    for (size_t i = 0; i < carried->n_refused; i++) {
        free(carried->refused[i].key);
        free(carried->refused[i].value);
    }
    free(carried->applied);
    free(carried->refused);
    free(carried->refused_whole);
    memset(carried, 0, sizeof(*carried));
}
