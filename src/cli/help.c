// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/*
 * The help, made from the command table (commands.c) the parser reads:
 * nothing here names an option. Every line fits 80 columns, in every
 * language: the meanings are wrapped by display width.
 */

enum { HELP_COLUMNS = 80, HELP_MAX_LEFT = 30 };

/*
 * left indent columns in, then text from column col wrapped to 80 columns,
 * its next lines indented to col; text starts a line of its own when left
 * leaves it no room. left may be NULL.
 */
static void print_item(size_t indent, const char *left, size_t col, const char *text)
{
    size_t at = 0;
    if (left) {
        printf("%*s%s", (int)indent, "", left);
        at = indent + pt_cli_width(left);
        if (*text && at + 1 > col) {
            fputc('\n', stdout);
            at = 0;
        }
    }
    char *copy = pt_xstrdup(text);
    bool line_empty = true;
    for (char *save = NULL, *word = strtok_r(copy, " ", &save); word;
         word = strtok_r(NULL, " ", &save)) {
        size_t w = pt_cli_width(word);
        if (!line_empty && at + 1 + w > HELP_COLUMNS) {
            fputc('\n', stdout);
            at = 0;
            line_empty = true;
        }
        if (line_empty) {
            for (; at < col; at++)
                fputc(' ', stdout);
        } else {
            fputc(' ', stdout);
            at++;
        }
        fputs(word, stdout);
        at += w;
        line_empty = false;
    }
    fputc('\n', stdout);
    free(copy);
}

/* "-y, --yes" or "--target-media D": an option as its help shows it. New string. */
static char *option_left(const struct pt_cli_opt *o)
{
    return pt_xasprintf("%s%s%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "", o->name,
                        o->value ? " " : "", o->value ? o->value : "");
}

/* The column the meanings start at: after the widest option, within reason. */
static size_t meaning_column(const struct pt_cli_opt *options)
{
    size_t widest = 0;
    for (const struct pt_cli_opt *o = options; o && o->name; o++) {
        char *left = option_left(o);
        size_t w = pt_cli_width(left);
        widest = w > widest ? w : widest;
        free(left);
    }
    widest += 2 + 2;
    return widest > HELP_MAX_LEFT ? HELP_MAX_LEFT : widest;
}

/* The options of options for action (NULL: those for every action), under heading (NULL: none). */
static void print_options(const struct pt_cli_opt *options, const char *action, const char *heading,
                          size_t col)
{
    bool any = false;
    for (const struct pt_cli_opt *o = options; o && o->name; o++) {
        if ((action == NULL) != (o->action == NULL) || (action && strcmp(action, o->action) != 0))
            continue;
        if (!any && heading)
            printf("\n%s\n", heading);
        any = true;
        char *left = option_left(o);
        print_item(2, left, col, _(o->help));
        free(left);
    }
}

static void print_overview(void)
{
    size_t n;
    const struct pt_command *cmds = pt_cli_commands(&n);
    printf("%s\n\n", _("poshtiban: backups of a SQLite database and its media folder"));
    print_item(0, NULL, 0, _("Usage: poshtiban [global options] [command [arguments]]"));
    print_item(0, NULL, 0, _("With no command, on a terminal: the full-screen interface."));
    printf("\n%s\n", _("Commands:"));
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = 2 + pt_cli_width(cmds[i].name) + 2;
        col = w > col ? w : col;
    }
    for (size_t i = 0; i < n; i++)
        print_item(2, cmds[i].name, col, _(cmds[i].help));
    const struct pt_cli_opt *globals = pt_cli_globals();
    printf("\n%s\n", _("Global options:"));
    col = meaning_column(globals);
    for (const struct pt_cli_opt *o = globals; o->name; o++) {
        char *left = option_left(o);
        print_item(2, left, col, _(o->help));
        free(left);
    }
    putchar('\n');
    print_item(0, NULL, 0, _("Exit status: 0 done, 1 failed, 2 bad usage or input, 3 busy."));
    print_item(0, NULL, 0, _("poshtiban help COMMAND: a command's options and an example."));
}

void pt_cli_help(const struct pt_command *cmd)
{
    if (!cmd) {
        print_overview();
        return;
    }
    char *usage = pt_xasprintf("poshtiban %s%s%s%s", cmd->name, *cmd->synopsis ? " " : "",
                               cmd->synopsis, cmd->options ? " [options]" : "");
    const char *label = _("Usage:");
    print_item(0, label, pt_cli_width(label) + 1, usage);
    free(usage);
    print_item(0, NULL, 0, _(cmd->help));

    static const struct pt_cli_opt help_opt[] = {
        {"--help", .alias = "-h", .help = N_("print this help")},
        {0},
    };
    size_t col = meaning_column(cmd->options);
    col = col < meaning_column(help_opt) ? meaning_column(help_opt) : col;
    printf("\n%s\n", _("Options:"));
    print_options(cmd->options, NULL, NULL, col);
    print_options(help_opt, NULL, NULL, col);
    /* Then the options of each action (offsite list …), in the table's order. */
    for (const struct pt_cli_opt *o = cmd->options; o && o->name; o++) {
        bool seen = false;
        for (const struct pt_cli_opt *p = cmd->options; p != o; p++)
            seen = seen || (p->action && o->action && strcmp(p->action, o->action) == 0);
        if (!o->action || seen)
            continue;
        char *what = pt_xasprintf("%s %s", cmd->name, o->action);
        char *heading = pt_xasprintf(_("Options of %s:"), what);
        print_options(cmd->options, o->action, heading, col);
        free(heading);
        free(what);
    }
    if (cmd->example)
        printf("\n%s\n  %s\n", _("Example:"), cmd->example);
    putchar('\n');
    print_item(0, NULL, 0, _("Global options (poshtiban --help) may stand anywhere."));
}

int pt_cmd_help(struct pt_cli *cli, int argc, char **argv)
{
    (void)cli;
    const char *name = NULL;
    size_t n_pos;
    if (!pt_cli_parse("help", argc, argv, NULL, &name, 1, &n_pos))
        return 2;
    const struct pt_command *cmd = name ? pt_cli_command_find(name) : NULL;
    if (name && !cmd)
        return pt_cli_usage(NULL, _("unknown command \"%s\""), name);
    pt_cli_help(cmd);
    return 0;
}
