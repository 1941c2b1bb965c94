// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "poshtiban/l10n.h"
#include "poshtiban/catalog.h"
#include "poshtiban/settings.h"
#include "poshtiban/stats.h"
#include "poshtiban/timefmt.h"

/* An ISO time, or null for 0. */
static json_t *iso_or_null(int64_t ms)
{
    char at[32];
    if (ms <= 0)
        return json_null();
    pt_time_iso(ms, at);
    return json_string(at);
}

/* "changes": the change sets on disk (docs/changes.md). */
static json_t *changes_json(const struct pt_changes_summary *c)
{
    return json_pack("{s:I, s:I, s:o, s:o}", "points", (json_int_t)c->points, "bytes",
                     (json_int_t)c->bytes, "newest_at", iso_or_null(c->newest_ms), "checked_at",
                     iso_or_null(c->checked_ms));
}

static void print_stats(const struct pt_backup_stats *b, const struct pt_database_stats *d,
                        const struct pt_changes_summary *c, int64_t now_ms)
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
    /* Up to when the data is safe, as the dashboard says it (present/changes.c). */
    char *saved = pt_present_changes_saved(c, now_ms, NULL);
    if (c->points > 0) {
        char *n = pt_l10n_int(c->points);
        pt_l10n_size(c->bytes, size, sizeof(size));
        pt_cli_printf(_("Change sets: %s (%s), %s\n"), n, size, saved);
        free(n);
    } else {
        pt_cli_printf(_("Change sets: %s\n"), saved);
    }
    free(saved);
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
    int64_t minutes = pt_settings_int(catalog, PT_KEY_AUTO_CHANGES_MINUTES);
    pt_catalog_close(catalog);
    if (rc != PT_OK)
        return pt_cli_error(&err);
    /* The change sets as the files on disk have them; those that fail to read are left out. */
    struct pt_change_list changes = {0};
    struct pt_changes_summary c;
    if (pt_changes_list(&cli->project, &changes, &err) != PT_OK)
        pt_cli_error(&err);
    pt_present_changes_summary(&changes, minutes, &c);
    pt_change_list_free(&changes);
    if (pt_stats_database(&cli->project, &d, &err) != PT_OK) {
        pt_backup_stats_free(&b);
        pt_database_stats_free(&d);
        return pt_cli_error(&err);
    }
    int code = 0;
    if (cli->json) {
        json_t *doc = pt_stats_to_json(&b, &d);
        json_object_set_new(doc, "changes", changes_json(&c));
        code = pt_cli_print_json(doc);
    } else {
        print_stats(&b, &d, &c, cli->project.now_ms);
    }
    pt_backup_stats_free(&b);
    pt_database_stats_free(&d);
    return code;
}
