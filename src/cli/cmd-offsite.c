// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/catalog.h"
#include "poshtiban/l10n.h"
#include "poshtiban/offsite.h"
#include "poshtiban/secrets.h"
#include "poshtiban/settings.h"
#include "poshtiban/text.h"
#include "poshtiban/timefmt.h"

#include "cli.h"

/* The repository as it may be shown: without a login in it. */
static char *shown_repository(struct pt_session *session)
{
    struct pt_catalog *c = NULL;
    char *repo = NULL;
    if (pt_session_catalog(session, PT_CATALOG_READ, &c, NULL) == PT_OK)
        repo = pt_settings_string(c, PT_KEY_OFFSITE_REPOSITORY);
    char *shown = pt_text_redact_url(repo ? repo : "");
    free(repo);
    return shown;
}

static char *password_env(struct pt_session *session)
{
    struct pt_catalog *c = NULL;
    char *var = NULL;
    if (pt_session_catalog(session, PT_CATALOG_READ, &c, NULL) == PT_OK)
        var = pt_settings_string(c, PT_KEY_OFFSITE_PASSWORD_ENV);
    return var ? var : pt_xstrdup("POSHTIBAN_RESTIC_PASSWORD");
}

static int offsite_init(struct pt_cli *cli, int argc, char **argv)
{
    size_t n_pos;
    if (!pt_cli_parse("offsite init", argc, argv, NULL, NULL, 0, &n_pos))
        return 2;
    bool existed = false;
    struct pt_error err = {0};
    if (pt_offsite_init(&cli->session, &existed, &err) != PT_OK)
        return pt_cli_error(&err);
    char *repo = shown_repository(&cli->session);
    char *var = password_env(&cli->session);
    /* Where a person looks even when stdout goes to a file: losing the password loses it all. */
    fprintf(stderr, "\n%s\n", _("IMPORTANT: keep the off-site repository password safe."));
    fprintf(stderr,
            _("Every off-site copy is encrypted with the password in $%s. Without it nobody, not "
              "poshtiban and not restic, can ever read them again: losing the password loses "
              "every off-site copy.\n"),
            var);
    fprintf(stderr, "%s\n\n",
            _("Keep it outside this machine: in a password manager, and as a Codespaces or CI "
              "secret, never in the repository or the project folder."));
    int code = 0;
    if (cli->json)
        code = pt_cli_print_json(pt_present_offsite_init_json(repo, existed));
    else if (existed)
        pt_cli_printf(_("The off-site repository %s exists already; poshtiban uses it.\n"), repo);
    else
        pt_cli_printf(_("Created the off-site repository %s.\n"), repo);
    pt_cli_secrets_warn(&cli->session, PT_SECRETS_OFFSITE);
    free(var);
    free(repo);
    return code;
}

static void print_snapshots(const struct pt_offsite_snapshot *items, size_t n)
{
    const char *titles[] = {_("NAME"),       _("KIND"), _("SIZE"),
                            _("TIME (UTC)"), _("HOST"), _("SNAPSHOT")};
    enum { NCOLS = 6 };
    size_t width[NCOLS];
    char ***cells = pt_xcalloc(n, sizeof(*cells));
    for (size_t c = 0; c < NCOLS; c++)
        width[c] = pt_cli_width(titles[c]);
    for (size_t i = 0; i < n; i++) {
        char size[32], iso[32];
        if (items[i].size_bytes >= 0)
            pt_l10n_size(items[i].size_bytes, size, sizeof(size));
        else
            snprintf(size, sizeof(size), "-");
        pt_time_iso(items[i].time_ms, iso);
        char *when = pt_l10n_iso_date(iso, PT_DATE_TIME);
        char *name = pt_text_printable(items[i].name);
        char *host = pt_text_printable(items[i].host);
        const char *values[NCOLS] = {
            name, pt_kind_label(items[i].kind), size, when, host, items[i].short_id};
        cells[i] = pt_xcalloc(NCOLS, sizeof(char *));
        for (size_t c = 0; c < NCOLS; c++) {
            cells[i][c] = pt_xstrdup(values[c] ? values[c] : "");
            size_t w = pt_cli_width(cells[i][c]);
            width[c] = w > width[c] ? w : width[c];
        }
        free(host);
        free(name);
        free(when);
    }
    for (size_t c = 0; c < NCOLS; c++) {
        if (c + 1 < NCOLS)
            pt_cli_pad(titles[c], width[c] + 2);
        else
            fputs(titles[c], stdout);
    }
    fputc('\n', stdout);
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < NCOLS; c++) {
            if (c + 1 < NCOLS)
                pt_cli_pad(cells[i][c], width[c] + 2);
            else
                fputs(cells[i][c], stdout);
            free(cells[i][c]);
        }
        fputc('\n', stdout);
        free(cells[i]);
    }
    free(cells);
}

/* Without a catalog: every project of the repository, each with its snapshots. */
static int print_projects(struct pt_cli *cli, const struct pt_offsite_projects *all)
{
    if (cli->json)
        return pt_cli_print_json(pt_present_offsite_projects_json(all));
    if (all->n == 0) {
        pt_cli_printf("%s\n", _("The off-site repository holds no poshtiban backups."));
        return 0;
    }
    for (size_t k = 0; k < all->n; k++) {
        const struct pt_offsite_list *l = &all->items[k];
        char *n = pt_l10n_int((int64_t)l->n);
        pt_cli_printf(P_("%sProject %s: %s off-site copy\n", "%sProject %s: %s off-site copies\n",
                         pt_cli_plural((int64_t)l->n)),
                      k ? "\n" : "", l->project, n);
        free(n);
        struct pt_offsite_snapshot *rev = pt_xcalloc(l->n + 1, sizeof(*rev));
        for (size_t i = 0; i < l->n; i++)
            rev[i] = l->items[l->n - 1 - i];
        print_snapshots(rev, l->n);
        free(rev);
    }
    if (all->n > 1)
        pt_cli_printf("\n%s\n", _("Several projects share this repository: pull and recover "
                                  "take --project ID."));
    return 0;
}

static int offsite_list(struct pt_cli *cli, int argc, char **argv)
{
    const char *repository = NULL, *project = NULL;
    const struct pt_cli_option options[] = {
        {"--repository", &repository, NULL}, {"--project", &project, NULL}, {0}};
    size_t n_pos;
    if (!pt_cli_parse("offsite list", argc, argv, options, NULL, 0, &n_pos))
        return 2;
    struct pt_offsite_options o = {.repository = repository, .project = project};
    struct pt_offsite_projects all;
    struct pt_error err = {0};
    if (pt_offsite_list_projects(&cli->session, &o, &all, &err) != PT_OK) {
        pt_offsite_projects_free(&all);
        return pt_cli_error(&err);
    }
    if (!all.own) {
        int code = print_projects(cli, &all);
        pt_offsite_projects_free(&all);
        return code;
    }
    const struct pt_offsite_list list = all.items[0];
    int code = 0;
    if (cli->json) {
        code = pt_cli_print_json(pt_present_offsite_list_json(&list));
    } else if (list.n == 0) {
        pt_cli_printf("%s\n",
                      _("No off-site copies of this project yet. Send one with: poshtiban push"));
    } else {
        struct pt_offsite_snapshot *rev = pt_xcalloc(list.n, sizeof(*rev));
        for (size_t i = 0; i < list.n; i++)
            rev[i] = list.items[list.n - 1 - i];
        print_snapshots(rev, list.n);
        free(rev);
    }
    pt_offsite_projects_free(&all);
    return code;
}

/* Why prune keeps a snapshot, in words; reasons are PT_OFFSITE_KEPT_*. New string. */
static char *kept_why(unsigned reasons)
{
    const char *said[3];
    size_t n = 0;
    if (reasons & PT_OFFSITE_KEPT_PINNED)
        said[n++] = _("its backup is pinned");
    if (reasons & PT_OFFSITE_KEPT_VERIFIED)
        said[n++] = _("its backup is the newest that verified");
    if (reasons & PT_OFFSITE_KEPT_POLICY)
        said[n++] = _("the keep policy (offsite.keep_*)");
    char *text = pt_xstrdup(n ? said[0] : "");
    for (size_t i = 1; i < n; i++) {
        char *more = pt_xasprintf(_("%s; %s"), text, said[i]);
        free(text);
        text = more;
    }
    return text;
}

static int offsite_prune(struct pt_cli *cli, int argc, char **argv)
{
    bool dry_run = false;
    const struct pt_cli_option options[] = {{"--dry-run", NULL, &dry_run}, {0}};
    size_t n_pos;
    if (!pt_cli_parse("offsite prune", argc, argv, options, NULL, 0, &n_pos))
        return 2;
    struct pt_offsite_prune_result res;
    struct pt_error err = {0};
    enum pt_status rc = pt_offsite_prune(&cli->session, dry_run, &res, &err);
    int code = rc == PT_OK ? 0 : pt_cli_error(&err);
    if (rc == PT_OK && cli->json) {
        code = pt_cli_print_json(pt_present_offsite_prune_json(&res, dry_run));
    } else if (rc == PT_OK) {
        for (size_t i = 0; i < res.n_kept; i++) {
            char *name = pt_text_printable(res.kept_items[i].snapshot.name);
            char *why = kept_why(res.kept_items[i].reasons);
            pt_cli_printf(dry_run ? _("would keep %s (snapshot %s): %s\n")
                                  : _("kept %s (snapshot %s): %s\n"),
                          name, res.kept_items[i].snapshot.short_id, why);
            free(why);
            free(name);
        }
        for (size_t i = 0; i < res.n_removed; i++) {
            char *name = pt_text_printable(res.removed[i].name);
            pt_cli_printf(dry_run ? _("would remove %s (snapshot %s)\n")
                                  : _("removed %s (snapshot %s)\n"),
                          name, res.removed[i].short_id);
            free(name);
        }
        char *kept = pt_l10n_int((int64_t)res.kept);
        pt_cli_printf(P_("%s off-site copy kept\n", "%s off-site copies kept\n",
                         pt_cli_plural((int64_t)res.kept)),
                      kept);
        free(kept);
    }
    pt_offsite_prune_result_free(&res);
    return code;
}

static int offsite_check(struct pt_cli *cli, int argc, char **argv)
{
    const char *subset = NULL;
    const struct pt_cli_option options[] = {{"--read-data-subset", &subset, NULL}, {0}};
    size_t n_pos;
    if (!pt_cli_parse("offsite check", argc, argv, options, NULL, 0, &n_pos))
        return 2;
    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    struct pt_error err = {0};
    enum pt_status rc = pt_offsite_check(&cli->session, subset, &err);
    pt_cli_monitor_done();
    if (rc != PT_OK)
        return pt_cli_error(&err);
    if (cli->json)
        return pt_cli_print_json(pt_present_offsite_check_json(true));
    pt_cli_printf("%s\n", _("The off-site repository has no errors."));
    return 0;
}

int pt_cmd_offsite(struct pt_cli *cli, int argc, char **argv)
{
    if (argc < 1)
        return pt_cli_usage("offsite", _("which? init, list, prune or check"));
    if (strcmp(argv[0], "init") == 0)
        return offsite_init(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "list") == 0)
        return offsite_list(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "prune") == 0)
        return offsite_prune(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "check") == 0)
        return offsite_check(cli, argc - 1, argv + 1);
    return pt_cli_usage("offsite", _("unknown subcommand \"%s\": init, list, prune or check"),
                        argv[0]);
}

int pt_cmd_push(struct pt_cli *cli, int argc, char **argv)
{
    bool missing = false;
    const char *id = NULL;
    const struct pt_cli_option options[] = {{"--missing", NULL, &missing}, {0}};
    size_t n_pos;
    if (!pt_cli_parse("push", argc, argv, options, &id, 1, &n_pos))
        return 2;
    if (missing && id)
        return pt_cli_usage("push", _("give a backup or --missing, not both"));
    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    struct pt_offsite_push_result res;
    struct pt_error err = {0};
    enum pt_status rc = pt_offsite_push(&cli->session,
                                        missing ? NULL
                                        : id    ? id
                                                : "latest",
                                        &monitor, &res, &err);
    pt_cli_monitor_done();
    int code = 0;
    if (rc != PT_OK) {
        /* One line for each backup that failed; the reason itself when none got that far. */
        size_t said = 0;
        for (size_t i = 0; i < res.n; i++)
            if (res.items[i].error && rc != PT_ECANCELLED) {
                code = pt_cli_fail(rc, _("the off-site copy of %s failed: %s"), res.items[i].name,
                                   res.items[i].error);
                said++;
            }
        if (said)
            pt_error_clear(&err);
        else
            code = pt_cli_error(&err);
    }
    if (cli->json && (rc == PT_OK || res.n)) {
        int printed = pt_cli_print_json(pt_present_push_json(&res));
        code = code ? code : printed;
    } else if (!cli->json) {
        for (size_t i = 0; i < res.n; i++) {
            const struct pt_offsite_pushed *it = &res.items[i];
            if (!it->snapshot)
                continue;
            char *said = pt_present_pushed(it, pt_cli_keep_whole);
            pt_cli_printf("%s\n", said);
            free(said);
        }
        if (rc == PT_OK && res.n == 0) {
            char *said = pt_present_pushed(NULL, NULL);
            pt_cli_printf("%s\n", said);
            free(said);
        }
    }
    pt_offsite_push_result_free(&res);
    return code;
}

int pt_cmd_pull(struct pt_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *repository = NULL, *project = NULL, *at = NULL;
    const struct pt_cli_option options[] = {{"--repository", &repository, NULL},
                                            {"--project", &project, NULL},
                                            {"--at", &at, NULL},
                                            {0}};
    size_t n_pos;
    if (!pt_cli_parse("pull", argc, argv, options, &name, 1, &n_pos))
        return 2;
    if (n_pos == 1 && at)
        return pt_cli_usage("pull", _("give a backup's name or --at TIME, not both"));
    if (n_pos != 1 && !at)
        return pt_cli_usage("pull", _("which backup? give its name, or latest"));
    struct pt_carried carried;
    struct pt_offsite_options o = {
        .repository = repository, .project = project, .carried = &carried};
    if (at && !(o.at_given = pt_cli_parse_at("pull", at, &o.at_ms)))
        return 2;
    struct pt_monitor monitor;
    pt_cli_monitor(&monitor);
    struct pt_record record;
    struct pt_error err = {0};
    enum pt_status rc =
        pt_offsite_pull(&cli->session, at ? "latest" : name, &o, &monitor, &record, &err);
    pt_cli_monitor_done();
    if (rc != PT_OK) {
        pt_carried_free(&carried);
        return pt_cli_error(&err);
    }
    /* Only a folder that had no catalog takes settings: only then is there something to say. */
    bool fresh = carried.present || carried.n_applied || carried.refused_whole;
    int code = 0;
    if (cli->json) {
        json_t *doc = pt_present_record_json(&record);
        if (fresh)
            json_object_set_new(doc, "settings", pt_cli_carried_json(&carried));
        code = pt_cli_print_json(doc);
    } else {
        char size[32];
        pt_l10n_size(record.size_bytes, size, sizeof(size));
        if (fresh) {
            char *shown = pt_cli_name(record.name);
            pt_cli_print_carried(&carried, shown);
            free(shown);
        }
        pt_cli_printf(_("Fetched %s from off-site and verified it: %s\n%s\n"), record.name, size,
                      record.path);
    }
    pt_carried_free(&carried);
    pt_record_free(&record);
    return code;
}
