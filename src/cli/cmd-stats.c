// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/catalog.h"
#include "poshtiban/l10n.h"
#include "poshtiban/settings.h"
#include "poshtiban/stats.h"
#include "poshtiban/timefmt.h"

#include "cli.h"

/* The figures as lines, each value rendered from the same doc as --json (present/stats.c). */
static void print_stats(const struct pt_doc *doc, const struct pt_backup_stats *b,
                        const struct pt_database_stats *d, const struct pt_changes_summary *c,
                        int64_t now_ms)
{
    char *total = pt_render_key(doc, "backups.total", NULL),
         *done = pt_render_key(doc, "backups.completed", NULL),
         *failed = pt_render_key(doc, "backups.failed", NULL),
         *size = pt_render_key(doc, "backups.bytes", NULL);
    pt_cli_printf(_("Backups: %s (%s completed, %s failed), %s\n"), total, done, failed, size);
    free(total);
    free(done);
    free(failed);
    free(size);
    if (b->last_success_at) {
        char *name = pt_render_key(doc, "backups.last_success_name", pt_cli_keep_whole),
             *when = pt_render_key(doc, "backups.last_success_at", NULL),
             *age = pt_render_key(doc, "backups.last_success_age_s", NULL);
        pt_cli_printf(_("Last successful backup: %s, %s UTC (%s)\n"), name, when, age);
        free(name);
        free(when);
        free(age);
        char *took = pt_render_key(doc, "backups.average_duration_ms", NULL);
        pt_cli_printf(_("Average duration: %s\n"), took);
        free(took);
    } else {
        pt_cli_printf("%s\n", _("Last successful backup: none"));
    }
    char *offsite = pt_stats_offsite_text(b, pt_l10n_rtl() && pt_cli_bidi_mode() != PT_BIDI_OFF);
    pt_cli_printf(_("Off-site: %s\n"), offsite);
    free(offsite);
    /* Up to when the data is safe, as the dashboard says it (present/changes.c). */
    char *saved = pt_present_changes_saved(c, now_ms, NULL);
    if (c->points > 0) {
        char *n = pt_render_key(doc, "changes.points", NULL),
             *bytes = pt_render_key(doc, "changes.bytes", NULL);
        pt_cli_printf(_("Change sets: %s (%s), %s\n"), n, bytes, saved);
        free(n);
        free(bytes);
    } else {
        pt_cli_printf(_("Change sets: %s\n"), saved);
    }
    free(saved);
    char *path = pt_render_key(doc, "database.path", pt_cli_keep_whole);
    if (!d->exists) {
        pt_cli_printf(_("Database: %s (missing)\n"), path);
        free(path);
        return;
    }
    char *dbsize = pt_render_key(doc, "database.size_bytes", NULL);
    pt_cli_printf(_("Database: %s (%s)\n"), path, dbsize);
    free(dbsize);
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
    if (pt_session_catalog(&cli->session, PT_CATALOG_READ, &catalog, &err) != PT_OK)
        return pt_cli_error(&err);
    struct pt_backup_stats b;
    struct pt_database_stats d;
    enum pt_status rc = pt_stats_backups(catalog, cli->project.now_ms, &b, &err);
    int64_t minutes = pt_settings_int(catalog, PT_KEY_AUTO_CHANGES_MINUTES);
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
    struct pt_doc *doc = pt_present_stats_doc(&b, &d, &c);
    int code = 0;
    if (cli->json)
        code = pt_cli_print_json(pt_render_json(doc));
    else
        print_stats(doc, &b, &d, &c, cli->project.now_ms);
    pt_doc_free(doc);
    pt_backup_stats_free(&b);
    pt_database_stats_free(&d);
    return code;
}
