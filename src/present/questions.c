// SPDX-License-Identifier: GPL-3.0-or-later
/* Which operations ask before they act, and what they ask, for both faces. */
#include <stdio.h>
#include <stdlib.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"

/*
 * Delete and restore destroy what is there: without a terminal they need
 * --yes. Prune applies the user's own retention settings, as every backup
 * does after it completes: scripts run it without asking.
 */
static const struct pt_confirmation confirmations[PT_N_OPERATIONS] = {
    [PT_OP_DELETE] = {"delete", true, true},
    [PT_OP_RESTORE] = {"restore", true, true},
    [PT_OP_PRUNE] = {"prune", true, false},
    [PT_OP_RESTORE_PATH] = {"restore", true, true},
};

const struct pt_confirmation *pt_present_confirmation(enum pt_operation operation)
{
    return &confirmations[operation < PT_N_OPERATIONS ? operation : PT_OP_DELETE];
}

char *pt_present_question(enum pt_operation operation, const char *name, bool pinned, size_t count,
                          size_t kept)
{
    char *text = NULL;
    switch (operation) {
    case PT_OP_DELETE:
        text = pinned ? pt_xasprintf(_("Backup %s is pinned: retention keeps it. Delete it for "
                                       "good anyway?"),
                                     name)
                      : pt_xasprintf(_("Delete backup %s for good?"), name);
        break;
    case PT_OP_RESTORE:
        text =
            pt_xasprintf(_("Restore %s? The current state is saved first as a backup, so that one "
                           "more restore undoes it."),
                         name);
        break;
    case PT_OP_PRUNE: {
        char *n = pt_l10n_int((int64_t)count), *k = pt_l10n_int((int64_t)kept);
        text = pt_xasprintf(P_("Delete this %s backup for good? %s completed stay.",
                               "Delete these %s backups for good? %s completed stay.", count),
                            n, k);
        free(n);
        free(k);
        break;
    }
    case PT_OP_RESTORE_PATH: /* pt_present_path_question: it names the path */
    case PT_N_OPERATIONS:
        break;
    }
    return text;
}
