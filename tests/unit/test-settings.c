// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "poshtiban/session.h"
#include "poshtiban/alloc.h"
#include "poshtiban/settings.h"

/*
 * The settings of docs/catalog-and-settings.md, written out again so that
 * a changed default is a failing test.
 */
static const struct {
    const char *key, *value;
} spec_defaults[] = {
    {"auto.enabled", "false"},
    {"auto.interval_hours", "24"},
    {"auto.time", ""},
    {"auto.changes_minutes", "15"},
    {"retention.max_backups", "10"},
    {"retention.max_age_days", "0"},
    {"retention.auto_cleanup", "true"},
    {"changes.keep_all_hours", "48"},
    {"changes.keep_hourly_days", "14"},
    {"backup.format", "dir"},
    {"backup.compression_level", "3"},
    {"backup.compress", "true"},
    {"backup.include_media", "true"},
    {"notify.email.enabled", "false"},
    {"notify.email.on", "failure"},
    {"notify.email.to", ""},
    {"notify.smtp.url", ""},
    {"notify.smtp.user", ""},
    {"notify.smtp.password_env", "POSHTIBAN_SMTP_PASSWORD"},
    {"notify.smtp.password_file", ""},
    {"notify.smtp.insecure", "false"},
    {"notify.ping_url", ""},
    {"notify.apprise.enabled", "false"},
    {"notify.apprise.urls_file", ""},
    {"notify.apprise.on", "failure"},
    {"metrics.textfile", ""},
    {"ui.language", "auto"},
    {"ui.bidi", "auto"},
    {"ui.calendar", "auto"},
    {"fixtures.datetime_utc", "true"},
    {"offsite.enabled", "false"},
    {"offsite.repository", ""},
    {"offsite.password_env", "POSHTIBAN_RESTIC_PASSWORD"},
    {"offsite.password_file", ""},
    {"offsite.after_backup", "true"},
    {"offsite.keep_last", "0"},
    {"offsite.keep_daily", "7"},
    {"offsite.keep_weekly", "4"},
    {"offsite.keep_monthly", "12"},
    {"verify.after_auto", "true"},
    {"verify.deep_every_days", "7"},
    {"hooks.before_backup", ""},
    {"hooks.after_backup", ""},
    {"hooks.before_restore", ""},
    {"hooks.after_restore", ""},
    {"hooks.timeout_seconds", "300"},
};

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
    assert_int_equal(n, sizeof(spec_defaults) / sizeof(spec_defaults[0]));
    for (size_t i = 0; i < n; i++) {
        char *v;
        assert_int_equal(pt_settings_get(c, spec_defaults[i].key, &v, NULL), PT_OK);
        assert_string_equal(v, spec_defaults[i].value);
        free(v);
    }
    pt_catalog_close(c);
}

static void expect_set(struct pt_catalog *c, const char *key, const char *text, const char *stored)
{
    char *v;
    assert_int_equal(pt_settings_set(c, key, text, NULL), PT_OK);
    assert_int_equal(pt_settings_get(c, key, &v, NULL), PT_OK);
    assert_string_equal(v, stored);
    free(v);
}

static void expect_refused(struct pt_catalog *c, const char *key, const char *text,
                           const char *allowed)
{
    char *before, *after;
    struct pt_error err = {0};
    assert_int_equal(pt_settings_get(c, key, &before, NULL), PT_OK);
    assert_int_equal(pt_settings_set(c, key, text, &err), PT_EINVAL);
    assert_non_null(err.message);
    if (!strstr(err.message, key) || !strstr(err.message, allowed))
        fail_msg("message \"%s\" should name %s and say %s", err.message, key, allowed);
    pt_error_clear(&err);
    assert_int_equal(pt_settings_get(c, key, &after, NULL), PT_OK);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_valid_values(void **state)
{
    (void)state;
    struct pt_catalog *c = open_memory();
    expect_set(c, "auto.enabled", "yes", "true");
    expect_set(c, "auto.enabled", "OFF", "false");
    expect_set(c, "backup.compress", "no", "false");
    expect_set(c, "backup.compress", "true", "true");
    expect_set(c, "retention.max_backups", "1", "1");
    expect_set(c, "retention.max_backups", "10000", "10000");
    expect_set(c, "auto.interval_hours", "8760", "8760");
    expect_set(c, "auto.time", "7:05", "07:05");
    expect_set(c, "auto.time", "", "");
    expect_set(c, "backup.format", "tar.zst", "tar.zst");
    expect_set(c, "notify.email.to", "a@example.org,  b@example.org",
               "a@example.org, b@example.org");
    expect_set(c, "notify.smtp.url", "smtps://mail.example.org:465",
               "smtps://mail.example.org:465");
    expect_set(c, "notify.ping_url", "https://hc.example.org/ping/abc",
               "https://hc.example.org/ping/abc");
    expect_set(c, "notify.smtp.password_env", "MY_PASS", "MY_PASS");
    expect_set(c, "ui.language", "fa", "fa");
    pt_catalog_close(c);
}

static void test_refusals_keep_value(void **state)
{
    (void)state;
    struct pt_catalog *c = open_memory();
    expect_set(c, "retention.max_backups", "7", "7");
    expect_refused(c, "retention.max_backups", "-3", "1 to 10000");
    expect_refused(c, "retention.max_backups", "0", "1 to 10000");
    expect_refused(c, "retention.max_backups", "10001", "1 to 10000");
    expect_refused(c, "retention.max_backups", "12abc", "1 to 10000");
    expect_refused(c, "retention.max_backups", "", "1 to 10000");
    expect_refused(c, "backup.compression_level", "20", "1 to 19");
    expect_refused(c, "auto.enabled", "maybe", "true or false");
    expect_refused(c, "backup.compress", "zstd", "true or false");
    expect_refused(c, "auto.time", "24:00", "HH:MM");
    expect_refused(c, "backup.format", "rar", "dir, zip, tar.zst");
    expect_refused(c, "notify.email.to", "not-an-address", "mail addresses");
    expect_refused(c, "notify.smtp.url", "http://mail", "smtp://");
    expect_refused(c, "notify.ping_url", "ftp://x", "http://");
    expect_set(c, "notify.apprise.on", "changes", "changes");
    expect_refused(c, "notify.apprise.on", "sometimes", "changes");
    expect_set(c, "metrics.textfile", "/var/lib/node/poshtiban.prom",
               "/var/lib/node/poshtiban.prom");
    expect_refused(c, "metrics.textfile", "/var/lib/node/poshtiban.txt", ".prom");
    expect_refused(c, "metrics.textfile", "/var/lib/node/.prom", ".prom");
    expect_refused(c, "notify.smtp.password_env", "1BAD", "environment variable");
    expect_refused(c, "notify.smtp.user", "a>b@example.com", "login");
    expect_refused(c, "notify.smtp.url", "smtp://u:p@mail.example.com", "must not hold a login");
    expect_refused(c, "notify.ping_url", "https://u:p@hc.example.com/x",
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
        expect_refused(c, "offsite.password_env", taken[i], "variable of its own");
        expect_refused(c, "notify.smtp.password_env", taken[i], "variable of its own");
    }
    expect_set(c, "offsite.password_env", "PATHWAY_PASSWORD", "PATHWAY_PASSWORD");
    expect_set(c, "offsite.password_env", "POSHTIBAN_RESTIC_PASSWORD", "POSHTIBAN_RESTIC_PASSWORD");
    char *v;
    assert_int_equal(pt_settings_get(c, "retention.max_backups", &v, NULL), PT_OK);
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
    expect_set(c, "offsite.repository", repo, repo);
    const struct pt_setting_def *def = pt_settings_find("offsite.repository");
    char *shown = pt_settings_shown(def, repo);
    assert_string_equal(shown, "rest:https://***@backup.example.com:8000/repo/");
    free(shown);
    json_t *doc = pt_settings_to_json(c, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "offsite.repository")),
                        "rest:https://***@backup.example.com:8000/repo/");
    json_decref(doc);
    struct pt_error err = {0};
    assert_int_equal(
        pt_settings_set(c, "offsite.repository", "rest:https://bob:s3cr3t@h/\x01", &err),
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
    const char *keys[] = {"offsite.password_file", "notify.smtp.password_file"};
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

static void test_unknown_key(void **state)
{
    (void)state;
    struct pt_catalog *c = open_memory();
    struct pt_error err = {0};
    char *v;
    assert_int_equal(pt_settings_set(c, "retention.max", "3", &err), PT_ENOTFOUND);
    assert_non_null(strstr(err.message, "retention.max"));
    pt_error_clear(&err);
    assert_int_equal(pt_settings_get(c, "nope", &v, &err), PT_ENOTFOUND);
    pt_error_clear(&err);
    pt_catalog_close(c);
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
    assert_int_equal(pt_test_settings_save(&p, "retention.max", "3", &stored, &err), PT_ENOTFOUND);
    assert_null(stored);
    pt_error_clear(&err);
    assert_int_equal(pt_test_settings_save(&p, "retention.max_backups", "0", &stored, &err),
                     PT_EINVAL);
    assert_non_null(strstr(err.message, "retention.max_backups"));
    pt_error_clear(&err);
    assert_int_equal(access(p.catalog, F_OK), -1); /* nothing created for a bad value */
    assert_int_equal(pt_test_settings_save(&p, "auto.enabled", "TRUE", &stored, &err), PT_OK);
    assert_string_equal(stored, "true");
    free(stored);
    struct pt_catalog *c;
    assert_int_equal(pt_catalog_open(&c, &p, PT_CATALOG_READ, NULL), PT_OK);
    assert_true(pt_settings_bool(c, "auto.enabled"));
    pt_catalog_close(c);
    pt_project_free(&p);
    pt_test_rmtree(dir);
    free(dir);
}

static void test_json_is_typed(void **state)
{
    (void)state;
    struct pt_catalog *c = open_memory();
    expect_set(c, "retention.max_backups", "3", "3");
    json_t *doc = pt_settings_to_json(c, NULL);
    assert_true(json_is_false(json_object_get(doc, "auto.enabled")));
    assert_int_equal(json_integer_value(json_object_get(doc, "retention.max_backups")), 3);
    assert_string_equal(json_string_value(json_object_get(doc, "backup.format")), "dir");
    assert_true(json_is_true(json_object_get(doc, "fixtures.datetime_utc")));
    assert_int_equal(json_object_size(doc), sizeof(spec_defaults) / sizeof(spec_defaults[0]));
    json_decref(doc);
    pt_catalog_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_refusals_keep_value),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_save_from_a_face),
        cmocka_unit_test(test_json_is_typed),
        cmocka_unit_test(test_repository_login_hidden),
        cmocka_unit_test(test_password_file),
    };
    return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
