/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_SETTINGS_H
#define POSHTIBAN_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/session.h"
#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

enum pt_setting_type {
    PT_SETTING_BOOL,
    PT_SETTING_INT,
    PT_SETTING_CHOICE, /* one of choices */
    PT_SETTING_TIME,   /* HH:MM or empty */
    PT_SETTING_STRING,
    PT_SETTING_EMAILS, /* comma-separated addresses or empty */
    PT_SETTING_SMTP_URL,
    PT_SETTING_HTTP_URL,
    PT_SETTING_ENV_NAME,
    PT_SETTING_LOGIN,         /* a login or an address: no spaces, controls or header punctuation */
    PT_SETTING_PASSWORD_FILE, /* a path; the file is checked by pt_settings_save */
    PT_SETTING_REPOSITORY,    /* a restic repository string; shown without its login */
    PT_SETTING_PRIVATE_FILE,  /* a path; a private file (base/secretfile.h), checked on save */
    PT_SETTING_TEXTFILE,      /* a path ending in .prom, or empty */
};

/* One setting (docs/catalog-and-settings.md): its key, type, default and what is allowed. */
struct pt_setting_def {
    const char *key;
    enum pt_setting_type type;
    const char *default_value;  /* as text */
    int64_t min, max;           /* PT_SETTING_INT */
    const char *const *choices; /* PT_SETTING_CHOICE, NULL-terminated */
    const char *help;           /* marked with N_(); the faces translate it */
};

/* Every setting, in display order. */
const struct pt_setting_def *pt_settings_defs(size_t *n);
const struct pt_setting_def *pt_settings_find(const char *key);

/*
 * Validates text for def and writes its canonical form to *canonical (owned)
 * when it is allowed. Otherwise PT_EINVAL with a message naming the key and
 * what is allowed.
 */
enum pt_status pt_settings_validate(const struct pt_setting_def *def, const char *text,
                                    char **canonical, struct pt_error *err);

/* The stored value, or the default. *value is owned. PT_ENOTFOUND for an unknown key. */
enum pt_status pt_settings_get(struct pt_catalog *catalog, const char *key, char **value,
                               struct pt_error *err);
/*
 * Stored beside the settings, under a name no setting has, when a damaged
 * catalog was rebuilt and its settings could not all be read: the time
 * they were lost. Automatic backups then fail loudly instead of reading
 * "off"; any settings change clears it.
 */
#define PT_SETTINGS_LOST_KEY ".settings_lost_at"

/* Validates and stores; on any error the stored value is kept. */
enum pt_status pt_settings_set(struct pt_catalog *catalog, const char *key, const char *text,
                               struct pt_error *err);

/*
 * What both faces do to change a setting: validates text for key (an
 * unknown key is PT_ENOTFOUND, a bad value PT_EINVAL) before anything is
 * created (a password file must exist and be private: see
 * base/secretfile.h), then opens the catalog, creating it when needed, and
 * stores the value. *stored (may be NULL; owned) gets the value as stored.
 */
enum pt_status pt_settings_save(struct pt_session *session, const char *key, const char *text,
                                char **stored, struct pt_error *err);

/*
 * value of def as poshtiban shows it, in every face and in JSON: a login
 * inside a repository string (rest:https://user:pass@host/) becomes ***.
 * The stored value is never shown whole: to change it, set it again.
 * New string.
 */
char *pt_settings_shown(const struct pt_setting_def *def, const char *value);

/*
 * The password file of key (offsite.password_file, notify.smtp.password_file)
 * as an absolute path from the project root; NULL when the setting is
 * empty (the variable of *_password_env is used then). New string.
 */
char *pt_settings_password_file(const struct pt_project *project, struct pt_catalog *catalog,
                                const char *key);

/* Typed reads for the core; an unreadable value gives the default. */
bool pt_settings_bool(struct pt_catalog *catalog, const char *key);
int64_t pt_settings_int(struct pt_catalog *catalog, const char *key);
char *pt_settings_string(struct pt_catalog *catalog, const char *key); /* owned */

/* Typed JSON value of one setting (true, 24, "dir"); new reference. */
json_t *pt_settings_json_value(const struct pt_setting_def *def, const char *value);
/* {key: value} for every setting, as pt_settings_shown shows them; new reference, NULL on a catalog
 * error. */
json_t *pt_settings_to_json(struct pt_catalog *catalog, struct pt_error *err);

#endif
