// SPDX-License-Identifier: GPL-3.0-or-later
#include "action.h"

#include <curses.h>

#include "tui.h"

struct action_def {
    int key, key2;
    const char *label, *name, *help;
};

static const struct action_def defs[PT_ACT_COUNT] = {
#define PT_ACTION_DEF(id, key, key2, label, name, help) [id] = {key, key2, label, name, help},
    PT_ACTION_LIST(PT_ACTION_DEF)
#undef PT_ACTION_DEF
};

const enum pt_action pt_global_actions[] = {PT_ACT_HELP, PT_ACT_QUIT};
const size_t pt_n_global_actions = sizeof(pt_global_actions) / sizeof(pt_global_actions[0]);

enum pt_action pt_action_for_key(int key)
{
    for (int i = 0; i < PT_ACT_COUNT; i++)
        if (defs[i].key == key || (defs[i].key2 && defs[i].key2 == key))
            return (enum pt_action)i;
    if (key == '\r')
        return PT_ACT_OPEN;
    return PT_ACT_NONE;
}

const char *pt_action_key(enum pt_action a)
{
    return a < PT_ACT_COUNT ? defs[a].label : "";
}

const char *pt_action_name(enum pt_action a)
{
    return a < PT_ACT_COUNT ? _(defs[a].name) : "";
}

const char *pt_action_help(enum pt_action a)
{
    return a < PT_ACT_COUNT ? _(defs[a].help) : "";
}
