// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/catalog.h"
#include "poshtiban/secrets.h"
#include "poshtiban/settings.h"

#include "cli.h"

void pt_cli_secrets_warn(struct pt_session *session, unsigned flags)
{
    struct pt_catalog *catalog;
    if (pt_session_catalog(session, PT_CATALOG_READ, &catalog, NULL) != PT_OK)
        return;
    struct pt_secret_gaps gaps;
    pt_secrets_check(session->project, catalog, flags, &gaps);
    /* On stderr, where a person looks even when stdout goes to a file or to JSON. */
    for (size_t i = 0; i < gaps.n; i++) {
        fprintf(stderr, _("WARNING: %s\n"), gaps.items[i].problem);
        fprintf(stderr, "  %s\n", _("the commands that fix it:"));
        for (size_t j = 0; j < gaps.items[i].n_fix; j++)
            fprintf(stderr, "    %s\n", gaps.items[i].fix[j]);
    }
    pt_secret_gaps_free(&gaps);
}

static int list(struct pt_cli *cli, struct pt_catalog *catalog)
{
    struct pt_error err = {0};
    if (cli->json) {
        json_t *doc = pt_settings_to_json(catalog, &err);
        return doc ? pt_cli_print_json(doc) : pt_cli_error(&err);
    }
    size_t n, width = 0;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    for (size_t i = 0; i < n; i++)
        width = strlen(defs[i].key) > width ? strlen(defs[i].key) : width;
    for (size_t i = 0; i < n; i++) {
        char *value;
        if (pt_settings_get(catalog, defs[i].id, &value, &err) != PT_OK)
            return pt_cli_error(&err);
        /*
         * Key and value are isolated: in Persian the key column stands on
         * the right, "=" in one column, the value on its left, empty or not.
         */
        char *redacted = pt_settings_shown(&defs[i], value);
        char *key = pt_cli_path(defs[i].key), *shown = pt_cli_path(redacted);
        free(redacted);
        pt_cli_pad(key, width + 1);
        pt_cli_printf(*value ? "= %s\n" : "=\n", shown);
        free(shown);
        free(key);
        free(value);
    }
    return 0;
}

int pt_cmd_settings(struct pt_cli *cli, int argc, char **argv)
{
    const char *words[3] = {0};
    size_t n_pos;
    if (!pt_cli_parse("settings", argc, argv, NULL, words, 3, &n_pos))
        return 2;
    const char *action = n_pos > 0 ? words[0] : "list";
    size_t want = strcmp(action, "list") == 0  ? 1
                  : strcmp(action, "get") == 0 ? 2
                  : strcmp(action, "set") == 0 ? 3
                                               : 0;
    if (want == 0)
        return pt_cli_usage("settings", _("unknown action \"%s\": use list, get or set"), action);
    if (n_pos > 0 && n_pos != want)
        return pt_cli_usage("settings", want == 2   ? _("usage: settings get KEY")
                                        : want == 3 ? _("usage: settings set KEY VALUE")
                                                    : _("usage: settings list"));
    struct pt_error err = {0};
    /* The key is mapped to its setting once; an unknown one is bad input before anything is
     * opened or created. */
    enum pt_setting_id id = 0;
    if (want >= 2 && pt_settings_lookup(words[1], &id, &err) != PT_OK)
        return pt_cli_error(&err);

    char *value = NULL;
    if (want == 3) {
        /* A bad value is refused before the catalog (and the backup folder) is created. */
        if (pt_settings_save(&cli->session, id, words[2], &value, &err) != PT_OK)
            return pt_cli_error(&err);
    } else {
        struct pt_catalog *catalog;
        if (pt_session_catalog(&cli->session, PT_CATALOG_READ, &catalog, &err) != PT_OK)
            return pt_cli_error(&err);
        int code = 0;
        if (want == 1)
            code = list(cli, catalog);
        else if (pt_settings_get(catalog, id, &value, &err) != PT_OK)
            code = pt_cli_error(&err);
        if (want == 1 || code != 0)
            return code;
    }
    int code = 0;
    const struct pt_setting_def *def = pt_settings_def(id);
    /* A login inside the repository is never printed, not even to its owner: set it again. */
    char *shown = pt_settings_shown(def, value);
    if (cli->json)
        code = pt_cli_print_json(json_pack("{s:o}", def->key, pt_settings_json_value(def, shown)));
    else if (want == 3)
        pt_cli_printf("%s = %s\n", def->key, shown);
    else
        pt_cli_printf("%s\n", shown);
    free(shown);
    free(value);
    if (want == 3 && code == 0 && pt_secrets_setting(id))
        pt_cli_secrets_warn(&cli->session, PT_SECRETS_ENABLED);
    return code;
}
