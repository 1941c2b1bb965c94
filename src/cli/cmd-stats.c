// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "poshtiban/l10n.h"
#include "poshtiban/catalog.h"
#include "poshtiban/stats.h"

static void print_stats(const struct pt_backup_stats *b, const struct pt_database_stats *d)
{
    char size[32], took[32], age[64];
    pt_l10n_size(b->bytes, size, sizeof(size));
    char *total = pt_l10n_int(b->total), *done = pt_l10n_int(b->completed),
         *failed = pt_l10n_int(b->failed);
    pt_cli_printf(_("Backups: %s (%s completed, %s failed), %s\n"), total, done, failed, size);
    free(total);
    free(done);
    free(failed);
    if (b->last_success_at) {
        char *when = pt_l10n_iso_date(b->last_success_at, PT_DATE_TIME);
        pt_l10n_age(b->last_success_age_s, age, sizeof(age));
        char *name = pt_cli_name(b->last_success_name);
        pt_cli_printf(_("Last successful backup: %s, %s UTC (%s)\n"), name, when, age);
        free(name);
        free(when);
        pt_l10n_duration(b->average_duration_ms, took, sizeof(took));
        pt_cli_printf(_("Average duration: %s\n"), took);
    } else {
        pt_cli_printf("%s\n", _("Last successful backup: none"));
    }
    char *offsite = pt_stats_offsite_text(b, pt_l10n_rtl() && pt_cli_bidi_mode() != PT_BIDI_OFF);
    pt_cli_printf(_("Off-site: %s\n"), offsite);
    free(offsite);
    char *path = pt_cli_path(d->path);
    if (!d->exists) {
        pt_cli_printf(_("Database: %s (missing)\n"), path);
        free(path);
        return;
    }
    pt_l10n_size(d->size_bytes, size, sizeof(size));
    pt_cli_printf(_("Database: %s (%s)\n"), path, size);
    free(path);
    pt_cli_print_tables(d->tables, d->n_tables);
}

int pt_cmd_stats(struct pt_cli *cli, int argc, char **argv)
{
    size_t n_pos;
    if (!pt_cli_parse("stats", argc, argv, NULL, NULL, 0, &n_pos))
        return 2;
    struct pt_error err = {0};
    struct pt_catalog *catalog;
    if (pt_catalog_open(&catalog, &cli->project, PT_CATALOG_READ, &err) != PT_OK)
        return pt_cli_error(&err);
    struct pt_backup_stats b;
    struct pt_database_stats d;
    enum pt_status rc = pt_stats_backups(catalog, cli->project.now_ms, &b, &err);
    pt_catalog_close(catalog);
    if (rc != PT_OK)
        return pt_cli_error(&err);
    if (pt_stats_database(&cli->project, &d, &err) != PT_OK) {
        pt_backup_stats_free(&b);
        pt_database_stats_free(&d);
        return pt_cli_error(&err);
    }
    int code = 0;
    if (cli->json)
        code = pt_cli_print_json(pt_stats_to_json(&b, &d));
    else
        print_stats(&b, &d);
    pt_backup_stats_free(&b);
    pt_database_stats_free(&d);
    return code;
}
