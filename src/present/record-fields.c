// SPDX-License-Identifier: GPL-3.0-or-later
/* The fields of a record, as `show` prints them and the Detail pane draws them. */
#include "poshtiban/present.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/stats.h"
#include "poshtiban/timefmt.h"

struct list {
    struct pt_field *items;
    size_t n;
};

/* Takes value. */
static void add(struct list *l, const char *label, char *value, enum pt_tone tone,
                enum pt_value_kind kind)
{
    l->items = pt_xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
    l->items[l->n++] = (struct pt_field){label, value ? value : pt_xstrdup("-"), tone, kind};
}

/* "Thursday 26 November 2026, 11:06 UTC", in the calendar and digits of the language. */
static char *when(const char *iso)
{
    if (!iso)
        return NULL;
    char *day = pt_l10n_iso_date(iso, PT_DATE_LONG);
    char *at = pt_l10n_iso_date(iso, PT_DATE_TIME);
    const char *space = strrchr(at, ' ');
    char *text = pt_xasprintf(_("%s, %s UTC"), day, space ? space + 1 : at);
    free(day);
    free(at);
    return text;
}

enum pt_tone pt_present_state_tone(enum pt_state status)
{
    switch (status) {
    case PT_STATE_COMPLETED:
        return PT_TONE_GOOD;
    case PT_STATE_FAILED:
    case PT_STATE_INTERRUPTED:
        return PT_TONE_BAD;
    default:
        return PT_TONE_WARN;
    }
}

static void add_offsite(struct list *l, const struct pt_record *r)
{
    char *value = NULL;
    enum pt_tone tone = PT_TONE_WARN;
    if (r->offsite_snapshot) {
        char iso[32], grew[32];
        pt_time_iso(r->offsite_at_ms, iso);
        char *at = pt_l10n_iso_date(iso, PT_DATE_TIME);
        pt_l10n_size(r->offsite_bytes, grew, sizeof(grew));
        value = pt_xasprintf(_("snapshot %s, %s UTC, the repository grew by %s"),
                             r->offsite_snapshot, at, grew);
        tone = PT_TONE_GOOD;
        free(at);
    } else if (r->offsite_error) {
        value = pt_xstrdup(r->offsite_error);
        tone = PT_TONE_BAD;
    } else if (r->status == PT_STATE_COMPLETED) {
        value = pt_xstrdup(_("no copy yet"));
    } else {
        return;
    }
    add(l, _("Off-site"), value, tone, PT_VALUE_TEXT);
    /* What the repository held when poshtiban last looked, not what it once sent. */
    add(l, _("Repository"),
        pt_stats_offsite_as_of(r->offsite_checked_ms > 0 ? r->offsite_checked_ms : -1, -1),
        PT_TONE_PLAIN, PT_VALUE_TEXT);
}

size_t pt_present_record(const struct pt_record *r, struct pt_field **fields)
{
    struct list l = {0};
    char buf[64];
    /* A backup that did not complete has no folder and no media to speak of. */
    bool done = r->status == PT_STATE_COMPLETED;
    add(&l, _("ID"), pt_l10n_int(r->id), PT_TONE_PLAIN, PT_VALUE_COUNT);
    add(&l, _("Name"), pt_xstrdup(r->name), PT_TONE_TITLE, PT_VALUE_NAME);
    add(&l, _("Status"), pt_xstrdup(pt_state_label(r->status)), pt_present_state_tone(r->status),
        PT_VALUE_TEXT);
    add(&l, _("Kind"), pt_xstrdup(pt_kind_label(r->kind)), PT_TONE_PLAIN, PT_VALUE_TEXT);
    add(&l, _("Format"), pt_xstrdup(r->format ? r->format : "-"), PT_TONE_PLAIN, PT_VALUE_TEXT);
    if (done)
        add(&l, _("Path"), pt_xstrdup(r->path ? r->path : "-"), PT_TONE_PLAIN, PT_VALUE_PATH);
    add(&l, _("Created"), when(r->created_at), PT_TONE_PLAIN, PT_VALUE_TEXT);
    add(&l, _("Finished"), when(r->finished_at), PT_TONE_PLAIN, PT_VALUE_TEXT);
    pt_l10n_duration(r->duration_ms, buf, sizeof(buf));
    add(&l, _("Duration"), pt_xstrdup(buf), PT_TONE_PLAIN, PT_VALUE_TEXT);
    pt_l10n_size(r->size_bytes, buf, sizeof(buf));
    add(&l, _("Size"), pt_xstrdup(buf), PT_TONE_PLAIN, PT_VALUE_TEXT);
    if (done)
        add(&l, _("Media"), pt_xstrdup(r->include_media ? _("included") : _("not included")),
            PT_TONE_PLAIN, PT_VALUE_TEXT);
    add(&l, _("Pinned"), pt_xstrdup(r->pinned ? _("yes: retention keeps it") : _("no")),
        PT_TONE_PLAIN, PT_VALUE_TEXT);
    if (r->verify_ok < 0) {
        add(&l, _("Verified"), pt_xstrdup(_("never")), done ? PT_TONE_WARN : PT_TONE_PLAIN,
            PT_VALUE_TEXT);
    } else {
        char *at = when(r->verified_at);
        add(&l, _("Verified"), pt_xasprintf("%s, %s", r->verify_ok ? _("ok") : _("DAMAGED"), at),
            r->verify_ok ? PT_TONE_GOOD : PT_TONE_BAD, PT_VALUE_TEXT);
        free(at);
    }
    add_offsite(&l, r);
    char *message = pt_record_message(r);
    if (message)
        add(&l, _("Message"), message, PT_TONE_PLAIN, PT_VALUE_TEXT);
    if (r->error)
        add(&l, _("Error"), pt_xstrdup(r->error), PT_TONE_BAD, PT_VALUE_TEXT);
    *fields = l.items;
    return l.n;
}

void pt_present_fields_free(struct pt_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(fields[i].value);
    free(fields);
}
