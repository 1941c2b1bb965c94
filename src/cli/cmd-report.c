// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>

#include "poshtiban/backup-read.h"
#include "poshtiban/summary.h"

#include "cli.h"

/*
 * The restore recipe that ends a report ("  label: command" lines after its
 * heading, README "Restoring by hand"), each command isolated as one piece
 * to copy where poshtiban reorders the lines. New string.
 */
static char *isolate_recipe(const char *text)
{
    static const char heading[] = N_("To restore by hand, in this backup's folder (an archive "
                                     "unpacked first), with the app stopped:");
    size_t len = strlen(text);
    char *out = pt_xmalloc(len * 3 + 1), *o = out;
    bool recipe = false;
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        const char *colon = recipe && strncmp(line, "  ", 2) == 0 ? strstr(line, ": ") : NULL;
        if (colon && colon < line + n) {
            size_t head = (size_t)(colon + 2 - line);
            char *command = strndup(colon + 2, n - head);
            char *isolated = command ? pt_cli_command(command) : NULL;
            if (isolated) {
                memcpy(o, line, head);
                o += head;
                o = stpcpy(o, isolated);
            } else {
                o = stpncpy(o, line, n);
            }
            free(isolated);
            free(command);
        } else {
            memcpy(o, line, n);
            o += n;
        }
        /* The heading in the language of the summary, which may not be the current one. */
        recipe = recipe || (n == strlen(heading) && strncmp(line, heading, n) == 0) ||
                 (n == strlen(_(heading)) && strncmp(line, _(heading), n) == 0);
        line += n;
        if (*line == '\n')
            *o++ = *line++;
    }
    *o = '\0';
    return out;
}

int pt_cmd_report(struct pt_cli *cli, int argc, char **argv)
{
    const char *id = NULL;
    size_t n_pos;
    if (!pt_cli_parse("report", argc, argv, NULL, &id, 1, &n_pos))
        return 2;
    if (n_pos != 1)
        return pt_cli_usage("report", _("which backup? give its id or name"));
    struct pt_error err = {0};
    struct pt_record record;
    if (pt_cli_find(cli, id, &record, &err) != PT_OK)
        return pt_cli_error(&err);
    char *text = NULL;
    enum pt_status rc;
    if (cli->lang) {
        /* Told again from the report, in the language asked for. */
        json_t *report = NULL;
        rc = pt_backup_read_report(&record, &report, &err);
        if (rc == PT_OK)
            text = pt_report_summary(report);
        json_decref(report);
    } else {
        /* As written when the backup was taken, in its language. */
        rc = pt_backup_read_summary(&record, &text, &err);
    }
    int code = 0;
    if (rc != PT_OK)
        code = pt_cli_error(&err);
    else if (cli->json)
        code = pt_cli_print_json(pt_present_report_json(record.name, text));
    else {
        char *shown = isolate_recipe(text);
        pt_cli_printf("%s", shown ? shown : text);
        free(shown);
    }
    free(text);
    pt_record_free(&record);
    return code;
}
