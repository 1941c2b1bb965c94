// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/summary.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/record.h"
#include "poshtiban/text.h"

#include "base/fsutil.h"
#include "base/shquote.h"

struct text {
    char *s;
    size_t len;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
    char *piece = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&piece, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    t->s = pt_xrealloc(t->s, t->len + (size_t)n + 1);
    memcpy(t->s + t->len, piece, (size_t)n + 1);
    t->len += (size_t)n;
    free(piece);
}

/*
 * The commands that put this backup back by hand, with the real paths
 * quoted for sh, to be run in the backup's folder (README, "Restoring by
 * hand"). Only the labels are translated: a command stays a command.
 */
static void recipe(struct text *t, json_t *report, json_t *source, json_t *media)
{
    const char *database = json_string_value(json_object_get(source, "path"));
    const char *folder = json_string_value(json_object_get(media, "source"));
    /* Reports written before the snapshot and fixtures could be compressed name neither. */
    const char *snapshot = json_string_value(json_object_get(report, "snapshot"));
    const char *complete = json_string_value(json_object_get(report, "complete_fixture"));
    add(t, "\n%s\n",
        _("To restore by hand, in this backup's folder (an archive unpacked first), "
          "with the app stopped:"));
    char *db = pt_sh_quote(database ? database : "db.sqlite3");
    if (snapshot && strcmp(snapshot, "database.sqlite3") != 0) {
        /* sqlite3 restores from a plain file: unpacked first, beside nothing of the backup's. */
        char *member = pt_sh_quote(snapshot);
        bool gz = strlen(snapshot) > 3 && strcmp(snapshot + strlen(snapshot) - 3, ".gz") == 0;
        add(t,
            "  %s: t=$(mktemp -p /var/tmp) && %s %s >\"$t\" && sqlite3 %s \".restore $t\" && "
            "rm \"$t\"\n",
            _("database"), gz ? "gzip -dc" : "zstd -dcq", member, db);
        free(member);
    } else {
        add(t, "  %s: sqlite3 %s \".restore database.sqlite3\"\n", _("database"), db);
    }
    free(db);
    char *fixture = pt_sh_quote(complete ? complete : "complete_database.json");
    add(t, "  %s: python manage.py loaddata %s\n", _("or with Django"), fixture);
    free(fixture);
    if (json_is_true(json_object_get(media, "included")) && folder) {
        char *into = pt_xasprintf("%s/", folder);
        char *quoted = pt_sh_quote(into);
        add(t, "  %s: mkdir -p %s && cp -R --no-preserve=mode media/. %s\n", _("media"), quoted,
            quoted);
        free(quoted);
        free(into);
    }
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "-";
}

/* Spaces after text up to width columns, measured, not counted in bytes. */
static void pad(struct text *t, const char *text, size_t width)
{
    add(t, "%s", text);
    for (size_t w = pt_text_width(text); w < width; w++)
        add(t, " ");
}

char *pt_report_summary(json_t *report)
{
    struct text t = {0};
    char size[48], took[48];
    json_t *source = json_object_get(report, "source");
    json_t *media = json_object_get(report, "media");
    json_t *tables = json_object_get(report, "tables");
    enum pt_kind kind = PT_KIND_MANUAL;
    enum pt_state state = PT_STATE_COMPLETED;
    pt_kind_parse(str(report, "kind"), &kind);
    pt_state_parse(str(report, "status"), &state);

    char *date =
        pt_l10n_iso_date(json_string_value(json_object_get(report, "created_at")), PT_DATE_LONG);
    const char *created = str(report, "created_at");
    char clock[16];
    snprintf(clock, sizeof(clock), "%.5s", strlen(created) >= 16 ? created + 11 : "");
    char *clock_l = pt_l10n_digits(clock);
    pt_l10n_size(json_integer_value(json_object_get(source, "size_bytes")), size, sizeof(size));
    pt_l10n_duration(json_integer_value(json_object_get(report, "duration_ms")), took,
                     sizeof(took));

    add(&t, "%s\n\n", _("poshtiban backup report"));
    add(&t, "%s: %s\n", _("Backup"), str(report, "name"));
    add(&t, "%s: %s\n", _("Status"), pt_state_label(state));
    add(&t, _("Taken: %s, %s UTC\n"), date, clock_l);
    add(&t, "%s: %s\n", _("Kind"), pt_kind_label(kind));
    add(&t, _("Source: %s (%s, SQLite %s%s)\n"), str(source, "path"), size,
        str(source, "sqlite_version"),
        json_is_true(json_object_get(source, "django")) ? _(", Django project") : "");
    add(&t, "%s: %s\n\n", _("Duration"), took);
    free(date);
    free(clock_l);

    int64_t total = 0;
    size_t i, width = 0;
    json_t *table;
    json_array_foreach(tables, i, table)
    {
        total += json_integer_value(json_object_get(table, "rows"));
        size_t w = pt_text_width(str(table, "name"));
        width = w > width ? w : width;
    }
    char *n_tables = pt_l10n_int((int64_t)json_array_size(tables));
    char *n_rows = pt_l10n_int(total);
    add(&t, _("Tables: %s, rows: %s\n"), n_tables, n_rows);
    free(n_tables);
    free(n_rows);
    json_array_foreach(tables, i, table)
    {
        json_t *fixture = json_object_get(table, "fixture");
        char *rows = pt_l10n_int(json_integer_value(json_object_get(table, "rows")));
        add(&t, "  ");
        pad(&t, str(table, "name"), width + 2);
        for (size_t w = pt_text_width(rows); w < 12; w++)
            add(&t, " ");
        json_t *folded = json_object_get(table, "folded_into");
        char *in_field = json_is_string(folded)
                             ? pt_xasprintf(_("(in the field %s)"), json_string_value(folded))
                             : NULL;
        add(&t, "%s  %s\n", rows,
            json_is_string(fixture) ? json_string_value(fixture)
            : in_field              ? in_field
                                    : _("(in database.sqlite3 only)"));
        free(in_field);
        free(rows);
    }
    if (json_is_true(json_object_get(media, "included"))) {
        char *files = pt_l10n_int(json_integer_value(json_object_get(media, "files")));
        pt_l10n_size(json_integer_value(json_object_get(media, "bytes")), size, sizeof(size));
        add(&t, _("\nMedia: %s files, %s\n"), files, size);
        free(files);
        json_int_t rechecked = json_integer_value(json_object_get(media, "rechecked"));
        if (rechecked > 0) {
            char *checked = pt_l10n_int(rechecked);
            char *shared = pt_l10n_int(json_integer_value(json_object_get(media, "shared")));
            char *bad = pt_l10n_int(json_integer_value(json_object_get(media, "share_bad")));
            add(&t,
                _("Unchanged since the previous backup: %s files, each read again; %s linked to "
                  "it, %s copied afresh since its copy no longer matched\n"),
                checked, shared, bad);
            free(checked);
            free(shared);
            free(bad);
        }
    } else {
        add(&t, "\n%s: %s\n", _("Media"), _("not included"));
    }
    json_t *warning;
    json_array_foreach(json_object_get(report, "warnings"), i, warning)
        add(&t, "%s: %s\n", _("Warning"), json_string_value(warning));
    recipe(&t, report, source, media);
    return t.s;
}
