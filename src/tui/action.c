// SPDX-License-Identifier: GPL-3.0-or-later
#include "action.h"

#include <stdlib.h>

#include <curses.h>

#include "poshtiban/alloc.h"

#include "ask.h"
#include "pane.h"
#include "reaction.h"
#include "tui.h"

struct action_def {
    int key, key2;
    const char *label, *name, *help;
    enum pt_need need;
    enum pt_job_kind job, file_job;
    pt_ask_fn ask;
};

static const struct action_def defs[PT_ACT_COUNT] = {
#define PT_ACTION_DEF(id, key, key2, label, name, help, need, job, file_job, ask)                  \
    [id] = {key, key2, label, name, help, need, job, file_job, ask},
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

bool pt_action_moves(enum pt_action a)
{
    return a == PT_ACT_UP || a == PT_ACT_DOWN || a == PT_ACT_PAGE_UP || a == PT_ACT_PAGE_DOWN ||
           a == PT_ACT_HOME || a == PT_ACT_END;
}

char *pt_action_refusal(enum pt_action a, const struct pt_selection *sel)
{
    if (a >= PT_ACT_COUNT)
        return NULL;
    enum pt_need need = defs[a].need;
    const char *name = pt_action_name(a);
    switch (need) {
    case PT_NEED_NOTHING:
        return NULL;
    case PT_NEED_ROW:
        return sel->row ? NULL : pt_xasprintf(_("%s: nothing is selected"), name);
    case PT_NEED_RECORD:
    case PT_NEED_COMPLETED:
    case PT_NEED_COMPLETED_OR_PART:
        break;
    }
    if (!sel->record)
        return pt_xasprintf(_("%s: no backup is selected: choose one in the list (2)"), name);
    if (sel->point && need != PT_NEED_COMPLETED_OR_PART)
        return pt_xasprintf(_("%s acts on a whole backup, not on one of its change sets"), name);
    if (need != PT_NEED_RECORD && sel->record->status != PT_STATE_COMPLETED) {
        char *backup = pt_ui_keep_whole(sel->record->name, false);
        char *why = pt_xasprintf(_("backup %s is not complete (%s): %s needs a completed backup"),
                                 backup, pt_state_label(sel->record->status), name);
        free(backup);
        return why;
    }
    return NULL;
}

bool pt_action_can(enum pt_action a, const struct pt_selection *sel)
{
    char *why = pt_action_refusal(a, sel);
    free(why);
    return why == NULL;
}

bool pt_action_dispatch(enum pt_action a, const struct pt_tui_context *ctx,
                        const struct pt_selection *sel, struct pt_reaction *out)
{
    if (a >= PT_ACT_COUNT || defs[a].job == PT_JOB_NONE)
        return false;
    const struct action_def *def = &defs[a];
    char *why = pt_action_refusal(a, sel);
    if (why) {
        pt_reaction_tell(out, PT_STYLE_WARN, why);
        return true;
    }
    bool part = def->need == PT_NEED_COMPLETED_OR_PART;
    const char *name = def->need == PT_NEED_NOTHING || !sel->record ? NULL : sel->record->name;
    if (part && sel->file && def->file_job != PT_JOB_NONE) {
        /* One file back: the job's id carries the backup and the path (worker.h). */
        char *id = pt_xasprintf("%s\n%s", name, sel->file);
        pt_reaction_start(out, def->file_job, id, 0);
        free(id);
    } else {
        pt_reaction_start(out, def->job, name, part && sel->point ? sel->point->taken_ms : 0);
    }
    if (def->ask && !def->ask(ctx, sel, out))
        pt_reaction_start(out, PT_JOB_NONE, NULL, 0);
    return true;
}
