// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The program: reads the command line once, then runs one of the two faces,
 * the CLI (a command) or the TUI (no command on a terminal). The faces are
 * siblings: neither calls the other (README, "Development").
 */
#include "start.h"
#include "tui.h"

int main(int argc, char **argv)
{
    struct pt_start start;
    pt_cli_start(&start, argc, argv);
    int rc = start.rc;
    if (start.face == PT_FACE_TUI) {
        const char *bidi = start.cli.bidi ? start.cli.bidi : start.bidi;
        struct pt_tui_options opts = {
            .no_color = start.cli.no_color, .bidi = bidi, .notice = start.notice};
        rc = pt_tui_run(&start.cli.project, &opts);
    } else if (start.face == PT_FACE_CLI) {
        rc = pt_cli_run(&start);
    }
    pt_cli_finish(&start);
    return rc;
}
