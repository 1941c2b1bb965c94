// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/catalog.h"
#include "poshtiban/settings.h"

#include "cli.h"

/*
 * poshtiban __complete WORD…: the words typed after "poshtiban", the last
 * one the word being completed (empty for a new one). Prints the candidates
 * that start with it, one a line; a line ":file" or ":dir" asks the shell
 * for its own path completion instead. Everything comes from the command
 * table (commands.c), the settings table and, for backups, the catalog
 * read-only (pt_catalog_read_names_of): no lock, no recovery, no write, no
 * wait, and nothing on stderr, whatever the words are.
 */

struct candidates {
    const char *prefix;
};

static void offer(const struct candidates *c, const char *word)
{
    if (strncmp(word, c->prefix, strlen(c->prefix)) != 0)
        return;
    /* One a line: a word with a control character in it cannot be offered. */
    for (const unsigned char *s = (const unsigned char *)word; *s; s++)
        if (*s < 0x20 || *s == 0x7f)
            return;
    puts(word);
}

/* Each word of a space-separated list. */
static void offer_words(const struct candidates *c, const char *words)
{
    char *copy = pt_xstrdup(words ? words : "");
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        offer(c, w);
    free(copy);
}

static void offer_commands(const struct candidates *c)
{
    size_t n;
    const struct pt_command *cmds = pt_cli_commands(&n);
    for (size_t i = 0; i < n; i++)
        offer(c, cmds[i].name);
}

struct backups {
    const struct candidates *c;
    size_t n;
};

static void offer_name(int64_t id, const char *name, void *user)
{
    struct backups *b = user;
    char *text = pt_xasprintf("%lld", (long long)id);
    offer(b->c, text);
    offer(b->c, name);
    free(text);
    b->n++;
}

static void offer_backups(const struct candidates *c, const struct pt_project_options *popts)
{
    struct pt_project project;
    struct pt_error err = {0};
    if (pt_project_resolve(&project, popts, &err) == PT_OK) {
        struct backups b = {.c = c};
        pt_catalog_read_names_of(project.catalog, offer_name, &b);
        if (b.n)
            offer(c, "latest");
    }
    pt_error_clear(&err);
    pt_project_free(&project);
}

static void offer_setting_words(const struct candidates *c, const char **pos, size_t npos)
{
    if (npos == 0) {
        offer_words(c, "list get set");
        return;
    }
    bool set = strcmp(pos[0], "set") == 0;
    if (npos == 1 && (set || strcmp(pos[0], "get") == 0)) {
        size_t n;
        const struct pt_setting_def *defs = pt_settings_defs(&n);
        for (size_t i = 0; i < n; i++)
            offer(c, defs[i].key);
        return;
    }
    const struct pt_setting_def *def = npos == 2 && set ? pt_settings_find(pos[1]) : NULL;
    if (!def)
        return;
    if (def->type == PT_SETTING_BOOL)
        offer_words(c, "true false");
    for (const char *const *choice = def->choices; choice && *choice; choice++)
        offer(c, *choice);
    if (def->type == PT_SETTING_PASSWORD_FILE)
        puts(":file");
}

/* The value of an option: its words, or the shell's paths. */
static void offer_value(const struct candidates *c, const struct pt_cli_opt *def)
{
    if (def->complete == PT_WORDS_LIST)
        offer_words(c, def->words);
    else if (def->complete == PT_WORDS_FILE)
        puts(":file");
    else if (def->complete == PT_WORDS_DIR)
        puts(":dir");
}

/* The option word names among options (for action, when given); NULL if none. */
static const struct pt_cli_opt *find_option(const struct pt_cli_opt *options, const char *word)
{
    size_t len = strcspn(word, "=");
    for (const struct pt_cli_opt *o = options; o && o->name; o++)
        if ((strlen(o->name) == len && strncmp(o->name, word, len) == 0) ||
            (o->alias && strlen(o->alias) == len && strncmp(o->alias, word, len) == 0))
            return o;
    return NULL;
}

/* "--kind=ma": the values of --kind, each as "--kind=manual". */
static void offer_assigned(const struct candidates *c, const struct pt_command *cmd)
{
    const struct pt_cli_opt *def = find_option(pt_cli_globals(), c->prefix);
    if (!def && cmd)
        def = find_option(cmd->options, c->prefix);
    if (!def || !def->value || def->complete != PT_WORDS_LIST)
        return;
    size_t len = strcspn(c->prefix, "=");
    char *copy = pt_xstrdup(def->words);
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char *whole = pt_xasprintf("%.*s=%s", (int)len, c->prefix, w);
        offer(c, whole);
        free(whole);
    }
    free(copy);
}

static void offer_options(const struct candidates *c, const struct pt_command *cmd,
                          const char *action)
{
    for (const struct pt_cli_opt *o = pt_cli_globals(); o->name; o++)
        offer(c, o->name);
    for (const struct pt_cli_opt *o = cmd ? cmd->options : NULL; o && o->name; o++)
        if (!action || !o->action || strcmp(o->action, action) == 0)
            offer(c, o->name);
}

int pt_cli_complete(int argc, char **argv)
{
    struct candidates c = {.prefix = argc > 0 ? argv[argc - 1] : ""};
    struct pt_project_options popts = {0};
    const struct pt_command *cmd = NULL;
    const struct pt_cli_opt *want = NULL; /* the option whose value comes next */
    const char **pos = pt_xcalloc((size_t)argc + 1, sizeof(*pos));
    size_t npos = 0;
    bool only_positional = false;
    for (int i = 0; i + 1 < argc; i++) {
        const char *w = argv[i];
        if (want) {
            /* The project's folders, for the backups' names. */
            const char **slot = strcmp(want->name, "-C") == 0          ? &popts.root
                                : strcmp(want->name, "--backups") == 0 ? &popts.backups
                                                                       : NULL;
            if (slot)
                *slot = w;
            want = NULL;
            continue;
        }
        if (!only_positional && strcmp(w, "--") == 0) {
            only_positional = true;
            continue;
        }
        if (!only_positional && w[0] == '-' && w[1]) {
            const struct pt_cli_opt *def = find_option(pt_cli_globals(), w);
            if (!def && cmd)
                def = find_option(cmd->options, w);
            if (def && def->value && !strchr(w, '='))
                want = def;
            continue;
        }
        if (!cmd) {
            cmd = pt_cli_command_find(w);
            if (!cmd) /* nothing known follows an unknown command */
                goto done;
            continue;
        }
        pos[npos++] = w;
    }
    const char *action = cmd && cmd->args == PT_WORDS_LIST && npos > 0 ? pos[0] : NULL;
    if (want)
        offer_value(&c, want);
    else if (!only_positional && c.prefix[0] == '-' && strchr(c.prefix, '='))
        offer_assigned(&c, cmd);
    else if (!only_positional && c.prefix[0] == '-')
        offer_options(&c, cmd, action);
    else if (!cmd)
        offer_commands(&c);
    else if (cmd->args == PT_WORDS_SETTING)
        offer_setting_words(&c, pos, npos);
    else if (npos > 0)
        ; /* every other command takes one argument */
    else if (cmd->args == PT_WORDS_BACKUP)
        offer_backups(&c, &popts);
    else if (cmd->args == PT_WORDS_LIST)
        offer_words(&c, cmd->words);
    else if (cmd->args == PT_WORDS_COMMAND)
        offer_commands(&c);
done:
    free(pos);
    fflush(stdout);
    return 0;
}
