/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_DIALOGS_H
#define POSHTIBAN_TUI_DIALOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "reaction.h"
#include "scroll.h"
#include "ui.h"

/*
 * The dialogs, as states of the one loop (loop.c): a question (a yes/no
 * box, or a review box of lines to read first), a prompt on the message
 * row, the help screen. Each is drawn over the panes and takes keys one at
 * a time, so the loop keeps polling work while one is open.
 */
enum pt_dialog_kind { PT_DIALOG_NONE, PT_DIALOG_HELP, PT_DIALOG_QUESTION, PT_DIALOG_PROMPT };

struct pt_dialog {
    enum pt_dialog_kind kind;
    /* A question, and what follows a yes. */
    struct pt_question *question;
    struct pt_reaction *yes;
    struct pt_scroll scroll; /* a review's lines */
    /* A prompt: its label and what is typed, as long as the user types. */
    char *label;
    wchar_t *typed;
    size_t len, cap;
};

/* What a key did to a dialog. */
enum pt_answer {
    PT_ANSWER_NONE,   /* nothing yet: it stays open */
    PT_ANSWER_YES,    /* a question: yes */
    PT_ANSWER_NO,     /* a question: no; the help: closed */
    PT_ANSWER_EDITED, /* a prompt: the text changed */
    PT_ANSWER_ENTER,  /* a prompt: Enter */
    PT_ANSWER_ESC,    /* a prompt: Esc */
};

/* Opens a question; takes q and yes (what to carry out on yes). */
void pt_dialog_ask(struct pt_dialog *d, struct pt_question *q, struct pt_reaction *yes);
/* Opens a prompt labelled label, starting from initial (may be NULL). */
void pt_dialog_prompt(struct pt_dialog *d, const char *label, const char *initial);
/* Opens the help screen (chrome.c draws it). */
void pt_dialog_help(struct pt_dialog *d);
/*
 * Draws an open question or prompt over the screen of h rows and w
 * columns; a prompt shows message (why the last value was refused) above it.
 */
void pt_dialog_draw(struct pt_dialog *d, int h, int w, const char *message, enum pt_style style);
/* One key (as the loop reads it: characters beyond ASCII flagged, see loop.c). */
enum pt_answer pt_dialog_key(struct pt_dialog *d, int key);
/* A prompt's text so far, a new string. */
char *pt_dialog_text(const struct pt_dialog *d);
/* Closes d and frees what it holds (yes too, unless taken). */
void pt_dialog_close(struct pt_dialog *d);

/* The flag on characters beyond ASCII, so that they never pass for curses' key codes. */
#define PT_KEY_CHAR 0x40000000
#define PT_KEY_ESC 27

#endif
