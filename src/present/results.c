// SPDX-License-Identifier: GPL-3.0-or-later
/* The sentence each operation ends with, for both faces. */
#include "poshtiban/present.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"

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
        return sentence(_("Backup %s completed: %s in %s"), record->name, false, keep, size, took);
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

char *pt_present_verified(const char *name, bool deep, const struct pt_verify_result *result,
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

char *pt_present_restored(const struct pt_restore_plan *plan, pt_present_keep_fn keep)
{
    char *text;
    if (!plan->pre_restore) {
        text = sentence(_("Restored %s."), plan->backup, false, keep, NULL, NULL);
    } else {
        char *undo = kept(plan->pre_restore, false, keep);
        text =
            sentence(_("Restored %s. To undo, restore %s."), plan->backup, false, keep, undo, NULL);
        free(undo);
    }
    if (!plan->migrations_differ)
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

char *pt_present_test_mail(const char *to, pt_present_keep_fn keep)
{
    return sentence(_("Test mail sent to %s."), to, true, keep, NULL, NULL);
}
