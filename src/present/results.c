// SPDX-License-Identifier: GPL-3.0-or-later
/* The sentence each operation ends with, for both faces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"

/* text kept whole by the face, or a plain copy; "" for NULL. */
static char *kept(const char *text, bool path, pt_present_keep_fn keep)
{
    if (!text)
        text = "";
    char *out = keep ? keep(text, path) : pt_xstrdup(text);
    if (!out)
        abort();
    return out;
}

/* The sentence fmt makes of a name (or path) and up to two plain values. */
static char *sentence(const char *fmt, const char *whole, bool path, pt_present_keep_fn keep,
                      const char *a, const char *b)
{
    char *w = kept(whole, path, keep);
    char *text = pt_xasprintf(fmt, w, a, b);
    free(w);
    return text;
}

char *pt_present_created(enum pt_status status, const struct pt_record *record, const char *why,
                         pt_present_keep_fn keep)
{
    if (status == PT_OK) {
        char size[32], took[32];
        pt_l10n_size(record->size_bytes, size, sizeof(size));
        pt_l10n_duration(record->duration_ms, took, sizeof(took));
        char *text =
            sentence(_("Backup %s completed: %s in %s"), record->name, false, keep, size, took);
        if (!record->error)
            return text;
        /* hooks.after_backup failed: the backup is sound, the hook's trouble is still said. */
        /* TRANSLATORS: a backup completed (the first %s), but hooks.after_backup failed (the
         * second). */
        char *warned = pt_xasprintf(_("%s; but %s"), text, record->error);
        free(text);
        return warned;
    }
    if (!why)
        why = _("failed");
    if (!record || !record->name)
        return pt_xstrdup(why);
    if (status == PT_ECANCELLED)
        return sentence(_("Backup %s cancelled: nothing kept"), record->name, false, keep, NULL,
                        NULL);
    return sentence(_("Backup %s failed: %s"), record->name, false, keep, why, NULL);
}

/* The change sets of a backup verified: the first damaged one, or how many were proven. */
static char *with_changes(char *text, bool deep, const struct pt_verify_result *result)
{
    char *more = NULL;
    if (result->n_change_problems) {
        more = pt_xasprintf(_("Its change sets are DAMAGED: %s"), result->change_problems[0]);
    } else if (result->changes_checked) {
        char *n = pt_l10n_int((int64_t)result->changes_checked);
        more = pt_xasprintf(deep ? P_("Its %s change set was rebuilt and proven.",
                                      "Its %s change sets were rebuilt and proven.",
                                      result->changes_checked)
                                 : P_("Its %s change set is intact.",
                                      "Its %s change sets are intact.", result->changes_checked),
                            n);
        free(n);
    }
    if (!more)
        return text;
    char *whole = pt_xasprintf("%s. %s", text, more);
    free(more);
    free(text);
    return whole;
}

static char *verified_backup(const char *name, bool deep, const struct pt_verify_result *result,
                             pt_present_keep_fn keep)
{
    if (!result->ok)
        return sentence(_("%s is DAMAGED: %s"), name, false, keep,
                        result->n ? result->problems[0] : _("failed"), NULL);
    char *text =
        deep && result->n_notes
            ? sentence(_("%s verified deeply, but %s"), name, false, keep, result->notes[0], NULL)
            : sentence(deep ? _("%s verified deeply: every file intact, the snapshot's integrity "
                                "checked, every JSON file parsed, every compressed member and "
                                "fixture count proven")
                            : _("%s verified: every file intact"),
                       name, false, keep, NULL, NULL);
    if (result->healed_backups == 0)
        return text;
    char *n = pt_l10n_int((int64_t)result->healed_backups);
    /* TRANSLATORS: the first %s is the sentence above, the second a count of backups. */
    char *healed = pt_xasprintf(_("%s, after damaged media files were healed from the live "
                                  "files in %s backups"),
                                text, n);
    free(n);
    free(text);
    return healed;
}

char *pt_present_verified(const char *name, bool deep, const struct pt_verify_result *result,
                          pt_present_keep_fn keep)
{
    return with_changes(verified_backup(name, deep, result, keep), deep, result);
}

/* restore --at: "the state of TIME (change set P of backup B)". */
static char *restored_state(const struct pt_restore_plan *plan, pt_present_keep_fn keep)
{
    char *when = pt_l10n_date(plan->point_ms, PT_DATE_SECONDS);
    char *backup = kept(plan->backup, false, keep);
    char *text;
    if (plan->point) {
        char *point = kept(plan->point, false, keep);
        text = pt_xasprintf(_("the state of %s (change set %s of backup %s)"), when, point, backup);
        free(point);
    } else {
        text = pt_xasprintf(_("the state of %s (backup %s)"), when, backup);
    }
    free(backup);
    free(when);
    return text;
}

char *pt_present_restored(const struct pt_restore_plan *plan, pt_present_keep_fn keep)
{
    char *text;
    if (plan->at_ms) {
        char *state = restored_state(plan, keep);
        char *undo = plan->pre_restore ? kept(plan->pre_restore, false, keep) : NULL;
        text = undo ? pt_xasprintf(_("Restored %s. To undo, restore %s."), state, undo)
                    : pt_xasprintf(_("Restored %s."), state);
        free(undo);
        free(state);
    } else if (!plan->pre_restore) {
        text = sentence(_("Restored %s."), plan->backup, false, keep, NULL, NULL);
    } else {
        char *undo = kept(plan->pre_restore, false, keep);
        text =
            sentence(_("Restored %s. To undo, restore %s."), plan->backup, false, keep, undo, NULL);
        free(undo);
    }
    if (plan->hook_error) {
        /* TRANSLATORS: a restore done (the first %s, a sentence), but hooks.after_restore failed.
         */
        char *warned = pt_xasprintf(_("%s But %s"), text, plan->hook_error);
        free(text);
        text = warned;
    }
    /* hooks.after_restore is the user's own answer to it (migrate, say): no advice over it. */
    if (!plan->migrations_differ || plan->hook_ran)
        return text;
    /* Last, where it is seen: the site fails until the schema matches the code again. */
    char *whole = pt_xasprintf("%s %s", text,
                               _("Its Django migrations differ from the ones the database had: "
                                 "run python manage.py migrate."));
    free(text);
    return whole;
}

char *pt_present_exported(const char *path, pt_present_keep_fn keep)
{
    return sentence(_("Exported to %s"), path, true, keep, NULL, NULL);
}

char *pt_present_deleted(const char *name, pt_present_keep_fn keep)
{
    return sentence(_("Deleted %s"), name, false, keep, NULL, NULL);
}

char *pt_present_pinned(const char *name, bool pinned, pt_present_keep_fn keep)
{
    return sentence(pinned ? _("Pinned %s: retention keeps it") : _("Unpinned %s"), name, false,
                    keep, NULL, NULL);
}

char *pt_present_pruned(size_t deleted, size_t kept_n)
{
    char *d = pt_l10n_int((int64_t)deleted), *k = pt_l10n_int((int64_t)kept_n);
    /* The plural rules look at no more than the last digits. */
    unsigned long plural = deleted > 1000000 ? 1000000 + deleted % 1000000 : deleted;
    char *text = pt_xasprintf(P_("Retention deleted %s backup; %s completed stay.",
                                 "Retention deleted %s backups; %s completed stay.", plural),
                              d, k);
    free(d);
    free(k);
    return text;
}

char *pt_present_thinned(const struct pt_thin_merge *merge, bool done)
{
    size_t n = merge->n_names + 1;
    char *count = pt_l10n_int((int64_t)n);
    unsigned long plural = n > 1000000 ? 1000000 + n % 1000000 : n;
    char *text = pt_xasprintf(done ? P_("merged %s change set of %s into %s",
                                        "merged %s change sets of %s into %s", plural)
                                   : P_("would merge %s change set of %s into %s",
                                        "would merge %s change sets of %s into %s", plural),
                              count, merge->base, merge->into);
    free(count);
    return text;
}

char *pt_present_pushed(const struct pt_offsite_pushed *pushed, pt_present_keep_fn keep)
{
    if (!pushed)
        return pt_xstrdup(_("Every completed backup is off-site already."));
    /* restic's short id, as `offsite list` shows it: the sentence fits the TUI's line. */
    char snapshot[9];
    snprintf(snapshot, sizeof(snapshot), "%.8s", pushed->snapshot ? pushed->snapshot : "-");
    if (pushed->already)
        return sentence(_("%s is off-site already (snapshot %s)"), pushed->name, false, keep,
                        snapshot, NULL);
    char grew[32];
    pt_l10n_size(pushed->bytes_added, grew, sizeof(grew));
    return sentence(_("Sent %s off-site: snapshot %s, the repository grew by %s"), pushed->name,
                    false, keep, snapshot, grew);
}

char *pt_present_notify_test(const struct pt_notify_test_sent *sent, pt_present_keep_fn keep)
{
    char *mail = sent->mail_to
                     ? sentence(_("Test mail sent to %s."), sent->mail_to, true, keep, NULL, NULL)
                     : NULL;
    char *alert = sent->apprise_file
                      ? sentence(_("Test alert sent through Apprise to the URLs of %s."),
                                 sent->apprise_file, true, keep, NULL, NULL)
                      : NULL;
    char *text =
        pt_xasprintf("%s%s%s", mail ? mail : "", mail && alert ? " " : "", alert ? alert : "");
    free(alert);
    free(mail);
    return text;
}

/* ---- the same ends as JSON (docs/cli.md, "JSON") ---- */

static json_t *rendered(struct pt_doc *doc)
{
    json_t *json = pt_render_json(doc);
    pt_doc_free(doc);
    return json;
}

json_t *pt_present_deleted_json(const char *name)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_text(doc, "deleted", PT_VALUE_NAME, name);
    return rendered(doc);
}

json_t *pt_present_exported_json(const char *path)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_text(doc, "path", PT_VALUE_PATH, path);
    return rendered(doc);
}

json_t *pt_present_report_json(const char *name, const char *summary)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_text(doc, "name", PT_VALUE_NAME, name);
    pt_doc_text(doc, "summary", PT_VALUE_TEXT, summary);
    return rendered(doc);
}

json_t *pt_present_reindexed_json(int64_t records)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_number(doc, "records", PT_VALUE_COUNT, records);
    return rendered(doc);
}

json_t *pt_present_cron_removed_json(bool removed)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_bool(doc, "removed", removed, NULL);
    return rendered(doc);
}

json_t *pt_present_notify_test_json(const struct pt_notify_test_sent *sent)
{
    struct pt_doc *doc = pt_doc_new(false);
    pt_doc_bool(doc, "sent", true, NULL);
    pt_doc_text(doc, "to", PT_VALUE_TEXT, sent->mail_to);
    pt_doc_bool(doc, "apprise", sent->apprise_file != NULL, NULL);
    pt_doc_text(doc, "urls_file", PT_VALUE_PATH, sent->apprise_file);
    return rendered(doc);
}
