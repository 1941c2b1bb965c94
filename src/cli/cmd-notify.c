// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "poshtiban/catalog.h"
#include "poshtiban/notify.h"
#include "poshtiban/settings.h"

int pt_cmd_notify(struct pt_cli *cli, int argc, char **argv)
{
    const char *words[1] = {0};
    size_t n_pos;
    if (!pt_cli_parse("notify", argc, argv, NULL, words, 1, &n_pos))
        return 2;
    if (n_pos != 1 || strcmp(words[0], "test") != 0)
        return pt_cli_usage("notify", _("usage: notify test"));
    struct pt_error err = {0};
    struct pt_catalog *catalog;
    if (pt_catalog_open(&catalog, &cli->project, PT_CATALOG_READ, &err) != PT_OK)
        return pt_cli_error(&err);
    char *to = pt_settings_string(catalog, "notify.email.to");
    char *smtp = pt_settings_string(catalog, "notify.smtp.url");
    char *urls = pt_settings_password_file(&cli->project, catalog, "notify.apprise.urls_file");
    /* Apprise when it is set up; mail when it is, or when nothing else is (its error says why). */
    bool apprise = urls || pt_settings_bool(catalog, "notify.apprise.enabled");
    bool mail = !apprise || *smtp || pt_settings_bool(catalog, "notify.email.enabled");
    enum pt_status rc = PT_OK;
    if (mail)
        rc = pt_notify_test_mail(&cli->project, catalog, &err);
    if (rc == PT_OK && apprise)
        rc = pt_notify_test_apprise(&cli->project, catalog, &err);
    pt_catalog_close(catalog);
    int code = 0;
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    else if (cli->json)
        code = pt_cli_print_json(
            json_pack("{s:b, s:s?, s:b}", "sent", 1, "to", mail ? to : NULL, "apprise", apprise));
    else {
        if (mail) {
            char *said = pt_present_test_mail(to, pt_cli_keep_whole);
            pt_cli_printf("%s\n", said);
            free(said);
        }
        if (apprise) {
            char *said = pt_present_test_apprise(urls, pt_cli_keep_whole);
            pt_cli_printf("%s\n", said);
            free(said);
        }
    }
    free(urls);
    free(smtp);
    free(to);
    return code;
}
