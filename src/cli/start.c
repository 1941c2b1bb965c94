// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Everything before a face: the locale, the global options, the project,
 * its ui.* settings and recovery; then the command line's command.
 */
#include "start.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poshtiban/catalog.h"
#include "poshtiban/clock.h"
#include "poshtiban/l10n.h"
#include "poshtiban/recovery.h"
#include "poshtiban/session.h"
#include "poshtiban/settings.h"

#include "cli.h"

#ifdef PT_ENABLE_NLS
static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder this executable lives in, or NULL. */
static char *exe_dir(void)
{
    char *path = realpath("/proc/self/exe", NULL);
    char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash) {
        free(path);
        return NULL;
    }
    *slash = '\0';
    return path;
}

/*
 * Where the translations are (README, "Install"): $POSHTIBAN_LOCALEDIR when
 * set; the build tree's po/ for a binary run where meson built it; the
 * locale folder beside the binary's bin/ when installed, wherever the
 * prefix was moved; else the configured one. New string.
 */
static char *find_localedir(void)
{
    const char *env = getenv("POSHTIBAN_LOCALEDIR");
    if (env && *env)
        return pt_xstrdup(env);
    char *dir = exe_dir(), *found = NULL;
    if (dir) {
        char *marker = NULL;
        if (asprintf(&marker, "%s/%s/meson-info", dir, PT_BUILD_ROOT_FROM_EXE) >= 0 &&
            is_dir(marker) && asprintf(&found, "%s/%s/po", dir, PT_BUILD_ROOT_FROM_EXE) < 0)
            found = NULL;
        free(marker);
#ifdef PT_LOCALEDIR_FROM_BINDIR
        if (!found &&
            (asprintf(&found, "%s/%s", dir, PT_LOCALEDIR_FROM_BINDIR) < 0 || !is_dir(found))) {
            free(found);
            found = NULL;
        }
#endif
        free(dir);
    }
    return found ? found : pt_xstrdup(PT_LOCALEDIR);
}

static char *localedir;
#endif

static void setup_locale(void)
{
    const char *loc = setlocale(LC_ALL, "");
    /* gettext ignores LANGUAGE in the C locale; C.UTF-8 exists everywhere. */
    if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
        setlocale(LC_ALL, "C.UTF-8");
    /*
     * Numbers written for programs (JSON, fixtures, metrics, reports) take
     * "." whatever the user's locale; those shown to people are spelled by
     * poshtiban's own l10n, not by printf.
     */
    setlocale(LC_NUMERIC, "C");
#ifdef PT_ENABLE_NLS
    localedir = find_localedir();
    bindtextdomain(PT_PACKAGE, localedir ? localedir : PT_LOCALEDIR);
    bind_textdomain_codeset(PT_PACKAGE, "UTF-8");
    textdomain(PT_PACKAGE);
#endif
}

/* Persian asked for and no Persian catalog: say so once, in English, since nothing else can. */
static void check_translations(void)
{
    if (pt_l10n_lang() != PT_LANG_FA)
        return;
#ifdef PT_ENABLE_NLS
    char *mo = NULL;
    bool found = localedir &&
                 asprintf(&mo, "%s/fa/LC_MESSAGES/%s.mo", localedir, PT_PACKAGE) >= 0 &&
                 access(mo, R_OK) == 0;
    free(mo);
    if (!found)
        fprintf(stderr,
                "poshtiban: Persian translations not found in %s; messages stay in English\n",
                localedir ? localedir : PT_LOCALEDIR);
#else
    fputs("poshtiban: this build has no translations; messages stay in English\n", stderr);
#endif
}

/* ui.language, ui.calendar and ui.bidi from the session's catalog; defaults where there is none. */
static void read_ui_settings(struct pt_session *session, char **lang, char **calendar, char **bidi)
{
    struct pt_catalog *c = NULL;
    *lang = *calendar = *bidi = NULL;
    if (pt_session_catalog(session, PT_CATALOG_READ, &c, NULL) != PT_OK)
        return;
    *lang = pt_settings_string(c, PT_KEY_UI_LANGUAGE);
    *calendar = pt_settings_string(c, PT_KEY_UI_CALENDAR);
    *bidi = pt_settings_string(c, PT_KEY_UI_BIDI);
}

/* Global options may stand anywhere; they are taken out of argv. */
static int take_globals(struct pt_cli *cli, int *argc, char **argv, bool *help, bool *version)
{
    /* Where each global option of the table (commands.c) lands. */
    const struct pt_cli_option slots[] = {
        {"-C", &cli->popts.root, NULL},
        {"--database", &cli->popts.database, NULL},
        {"--media", &cli->popts.media, NULL},
        {"--backups", &cli->popts.backups, NULL},
        {"--lang", &cli->lang, NULL},
        {"--bidi", &cli->bidi, NULL},
        {"--json", NULL, &cli->json},
        {"--no-color", NULL, &cli->no_color},
        {"--help", NULL, help},
        {"--version", NULL, version},
        {0},
    };
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        const struct pt_cli_opt *def = NULL;
        const char *value = NULL;
        for (const struct pt_cli_opt *o = pt_cli_globals(); o->name && !def; o++) {
            size_t len = strlen(o->name);
            if (strcmp(arg, o->name) == 0 || (o->alias && strcmp(arg, o->alias) == 0))
                def = o;
            else if (o->value && len > 2 && strncmp(arg, o->name, len) == 0 && arg[len] == '=')
                def = o, value = arg + len + 1;
        }
        const struct pt_cli_option *slot = slots;
        while (def && slot->name && strcmp(slot->name, def->name) != 0)
            slot++;
        if (!def || !slot->name) {
            argv[out++] = argv[i];
            continue;
        }
        if (!def->value) {
            *slot->flag = true;
            continue;
        }
        if (!value && i + 1 >= *argc)
            return pt_cli_usage(NULL, _("option %s needs a value"), arg);
        *slot->value = value ? value : argv[++i];
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

/*
 * Before every command: what a crash left, and a damaged catalog, are seen
 * to first. What was done is said on stderr, or handed back (owned) for
 * the TUI to show.
 */
static char *recover(struct pt_session *session, bool say)
{
    struct pt_error err = {0};
    if (pt_session_recover(session, &err) != PT_OK)
        pt_cli_fail(err.status, "%s", err.message ? err.message : _("failed"));
    pt_error_clear(&err);
    char *notice = session->notice;
    session->notice = NULL;
    if (notice && say) {
        pt_cli_fail(PT_OK, "%s", notice);
        free(notice);
        notice = NULL;
    }
    return notice;
}

void pt_cli_start(struct pt_start *start, int argc, char **argv)
{
    memset(start, 0, sizeof(*start));
    struct pt_cli *cli = &start->cli;
    /* The shells' completion: before anything else reads the words, which it only looks at. */
    if (argc >= 2 && strcmp(argv[1], "__complete") == 0) {
        setup_locale();
        start->rc = pt_cli_complete(argc - 2, argv + 2);
        return;
    }
    bool help = false, version = false;
    int rc = take_globals(cli, &argc, argv, &help, &version);
    setup_locale();
    /* --lang speaks from the first message on; the settings join once the project is known. */
    pt_l10n_apply(pt_l10n_choose(cli->lang, NULL), NULL);
    start->rc = rc;
    if (rc != 0)
        return;
    if (cli->lang && strcmp(cli->lang, "fa") != 0 && strcmp(cli->lang, "en") != 0) {
        start->rc = pt_cli_usage(NULL, _("--lang takes fa or en, not \"%s\""), cli->lang);
        return;
    }
    if (cli->bidi && strcmp(cli->bidi, "auto") != 0 && strcmp(cli->bidi, "app") != 0 &&
        strcmp(cli->bidi, "terminal") != 0 && strcmp(cli->bidi, "off") != 0) {
        start->rc =
            pt_cli_usage(NULL, _("--bidi takes auto, app, terminal or off, not \"%s\""), cli->bidi);
        return;
    }
    if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
        cli->no_color = true;
    if (version) {
        printf("poshtiban %s\n", PT_VERSION);
        return;
    }
    bool tui = argc < 2 && !help && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    const struct pt_command *cmd = NULL;
    if (argc >= 2)
        cmd = pt_cli_command_find(argv[1]);
    /* help, and --help after a command, need no project: its settings only choose the language. */
    bool helping = help || (cmd && (cmd->flags & PT_CMD_NO_PROJECT));
    struct pt_error err = {0};
    bool resolved =
        (tui || cmd || help) && pt_project_resolve(&cli->project, &cli->popts, &err) == PT_OK;
    if ((tui || cmd) && !resolved && !helping) {
        start->rc = pt_cli_error(&err);
        return;
    }
    pt_error_clear(&err);
    /* The one reading of the wall clock for this command. */
    cli->project.now_ms = pt_clock_now_ms();
    /* The one opening of the catalog for this command (poshtiban/session.h). */
    if (resolved && pt_session_open(&cli->session, &cli->project, &err) != PT_OK && !helping) {
        start->rc = pt_cli_error(&err);
        return;
    }
    pt_error_clear(&err);
    if (resolved)
        read_ui_settings(&cli->session, &start->lang, &start->calendar, &start->bidi);
    pt_l10n_apply(pt_l10n_choose(cli->lang, start->lang), start->calendar);
    check_translations();
    if (!tui)
        pt_cli_bidi_streams(start->bidi, cli->bidi, cli->json);

    if (help && argc >= 2 && !cmd) {
        start->rc = pt_cli_usage(NULL, _("unknown command \"%s\""), argv[1]);
    } else if (help || argc < 2) {
        if (!tui) {
            pt_cli_help(cmd);
            start->rc = help ? 0 : 2;
        } else {
            /* No command on a terminal: the full-screen interface, after recovery. */
            start->notice = recover(&cli->session, false);
            start->face = PT_FACE_TUI;
        }
    } else if (!cmd) {
        start->rc = pt_cli_usage(NULL, _("unknown command \"%s\""), argv[1]);
    } else {
        start->face = PT_FACE_CLI;
        start->cmd = cmd;
        start->argc = argc - 2;
        start->argv = argv + 2;
    }
}

int pt_cli_run(struct pt_start *start)
{
    static int (*const runs[PT_N_RUNS])(struct pt_cli *, int, char **) = {
#define PT_CLI_RUN_FN(name) [PT_RUN_##name] = pt_cmd_##name,
        PT_CLI_RUNS(PT_CLI_RUN_FN)
#undef PT_CLI_RUN_FN
    };
    /* A backup whose process died is marked before anyone looks at the catalog. */
    if (!(start->cmd->flags & PT_CMD_NO_PROJECT))
        recover(&start->cli.session, true);
    return runs[start->cmd->run](&start->cli, start->argc, start->argv);
}

void pt_cli_finish(struct pt_start *start)
{
    free(start->lang);
    free(start->calendar);
    free(start->bidi);
    free(start->notice);
    pt_session_close(&start->cli.session);
    pt_project_free(&start->cli.project);
    fflush(stdout);
    fflush(stderr);
    pt_cli_bidi_finish();
#ifdef PT_ENABLE_NLS
    free(localedir);
    localedir = NULL;
#endif
}
