/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TUI_H
#define POSHTIBAN_TUI_H

#include <stdbool.h>

#include "poshtiban/i18n.h"
#include "poshtiban/project.h"

struct pt_tui_options {
    bool no_color;
    const char *bidi;   /* ui.bidi; the language is pt_l10n's */
    const char *notice; /* what recovery did before the start (a damaged catalog…), or NULL */
};

/*
 * The full-screen interface on the project: dashboard, list, detail and
 * settings panes. Restores the terminal before it returns the exit code.
 */
int pt_tui_run(const struct pt_project *project, const struct pt_tui_options *opts);

#endif
