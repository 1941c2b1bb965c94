// SPDX-License-Identifier: GPL-3.0-or-later
/* Reading a finished backup: its report, its summary and its list of files, in any format. */
#include "poshtiban/backup-read.h"

#include <stdlib.h>

#include <jansson.h>

#include "poshtiban/i18n.h"

#include "engine/reader.h"

static enum pt_status need_files(const struct pt_record *r, struct pt_error *err)
{
    if (r->status != PT_STATE_COMPLETED)
        return pt_error_set(err, PT_EINVAL, _("backup %s is not complete (%s): it has no files"),
                            r->name, pt_state_label(r->status));
    return PT_OK;
}

enum pt_status pt_backup_read_summary(const struct pt_record *r, char **text, struct pt_error *err)
{
    *text = NULL;
    enum pt_status rc = need_files(r, err);
    if (rc != PT_OK)
        return rc;
    return pt_reader_slurp(r, "backup_summary.txt", text, NULL, err);
}

enum pt_status pt_backup_read_report(const struct pt_record *r, json_t **report,
                                     struct pt_error *err)
{
    *report = NULL;
    if (need_files(r, err) != PT_OK)
        return PT_EINVAL;
    char *text;
    size_t len;
    if (pt_reader_slurp(r, "backup_report.json", &text, &len, err) != PT_OK)
        return PT_EFAIL;
    json_error_t jerr;
    *report = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!*report || !json_is_array(json_object_get(*report, "files"))) {
        json_decref(*report);
        *report = NULL;
        return pt_error_set(err, PT_EFAIL, _("the report of %s is damaged"), r->name);
    }
    return PT_OK;
}

enum pt_status pt_backup_read_files(const struct pt_record *r, json_t **files, struct pt_error *err)
{
    json_t *report;
    *files = NULL;
    enum pt_status rc = pt_backup_read_report(r, &report, err);
    if (rc != PT_OK)
        return rc;
    *files = json_incref(json_object_get(report, "files"));
    json_decref(report);
    return PT_OK;
}

json_t *pt_backup_read_modes(const struct pt_record *r)
{
    json_t *modes = json_object(), *report = NULL;
    if (pt_backup_read_report(r, &report, NULL) != PT_OK)
        return modes;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(report, "files"), i, f)
    {
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *mode = json_string_value(json_object_get(f, "mode"));
        char *end;
        long bits = mode ? strtol(mode, &end, 8) : -1;
        if (path && mode && *end == '\0' && bits >= 0)
            json_object_set_new(modes, path, json_integer(bits & 0777));
    }
    json_decref(report);
    return modes;
}
