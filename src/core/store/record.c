// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/timefmt.h"

#include "base/fsutil.h"

static const char *const kind_names[] = {"manual", "auto", "scheduled"};
static const char *const kind_labels[] = {N_("manual"), N_("auto"), N_("scheduled")};
static const char *const state_names[] = {"pending",     "running",  "completed", "failed",
                                          "interrupted", "deleting", "cancelled"};
static const char *const state_labels[] = {N_("pending"),  N_("running"),     N_("completed"),
                                           N_("failed"),   N_("interrupted"), N_("deleting"),
                                           N_("cancelled")};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A count as ngettext takes it: the plural rules look at no more than the last digits. */
static unsigned long plural(long long n)
{
    return n < 0 ? 0 : n > 1000000 ? 1000000 + (unsigned long)(n % 1000000) : (unsigned long)n;
}

const char *pt_format_suffix(const char *format)
{
    if (format && strcmp(format, "zip") == 0)
        return ".zip";
    if (format && strcmp(format, "tar.zst") == 0)
        return ".tar.zst";
    return NULL;
}

const char *pt_kind_name(enum pt_kind kind)
{
    return (size_t)kind < COUNT(kind_names) ? kind_names[kind] : "manual";
}

const char *pt_state_name(enum pt_state state)
{
    return (size_t)state < COUNT(state_names) ? state_names[state] : "failed";
}

const char *pt_kind_label(enum pt_kind kind)
{
    return _((size_t)kind < COUNT(kind_labels) ? kind_labels[kind] : kind_labels[0]);
}

const char *pt_state_label(enum pt_state state)
{
    return _((size_t)state < COUNT(state_labels) ? state_labels[state] : state_labels[3]);
}

bool pt_kind_parse(const char *name, enum pt_kind *kind)
{
    for (size_t i = 0; name && i < COUNT(kind_names); i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *kind = (enum pt_kind)i;
            return true;
        }
    return false;
}

bool pt_state_parse(const char *name, enum pt_state *state)
{
    for (size_t i = 0; name && i < COUNT(state_names); i++)
        if (strcmp(name, state_names[i]) == 0) {
            *state = (enum pt_state)i;
            return true;
        }
    return false;
}

void pt_record_add_table(struct pt_record *r, const char *name, int64_t rows)
{
    r->tables = pt_xrealloc(r->tables, (r->n_tables + 1) * sizeof(*r->tables));
    r->tables[r->n_tables].name = pt_xstrdup(name);
    r->tables[r->n_tables].rows = rows;
    r->n_tables++;
}

void pt_record_free(struct pt_record *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->format);
    free(r->path);
    free(r->created_at);
    free(r->started_at);
    free(r->finished_at);
    free(r->message_code);
    free(r->message_args);
    free(r->message);
    free(r->error);
    free(r->verified_at);
    free(r->offsite_snapshot);
    free(r->offsite_error);
    for (size_t i = 0; i < r->n_tables; i++)
        free(r->tables[i].name);
    free(r->tables);
    memset(r, 0, sizeof(*r));
}

void pt_record_set_message(struct pt_record *r, const char *code, const char *args)
{
    free(r->message_code);
    free(r->message_args);
    free(r->message);
    r->message_code = code ? pt_xstrdup(code) : NULL;
    r->message_args = args ? pt_xstrdup(args) : NULL;
    r->message = NULL;
}

/* The code's sentence in the current language; NULL for a code not known here. */
static char *coded_message(const char *code, const char *args)
{
    if (strcmp(code, PT_MESSAGE_COMPLETED) == 0) {
        long long tables = 0, rows = 0;
        if (!args || sscanf(args, "%lld %lld", &tables, &rows) != 2)
            return NULL;
        char *t = pt_l10n_int(tables), *r = pt_l10n_int(rows);
        char *ts = pt_xasprintf(P_("%s table", "%s tables", plural(tables)), t);
        char *rs = pt_xasprintf(P_("%s row", "%s rows", plural(rows)), r);
        char *text = pt_xasprintf(_("backup completed: %s, %s"), ts, rs);
        free(rs);
        free(ts);
        free(r);
        free(t);
        return text;
    }
    if (strcmp(code, PT_MESSAGE_CANCELLED) == 0)
        return pt_xstrdup(_("cancelled by the user"));
    if (strcmp(code, PT_MESSAGE_REINDEXED) == 0)
        return pt_xstrdup(_("found again by reindex"));
    if (strcmp(code, PT_MESSAGE_RECOVERED) == 0)
        return pt_xstrdup(_("recovered after an interruption; verify it"));
    if (strcmp(code, PT_MESSAGE_PULLED) == 0 && args)
        return pt_xasprintf(_("fetched from the off-site copy %s"), args);
    return NULL;
}

char *pt_record_message(const struct pt_record *r)
{
    char *coded = r->message_code ? coded_message(r->message_code, r->message_args) : NULL;
    if (!coded)
        return r->message ? pt_xstrdup(r->message) : NULL;
    if (!r->message || !*r->message)
        return coded;
    char *both = pt_xasprintf("%s; %s", coded, r->message);
    free(coded);
    return both;
}

void pt_record_list_free(struct pt_record *records, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pt_record_free(&records[i]);
    free(records);
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *pt_record_to_json(const struct pt_record *r)
{
    json_t *tables = json_object();
    for (size_t i = 0; i < r->n_tables; i++)
        json_object_set_new(tables, r->tables[i].name, json_integer(r->tables[i].rows));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "name", string_or_null(r->name));
    json_object_set_new(o, "kind", json_string(pt_kind_name(r->kind)));
    json_object_set_new(o, "status", json_string(pt_state_name(r->status)));
    json_object_set_new(o, "format", string_or_null(r->format));
    json_object_set_new(o, "path", string_or_null(r->path));
    json_object_set_new(o, "created_at", string_or_null(r->created_at));
    json_object_set_new(o, "started_at", string_or_null(r->started_at));
    json_object_set_new(o, "finished_at", string_or_null(r->finished_at));
    json_object_set_new(o, "duration_ms", json_integer(r->duration_ms));
    json_object_set_new(o, "size_bytes", json_integer(r->size_bytes));
    json_object_set_new(o, "include_media", json_boolean(r->include_media));
    json_object_set_new(o, "pinned", json_boolean(r->pinned));
    char *message = pt_record_message(r);
    json_object_set_new(o, "message", string_or_null(message));
    json_object_set_new(o, "message_code", string_or_null(r->message_code));
    free(message);
    json_object_set_new(o, "error", string_or_null(r->error));
    json_object_set_new(o, "tables", tables);
    json_object_set_new(o, "verified_at", string_or_null(r->verified_at));
    json_object_set_new(o, "verify_ok",
                        r->verify_ok < 0 ? json_null() : json_boolean(r->verify_ok));
    json_t *offsite = json_null();
    if (r->offsite_snapshot || r->offsite_error) {
        char at[32];
        pt_time_iso(r->offsite_at_ms, at);
        offsite = json_object();
        json_object_set_new(offsite, "snapshot", string_or_null(r->offsite_snapshot));
        json_object_set_new(offsite, "at", r->offsite_at_ms >= 0 ? json_string(at) : json_null());
        json_object_set_new(offsite, "error", string_or_null(r->offsite_error));
        json_object_set_new(offsite, "bytes_added", json_integer(r->offsite_bytes));
        char checked[32];
        if (r->offsite_checked_ms > 0)
            pt_time_iso(r->offsite_checked_ms, checked);
        json_object_set_new(offsite, "checked_at",
                            r->offsite_checked_ms > 0 ? json_string(checked) : json_null());
    }
    json_object_set_new(o, "offsite", offsite);
    return o;
}
