// SPDX-License-Identifier: GPL-3.0-or-later
/* Reading a finished backup: its report, its summary and its list of files, in any format. */
#include "poshtiban/backup-read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

#include "base/fsutil.h"
#include "engine/reader.h"
#include "engine/report-split.h"

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

/* The report streamed through a splitter: from the folder, or found in the archive. */
struct stream {
    struct pt_report_split *split;
    pt_backup_file_fn fn;
    void *user;
    enum pt_status fed; /* the splitter's (or fn's) status, apart from the reader's */
    bool found, fn_failed;
    char buf[65536];
};

static enum pt_status feed_from(struct stream *s, struct pt_reader *rd, int fd,
                                struct pt_error *err)
{
    for (;;) {
        ssize_t n =
            rd ? pt_reader_read(rd, s->buf, sizeof(s->buf), err) : read(fd, s->buf, sizeof(s->buf));
        if (n < 0 && !rd && errno == EINTR)
            continue;
        if (n < 0)
            return rd ? PT_EFAIL
                      : pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), "backup_report.json",
                                     strerror(errno));
        if (n == 0)
            return PT_OK;
        if ((s->fed = pt_report_split_feed(s->split, s->buf, (size_t)n, err)) != PT_OK)
            return s->fed;
    }
}

static enum pt_status stream_entry(const struct pt_entry *e, struct pt_reader *rd, void *user,
                                   struct pt_error *err)
{
    struct stream *s = user;
    if (e->type != PT_ENTRY_FILE || strcmp(e->path, "backup_report.json") != 0)
        return PT_OK;
    s->found = true;
    enum pt_status rc = feed_from(s, rd, -1, err);
    return rc == PT_OK ? PT_ECANCELLED : rc; /* found: stop the walk */
}

static enum pt_status each(json_t *file, void *user, struct pt_error *err)
{
    struct stream *s = user;
    enum pt_status rc = s->fn(file, s->user, err);
    s->fn_failed = rc != PT_OK;
    return rc;
}

/* Reads the report of r through a splitter; *head (when asked) is the report but its files. */
static enum pt_status stream_report(const struct pt_record *r, pt_backup_file_fn fn, void *user,
                                    json_t **head, struct pt_error *err)
{
    if (need_files(r, err) != PT_OK)
        return PT_EINVAL;
    struct stream *s = pt_xcalloc(1, sizeof(*s));
    s->fn = fn;
    s->user = user;
    s->split = pt_report_split_new(fn ? each : NULL, s);
    enum pt_status rc;
    if (!pt_reader_archive_suffix(r->format)) {
        char *full = pt_path_join(r->path, "backup_report.json");
        /* Never a FIFO or a device, which could block or never end; never through a link. */
        int fd = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
            close(fd);
            fd = -1;
            errno = EINVAL;
        }
        rc = fd < 0 ? pt_error_set(err, PT_EFAIL, _("cannot read %s: %s"), full, strerror(errno))
                    : feed_from(s, NULL, fd, err);
        if (fd >= 0)
            close(fd);
        free(full);
    } else {
        rc = pt_reader_walk(r, stream_entry, s, err);
        if (rc == PT_ECANCELLED && s->found && s->fed == PT_OK)
            rc = PT_OK;
        else if (rc == PT_OK)
            rc = pt_error_set(err, PT_EFAIL, _("%s has no %s"), r->path, "backup_report.json");
    }
    json_t *doc = NULL;
    if (rc == PT_OK)
        rc = s->fed = pt_report_split_end(s->split, &doc, err);
    /* What the splitter found wrong, said of this backup (fn's own errors are fn's). */
    if (rc == PT_EFAIL && s->fed == PT_EFAIL && !s->fn_failed) {
        char *why = pt_xstrdup(err && err->message ? err->message : "?");
        pt_error_clear(err);
        pt_error_set(err, PT_EFAIL, _("the report of %s is damaged: %s"), r->name, why);
        free(why);
    }
    pt_report_split_free(s->split);
    free(s);
    if (head && rc == PT_OK)
        *head = doc;
    else
        json_decref(doc);
    return rc;
}

enum pt_status pt_backup_read_report(const struct pt_record *r, json_t **report,
                                     struct pt_error *err)
{
    *report = NULL;
    return stream_report(r, NULL, NULL, report, err);
}

enum pt_status pt_backup_each_file(const struct pt_record *r, pt_backup_file_fn fn, void *user,
                                   struct pt_error *err)
{
    return stream_report(r, fn, user, NULL, err);
}

struct modes {
    json_t *modes, *only;
};

static enum pt_status add_mode(json_t *f, void *user, struct pt_error *err)
{
    (void)err;
    struct modes *m = user;
    const char *path = json_string_value(json_object_get(f, "path"));
    if (!path || (m->only && !json_object_get(m->only, path)))
        return PT_OK;
    const char *mode = json_string_value(json_object_get(f, "mode"));
    char *end;
    long bits = mode ? strtol(mode, &end, 8) : -1;
    if (path && mode && *end == '\0' && bits >= 0)
        json_object_set_new(m->modes, path, json_integer(bits & 0777));
    return PT_OK;
}

json_t *pt_backup_read_modes(const struct pt_record *r, json_t *only)
{
    struct modes m = {json_object(), only};
    if (pt_backup_each_file(r, add_mode, &m, NULL) != PT_OK) {
        json_decref(m.modes);
        m.modes = json_object();
    }
    return m.modes;
}
