// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/l10n.h"
#include "poshtiban/text.h"

#include "cli.h"

int pt_cli_fail(enum pt_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = pt_xvasprintf(fmt, ap);
    va_end(ap);
    /* One line, and nothing in it a terminal would obey: names come from files. */
    for (char *c = text; c && *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    char *shown = text ? pt_text_printable(text) : NULL;
    fprintf(stderr, "poshtiban: %s\n", shown ? shown : fmt);
    free(shown);
    free(text);
    return pt_status_exit_code(status);
}

int pt_cli_error(struct pt_error *err)
{
    int code = pt_cli_fail(err->status, "%s", err->message ? err->message : _("failed"));
    pt_error_clear(err);
    return code;
}

int pt_cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    fputs("poshtiban: ", stderr);
    if (command)
        fprintf(stderr, "%s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (command) {
        /* The command's own help: "offsite list" is in offsite's. */
        int len = (int)strcspn(command, " ");
        fputs(" (", stderr);
        fprintf(stderr, _("see poshtiban help %.*s"), len, command);
        fputs(")\n", stderr);
    } else {
        fprintf(stderr, " (%s)\n", _("see poshtiban --help"));
    }
    return 2;
}

int pt_cli_print_json(json_t *doc)
{
    int rc = doc && json_dumpf(doc, stdout, JSON_INDENT(2)) == 0 ? 0 : 1;
    json_decref(doc);
    fputc('\n', stdout);
    return fflush(stdout) == 0 ? rc : 1;
}

void pt_cli_json_list_begin(struct pt_cli_json_list *l, json_t *doc, const char *key)
{
    l->text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    json_decref(doc);
    l->any = false;
    l->rest = NULL;
    /* A key's line at the top level: a string value never holds a raw newline. */
    char *mark = pt_xasprintf("\n  \"%s\": []", key);
    char *at = l->text ? strstr(l->text, mark) : NULL;
    if (at) {
        at += strlen(mark) - 2;
        fwrite(l->text, 1, (size_t)(at - l->text), stdout);
        l->rest = at + 2;
    }
    free(mark);
}

void pt_cli_json_list_item(struct pt_cli_json_list *l, json_t *item)
{
    char *text = l->rest && item ? json_dumps(item, JSON_INDENT(2)) : NULL;
    json_decref(item);
    if (!text)
        return;
    fputs(l->any ? ",\n    " : "[\n    ", stdout);
    l->any = true;
    for (const char *c = text; *c; c++) {
        fputc(*c, stdout);
        if (*c == '\n')
            fputs("    ", stdout);
    }
    free(text);
}

int pt_cli_json_list_end(struct pt_cli_json_list *l)
{
    int rc = l->rest ? 0 : 1;
    if (l->rest) {
        fputs(l->any ? "\n  ]" : "[]", stdout);
        fputs(l->rest, stdout);
        fputc('\n', stdout);
    }
    free(l->text);
    l->text = NULL;
    l->rest = NULL;
    return fflush(stdout) == 0 ? rc : 1;
}

size_t pt_cli_width(const char *s)
{
    return pt_text_width(s);
}

void pt_cli_pad(const char *s, size_t width)
{
    char *shown = pt_text_printable(s);
    fputs(shown, stdout);
    for (size_t w = pt_cli_width(shown); w < width; w++)
        fputc(' ', stdout);
    free(shown);
}

int pt_cli_printf(const char *fmt, ...)
{
    va_list ap;
    char *text = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    char *shown = pt_text_printable_lines(text);
    int rc = fputs(shown, stdout);
    free(shown);
    free(text);
    return rc;
}

static char *isolated(const char *s, const char *opening, bool where)
{
    if (!s)
        s = "";
    if (!where || !pt_l10n_rtl())
        return pt_xstrdup(s);
    return pt_xasprintf("%s%s\xe2\x81\xa9", opening, s);
}

char *pt_cli_path(const char *path)
{
    return isolated(path, "\xe2\x81\xa6", pt_cli_bidi_mode() != PT_BIDI_OFF);
}

char *pt_cli_name(const char *name)
{
    return isolated(name, "\xe2\x81\xa8", pt_cli_bidi_mode() != PT_BIDI_OFF);
}

char *pt_cli_command(const char *command)
{
    return isolated(command, "\xe2\x81\xa6", pt_cli_bidi_mode() == PT_BIDI_APP);
}

char *pt_cli_keep_whole(const char *text, bool path)
{
    return path ? pt_cli_path(text) : pt_cli_name(text);
}

unsigned long pt_cli_plural(int64_t n)
{
    return n < 0 ? 0 : n > 1000000 ? 1000000 + (unsigned long)(n % 1000000) : (unsigned long)n;
}

bool pt_cli_parse_count(const char *text, long long *out)
{
    char *end;
    if (!text || !*text || *text == '-')
        return false;
    long long v = strtoll(text, &end, 10);
    if (*end || v < 0)
        return false;
    *out = v;
    return true;
}

/* The table's option arg names (up to name_len), among those of command's action; NULL if none. */
static const struct pt_cli_opt *table_option(const struct pt_command *cmd, const char *action,
                                             const char *arg, size_t name_len)
{
    for (const struct pt_cli_opt *o = cmd ? cmd->options : NULL; o && o->name; o++) {
        if (action && o->action && strcmp(action, o->action) != 0)
            continue;
        if ((strlen(o->name) == name_len && strncmp(o->name, arg, name_len) == 0) ||
            (o->alias && strlen(o->alias) == name_len && strncmp(o->alias, arg, name_len) == 0))
            return o;
    }
    return NULL;
}

/* Where the command stores def: the binding named by def's name or alias; NULL if none. */
static const struct pt_cli_option *binding(const struct pt_cli_option *options,
                                           const struct pt_cli_opt *def)
{
    for (const struct pt_cli_option *b = options; b && b->name; b++)
        if (strcmp(b->name, def->name) == 0 || (def->alias && strcmp(b->name, def->alias) == 0))
            return b;
    return NULL;
}

bool pt_cli_parse(const char *command, int argc, char **argv, const struct pt_cli_option *options,
                  const char **positional, size_t max_positional, size_t *n_positional)
{
    *n_positional = 0;
    /* "offsite list": the row of offsite, and the options of its list action. */
    const char *space = strchr(command, ' ');
    char *name = space ? pt_xasprintf("%.*s", (int)(space - command), command) : NULL;
    const struct pt_command *cmd = pt_cli_command_find(name ? name : command);
    const char *action = space ? space + 1 : NULL;
    free(name);
    for (const struct pt_cli_option *b = options; b && b->name; b++) {
        const struct pt_cli_opt *def = table_option(cmd, action, b->name, strlen(b->name));
        if (!def || (def->value == NULL) != (b->flag != NULL)) {
            pt_cli_usage(command, "option %s is not in the command table (src/cli/commands.c)",
                         b->name);
            return false;
        }
    }
    bool only_positional = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!only_positional && strcmp(arg, "--") == 0) {
            only_positional = true;
            continue;
        }
        bool negative_number = arg[0] == '-' && arg[1] >= '0' && arg[1] <= '9';
        if (only_positional || arg[0] != '-' || arg[1] == '\0' || negative_number) {
            if (*n_positional >= max_positional) {
                pt_cli_usage(command, _("unexpected argument \"%s\""), arg);
                return false;
            }
            positional[(*n_positional)++] = arg;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const struct pt_cli_opt *def = table_option(cmd, action, arg, name_len);
        const struct pt_cli_option *opt = def ? binding(options, def) : NULL;
        if (!opt) {
            pt_cli_usage(command, _("unknown option %.*s"), (int)name_len, arg);
            return false;
        }
        if (opt->flag) {
            if (eq) {
                pt_cli_usage(command, _("option %s takes no value"), def->name);
                return false;
            }
            *opt->flag = true;
        } else if (eq) {
            *opt->value = eq + 1;
        } else if (i + 1 < argc) {
            *opt->value = argv[++i];
        } else {
            pt_cli_usage(command, _("option %s needs a value"), def->name);
            return false;
        }
    }
    return true;
}

int pt_cli_confirm(enum pt_operation operation, const char *question, bool yes)
{
    /* The rules both faces follow (present/questions.c). */
    const struct pt_confirmation *rules = pt_present_confirmation(operation);
    if (yes || !rules->asks)
        return 0;
    if (!isatty(STDIN_FILENO))
        return rules->needs_terminal
                   ? pt_cli_usage(rules->command,
                                  _("not on a terminal: nobody to ask; add --yes to go ahead"))
                   : 0;
    if (pt_cli_bidi_stderr()) {
        /*
         * The filter shows a line once it ends: the question gets a line of
         * its own, and the answer is typed after "[y/N] " on the next.
         */
        fprintf(stderr, "%s\n", question);
        fflush(stderr);
        ssize_t w = write(STDERR_FILENO, "[y/N] ", 6);
        (void)w;
    } else {
        fprintf(stderr, "%s [y/N] ", question);
        fflush(stderr);
    }
    /* The whole line, however long: what is typed after the question is its answer. */
    char *answer = NULL;
    size_t cap = 0;
    bool read = getline(&answer, &cap, stdin) >= 0;
    if (!read) {
        /* End of input: no newline was typed; the next line starts on its own. */
        ssize_t w = write(STDERR_FILENO, "\n", 1);
        (void)w;
    }
    bool yes_typed = read && (answer[0] == 'y' || answer[0] == 'Y');
    free(answer);
    if (!yes_typed) {
        fprintf(stderr, "%s\n", _("Nothing done."));
        return 1;
    }
    return 0;
}

void pt_cli_print_tables(const struct pt_table_count *tables, size_t n)
{
    size_t width = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = pt_cli_width(tables[i].name);
        width = w > width ? w : width;
    }
    for (size_t i = 0; i < n; i++) {
        char *name = pt_cli_name(tables[i].name);
        fputs("  ", stdout);
        pt_cli_pad(name, width + 2);
        free(name);
        char *rows = pt_l10n_int(tables[i].rows);
        pt_cli_printf("%s\n", rows);
        free(rows);
    }
}
