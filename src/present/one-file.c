// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * One file back told to people: the lines of `ls`, of `restore --path`
 * (its dry run, its question, its result), the same in both faces.
 */
#include "poshtiban/present.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/text.h"

static char *shown_as(pt_present_keep_fn keep, const char *text, bool path)
{
    char *printable = pt_text_printable(text ? text : "");
    if (!keep)
        return printable;
    char *kept = keep(printable, path);
    free(printable);
    return kept;
}

static char *size_text(int64_t bytes)
{
    char buf[64];
    pt_l10n_size(bytes, buf, sizeof(buf));
    return pt_xstrdup(buf);
}

size_t pt_present_members(const struct pt_members *members, pt_present_keep_fn keep, char ***lines)
{
    size_t n = members->n, widest = 0;
    char **sizes = pt_xcalloc(n + 1, sizeof(*sizes));
    for (size_t i = 0; i < n; i++) {
        sizes[i] = members->list[i].type == PT_MEMBER_FILE ? size_text(members->list[i].size)
                                                           : pt_xstrdup("-");
        size_t w = pt_text_width(sizes[i]);
        widest = w > widest ? w : widest;
    }
    *lines = pt_xcalloc(n + 1, sizeof(**lines));
    for (size_t i = 0; i < n; i++) {
        const struct pt_member *m = &members->list[i];
        char *path = shown_as(keep, m->path, true);
        size_t pad = widest - pt_text_width(sizes[i]);
        if (m->type == PT_MEMBER_LINK) {
            char *target = shown_as(keep, m->target, true);
            (*lines)[i] = pt_xasprintf("%*s%s  %s -> %s", (int)pad, "", sizes[i], path, target);
            free(target);
        } else {
            (*lines)[i] = pt_xasprintf("%*s%s  %s%s", (int)pad, "", sizes[i], path,
                                       m->type == PT_MEMBER_DIR ? "/" : "");
        }
        free(path);
        free(sizes[i]);
    }
    free(sizes);
    return n;
}

size_t pt_present_path_plan(const struct pt_path_plan *plan, pt_present_keep_fn keep, char ***lines)
{
    *lines = pt_xcalloc(plan->n + 2, sizeof(**lines));
    char *backup = shown_as(keep, plan->backup, false);
    char *root = shown_as(keep, plan->target_root, true);
    (*lines)[0] = pt_xasprintf(_("From backup %s into %s:"), backup, root);
    free(backup);
    free(root);
    for (size_t i = 0; i < plan->n; i++) {
        const struct pt_path_file *f = &plan->files[i];
        char *path = shown_as(keep, f->member, true);
        char *size = size_text(f->size);
        const char *what;
        switch (f->action) {
        case PT_PATH_WRITE:
            what = _("  + %s (%s): written");
            break;
        case PT_PATH_SAME:
            what = _("  = %s (%s): there already, the same: left alone");
            break;
        case PT_PATH_REPLACE:
            what = f->newer ? _("  ~ %s (%s): replaces a newer file there (--force)")
                            : _("  ~ %s (%s): replaces a different file there (--force)");
            break;
        default:
            what = f->newer ? _("  ! %s (%s): a newer file is there: refused without --force")
                            : _("  ! %s (%s): a different file is there: refused without --force");
            break;
        }
        (*lines)[i + 1] = pt_xasprintf(what, path, size);
        free(path);
        free(size);
    }
    return plan->n + 1;
}

char *pt_present_path_question(const char *path, const char *backup, const char *target,
                               pt_present_keep_fn keep)
{
    char *p = shown_as(keep, path, true), *b = shown_as(keep, backup, false);
    char *t = shown_as(keep, target, true);
    char *text = pt_xasprintf(_("Restore %s from backup %s into %s? Nothing else is touched, and "
                                "a file that is there already is never replaced without --force."),
                              p, b, t);
    free(p);
    free(b);
    free(t);
    return text;
}

char *pt_present_path_restored(const struct pt_path_plan *plan, pt_present_keep_fn keep)
{
    char *b = shown_as(keep, plan->backup, false), *t = shown_as(keep, plan->target_root, true);
    char *count = pt_l10n_int((int64_t)plan->written);
    char *text =
        plan->written == 0
            ? pt_xasprintf(_("Nothing to write: the files in %s already match backup %s"), t, b)
            : pt_xasprintf(P_("Restored %s file from backup %s into %s",
                              "Restored %s files from backup %s into %s", plan->written),
                           count, b, t);
    free(count);
    free(b);
    free(t);
    return text;
}
