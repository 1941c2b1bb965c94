// SPDX-License-Identifier: GPL-3.0-or-later
#include "restore-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "fsutil.h"
#include "i18n.h"

static const char *const phases[] = {"staging", "database-done"};

static char *journal_path(const struct pt_project *p)
{
    return pt_path_join(p->meta, "restore.json");
}

void pt_restore_journal_write(const struct pt_project *p, const char *backup,
                              const char *media_target, const char *staging,
                              enum pt_restore_phase phase)
{
    json_t *doc =
        json_pack("{s:s, s:s?, s:s?, s:s, s:I}", "backup", backup, "media", media_target, "staging",
                  staging, "phase", phases[phase], "pid", (json_int_t)getpid());
    char *path = journal_path(p), *tmp = pt_xasprintf("%s.new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (fd >= 0 && text) {
        size_t len = strlen(text);
        bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
        close(fd);
        if (ok && rename(tmp, path) == 0)
            pt_fsync_dir(p->meta);
        else
            unlink(tmp);
    } else if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(text);
    json_decref(doc);
    free(path);
    free(tmp);
}

void pt_restore_journal_clear(const struct pt_project *p)
{
    char *path = journal_path(p);
    if (unlink(path) == 0)
        pt_fsync_dir(p->meta);
    free(path);
}

enum pt_status pt_restore_swap_folder(const char *target, const char *staging, struct pt_error *err)
{
    enum pt_status rc = PT_OK;
    struct stat st;
    if (lstat(target, &st) != 0) {
        if (rename(staging, target) != 0)
            rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), staging,
                              strerror(errno));
    } else if (renameat2(AT_FDCWD, staging, AT_FDCWD, target, RENAME_EXCHANGE) != 0) {
        /* No atomic exchange on this filesystem: step the old folder aside, then move in. */
        char *old = pt_xasprintf("%s.poshtiban-old-%ld", target, (long)getpid());
        if (rename(target, old) != 0 || rename(staging, target) != 0) {
            rename(old, target);
            rc = pt_error_set(err, PT_EFAIL, _("cannot move %s into place: %s"), staging,
                              strerror(errno));
        }
        pt_remove_tree(old);
        free(old);
    }
    pt_remove_tree(staging); /* after the exchange it holds the old media */
    return rc;
}

char *pt_restore_journal_recover(const struct pt_project *p)
{
    char *path = journal_path(p);
    char *text = pt_read_file(path, 1 << 20, NULL);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    char *notice = NULL;
    const char *backup = json_string_value(json_object_get(doc, "backup"));
    const char *media = json_string_value(json_object_get(doc, "media"));
    const char *staging = json_string_value(json_object_get(doc, "staging"));
    const char *phase = json_string_value(json_object_get(doc, "phase"));
    /* Only ever a staging folder poshtiban named, beside the media it was for. */
    char *expected = media ? pt_xasprintf("%s.poshtiban-restore-", media) : NULL;
    bool ours = staging && expected && strncmp(staging, expected, strlen(expected)) == 0;
    struct stat st;
    bool staged = ours && lstat(staging, &st) == 0 && S_ISDIR(st.st_mode);
    if (doc && phase && strcmp(phase, phases[PT_RESTORE_DATABASE_DONE]) == 0 && staged) {
        struct pt_error err = {0};
        if (pt_restore_swap_folder(media, staging, &err) == PT_OK)
            notice = pt_xasprintf(_("a restore of %s was cut short after its database was "
                                    "replaced; its media were put in place now"),
                                  backup ? backup : "?");
        else
            notice = pt_xasprintf(_("a restore of %s was cut short and could not be finished: "
                                    "%s"),
                                  backup ? backup : "?", err.message ? err.message : "?");
        pt_error_clear(&err);
    } else if (staged) {
        pt_remove_tree(staging); /* nothing else had been replaced */
    }
    free(expected);
    json_decref(doc);
    unlink(path);
    free(path);
    return notice;
}
