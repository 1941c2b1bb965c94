/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_SETTINGS_H
#define POSHTIBAN_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/session.h"
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

/*
 * Every setting, in display order (docs/catalog-and-settings.md), as one
 * X-macro list: X(ID, key, type, default, min, max, choices, help).
 * type is a PT_SETTING_* without its prefix; min and max bound an INT;
 * choices is PT_CHOICES(…) for a CHOICE, NULL otherwise; help is marked
 * with N_() and translated by the faces. The enum below and the table in
 * store/settings.c are both made from it, so they cannot disagree.
 */
#define PT_SETTINGS(X)                                                                             \
    X(AUTO_ENABLED, "auto.enabled", BOOL, "false", 0, 0, NULL, N_("automatic backups on or off"))  \
    X(AUTO_INTERVAL_HOURS, "auto.interval_hours", INT, "24", 1, 8760, NULL,                        \
      N_("hours between automatic backups"))                                                       \
    X(AUTO_TIME, "auto.time", TIME, "", 0, 0, NULL,                                                \
      N_("preferred time of day for automatic backups (local time)"))                              \
    X(AUTO_CHANGES_MINUTES, "auto.changes_minutes", INT, "15", 0, 1440, NULL,                      \
      N_("minutes between change sets captured by auto; 0: none"))                                 \
    X(RETENTION_MAX_BACKUPS, "retention.max_backups", INT, "10", 1, 10000, NULL,                   \
      N_("how many completed backups to keep"))                                                    \
    X(RETENTION_MAX_AGE_DAYS, "retention.max_age_days", INT, "0", 0, 36500, NULL,                  \
      N_("delete backups older than this many days; 0 keeps them regardless of age"))              \
    X(RETENTION_AUTO_CLEANUP, "retention.auto_cleanup", BOOL, "true", 0, 0, NULL,                  \
      N_("apply retention after every successful backup"))                                         \
    X(CHANGES_KEEP_ALL_HOURS, "changes.keep_all_hours", INT, "48", 1, 8760, NULL,                  \
      N_("hours during which every change set is kept"))                                           \
    X(CHANGES_KEEP_HOURLY_DAYS, "changes.keep_hourly_days", INT, "14", 0, 3650, NULL,              \
      N_("days after those during which one change set per hour is kept"))                         \
    X(BACKUP_FORMAT, "backup.format", CHOICE, "dir", 0, 0, PT_CHOICES("dir", "zip", "tar.zst"),    \
      N_("storage format"))                                                                        \
    X(BACKUP_COMPRESSION_LEVEL, "backup.compression_level", INT, "3", 1, 19, NULL,                 \
      N_("zstd compression level (zip maps it to deflate 1 to 9)"))                                \
    X(BACKUP_COMPRESS, "backup.compress", BOOL, "true", 0, 0, NULL,                                \
      N_("format dir: fixtures as .json.gz (loaddata reads them as they are) and the snapshot as " \
         "database.sqlite3.zst (zstd -d); false: plain files"))                                    \
    X(BACKUP_INCLUDE_MEDIA, "backup.include_media", BOOL, "true", 0, 0, NULL,                      \
      N_("copy the media folder"))                                                                 \
    X(NOTIFY_EMAIL_ENABLED, "notify.email.enabled", BOOL, "false", 0, 0, NULL,                     \
      N_("send mail after backups"))                                                               \
    X(NOTIFY_EMAIL_ON, "notify.email.on", CHOICE, "failure", 0, 0,                                 \
      PT_CHOICES("failure", "always"),                                                             \
      N_("failure: failures and the first success after one; always: every backup"))               \
    X(NOTIFY_EMAIL_TO, "notify.email.to", EMAILS, "", 0, 0, NULL,                                  \
      N_("recipients, separated by commas"))                                                       \
    X(NOTIFY_SMTP_URL, "notify.smtp.url", SMTP_URL, "", 0, 0, NULL, N_("mail server"))             \
    X(NOTIFY_SMTP_USER, "notify.smtp.user", LOGIN, "", 0, 0, NULL, N_("mail server login"))        \
    X(NOTIFY_SMTP_PASSWORD_ENV, "notify.smtp.password_env", ENV_NAME, "POSHTIBAN_SMTP_PASSWORD",   \
      0, 0, NULL,                                                                                  \
      N_("environment variable holding the mail password; the password is never stored"))          \
    X(NOTIFY_SMTP_PASSWORD_FILE, "notify.smtp.password_file", PASSWORD_FILE, "", 0, 0, NULL,       \
      N_("file holding the mail password (mode 600), used instead of the variable when set; cron " \
         "sees no shell variables"))                                                               \
    X(NOTIFY_SMTP_INSECURE, "notify.smtp.insecure", BOOL, "false", 0, 0, NULL,                     \
      N_("allow sending the login to an smtp:// server that offers no STARTTLS, in clear"))        \
    X(NOTIFY_PING_URL, "notify.ping_url", HTTP_URL, "", 0, 0, NULL,                                \
      N_("dead-man ping: URL on success, URL/start, URL/fail"))                                    \
    X(NOTIFY_APPRISE_ENABLED, "notify.apprise.enabled", BOOL, "false", 0, 0, NULL,                 \
      N_("send alerts through Apprise (ntfy, Telegram, Slack, Matrix…) after backups"))            \
    X(NOTIFY_APPRISE_URLS_FILE, "notify.apprise.urls_file", PRIVATE_FILE, "", 0, 0, NULL,          \
      N_("file holding the Apprise URLs, one a line, or an Apprise configuration (mode 600)"))     \
    X(NOTIFY_APPRISE_ON, "notify.apprise.on", CHOICE, "failure", 0, 0,                             \
      PT_CHOICES("failure", "always", "changes"),                                                  \
      N_("failure: failures and the first success after one; always: every backup; changes: only " \
         "when backups start failing or work again"))                                              \
    X(METRICS_TEXTFILE, "metrics.textfile", TEXTFILE, "", 0, 0, NULL,                              \
      N_("Prometheus text file written after every operation, for node_exporter's textfile "       \
         "collector (a .prom path); empty: none"))                                                 \
    X(UI_LANGUAGE, "ui.language", CHOICE, "auto", 0, 0, PT_CHOICES("auto", "fa", "en"),            \
      N_("language; auto follows the locale"))                                                     \
    X(UI_BIDI, "ui.bidi", CHOICE, "auto", 0, 0, PT_CHOICES("auto", "app", "terminal", "off"),      \
      N_("who reorders right-to-left text"))                                                       \
    X(UI_CALENDAR, "ui.calendar", CHOICE, "auto", 0, 0, PT_CHOICES("auto", "jalali", "gregorian"), \
      N_("calendar; auto is Jalali when the language is Persian"))                                 \
    X(FIXTURES_DATETIME_UTC, "fixtures.datetime_utc", BOOL, "true", 0, 0, NULL,                    \
      N_("write date-times in fixtures with a UTC designator"))                                    \
    X(OFFSITE_ENABLED, "offsite.enabled", BOOL, "false", 0, 0, NULL,                               \
      N_("copy backups off-site with restic: after each backup, and retried by auto"))             \
    X(OFFSITE_REPOSITORY, "offsite.repository", REPOSITORY, "", 0, 0, NULL,                        \
      N_("restic repository, given to restic as it is (sftp:host:/path, s3:…, rest:…, a path)"))   \
    X(OFFSITE_PASSWORD_ENV, "offsite.password_env", ENV_NAME, "POSHTIBAN_RESTIC_PASSWORD", 0, 0,   \
      NULL,                                                                                        \
      N_("environment variable holding the repository password; the password is never stored"))    \
    X(OFFSITE_PASSWORD_FILE, "offsite.password_file", PASSWORD_FILE, "", 0, 0, NULL,               \
      N_("file holding the repository password (mode 600), used instead of the variable when "     \
         "set; cron sees no shell variables"))                                                     \
    X(OFFSITE_AFTER_BACKUP, "offsite.after_backup", BOOL, "true", 0, 0, NULL,                      \
      N_("send each new backup off-site as soon as it is taken"))                                  \
    X(OFFSITE_KEEP_LAST, "offsite.keep_last", INT, "0", 0, 100000, NULL,                           \
      N_("off-site prune keeps this many newest copies; 0: not used"))                             \
    X(OFFSITE_KEEP_DAILY, "offsite.keep_daily", INT, "7", 0, 100000, NULL,                         \
      N_("off-site prune keeps the newest copy of this many days; 0: not used"))                   \
    X(OFFSITE_KEEP_WEEKLY, "offsite.keep_weekly", INT, "4", 0, 100000, NULL,                       \
      N_("off-site prune keeps the newest copy of this many weeks; 0: not used"))                  \
    X(OFFSITE_KEEP_MONTHLY, "offsite.keep_monthly", INT, "12", 0, 100000, NULL,                    \
      N_("off-site prune keeps the newest copy of this many months; 0: not used"))                 \
    X(VERIFY_AFTER_AUTO, "verify.after_auto", BOOL, "true", 0, 0, NULL,                            \
      N_("auto verifies each automatic backup as soon as it is taken"))                            \
    X(VERIFY_DEEP_EVERY_DAYS, "verify.deep_every_days", INT, "7", 0, 365, NULL,                    \
      N_("auto deep-verifies every backup this many days apart; 0: never"))                        \
    X(HOOKS_BEFORE_BACKUP, "hooks.before_backup", STRING, "", 0, 0, NULL,                          \
      N_("shell command run in the project folder before each backup; when it fails, no backup "   \
         "is taken"))                                                                              \
    X(HOOKS_AFTER_BACKUP, "hooks.after_backup", STRING, "", 0, 0, NULL,                            \
      N_("shell command run after each backup, completed or failed ($POSHTIBAN_STATUS says "       \
         "which)"))                                                                                \
    X(HOOKS_BEFORE_RESTORE, "hooks.before_restore", STRING, "", 0, 0, NULL,                        \
      N_("shell command run before each restore; when it fails, nothing is restored"))             \
    X(HOOKS_AFTER_RESTORE, "hooks.after_restore", STRING, "", 0, 0, NULL,                          \
      N_("shell command run after each restore, such as python3 manage.py migrate"))               \
    X(HOOKS_TIMEOUT_SECONDS, "hooks.timeout_seconds", INT, "300", 1, 86400, NULL,                  \
      N_("seconds a hook may run before it is stopped (and counted as failed)"))

/* A NULL-terminated list of choices, for PT_SETTINGS. */
#define PT_CHOICES(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * The id of each setting: PT_KEY_AUTO_ENABLED is "auto.enabled". Code
 * reads a setting by its id, so a misspelt one does not compile; a key
 * typed by a person or read from a file is mapped to its id once, by
 * pt_settings_lookup or pt_settings_find.
 */
#define PT_SETTING_ENUM_(id, ...) PT_KEY_##id,
enum pt_setting_id { PT_SETTINGS(PT_SETTING_ENUM_) PT_SETTINGS_COUNT /* how many there are */ };
#undef PT_SETTING_ENUM_

/* One setting (docs/catalog-and-settings.md): its key, type, default and what is allowed. */
struct pt_setting_def {
    enum pt_setting_id id;
    const char *key;
    enum pt_setting_type type;
    const char *default_value;  /* as text */
    int64_t min, max;           /* PT_SETTING_INT */
    const char *const *choices; /* PT_SETTING_CHOICE, NULL-terminated */
    const char *help;           /* marked with N_(); the faces translate it */
};

/* Every setting, in display order: defs[i].id is i. *n gets PT_SETTINGS_COUNT. */
const struct pt_setting_def *pt_settings_defs(size_t *n);
/* The setting of id; id must be one of enum pt_setting_id. */
const struct pt_setting_def *pt_settings_def(enum pt_setting_id id);
/* The setting whose key is key (as a person typed it, or as a file says); NULL when none is. */
const struct pt_setting_def *pt_settings_find(const char *key);
/*
 * Maps key, as a person typed it, to its id, once: PT_ENOTFOUND with
 * "unknown setting KEY" when no setting has that key.
 */
enum pt_status pt_settings_lookup(const char *key, enum pt_setting_id *id, struct pt_error *err);

/*
 * Validates text for def and writes its canonical form to *canonical (owned)
 * when it is allowed. Otherwise PT_EINVAL with a message naming the key and
 * what is allowed.
 */
enum pt_status pt_settings_validate(const struct pt_setting_def *def, const char *text,
                                    char **canonical, struct pt_error *err);

/* The stored value of id, or its default. *value is owned. Fails only when the catalog does. */
enum pt_status pt_settings_get(struct pt_catalog *catalog, enum pt_setting_id id, char **value,
                               struct pt_error *err);
/*
 * Stored beside the settings, under a name no setting has, when a damaged
 * catalog was rebuilt and its settings could not all be read: the time
 * they were lost. Automatic backups then fail loudly instead of reading
 * "off"; any settings change clears it.
 */
#define PT_SETTINGS_LOST_KEY ".settings_lost_at"

/* Validates and stores text as id; on any error (PT_EINVAL for a bad value) the stored value is
 * kept. */
enum pt_status pt_settings_set(struct pt_catalog *catalog, enum pt_setting_id id, const char *text,
                               struct pt_error *err);

/*
 * What both faces do to change a setting: validates text for id (a bad
 * value is PT_EINVAL) before anything is created (a password file must
 * exist and be private: see base/secretfile.h), then opens the catalog,
 * creating it when needed, and stores the value. *stored (may be NULL;
 * owned) gets the value as stored.
 */
enum pt_status pt_settings_save(struct pt_session *session, enum pt_setting_id id, const char *text,
                                char **stored, struct pt_error *err);

/*
 * value of def as poshtiban shows it, in every face and in JSON: a login
 * inside a repository string (rest:https://user:pass@host/) becomes ***.
 * The stored value is never shown whole: to change it, set it again.
 * New string.
 */
char *pt_settings_shown(const struct pt_setting_def *def, const char *value);

/*
 * The password file of id (PT_KEY_OFFSITE_PASSWORD_FILE,
 * PT_KEY_NOTIFY_SMTP_PASSWORD_FILE, PT_KEY_NOTIFY_APPRISE_URLS_FILE) as an
 * absolute path from the project root; NULL when the setting is empty (the
 * variable of *_password_env is used then). New string.
 */
char *pt_settings_password_file(const struct pt_project *project, struct pt_catalog *catalog,
                                enum pt_setting_id id);

/*
 * Typed reads for the core; an unreadable value gives the default. id is
 * a BOOL setting for pt_settings_bool, an INT one for pt_settings_int.
 */
bool pt_settings_bool(struct pt_catalog *catalog, enum pt_setting_id id);
int64_t pt_settings_int(struct pt_catalog *catalog, enum pt_setting_id id);
char *pt_settings_string(struct pt_catalog *catalog, enum pt_setting_id id); /* owned */

/* Typed JSON value of one setting (true, 24, "dir"); new reference. */
json_t *pt_settings_json_value(const struct pt_setting_def *def, const char *value);
/* {key: value} for every setting, as pt_settings_shown shows them; new reference, NULL on a catalog
 * error. */
json_t *pt_settings_to_json(struct pt_catalog *catalog, struct pt_error *err);

#endif
