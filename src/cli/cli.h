/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CLI_H
#define POSHTIBAN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/alloc.h"
#include "poshtiban/bidi.h"
#include "poshtiban/i18n.h"
#include "poshtiban/present.h"
#include "poshtiban/project.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/*
 * The state every command starts from: global options, the resolved project
 * and the session (its catalog, opened once by main, recovery done) that
 * the command hands to the core.
 */
struct pt_cli {
    struct pt_project_options popts;
    struct pt_project project;
    struct pt_session session;
    bool json;
    bool no_color;
    const char *lang;
    const char *bidi; /* --bidi: auto, app, terminal or off for this command; NULL: ui.bidi */
};

/* What a word on the command line completes to (poshtiban __complete, complete.c). */
enum pt_cli_words {
    PT_WORDS_NONE,    /* nothing to offer */
    PT_WORDS_LIST,    /* the space-separated words given beside it */
    PT_WORDS_BACKUP,  /* a backup's id or name, from the catalog */
    PT_WORDS_COMMAND, /* a command's name */
    PT_WORDS_SETTING, /* list, get KEY or set KEY VALUE (the settings table) */
    PT_WORDS_FILE,    /* a path: the shell's own completion */
    PT_WORDS_DIR,     /* a folder: the shell's own completion */
};

/*
 * One option of a command, as the parser, the help and the completion read
 * it: the only place an option is named with what it takes and means.
 */
struct pt_cli_opt {
    const char *name;   /* "--yes" */
    const char *alias;  /* "-y", or NULL */
    const char *value;  /* what it takes, untranslated ("DIR"); NULL for a flag */
    const char *help;   /* one line, marked with N_() */
    const char *action; /* only after this first argument ("list" of offsite); NULL: always */
    enum pt_cli_words complete; /* what its value completes to */
    const char *words;          /* PT_WORDS_LIST: the values it takes */
};

/* Flags of a command. */
#define PT_CMD_NO_PROJECT 1u /* runs without resolving the project or recovering (help) */

/*
 * Every command's entry point, pt_cmd_<name>: the table's rows (commands.c)
 * name them by id, and only start.c, which runs them, refers to the
 * functions, so the parser, the help and the completion that read the
 * table use no command.
 */
#define PT_CLI_RUNS(X)                                                                             \
    X(create)                                                                                      \
    X(list)                                                                                        \
    X(show)                                                                                        \
    X(stats)                                                                                       \
    X(report)                                                                                      \
    X(verify)                                                                                      \
    X(restore)                                                                                     \
    X(ls)                                                                                          \
    X(export)                                                                                      \
    X(delete)                                                                                      \
    X(pin)                                                                                         \
    X(unpin)                                                                                       \
    X(prune)                                                                                       \
    X(reindex)                                                                                     \
    X(settings)                                                                                    \
    X(capture)                                                                                     \
    X(watch)                                                                                       \
    X(changes)                                                                                     \
    X(auto)                                                                                        \
    X(cron)                                                                                        \
    X(notify)                                                                                      \
    X(offsite)                                                                                     \
    X(push)                                                                                        \
    X(pull)                                                                                        \
    X(recover)                                                                                     \
    X(doctor)                                                                                      \
    X(help)

enum pt_cli_run {
#define PT_CLI_RUN_ID(name) PT_RUN_##name,
    PT_CLI_RUNS(PT_CLI_RUN_ID)
#undef PT_CLI_RUN_ID
        PT_N_RUNS
};

struct pt_command {
    const char *name;
    enum pt_cli_run run;              /* its entry point, pt_cmd_<name> */
    const char *synopsis;             /* untranslated: the arguments, alternatives split by " | " */
    const char *help;                 /* one line, marked with N_() */
    const struct pt_cli_opt *options; /* ends with {0}; NULL: none */
    const char *example;              /* untranslated: one whole command line */
    enum pt_cli_words args;           /* what its arguments complete to */
    const char *words;                /* PT_WORDS_LIST: its first argument's words */
    unsigned flags;                   /* PT_CMD_* */
};

/* Every command, for dispatch, help and completion (commands.c). */
const struct pt_command *pt_cli_commands(size_t *n);
/* The command named name, or NULL. */
const struct pt_command *pt_cli_command_find(const char *name);
/* The global options, for take_globals, the help and completion; ends with {0}. */
const struct pt_cli_opt *pt_cli_globals(void);

/*
 * Where a command's parsed option lands: a flag (value NULL) or one that
 * takes a value. The option itself (aliases, whether it takes a value) is
 * the command table's (pt_cli_opt); name picks it there.
 */
struct pt_cli_option {
    const char *name; /* "--name", as in the table */
    const char **value;
    bool *flag;
};

/*
 * Parses argv (after the command's name) against the options the command
 * table gives command ("offsite list": the options of offsite for its list
 * action and for all), stored through options; what is no option goes to
 * positional, at most max_positional. On a usage error prints one line and
 * returns false. An option bound here but missing from the table is a
 * usage error that says so (a bug, found by the first test that runs it).
 */
bool pt_cli_parse(const char *command, int argc, char **argv, const struct pt_cli_option *options,
                  const char **positional, size_t max_positional, size_t *n_positional);

/*
 * The help of one command (cmd NULL: the short overview of them all) on
 * stdout, from the command table; every line fits 80 columns (help.c).
 */
void pt_cli_help(const struct pt_command *cmd);
/* poshtiban help [CMD]. */
int pt_cmd_help(struct pt_cli *cli, int argc, char **argv);
/*
 * poshtiban __complete WORD…: the candidates for the last word, one a line,
 * for the bash and zsh scripts (data/completion/). Reads the catalog
 * read-only, without the lock or recovery; says nothing on stderr; 0.
 */
int pt_cli_complete(int argc, char **argv);

/* Prints "poshtiban: message" on stderr and returns the exit code for status. */
int pt_cli_fail(enum pt_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints err's message and returns its exit code; clears err. */
int pt_cli_error(struct pt_error *err);
/*
 * Each password the scheduled run will not find (poshtiban/secrets.h), as
 * WARNING lines with the commands that fix it, on stderr.
 */
void pt_cli_secrets_warn(struct pt_session *session, unsigned flags);
/* A usage error (exit 2) about command. */
int pt_cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Asks question on the terminal unless yes, by the operation's rules; 0 to
 * go on, else the exit code: 2 when stdin is no terminal and the operation
 * needs one (nobody to ask: use --yes), 1 when declined.
 */
int pt_cli_confirm(enum pt_operation operation, const char *question, bool yes);

/* Progress on stderr for long work, when it is a terminal; NULL otherwise. */
struct pt_monitor;
void pt_cli_monitor(struct pt_monitor *monitor);
/* Clears the progress line, if one was drawn. */
void pt_cli_monitor_done(void);

/*
 * Puts stdout (unless json) and stderr in display order when --bidi
 * (explicit_mode, or NULL) or, on a terminal only, ui.bidi (setting) says so.
 */
void pt_cli_bidi_streams(const char *setting, const char *explicit_mode, bool json);
/* Who reorders stdout's right-to-left lines, as pt_cli_bidi_streams() decided. */
enum pt_bidi_mode pt_cli_bidi_mode(void);
/* True when stderr goes through the filter (it holds a line until its end). */
bool pt_cli_bidi_stderr(void);
/* Writes out what the filters hold; call once, at the end. */
void pt_cli_bidi_finish(void);

/* Prints one JSON document on stdout, consumes the reference; 0 or 1. */
int pt_cli_print_json(json_t *doc);

/*
 * One JSON document printed as pt_cli_print_json prints it, but for one
 * list at its top level, whose items are printed as they come: memory
 * stays flat however long the list. doc (taken) holds the list under key
 * as an empty array; begin prints what comes before it, each item (taken)
 * goes in its place, end prints the rest and says what print_json would.
 */
struct pt_cli_json_list {
    char *text; /* doc, printed */
    const char *rest;
    bool any;
};

void pt_cli_json_list_begin(struct pt_cli_json_list *l, json_t *doc, const char *key);
void pt_cli_json_list_item(struct pt_cli_json_list *l, json_t *item);
int pt_cli_json_list_end(struct pt_cli_json_list *l);

/* Terminal columns a UTF-8 string takes. */
size_t pt_cli_width(const char *s);
/* Prints s and pads it with spaces to width columns. */
void pt_cli_pad(const char *s, size_t width);
/* Each table and its rows, one per line: names lined up, counts after them (show, stats). */
void pt_cli_print_tables(const struct pt_table_count *tables, size_t n);

/*
 * printf to stdout, with nothing a terminal would obey: names, paths and
 * messages come from files and folders. Newlines and tabs stay.
 */
int pt_cli_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * What keeps a path, a name or a command whole inside a right-to-left line
 * of stdout (README, "فارسی — Persian"). In Persian, when stdout is
 * reordered by poshtiban or by the terminal: a path wrapped left to right
 * (LRI … PDI), a name by its own first letter (FSI … PDI). A command that
 * stands on its own line for people to copy is isolated only where
 * poshtiban reorders (the marks never reach the screen then): a terminal
 * that reorders itself keeps a line of Latin letters left to right, and a
 * copy from it would carry the marks. Otherwise a plain copy. New strings.
 */
char *pt_cli_path(const char *path);
char *pt_cli_name(const char *name);
char *pt_cli_command(const char *command);
/* pt_cli_path (path) or pt_cli_name, for present/'s sentences (pt_present_keep_fn). */
char *pt_cli_keep_whole(const char *text, bool path);

/* A count as ngettext takes it (P_): the plural rules look at no more than the last digits. */
unsigned long pt_cli_plural(int64_t n);

/* The backup with this id or name, from the catalog (cmd-show.c; report too). */
enum pt_status pt_cli_find(struct pt_cli *cli, const char *id, struct pt_record *record,
                           struct pt_error *err);

/* Parses a non-negative integer option value; false on anything else. */
bool pt_cli_parse_count(const char *text, long long *out);

int pt_cmd_create(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_list(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_show(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_report(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_stats(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_settings(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_verify(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_export(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_delete(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_pin(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_unpin(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_prune(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_reindex(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_capture(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_watch(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_restore(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_ls(struct pt_cli *cli, int argc, char **argv);
/* restore ID --path media/REL (cmd-restore-path.c); yes as --yes. */
struct pt_restore_path_options;
int pt_cmd_restore_path(struct pt_cli *cli, const char *id,
                        const struct pt_restore_path_options *opts, bool yes);
int pt_cmd_auto(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_cron(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_doctor(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_notify(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_offsite(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_push(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_pull(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_recover(struct pt_cli *cli, int argc, char **argv);
int pt_cmd_changes(struct pt_cli *cli, int argc, char **argv);

/* The settings a fresh project took from its backup (cmd-recover.c; pull too). */
struct pt_carried;
json_t *pt_cli_carried_json(const struct pt_carried *carried);
/* Taken ones on stdout, refused ones one line each on stderr; backup as pt_cli_name gives it. */
void pt_cli_print_carried(const struct pt_carried *carried, const char *backup);
/* --at TIME (pt_time_parse_until); a usage line and false when malformed. */
bool pt_cli_parse_at(const char *command, const char *text, int64_t *ms);

#endif
