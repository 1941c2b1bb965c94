/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_ACTION_H
#define POSHTIBAN_TUI_ACTION_H

#include <stddef.h>

/*
 * Every action of the TUI, declared once: its keys, the key's label for the
 * footer and help, a short name and a help line. The footer, the help screen
 * and the key dispatch all read this table, so they cannot disagree.
 *
 * X(id, key, second key or 0, key label, short name, help)
 */
#define PT_ACTION_LIST(X)                                                                          \
    X(PT_ACT_QUIT, 'q', 0, "q", N_("quit"), N_("leave poshtiban"))                                 \
    X(PT_ACT_HELP, '?', KEY_F(1), "?", N_("help"), N_("show every key"))                           \
    X(PT_ACT_DASHBOARD, '1', 0, "1", N_("dashboard"), N_("the dashboard"))                         \
    X(PT_ACT_LIST, '2', 0, "2", N_("list"), N_("the list of backups"))                             \
    X(PT_ACT_DETAIL, '3', 0, "3", N_("detail"), N_("the selected backup in detail"))               \
    X(PT_ACT_SETTINGS, '4', 0, "4", N_("settings"), N_("the settings"))                            \
    X(PT_ACT_NEXT_PANE, '\t', 0, "Tab", N_("next"), N_("the next pane"))                           \
    X(PT_ACT_PREV_PANE, KEY_BTAB, 0, "Shift-Tab", N_("previous"), N_("the previous pane"))         \
    X(PT_ACT_UP, KEY_UP, 'k', "↑", N_("up"), N_("move up"))                                        \
    X(PT_ACT_DOWN, KEY_DOWN, 'j', "↓", N_("down"), N_("move down"))                                \
    X(PT_ACT_PAGE_UP, KEY_PPAGE, 0, "PgUp", N_("page up"), N_("one page up"))                      \
    X(PT_ACT_PAGE_DOWN, KEY_NPAGE, ' ', "PgDn", N_("page down"), N_("one page down"))              \
    X(PT_ACT_HOME, KEY_HOME, 'g', "Home", N_("first"), N_("the first row"))                        \
    X(PT_ACT_END, KEY_END, 'G', "End", N_("last"), N_("the last row"))                             \
    X(PT_ACT_OPEN, '\n', KEY_ENTER, "Enter", N_("open"),                                           \
      N_("open the selected backup or setting"))                                                   \
    X(PT_ACT_NEW, 'n', 0, "n", N_("new"), N_("take a backup now"))                                 \
    X(PT_ACT_VERIFY, 'v', 0, "v", N_("verify"), N_("checksums, quick_check and row counts"))       \
    X(PT_ACT_VERIFY_DEEP, 'V', 0, "V", N_("deep verify"),                                          \
      N_("also integrity_check, every JSON parsed"))                                               \
    X(PT_ACT_RESTORE, 'r', 0, "r", N_("restore"),                                                  \
      N_("restore the selected backup, after a dry run"))                                          \
    X(PT_ACT_EXPORT, 'e', 0, "e", N_("export"), N_("export the selected backup as one ZIP"))       \
    X(PT_ACT_EXPORT_PLAIN, 'E', 0, "E", N_("export plain"),                                        \
      N_("one ZIP with a plain database and JSON that any machine opens"))                         \
    X(PT_ACT_DELETE, 'd', KEY_DC, "d", N_("delete"), N_("delete the selected backup"))             \
    X(PT_ACT_PIN, 'p', 0, "p", N_("pin"), N_("pin or unpin the selected backup"))                  \
    X(PT_ACT_PUSH, 'u', 0, "u", N_("push"), N_("copy the selected backup off-site"))               \
    X(PT_ACT_SEARCH, '/', 0, "/", N_("search"), N_("search backups by name"))                      \
    X(PT_ACT_STATUS_FILTER, 's', 0, "s", N_("status"),                                             \
      N_("show only one status, in turn (those that have backups)"))                               \
    X(PT_ACT_STATUS_BACK, 'S', 0, "S", N_("status back"), N_("the status filter, the other way"))  \
    X(PT_ACT_KIND_FILTER, 'K', 0, "K", N_("kind"),                                                 \
      N_("show only one kind, in turn (those that have backups)"))                                 \
    X(PT_ACT_KIND_BACK, 'J', 0, "J", N_("kind back"), N_("the kind filter, the other way"))        \
    X(PT_ACT_PRUNE, 'P', 0, "P", N_("prune"), N_("apply retention now"))                           \
    X(PT_ACT_CHANGES, 'h', 0, "h", N_("change sets"),                                              \
      N_("show or hide each backup's change sets under it"))                                       \
    X(PT_ACT_CRON, 'c', 0, "c", N_("cron"),                                                        \
      N_("install or remove the automatic backups' cron line"))                                    \
    X(PT_ACT_TEST_MAIL, 'm', 0, "m", N_("test mail"),                                              \
      N_("send a test mail with the mail settings"))                                               \
    X(PT_ACT_REFRESH, 'R', KEY_F(5), "R", N_("refresh"), N_("read the catalog again"))

enum pt_action {
#define PT_ACTION_ENUM(id, key, key2, label, name, help) id,
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

/* The actions every pane has; the footer shows these after the pane's own. */
extern const enum pt_action pt_global_actions[];
extern const size_t pt_n_global_actions;

#endif
