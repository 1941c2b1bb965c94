// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/alloc.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"

#include "helpers.h"

/*
 * The settings of docs/catalog-and-settings.md, written out again so that
 * a changed default is a failing test.
 */
static const struct {
    enum pt_setting_id id;
    const char *key, *value;
} spec_defaults[] = {
    {PT_KEY_AUTO_ENABLED, "auto.enabled", "false"},
    {PT_KEY_AUTO_INTERVAL_HOURS, "auto.interval_hours", "24"},
    {PT_KEY_AUTO_TIME, "auto.time", ""},
    {PT_KEY_AUTO_CHANGES_MINUTES, "auto.changes_minutes", "15"},
    {PT_KEY_RETENTION_MAX_BACKUPS, "retention.max_backups", "10"},
    {PT_KEY_RETENTION_MAX_AGE_DAYS, "retention.max_age_days", "0"},
    {PT_KEY_RETENTION_AUTO_CLEANUP, "retention.auto_cleanup", "true"},
    {PT_KEY_CHANGES_KEEP_ALL_HOURS, "changes.keep_all_hours", "48"},
    {PT_KEY_CHANGES_KEEP_HOURLY_DAYS, "changes.keep_hourly_days", "14"},
    {PT_KEY_BACKUP_FORMAT, "backup.format", "dir"},
    {PT_KEY_BACKUP_COMPRESSION_LEVEL, "backup.compression_level", "3"},
    {PT_KEY_BACKUP_COMPRESS, "backup.compress", "true"},
    {PT_KEY_BACKUP_INCLUDE_MEDIA, "backup.include_media", "true"},
    {PT_KEY_NOTIFY_EMAIL_ENABLED, "notify.email.enabled", "false"},
    {PT_KEY_NOTIFY_EMAIL_ON, "notify.email.on", "failure"},
    {PT_KEY_NOTIFY_EMAIL_TO, "notify.email.to", ""},
    {PT_KEY_NOTIFY_SMTP_URL, "notify.smtp.url", ""},
    {PT_KEY_NOTIFY_SMTP_USER, "notify.smtp.user", ""},
    {PT_KEY_NOTIFY_SMTP_PASSWORD_ENV, "notify.smtp.password_env", "POSHTIBAN_SMTP_PASSWORD"},
    {PT_KEY_NOTIFY_SMTP_PASSWORD_FILE, "notify.smtp.password_file", ""},
    {PT_KEY_NOTIFY_SMTP_INSECURE, "notify.smtp.insecure", "false"},
    {PT_KEY_NOTIFY_PING_URL, "notify.ping_url", ""},
    {PT_KEY_NOTIFY_APPRISE_ENABLED, "notify.apprise.enabled", "false"},
    {PT_KEY_NOTIFY_APPRISE_URLS_FILE, "notify.apprise.urls_file", ""},
    {PT_KEY_NOTIFY_APPRISE_ON, "notify.apprise.on", "failure"},
    {PT_KEY_METRICS_TEXTFILE, "metrics.textfile", ""},
    {PT_KEY_UI_LANGUAGE, "ui.language", "auto"},
    {PT_KEY_UI_BIDI, "ui.bidi", "auto"},
    {PT_KEY_UI_CALENDAR, "ui.calendar", "auto"},
    {PT_KEY_FIXTURES_DATETIME_UTC, "fixtures.datetime_utc", "true"},
    {PT_KEY_OFFSITE_ENABLED, "offsite.enabled", "false"},
    {PT_KEY_OFFSITE_REPOSITORY, "offsite.repository", ""},
    {PT_KEY_OFFSITE_PASSWORD_ENV, "offsite.password_env", "POSHTIBAN_RESTIC_PASSWORD"},
    {PT_KEY_OFFSITE_PASSWORD_FILE, "offsite.password_file", ""},
    {PT_KEY_OFFSITE_AFTER_BACKUP, "offsite.after_backup", "true"},
    {PT_KEY_OFFSITE_KEEP_LAST, "offsite.keep_last", "0"},
    {PT_KEY_OFFSITE_KEEP_DAILY, "offsite.keep_daily", "7"},
    {PT_KEY_OFFSITE_KEEP_WEEKLY, "offsite.keep_weekly", "4"},
    {PT_KEY_OFFSITE_KEEP_MONTHLY, "offsite.keep_monthly", "12"},
    {PT_KEY_VERIFY_AFTER_AUTO, "verify.after_auto", "true"},
    {PT_KEY_VERIFY_DEEP_EVERY_DAYS, "verify.deep_every_days", "7"},
    {PT_KEY_HOOKS_BEFORE_BACKUP, "hooks.before_backup", ""},
    {PT_KEY_HOOKS_AFTER_BACKUP, "hooks.after_backup", ""},
    {PT_KEY_HOOKS_BEFORE_RESTORE, "hooks.before_restore", ""},
    {PT_KEY_HOOKS_AFTER_RESTORE, "hooks.after_restore", ""},
    {PT_KEY_HOOKS_TIMEOUT_SECONDS, "hooks.timeout_seconds", "300"},
};

#define N_SPEC (sizeof(spec_defaults) / sizeof(spec_defaults[0]))

/* A setting added to the header and not to the documented table above (or the reverse) does not
 * compile. */
_Static_assert(N_SPEC == PT_SETTINGS_COUNT, "every setting of the enum is in spec_defaults");

static struct pt_catalog *open_memory(void)
{
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open_path(&c, ":memory:", NULL), PT_OK);
    return c;
}

static void test_defaults(void **state)
{
    (void)state;
    struct pt_catalog *c = open_memory();
    size_t n;
    pt_settings_defs(&n);
    assert_int_equal(n, N_SPEC);
    for (size_t i = 0; i < n; i++) {
        char *v;
        assert_string_equal(pt_settings_def(spec_defaults[i].id)->key, spec_defaults[i].key);
        assert_int_equal(pt_settings_get(c, spec_defaults[i].id, &v, NULL), PT_OK);
        assert_string_equal(v, spec_defaults[i].value);
        free(v);
    }
    pt_catalog_close(c);
}

static void expect_set(struct pt_catalog *c, enum pt_setting_id id, const char *text,
                       const char *stored)
{
    char *v;
    assert_int_equal(pt_settings_set(c, id, text, NULL), PT_OK);
    assert_int_equal(pt_settings_get(c, id, &v, NULL), PT_OK);
    assert_string_equal(v, stored);
    free(v);
}

static void expect_refused(struct pt_catalog *c, enum pt_setting_id id, const char *text,
                           const char *allowed)
{
    char *before, *after;
    struct pt_error err = {0};
    const char *key = pt_settings_def(id)->key;
    assert_int_equal(pt_settings_get(c, id, &before, NULL), PT_OK);
    assert_int_equal(pt_settings_set(c, id, text, &err), PT_EINVAL);
    assert_non_null(err.message);
    if (!strstr(err.message, key) || !strstr(err.message, allowed))
        fail_msg("message \"%s\" should name %s and say %s", err.message, key, allowed);
    pt_error_clear(&err);
    assert_int_equal(pt_settings_get(c, id, &after, NULL), PT_OK);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_valid_values(void **state)
{
    (void)state;
    struct pt_catalog *c = open_memory();
    expect_set(c, PT_KEY_AUTO_ENABLED, "yes", "true");
    expect_set(c, PT_KEY_AUTO_ENABLED, "OFF", "false");
    expect_set(c, PT_KEY_BACKUP_COMPRESS, "no", "false");
    expect_set(c, PT_KEY_BACKUP_COMPRESS, "true", "true");
    expect_set(c, PT_KEY_RETENTION_MAX_BACKUPS, "1", "1");
    expect_set(c, PT_KEY_RETENTION_MAX_BACKUPS, "10000", "10000");
    expect_set(c, PT_KEY_AUTO_INTERVAL_HOURS, "8760", "8760");
    expect_set(c, PT_KEY_AUTO_TIME, "7:05", "07:05");
    expect_set(c, PT_KEY_AUTO_TIME, "", "");
    expect_set(c, PT_KEY_BACKUP_FORMAT, "tar.zst", "tar.zst");
    expect_set(c, PT_KEY_NOTIFY_EMAIL_TO, "a@example.org,  b@example.org",
               "a@example.org, b@example.org");
    expect_set(c, PT_KEY_NOTIFY_SMTP_URL, "smtps://mail.example.org:465",
               "smtps://mail.example.org:465");
    expect_set(c, PT_KEY_NOTIFY_PING_URL, "https://hc.example.org/ping/abc",
               "https://hc.example.org/ping/abc");
    expect_set(c, PT_KEY_NOTIFY_SMTP_PASSWORD_ENV, "MY_PASS", "MY_PASS");
    expect_set(c, PT_KEY_UI_LANGUAGE, "fa", "fa");
    pt_catalog_close(c);
}

static void test_refusals_keep_value(void **state)
{
    (void)state;
    struct pt_catalog *c = open_memory();
    expect_set(c, PT_KEY_RETENTION_MAX_BACKUPS, "7", "7");
    expect_refused(c, PT_KEY_RETENTION_MAX_BACKUPS, "-3", "1 to 10000");
    expect_refused(c, PT_KEY_RETENTION_MAX_BACKUPS, "0", "1 to 10000");
    expect_refused(c, PT_KEY_RETENTION_MAX_BACKUPS, "10001", "1 to 10000");
    expect_refused(c, PT_KEY_RETENTION_MAX_BACKUPS, "12abc", "1 to 10000");
    expect_refused(c, PT_KEY_RETENTION_MAX_BACKUPS, "", "1 to 10000");
    expect_refused(c, PT_KEY_BACKUP_COMPRESSION_LEVEL, "20", "1 to 19");
    expect_refused(c, PT_KEY_AUTO_ENABLED, "maybe", "true or false");
    expect_refused(c, PT_KEY_BACKUP_COMPRESS, "zstd", "true or false");
    expect_refused(c, PT_KEY_AUTO_TIME, "24:00", "HH:MM");
    expect_refused(c, PT_KEY_BACKUP_FORMAT, "rar", "dir, zip, tar.zst");
    expect_refused(c, PT_KEY_NOTIFY_EMAIL_TO, "not-an-address", "mail addresses");
    expect_refused(c, PT_KEY_NOTIFY_SMTP_URL, "http://mail", "smtp://");
    expect_refused(c, PT_KEY_NOTIFY_PING_URL, "ftp://x", "http://");
    expect_set(c, PT_KEY_NOTIFY_APPRISE_ON, "changes", "changes");
    expect_refused(c, PT_KEY_NOTIFY_APPRISE_ON, "sometimes", "changes");
    expect_set(c, PT_KEY_METRICS_TEXTFILE, "/var/lib/node/poshtiban.prom",
               "/var/lib/node/poshtiban.prom");
    expect_refused(c, PT_KEY_METRICS_TEXTFILE, "/var/lib/node/poshtiban.txt", ".prom");
    expect_refused(c, PT_KEY_METRICS_TEXTFILE, "/var/lib/node/.prom", ".prom");
    expect_refused(c, PT_KEY_NOTIFY_SMTP_PASSWORD_ENV, "1BAD", "environment variable");
    expect_refused(c, PT_KEY_NOTIFY_SMTP_USER, "a>b@example.com", "login");
    expect_refused(c, PT_KEY_NOTIFY_SMTP_URL, "smtp://u:p@mail.example.com",
                   "must not hold a login");
    expect_refused(c, PT_KEY_NOTIFY_PING_URL, "https://u:p@hc.example.com/x",
                   "must not hold a password");
    /* A variable that holds something else would make its value the password. */
    static const char *const taken[] = {"PATH",
                                        "HOME",
                                        "USER",
                                        "SHELL",
                                        "LD_PRELOAD",
                                        "LC_ALL",
                                        "TZ",
                                        "PWD",
                                        "TERM",
                                        "LANG",
                                        "RESTIC_PASSWORD",
                                        "POSHTIBAN_DATABASE",
                                        "POSHTIBAN_TEST_NOW"};
    for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
        expect_refused(c, PT_KEY_OFFSITE_PASSWORD_ENV, taken[i], "variable of its own");
        expect_refused(c, PT_KEY_NOTIFY_SMTP_PASSWORD_ENV, taken[i], "variable of its own");
    }
    expect_set(c, PT_KEY_OFFSITE_PASSWORD_ENV, "PATHWAY_PASSWORD", "PATHWAY_PASSWORD");
    expect_set(c, PT_KEY_OFFSITE_PASSWORD_ENV, "POSHTIBAN_RESTIC_PASSWORD",
               "POSHTIBAN_RESTIC_PASSWORD");
    char *v;
    assert_int_equal(pt_settings_get(c, PT_KEY_RETENTION_MAX_BACKUPS, &v, NULL), PT_OK);
    assert_string_equal(v, "7");
    free(v);
    pt_catalog_close(c);
}

/* A login inside the repository is shown as ***: in JSON, in a refusal, by pt_settings_shown. */
static void test_repository_login_hidden(void **state)
{
    (void)state;
    struct pt_catalog *c = open_memory();
    const char *repo = "rest:https://bob:s3cr%2Ft@backup.example.com:8000/repo/";
    expect_set(c, PT_KEY_OFFSITE_REPOSITORY, repo, repo);
    const struct pt_setting_def *def = pt_settings_def(PT_KEY_OFFSITE_REPOSITORY);
    char *shown = pt_settings_shown(def, repo);
    assert_string_equal(shown, "rest:https://***@backup.example.com:8000/repo/");
    free(shown);
    json_t *doc = pt_settings_to_json(c, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "offsite.repository")),
                        "rest:https://***@backup.example.com:8000/repo/");
    json_decref(doc);
    struct pt_error err = {0};
    assert_int_equal(
        pt_settings_set(c, PT_KEY_OFFSITE_REPOSITORY, "rest:https://bob:s3cr3t@h/\x01", &err),
        PT_EINVAL);
    assert_null(strstr(err.message, "s3cr3t"));
    assert_null(strstr(err.message, "bob"));
    pt_error_clear(&err);
    shown = pt_settings_shown(def, "sftp:user@host:/srv/repo");
    assert_string_equal(shown, "sftp:user@host:/srv/repo"); /* an ssh login is no secret */
    free(shown);
    pt_catalog_close(c);
}

/* A password file must be a private regular file, checked before anything is stored. */
static void test_password_file(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    struct pt_project p;
    pt_test_project(&p, dir);
    char *file = pt_xasprintf("%s/pw", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("secret\n", f);
    fclose(f);
    struct pt_error err = {0};
    char *stored = NULL;
    const enum pt_setting_id keys[] = {PT_KEY_OFFSITE_PASSWORD_FILE,
                                       PT_KEY_NOTIFY_SMTP_PASSWORD_FILE};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(chmod(file, 0644), 0);
        assert_int_equal(pt_test_settings_save(&p, keys[i], file, &stored, &err), PT_EINVAL);
        assert_non_null(strstr(err.message, "chmod 600"));
        pt_error_clear(&err);
        assert_int_equal(chmod(file, 0620), 0);
        assert_int_equal(pt_test_settings_save(&p, keys[i], file, &stored, &err), PT_EINVAL);
        pt_error_clear(&err);
        assert_int_equal(pt_test_settings_save(&p, keys[i], dir, &stored, &err), PT_EINVAL);
        pt_error_clear(&err);
        assert_int_equal(pt_test_settings_save(&p, keys[i], "/dev/null", &stored, &err), PT_EINVAL);
        pt_error_clear(&err);
        assert_int_equal(pt_test_settings_save(&p, keys[i], "missing", &stored, &err), PT_EINVAL);
        pt_error_clear(&err);
        assert_int_equal(chmod(file, 0600), 0);
        assert_int_equal(pt_test_settings_save(&p, keys[i], "pw", &stored, &err), PT_OK);
        assert_string_equal(stored, "pw");
        free(stored);
        struct pt_catalog *c;
        assert_int_equal(pt_catalog_open(&c, &p, PT_CATALOG_READ, NULL), PT_OK);
        char *path = pt_settings_password_file(&p, c, keys[i]);
        assert_string_equal(path, file); /* relative to the project */
        free(path);
        pt_catalog_close(c);
        assert_int_equal(pt_test_settings_save(&p, keys[i], "", &stored, &err), PT_OK);
        free(stored);
    }
    free(file);
    pt_project_free(&p);
    pt_test_rmtree(dir);
    free(dir);
}

/* Every id is its key's, both ways, and the table has no hole. */
static void test_ids_round_trip(void **state)
{
    (void)state;
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    assert_int_equal(n, PT_SETTINGS_COUNT);
    for (size_t i = 0; i < n; i++) {
        enum pt_setting_id id = (enum pt_setting_id)i;
        assert_non_null(defs[i].key);
        assert_int_equal(defs[i].id, id);
        assert_ptr_equal(pt_settings_def(id), &defs[i]);
        assert_ptr_equal(pt_settings_find(defs[i].key), &defs[i]);
        enum pt_setting_id found = PT_SETTINGS_COUNT;
        assert_int_equal(pt_settings_lookup(defs[i].key, &found, NULL), PT_OK);
        assert_int_equal(found, id);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(defs[j].key, defs[i].key);
    }
}

/* Each default is a value its own setting accepts, written as it would be stored. */
static void test_defaults_valid(void **state)
{
    (void)state;
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    for (size_t i = 0; i < n; i++) {
        char *canonical = NULL;
        struct pt_error err = {0};
        if (pt_settings_validate(&defs[i], defs[i].default_value, &canonical, &err) != PT_OK)
            fail_msg("default of %s refused: %s", defs[i].key, err.message);
        assert_string_equal(canonical, defs[i].default_value);
        free(canonical);
        assert_true(defs[i].help && *defs[i].help);
        if (defs[i].type == PT_SETTING_INT)
            assert_true(defs[i].min <= defs[i].max);
        assert_true((defs[i].type == PT_SETTING_CHOICE) == (defs[i].choices != NULL));
    }
}

/* A key no setting has, as a person may type it, is refused with a message naming it. */
static void test_unknown_key(void **state)
{
    (void)state;
    static const char *const unknown[] = {
        "retention.max",      "nope",          "",     "Auto.Enabled",
        "auto.enabled ",      " auto.enabled", "auto", ".offsite.project",
        PT_SETTINGS_LOST_KEY, "auto.enabled\n"};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        struct pt_error err = {0};
        enum pt_setting_id id = PT_SETTINGS_COUNT;
        assert_null(pt_settings_find(unknown[i]));
        assert_int_equal(pt_settings_lookup(unknown[i], &id, &err), PT_ENOTFOUND);
        assert_int_equal(id, PT_SETTINGS_COUNT); /* left alone */
        assert_non_null(err.message);
        if (!strstr(err.message, "unknown setting") || !strstr(err.message, unknown[i]))
            fail_msg("message \"%s\" should name \"%s\"", err.message, unknown[i]);
        pt_error_clear(&err);
    }
    assert_null(pt_settings_find(NULL));
}

/* What both faces call: a refused value creates nothing; a good one is stored as written back. */
static void test_save_from_a_face(void **state)
{
    (void)state;
    char *dir = pt_test_tmpdir();
    struct pt_project p;
    pt_test_project(&p, dir);
    struct pt_error err = {0};
    char *stored = (char *)"untouched";
    assert_int_equal(pt_test_settings_save(&p, PT_KEY_RETENTION_MAX_BACKUPS, "0", &stored, &err),
                     PT_EINVAL);
    assert_null(stored);
    assert_non_null(strstr(err.message, "retention.max_backups"));
    pt_error_clear(&err);
    assert_int_equal(access(p.catalog, F_OK), -1); /* nothing created for a bad value */
    assert_int_equal(pt_test_settings_save(&p, PT_KEY_AUTO_ENABLED, "TRUE", &stored, &err), PT_OK);
    assert_string_equal(stored, "true");
    free(stored);
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open(&c, &p, PT_CATALOG_READ, NULL), PT_OK);
    assert_true(pt_settings_bool(c, PT_KEY_AUTO_ENABLED));
    pt_catalog_close(c);
    pt_project_free(&p);
    pt_test_rmtree(dir);
    free(dir);
}

static void test_json_is_typed(void **state)
{
    (void)state;
    struct pt_catalog *c = open_memory();
    expect_set(c, PT_KEY_RETENTION_MAX_BACKUPS, "3", "3");
    json_t *doc = pt_settings_to_json(c, NULL);
    assert_true(json_is_false(json_object_get(doc, "auto.enabled")));
    assert_int_equal(json_integer_value(json_object_get(doc, "retention.max_backups")), 3);
    assert_string_equal(json_string_value(json_object_get(doc, "backup.format")), "dir");
    assert_true(json_is_true(json_object_get(doc, "fixtures.datetime_utc")));
    assert_int_equal(json_object_size(doc), N_SPEC);
    json_decref(doc);
    pt_catalog_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_refusals_keep_value),
        cmocka_unit_test(test_ids_round_trip),
        cmocka_unit_test(test_defaults_valid),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_save_from_a_face),
        cmocka_unit_test(test_json_is_typed),
        cmocka_unit_test(test_repository_login_hidden),
        cmocka_unit_test(test_password_file),
    };
    return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
