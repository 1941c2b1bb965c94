// SPDX-License-Identifier: GPL-3.0-or-later
/* The presentation layer both faces render (README, "Development"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/l10n.h"
#include "poshtiban/present.h"

#include "helpers.h"

static const char *value_of(struct pt_field *f, size_t n, const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].label, label) == 0)
            return f[i].value;
    return NULL;
}

static void fill(struct pt_record *r, enum pt_state status)
{
    memset(r, 0, sizeof(*r));
    r->id = 7;
    r->name = (char *)"b7";
    r->status = status;
    r->format = (char *)"dir";
    r->path = (char *)"/srv/app/backups/b7";
    r->created_at = (char *)"2026-11-26T11:06:18Z";
    r->include_media = true;
    r->verify_ok = -1;
}

static void test_record_fields(void **state)
{
    (void)state;
    struct pt_record r;
    fill(&r, PT_STATE_COMPLETED);
    r.pinned = true;
    struct pt_field *f;
    size_t n = pt_present_record(&r, &f);
    assert_string_equal(value_of(f, n, "Name"), "b7");
    assert_string_equal(value_of(f, n, "Path"), "/srv/app/backups/b7");
    assert_string_equal(value_of(f, n, "Media"), "included");
    assert_string_equal(value_of(f, n, "Pinned"), "yes: retention keeps it");
    assert_string_equal(value_of(f, n, "Created"), "Thursday 26 November 2026, 11:06 UTC");
    assert_string_equal(value_of(f, n, "Verified"), "never");
    /* Said with when the repository was last looked at, or that it never was. */
    assert_string_equal(value_of(f, n, "Off-site"), "no copy yet");
    assert_string_equal(value_of(f, n, "Repository"),
                        "never checked against this repository (poshtiban offsite list)");
    assert_int_equal(f[0].kind, PT_VALUE_COUNT);
    assert_int_equal(f[1].kind, PT_VALUE_NAME);
    pt_present_fields_free(f, n);
    r.offsite_checked_ms = 1795694400000LL; /* 2026-11-26T12:00:00Z */
    n = pt_present_record(&r, &f);
    assert_string_equal(value_of(f, n, "Repository"), "as of 2026-11-26 12:00");
    pt_present_fields_free(f, n);
}

/* Cancelled and failed: no folder that does not exist, no "media included". */
static void test_unfinished_records(void **state)
{
    (void)state;
    enum pt_state states[] = {PT_STATE_FAILED, PT_STATE_CANCELLED, PT_STATE_INTERRUPTED};
    for (size_t s = 0; s < 3; s++) {
        struct pt_record r;
        fill(&r, states[s]);
        r.error = s == 0 ? (char *)"disk full" : NULL;
        struct pt_field *f;
        size_t n = pt_present_record(&r, &f);
        assert_null(value_of(f, n, "Path"));
        assert_null(value_of(f, n, "Media"));
        assert_null(value_of(f, n, "Off-site"));
        if (s == 0)
            assert_string_equal(value_of(f, n, "Error"), "disk full");
        pt_present_fields_free(f, n);
    }
}

static void test_confirmations(void **state)
{
    (void)state;
    assert_true(pt_present_confirmation(PT_OP_DELETE)->asks);
    assert_true(pt_present_confirmation(PT_OP_DELETE)->needs_terminal);
    assert_true(pt_present_confirmation(PT_OP_RESTORE)->needs_terminal);
    assert_true(pt_present_confirmation(PT_OP_PRUNE)->asks);
    assert_false(pt_present_confirmation(PT_OP_PRUNE)->needs_terminal);
    assert_string_equal(pt_present_confirmation(PT_OP_PRUNE)->command, "prune");
    char *q = pt_present_question(PT_OP_DELETE, "b7", false, 0, 0);
    assert_string_equal(q, "Delete backup b7 for good?");
    free(q);
    q = pt_present_question(PT_OP_DELETE, "b7", true, 0, 0);
    assert_non_null(strstr(q, "is pinned"));
    free(q);
    q = pt_present_question(PT_OP_RESTORE, "b7", false, 0, 0);
    assert_non_null(strstr(q, "Restore b7?"));
    free(q);
    q = pt_present_question(PT_OP_PRUNE, NULL, false, 1, 3);
    assert_string_equal(q, "Delete this 1 backup for good? 3 completed stay.");
    free(q);
    q = pt_present_question(PT_OP_PRUNE, NULL, false, 2, 3);
    assert_string_equal(q, "Delete these 2 backups for good? 3 completed stay.");
    free(q);
}

/* What a face does to a name or a path: here, brackets that show it was asked. */
static char *keep(const char *text, bool path)
{
    char *out = NULL;
    if (asprintf(&out, path ? "<%s>" : "[%s]", text) < 0)
        abort();
    return out;
}

/* Takes said; checks it is want. */
static void expect_said(char *said, const char *want)
{
    assert_string_equal(said, want);
    free(said);
}

static void test_results(void **state)
{
    (void)state;
    struct pt_record r;
    fill(&r, PT_STATE_COMPLETED);
    r.size_bytes = 2048;
    r.duration_ms = 3000;
    expect_said(pt_present_created(PT_OK, &r, NULL, keep),
                "Backup [b7] completed: 2.0 KiB in 3.0 s");
    expect_said(pt_present_created(PT_ECANCELLED, &r, "cancelled", keep),
                "Backup [b7] cancelled: nothing kept");
    expect_said(pt_present_created(PT_EFAIL, &r, "disk full", keep),
                "Backup [b7] failed: disk full");
    /* No record yet (refused before it began): why alone. */
    struct pt_record none = {0};
    expect_said(pt_present_created(PT_EBUSY, &none, "busy", keep), "busy");
    expect_said(pt_present_created(PT_EFAIL, &none, NULL, keep), "failed");

    char *problems[] = {(char *)"db.json.gz: checksum differs"};
    struct pt_verify_result ok = {.ok = true}, bad = {.ok = false, .problems = problems, .n = 1};
    expect_said(pt_present_verified("b7", false, &ok, keep), "[b7] verified: every file intact");
    char *deep = pt_present_verified("b7", true, &ok, NULL);
    assert_non_null(strstr(deep, "b7 verified deeply: every file intact"));
    free(deep);
    expect_said(pt_present_verified("b7", false, &bad, keep),
                "[b7] is DAMAGED: db.json.gz: checksum differs");

    struct pt_restore_plan plan = {.backup = (char *)"b7"};
    expect_said(pt_present_restored(&plan, keep), "Restored [b7].");
    plan.pre_restore = (char *)"pre_restore_20261126_110618";
    expect_said(pt_present_restored(&plan, keep),
                "Restored [b7]. To undo, restore [pre_restore_20261126_110618].");
    /* Migrations to run: said last, with the command. */
    plan.migrations_differ = true;
    expect_said(pt_present_restored(&plan, keep),
                "Restored [b7]. To undo, restore [pre_restore_20261126_110618]. Its Django "
                "migrations differ from the ones the database had: run python manage.py migrate.");
    plan.pre_restore = NULL;
    expect_said(pt_present_restored(&plan, NULL),
                "Restored b7. Its Django migrations differ from the ones the database had: run "
                "python manage.py migrate.");

    expect_said(pt_present_exported("/tmp/b7.zip", keep), "Exported to </tmp/b7.zip>");
    expect_said(pt_present_deleted("b7", keep), "Deleted [b7]");
    expect_said(pt_present_deleted("b7", NULL), "Deleted b7");
    expect_said(pt_present_pinned("b7", true, keep), "Pinned [b7]: retention keeps it");
    expect_said(pt_present_pinned("b7", false, keep), "Unpinned [b7]");
    expect_said(pt_present_pruned(1, 3), "Retention deleted 1 backup; 3 completed stay.");
    expect_said(pt_present_pruned(0, 3), "Retention deleted 0 backups; 3 completed stay.");

    struct pt_offsite_pushed sent = {
        .name = (char *)"b7", .snapshot = (char *)"0123456789abcdef0123", .bytes_added = 2048};
    expect_said(pt_present_pushed(&sent, keep),
                "Sent [b7] off-site: snapshot 01234567, the repository grew by 2.0 KiB");
    sent.already = true;
    expect_said(pt_present_pushed(&sent, keep), "[b7] is off-site already (snapshot 01234567)");
    expect_said(pt_present_pushed(NULL, keep), "Every completed backup is off-site already.");
    struct pt_notify_test_sent tested = {.mail_to = (char *)"ops@example.org"};
    expect_said(pt_present_notify_test(&tested, keep), "Test mail sent to <ops@example.org>.");
    tested.apprise_file = (char *)"/etc/alerts";
    expect_said(pt_present_notify_test(&tested, keep),
                "Test mail sent to <ops@example.org>. Test alert sent through Apprise to the URLs "
                "of </etc/alerts>.");
    tested.mail_to = NULL;
    expect_said(pt_present_notify_test(&tested, keep),
                "Test alert sent through Apprise to the URLs of </etc/alerts>.");
}

/* The list's six columns, as `list` prints them and the List pane draws them. */
/* The plan's lines: rows compared by key, why a table has counts only, the migrations. */
static void test_restore_plan_lines(void **state)
{
    (void)state;
    struct pt_restore_table tables[] = {
        {.name = (char *)"shop_product",
         .now = 800,
         .after = 800,
         .rows = PT_ROWS_COMPARED,
         .added = 1,
         .removed = 1,
         .changed = 1},
        {.name = (char *)"same", .now = 3, .after = 3, .rows = PT_ROWS_COMPARED},
        {.name = (char *)"log", .now = 2, .after = 2, .rows = PT_ROWS_NO_KEY},
        {.name = (char *)"rekeyed", .now = 1, .after = 1, .rows = PT_ROWS_KEY_DIFFERS},
        {.name = (char *)"gone", .now = -1, .after = 4, .rows = PT_ROWS_ONLY_BACKUP},
        {.name = (char *)"newer", .now = 0, .after = -1, .rows = PT_ROWS_ONLY_NOW},
        {.name = (char *)"fts", .now = 1, .after = 1, .rows = PT_ROWS_NOT_COMPARED},
    };
    char *only_backup[] = {(char *)"shop.0002_price"}, *only_now[] = {(char *)"shop.0003_stock"};
    struct pt_restore_plan plan = {.backup = (char *)"b7",
                                   .database_target = (char *)"/srv/db.sqlite3",
                                   .tables = tables,
                                   .n_tables = 7,
                                   .migrations_differ = true,
                                   .migrations_backup = only_backup,
                                   .n_migrations_backup = 1,
                                   .migrations_now = only_now,
                                   .n_migrations_now = 1};
    char **lines = NULL;
    size_t n = pt_present_restore_plan(&plan, NULL, &lines);
    const char *want[] = {
        "Restore b7",
        "Database /srv/db.sqlite3: 3 of 7 tables change (*):",
        "  shop_product  800 → 800  *  1 changed, 1 added back, 1 removed",
        "  same          3 → 3",
        "  log           2 → 2     no primary key: counts only",
        "  rekeyed       1 → 1     its primary key differs: counts only",
        "  gone          - → 4  *  only in the backup",
        "  newer         0 → -  *  not in the backup: dropped",
        "  fts           1 → 1     not compared: counts only",
        ("  Warning: the backup's Django migrations differ from the current database's; run "
         "python manage.py migrate after restoring"),
        "    only in the backup: shop.0002_price",
        "    only in the current database: shop.0003_stock",
    };
    assert_int_equal(n, sizeof(want) / sizeof(*want));
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(lines[i], want[i]);
        free(lines[i]);
    }
    free(lines);
}

static void test_list_columns(void **state)
{
    (void)state;
    const char *headers[PT_LIST_COLUMNS] = {"ID",     "NAME", "KIND",
                                            "STATUS", "SIZE", "CREATED (UTC)"};
    for (int c = 0; c < PT_LIST_COLUMNS; c++) {
        struct pt_column col = pt_present_list_column((enum pt_list_column)c);
        assert_string_equal(col.header, headers[c]);
        /* Numbers line up at the end, words at the start. */
        assert_int_equal(col.end, c == PT_COLUMN_ID || c == PT_COLUMN_SIZE);
    }
    assert_int_equal(pt_present_list_column(PT_COLUMN_NAME).kind, PT_VALUE_NAME);
    assert_int_equal(pt_present_list_column(PT_COLUMN_SIZE).kind, PT_VALUE_SIZE);
    assert_int_equal(pt_present_list_column(PT_COLUMN_CREATED).kind, PT_VALUE_TIME);

    struct pt_record r;
    fill(&r, PT_STATE_COMPLETED);
    r.size_bytes = 2048;
    struct pt_cell cells[PT_LIST_COLUMNS];
    pt_present_list_row(&r, cells);
    assert_string_equal(cells[PT_COLUMN_ID].text, "7");
    assert_string_equal(cells[PT_COLUMN_NAME].text, "b7");
    assert_string_equal(cells[PT_COLUMN_KIND].text, "manual");
    assert_string_equal(cells[PT_COLUMN_STATUS].text, "completed");
    assert_int_equal(cells[PT_COLUMN_STATUS].tone, PT_TONE_GOOD);
    assert_string_equal(cells[PT_COLUMN_SIZE].text, "2.0 KiB");
    assert_string_equal(cells[PT_COLUMN_CREATED].text, "2026-11-26 11:06");
    pt_present_list_row_free(cells);

    /* Pinned and copied off-site: the marks travel with the name. */
    r.pinned = true;
    r.offsite_snapshot = (char *)"4f2a";
    r.status = PT_STATE_FAILED;
    pt_present_list_row(&r, cells);
    assert_string_equal(cells[PT_COLUMN_NAME].text, "📌b7 ☁");
    assert_int_equal(cells[PT_COLUMN_STATUS].tone, PT_TONE_BAD);
    pt_present_list_row_free(cells);
}

static void test_progress_text(void **state)
{
    (void)state;
    struct pt_progress_text t;
    /* Rows are counted; the rate waits half a second. */
    struct pt_progress rows = {PT_PHASE_FIXTURES, 1000, 4000, NULL};
    pt_present_progress(&rows, 400, &t);
    assert_string_equal(t.amount, "1000 / 4000 (25%)");
    assert_null(t.rate);
    assert_null(t.left);
    pt_present_progress_free(&t);
    pt_present_progress(&rows, 1000, &t);
    assert_string_equal(t.rate, "1000 rows/s");
    assert_string_equal(t.left, "3.0 s left");
    pt_present_progress_free(&t);

    /* Bytes are sizes; with no total, only what is done. */
    struct pt_progress bytes = {PT_PHASE_DOWNLOAD, 2048, 0, NULL};
    pt_present_progress(&bytes, 1000, &t);
    assert_string_equal(t.amount, "2.0 KiB");
    assert_string_equal(t.rate, "2.0 KiB/s");
    assert_null(t.left);
    pt_present_progress_free(&t);
    struct pt_progress nothing = {PT_PHASE_PREPARE, 0, 0, NULL};
    pt_present_progress(&nothing, 1000, &t);
    assert_null(t.amount);
    assert_null(t.rate);
    pt_present_progress_free(&t);

    /* Persian digits in Persian, in both faces. */
    pt_l10n_apply(PT_LANG_FA, "auto");
    pt_present_progress(&rows, 1000, &t);
    assert_non_null(strstr(t.amount, "۲۵"));
    assert_null(strpbrk(t.amount, "0123456789"));
    assert_null(strpbrk(t.rate, "0123456789"));
    pt_present_progress_free(&t);
    pt_l10n_apply(PT_LANG_EN, "auto");
}

/* Change sets: up to when the data is safe, and one point's line, as both faces say them. */
static void test_change_sets(void **state)
{
    (void)state;
    enum pt_tone tone;
    const int64_t now = 1795691178000LL; /* 2026-11-26T11:06:18Z */
    struct pt_changes_summary s;
    pt_present_changes_summary(NULL, 15, &s);
    char *text = pt_present_changes_saved(&s, now, &tone);
    assert_string_equal(text, "no change sets yet");
    assert_int_equal(tone, PT_TONE_WARN);
    free(text);
    s.minutes = 0;
    text = pt_present_changes_saved(&s, now, &tone);
    assert_string_equal(text, "change sets off (auto.changes_minutes is 0)");
    free(text);

    struct pt_change_table tables[] = {
        {.name = (char *)"shop_order", .inserted = 3, .updated = 1},
        {.name = (char *)"auth_user", .inserted = 1},
    };
    struct pt_change_point points[] = {
        {.name = (char *)"changes_20261126_105000",
         .base = (char *)"b",
         .kind = PT_CHANGE_ROWS,
         .taken_ms = now - 16 * 60000,
         .size = 2311,
         .tables = tables,
         .n_tables = 2},
        {.name = (char *)"changes_20261126_110300",
         .base = (char *)"b",
         .kind = PT_CHANGE_SNAPSHOT,
         .reason = (char *)"schema changed",
         .taken_ms = now - 3 * 60000,
         .size = 100},
    };
    struct pt_change_list list = {.points = points, .n = 2, .checked_ms = now - 4 * 60000};
    pt_present_changes_summary(&list, 15, &s);
    assert_int_equal(s.points, 2);
    assert_int_equal(s.bytes, 2411);
    assert_int_equal(s.newest_ms, now - 3 * 60000);
    /* A check before the newest point says nothing of now. */
    assert_int_equal(s.checked_ms, 0);
    text = pt_present_changes_saved(&s, now, &tone);
    assert_string_equal(text, "changes saved 3 minutes ago");
    assert_int_equal(tone, PT_TONE_GOOD);
    free(text);
    list.checked_ms = now - 60000;
    pt_present_changes_summary(&list, 15, &s);
    text = pt_present_changes_saved(&s, now, &tone);
    assert_string_equal(text, "changes saved 1 minute ago");
    free(text);
    /* Older than twice auto.changes_minutes: a warning. */
    text = pt_present_changes_saved(&s, now + 40 * 60000, &tone);
    assert_int_equal(tone, PT_TONE_WARN);
    free(text);

    text = pt_present_change_line(&points[0], NULL);
    assert_string_equal(text, "2026-11-26 10:50 UTC · changes_20261126_105000 · rows · 2 tables, "
                              "5 rows · 2.3 KiB");
    free(text);
    text = pt_present_change_line(&points[1], NULL);
    assert_non_null(strstr(text, "whole database: schema changed · - · "));
    free(text);
    text = pt_present_change_counts(&tables[0]);
    assert_string_equal(text, "3 inserted · 1 updated · 0 deleted");
    free(text);
    const char *columns[] = {"status", "total"};
    json_t *key = json_pack("[i]", 17);
    struct pt_change_row row = {"shop_order", "update", key, columns, 2};
    text = pt_present_change_row(&row, NULL);
    assert_string_equal(text, "updated shop_order [17]: status, total");
    free(text);
    row.op = "delete";
    row.n_columns = 0;
    text = pt_present_change_row(&row, NULL);
    assert_string_equal(text, "deleted shop_order [17]");
    free(text);
    json_decref(key);

    pt_l10n_apply(PT_LANG_FA, "auto");
    text = pt_present_change_line(&points[0], NULL);
    assert_non_null(strstr(text, "۱۴۰۵/۰۹/۰۵ ۱۰:۵۰"));
    free(text);
    pt_l10n_apply(PT_LANG_EN, "auto");
}

/* One model, two renderers: each value's text in the language, its JSON raw. */
static void test_cells(void **state)
{
    (void)state;
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_number(doc, "rows", PT_VALUE_COUNT, 1234);
    pt_doc_number(doc, "size", PT_VALUE_SIZE, 1536);
    pt_doc_number(doc, "took", PT_VALUE_DURATION, 1500);
    pt_doc_time(doc, "at", 1795694400000LL, PT_LOOK_MINUTE); /* 2026-11-26T12:00:00Z */
    pt_doc_time_iso(doc, "when", "2026-11-26T11:06:18Z", PT_LOOK_WHEN);
    pt_doc_enum(doc, "status", "completed", "completed");
    pt_doc_bool(doc, "pinned", true, "yes: retention keeps it");
    pt_doc_text(doc, "name", PT_VALUE_NAME, "b\x01");
    pt_doc_time(doc, "never", 0, PT_LOOK_MINUTE);
    struct pt_doc *list = pt_doc_array(doc, "list");
    pt_doc_text(list, "ignored", PT_VALUE_PATH, "a/b");
    pt_doc_text(doc, NULL, PT_VALUE_TEXT, "text only");

    json_t *rendered = pt_render_json(doc);
    char *json = json_dumps(rendered, JSON_COMPACT);
    json_decref(rendered);
    /* NULL keys stay out of objects; array items have none. */
    assert_string_equal(json, "{\"rows\":1234,\"size\":1536,\"took\":1500,"
                              "\"at\":\"2026-11-26T12:00:00Z\",\"when\":\"2026-11-26T11:06:18Z\","
                              "\"status\":\"completed\",\"pinned\":true,\"name\":\"b\\u0001\","
                              "\"never\":null,\"list\":[\"a/b\"]}");
    free(json);
    static const struct {
        const char *key, *en;
    } texts[] = {
        {"rows", "1234"},
        {"size", "1.5 KiB"},
        {"took", "1.5 s"},
        {"at", "2026-11-26 12:00"},
        {"when", "Thursday 26 November 2026, 11:06 UTC"},
        {"status", "completed"},
        {"pinned", "yes: retention keeps it"},
        {"never", "-"},
        {"missing", "-"},
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char *text = pt_render_key(doc, texts[i].key, NULL);
        assert_string_equal(text, texts[i].en);
        free(text);
    }
    /* A name is made printable before the face keeps it. */
    char *name = pt_render_key(doc, "name", NULL);
    assert_null(strchr(name, '\x01'));
    free(name);
    /* Persian: digits, separators and the Solar Hijri calendar, in the text only. */
    pt_l10n_apply(PT_LANG_FA, "auto");
    char *rows = pt_render_key(doc, "rows", NULL), *at = pt_render_key(doc, "at", NULL);
    assert_string_equal(rows, "۱٬۲۳۴");
    assert_string_equal(at, "۱۴۰۵/۰۹/۰۵ ۱۲:۰۰");
    free(rows);
    free(at);
    rendered = pt_render_json(doc);
    json = json_dumps(rendered, JSON_COMPACT);
    json_decref(rendered);
    assert_non_null(strstr(json, "\"rows\":1234"));
    free(json);
    pt_l10n_apply(PT_LANG_EN, "auto");
    pt_doc_free(doc);
}

int main(void)
{
    setenv("LANGUAGE", "en", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_fields),
        cmocka_unit_test(test_unfinished_records),
        cmocka_unit_test(test_confirmations),
        cmocka_unit_test(test_results),
        cmocka_unit_test(test_list_columns),
        cmocka_unit_test(test_progress_text),
        cmocka_unit_test(test_restore_plan_lines),
        cmocka_unit_test(test_change_sets),
        cmocka_unit_test(test_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
