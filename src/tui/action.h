/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_ACTION_H
#define POSHTIBAN_TUI_ACTION_H

#include <stdbool.h>
#include <stddef.h>

#include "worker.h"

/*
 * Every action of the TUI, declared once: its keys, the key's label for the
 * footer and help, a short name and a help line; then what it acts on
 * (enum pt_need), the job it starts (PT_JOB_NONE: the pane or the loop
 * handles it), the job it starts on a file of a backup instead, and the
 * question it asks before (ask.h; NULL: none). The footer, the help screen,
 * the key dispatch, "can it act" and "which job" all read this table, so
 * they cannot disagree.
 *
 * X(id, key, second key or 0, key label, short name, help, needs, job, job on a file, question)
 */
#define PT_ACTION_LIST(X)                                                                          \
    X(PT_ACT_QUIT, 'q', 0, "q", N_("quit"), N_("leave poshtiban"), PT_NEED_NOTHING, PT_JOB_NONE,   \
      PT_JOB_NONE, NULL)                                                                           \
    X(PT_ACT_HELP, '?', KEY_F(1), "?", N_("help"), N_("show every key"), PT_NEED_NOTHING,          \
      PT_JOB_NONE, PT_JOB_NONE, NULL)                                                              \
    X(PT_ACT_DASHBOARD, '1', 0, "1", N_("dashboard"), N_("the dashboard"), PT_NEED_NOTHING,        \
      PT_JOB_NONE, PT_JOB_NONE, NULL)                                                              \
    X(PT_ACT_LIST, '2', 0, "2", N_("list"), N_("the list of backups"), PT_NEED_NOTHING,            \
      PT_JOB_NONE, PT_JOB_NONE, NULL)                                                              \
    X(PT_ACT_DETAIL, '3', 0, "3", N_("detail"), N_("the selected backup in detail"),               \
      PT_NEED_NOTHING, PT_JOB_NONE, PT_JOB_NONE, NULL)                                             \
    X(PT_ACT_SETTINGS, '4', 0, "4", N_("settings"), N_("the settings"), PT_NEED_NOTHING,           \
      PT_JOB_NONE, PT_JOB_NONE, NULL)                                                              \
    X(PT_ACT_NEXT_PANE, '\t', 0, "Tab", N_("next"), N_("the next pane"), PT_NEED_NOTHING,          \
      PT_JOB_NONE, PT_JOB_NONE, NULL)                                                              \
    X(PT_ACT_PREV_PANE, KEY_BTAB, 0, "Shift-Tab", N_("previous"), N_("the previous pane"),         \
      PT_NEED_NOTHING, PT_JOB_NONE, PT_JOB_NONE, NULL)                                             \
    X(PT_ACT_UP, KEY_UP, 'k', "↑", N_("up"), N_("move up"), PT_NEED_NOTHING, PT_JOB_NONE,          \
      PT_JOB_NONE, NULL)                                                                           \
    X(PT_ACT_DOWN, KEY_DOWN, 'j', "↓", N_("down"), N_("move down"), PT_NEED_NOTHING, PT_JOB_NONE,  \
      PT_JOB_NONE, NULL)                                                                           \
    X(PT_ACT_PAGE_UP, KEY_PPAGE, 0, "PgUp", N_("page up"), N_("one page up"), PT_NEED_NOTHING,     \
      PT_JOB_NONE, PT_JOB_NONE, NULL)                                                              \
    X(PT_ACT_PAGE_DOWN, KEY_NPAGE, ' ', "PgDn", N_("page down"), N_("one page down"),              \
      PT_NEED_NOTHING, PT_JOB_NONE, PT_JOB_NONE, NULL)                                             \
    X(PT_ACT_HOME, KEY_HOME, 'g', "Home", N_("first"), N_("the first row"), PT_NEED_NOTHING,       \
      PT_JOB_NONE, PT_JOB_NONE, NULL)                                                              \
    X(PT_ACT_END, KEY_END, 'G', "End", N_("last"), N_("the last row"), PT_NEED_NOTHING,            \
      PT_JOB_NONE, PT_JOB_NONE, NULL)                                                              \
    X(PT_ACT_OPEN, '\n', KEY_ENTER, "Enter", N_("open"),                                           \
      N_("open the selected backup or setting"), PT_NEED_ROW, PT_JOB_NONE, PT_JOB_NONE, NULL)      \
    X(PT_ACT_NEW, 'n', 0, "n", N_("new"), N_("take a backup now"), PT_NEED_NOTHING, PT_JOB_CREATE, \
      PT_JOB_NONE, NULL)                                                                           \
    X(PT_ACT_VERIFY, 'v', 0, "v", N_("verify"), N_("checksums, quick_check and row counts"),       \
      PT_NEED_COMPLETED, PT_JOB_VERIFY, PT_JOB_NONE, NULL)                                         \
    X(PT_ACT_VERIFY_DEEP, 'V', 0, "V", N_("deep verify"),                                          \
      N_("also integrity_check, every JSON parsed"), PT_NEED_COMPLETED, PT_JOB_VERIFY_DEEP,        \
      PT_JOB_NONE, NULL)                                                                           \
    X(PT_ACT_RESTORE, 'r', 0, "r", N_("restore"),                                                  \
      N_("restore the selected backup, after a dry run"), PT_NEED_COMPLETED_OR_PART,               \
      PT_JOB_RESTORE_PLAN, PT_JOB_RESTORE_PATH_PLAN, NULL)                                         \
    X(PT_ACT_EXPORT, 'e', 0, "e", N_("export"), N_("export the selected backup as one ZIP"),       \
      PT_NEED_COMPLETED, PT_JOB_EXPORT, PT_JOB_NONE, NULL)                                         \
    X(PT_ACT_EXPORT_PLAIN, 'E', 0, "E", N_("export plain"),                                        \
      N_("one ZIP with a plain database and JSON that any machine opens"), PT_NEED_COMPLETED,      \
      PT_JOB_EXPORT_PLAIN, PT_JOB_NONE, NULL)                                                      \
    X(PT_ACT_DELETE, 'd', KEY_DC, "d", N_("delete"), N_("delete the selected backup"),             \
      PT_NEED_RECORD, PT_JOB_DELETE, PT_JOB_NONE, pt_ask_delete)                                   \
    X(PT_ACT_PIN, 'p', 0, "p", N_("pin"), N_("pin or unpin the selected backup"), PT_NEED_RECORD,  \
      PT_JOB_PIN, PT_JOB_NONE, NULL)                                                               \
    X(PT_ACT_PUSH, 'u', 0, "u", N_("push"), N_("copy the selected backup off-site"),               \
      PT_NEED_COMPLETED, PT_JOB_PUSH, PT_JOB_NONE, NULL)                                           \
    X(PT_ACT_SEARCH, '/', 0, "/", N_("search"), N_("search backups by name"), PT_NEED_NOTHING,     \
      PT_JOB_NONE, PT_JOB_NONE, NULL)                                                              \
    X(PT_ACT_STATUS_FILTER, 's', 0, "s", N_("status"),                                             \
      N_("show only one status, in turn (those that have backups)"), PT_NEED_NOTHING, PT_JOB_NONE, \
      PT_JOB_NONE, NULL)                                                                           \
    X(PT_ACT_STATUS_BACK, 'S', 0, "S", N_("status back"), N_("the status filter, the other way"),  \
      PT_NEED_NOTHING, PT_JOB_NONE, PT_JOB_NONE, NULL)                                             \
    X(PT_ACT_KIND_FILTER, 'K', 0, "K", N_("kind"),                                                 \
      N_("show only one kind, in turn (those that have backups)"), PT_NEED_NOTHING, PT_JOB_NONE,   \
      PT_JOB_NONE, NULL)                                                                           \
    X(PT_ACT_KIND_BACK, 'J', 0, "J", N_("kind back"), N_("the kind filter, the other way"),        \
      PT_NEED_NOTHING, PT_JOB_NONE, PT_JOB_NONE, NULL)                                             \
    X(PT_ACT_PRUNE, 'P', 0, "P", N_("prune"), N_("apply retention now"), PT_NEED_NOTHING,          \
      PT_JOB_PRUNE, PT_JOB_NONE, pt_ask_prune)                                                     \
    X(PT_ACT_CHANGES, 'h', 0, "h", N_("change sets"),                                              \
      N_("show or hide each backup's change sets under it"), PT_NEED_NOTHING, PT_JOB_NONE,         \
      PT_JOB_NONE, NULL)                                                                           \
    X(PT_ACT_CRON, 'c', 0, "c", N_("cron"),                                                        \
      N_("install or remove the automatic backups' cron line"), PT_NEED_NOTHING, PT_JOB_CRON,      \
      PT_JOB_NONE, pt_ask_cron)                                                                    \
    X(PT_ACT_TEST_MAIL, 'm', 0, "m", N_("test mail"),                                              \
      N_("send a test mail with the mail settings"), PT_NEED_NOTHING, PT_JOB_TEST_MAIL,            \
      PT_JOB_NONE, NULL)                                                                           \
    X(PT_ACT_REFRESH, 'R', KEY_F(5), "R", N_("refresh"), N_("read the catalog again"),             \
      PT_NEED_NOTHING, PT_JOB_NONE, PT_JOB_NONE, NULL)

/* What an action needs under the cursor before it can act. */
enum pt_need {
    PT_NEED_NOTHING,   /* acts anywhere */
    PT_NEED_ROW,       /* any row: a backup, a change set, a setting */
    PT_NEED_RECORD,    /* a backup, in any state */
    PT_NEED_COMPLETED, /* a completed backup */
    /* A completed backup, one of its change sets (its moment) or one of its files. */
    PT_NEED_COMPLETED_OR_PART,
};

struct pt_tui_context;
struct pt_selection;
struct pt_reaction;

/*
 * An action's question: sets out->ask about sel (or, when there is nothing
 * to ask or do, out->message) and returns whether the start should wait for
 * yes; false drops the start.
 */
typedef bool (*pt_ask_fn)(const struct pt_tui_context *ctx, const struct pt_selection *sel,
                          struct pt_reaction *out);

enum pt_action {
#define PT_ACTION_ENUM(id, key, key2, label, name, help, need, job, file_job, ask) id,
    PT_ACTION_LIST(PT_ACTION_ENUM)
#undef PT_ACTION_ENUM
        PT_ACT_COUNT,
    PT_ACT_NONE = PT_ACT_COUNT,
};

/* The action bound to a key (a curses key code), or PT_ACT_NONE. */
enum pt_action pt_action_for_key(int key);
/* The first key's label ("q", "Enter"). */
const char *pt_action_key(enum pt_action action);
/* Translated short name and help line. */
const char *pt_action_name(enum pt_action action);
const char *pt_action_help(enum pt_action action);

/* Whether action can act on sel: NULL, or why not (naming the rule), a new string. */
char *pt_action_refusal(enum pt_action action, const struct pt_selection *sel);
bool pt_action_can(enum pt_action action, const struct pt_selection *sel);
/*
 * The one dispatch of an action that starts a job: checks that it can act
 * on sel, asks its question, and fills out with the refusal, or the
 * question and the start, or the start. False when the action starts no
 * job (the pane or the loop handles it; out untouched).
 */
bool pt_action_dispatch(enum pt_action action, const struct pt_tui_context *ctx,
                        const struct pt_selection *sel, struct pt_reaction *out);
/* Whether action moves a cursor or a view (up, down, page, home, end). */
bool pt_action_moves(enum pt_action action);

/* The actions every pane has; the footer shows these after the pane's own. */
extern const enum pt_action pt_global_actions[];
extern const size_t pt_n_global_actions;

#endif
