// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The report read in pieces (engine/report-split.h): each entry of its
 * top-level "files" in order and the rest parsed whole, the same however
 * the bytes are cut; strings holding brackets, quotes and a key "files"
 * deeper down never mislead it; and every report it cannot read whole is
 * refused with its reason, not taken in part.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"

#include "engine/report-split.h"
#include "helpers.h"

struct seen {
    char *paths; /* each entry's path, one a line */
    int stop_at; /* a status other than PT_OK at this entry (1-based), 0 never */
    int n;
};

static enum pt_status entry(json_t *f, void *user, struct pt_error *err)
{
    struct seen *s = user;
    const char *path = json_string_value(json_object_get(f, "path"));
    char *more = pt_xasprintf("%s%s\n", s->paths ? s->paths : "", path ? path : "?");
    free(s->paths);
    s->paths = more;
    if (++s->n == s->stop_at)
        return pt_error_set(err, PT_ECANCELLED, "stopped");
    return PT_OK;
}

/* Splits text fed step bytes at a time; the reason in *why (owned) when refused. */
static json_t *split(const char *text, size_t step, struct seen *seen, char **why)
{
    struct pt_error err = {0};
    struct pt_report_split *s = pt_report_split_new(entry, seen);
    size_t len = strlen(text);
    enum pt_status rc = PT_OK;
    for (size_t at = 0; rc == PT_OK && at < len; at += step)
        rc = pt_report_split_feed(s, text + at, len - at < step ? len - at : step, &err);
    json_t *head = NULL;
    if (rc == PT_OK)
        rc = pt_report_split_end(s, &head, &err);
    assert_int_equal(pt_report_split_count(s), seen->n);
    pt_report_split_free(s);
    *why = rc == PT_OK ? NULL : pt_xstrdup(err.message ? err.message : "");
    pt_error_clear(&err);
    return head;
}

static const char report[] =
    "{\n  \"name\": \"b \\\"]}{[\",\n  \"media\": {\"files\": 3, \"x\": [\"files\"]},\n"
    "  \"tables\": [{\"name\": \"t\", \"rows\": 2}],\n  \"files\": [\n"
    "    {\"path\": \"media/a\\\"]}.jpg\", \"size\": 1, \"sha256\": \"aa\"},\n"
    "    {\"path\": \"media/\\u0628 [x]\", \"size\": 2, \"sha256\": \"bb\", \"mode\": \"0644\"},\n"
    "    {\"path\": \"SHA\\\\{\", \"size\": 3, \"sha256\": \"cc\"}\n  ],\n"
    "  \"warnings\": [\"}\"]\n}\n";

static void test_pieces(void **state)
{
    (void)state;
    json_t *whole = json_loads(report, 0, NULL);
    assert_non_null(whole);
    json_object_del(whole, "files");
    size_t steps[] = {1, 2, 3, 7, 64, sizeof(report)};
    for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
        struct seen seen = {0};
        char *why;
        json_t *head = split(report, steps[i], &seen, &why);
        assert_null(why);
        assert_true(json_equal(head, whole));
        assert_int_equal(seen.n, 3);
        assert_string_equal(seen.paths, "media/a\"]}.jpg\nmedia/\xd8\xa8 [x]\nSHA\\{\n");
        assert_string_equal(json_string_value(json_object_get(head, "name")), "b \"]}{[");
        json_decref(head);
        free(seen.paths);
    }
    json_decref(whole);
}

static void test_empty_list(void **state)
{
    (void)state;
    struct seen seen = {0};
    char *why;
    json_t *head = split("{\"files\": [], \"name\": \"x\"}", 5, &seen, &why);
    assert_null(why);
    assert_int_equal(seen.n, 0);
    assert_null(json_object_get(head, "files"));
    assert_string_equal(json_string_value(json_object_get(head, "name")), "x");
    json_decref(head);
}

static void refused(const char *text, const char *reason)
{
    struct seen seen = {0};
    char *why;
    json_t *head = split(text, 3, &seen, &why);
    if (!why || strcmp(why, reason) != 0)
        fail_msg("[%.60s]: expected [%s], got [%s]", text, reason, why ? why : "taken");
    assert_null(head);
    free(why);
    free(seen.paths);
}

static void test_refused(void **state)
{
    (void)state;
    refused("{\"files\": {\"path\": \"a\"}}", "its files are not a list");
    refused("{\"files\": 3}", "its files are not a list");
    refused("{\"files\": [{\"path\": \"a\"}, 7]}", "an entry of its files is not an object");
    refused("{\"files\": [\"a\"]}", "an entry of its files is not an object");
    refused("{\"files\": [{\"path\": \"a\"},]}", "an entry of its files is not an object");
    refused("{\"files\": [{\"path\": \"a\"} {\"path\": \"b\"}]}",
            "its list of files is not valid JSON");
    refused("{\"files\": [], \"files\": []}", "it lists its files twice");
    refused("{\"fil\\u0065s\": [{\"path\": \"x\"}], \"files\": []}", "it is not valid JSON");
    refused("{\"files\": [{\"path\": \"a\\u0000b\"}]}", "an entry of its files is not valid JSON");
    refused("{\"files\": [{\"path\": \"a\", \"size\": }]}",
            "an entry of its files is not valid JSON");
    refused("{\"files\": [{\"path\": \"a\"}", "it ends early");
    refused("{\"files\": [{\"path\": \"a", "it ends early");
    refused("{\"name\": \"x\", \"files\": []", "it ends early");
    refused("{\"name\": \"x\"}", "it lists no files");
    refused("[{\"files\": []}]", "it is not a JSON object");
    refused("", "it is not a JSON object");
    refused("{\"files\": []} {\"files\": []}", "there is more after its end");
    refused("{\"files\": [], \"name\": x}", "it is not valid JSON");
    /* Deep nesting, in the head and in an entry: refused before jansson sees it. */
    char *deep = pt_xcalloc(1, 200032);
    strcpy(deep, "{\"x\": ");
    memset(deep + 6, '[', 100000);
    strcat(deep, "]");
    refused(deep, "it is nested too deeply");
    strcpy(deep, "{\"files\": [{\"x\": ");
    memset(deep + 17, '[', 100000);
    refused(deep, "it is nested too deeply");
    free(deep);
    /* An entry of 2 MiB: refused as it grows, never held whole. */
    size_t big = (size_t)2 << 20;
    char *huge = pt_xcalloc(1, big + 64);
    strcpy(huge, "{\"files\": [{\"path\": \"");
    memset(huge + strlen(huge), 'a', big);
    strcat(huge, "\"}]}");
    refused(huge, "an entry of its files is too large");
    free(huge);
}

static void test_entry_stops(void **state)
{
    (void)state;
    struct seen seen = {.stop_at = 2};
    struct pt_error err = {0};
    struct pt_report_split *s = pt_report_split_new(entry, &seen);
    assert_int_equal(pt_report_split_feed(s, report, strlen(report), &err), PT_ECANCELLED);
    assert_string_equal(err.message, "stopped");
    assert_int_equal(seen.n, 2);
    pt_report_split_free(s);
    pt_error_clear(&err);
    free(seen.paths);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_entry_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
