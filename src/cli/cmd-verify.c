// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/catalog.h"
#include "poshtiban/present.h"
#include "poshtiban/verify.h"

#include "cli.h"

/* Verifies one backup; adds its result to results; returns 0 ok, 1 damaged, else the code. */
static int verify_one(struct pt_cli *cli, const char *id, bool deep, json_t *results)
{
    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    struct pt_verify_result result;
    struct pt_record record = {0};
    struct pt_error err = {0};
    enum pt_status rc = pt_verify_backup(&cli->session, id, deep, &monitor, &record, &result, &err);
    pt_cli_monitor_done();
    if (rc != PT_OK)
        return pt_cli_error(&err);
    for (size_t i = 0; i < result.n; i++)
        pt_cli_fail(PT_EFAIL, "%s: %s", record.name, result.problems[i]); /* one line each */
    /* A damaged change set is said as a damaged backup is: one line each, and exit 1. */
    for (size_t i = 0; i < result.n_change_problems; i++)
        pt_cli_fail(PT_EFAIL, "%s: %s", record.name, result.change_problems[i]);
    for (size_t i = 0; !cli->json && i < result.n_healed; i++)
        pt_cli_printf("%s: %s\n", record.name, result.healed[i]);
    if (!cli->json) {
        char *said = pt_present_verified(record.name, deep, &result, pt_cli_keep_whole);
        pt_cli_printf("%s\n", said);
        free(said);
    }
    /* Its JSON (present/verified.c). */
    json_array_append_new(results, pt_present_verify_json(&record, &result));
    int code = result.ok && !result.n_change_problems ? 0 : 1;
    pt_verify_result_free(&result);
    pt_record_free(&record);
    return code;
}

int pt_cmd_verify(struct pt_cli *cli, int argc, char **argv)
{
    bool all = false, deep = false;
    const char *id = NULL;
    const struct pt_cli_option options[] = {{"--all", NULL, &all}, {"--deep", NULL, &deep}, {0}};
    size_t n_pos;
    if (!pt_cli_parse("verify", argc, argv, options, &id, 1, &n_pos))
        return 2;
    if (all == (n_pos == 1))
        return pt_cli_usage("verify", _("give one backup's id or name, or --all"));
    json_t *results = json_array();
    int code = 0;
    if (!all) {
        code = verify_one(cli, id, deep, results);
    } else {
        struct pt_error err = {0};
        struct pt_catalog *catalog;
        if (pt_session_catalog(&cli->session, PT_CATALOG_READ, &catalog, &err) != PT_OK) {
            json_decref(results);
            return pt_cli_error(&err);
        }
        struct pt_catalog_filter filter = {.has_status = true, .status = PT_STATE_COMPLETED};
        struct pt_record *records;
        size_t n;
        int64_t total;
        enum pt_status rc = pt_catalog_list(catalog, &filter, &records, &n, &total, &err);
        if (rc != PT_OK) {
            json_decref(results);
            return pt_cli_error(&err);
        }
        for (size_t i = 0; i < n; i++) {
            int one = verify_one(cli, records[i].name, deep, results);
            code = one > code ? one : code;
        }
        pt_record_list_free(records, n);
    }
    if (cli->json) {
        int printed = pt_cli_print_json(json_pack("{s:O}", "results", results));
        code = code ? code : printed;
    }
    json_decref(results);
    return code;
}
