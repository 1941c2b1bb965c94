/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CLI_START_H
#define POSHTIBAN_CLI_START_H

#include "cli.h"

/* Which face runs once the command line is read. */
enum pt_face {
    PT_FACE_NONE, /* nothing more to run (help, --version, a usage error): rc says how it ended */
    PT_FACE_CLI,  /* a command: pt_cli_run */
    PT_FACE_TUI,  /* no command on a terminal: the full-screen interface */
};

/* What the command line asked for, read once for both faces. */
struct pt_start {
    struct pt_cli cli; /* global options and the resolved project */
    enum pt_face face;
    int rc; /* the exit status when face is PT_FACE_NONE */
    const struct pt_command *cmd;
    int argc; /* the command's own arguments */
    char **argv;
    char *lang, *calendar, *bidi; /* ui.language, ui.calendar, ui.bidi from the catalog, or NULL */
    char *notice;                 /* for the TUI: what recovery did before the start, or NULL */
};

/*
 * Reads argv (the global options are taken out of it), sets up the locale
 * and the translations, resolves the project, applies its ui.* settings and
 * decides the face. Help, --version, completion and usage errors are done
 * here (face PT_FACE_NONE). For the TUI recovery has run and its notice is
 * kept for the TUI to show.
 */
void pt_cli_start(struct pt_start *start, int argc, char **argv);
/* Runs the command of a PT_FACE_CLI start, after recovery; its exit status. */
int pt_cli_run(struct pt_start *start);
/* Frees what start holds and flushes the output; after either face. */
void pt_cli_finish(struct pt_start *start);

#endif
