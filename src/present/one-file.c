// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * One file back told to people: the lines of `ls`, of `restore --path`
 * (its dry run, its question, its result), the same in both faces.
 */
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
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

struct pt_doc *pt_present_member_doc(const struct pt_member *e)
{
    static const char *const types[] = {"file", "dir", "link"};
    struct pt_doc *o = pt_doc_new(false);
    pt_doc_text(o, "path", PT_VALUE_PATH, e->path);
    pt_doc_enum(o, "type", types[e->type], NULL);
    pt_doc_number(o, "size", PT_VALUE_SIZE, e->size)->value.null = false;
    if (e->sha256)
        pt_doc_text(o, "sha256", PT_VALUE_TEXT, e->sha256);
    if (e->target)
        pt_doc_text(o, "target", PT_VALUE_PATH, e->target);
    return o;
}

json_t *pt_present_member_json(const struct pt_member *member)
{
    struct pt_doc *doc = pt_present_member_doc(member);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

json_t *pt_present_members_head_json(const char *backup)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_text(doc, "backup", PT_VALUE_NAME, backup ? backup : "");
    pt_doc_array(doc, "members");
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

/* The width of the size column: sizes are streamed, so it is fixed, as show's files have it. */
#define SIZE_COLUMN 10

char *pt_present_member_line(const struct pt_member *member, pt_present_keep_fn keep)
{
    struct pt_doc *m = pt_present_member_doc(member);
    char *size = member->type == PT_MEMBER_FILE ? pt_render_key(m, "size", NULL) : pt_xstrdup("-");
    size_t width = pt_text_width(size);
    int pad = width < SIZE_COLUMN ? (int)(SIZE_COLUMN - width) : 0;
    char *path = pt_render_key(m, "path", keep);
    char *line;
    if (member->type == PT_MEMBER_LINK) {
        char *target = pt_render_key(m, "target", keep);
        line = pt_xasprintf("%*s%s  %s -> %s", pad, "", size, path, target);
        free(target);
    } else {
        line = pt_xasprintf("%*s%s  %s%s", pad, "", size, path,
                            member->type == PT_MEMBER_DIR ? "/" : "");
    }
    free(path);
    free(size);
    pt_doc_free(m);
    return line;
}

struct pt_doc *pt_present_path_plan_doc(const struct pt_path_plan *plan)
{
    static const char *const actions[] = {"write", "same", "replace", "refused"};
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_text(doc, "backup", PT_VALUE_NAME, plan->backup ? plan->backup : "");
    pt_doc_text(doc, "target", PT_VALUE_PATH, plan->target_root ? plan->target_root : "");
    struct pt_doc *files = pt_doc_array(doc, "files");
    for (size_t i = 0; i < plan->n; i++) {
        const struct pt_path_file *f = &plan->files[i];
        struct pt_doc *o = pt_doc_object(files, NULL);
        pt_doc_text(o, "path", PT_VALUE_PATH, f->member);
        pt_doc_text(o, "target", PT_VALUE_PATH, f->target);
        pt_doc_enum(o, "action", actions[f->action], NULL);
        pt_doc_bool(o, "link", f->link, NULL);
        pt_doc_bool(o, "newer", f->newer, NULL);
        pt_doc_number(o, "size", PT_VALUE_SIZE, f->size)->value.null = false;
    }
    pt_doc_number(doc, "written", PT_VALUE_COUNT, (int64_t)plan->written);
    return doc;
}

json_t *pt_present_path_plan_json(const struct pt_path_plan *plan)
{
    struct pt_doc *doc = pt_present_path_plan_doc(plan);
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

/* What happens to one file, its path and size in the line. */
static const char *action_line(const struct pt_doc *f)
{
    const char *action = pt_doc_get(f, "action")->value.raw;
    bool newer = pt_doc_get(f, "newer")->value.number;
    if (strcmp(action, "write") == 0)
        return _("  + %s (%s): written");
    if (strcmp(action, "same") == 0)
        return _("  = %s (%s): there already, the same: left alone");
    if (strcmp(action, "replace") == 0)
        return newer ? _("  ~ %s (%s): replaces a newer file there (--force)")
                     : _("  ~ %s (%s): replaces a different file there (--force)");
    return newer ? _("  ! %s (%s): a newer file is there: refused without --force")
                 : _("  ! %s (%s): a different file is there: refused without --force");
}

size_t pt_present_path_plan(const struct pt_path_plan *plan, pt_present_keep_fn keep, char ***lines)
{
    struct pt_doc *doc = pt_present_path_plan_doc(plan);
    const struct pt_doc *files = pt_doc_get(doc, "files")->value.doc;
    *lines = pt_xcalloc(files->n + 2, sizeof(**lines));
    char *backup = pt_render_key(doc, "backup", keep);
    char *root = pt_render_key(doc, "target", keep);
    (*lines)[0] = pt_xasprintf(_("From backup %s into %s:"), backup, root);
    free(backup);
    free(root);
    for (size_t i = 0; i < files->n; i++) {
        const struct pt_doc *f = files->items[i].value.doc;
        char *path = pt_render_key(f, "path", keep);
        char *size = pt_render_key(f, "size", NULL);
        (*lines)[i + 1] = pt_xasprintf(action_line(f), path, size);
        free(path);
        free(size);
    }
    size_t n = files->n + 1;
    pt_doc_free(doc);
    return n;
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
