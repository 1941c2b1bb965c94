// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/progress.h"

#include <stddef.h>

#include "poshtiban/i18n.h"

static const char *const names[] = {"prepare", "snapshot", "fixtures", "media",
                                    "report",  "archive",  "verify",   "restore",
                                    "finish",  "upload",   "download"};
static const char *const labels[] = {N_("preparing"),
                                     N_("copying the database"),
                                     N_("writing fixtures"),
                                     N_("copying media"),
                                     N_("writing reports"),
                                     N_("packing the archive"),
                                     N_("verifying"),
                                     N_("restoring"),
                                     N_("finishing"),
                                     N_("sending the off-site copy"),
                                     N_("fetching the off-site copy")};

void pt_monitor_phase(const struct pt_monitor *m, enum pt_phase phase)
{
    if (m && m->progress) {
        struct pt_progress p = {phase, 0, 0, NULL};
        m->progress(&p, m->user);
    }
}

const char *pt_phase_name(enum pt_phase phase)
{
    return (unsigned)phase < sizeof(names) / sizeof(names[0]) ? names[phase] : "?";
}

const char *pt_phase_label(enum pt_phase phase)
{
    return (unsigned)phase < sizeof(labels) / sizeof(labels[0]) ? _(labels[phase]) : "?";
}
