// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>

#include "poshtiban/capture.h"
#include "poshtiban/changes.h"
#include "poshtiban/l10n.h"
#include "poshtiban/offsite.h"

#include "cli.h"

int pt_cmd_capture(struct pt_cli *cli, int argc, char **argv)
{
    size_t n_pos;
    if (!pt_cli_parse("capture", argc, argv, NULL, NULL, 0, &n_pos))
        return 2;
    struct pt_capture_result r;
    struct pt_error err = {0};
    if (pt_changes_capture(&cli->session, NULL, &r, &err) != PT_OK) {
        pt_capture_result_free(&r);
        return pt_cli_error(&err);
    }
    /* The chain off-site, as create sends its backup (docs/changes.md, "Off-site"). */
    if (!r.unchanged)
        pt_offsite_after_capture(&cli->session, r.base, NULL);
    if (cli->json) {
        int code = pt_cli_print_json(pt_present_capture_json(&r));
        pt_capture_result_free(&r);
        return code;
    }
    char *base = pt_cli_name(r.base);
    if (r.unchanged) {
        pt_cli_printf(_("Nothing changed since the last change set of backup %s.\n"), base);
    } else {
        char size[32], took[32];
        pt_l10n_size(r.bytes, size, sizeof(size));
        pt_l10n_duration(r.duration_ms, took, sizeof(took));
        char *name = pt_cli_name(r.name);
        if (r.snapshot) {
            char *reason = pt_change_reason_text(r.reason);
            pt_cli_printf(_("Change set %s saved as a whole database (%s): %s, in %s.\n"), name,
                          reason, size, took);
            free(reason);
        } else {
            char *tables = pt_l10n_int((int64_t)r.n_tables), *ins = pt_l10n_int(r.inserted),
                 *upd = pt_l10n_int(r.updated), *del = pt_l10n_int(r.deleted);
            pt_cli_printf(P_("Change set %s saved: %s table, %s rows inserted, %s updated, %s "
                             "deleted; %s, in %s.\n",
                             "Change set %s saved: %s tables, %s rows inserted, %s updated, %s "
                             "deleted; %s, in %s.\n",
                             pt_cli_plural((int64_t)r.n_tables)),
                          name, tables, ins, upd, del, size, took);
            free(tables);
            free(ins);
            free(upd);
            free(del);
        }
        free(name);
    }
    free(base);
    pt_capture_result_free(&r);
    return 0;
}
